package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemhq/tandem/bench/internal/result"
	"github.com/tandemhq/tandem/bench/internal/sse"
)

// swarm opens -clients streams, prints a "ready" line once they are all
// open, records every client's receive time of the first -events events,
// prints a "done" line, and (with -hold) keeps the streams open until its
// standard input closes, so the orchestrator can measure the server with
// every client still connected.
func swarm(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("swarm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "event stream URL")
	clients := fs.Int("clients", 50, "concurrent streams")
	events := fs.Int("events", 10, "events each client waits for")
	typ := fs.String("type", "", "count only events of this SSE type (default: every event)")
	var headers headerFlags
	fs.Var(&headers, "header", "request header 'Name: value' (repeatable)")
	tokensFile := fs.String("tokens", "", "file of bearer tokens, one a line, handed to clients in turn")
	connectTimeout := fs.Duration("connect-timeout", 30*time.Second, "time for every client to connect")
	timeout := fs.Duration("timeout", 30*time.Second, "time, once ready, for every client to get every event")
	hold := fs.Bool("hold", false, "after the done line, keep streams open until stdin closes")
	settle := fs.Duration("settle", 0, "once connected, wait until no client has read a byte for this long before the ready line, which then reports the bytes read so far (0: no wait)")
	bytesAt := fs.Bool("bytes-at", false, "report each client's byte count at each counted event")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *clients < 1 || *events < 0 {
		return errors.New("swarm: -url, -clients ≥ 1 and -events ≥ 0 are required")
	}
	var tokens []string
	if *tokensFile != "" {
		b, err := os.ReadFile(*tokensFile)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				tokens = append(tokens, l)
			}
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := newSwarmState(*clients, *events)
	s.bytesAt = *bytesAt
	if s.bytesAt {
		for k := range s.events {
			s.events[k].BytesAt = make([]int64, *clients)
		}
	}
	tr := &http.Transport{
		MaxIdleConnsPerHost:   *clients,
		DisableCompression:    true,
		ResponseHeaderTimeout: *connectTimeout,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	start := time.Now()
	for i := range *clients {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "text/event-stream")
		headers.apply(req.Header.Set)
		if len(tokens) > 0 {
			req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
		}
		go s.client(client, req, i, *typ)
	}

	enc := json.NewEncoder(stdout)
	connected := s.waitConnected(*connectTimeout)
	connectMS := float64(s.lastConnect.Load()-start.UnixNano()) / 1e6
	if connected == 0 {
		connectMS = 0
	}
	ready := result.SwarmReady{Phase: "ready", Clients: *clients, Connected: connected, ConnectMS: connectMS}
	if *settle > 0 {
		ready.SettledBytes, ready.SettleMS = s.waitSettled(ctx, *settle, *connectTimeout)
	}
	if err := enc.Encode(ready); err != nil {
		return err
	}
	s.waitComplete(ctx, *timeout)
	if err := enc.Encode(s.result(connected, connectMS)); err != nil {
		return err
	}
	if *hold {
		_, _ = io.Copy(io.Discard, bufio.NewReader(stdin))
	}
	return nil
}

type swarmState struct {
	clients, want int
	events        []result.Event
	bytes         []atomic.Int64
	total         []atomic.Int64 // bytes read, whatever the events
	bytesAt       bool
	lastConnect   atomic.Int64

	connected chan struct{} // one value per client, connected or failed
	okConns   atomic.Int64
	finished  chan struct{} // one value per connected client: all events, or a broken stream
	nComplete atomic.Int64

	mu      sync.Mutex
	errs    int
	samples []string
}

func newSwarmState(clients, want int) *swarmState {
	s := &swarmState{clients: clients, want: want, events: make([]result.Event, want),
		bytes: make([]atomic.Int64, clients), total: make([]atomic.Int64, clients), connected: make(chan struct{}, clients),
		finished: make(chan struct{}, clients)}
	for k := range s.events {
		s.events[k].RecvNS = make([]int64, clients)
	}
	return s
}

func (s *swarmState) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs++
	if len(s.samples) < 5 {
		s.samples = append(s.samples, err.Error())
	}
}

