package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tandemhq/tandem/internal/demo"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc, _ := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if ok, err := demo.Seed(ctx, svc); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	if ok, err := demo.Seed(ctx, svc); ok || err != nil {
		t.Fatalf("second seed: %v %v, want nothing done", ok, err)
	}
	var po scrum.User
	if err := s.View(ctx, func(tx scrum.Tx) error {
		var err error
		po, _, err = tx.UserByEmail(ctx, demo.People[0].Email)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	actor := scrum.Actor{User: po}
	teams, _, _ := svc.Teams(ctx, actor, scrum.Page{})
	team := teams[0].ID
	its, _, err := svc.Items(ctx, actor, team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ready, epics := 0, 0
	for _, it := range its {
		if it.Status == scrum.StatusReady {
			ready++
		}
		if it.Type == scrum.TypeEpic {
			epics++
		}
	}
	if len(its) < 55 || epics < 5 || ready < 10 || ready > len(its)-20 {
		t.Errorf("got %d items, %d epics, %d ready: want ~60 items, several epics, some ready and some not", len(its), epics, ready)
	}
	if sg, _ := svc.Suggestions(ctx, actor, team); len(sg) != 1 {
		t.Errorf("got %d suggestions, want 1", len(sg))
	}
	if g, _ := svc.ProductGoal(ctx, actor, team); g.Text == "" {
		t.Error("no product goal")
	}
	if ref, _ := svc.Refinement(ctx, actor, team, 10); len(ref) != 10 {
		t.Errorf("got %d items to refine, want 10", len(ref))
	}
}
