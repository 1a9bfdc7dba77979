package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func apiScenario() Scenario {
	return Scenario{Name: "api", About: "JSON API throughput and latency vs a bare handler sending the same bytes", Run: runAPI}
}

func runAPI(ctx context.Context, e *Env) ([]*Table, error) {
	dir, err := e.Dir("api")
	if err != nil {
		return nil, err
	}
	accts, err := e.CreateUsers(ctx, dir, "api", 5)
	if err != nil {
		return nil, err
	}
	tandem, err := e.StartTandem(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer tandem.Stop()
	team, err := SeedTeam(ctx, tandem.URL, "Bench API", accts)
	if err != nil {
		return nil, err
	}
	owner := Client{Base: tandem.URL, Token: team.Owner().Token}
	authz := "Authorization: Bearer " + owner.Token

	t := &Table{Scenario: "api", Subject: "tandem", Baseline: "bare net/http",
		Title: fmt.Sprintf("closed loop, %d workers, %s per run after %s warm-up, runs: %d", e.Workers, e.Duration, e.Warmup, e.Runs),
		Notes: []string{"Bare: a net/http handler writing the same status, headers and body Tandem sent, captured once; " +
			"no database, no auth, no middleware. Ratio = tandem/bare of runs made back to back. " +
			"Tandem writes its request log to a file, as it would in production. " +
			"Server CPU per request is the server process's user+system time over the whole load run " +
			"(warm-up included) divided by its requests: steadier than req/s when other work shares the machine."}}
	endpoints := []struct{ name, label, path string }{
		{"me", "GET /me", "/api/v1/me"},
		{"members", "GET /teams/{team}/members (5)", "/api/v1/teams/" + team.ID + "/members"},
	}
	for _, ep := range endpoints {
		bare, err := e.StartStatic(ctx, dir, owner, ep.path)
		if err != nil {
			return nil, err
		}
		defer bare.Stop()
		rps := t.Add(ep.label+": throughput", "req/s", &Goal{OnRatio: true, Value: 0.5})
		p50 := t.Add(ep.label+": p50", "ms", nil)
		p99 := t.Add(ep.label+": p99", "ms", nil)
		cpu := t.Add(ep.label+": server CPU per request", "µs", nil)
		errs := t.Add(ep.label+": errors", "", &Goal{AtMost: true, Value: 0})
		record := func(who string, round int, r AttackRun, base bool) {
			e.Log.Printf("api %s round %d %s: %.0f req/s p50 %.2f ms p99 %.2f ms, CPU/request server %.0f µs load %.0f µs, errors %d %v",
				ep.label, round+1, who, r.RPS, r.P50, r.P99, r.ServerCPU, r.LoadCPU, r.Errors, r.ErrorSamples)
			add := func(row *Row, v float64) {
				if base {
					row.Baseline = append(row.Baseline, v)
				} else {
					row.Subject = append(row.Subject, v)
				}
			}
			add(rps, r.RPS)
			add(p50, r.P50)
			add(p99, r.P99)
			add(cpu, r.ServerCPU)
			add(errs, float64(r.Errors))
		}
		for round := range e.Runs {
			err := Rotate(round, func() error {
				spec := AttackSpec{Server: tandem, URL: tandem.URL + ep.path, Headers: []string{authz}}
				if round == 0 {
					spec.Profile = "api-" + ep.name
				}
				r, err := e.Attack(ctx, spec)
				if err == nil {
					record("tandem", round, r, false)
				}
				return err
			}, func() error {
				r, err := e.Attack(ctx, AttackSpec{Server: bare, URL: bare.URL + ep.path, Headers: []string{authz}})
				if err == nil {
					record("bare", round, r, true)
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

// StartStatic captures Tandem's answer to GET path and starts a bare
// server that sends exactly that status, headers and body to every
// request.
func (e *Env) StartStatic(ctx context.Context, dir string, c Client, path string) (*Proc, error) {
	spec, err := e.StaticSpec(ctx, dir, c, path)
	if err != nil {
		return nil, err
	}
	return e.Start(ctx, spec)
}

// StaticSpec captures Tandem's answer to GET path into files under dir and
// returns the spec of a bare server replaying it.
func (e *Env) StaticSpec(ctx context.Context, dir string, c Client, path string) (ServerSpec, error) {
	hdr, body, err := c.Raw(ctx, http.MethodGet, path, nil)
	if err != nil {
		return ServerSpec{}, err
	}
	name := fmt.Sprintf("bare-%d", len(body))
	bodyFile := filepath.Join(dir, name+".body")
	hdrFile := filepath.Join(dir, name+".headers")
	if err := os.WriteFile(bodyFile, body, 0o640); err != nil {
		return ServerSpec{}, err
	}
	if err := os.WriteFile(hdrFile, []byte(headerLines(hdr)), 0o640); err != nil {
		return ServerSpec{}, err
	}
	return ServerSpec{Name: name, Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
		return []string{"static", "-addr", addr, "-body", bodyFile, "-headers", hdrFile}
	}}, nil
}

// headerLines renders h as 'Name: value' lines, leaving out what net/http
// writes by itself.
func headerLines(h http.Header) string {
	var names []string
	for k := range h {
		if k != "Date" && k != "Content-Length" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}
