package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/tandemhq/tandem/internal/store/postgres"
	"github.com/tandemhq/tandem/internal/storetest"
)

// schema renders the tables, columns, indexes and constraints of the
// test's schema.
func schema(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
		`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		`SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text, conname`,
		`SELECT event_object_table, trigger_name, action_statement FROM information_schema.triggers
			WHERE trigger_schema = current_schema() ORDER BY 1, 2`,
	} {
		for _, row := range storetest.Rows(t, db, q) {
			fmt.Fprintln(&b, row)
		}
	}
	return b.String()
}

// Every migration goes down as well as up: on an empty database, all up,
// all down and all up again gives the same schema, and all down leaves
// none of Tandem's tables.
func TestMigrationsUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := postgres.Provider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	first := schema(t, db)
	if !strings.Contains(first, "items") {
		t.Fatalf("no items table after migrating up:\n%s", first)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("all down: %v", err)
	}
	var left []string
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		left = append(left, name)
	}
	rows.Close()
	if len(left) > 0 {
		t.Errorf("tables left after all down: %v", left)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if second := schema(t, db); second != first {
		t.Errorf("the schema after down and up differs:\n%s\nwant\n%s", second, first)
	}
}

// Instances starting at the same moment on an empty database: all
// start, and each migration is applied once (goose's session advisory
// lock), not twice.
func TestMigrationsRunOnceAcrossInstances(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	const instances = 4
	errs := make(chan error, instances)
	start := make(chan struct{})
	for range instances {
		go func() {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			<-start
			errs <- postgres.Migrate(ctx, db)
		}()
	}
	close(start)
	for range instances {
		if err := <-errs; err != nil {
			t.Fatalf("an instance failed to start: %v", err)
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var applied, versions int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	if applied != versions || versions == 0 {
		t.Errorf("goose_db_version has %d rows for %d migrations, want one each", applied, versions)
	}
}
