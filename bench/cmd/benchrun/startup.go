package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func startupScenario() Scenario {
	return Scenario{Name: "startup", About: "time from process start to the first 200 from /healthz", Run: runStartup}
}

func runStartup(ctx context.Context, e *Env) ([]*Table, error) {
	dir, err := e.Dir("startup")
	if err != nil {
		return nil, err
	}
	// The existing database: migrated and holding an account.
	if _, err := e.CreateUsers(ctx, dir, "startup", 1); err != nil {
		return nil, err
	}
	body := filepath.Join(dir, "ok.body")
	if err := os.WriteFile(body, []byte("ok\n"), 0o640); err != nil {
		return nil, err
	}
	bareSpec := ServerSpec{Name: "bare", Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
		return []string{"static", "-addr", addr, "-body", body}
	}}

	t := &Table{Scenario: "startup", Subject: "tandem", Baseline: "bare net/http",
		Title: fmt.Sprintf("process start → first 200 from GET /healthz, polled every 2 ms, runs: %d", e.Runs),
		Notes: []string{"Existing: a database already migrated (by `tandem user create`). Fresh: an empty data directory, " +
			"so the time includes creating the file and running every migration. Bare: the static handler binary. " +
			"Each binary is started once, unmeasured, before the runs so that it is in the page cache."}}
	existing := t.Add("existing database", "ms", &Goal{AtMost: true, Value: 300})
	fresh := t.Add("fresh database", "ms", &Goal{AtMost: true, Value: 300})

	measure := func(spec ServerSpec) (float64, error) {
		p, err := e.Spawn(spec)
		if err != nil {
			return 0, err
		}
		defer p.Stop()
		d, err := p.WaitHealthy(ctx, 30*time.Second)
		return float64(d) / float64(time.Millisecond), err
	}
	freshSpec := func() (ServerSpec, error) {
		d, err := e.Dir("startup-fresh")
		return e.TandemSpec(d), err
	}
	// Warm the page cache with one unmeasured start of each binary.
	if _, err := measure(bareSpec); err != nil {
		return nil, err
	}
	if _, err := measure(e.TandemSpec(dir)); err != nil {
		return nil, err
	}
	for round := range e.Runs {
		var bare float64
		err := Rotate(round, func() error {
			ms, err := measure(e.TandemSpec(dir))
			existing.Subject = append(existing.Subject, ms)
			return err
		}, func() error {
			spec, err := freshSpec()
			if err != nil {
				return err
			}
			ms, err := measure(spec)
			fresh.Subject = append(fresh.Subject, ms)
			return err
		}, func() error {
			var err error
			bare, err = measure(bareSpec)
			return err
		})
		if err != nil {
			return nil, err
		}
		existing.Baseline = append(existing.Baseline, bare)
		fresh.Baseline = append(fresh.Baseline, bare)
		e.Log.Printf("startup round %d: existing %.1f ms, fresh %.1f ms, bare %.1f ms",
			round+1, existing.Subject[round], fresh.Subject[round], bare)
	}
	return []*Table{t}, nil
}
