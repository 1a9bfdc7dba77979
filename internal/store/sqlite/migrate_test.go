package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

// TestEventsSurviveTheirTableRebuild: migration 00009 moves every event
// into a table keyed by rowid. Taking it back down and up again over a
// team's real history keeps every event as it was, and the next event
// continues the team's sequence.
func TestEventsSurviveTheirTableRebuild(t *testing.T) {
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
	for i := range 5 {
		if _, err := svc.CreateItem(ctx, scrum.Actor{User: po}, team.ID, scrum.ItemInput{Title: fmt.Sprint("Story ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	before := dumpEvents(t, path)
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
	db.Close()
	if got := dumpEvents(t, path); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("after migrating down the events are\n%v\nwant\n%v", got, before)
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
	if _, err := svc.CreateItem(ctx, scrum.Actor{User: po}, team.ID, scrum.ItemInput{Title: "After"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
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
