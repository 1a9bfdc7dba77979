package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/server"
)

// /metrics has what an operator (and the soak benchmark) watches for a
// leak: the heap that survived the last GC, goroutines, open fds.
func TestMetricsShowLeaks(t *testing.T) {
	app, err := server.Open(context.Background(), server.Config{Database: filepath.Join(t.TempDir(), "tandem.db"),
		Password: password.Fast, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	rec := httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, name := range []string{"go_gc_heap_live_bytes ", "go_goroutines ", "process_open_fds ", "go_memstats_heap_inuse_bytes "} {
		if !strings.Contains(rec.Body.String(), "\n"+name) {
			t.Errorf("/metrics has no %s", strings.TrimSpace(name))
		}
	}
}
