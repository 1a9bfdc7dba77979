package e2e

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/storetest"
)

// Server is a Tandem running in the test process.
type Server struct {
	URL string      // base URL, http://127.0.0.1:port
	App *server.App // the running app: its Service and Store seed data directly

	t    testing.TB
	cfg  server.Config
	logs *logBuffer

	mu   sync.Mutex
	stop context.CancelFunc
	done chan error
}

// Option changes how Start boots the server.
type Option func(*server.Config)

// OnPostgres runs the server on a fresh schema of the PostgreSQL database
// named by TANDEM_TEST_POSTGRES. Without that variable the test skips
// locally and fails in CI, as the store suite does.
func OnPostgres() Option {
	return func(c *server.Config) { c.Database = "postgres" }
}

// WithConfig lets a test change any other setting, such as ClosedSignup
// or Heartbeat.
func WithConfig(f func(*server.Config)) Option { return Option(f) }

// Start boots a Tandem on 127.0.0.1:0 with its own SQLite file, fast
// password hashing and a sign-up limit high enough for many users. It is
// shut down when the test ends. The server's log is shown only when the
// test fails (or with -v and TANDEM_E2E_LOG=1). Without a browser the
// test skips here, before booting anything (see RequireBrowser).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	RequireBrowser(t)
	logs := &logBuffer{}
	cfg := server.Config{
		Addr:               "127.0.0.1:0",
		Database:           filepath.Join(t.TempDir(), "tandem.db"),
		Password:           password.Fast,
		AuthPerIPPerMinute: 100000,
		Log:                slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Database == "postgres" {
		cfg.Database = storetest.PostgresDSN(t)
	}
	s := &Server{t: t, cfg: cfg, logs: logs}
	s.boot()
	t.Cleanup(func() {
		s.shutdown()
		if t.Failed() || os.Getenv("TANDEM_E2E_LOG") == "1" {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return s
}

// boot opens the app and serves it. On a restart it binds the same address
// again, so open pages reconnect to it.
func (s *Server) boot() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	app, err := server.Open(ctx, s.cfg)
	if err != nil {
		s.t.Fatalf("open server: %v", err)
	}
	addr, err := listenRetry(app)
	if err != nil {
		_ = app.Close()
		s.t.Fatalf("listen: %v", err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(serveCtx) }()

	s.mu.Lock()
	s.App, s.stop, s.done = app, stop, done
	s.URL = strings.TrimSuffix(app.Config.BaseURL, "/")
	s.mu.Unlock()
	// Later boots reuse the address and URL the first one got.
	s.cfg.Addr, s.cfg.BaseURL = addr, s.URL
}

// listenRetry binds the app's address, retrying briefly: after a restart
// the old listener's port can take a moment to come free.
func listenRetry(app *server.App) (string, error) {
	var err error
	for range 50 {
		var addr string
		if addr, err = app.Listen(); err == nil {
			return addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", err
}

func (s *Server) shutdown() {
	s.mu.Lock()
	app, stop, done := s.App, s.stop, s.done
	s.stop = nil
	s.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			s.t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		s.t.Errorf("the server did not shut down within 15s")
	}
	if err := app.Close(); err != nil {
		s.t.Errorf("close app: %v", err)
	}
}

// Restart stops the server, as a deploy would, and starts it again on the
// same address and database. Open pages see their live connection drop
// and must reconnect by themselves. During the gap, the between func (if
// not nil) runs, to look at pages while the server is down.
func (s *Server) Restart(between func()) {
	s.t.Helper()
	s.shutdown()
	if between != nil {
		between()
	}
	s.boot()
}

// Log returns what the server has logged so far.
func (s *Server) Log() string { return s.logs.String() }

// logBuffer collects the server log; many request goroutines write to it.
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
