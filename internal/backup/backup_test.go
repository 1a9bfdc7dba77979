package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/backup"
	"github.com/tandemhq/tandem/internal/demo"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

var now = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)

func open(t *testing.T, path string) *server.App {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{Database: path, Password: password.Fast})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return app
}

// demoDB writes the demo team to a new database and closes it.
func demoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tandem.db")
	app := open(t, path)
	if _, err := demo.Seed(context.Background(), app.Service); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// dump renders every row of every table of the database at path, sorted:
// two databases with the same dump hold the same data.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := storetest.Rows(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	var b strings.Builder
	for _, table := range tables {
		lines := storetest.Rows(t, db, `SELECT * FROM "`+table+`"`)
		slices.Sort(lines)
		fmt.Fprintf(&b, "%s %d\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// demoBackup is a backup of the demo team's database.
func demoBackup(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "demo-backup.db")
	if _, err := backup.SQLite(context.Background(), demoDB(t), out); err != nil {
		t.Fatal(err)
	}
	return out
}

func files(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// A backup restored into a fresh data directory holds exactly what the
// original held, and a server opens it.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := demoDB(t)
	out := filepath.Join(t.TempDir(), "tandem-backup.db")
	rep, err := backup.SQLite(ctx, src, out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Teams != 1 || rep.Items < 50 {
		t.Errorf("report %+v, want the demo team and its backlog", rep)
	}
	if _, err := backup.SQLite(ctx, src, out); err == nil {
		t.Error("a second backup over the first one succeeded, want a refusal")
	}

	dst := filepath.Join(t.TempDir(), "data", "tandem.db")
	res, err := backup.RestoreSQLite(ctx, out, dst, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.SafetyCopy != "" {
		t.Errorf("safety copy %q of a database that did not exist", res.SafetyCopy)
	}
	if got, want := dump(t, dst), dump(t, src); got != want {
		t.Fatalf("the restored database differs from the original")
	}
	app := open(t, dst)
	defer app.Close()
	teams, _, err := app.Service.Teams(ctx, scrum.Actor{User: scrum.User{ID: firstUser(t, dst)}}, scrum.Page{})
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams after restore: %v %v", teams, err)
	}
}

func firstUser(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id string
	if err := db.QueryRow(`SELECT user_id FROM members ORDER BY joined_at LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A backup taken while items are being created holds every item whose
// creation was acknowledged before the backup started, and passes the
// integrity and foreign key checks.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	path := demoDB(t)
	app := open(t, path)
	defer app.Close()
	po := scrum.Actor{User: scrum.User{ID: firstUser(t, path)}}
	teams, _, err := app.Service.Teams(ctx, po, scrum.Page{})
	if err != nil {
		t.Fatal(err)
	}
	team := teams[0].ID

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				it, err := app.Service.CreateItem(ctx, po, team, scrum.ItemInput{Title: fmt.Sprintf("Written during the backup %d.%d", w, i)})
				if err != nil {
					t.Errorf("create: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, it.ID)
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "online.db")
	rep, err := backup.SQLite(ctx, path, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("no item was created before the backup started")
	}
	db, err := sql.Open("sqlite", sqlite.DSN(out, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range before {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM items WHERE id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Fatalf("item %s, acknowledged before the backup, is not in it (%v)", id, err)
		}
	}
	t.Logf("FIGURE backup while writing: %d items acknowledged before it, %d in it, %d bytes", len(before), rep.Items, rep.Bytes)
}

// A copy that is cut short, not a database, not Tandem's, or from a newer
// Tandem is refused, and the database it was to replace stays as it was.
func TestRestoreRefusesBadCopies(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(demoBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	damaged := bytes.Clone(data)
	for i := len(damaged) / 2; i < len(damaged)/2+8192; i++ {
		damaged[i] = 0xA5
	}
	newer := write("newer.db", data)
	other := filepath.Join(dir, "other.db")
	for _, q := range []struct{ path, sql string }{
		{newer, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`},
		{other, `CREATE TABLE notes (body TEXT)`},
	} {
		db, err := sql.Open("sqlite", "file:"+q.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(q.sql); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}

	target := demoDB(t)
	app := open(t, target) // leaves a -wal and -shm behind it while open
	if _, err := app.Service.CreateUser(ctx, scrum.SignUp{Email: "kept@example.com", Name: "Kept", Password: "correct horse battery"}, false); err != nil {
		t.Fatal(err)
	}
	app.Close()
	before := files(t, target)

	for _, c := range []struct{ name, path, want string }{
		{"cut short", write("short.db", data[:len(data)/2]), ""},
		{"damaged", write("damaged.db", damaged), ""},
		{"not a database", write("text.db", []byte("these are not the pages you are looking for")), ""},
		{"not Tandem's", other, "not a Tandem database"},
		{"newer schema", newer, "newer than this tandem"},
		{"missing", filepath.Join(dir, "nowhere.db"), ""},
	} {
		_, err := backup.RestoreSQLite(ctx, c.path, target, now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a refusal saying %q", c.name, err, c.want)
		}
		if got := files(t, target); !mapsEqual(got, before) {
			t.Fatalf("%s: the data directory changed: %v → %v", c.name, keys(before), keys(got))
		}
	}
}

func mapsEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Restore refuses while a tandem has the database open; once it is
// stopped, the restore keeps a safety copy of what it replaces (with the
// commits still in its -wal) and leaves no old -wal beside the new file.
func TestRestoreWaitsForTheServerAndKeepsASafetyCopy(t *testing.T) {
	ctx := context.Background()
	from := demoBackup(t)
	target := filepath.Join(t.TempDir(), "tandem.db")
	app := open(t, target)
	u, err := app.Service.CreateUser(ctx, scrum.SignUp{Email: "only@example.com", Name: "Only Here", Password: "correct horse battery"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.RestoreSQLite(ctx, from, target, now); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore under a running tandem: got %v, want a refusal", err)
	}
	if _, err := backup.SQLite(ctx, target, filepath.Join(t.TempDir(), "online.db")); err != nil {
		t.Fatalf("a backup of the running tandem: %v", err)
	}

	// Stop it as a crash would: the last commits are only in the -wal.
	wal, err := os.ReadFile(target + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	mainFile, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	if err := os.WriteFile(target, mainFile, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := backup.RestoreSQLite(ctx, from, target, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old -wal is still beside the restored file (%v)", err)
	}
	if got, want := dump(t, target), dump(t, from); got != want {
		t.Error("the restored database differs from the backup")
	}
	if res.SafetyCopy == "" {
		t.Fatal("no safety copy")
	}
	db, err := sql.Open("sqlite", sqlite.DSN(res.SafetyCopy, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRow(`SELECT name FROM users WHERE id = ?`, u.ID).Scan(&name); err != nil || name != "Only Here" {
		t.Errorf("the safety copy lost the replaced database's last user: %q %v", name, err)
	}
}

// A database too damaged to be read can still be replaced: its files are
// kept as they were, and its -wal does not stay beside the new file.
func TestRestoreOverADamagedDatabase(t *testing.T) {
	ctx := context.Background()
	from := demoBackup(t)
	target := filepath.Join(t.TempDir(), "tandem.db")
	junk := bytes.Repeat([]byte("not a database "), 1000)
	junkWAL := bytes.Repeat([]byte("not a log "), 500)
	if err := os.WriteFile(target, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target+"-wal", junkWAL, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := backup.RestoreSQLite(ctx, from, target, now)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(res.SafetyCopy)
	if err != nil || !bytes.Equal(kept, junk) {
		t.Errorf("safety copy %s: %v, want the damaged file's bytes", res.SafetyCopy, err)
	}
	if kept, err := os.ReadFile(res.SafetyCopy + "-wal"); err != nil || !bytes.Equal(kept, junkWAL) {
		t.Errorf("safety copy of the -wal: %v, want the damaged -wal's bytes", err)
	}
	if _, err := os.Stat(target + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old -wal is still beside the restored file (%v)", err)
	}
	if _, err := backup.Check(ctx, target); err != nil {
		t.Errorf("the restored database: %v", err)
	}
}

// A -wal left without its database (the file was deleted by hand) must
// not stay beside the restored file: SQLite would replay its commits,
// which belong to another database, into it.
func TestRestoreRemovesAnOrphanedWAL(t *testing.T) {
	ctx := context.Background()
	from := demoBackup(t)
	target := filepath.Join(t.TempDir(), "tandem.db")
	app := open(t, target)
	if _, err := demo.Seed(ctx, app.Service); err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(target + "-wal")
	if err != nil || len(wal) == 0 {
		t.Fatalf("no -wal while open: %v", err)
	}
	app.Close()
	if err := os.Remove(target); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.RestoreSQLite(ctx, from, target, now); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the orphaned -wal is still beside the restored file (%v)", err)
	}
}
