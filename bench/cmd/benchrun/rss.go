package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func rssScenario() Scenario {
	return Scenario{Name: "rss", About: "idle resident memory after start-up and a handful of requests", Run: runRSS}
}

const settle = 2 * time.Second

func runRSS(ctx context.Context, e *Env) ([]*Table, error) {
	dir, err := e.Dir("rss")
	if err != nil {
		return nil, err
	}
	// Seed once: an account, its session and a team, so the measured
	// processes serve authenticated reads without hashing a password.
	accts, err := e.CreateUsers(ctx, dir, "rss", 1)
	if err != nil {
		return nil, err
	}
	seed, err := e.StartTandem(ctx, dir)
	if err != nil {
		return nil, err
	}
	team, err := SeedTeam(ctx, seed.URL, "Bench RSS", accts)
	if err != nil {
		seed.Stop()
		return nil, err
	}
	owner := Client{Base: seed.URL, Token: team.Owner().Token}
	bareSpec, err := e.StaticSpec(ctx, dir, owner, "/api/v1/me")
	seed.Stop()
	if err != nil {
		return nil, err
	}

	t := &Table{Scenario: "rss", Subject: "tandem", Baseline: "bare net/http",
		Title: fmt.Sprintf("VmRSS %s after start-up and %d requests, runs: %d", settle, len(handfulPaths(team.ID)), e.Runs),
		Notes: []string{"Each run starts a new process on the seeded database, sends the same handful of authenticated GETs " +
			"(/healthz, /readyz, /me, /teams, /teams/{team}, /teams/{team}/members), waits " + settle.String() +
			" and reads VmRSS from /proc/PID/status. Bare: the static handler of the api scenario, same requests. " +
			"'After a sign-in' is the same Tandem process after one POST /login (argon2id, 19 MiB) and another " + settle.String() + "."}}
	idle := t.Add("idle RSS", "MiB", &Goal{AtMost: true, Value: 30})
	anon := t.Add("… of which anonymous (heap, stacks, SQLite caches)", "MiB", nil)
	file := t.Add("… of which file-backed (the executable's pages)", "MiB", nil)
	heap := t.Add("Go heap in use (tandem /metrics)", "MiB", nil)
	signedIn := t.Add("RSS after a sign-in", "MiB", nil)
	binSize := t.Add("binary size", "MiB", nil)
	tfi, err := os.Stat(e.Tandem())
	if err != nil {
		return nil, err
	}
	bfi, err := os.Stat(e.Bare())
	if err != nil {
		return nil, err
	}
	binSize.Subject, binSize.Baseline = append(binSize.Subject, mib(tfi.Size())), append(binSize.Baseline, mib(bfi.Size()))

	for round := range e.Runs {
		err := Rotate(round, func() error {
			p, err := e.StartTandem(ctx, dir)
			if err != nil {
				return err
			}
			defer p.Stop()
			c := Client{Base: p.URL, Token: owner.Token}
			if err := handful(ctx, c, team.ID); err != nil {
				return err
			}
			m, err := settledRSS(ctx, p)
			if err != nil {
				return err
			}
			r := m.RSS
			idle.Subject = append(idle.Subject, mib(m.RSS))
			anon.Subject = append(anon.Subject, mib(m.Anon))
			file.Subject = append(file.Subject, mib(m.File))
			h, err := promValue(ctx, p.URL+"/metrics", "go_memstats_heap_inuse_bytes")
			if err != nil {
				return err
			}
			heap.Subject = append(heap.Subject, mib(int64(h)))
			if err := SignIn(ctx, p.URL, []Account{team.Owner()}); err != nil {
				return err
			}
			m2, err := settledRSS(ctx, p)
			if err != nil {
				return err
			}
			r2 := m2.RSS
			signedIn.Subject = append(signedIn.Subject, mib(r2))
			e.Log.Printf("rss round %d tandem: idle %.1f MiB (heap %.1f MiB), after sign-in %.1f MiB", round+1, mib(r), mib(int64(h)), mib(r2))
			return nil
		}, func() error {
			p, err := e.Start(ctx, bareSpec)
			if err != nil {
				return err
			}
			defer p.Stop()
			if err := handful(ctx, Client{Base: p.URL, Token: owner.Token}, team.ID); err != nil {
				return err
			}
			m, err := settledRSS(ctx, p)
			if err != nil {
				return err
			}
			idle.Baseline = append(idle.Baseline, mib(m.RSS))
			anon.Baseline = append(anon.Baseline, mib(m.Anon))
			file.Baseline = append(file.Baseline, mib(m.File))
			e.Log.Printf("rss round %d bare: idle %.1f MiB", round+1, mib(m.RSS))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return []*Table{t}, nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func handfulPaths(team string) []string {
	return []string{"/healthz", "/readyz", "/api/v1/me", "/api/v1/me", "/api/v1/me", "/api/v1/teams",
		"/api/v1/teams/" + team, "/api/v1/teams/" + team + "/members", "/api/v1/teams/" + team + "/members", "/api/v1/me"}
}

// handful sends the few requests of a just-started, lightly used server.
func handful(ctx context.Context, c Client, team string) error {
	for _, p := range handfulPaths(team) {
		if _, _, err := c.Raw(ctx, http.MethodGet, p, nil); err != nil {
			return err
		}
	}
	return nil
}

func settledRSS(ctx context.Context, p *Proc) (Mem, error) {
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return Mem{}, ctx.Err()
	}
	return p.Mem()
}

// promValue reads one unlabelled sample from a Prometheus text endpoint.
func promValue(ctx context.Context, url, name string) (float64, error) {
	_, body, err := Client{}.RawBody(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("%s: no sample %s", url, name)
}
