package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandemhq/tandem/bench/internal/result"
	"github.com/tandemhq/tandem/bench/internal/sse"
	"github.com/tandemhq/tandem/bench/internal/stats"
	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/scrum"
)

func estimationScenario() Scenario {
	return Scenario{Name: "estimation", About: "one planning-poker session with N live clients (-clients, default 50,200,500) vs the bare SSE broadcaster",
		Run: runEstimation}
}

// Figures of the estimation scenario. The reference is another server
// measured at N = 500 (see the issue); the goals apply at N = 500.
const (
	estVotes       = 50                    // sequential single votes
	estSpacing     = 50 * time.Millisecond // between them
	estMissed      = 10                    // votes a reconnecting client misses
	estSettle      = 300 * time.Millisecond
	estGoalN       = 500
	estSeedItems   = 3
	estWarmClients = 10 // connect and leave before the baseline RSS is read
)

// estSeed is what bench/cmd/estseed prints.
type estSeed struct {
	TeamID      string   `json:"team_id"`
	SessionID   string   `json:"session_id"`
	ItemIDs     []string `json:"item_ids"`
	Facilitator estUser  `json:"facilitator"`
	Voters      []estUser
}

type estUser struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// estRun is one run's figures on one side.
type estRun struct {
	ConnectMS        float64
	FillBytes        float64
	KiBPerConn       float64
	VoteP50, VoteMax float64 // ms, POST start → last client, over estVotes votes
	BurstMS          float64 // all N vote at once → every client has every vote
	BurstPostsMS     float64 // … → every POST answered
	RoundBytes       float64 // all clients, the burst's events
	Delivered        float64 // %
	ReconnectBytes   float64 // tandem only
	ReconnectDupes   float64 // events it had seen already
	SnapshotBytes    float64 // GET /estimations/{id}
	IdleRSS, FullRSS float64
}

type estRows struct {
	connect, fill, kib, p50, p50ref, max, burst, posts, round, delivered *Row
	reconnect, reDupes, snapshot                                         *Row
}

func addEstRows(t *Table, n int) estRows {
	at := func(g *Goal) *Goal {
		if n == estGoalN {
			return g
		}
		return nil
	}
	l := fmt.Sprintf("N=%d: ", n)
	return estRows{
		connect:   t.Add(l+"all clients connected", "ms", nil),
		fill:      t.Add(l+"bytes sent while the room fills (every join)", "MB", at(&Goal{AtMost: true, Value: 50})),
		kib:       t.Add(l+"RSS per connection", "KiB", at(&Goal{OnRatio: true, AtMost: true, Value: 1.15})),
		p50:       t.Add(l+"one vote → last client, p50 of 50", "ms", at(&Goal{OnRatio: true, AtMost: true, Value: 1.3})),
		p50ref:    t.Add(l+"one vote → last client, p50 (vs reference 21 ms)", "ms", at(&Goal{AtMost: true, Value: 10.5})),
		max:       t.Add(l+"one vote → last client, slowest of 50", "ms", nil),
		burst:     t.Add(l+"everyone votes at once → every client has every vote", "ms", at(&Goal{AtMost: true, Value: 1000})),
		posts:     t.Add(l+"everyone votes at once → every vote answered", "ms", nil),
		round:     t.Add(l+"bytes sent during one full voting round", "MB", nil),
		delivered: t.Add(l+"vote events delivered", "%", &Goal{Value: 100}),
		reconnect: t.Add(l+fmt.Sprintf("reconnect after %d missed votes: bytes received until caught up", estMissed), "B", at(&Goal{AtMost: true, Value: 40 << 10})),
		reDupes:   t.Add(l+"reconnect: events received it had already", "", at(&Goal{AtMost: true, Value: 0})),
		snapshot:  t.Add(l+"GET /api/v1/estimations/{id} snapshot", "B", nil),
	}
}

func (r estRows) record(f estRun, baseline bool) {
	add := func(row *Row, v float64) {
		if baseline {
			row.Baseline = append(row.Baseline, v)
		} else {
			row.Subject = append(row.Subject, v)
		}
	}
	add(r.connect, f.ConnectMS)
	add(r.fill, f.FillBytes/1e6)
	add(r.kib, f.KiBPerConn)
	add(r.p50, f.VoteP50)
	add(r.p50ref, f.VoteP50)
	add(r.max, f.VoteMax)
	add(r.burst, f.BurstMS)
	add(r.posts, f.BurstPostsMS)
	add(r.round, f.RoundBytes/1e6)
	add(r.delivered, f.Delivered)
	if !baseline {
		add(r.reconnect, f.ReconnectBytes)
		add(r.reDupes, f.ReconnectDupes)
		add(r.snapshot, f.SnapshotBytes)
	}
}

