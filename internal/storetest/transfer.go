package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/backlogcsv"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

func runTransfer(t *testing.T, open Opener) {
	t.Run("ImportAtomic", func(t *testing.T) { testImportAtomic(t, open(t)) })
	t.Run("Import10k", func(t *testing.T) { testImportLarge(t, open(t)) })
	t.Run("Comments", func(t *testing.T) { testComments(t, open(t)) })
}

func testImportAtomic(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	f.add(t, "Existing")
	drafts := []backlogcsv.Item{
		{Row: 2, Key: "E", Type: "epic", Title: "Epic"},
		{Row: 3, Key: "A", Title: "A", ParentKey: "E", Labels: []string{"x"},
			Comments: []backlogcsv.Comment{{Author: "bob", Body: "hello"}}},
		{Row: 4, Key: "B", Title: strings.Repeat("t", 300)},
		{Row: 5, Key: "C", Title: "C", ParentKey: "D"},
		{Row: 6, Key: "D", Title: "D", ParentKey: "C"},
	}
	_, err := f.svc.ImportItems(ctx, f.po, f.team, drafts, false)
	var de *scrum.Error
	if !errorsAs(err, &de) || de.Code != scrum.CodeInvalid {
		t.Fatalf("got %v, want a 422", err)
	}
	var got []string
	for _, fe := range de.Fields {
		got = append(got, fmt.Sprintf("%d:%s", fe.Row, fe.Field))
	}
	if s := strings.Join(got, " "); !strings.Contains(s, "4:title") || !strings.Contains(s, "5:parent") || !strings.Contains(s, "6:parent") {
		t.Errorf("got problems %s, want row 4 title and the cycle in rows 5 and 6", s)
	}
	if got := f.order(t); got != "Existing" {
		t.Errorf("got %q, want nothing written", got)
	}
	_, err = f.svc.ImportItems(ctx, f.dev, f.team, drafts[:2], false)
	wantCode(t, err, scrum.CodeForbidden)
	res, err := f.svc.ImportItems(ctx, f.po, f.team, drafts[:2], false)
	if err != nil || res.Items != 2 || res.Comments != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if got := f.order(t); got != "Existing Epic A" {
		t.Errorf("got %q, want the import appended in file order", got)
	}
	its, _, _ := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{Label: "x"}, scrum.Page{})
	if len(its) != 1 || its[0].ParentID != res.First[0].ID || its[0].Number != 3 {
		t.Errorf("got %+v, want A labelled, under Epic, numbered 3", its)
	}
	if its, _, _ := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{Query: "epic"}, scrum.Page{}); len(its) != 1 {
		t.Errorf("imported items are not searchable: got %d", len(its))
	}
	cs, _, _, err := f.svc.Comments(ctx, f.dev, f.team, its[0].ID, scrum.Page{})
	if err != nil || len(cs) != 1 || cs[0].ImportedAuthor != "bob" {
		t.Errorf("got comments %+v (%v)", cs, err)
	}
	var es []scrum.Event
	view(t, s, func(tx scrum.Tx) error {
		var err error
		es, err = tx.AllEvents(ctx, f.team, 0, 100)
		return err
	})
	if last := es[len(es)-1]; last.Type != scrum.EventItemsImported || !strings.Contains(string(last.Data), `"count":2`) {
		t.Errorf("got last event %s %s, want one items.imported", last.Type, last.Data)
	}
}

func testImportLarge(t *testing.T, s *store.Store) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	f := newBacklog(t, s)
	n := 10000
	if raceEnabled {
		n = 1000
	}
	drafts := make([]backlogcsv.Item, n)
	for i := range drafts {
		drafts[i] = backlogcsv.Item{Row: i + 2, Key: fmt.Sprint("K", i), Title: fmt.Sprintf("Imported story %d", i),
			Description: "As a user I want something **useful** so that it helps.", Labels: []string{"import", fmt.Sprint("l", i%7)},
			AcceptanceCriteria: []backlogcsv.Criterion{{Text: "it works"}}}
		if i%50 != 0 {
			drafts[i].ParentKey = fmt.Sprint("K", i-i%50)
		} else {
			drafts[i].Type = "epic"
		}
	}
	start := time.Now()
	res, err := f.svc.ImportItems(ctx, f.po, f.team, drafts, false)
	took := time.Since(start)
	if err != nil || res.Items != n {
		t.Fatalf("import: %v", err)
	}
	t.Logf("FIGURE import_%d_rows_%s=%.2f s", n, s.Dialect().Name, took.Seconds())
	if took > 30*time.Second && !raceEnabled {
		t.Errorf("importing %d rows took %v, want seconds", n, took)
	}
	its, _, err := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	if err != nil || len(its) != min(n, 1000) || its[0].Title != "Imported story 0" || its[len(its)-1].Title != fmt.Sprint("Imported story ", len(its)-1) {
		t.Errorf("got %d items, want the file order", len(its))
	}
}

func testComments(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	it := f.add(t, "Refunds")[0]
	c, err := f.svc.AddComment(ctx, f.po, f.team, it.ID, "Thanks @lena and @Priya — see https://example.com")
	if err != nil || len(c.Mentions) != 2 || c.Mentions[0] != f.dev.User.ID {
		t.Fatalf("got %+v %v, want Lena and Priya mentioned", c, err)
	}
	for i := range 3 {
		if _, err := f.svc.AddComment(ctx, f.dev, f.team, it.ID, fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
	}
	cs, next, _, err := f.svc.Comments(ctx, f.dev, f.team, it.ID, scrum.Page{Limit: 3})
	if err != nil || len(cs) != 3 || next == "" || cs[0].AuthorName != "Priya" {
		t.Fatalf("page 1: %d %q %v", len(cs), next, err)
	}
	cs, next, _, _ = f.svc.Comments(ctx, f.dev, f.team, it.ID, scrum.Page{Limit: 3, Cursor: next})
	if len(cs) != 1 || cs[0].Body != "c2" || next != "" {
		t.Errorf("page 2: got %+v", cs)
	}
	_, err = f.svc.AddComment(ctx, f.dev, f.team, it.ID, strings.Repeat("x", scrum.MaxCommentLen+1))
	wantField(t, err, "body")
	other := newBacklog(t, s)
	_, err = f.svc.AddComment(ctx, other.po, f.team, it.ID, "hi")
	wantCode(t, err, scrum.CodeNotFound)
}

// FillBacklog imports n items into the team and returns their ids in order.
func FillBacklog(b testing.TB, s *store.Store, svc *scrum.Service, po scrum.Actor, teamID string, n int) []string {
	b.Helper()
	drafts := make([]backlogcsv.Item, n)
	for i := range drafts {
		drafts[i] = backlogcsv.Item{Row: i + 2, Title: fmt.Sprintf("Story %d", i), Labels: []string{"bench"},
			Description: "As a user I want a thing so that I benefit.", AcceptanceCriteria: []backlogcsv.Criterion{{Text: "works"}}}
	}
	if _, err := svc.ImportItems(context.Background(), po, teamID, drafts, false); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 0, n)
	for p := (scrum.Page{Limit: 1000}); ; {
		its, next, err := svc.Items(context.Background(), po, teamID, scrum.ItemFilter{}, p)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range its {
			ids = append(ids, it.ID)
		}
		if next == "" {
			return ids
		}
		p.Cursor = next
	}
}
