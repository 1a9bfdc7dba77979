package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

// TestTablesSurviveTheirRebuild: migrations 00009 and 00010 rebuild the
// events and items tables with new keys. Taking them back down and up
// again over a team's real backlog keeps every event and item as they
// were, with their labels, parents, comments and search index; foreign
// keys are enforced again afterwards and hold; and the next event
// continues the team's sequence.
func TestTablesSurviveTheirRebuild(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	s, err := sqlite.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if err != nil {
		t.Fatal(err)
	}
	po := storetest.MustUser(t, s, "Priya")
	team := storetest.MustTeam(t, s, "Orion", po)
	actor := scrum.Actor{User: po}
	epic, err := svc.CreateItem(ctx, actor, team.ID, scrum.ItemInput{Title: "Checkout epic"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		it, err := svc.CreateItem(ctx, actor, team.ID, scrum.ItemInput{Title: fmt.Sprint("Story ", i, " of the checkout"),
			Labels: []string{"web", fmt.Sprint("l", i%2)}, ParentID: epic.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(ctx, actor, team.ID, it.ID, "Looks right"); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	before, items := dumpEvents(t, path), dumpItems(t, path)
	if len(before) < 5 {
		t.Fatalf("only %d events before the migration", len(before))
	}

	db, err := sql.Open("sqlite", sqlite.DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	p, err := sqlite.Provider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatalf("down to 8: %v", err)
	}
	checkKeys(t, db)
	db.Close()
	if got := dumpEvents(t, path); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("after migrating down the events are\n%v\nwant\n%v", got, before)
	}
	if got := dumpItems(t, path); got != items {
		t.Fatalf("after migrating down the items are\n%v\nwant\n%v", got, items)
	}

	s, err = sqlite.Open(ctx, path, store.Options{}) // migrates up again
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc, err = scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if err != nil {
		t.Fatal(err)
	}
	found, _, err := svc.Items(ctx, actor, team.ID, scrum.ItemFilter{Query: "checkout", Label: "l1"}, scrum.Page{})
	if err != nil || len(found) != 2 {
		t.Errorf("search and label filter after migrating up: got %d items (%v), want 2", len(found), err)
	}
	if _, err := svc.CreateItem(ctx, actor, team.ID, scrum.ItemInput{Title: "After"}); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, s.DB())
	var enforced int
	if err := s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&enforced); err != nil || enforced != 1 {
		t.Errorf("foreign keys enforced after the migration: %d (%v), want 1", enforced, err)
	}
	s.Close()
	if got := dumpItems(t, path); !strings.HasPrefix(got, items) || got == items {
		t.Errorf("after migrating up and one create the items are\n%v\nwant\n%v and one more", got, items)
	}
	after := dumpEvents(t, path)
	if len(after) != len(before)+1 || fmt.Sprint(after[:len(before)]) != fmt.Sprint(before) {
		t.Fatalf("after migrating up and one create the events are\n%v\nwant\n%v and one more", after, before)
	}
	if last := after[len(after)-1]; last.seq != before[len(before)-1].seq+1 || last.typ != scrum.EventItemCreated {
		t.Errorf("the next event is %+v, want seq %d, item.created", last, before[len(before)-1].seq+1)
	}
}

type storedEvent struct {
	team, typ, subject, data string
	seq                      int64
}

func dumpEvents(t *testing.T, path string) []storedEvent {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT team_id, seq, type, subject_id, data FROM events ORDER BY team_id, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if err := rows.Scan(&e.team, &e.seq, &e.typ, &e.subject, &e.data); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpItems is every item column that a rebuild must carry over, one line
// per item in search_rowid order.
func dumpItems(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out string
	if err := db.QueryRow(`SELECT COALESCE(group_concat(line, char(10)), '') FROM (SELECT json_array(search_rowid, id, team_id,
		number, type, title, description, criteria, value, estimate, labels, parent_id, status, rank, version, created_at,
		created_by, updated_at, ready, ready_ticks, goal_linked) AS line FROM items ORDER BY search_rowid)`).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkKeys fails when any foreign key is broken or the file is damaged.
func checkKeys(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Error("a foreign key is broken after the migration")
	}
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity check: %s (%v)", ok, err)
	}
}

// Every migration goes down as well as up: on an empty database, all up,
// all down and all up again gives the same schema, and all down leaves
// none of Tandem's tables.
func TestMigrationsUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(t.TempDir(), "tandem.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := sqlite.Provider(db)
	if err != nil {
		t.Fatal(err)
	}
	schema := func() string {
		t.Helper()
		rows, err := db.Query(`SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master
			WHERE name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY type, name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var typ, name, table, sql string
			if err := rows.Scan(&typ, &name, &table, &sql); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s %s\n%s\n", typ, name, table, sql)
		}
		return b.String()
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	first := schema()
	if !strings.Contains(first, "table items items") {
		t.Fatalf("no items table after migrating up:\n%s", first)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("all down: %v", err)
	}
	if left := schema(); left != "" {
		t.Errorf("left after all down:\n%s", left)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if second := schema(); second != first {
		t.Errorf("the schema after down and up differs:\n%s\nwant\n%s", second, first)
	}
}

// A migration that fails part-way leaves the database at the version
// before it, with nothing of the failed migration applied, and says which
// migration failed; the next start does not pretend it passed.
func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{}
	names, err := fs.Glob(os.DirFS("."), "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		fsys[n] = &fstest.MapFile{Data: data}
	}
	newest, err := sqlite.SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	broken := fmt.Sprintf("migrations/%05d_broken.sql", newest+1)
	fsys[broken] = &fstest.MapFile{Data: []byte(`-- +goose Up
CREATE TABLE half_done (id INTEGER PRIMARY KEY);
INSERT INTO half_done (id) VALUES (1);
ALTER TABLE items ADD COLUMN half_done INTEGER;
INSERT INTO no_such_table VALUES (1);

-- +goose Down
DROP TABLE half_done;
`)}

	db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(t.TempDir(), "tandem.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := store.Provider(goose.DialectSQLite3, db, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // and again, as a restarted server would
		err = store.Up(ctx, p)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprint(newest+1)) || !strings.Contains(err.Error(), "no_such_table") {
			t.Fatalf("got %v, want an error naming migration %d and its cause", err, newest+1)
		}
		v, err := p.GetDBVersion(ctx)
		if err != nil || v != newest {
			t.Fatalf("version %d (%v) after the failure, want %d", v, err, newest)
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the failed migration's table exists (%d, %v)", n, err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('items') WHERE name = 'half_done'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the failed migration's column exists (%d, %v)", n, err)
		}
	}
}