func (s *swarmState) client(c *http.Client, req *http.Request, i int, typ string) {
	resp, err := c.Do(req)
	if err != nil {
		s.fail(err)
		s.connected <- struct{}{}
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.fail(fmt.Errorf("status %s", resp.Status))
		s.connected <- struct{}{}
		return
	}
	now := time.Now().UnixNano()
	for {
		last := s.lastConnect.Load()
		if now <= last || s.lastConnect.CompareAndSwap(last, now) {
			break
		}
	}
	s.okConns.Add(1)
	s.connected <- struct{}{}
	if s.want == 0 {
		s.nComplete.Add(1)
		s.finished <- struct{}{}
	}
	rd := sse.NewReader(resp.Body)
	got := 0
	for {
		ev, err := rd.Next()
		at := time.Now().UnixNano()
		s.total[i].Store(rd.Bytes())
		if err != nil {
			if got < s.want && req.Context().Err() == nil {
				s.fail(fmt.Errorf("stream ended after %d of %d events: %w", got, s.want, err))
				s.finished <- struct{}{}
			}
			return
		}
		if got >= s.want || (typ != "" && ev.Type != typ) {
			continue
		}
		e := &s.events[got]
		atomic.StoreInt64(&e.RecvNS[i], at)
		if s.bytesAt {
			atomic.StoreInt64(&e.BytesAt[i], rd.Bytes())
		}
		s.mu.Lock()
		if e.ID == "" {
			e.ID, e.Type = ev.ID, ev.Type
		}
		s.mu.Unlock()
		got++
		s.bytes[i].Store(rd.Bytes())
		if got == s.want {
			s.nComplete.Add(1)
			s.finished <- struct{}{}
		}
	}
}

func (s *swarmState) waitConnected(timeout time.Duration) int {
	deadline := time.After(timeout)
	for range s.clients {
		select {
		case <-s.connected:
		case <-deadline:
			return int(s.okConns.Load())
		}
	}
	return int(s.okConns.Load())
}

// waitSettled waits until no client has read anything for quiet (or
// until limit) and returns the bytes every client has read and the time
// that took.
func (s *swarmState) waitSettled(ctx context.Context, quiet, limit time.Duration) (int64, float64) {
	start := time.Now()
	sum := func() int64 {
		var n int64
		for i := range s.total {
			n += s.total[i].Load()
		}
		return n
	}
	last, since := sum(), time.Now()
	for time.Since(start) < limit && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
		if n := sum(); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= quiet {
			break
		}
	}
	return last, float64(since.Sub(start)) / 1e6
}

func (s *swarmState) waitComplete(ctx context.Context, timeout time.Duration) {
	deadline := time.After(timeout)
	for range s.okConns.Load() {
		select {
		case <-s.finished:
		case <-deadline:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (s *swarmState) result(connected int, connectMS float64) result.Swarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := result.Swarm{Phase: "done", Clients: s.clients, Connected: connected, ConnectMS: connectMS,
		Complete: int(s.nComplete.Load()), Errors: s.errs, ErrorSamples: s.samples, Bytes: make([]int64, s.clients)}
	for i := range s.bytes {
		r.Bytes[i] = s.bytes[i].Load()
	}
	// Copy the receive times: clients may still be writing late arrivals.
	r.Events = make([]result.Event, len(s.events))
	for k, e := range s.events {
		r.Events[k] = result.Event{ID: e.ID, Type: e.Type, RecvNS: make([]int64, len(e.RecvNS))}
		for i := range e.RecvNS {
			r.Events[k].RecvNS[i] = atomic.LoadInt64(&s.events[k].RecvNS[i])
		}
		if s.bytesAt {
			r.Events[k].BytesAt = make([]int64, len(e.BytesAt))
			for i := range e.BytesAt {
				r.Events[k].BytesAt[i] = atomic.LoadInt64(&s.events[k].BytesAt[i])
			}
		}
	}
	return r
}
