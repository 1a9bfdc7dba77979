package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// admission paces how fast new connections are taken in: at most a few
// may be on their first request at once, and the rest wait in the
// kernel's accept queue, where they cost the process nothing. When a
// planning poker room of hundreds fills up in one go, that is the
// difference between every connection's buffers, request and stack being
// alive together (and the heap, and so the process's memory, sized for
// that peak for minutes after) and a handful at a time. The limit is soft:
// a connection waits at most maxWait for a slot, and once one has waited
// that long the others are let in at once until a slot comes back, so
// clients that hold slots without finishing their requests (slowloris)
// cost the others one wait, not one each.
type admission struct {
	slots   chan struct{}
	maxWait time.Duration

	mu       sync.Mutex
	held     map[net.Conn]struct{} // connections holding a slot
	saturate bool                  // a wait ran out; let everyone in until a slot is given back
}

func newAdmission(n int, maxWait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, n), maxWait: maxWait, held: map[net.Conn]struct{}{}}
}

// listener wraps ln so that each accepted connection waits for a slot (at
// most maxWait) before it is handed to the server.
func (a *admission) listener(ln net.Listener) net.Listener { return admitListener{Listener: ln, a: a} }

type admitListener struct {
	net.Listener
	a *admission
}

func (l admitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	// Until this returns, net/http starts nothing for c: waiting here
	// costs a socket, not buffers and a goroutine.
	if l.a.acquire() {
		l.a.mu.Lock()
		l.a.held[c] = struct{}{}
		l.a.mu.Unlock()
	}
	return c, nil
}

func (a *admission) acquire() bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	a.mu.Lock()
	saturated := a.saturate
	a.mu.Unlock()
	if saturated {
		return false
	}
	t := time.NewTimer(a.maxWait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
		a.mu.Lock()
		a.saturate = true
		a.mu.Unlock()
		return false
	}
}

// state is http.Server.ConnState: a connection gives its slot back once
// its first request is done (idle), it became a stream (hijacked), or it
// closed.
func (a *admission) state(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateIdle, http.StateHijacked, http.StateClosed:
		a.mu.Lock()
		_, ok := a.held[c]
		delete(a.held, c)
		if ok {
			a.saturate = false
		}
		a.mu.Unlock()
		if ok {
			<-a.slots
		}
	}
}
