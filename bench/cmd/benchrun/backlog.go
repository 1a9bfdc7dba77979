package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func backlogScenario() Scenario {
	return Scenario{Name: "backlog", About: "create backlog items and read the first page vs bare SQLite (group commit and commit per insert)",
		Run: runBacklog}
}

// runBacklog: POST /teams/{team}/items (auth, roster, rank, number,
// readiness, labels, full-text index, event) against the bare one-statement
// insert handlers; GET the first page of 100 against the bare page read.
// Each run uses a fresh database for both sides.
func runBacklog(ctx context.Context, e *Env) ([]*Table, error) {
	const dur, warm = 3 * time.Second, 500 * time.Millisecond
	create := &Table{Scenario: "backlog", Subject: "tandem", Baseline: "bare group commit",
		Title: fmt.Sprintf("POST /api/v1/teams/{team}/items vs the bare group-commit insert (WAL, synchronous=FULL), closed loop, %s per run, runs: %d", dur, e.Runs)}
	floor := &Table{Scenario: "backlog", Subject: "tandem", Baseline: "bare commit per insert",
		Title: "The same item creation vs the bare one-commit-per-insert handler"}
	read := &Table{Scenario: "backlog", Subject: "tandem", Baseline: "bare page read",
		Title: "GET the first page of 100 items of a backlog filled by the create runs vs the bare page read"}
	type side struct{ rps, p99, errs *Row }
	var perCommit, inServer float64 // writes per commit and ms per create in the server, last create run
	// Pages (WAL frames) per commit of the last 16-client run of each
	// server, read from its WAL file every 200 ms (a few ms of CPU a
	// second): what each commit's fsync has to write back.
	var pagesTandem float64
	pagesBare := map[string]float64{}
	const walEvery = 200 * time.Millisecond
	tandem := func(label string, clients int, page bool) (AttackRun, error) {
		dir, err := e.Dir("backlog-tandem")
		if err != nil {
			return AttackRun{}, err
		}
		accts, err := e.CreateUsers(ctx, dir, "backlog", 2)
		if err != nil {
			return AttackRun{}, err
		}
		p, err := e.StartTandem(ctx, dir)
		if err != nil {
			return AttackRun{}, err
		}
		defer p.Stop()
		team, err := SeedTeam(ctx, p.URL, "Backlog", accts)
		if err != nil {
			return AttackRun{}, err
		}
		hdr := []string{"Authorization: Bearer " + team.Owner().Token, "Content-Type: application/json"}
		items := p.URL + "/api/v1/teams/" + team.ID + "/items"
		var wal *walSampler
		if clients > 1 && !page {
			wal = sampleWAL(ctx, filepath.Join(dir, "data", "tandem.db-wal"), walEvery)
		}
		r, err := e.Attack(ctx, AttackSpec{Server: p, URL: items, Method: "POST", Headers: hdr, Workers: clients,
			Body:     `{"type":"story","title":"A bench item","labels":["bench"],"acceptance_criteria":[{"text":"works"}]}`,
			Duration: dur, Warmup: warm, Profile: fmt.Sprintf("backlog-create-%d", clients)})
		if wal != nil {
			pagesTandem = wal.PagesPerCommit()
		}
		if err == nil && !page {
			// The server's own count of how many writes each commit carried
			// (warm-up and seeding included).
			var st serverStats
			if st, err = readServerStats(ctx, p.URL); err == nil && st.commits > 0 {
				perCommit = st.writes / st.commits
				inServer = st.createSeconds / st.creates * 1000
				e.Log.Printf("backlog %s: %.2f writes per commit, %.3f ms per create in the server", label, perCommit, inServer)
			}
		}
		if err != nil || !page {
			return r, err
		}
		return e.Attack(ctx, AttackSpec{Server: p, URL: items + "?limit=100", Headers: hdr, Workers: 1, Duration: dur, Warmup: warm})
	}
	bare := func(mode string, clients int, page bool) (AttackRun, error) {
		dir, err := e.Dir("backlog-bare-" + mode)
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
		var wal *walSampler
		if clients > 1 && !page {
			wal = sampleWAL(ctx, db+"-wal", walEvery)
		}
		r, err := e.Attack(ctx, AttackSpec{Server: p, URL: p.URL + "/items", Method: "POST", Body: `{"title":"A bench item"}`,
			Headers: []string{"Content-Type: application/json"}, Workers: clients, Duration: dur, Warmup: warm})
		if wal != nil {
			pagesBare[mode] = wal.PagesPerCommit()
		}
		if err != nil || !page {
			return r, err
		}
		return e.Attack(ctx, AttackSpec{Server: p, URL: p.URL + "/items?limit=100", Workers: 1, Duration: dur, Warmup: warm})
	}
	add := func(t *Table, label string, goal *Goal) side {
		return side{t.Add(label+": creates", "req/s", goal), t.Add(label+": p99", "ms", nil),
			t.Add(label+": errors", "", &Goal{AtMost: true, Value: 0})}
	}
	put := func(rows side, subject bool, r AttackRun) {
		vals := func(row *Row, v float64) {
			if subject {
				row.Subject = append(row.Subject, v)
			} else {
				row.Baseline = append(row.Baseline, v)
			}
		}
		vals(rows.rps, r.RPS)
		vals(rows.p99, r.P99)
		vals(rows.errs, float64(r.Errors))
	}
	for _, clients := range []int{1, 16} {
		label := fmt.Sprintf("%d client", clients)
		if clients > 1 {
			label += "s"
		}
		var goal, floorGoal *Goal
		if clients == 16 {
			goal, floorGoal = &Goal{OnRatio: true, Value: 0.5}, &Goal{OnRatio: true, Value: 2}
		}
		g, f := add(create, label, goal), add(floor, label, floorGoal)
		var pageT, pageB, wpc, srv, cpuG, cpuF, loadG, disk, walG, walF *Row
		if clients == 16 {
			wpc = create.Add(label+": writes per commit (server's count)", "", nil)
			srv = create.Add(label+": mean time in the server per create (server's count)", "ms", nil)
			cpuG = create.Add(label+": server CPU per create", "µs", nil)
			loadG = create.Add(label+": load generator CPU per request", "µs", nil)
			walG = create.Add(label+": pages written per commit (WAL frames)", "", nil)
			cpuF = floor.Add(label+": server CPU per create", "µs", nil)
			walF = floor.Add(label+": pages written per commit (WAL frames)", "", nil)
			disk = floor.Add("this disk: one 4 KiB write + fsync, p50 (no server)", "µs", nil)
			pageT = read.Add("first page (100 items) p50", "ms", nil)
			pageB = pageT
		}
		for round := range e.Runs {
			if disk != nil {
				dir, err := e.Dir("backlog-disk")
				if err != nil {
					return nil, err
				}
				us, err := fsyncProbe(dir)
				if err != nil {
					return nil, fmt.Errorf("fsync probe: %w", err)
				}
				disk.Subject = append(disk.Subject, us)
				e.Log.Printf("backlog round %d: 4 KiB write + fsync p50 %.0f µs", round+1, us)
			}
			err := Rotate(round, func() error {
				r, err := tandem(label, clients, false)
				if err == nil {
					put(g, true, r)
					put(f, true, r)
					if wpc != nil {
						wpc.Subject = append(wpc.Subject, perCommit)
						srv.Subject = append(srv.Subject, inServer)
						cpuG.Subject = append(cpuG.Subject, r.ServerCPU)
						cpuF.Subject = append(cpuF.Subject, r.ServerCPU)
						loadG.Subject = append(loadG.Subject, r.LoadCPU)
						walG.Subject = append(walG.Subject, pagesTandem)
						walF.Subject = append(walF.Subject, pagesTandem)
					}
					e.Log.Printf("backlog %s round %d tandem: %.0f/s p99 %.2f ms errors %d", label, round+1, r.RPS, r.P99, r.Errors)
				}
				return err
			}, func() error {
				r, err := bare("group", clients, false)
				if err == nil {
					put(g, false, r)
					if cpuG != nil {
						cpuG.Baseline = append(cpuG.Baseline, r.ServerCPU)
						loadG.Baseline = append(loadG.Baseline, r.LoadCPU)
						walG.Baseline = append(walG.Baseline, pagesBare["group"])
					}
				}
				return err
			}, func() error {
				r, err := bare("commit", clients, false)
				if err == nil {
					put(f, false, r)
					if cpuF != nil {
						cpuF.Baseline = append(cpuF.Baseline, r.ServerCPU)
						walF.Baseline = append(walF.Baseline, pagesBare["commit"])
					}
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			if pageT != nil {
				r, err := tandem(label, clients, true)
				if err != nil {
					return nil, err
				}
				pageT.Subject = append(pageT.Subject, r.P50)
				r, err = bare("group", clients, true)
				if err != nil {
					return nil, err
				}
				pageB.Baseline = append(pageB.Baseline, r.P50)
			}
		}
	}
	create.Notes = append(create.Notes, "CPU per request is each process's user+system time over its whole load run (warm-up included) divided by the requests it answered.")
	floor.Notes = append(floor.Notes, "The commit-per-insert handler runs each insert and then waits for the disk (the last row) on its one connection, "+
		"so its rate is about one over the sum of the two. Tandem waits for the disk once per commit of several creates and is bound by its CPU per create. "+
		"Their ratio therefore moves with how fast this machine's CPU is next to its disk on the day.",
		"Pages written per commit: each fsync writes them back, and on some machines (virtual disks) that costs CPU per page as well as time. "+
			"Tandem's commit carries several creates, each with its item, label and event rows and their indexes.")
	return []*Table{create, floor, read}, nil
}

// serverStats are the server's own counters from /metrics.
type serverStats struct {
	commits, writes        float64 // the store's group commits and the writes they carried
	creates, createSeconds float64 // item creates and their total time in the server
}

// readServerStats reads the store's commit and write counters and the
// item create route's latency sum and count from /metrics.
func readServerStats(ctx context.Context, base string) (serverStats, error) {
	var st serverStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return st, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return st, err
	}
	const route = `{route="POST /api/v1/teams/{team}/items"}`
	for _, line := range strings.Split(string(body), "\n") {
		i := strings.LastIndexByte(line, ' ') // label values may hold spaces
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		name := line[:i]
		v, perr := strconv.ParseFloat(line[i+1:], 64)
		switch {
		case perr != nil:
		case name == "tandem_store_commits_total":
			st.commits = v
		case name == "tandem_store_writes_total":
			st.writes = v
		case name == "tandem_http_request_duration_seconds_sum"+route:
			st.createSeconds = v
		case name == "tandem_http_request_duration_seconds_count"+route:
			st.creates = v
		}
	}
	return st, nil
}
