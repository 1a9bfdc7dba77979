package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/backup"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

// `tandem backup` copies a data directory's database while its server
// runs; `tandem restore` refuses while it runs and, once it is stopped,
// puts the copy back: an item created after the backup is gone again, and
// the database restore replaced is kept beside it.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *server.App {
		app, err := server.Open(ctx, server.Config{DataDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Password: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	app := open()
	po := storetest.MustUser(t, app.Store, "Priya")
	team := storetest.MustTeam(t, app.Store, "Orion", po)
	who := scrum.Actor{User: po}
	create := func(title string) {
		if _, err := app.Service.CreateItem(ctx, who, team.ID, scrum.ItemInput{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(app *server.App) int {
		its, _, err := app.Service.Items(ctx, who, team.ID, scrum.ItemFilter{}, scrum.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(its)
	}
	create("Refund button")
	create("Refund emails")

	file := filepath.Join(t.TempDir(), "monday.db")
	out, err := cli("backup", "--data-dir", dir, "--out", file)
	if err != nil || !strings.Contains(out, "1 teams, 2 items") {
		t.Fatalf("backup: %q %v", out, err)
	}
	create("Invoices, after the backup")
	if _, err := cli("restore", "--data-dir", dir, "--from", file); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore under the running server: %v, want a refusal", err)
	}
	if got := count(app); got != 3 {
		t.Fatalf("after the refused restore the backlog has %d items, want 3", got)
	}
	app.Close()

	out, err = cli("restore", "--data-dir", dir, "--from", file)
	if err != nil || !strings.Contains(out, "kept as") {
		t.Fatalf("restore: %q %v", out, err)
	}
	app = open()
	defer app.Close()
	if got := count(app); got != 2 {
		t.Errorf("after the restore the backlog has %d items, want the backup's 2", got)
	}
	// The audit log says both, the backup's record kept in the backup.
	rows, err := app.Store.DB().QueryContext(ctx, `SELECT action, target, detail FROM audit WHERE action LIKE 'data.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var action, target, detail string
		if err := rows.Scan(&action, &target, &detail); err != nil {
			t.Fatal(err)
		}
		got = append(got, action+" "+target)
		if !strings.Contains(detail, "@") {
			t.Errorf("audit detail %q does not say who ran it where", detail)
		}
	}
	rows.Close()
	if want := []string{"data.backup " + file, "data.restore " + file}; !slices.Equal(got, want) {
		t.Errorf("audit log has %q, want %q", got, want)
	}
	if _, err := cli("backup", "--out", file, "--database", "postgres://localhost/tandem"); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup on PostgreSQL: %v, want the pg_dump hint", err)
	}
}

// A backup taken with a newer tandem than the one serving (before an
// upgrade) copies the database as it is: it must not migrate it under the
// running server.
func TestBackupDoesNotMigrate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "tandem.db")
	app, err := server.Open(ctx, server.Config{Database: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	newest, err := sqlite.SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", sqlite.DSN(db, false))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sqlite.Provider(conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, newest-1); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	out := filepath.Join(t.TempDir(), "before-upgrade.db")
	var stderr bytes.Buffer
	if err := run(ctx, []string{"backup", "--database", db, "--out", out}, strings.NewReader(""), io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "without an audit entry") {
		t.Errorf("stderr %q does not say the audit entry was skipped", stderr.String())
	}
	for _, path := range []string{db, out} {
		if v, err := backup.Schema(ctx, path); err != nil || v != newest-1 {
			t.Errorf("%s: schema %d (%v), want %d: the backup migrated", path, v, err, newest-1)
		}
	}
}