func runEstimation(ctx context.Context, e *Env) ([]*Table, error) {
	t := &Table{Scenario: "estimation", Subject: "tandem", Baseline: "bare SSE broadcaster",
		Title: fmt.Sprintf("One estimation session, N live clients each its own Developer on ?presence=, runs: %d", e.Runs),
		Notes: []string{
			"Each run: a fresh database seeded by bench/cmd/estseed (N Developers written as members directly: the service caps a team at 100 members), " +
				"the server started, the load process opens N streams (each with its own token) and waits until they have been quiet for " +
				estSettle.String() + "; bytes until then are the room fill (presence frames). RSS per connection = (RSS then − RSS before the clients) / N, where \"before\" follows a warm-up of " + strconv.Itoa(estWarmClients) + " clients that connect and leave (both sides), so one-time costs are not charged per connection.",
			fmt.Sprintf("One vote: %d votes by different voters, %s apart; time from just before the POST to the last client parsing the vote.cast event; "+
				"p50 and slowest over the %d. Everyone at once: every voter POSTs concurrently; time until every client has all N vote.cast events, "+
				"and until every POST was answered; bytes = what all clients read from the first to the last of those events.", estVotes, estSpacing, estVotes),
			fmt.Sprintf("Reconnect (Tandem only; the bare broadcaster has no replay): one more stream as a voter sees a vote, drops, misses %d votes, "+
				"reconnects with Last-Event-ID and ?presence=; bytes read until it has the %d and its presence list (retry line included).", estMissed, estMissed),
			"The bare broadcaster (bench/cmd/bare sse: one handler, one 256-frame buffered channel per client, as the issue defines it) publishes a body " +
				"encoded by live.Encode from a vote.cast event of Tandem's size, so its frames are byte-for-byte Tandem's size; it has no presence.",
			"The bare broadcaster drops a client whose channel is full; in the everyone-at-once burst at N = 500 it sometimes does " +
				"(delivered < 100%), and its burst time then covers only what was delivered. Tandem's hub queues per client in a slice " +
				"that grows only while frames wait (up to 4,096), so a burst drops nobody and an idle client holds no buffer.",
			"Reference at N = 500 (another server): one vote 21 ms p50, 37 ms slowest; everyone at once 7.6 s; room fill 10.4 GB; ~46 KB per connection; reconnect 126 KB snapshot.",
		}}
	for _, n := range e.EstClients {
		rows := addEstRows(t, n)
		for round := range e.Runs {
			err := Rotate(round, func() error {
				f, err := e.estimationTandem(ctx, n)
				if err != nil {
					return fmt.Errorf("tandem N=%d: %w", n, err)
				}
				rows.record(f, false)
				e.Log.Printf("estimation tandem N=%d run %d: %+v", n, round+1, f)
				return nil
			}, func() error {
				f, err := e.estimationBare(ctx, n)
				if err != nil {
					return fmt.Errorf("bare N=%d: %w", n, err)
				}
				rows.record(f, true)
				e.Log.Printf("estimation bare N=%d run %d: %+v", n, round+1, f)
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return []*Table{t}, nil
}

// estSide is what differs between Tandem and the bare broadcaster.
type estSide struct {
	server    *Proc
	streamURL string
	tokens    string
	vote      func(ctx context.Context, hc *http.Client, voter, k int, card string) error
}

// seedEstimation runs estseed on a new data directory in dir: a team with
// a started session and n Developers, signed in.
func (e *Env) seedEstimation(ctx context.Context, dir string, n int) (estSeed, error) {
	var seed estSeed
	cmd := exec.CommandContext(ctx, e.Seed(), "-data-dir", filepath.Join(dir, "data"), "-voters", fmt.Sprint(n),
		"-items", fmt.Sprint(estSeedItems))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return seed, fmt.Errorf("estseed: %w: %s", err, errb.String())
	}
	if err := json.Unmarshal(out.Bytes(), &seed); err != nil {
		return seed, fmt.Errorf("estseed output: %w", err)
	}
	return seed, nil
}

func (e *Env) estimationTandem(ctx context.Context, n int) (estRun, error) {
	var f estRun
	dir, err := e.Dir(fmt.Sprintf("estimation-%d", n))
	if err != nil {
		return f, err
	}
	seed, err := e.seedEstimation(ctx, dir, n)
	if err != nil {
		return f, err
	}
	tokens := make([]string, n)
	for i, v := range seed.Voters {
		tokens[i] = v.Token
	}
	tokensFile := filepath.Join(dir, "tokens.txt")
	if err := os.WriteFile(tokensFile, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
		return f, err
	}
	p, err := e.StartTandem(ctx, dir)
	if err != nil {
		return f, err
	}
	defer p.Stop()
	item := seed.ItemIDs[0]
	side := estSide{server: p, tokens: tokensFile,
		streamURL: p.URL + "/api/v1/teams/" + seed.TeamID + "/events?presence=" + seed.SessionID,
		vote: func(ctx context.Context, hc *http.Client, voter, k int, card string) error {
			c := Client{Base: p.URL, Token: tokens[voter], HC: hc}
			return c.Do(ctx, "POST", "/api/v1/estimations/"+seed.SessionID+"/votes", map[string]string{"item_id": item, "value": card}, nil)
		}}
	return e.estimationRun(ctx, n, side, func(ctx context.Context, f *estRun) error {
		return estReconnect(ctx, f, p.URL, seed, side)
	})
}

func (e *Env) estimationBare(ctx context.Context, n int) (estRun, error) {
	dir, err := e.Dir(fmt.Sprintf("estimation-bare-%d", n))
	if err != nil {
		return estRun{}, err
	}
	p, err := e.Start(ctx, ServerSpec{Name: "bare-sse", Bin: e.Bare(), Dir: dir, Args: func(addr string) []string {
		return []string{"sse", "-addr", addr, "-buffer", "256"}
	}})
	if err != nil {
		return estRun{}, err
	}
	defer p.Stop()
	side := estSide{server: p, streamURL: p.URL + "/events",
		vote: func(ctx context.Context, hc *http.Client, voter, k int, card string) error {
			_, _, err := Client{Base: p.URL, HC: hc}.RawBody(ctx, "POST", "/publish?event=vote.cast", voteBody(voter, k))
			return err
		}}
	return e.estimationRun(ctx, n, side, nil)
}

// voteBody is the JSON body of a Tandem vote.cast frame with ids of
// Tandem's length, so the bare broadcaster sends frames of the same size.
func voteBody(voter, k int) []byte {
	id := func(p string, i int) string { return fmt.Sprintf("%s%0*d", p, 16-len(p), i) }
	data, _ := json.Marshal(scrum.VoteCast{SessionID: id("s", 1), ItemID: id("i", 1), Round: 1, UserID: id("u", voter), Changed: k >= estVotes})
	f := live.Encode(scrum.Event{Seq: int64(1000 + k), Type: scrum.EventVoteCast, TeamID: id("t", 1), SubjectID: id("i", 1),
		ActorID: id("u", voter), At: time.Date(2026, 11, 27, 11, 58, 33, 630984000, time.UTC), Data: data})
	_, body, _ := strings.Cut(strings.TrimSuffix(string(f.SSE), "\n\n"), "\ndata: ")
	return []byte(body)
}

// estimationRun connects n clients, casts estVotes single votes, then
// has every voter vote at once, and measures; after (if set) runs with the
// clients still connected.
func (e *Env) estimationRun(ctx context.Context, n int, s estSide, after func(context.Context, *estRun) error) (estRun, error) {
	var f estRun
	// Warm up with a few clients that connect and leave, so one-time costs
	// (the SQLite page cache, caches, the runtime's pools) are in the
	// baseline rather than charged to the N connections measured next.
	// Both sides get the same warm-up.
	warm, err := e.StartSwarm(ctx, SwarmSpec{URL: s.streamURL, Clients: estWarmClients, Events: 1, Type: "vote.cast",
		TokensFile: s.tokens, Timeout: 30 * time.Second, Settle: estSettle})
	if err != nil {
		return f, err
	}
	_ = warm.Close()
	time.Sleep(estSettle)
	idle, err := s.server.RSS()
	if err != nil {
		return f, err
	}
	want := estVotes + n
	sw, err := e.StartSwarm(ctx, SwarmSpec{URL: s.streamURL, Clients: n, Events: want, Type: "vote.cast",
		TokensFile: s.tokens, Timeout: 90 * time.Second, Settle: estSettle, BytesAt: true})
	if err != nil {
		return f, err
	}
	defer sw.Close()
	if sw.Ready.Connected != n {
		return f, fmt.Errorf("%d of %d clients connected", sw.Ready.Connected, n)
	}
	f.ConnectMS, f.FillBytes = sw.Ready.ConnectMS, float64(sw.Ready.SettledBytes)
	full, err := s.server.RSS()
	if err != nil {
		return f, err
	}
	f.IdleRSS, f.FullRSS = float64(idle), float64(full)
	f.KiBPerConn = float64(full-idle) / 1024 / float64(n)

	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	sent := make([]int64, want)
	for k := range estVotes {
		if k > 0 {
			select {
			case <-time.After(estSpacing):
			case <-ctx.Done():
				return f, ctx.Err()
			}
		}
		sent[k] = time.Now().UnixNano()
		if err := s.vote(ctx, hc, k%n, k, "3"); err != nil {
			return f, fmt.Errorf("vote %d: %w", k, err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	// Everyone at once: open the connections first so the burst measures
	// the votes, not TCP handshakes.
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = Client{HC: hc}.RawBody(ctx, "GET", s.server.URL+"/healthz", nil)
		}()
	}
	wg.Wait()
	errs := make([]error, n)
	start := make(chan struct{})
	for v := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[v] = s.vote(ctx, hc, v, estVotes+v, "5")
		}()
	}
	if e.Profiles != "" && s.server.PprofURL != "" {
		// -profile: a CPU profile of the burst (the first 3 s).
		wait := e.profile(ctx, s.server, 0, 4*time.Second, fmt.Sprintf("estimation-burst-%d-%d", n, time.Now().UnixNano()%1000))
		defer wait()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	f.BurstPostsMS = float64(time.Since(t0)) / 1e6
	for v, err := range errs {
		if err != nil {
			return f, fmt.Errorf("burst vote %d: %w", v, err)
		}
	}
	res, err := sw.Result()
	if err != nil {
		return f, err
	}
	f.computeVotes(res, sent, t0.UnixNano(), n)
	if after != nil {
		if err := after(ctx, &f); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (f *estRun) computeVotes(res result.Swarm, sent []int64, t0 int64, n int) {
	got, total := 0, 0
	var last []float64
	var burstEnd int64
	for k, ev := range res.Events {
		var slowest int64
		for _, at := range ev.RecvNS {
			total++
			if at == 0 {
				continue
			}
			got++
			slowest = max(slowest, at)
		}
		if k < estVotes {
			last = append(last, float64(slowest-sent[k])/1e6)
		} else {
			burstEnd = max(burstEnd, slowest)
		}
	}
	f.Delivered = 100 * float64(got) / float64(total)
	f.VoteP50 = stats.Percentile(last, 50)
	f.VoteMax = slices.Max(last)
	f.BurstMS = float64(burstEnd-t0) / 1e6
	first, end := res.Events[estVotes-1].BytesAt, res.Events[len(res.Events)-1].BytesAt
	for i := range n {
		f.RoundBytes += float64(end[i] - first[i])
	}
}

// estReconnect: one more stream (as voter 0) sees a vote, drops, misses
// estMissed votes, and comes back with Last-Event-ID.
func estReconnect(ctx context.Context, f *estRun, base string, seed estSeed, s estSide) error {
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	open := func(lastID string) (*sse.Reader, func(), error) {
		ctx, cancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/teams/"+seed.TeamID+"/events?presence="+seed.SessionID, nil)
		req.Header.Set("Authorization", "Bearer "+seed.Voters[0].Token)
		req.Header.Set("Accept", "text/event-stream")
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := hc.Do(req)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			cancel()
			return nil, nil, fmt.Errorf("events: %s", resp.Status)
		}
		return sse.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }, nil
	}
	nextVote := func(rd *sse.Reader) (sse.Event, error) {
		for {
			ev, err := rd.Next()
			if err != nil || ev.Type == "vote.cast" {
				return ev, err
			}
		}
	}
	rd, stop, err := open("")
	if err != nil {
		return err
	}
	if err := s.vote(ctx, hc, 1, 0, "8"); err != nil {
		stop()
		return err
	}
	ev, err := nextVote(rd)
	stop()
	if err != nil {
		return err
	}
	seen := ev.ID
	time.Sleep(100 * time.Millisecond) // let the server see the drop
	for v := range estMissed {
		if err := s.vote(ctx, hc, 2+v, 0, "13"); err != nil {
			return err
		}
	}
	rd, stop, err = open(seen)
	if err != nil {
		return err
	}
	defer stop()
	var seenSeq, seq int64
	fmt.Sscan(seen, &seenSeq)
	// Caught up: the missed votes and the presence list (which the hub
	// queues at once, behind the replay) are in.
	for got, presence := 0, false; got < estMissed || !presence; {
		ev, err := rd.Next()
		if err != nil {
			return fmt.Errorf("reconnect: after %d events: %w", got, err)
		}
		if ev.ID != "" {
			fmt.Sscan(ev.ID, &seq)
			if seq <= seenSeq {
				f.ReconnectDupes++
			}
		}
		switch ev.Type {
		case "vote.cast":
			got++
		case "presence":
			presence = true
		}
	}
	f.ReconnectBytes = float64(rd.Bytes())
	_, body, err := Client{Base: base, Token: seed.Voters[0].Token, HC: hc}.RawBody(ctx, "GET", "/api/v1/estimations/"+seed.SessionID, nil)
	if err != nil {
		return err
	}
	f.SnapshotBytes = float64(len(body))
	return nil
}
