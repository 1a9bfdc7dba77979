package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

// stalledLog is a log destination that, once stalled, holds every write
// until it is released: a slow disk or a full pipe.
type stalledLog struct {
	stalled atomic.Bool
	release chan struct{}
	once    sync.Once
	lines   atomic.Int64
}

func (l *stalledLog) Write(p []byte) (int, error) {
	if l.stalled.Load() {
		<-l.release
	}
	l.lines.Add(1)
	return len(p), nil
}

func (l *stalledLog) unstall() { l.once.Do(func() { close(l.release) }) }

// TestResponseDoesNotWaitForTheLog: a created item reaches its client
// even while the request log cannot be written; the line follows.
func TestResponseDoesNotWaitForTheLog(t *testing.T) {
	ctx := context.Background()
	logw := &stalledLog{release: make(chan struct{})}
	app, err := server.Open(ctx, server.Config{DataDir: t.TempDir(), Password: password.Fast,
		Log: slog.New(slog.NewTextHandler(logw, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	t.Cleanup(logw.unstall) // first: closing waits for handlers that may be writing

	svc := app.Service
	if _, err := svc.CreateUser(ctx, scrum.SignUp{Email: "po@example.com", Name: "Priya", Password: "a long password"}, false); err != nil {
		t.Fatal(err)
	}
	_, secret, err := svc.Login(ctx, "po@example.com", "a long password", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	po, err := svc.Authenticate(ctx, secret, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	team, err := svc.CreateTeam(ctx, po, "Orion")
	if err != nil {
		t.Fatal(err)
	}

	logw.stalled.Store(true)
	before := logw.lines.Load()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/teams/"+team.ID+"/items", strings.NewReader(`{"title":"Checkout"}`))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 2 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		logw.unstall()
		t.Fatalf("create while the log is stalled: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"title":"Checkout"`) {
		t.Fatalf("got %d %s, want 201 with the item", res.StatusCode, body)
	}
	if n := logw.lines.Load(); n != before {
		t.Fatalf("%d log lines written while stalled, want none (the test's premise)", n-before)
	}
	logw.unstall()
	for deadline := time.Now().Add(5 * time.Second); logw.lines.Load() == before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request's log line never came")
		}
	}
}
