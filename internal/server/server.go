// Package server assembles Tandem: store, service, live hub, API and web
// pages behind one handler with its middleware, and runs the HTTP server.
// cmd/tandem and the end-to-end tests both boot it through App.
package server

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/api"
	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/postgres"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/web"
)

// Config is everything the server needs; cmd/tandem fills it from flags and
// TANDEM_* variables.
type Config struct {
	Addr     string // listen address, e.g. 127.0.0.1:8080
	DataDir  string // where the SQLite file lives
	Database string // "" (SQLite in DataDir), a SQLite path, or a postgres:// URL
	BaseURL  string // public URL; default http://Addr
	Log      *slog.Logger
	Password password.Params
	// SecureCookies marks the session cookie Secure; set it behind TLS.
	SecureCookies  bool
	TrustedProxies []netip.Prefix
	ClosedSignup   bool
	// AuthPerIPPerMinute caps sign-in attempts per address (default 10).
	AuthPerIPPerMinute int
	LiveMaxPerUser     int
	LiveMaxTotal       int
	Heartbeat          time.Duration
	HangupProbe        time.Duration // how soon a closed live stream is noticed (default 1 s)
	// PresenceLifetime is how long, on PostgreSQL, an instance's presence
	// rows count after it last renewed them (default 30 s): how soon the
	// people connected to an instance that died show as gone.
	PresenceLifetime time.Duration
	Now              func() time.Time
}

// App is a running Tandem.
type App struct {
	Config  Config
	Store   *store.Store
	Service *scrum.Service
	Hub     *live.Hub
	API     *api.API
	Handler http.Handler

	srv    *http.Server
	ln     net.Listener
	stop   context.CancelFunc
	unlock func() error // the SQLite file's shared lock (see sqlite.LockShared)
}

// IsPostgres reports whether a database setting names PostgreSQL.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects the store, runs migrations and builds the handler.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Password == (password.Params{}) {
		cfg.Password = password.Default
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	a := &App{Config: cfg, unlock: func() error { return nil }}
	opts := store.Options{Now: cfg.Now}
	var err error
	bg, stop := context.WithCancel(context.Background())
	a.stop = stop
	if IsPostgres(cfg.Database) {
		a.Store, err = postgres.Open(ctx, cfg.Database, opts)
	} else {
		path := SQLitePath(cfg)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			stop()
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		// Held while the file is open, so that `tandem restore` cannot
		// swap it underneath.
		if a.unlock, err = sqlite.LockShared(path); err != nil {
			stop()
			return nil, err
		}
		a.Store, err = sqlite.Open(ctx, path, opts)
	}
	if err != nil {
		_ = a.unlock()
		stop()
		return nil, err
	}
	a.Service, err = scrum.NewService(scrum.Config{Store: a.Store, Hasher: password.New(cfg.Password),
		ClosedSignup: cfg.ClosedSignup, AuthPerIPPerMinute: cfg.AuthPerIPPerMinute, Log: cfg.Log})
	if err != nil {
		a.Store.Close()
		_ = a.unlock()
		stop()
		return nil, err
	}
	liveCfg := live.Config{MaxPerUser: cfg.LiveMaxPerUser, MaxTotal: cfg.LiveMaxTotal}
	if IsPostgres(cfg.Database) {
		// Instances on one database share who is present; each renews its
		// rows three times a lifetime.
		board := postgres.Board{DB: a.Store.DB(), Lifetime: cmp.Or(cfg.PresenceLifetime, 30*time.Second)}
		liveCfg.Board, liveCfg.BoardEvery = board, board.Lifetime/3
	}
	a.Hub = live.NewHub(live.StoreSource{Store: a.Store}, cfg.Log, liveCfg)
	a.Store.OnChange(a.Hub.Wake)
	if IsPostgres(cfg.Database) {
		go postgres.Listen(bg, cfg.Database, cfg.Log, func(payload string) {
			if team, ok := strings.CutPrefix(payload, postgres.PresencePrefix); ok {
				a.Hub.PresenceChanged(team)
				return
			}
			a.Hub.Wake(payload)
			if payload == "" { // the connection was lost: presence changes were missed too
				a.Hub.PresenceChanged("")
			}
		})
	}
	a.Handler = a.handler()
	return a, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *App) handler() http.Handler {
	cfg := a.Config
	mux := NewMux()
	dbs := map[string]*sql.DB{"tandem_db_writer": a.Store.DB()}
	if a.Store.ReadDB() != a.Store.DB() {
		dbs["tandem_db_reader"] = a.Store.ReadDB()
	}
	m := newMetrics(a.Hub.Connections, a.Store.WriteStats, dbs)
	a.API = api.New(a.Service, a.Hub, cfg.Log, api.Config{BaseURL: a.baseURL(), SecureCookies: cfg.SecureCookies, Heartbeat: cfg.Heartbeat,
		HangupProbe: cfg.HangupProbe})
	a.API.Register(mux)
	web.New(a.Service, cfg.Log, web.Config{BaseURL: a.baseURL(), SecureCookies: cfg.SecureCookies}).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", m.handler())

	var h http.Handler = mux
	h = auth.Middleware{Auth: a.Service, TrustedProxies: cfg.TrustedProxies}.Wrap(h)
	h = crossOrigin(cfg.Log, h)
	h = securityHeaders(cfg.SecureCookies, h)
	h = recoverPanics(cfg.Log, m, h)
	h = observe(cfg.Log, m, h)
	return h
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.Store.Ping(ctx); err != nil {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (a *App) baseURL() string {
	if a.Config.BaseURL != "" {
		return strings.TrimSuffix(a.Config.BaseURL, "/")
	}
	return "http://" + a.Config.Addr
}

// Listen binds the configured address (":0" picks a free port) and returns
// the address bound.
func (a *App) Listen() (string, error) {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	a.ln = ln
	if a.Config.BaseURL == "" {
		a.Config.BaseURL = "http://" + ln.Addr().String()
		a.Handler = a.handler()
	}
	return ln.Addr().String(), nil
}

// Serve answers requests until ctx ends, then shuts down gracefully: new
// connections stop, live streams end, in-flight requests get 10 seconds.
func (a *App) Serve(ctx context.Context) error {
	if a.ln == nil {
		if _, err := a.Listen(); err != nil {
			return err
		}
	}
	a.srv = &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(a.Config.Log.Handler(), slog.LevelWarn),
	}
	adm := newAdmission(admitSlots, admitWait)
	a.srv.ConnState = adm.state
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(adm.listener(a.ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Hub.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.srv.Shutdown(shutdown)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// New connections on their first request at once (see admission), and
// how long another waits for a turn before it is taken in anyway.
const (
	admitSlots = 32
	admitWait  = 100 * time.Millisecond
)

// Close releases the store and background work.
func (a *App) Close() error {
	a.stop()
	a.Hub.Close()
	a.Service.Wait() // background work (rank rebalancing) still writes
	return errors.Join(a.Store.Close(), a.unlock())
}

// SQLitePath is the SQLite file cfg names: Database, or tandem.db in
// DataDir.
func SQLitePath(cfg Config) string {
	if cfg.Database != "" {
		return cfg.Database
	}
	return filepath.Join(cmpOr(cfg.DataDir, "tandem-data"), "tandem.db")
}
