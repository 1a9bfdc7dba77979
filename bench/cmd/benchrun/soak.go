package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// soakClients is how many live clients join and leave the estimation room.
const soakClients = 100

func soakScenario() Scenario {
	return Scenario{Name: "soak", About: "RELIABILITY 2.14: constant mixed load and live clients joining and leaving for -soak (2m); " +
		"heap slope, goroutines, fds and the WAL", Run: runSoak, OnlyByName: true}
}

// soakSample is one look at the server.
type soakSample struct {
	At         time.Duration // since the load started
	LiveMiB    float64       // the heap that survived the last GC
	HeapMiB    float64       // heap in use (with garbage not yet collected)
	RSSMiB     float64
	Goroutines float64
	FDs        int
	WALMiB     float64
}

func runSoak(ctx context.Context, e *Env) ([]*Table, error) {
	dir, err := e.Dir("soak")
	if err != nil {
		return nil, err
	}
	seed, err := e.seedEstimation(ctx, dir, soakClients)
	if err != nil {
		return nil, err
	}
	p, err := e.StartTandem(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	wal := filepath.Join(dir, "data", "tandem.db-wal")
	sample := func(start time.Time) (soakSample, error) {
		s := soakSample{At: time.Since(start)}
		m, err := p.Mem()
		if err != nil {
			return s, err
		}
		s.RSSMiB = float64(m.RSS) / (1 << 20)
		heap, err := promValue(ctx, p.URL+"/metrics", "go_memstats_heap_inuse_bytes")
		if err != nil {
			return s, err
		}
		s.HeapMiB = heap / (1 << 20)
		live, err := promValue(ctx, p.URL+"/metrics", "go_gc_heap_live_bytes")
		if err != nil {
			return s, err
		}
		s.LiveMiB = live / (1 << 20)
		if s.Goroutines, err = promValue(ctx, p.URL+"/metrics", "go_goroutines"); err != nil {
			return s, err
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.PID()))
		if err != nil {
			return s, err
		}
		s.FDs = len(fds)
		if fi, err := os.Stat(wal); err == nil {
			s.WALMiB = float64(fi.Size()) / (1 << 20)
		}
		return s, nil
	}

	// Warm up, so the baseline has the read pool's connections (and
	// their files) open, as they stay once used.
	dev := Client{Base: p.URL, Token: seed.Voters[0].Token}
	var warm sync.WaitGroup
	var warmErr atomic.Value
	for range 16 {
		warm.Go(func() {
			for range 20 {
				if err := dev.Do(ctx, "GET", "/api/v1/teams/"+seed.TeamID+"/items?limit=100", nil, nil); err != nil {
					warmErr.Store(err)
				}
			}
		})
	}
	warm.Wait()
	if err, ok := warmErr.Load().(error); ok {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	before, err := sample(time.Now())
	if err != nil {
		return nil, err
	}

	e.Log.Printf("soak: %s of 35 reads/s, 12 creates/s, 1 vote/s and %d live clients joining and leaving", e.Soak, soakClients)
	start := time.Now()
	runCtx, cancel := context.WithDeadline(ctx, start.Add(e.Soak))
	defer cancel()
	auth := "Authorization: Bearer " + seed.Voters[0].Token
	var wg sync.WaitGroup
	var reads, creates AttackRun
	var readErr, createErr error
	wg.Go(func() {
		reads, readErr = e.Attack(ctx, AttackSpec{URL: p.URL + "/api/v1/teams/" + seed.TeamID + "/items?limit=100",
			Headers: []string{auth}, Rate: 35, Workers: 16, Duration: e.Soak - time.Second, Warmup: time.Second})
	})
	wg.Go(func() {
		creates, createErr = e.Attack(ctx, AttackSpec{URL: p.URL + "/api/v1/teams/" + seed.TeamID + "/items", Method: "POST",
			Body: `{"title":"An item written during the soak"}`, Headers: []string{auth, "Content-Type: application/json"},
			Rate: 12, Workers: 16, Duration: e.Soak - time.Second, Warmup: time.Second})
	})
	var streamErrs, voteErrs, joins atomic.Int64
	for i := range soakClients {
		wg.Go(func() {
			for runCtx.Err() == nil {
				joins.Add(1)
				if err := soakStream(runCtx, p.URL, seed, seed.Voters[i].Token); err != nil {
					streamErrs.Add(1)
					e.Log.Printf("soak: stream: %v", err)
					time.Sleep(time.Second)
				}
			}
		})
	}
	wg.Go(func() {
		cards := []string{"1", "2", "3", "5", "8"}
		for k := 0; ; k++ {
			select {
			case <-runCtx.Done():
				return
			case <-time.After(time.Second):
			}
			c := Client{Base: p.URL, Token: seed.Voters[k%soakClients].Token}
			err := c.Do(runCtx, "POST", "/api/v1/estimations/"+seed.SessionID+"/votes",
				map[string]string{"item_id": seed.ItemIDs[0], "value": cards[k%len(cards)]}, nil)
			if err != nil && runCtx.Err() == nil {
				voteErrs.Add(1)
				e.Log.Printf("soak: vote: %v", err)
			}
		}
	})
	var samples []soakSample
	var sampleErr error
	wg.Go(func() {
		for {
			select {
			case <-runCtx.Done():
				return
			case <-time.After(10 * time.Second):
			}
			s, err := sample(start)
			if err != nil {
				sampleErr = err
				return
			}
			samples = append(samples, s)
			e.Log.Printf("soak: %3.0fs live heap %.2f MiB, in use %.1f MiB, RSS %.1f MiB, %v goroutines, %d fds, WAL %.2f MiB",
				s.At.Seconds(), s.LiveMiB, s.HeapMiB, s.RSSMiB, s.Goroutines, s.FDs, s.WALMiB)
		}
	})
	wg.Wait()
	if err := errors.Join(readErr, createErr, sampleErr); err != nil {
		return nil, err
	}
	time.Sleep(3 * time.Second) // the clients have left; let the server notice
	after, err := sample(start)
	if err != nil {
		return nil, err
	}
	if len(samples) < 3 {
		return nil, fmt.Errorf("soak: only %d samples; run it for at least 40 s", len(samples))
	}

	t := &Table{Scenario: "soak", Subject: "tandem", Baseline: "before the load",
		Title: fmt.Sprintf("%s of 35 item-list reads/s, 12 creates/s and 1 vote/s, while %d live clients each join the "+
			"estimation room, stay 5–30 s, leave and join again (%d joins); sampled every 10 s", e.Soak, soakClients, joins.Load()),
		Notes: []string{"One run, whatever -runs says. The slope is the least-squares slope of the live heap " +
			"(go_gc_heap_live_bytes: what survived the last GC, without heap in use's sawtooth) over " +
			"the last two-thirds of the samples, in MiB per 10 minutes; a 2-minute run only catches a fast leak. Goroutines and fds are read 3 s after every client " +
			"left, against the same reading before the load (the 'baseline' column)."}}
	row := func(metric, unit string, goal *Goal, v float64, base ...float64) {
		r := t.Add(metric, unit, goal)
		r.Subject = []float64{v}
		r.Baseline = base
	}
	row("live heap: slope over the last two-thirds", "MiB per 10 min", &Goal{AtMost: true, Value: 1}, heapSlope(samples))
	row("live heap at the end", "MiB", nil, samples[len(samples)-1].LiveMiB, before.LiveMiB)
	row("heap in use at the end", "MiB", nil, samples[len(samples)-1].HeapMiB, before.HeapMiB)
	row("RSS at the end", "MiB", nil, samples[len(samples)-1].RSSMiB, before.RSSMiB)
	row("goroutines after every client left, more than before", "count", &Goal{AtMost: true, Value: 5},
		after.Goroutines-before.Goroutines)
	row("open fds after every client left, more than before", "count", &Goal{AtMost: true, Value: 5},
		float64(after.FDs-before.FDs))
	maxWAL := 0.0
	for _, s := range samples {
		maxWAL = max(maxWAL, s.WALMiB)
	}
	row("largest -wal file", "MiB", &Goal{AtMost: true, Value: 64}, maxWAL)
	row("errors: reads, creates, votes, streams", "count", &Goal{AtMost: true, Value: 0},
		float64(reads.Errors+creates.Errors)+float64(voteErrs.Load()+streamErrs.Load()))
	row("item list read p99", "ms", nil, reads.P99)
	row("create p99", "ms", nil, creates.P99)
	return []*Table{t}, nil
}

// soakStream joins the estimation room as one client, stays 5–30 s (or
// until ctx ends) reading what it is sent, and leaves.
func soakStream(ctx context.Context, base string, seed estSeed, token string) error {
	stay, cancel := context.WithTimeout(ctx, time.Duration(5+rand.IntN(26))*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(stay, "GET", base+"/api/v1/teams/"+seed.TeamID+"/events?presence="+seed.SessionID, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		if stay.Err() != nil {
			return nil
		}
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("events: %s", res.Status)
	}
	_, err = io.Copy(io.Discard, res.Body)
	if stay.Err() != nil {
		return nil // it left, as planned
	}
	return fmt.Errorf("the stream ended early: %v", err)
}

// heapSlope is the least-squares slope of the live heap over the last
// two-thirds of samples, in MiB per 10 minutes.
func heapSlope(samples []soakSample) float64 {
	s := samples[len(samples)/3:]
	var n, sx, sy, sxx, sxy float64
	for _, v := range s {
		x := v.At.Minutes() / 10
		n++
		sx += x
		sy += v.LiveMiB
		sxx += x * x
		sxy += x * v.LiveMiB
	}
	if d := n*sxx - sx*sx; d != 0 {
		return (n*sxy - sx*sy) / d
	}
	return 0
}
