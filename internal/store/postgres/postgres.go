// Package postgres opens Tandem's store on PostgreSQL (pgx). Several
// instances may share one database: migrations run under an advisory lock,
// writers of one team are serialised by a row lock, and commits wake the
// other instances through LISTEN/NOTIFY.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tandemhq/tandem/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Channel is the NOTIFY channel; the payload is a team id.
const Channel = "tandem_events"

// Dialect is PostgreSQL's part of the shared store.
var Dialect = store.Dialect{
	Name:        "postgres",
	LockTeamSQL: `SELECT id FROM teams WHERE id = $1 FOR UPDATE`,
	NotifySQL:   `SELECT pg_notify('` + Channel + `', $1)`,
	SearchSQL:   `items.search @@ to_tsquery('simple', %s)`,
	SearchQuery: searchQuery,
	MapError:    mapError,
	Retryable:   retryable,
}

// searchQuery builds a tsquery: each word as a prefix, all required
// ('checkout':* & 'saf':*). Words hold only letters and digits.
func searchQuery(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = "'" + t + "':*"
	}
	return strings.Join(q, " & ")
}

// WithAppName adds application_name=tandem to a URL that sets none, so an
// operator can find Tandem's connections in pg_stat_activity.
func WithAppName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("application_name") == "" {
		q.Set("application_name", "tandem")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Open connects to the database at dsn (a postgres:// URL), runs pending
// migrations and returns the store. Call Listen to receive other
// instances' commits.
func Open(ctx context.Context, dsn string, opts store.Options) (*store.Store, error) {
	dsn = WithAppName(dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return store.New(db, db, Dialect, opts), nil
}

// Provider returns the goose migration provider for db. Migrations take a
// session advisory lock, so two instances starting together apply them once.
func Provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return store.Provider(goose.DialectPostgres, db, migrations, locker)
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, db *sql.DB) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	return store.Up(ctx, p)
}
