package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// sseHandler is the floor for Tandem's live events: one handler, one
// buffered channel per client, and POST /publish?event=TYPE broadcasting
// its body to every client as "id: N\nevent: TYPE\ndata: BODY\n\n", the
// frame shape Tandem writes. A client whose buffer is full is dropped, as
// Tandem's hub does. GET /clients tells how many are connected.
func sseHandler(fs *flag.FlagSet, args []string) (http.Handler, error) {
	buffer := fs.Int("buffer", 256, "frames queued per client before it is dropped")
	heartbeat := fs.Duration("heartbeat", 15*time.Second, "keep-alive comment interval (0: none)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	b := &broadcaster{buffer: *buffer, heartbeat: *heartbeat, clients: map[chan []byte]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", b.events)
	mux.HandleFunc("POST /publish", b.publish)
	mux.HandleFunc("GET /clients", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		n := len(b.clients)
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, "{\"clients\":%d}\n", n)
	})
	return mux, nil
}

type broadcaster struct {
	buffer    int
	heartbeat time.Duration

	mu      sync.Mutex
	seq     int64
	clients map[chan []byte]struct{}
	dropped int64
}

func (b *broadcaster) events(w http.ResponseWriter, r *http.Request) {
	ch := make(chan []byte, b.buffer)
	b.mu.Lock()
	b.clients[ch] = struct{}{}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.clients, ch) // a no-op when publish dropped it already
		b.mu.Unlock()
	}()

	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	var beat <-chan time.Time
	if b.heartbeat > 0 {
		t := time.NewTicker(b.heartbeat)
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case f, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(f); err != nil {
				return
			}
			// Write whatever else is queued before one flush.
			for drained := false; !drained; {
				select {
				case f, ok := <-ch:
					if !ok {
						_ = rc.Flush()
						return
					}
					if _, err := w.Write(f); err != nil {
						return
					}
				default:
					drained = true
				}
			}
			if err := rc.Flush(); err != nil {
				return
			}
		case <-beat:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

func (b *broadcaster) publish(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	typ := r.URL.Query().Get("event")
	b.mu.Lock()
	b.seq++
	seq := b.seq
	f := frame(seq, typ, body)
	sent := 0
	for ch := range b.clients {
		select {
		case ch <- f:
			sent++
		default:
			// Too slow: drop it; a real client would reconnect and replay.
			delete(b.clients, ch)
			close(ch)
			b.dropped++
		}
	}
	b.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, "{\"id\":%d,\"clients\":%d}\n", seq, sent)
}

// frame encodes one event; each line of data becomes a data: field.
func frame(seq int64, typ string, data []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString("id: ")
	buf.WriteString(strconv.FormatInt(seq, 10))
	buf.WriteByte('\n')
	if typ != "" {
		buf.WriteString("event: ")
		buf.WriteString(typ)
		buf.WriteByte('\n')
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		buf.WriteString("data: ")
		buf.Write(line)
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
