package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

func sqliteBareScenario() Scenario {
	return Scenario{Name: "sqlite-bare", About: "bare SQLite inserts: group commit vs one commit per insert (synchronous=FULL)",
		Run: runSQLiteBare}
}

// The floors the backlog scenario will compare Tandem's item creation with.
func runSQLiteBare(ctx context.Context, e *Env) ([]*Table, error) {
	const dur, warm = 3 * time.Second, 500 * time.Millisecond
	t := &Table{Scenario: "sqlite-bare", Subject: "group commit", Baseline: "commit per insert",
		Title: fmt.Sprintf("POST /items to the bare SQLite handler (WAL, synchronous=FULL), closed loop, %s per run, runs: %d", dur, e.Runs),
		Notes: []string{"Proves the two bare insert handlers the backlog scenario will use as its floors: " +
			"one transaction (one fsync) per insert, and inserts queued to one writer that commits them together. " +
			"Each run uses a new database file."}}
	for _, clients := range []int{1, 16} {
		label := fmt.Sprintf("%d client", clients)
		if clients > 1 {
			label += "s"
		}
		rps := t.Add(label+": inserts", "req/s", nil)
		p99 := t.Add(label+": p99", "ms", nil)
		errs := t.Add(label+": errors", "", &Goal{AtMost: true, Value: 0})
		run := func(mode string) (AttackRun, error) {
			dir, err := e.Dir("sqlite-" + mode)
			if err != nil {
				return AttackRun{}, err
			}
			db := filepath.Join(dir, "bare.db")
			p, err := e.Start(ctx, ServerSpec{Name: "bare-sqlite", Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
				return []string{"sqlite", "-addr", addr, "-db", db, "-mode", mode}
			}})
			if err != nil {
				return AttackRun{}, err
			}
			defer p.Stop()
			return e.Attack(ctx, AttackSpec{URL: p.URL + "/items", Method: "POST", Body: `{"title":"A bench item"}`,
				Headers: []string{"Content-Type: application/json"}, Workers: clients, Duration: dur, Warmup: warm})
		}
		for round := range e.Runs {
			err := Rotate(round, func() error {
				r, err := run("group")
				if err == nil {
					rps.Subject, p99.Subject = append(rps.Subject, r.RPS), append(p99.Subject, r.P99)
					errs.Subject = append(errs.Subject, float64(r.Errors))
					e.Log.Printf("sqlite-bare %s round %d group: %.0f/s p99 %.2f ms errors %d", label, round+1, r.RPS, r.P99, r.Errors)
				}
				return err
			}, func() error {
				r, err := run("commit")
				if err == nil {
					rps.Baseline, p99.Baseline = append(rps.Baseline, r.RPS), append(p99.Baseline, r.P99)
					errs.Baseline = append(errs.Baseline, float64(r.Errors))
					e.Log.Printf("sqlite-bare %s round %d commit: %.0f/s p99 %.2f ms errors %d", label, round+1, r.RPS, r.P99, r.Errors)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return []*Table{t}, nil
}
