package api

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/tandemhq/tandem/internal/live"
)

// connStream serves one hijacked event stream with no goroutine of its
// own while the client is idle. When frames arrive, the subscription's
// notification starts a short-lived goroutine that writes everything
// waiting and ends; a timer checks every HangupProbe whether the client
// hung up (it sends nothing on an event stream, so a read that does not
// time out means it left) and asks for a heartbeat when one is due. A room
// of hundreds of idle clients holds no goroutine stacks and no buffers.
type connStream struct {
	conn      net.Conn
	sub       *live.Subscription
	allowed   func() bool
	heartbeat time.Duration
	probe     time.Duration
	timer     *time.Timer

	mu       sync.Mutex
	busy     bool // a drain goroutine is running
	again    bool // more was notified while it ran
	ping     bool // a heartbeat is due
	closed   bool
	last     int64 // the last Seq written
	nextBeat time.Time

	w connWriter // used by the drain goroutine only
}

// serveConn starts the stream after its head and replay were written.
func (a *API) serveConn(conn net.Conn, sub *live.Subscription, last int64, allowed func() bool) {
	st := &connStream{conn: conn, sub: sub, allowed: allowed, heartbeat: a.cfg.Heartbeat,
		probe: min(a.cfg.HangupProbe, a.cfg.Heartbeat), last: last, nextBeat: time.Now().Add(a.cfg.Heartbeat)}
	st.w.conn = conn
	st.mu.Lock() // tick and notify wait until the stream is set up
	st.timer = time.AfterFunc(st.probe, st.tick)
	st.mu.Unlock()
	sub.Notify(st.notify)
}

// notify runs when frames arrive or the subscription ends; it may run
// with the room locked, so it only starts the drain.
func (st *connStream) notify() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.kick()
}

// kick starts a drain goroutine unless one runs; the caller holds st.mu.
func (st *connStream) kick() {
	switch {
	case st.closed:
	case st.busy:
		st.again = true
	default:
		st.busy = true
		go st.drain()
	}
}

// drain writes what is waiting until nothing is, then ends.
func (st *connStream) drain() {
	var batch [32]*live.Frame
	for {
		st.mu.Lock()
		st.again = false
		ping := st.ping
		st.ping = false
		st.mu.Unlock()
		if ping {
			if st.w.write([]byte(": ping\n\n")) != nil {
				st.close()
				return
			}
		}
		for {
			n, open := st.sub.Take(batch[:])
			for _, f := range batch[:n] {
				if f.Seq == 0 || f.Seq > st.last { // replayed frames are skipped; presence frames have no Seq
					if st.w.write(f.SSE) != nil {
						st.close()
						return
					}
					st.last = max(st.last, f.Seq)
				}
			}
			clear(batch[:n])
			if !open {
				_ = st.w.flush()
				st.close() // dropped or removed: the client reconnects and replays
				return
			}
			if n < len(batch) {
				break
			}
		}
		if st.w.flush() != nil {
			st.close()
			return
		}
		st.mu.Lock()
		if !st.again && !st.ping {
			st.busy = false
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
	}
}

// tick checks for a hang-up, sends a heartbeat when due (after checking
// the member may still listen) and sets the next check.
func (st *connStream) tick() {
	st.mu.Lock()
	closed := st.closed
	st.mu.Unlock()
	if closed {
		return
	}
	if st.gone() {
		st.close()
		return
	}
	now := time.Now()
	st.mu.Lock()
	due := !now.Before(st.nextBeat)
	if due {
		st.nextBeat = now.Add(st.heartbeat)
	}
	st.mu.Unlock()
	if due {
		if !st.allowed() {
			st.close()
			return
		}
		st.mu.Lock()
		st.ping = true
		st.kick()
		st.mu.Unlock()
	}
	st.mu.Lock()
	if !st.closed {
		st.timer.Reset(st.probe)
	}
	st.mu.Unlock()
}

// gone reports whether the client hung up. A byte it sent anyway is read
// and ignored. The deadline is a moment ahead, not now: with one already
// passed, Go fails the read before asking the socket, and a hang-up would
// never be seen.
func (st *connStream) gone() bool {
	_ = st.conn.SetReadDeadline(time.Now().Add(probeWait))
	var b [1]byte
	_, err := st.conn.Read(b[:])
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// close ends the stream once: the connection, the subscription (presence
// hears the client left) and the timer.
func (st *connStream) close() {
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return
	}
	st.closed = true
	st.timer.Stop()
	st.mu.Unlock()
	_ = st.conn.Close()
	st.sub.Close()
}

// probeWait is how long a hang-up probe's read may wait on a quiet
// client: the answer for a client that left is already in the socket.
const probeWait = time.Millisecond

// connWriter gathers a batch's frames and writes them with one writev.
// Its arrays are fixed: a stream allocates nothing per batch, so a room
// filling up, when every stream gets a burst of presence frames, leaves no
// garbage behind to swell the heap.
type connWriter struct {
	conn net.Conn
	n    int
	arr  [16][]byte
	bufs net.Buffers
}

func (w *connWriter) write(b []byte) error {
	if w.n == len(w.arr) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.arr[w.n] = b
	w.n++
	return nil
}

func (w *connWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	w.bufs = w.arr[:w.n] // WriteTo consumes bufs and nils what it wrote
	_, err := w.bufs.WriteTo(w.conn)
	clear(w.arr[:w.n])
	w.n, w.bufs = 0, nil
	return err
}
