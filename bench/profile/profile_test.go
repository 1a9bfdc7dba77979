// Package profile holds in-process Go benchmarks of Tandem's hot paths,
// for profiling what ./bench/run.sh measures from outside:
//
//	go test -run '^$' -bench . -cpuprofile cpu.prof ./bench/profile
//	go tool pprof -top cpu.prof
//
// They boot the real handler (server.Open on a SQLite file in a temp
// directory) and call it without a network, so a profile shows the server's
// own work. `go test ./...` compiles them but runs none.
package profile

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

// fixture is a server with a team of five; token is its owner's session.
type fixture struct {
	app   *server.App
	token string
	team  string
}

func newFixture(b *testing.B, log io.Writer) fixture {
	b.Helper()
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Log: slog.New(slog.NewTextHandler(log, nil)), Password: password.Fast})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	svc := app.Service
	const pw = "profile-password"
	var secrets []string
	for i := range 5 {
		email := "p" + string(rune('a'+i)) + "@profile.tandem"
		if _, err := svc.CreateUser(ctx, scrum.SignUp{Email: email, Name: "Profile " + email, Password: pw}, false); err != nil {
			b.Fatal(err)
		}
		_, secret, err := svc.Login(ctx, email, pw, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	actor := func(secret string) scrum.Actor {
		a, err := svc.Authenticate(ctx, secret, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	owner := actor(secrets[0])
	team, err := svc.CreateTeam(ctx, owner, "Profile")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range secrets[1:] {
		_, code, err := svc.CreateInvite(ctx, owner, team.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.AcceptInvite(ctx, actor(s), code); err != nil {
			b.Fatal(err)
		}
	}
	return fixture{app: app, token: secrets[0], team: team.ID}
}

// seedItems creates n items in the team as its owner.
func (f fixture) seedItems(b *testing.B, n int) {
	b.Helper()
	ctx := context.Background()
	owner, err := f.app.Service.Authenticate(ctx, f.token, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		in := scrum.ItemInput{Title: "A bench item " + string(rune('a'+i%26)), Labels: []string{"bench"},
			AcceptanceCriteria: []scrum.Criterion{{Text: "works"}}}
		if _, err := f.app.Service.CreateItem(ctx, owner, f.team, in); err != nil {
			b.Fatal(err)
		}
	}
}

// get calls h with GET path from parallel goroutines, as the fixture's
// owner with a bearer token.
func (f fixture) get(b *testing.B, h http.Handler, path string) {
	b.Helper()
	f.run(b, h, http.StatusOK, func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		return req
	})
}

// run calls h with requests from newReq from parallel goroutines and
// fails unless each answers want. Besides ns/op, which a busy machine
// inflates, it reports the process's CPU time per request (cpu-µs/op),
// which is steadier; subtract BenchmarkBare's for the harness's own share.
func (f fixture) run(b *testing.B, h http.Handler, want int, newReq func() *http.Request) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() {
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// A served request's context can be cancelled (the client may
			// hang up); httptest's cannot, and code that watches for it
			// would look cheaper here than it is.
			ctx, cancel := context.WithCancel(context.Background())
			req := newReq().WithContext(ctx)
			req.RemoteAddr = "127.0.0.1:40000"
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			cancel()
			if w.Code != want {
				b.Fatalf("%s %s: status %d: %.300s", req.Method, req.URL.Path, w.Code, w.Body)
			}
		}
	})
}

func BenchmarkMe(b *testing.B) {
	f := newFixture(b, io.Discard)
	f.get(b, f.app.Handler, "/api/v1/me")
}

func BenchmarkMembers(b *testing.B) {
	f := newFixture(b, io.Discard)
	f.get(b, f.app.Handler, "/api/v1/teams/"+f.team+"/members")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBare is the floor: a handler writing a body of /me's size.
func BenchmarkBare(b *testing.B) {
	f := newFixture(b, io.Discard)
	body := make([]byte, 170)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})
	f.get(b, h, "/api/v1/me")
}

// BenchmarkItemsPage1000 reads a 1,000-item page of a 1,000-item backlog.
func BenchmarkItemsPage1000(b *testing.B) { itemsPage(b, 1000) }

// BenchmarkItemsPage100 reads the first page of a 1,000-item backlog.
func BenchmarkItemsPage100(b *testing.B) { itemsPage(b, 100) }

func itemsPage(b *testing.B, limit int) {
	f := newFixture(b, io.Discard)
	f.seedItems(b, 1000)
	f.get(b, f.app.Handler, "/api/v1/teams/"+f.team+"/items?limit="+strconv.Itoa(limit))
}

// BenchmarkCreateItem creates items from 16 goroutines, as the backlog
// scenario's 16 clients do; the body is the load generator's.
func BenchmarkCreateItem(b *testing.B) {
	f := newFixture(b, io.Discard)
	path := "/api/v1/teams/" + f.team + "/items"
	body := `{"title":"A bench item from a client","type":"story","labels":["bench"],"acceptance_criteria":[{"text":"works"}]}`
	b.SetParallelism(8) // 16 goroutines on 2 CPUs
	f.run(b, f.app.Handler, http.StatusCreated, func() *http.Request {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("Content-Type", "application/json")
		return req
	})
}

// BenchmarkBacklogPage renders the backlog page (HTML, first 100 rows) of
// a 1,000-item backlog, signed in with the session cookie.
func BenchmarkBacklogPage(b *testing.B) {
	f := newFixture(b, io.Discard)
	f.seedItems(b, 1000)
	path := "/teams/" + f.team + "/backlog"
	f.run(b, f.app.Handler, http.StatusOK, func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "tandem_session", Value: f.token})
		return req
	})
}
