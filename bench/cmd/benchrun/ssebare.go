package main

import (
	"context"
	"fmt"
	"time"
)

func sseBareScenario() Scenario {
	return Scenario{Name: "sse-bare", About: "the SSE swarm against the bare broadcaster, N=50/200/500", Run: runSSEBare}
}

// sseEventBody stands in for a Tandem live event of a typical size.
const sseEventBody = `{"id":"%d","type":"vote.cast","team_id":"t_0123456789abcdefghij","subject":"est_0123456789abcdefghij",` +
	`"actor_id":"u_0123456789abcdefghij","at":"2026-01-01T00:00:00Z","data":{"item_id":"it_0123456789abcdefghij","voted":true,"votes":%d}}`

func runSSEBare(ctx context.Context, e *Env) ([]*Table, error) {
	dir, err := e.Dir("sse-bare")
	if err != nil {
		return nil, err
	}
	const events, spacing = 20, 50 * time.Millisecond
	t := &Table{Scenario: "sse-bare", Subject: "bare SSE broadcaster",
		Title: fmt.Sprintf("%d events %s apart to N streams, runs: %d", events, spacing, e.Runs),
		Notes: []string{"Proves the swarm: the load process opens N streams, the orchestrator POSTs each event to " +
			"/publish and takes the time just before as its send time; every client records when it parsed the event. " +
			"RSS per connection = (broadcaster RSS with N clients after the events − RSS before they connected) / N. " +
			"The estimation scenario will put Tandem in the first column and this broadcaster in the baseline."}}
	spec := ServerSpec{Name: "bare-sse", Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
		return []string{"sse", "-addr", addr}
	}}
	for _, n := range []int{50, 200, 500} {
		rows := addFanoutRows(t, fmt.Sprintf("N=%d", n))
		for round := range e.Runs {
			p, err := e.Start(ctx, spec)
			if err != nil {
				return nil, err
			}
			pub := Client{Base: p.URL}
			f, err := e.MeasureFanout(ctx, FanoutSpec{Server: p, StreamURL: p.URL + "/events", Clients: n,
				Events: events, Spacing: spacing, Type: "vote.cast",
				Publish: func(ctx context.Context, k int) error {
					_, _, err := pub.RawBody(ctx, "POST", "/publish?event=vote.cast", []byte(fmt.Sprintf(sseEventBody, k, k)))
					return err
				}})
			p.Stop()
			if err != nil {
				return nil, err
			}
			rows.record(f, false)
			e.Log.Printf("sse-bare N=%d round %d: connect %.0f ms, p50 %.2f ms, p99 %.2f ms, slowest %.2f ms, %.0f B/client, %.1f KiB/conn, delivered %.1f%%",
				n, round+1, f.ConnectMS, f.P50, f.P99, f.LastMS, f.BytesPerCli, f.KiBPerConn, f.Delivered*100)
		}
	}
	return []*Table{t}, nil
}
