package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/bench/internal/stats"
)

// FanoutSpec is one fan-out measurement: Clients streams on StreamURL,
// then Events events published one by one, Spacing apart, by Publish.
// It works the same against the bare broadcaster and against Tandem's
// /teams/{team}/events (Publish then makes a change through the API).
type FanoutSpec struct {
	Server     *Proc // the process whose memory is measured
	StreamURL  string
	Clients    int
	Events     int
	Spacing    time.Duration
	Type       string   // count only this SSE event type ("" = all)
	Headers    []string // sent by every client
	TokensFile string   // bearer tokens handed to clients in turn
	// Publish causes event k (0-based); the time just before the call is
	// taken as the event's send time.
	Publish func(ctx context.Context, k int) error
}

// Fanout is what one measurement found. Latencies run from just before
// Publish to a client parsing the event, over every (client, event) pair.
type Fanout struct {
	ConnectMS   float64 // until every client had its stream open
	P50, P99    float64 // ms
	LastMS      float64 // median over events of the slowest client's latency
	Delivered   float64 // fraction of (client, event) pairs received
	BytesPerCli float64 // mean bytes read per client
	KiBPerConn  float64 // (RSS with clients − RSS before) / clients
	Errors      int
}

// MeasureFanout runs one fan-out measurement.
func (e *Env) MeasureFanout(ctx context.Context, s FanoutSpec) (Fanout, error) {
	var f Fanout
	before, err := s.Server.RSS()
	if err != nil {
		return f, err
	}
	sw, err := e.StartSwarm(ctx, SwarmSpec{URL: s.StreamURL, Clients: s.Clients, Events: s.Events, Type: s.Type,
		Headers: s.Headers, TokensFile: s.TokensFile, Timeout: 30*time.Second + time.Duration(s.Events)*s.Spacing})
	if err != nil {
		return f, err
	}
	defer sw.Close()
	if sw.Ready.Connected != s.Clients {
		return f, fmt.Errorf("fan-out: %d of %d clients connected", sw.Ready.Connected, s.Clients)
	}
	f.ConnectMS = sw.Ready.ConnectMS
	sent := make([]int64, s.Events)
	for k := range s.Events {
		if k > 0 {
			select {
			case <-time.After(s.Spacing):
			case <-ctx.Done():
				return f, ctx.Err()
			}
		}
		sent[k] = time.Now().UnixNano()
		if err := s.Publish(ctx, k); err != nil {
			return f, fmt.Errorf("publish event %d: %w", k, err)
		}
	}
	res, err := sw.Result()
	if err != nil {
		return f, err
	}
	after, err := s.Server.RSS()
	if err != nil {
		return f, err
	}
	f.KiBPerConn = float64(after-before) / 1024 / float64(s.Clients)
	f.Errors = res.Errors

	var lat, last []float64
	got := 0
	for k, ev := range res.Events {
		slowest := 0.0
		for _, at := range ev.RecvNS {
			if at == 0 {
				continue
			}
			got++
			ms := float64(at-sent[k]) / 1e6
			lat = append(lat, ms)
			slowest = max(slowest, ms)
		}
		last = append(last, slowest)
	}
	f.Delivered = float64(got) / float64(s.Clients*s.Events)
	f.P50, f.P99 = stats.Percentile(lat, 50), stats.Percentile(lat, 99)
	f.LastMS = stats.Median(last)
	var bytes int64
	for _, b := range res.Bytes {
		bytes += b
	}
	f.BytesPerCli = float64(bytes) / float64(len(res.Bytes))
	return f, nil
}

// fanoutRows are the rows of one client count, filled run by run.
type fanoutRows struct {
	connect, p50, p99, last, bytes, kib, delivered *Row
}

func addFanoutRows(t *Table, label string) fanoutRows {
	return fanoutRows{
		connect:   t.Add(label+": all clients connected", "ms", nil),
		p50:       t.Add(label+": fan-out latency p50", "ms", nil),
		p99:       t.Add(label+": fan-out latency p99", "ms", nil),
		last:      t.Add(label+": slowest client per event (median)", "ms", nil),
		bytes:     t.Add(label+": bytes received per client", "B", nil),
		kib:       t.Add(label+": RSS per connection", "KiB", nil),
		delivered: t.Add(label+": events delivered", "%", &Goal{Value: 100}),
	}
}

func (r fanoutRows) record(f Fanout, baseline bool) {
	add := func(row *Row, v float64) {
		if baseline {
			row.Baseline = append(row.Baseline, v)
		} else {
			row.Subject = append(row.Subject, v)
		}
	}
	add(r.connect, f.ConnectMS)
	add(r.p50, f.P50)
	add(r.p99, f.P99)
	add(r.last, f.LastMS)
	add(r.bytes, f.BytesPerCli)
	add(r.kib, f.KiBPerConn)
	add(r.delivered, f.Delivered*100)
}
