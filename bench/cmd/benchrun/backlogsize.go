package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The backlog at size: what the backlog scenario measures on an empty team,
// measured as it grows to 10,000 items and once it is there.
func backlogSizeScenario() Scenario {
	return Scenario{Name: "backlog-size", About: "create p99 as a backlog grows to 10,000; pages, page render, moves and a 10,000-row import at 10,000; WAL after 50,000 creates",
		Run: runBacklogSize}
}

const sizeTarget = 10000

// benchItem is the create body; the bare server stores a JSON item of the
// size Tandem answers with, so both page reads encode as many bytes.
const benchItem = `{"type":"story","title":"A bench item","labels":["bench"],"acceptance_criteria":[{"text":"works"}]}`

func runBacklogSize(ctx context.Context, e *Env) ([]*Table, error) {
	grow := &Table{Scenario: "backlog-size", Subject: "tandem", Baseline: "first 1,000",
		Title: "POST /api/v1/teams/{team}/items, 16 clients, closed loop, from 0 to 10,000 items: the p99 of the last leg (≈9,000–10,000) against the first (0–≈1,000)"}
	read := &Table{Scenario: "backlog-size", Subject: "tandem", Baseline: "bare page read",
		Title: "Reads of a 10,000-item backlog, 1 client, vs the bare handler reading and encoding as many rows of the same JSON size (one SQL statement, no auth)"}
	ops := &Table{Scenario: "backlog-size", Subject: "tandem",
		Title: "At 10,000 items: page render, moves, a 10,000-row CSV import, and the WAL"}
	growFirst, growLast := grow.Add("create p99", "ms", &Goal{OnRatio: true, AtMost: true, Value: 1.5}), grow.Add("create p50", "ms", nil)
	growRPS := grow.Add("creates per second", "req/s", nil)
	growErr := grow.Add("create errors (whole growth)", "", &Goal{AtMost: true, Value: 0})
	p100, p100tail := read.Add("first page (100) p50", "ms", &Goal{OnRatio: true, AtMost: true, Value: 1.5}), read.Add("first page (100) p99", "ms", nil)
	p1000, p1000tail := read.Add("1,000-item page p50", "ms", &Goal{OnRatio: true, AtMost: true, Value: 1.5}), read.Add("1,000-item page p99", "ms", nil)
	render := ops.Add("backlog page render p50 (HTML, first 100 rows)", "ms", nil)
	moveP50, moveP99 := ops.Add("move p50 (200 sequential moves to random places)", "ms", nil), ops.Add("move p99", "ms", nil)
	imp := ops.Add("import 10,000 CSV rows", "s", &Goal{AtMost: true, Value: 10})
	wal := ops.Add("SQLite -wal file after 50,000 creates", "MiB", &Goal{AtMost: true, Value: 64})

	tandem := func(round int) error {
		dir, err := e.Dir("backlog-size-tandem")
		if err != nil {
			return err
		}
		accts, err := e.CreateUsers(ctx, dir, "size", 2)
		if err != nil {
			return err
		}
		p, err := e.StartTandem(ctx, dir)
		if err != nil {
			return err
		}
		defer p.Stop()
		team, err := SeedTeam(ctx, p.URL, "Backlog", accts)
		if err != nil {
			return err
		}
		tok := team.Owner().Token
		hdr := []string{"Authorization: Bearer " + tok, "Content-Type: application/json"}
		items := p.URL + "/api/v1/teams/" + team.ID + "/items"
		created, errs := 0, 0
		var legs []AttackRun
		for created < sizeTarget {
			r, err := e.Attack(ctx, AttackSpec{URL: items, Method: "POST", Headers: hdr, Workers: 16, Body: benchItem,
				Duration: 1500 * time.Millisecond, Warmup: 50 * time.Millisecond})
			if err != nil {
				return err
			}
			created += r.OK + r.WarmupRequests
			errs += r.Errors
			legs = append(legs, r)
		}
		first, last := legs[0], legs[len(legs)-1]
		growFirst.Subject, growFirst.Baseline = append(growFirst.Subject, last.P99), append(growFirst.Baseline, first.P99)
		growLast.Subject, growLast.Baseline = append(growLast.Subject, last.P50), append(growLast.Baseline, first.P50)
		growRPS.Subject, growRPS.Baseline = append(growRPS.Subject, last.RPS), append(growRPS.Baseline, first.RPS)
		growErr.Subject = append(growErr.Subject, float64(errs))
		e.Log.Printf("backlog-size round %d: %d items in %d legs; p99 first %.1f ms, last %.1f ms", round+1, created, len(legs), first.P99, last.P99)

		get := func(url string, extra ...string) (AttackRun, error) {
			return e.Attack(ctx, AttackSpec{Server: p, URL: url, Headers: append([]string{"Authorization: Bearer " + tok}, extra...),
				Workers: 1, Duration: 2 * time.Second, Warmup: 300 * time.Millisecond})
		}
		r, err := get(items + "?limit=100")
		if err != nil {
			return err
		}
		p100.Subject, p100tail.Subject = append(p100.Subject, r.P50), append(p100tail.Subject, r.P99)
		if r, err = get(items + "?limit=1000"); err != nil {
			return err
		}
		p1000.Subject, p1000tail.Subject = append(p1000.Subject, r.P50), append(p1000tail.Subject, r.P99)
		if r, err = get(p.URL+"/teams/"+team.ID+"/backlog", "Cookie: tandem_session="+tok); err != nil {
			return err
		}
		if r.Errors > 0 {
			return fmt.Errorf("backlog page: %d errors: %v", r.Errors, r.ErrorSamples)
		}
		render.Subject = append(render.Subject, r.P50)

		c := Client{Base: p.URL, Token: tok}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := c.Do(ctx, "GET", "/api/v1/teams/"+team.ID+"/items?limit=1000", nil, &page); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(uint64(round), 7))
		var lat []float64
		for range 200 {
			a, b := page.Items[rng.IntN(len(page.Items))].ID, page.Items[rng.IntN(len(page.Items))].ID
			if a == b {
				continue
			}
			t0 := time.Now()
			if err := c.Do(ctx, "POST", "/api/v1/teams/"+team.ID+"/items/"+a+"/move", map[string]string{"before": b}, nil); err != nil {
				return err
			}
			lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		}
		slices.Sort(lat)
		moveP50.Subject = append(moveP50.Subject, lat[len(lat)/2])
		moveP99.Subject = append(moveP99.Subject, lat[len(lat)*99/100])

		var csv strings.Builder
		csv.WriteString("id,type,title,status,value,estimate,labels,parent_id,acceptance_criteria,description\n")
		for i := range 10000 {
			fmt.Fprintf(&csv, ",story,Imported item %d,new,%d,,import;bench,,\"works\nis fast\",Line one of item %d.\n", i, i%100, i)
		}
		t0 := time.Now()
		if err := postCSV(ctx, p.URL+"/api/v1/teams/"+team.ID+"/items/import", tok, csv.String()); err != nil {
			return err
		}
		imp.Subject = append(imp.Subject, time.Since(t0).Seconds())

		if round == 0 {
			// Fill to 50,000 creates (the import's rows count as creates).
			for created < 40000 {
				r, err := e.Attack(ctx, AttackSpec{URL: items, Method: "POST", Headers: hdr, Workers: 16, Body: benchItem,
					Duration: 5 * time.Second, Warmup: 50 * time.Millisecond})
				if err != nil {
					return err
				}
				created += r.OK + r.WarmupRequests
			}
			fi, err := os.Stat(filepath.Join(dir, "data", "tandem.db-wal"))
			if err != nil {
				return err
			}
			wal.Subject = append(wal.Subject, float64(fi.Size())/(1<<20))
			e.Log.Printf("backlog-size: WAL %.1f MiB after %d creates + 10,000 imported", float64(fi.Size())/(1<<20), created)
		}
		return nil
	}
	bare := func() error {
		dir, err := e.Dir("backlog-size-bare")
		if err != nil {
			return err
		}
		db := filepath.Join(dir, "bare.db")
		p, err := e.Start(ctx, ServerSpec{Name: "bare-sqlite", Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
			return []string{"sqlite", "-addr", addr, "-db", db, "-mode", "group"}
		}})
		if err != nil {
			return err
		}
		defer p.Stop()
		// Rows of the size of Tandem's item JSON.
		body := `{"title":"` + strings.Repeat("x", 560) + `"}`
		for n := 0; n < sizeTarget; {
			r, err := e.Attack(ctx, AttackSpec{URL: p.URL + "/items", Method: "POST", Body: body,
				Headers: []string{"Content-Type: application/json"}, Workers: 16, Duration: time.Second, Warmup: 50 * time.Millisecond})
			if err != nil {
				return err
			}
			n += r.OK + r.WarmupRequests
		}
		for _, q := range []struct {
			limit     int
			p50, tail *Row
		}{{100, p100, p100tail}, {1000, p1000, p1000tail}} {
			r, err := e.Attack(ctx, AttackSpec{Server: p, URL: fmt.Sprintf("%s/items?limit=%d", p.URL, q.limit), Workers: 1,
				Duration: 2 * time.Second, Warmup: 300 * time.Millisecond})
			if err != nil {
				return err
			}
			q.p50.Baseline, q.tail.Baseline = append(q.p50.Baseline, r.P50), append(q.tail.Baseline, r.P99)
		}
		return nil
	}
	for round := range e.Runs {
		if err := Rotate(round, func() error { return tandem(round) }, bare); err != nil {
			return nil, err
		}
	}
	grow.Notes = append(grow.Notes, "Goal: p99 flat as the backlog grows; the ratio is last leg / first leg (≤ 1.5× counts as flat on this noisy machine).")
	read.Notes = append(read.Notes, "The bare rows hold a 570-byte JSON string, about the size of one Tandem item, so both sides encode similar bytes; Tandem also authenticates, checks membership and computes readiness.")
	ops.Notes = append(ops.Notes, "Rows written per move are asserted by the store conformance test MoveWritesOneItemRow (the moved item's row and one event row), on SQLite and PostgreSQL.")
	return []*Table{grow, read, ops}, nil
}

// postCSV imports a Tandem CSV and fails unless it was created.
func postCSV(ctx context.Context, url, token, csv string) error {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(csv))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("import: %s: %.300s", resp.Status, body)
	}
	return nil
}
