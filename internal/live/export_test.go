package live

import "sync"

var chans sync.Map // *Subscription → chan *Frame

// C adapts a subscription to a channel for tests: its frames in order,
// closed when it ends. Every call for one subscription returns the same
// channel.
func C(s *Subscription) <-chan *Frame {
	if c, ok := chans.Load(s); ok {
		return c.(chan *Frame)
	}
	// Buffered, so that frames a test leaves unread do not keep this
	// goroutine alive after the subscription ends (goleak).
	c := make(chan *Frame, 1<<12)
	if prev, loaded := chans.LoadOrStore(s, c); loaded {
		return prev.(chan *Frame)
	}
	go func() {
		defer close(c)
		var batch [3]*Frame // small, so tests also cover batches split across Takes
		for range s.Ready() {
			n, open := s.Take(batch[:])
			for _, f := range batch[:n] {
				c <- f
			}
			if !open {
				return
			}
		}
	}()
	return c
}
