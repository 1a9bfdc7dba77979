package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/storetest"
)

// `tandem search rebuild` repairs an index that lost its entries.
func TestSearchRebuild(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "tandem.db")
	open := func() *server.App {
		app, err := server.Open(ctx, server.Config{Database: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Password: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	app := open()
	po := storetest.MustUser(t, app.Store, "Priya")
	team := storetest.MustTeam(t, app.Store, "Orion", po)
	who := scrum.Actor{User: po}
	for _, title := range []string{"Refund button", "Refund emails", "Invoices"} {
		if _, err := app.Service.CreateItem(ctx, who, team.ID, scrum.ItemInput{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	found := func(app *server.App) int {
		its, _, err := app.Service.Items(ctx, who, team.ID, scrum.ItemFilter{Query: "refund"}, scrum.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(its)
	}
	if n := found(app); n != 2 {
		t.Fatalf("before the damage: %d found, want 2", n)
	}
	if _, err := app.Store.DB().Exec(`INSERT INTO items_fts (items_fts) VALUES ('delete-all')`); err != nil {
		t.Fatal(err)
	}
	if n := found(app); n != 0 {
		t.Fatalf("the damage did not take: %d found", n)
	}
	app.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"search", "rebuild", "--database", db}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("search rebuild: %v\n%s", err, errOut.String())
	}
	if got := out.String(); got != "search index rebuilt: 3 items\n" {
		t.Errorf("output %q", got)
	}
	app = open()
	defer app.Close()
	if n := found(app); n != 2 {
		t.Errorf("after the rebuild: %d found, want 2", n)
	}
	if err := run(ctx, []string{"search"}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("tandem search without rebuild: %v", err)
	}
}
