// Command estseed seeds a planning-poker session for the estimation bench
// straight through scrum.Service, before the server starts: a Product
// Owner, a Scrum Master (the facilitator), -voters Developers, a few
// stories, and an open session whose first item is current. It signs
// everyone in and prints their ids and session tokens as JSON. Passwords
// use the cheap test hash (the server verifies whatever cost a hash names)
// and sign-in is not throttled here, so 500 voters take seconds.
//
//	estseed -data-dir DIR -voters 500 > seed.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

// Seed is what estseed prints.
type Seed struct {
	TeamID      string   `json:"team_id"`
	SessionID   string   `json:"session_id"`
	ItemIDs     []string `json:"item_ids"`
	Facilitator Person   `json:"facilitator"`
	Voters      []Person `json:"voters"`
}

// Person is a signed-in account.
type Person struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

const pw = "bench-password-0123"

func main() {
	dataDir := flag.String("data-dir", "", "Tandem's data directory")
	voters := flag.Int("voters", 50, "Developers (voters) to create")
	items := flag.Int("items", 3, "stories in the session")
	flag.Parse()
	if err := run(context.Background(), *dataDir, *voters, *items, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "estseed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dataDir string, voters, items int, out io.Writer) error {
	app, err := server.Open(ctx, server.Config{DataDir: dataDir, Password: password.Fast,
		AuthPerIPPerMinute: 1 << 30, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer app.Close()
	svc := app.Service
	mk := func(name string) (scrum.User, error) {
		return svc.CreateUser(ctx, scrum.SignUp{Email: name + "@bench.tandem", Name: "Bench " + name, Password: pw}, false)
	}
	login := func(u scrum.User, i int) (Person, error) {
		_, tok, err := svc.Login(ctx, u.Email, pw, fmt.Sprintf("10.%d.%d.1", i/250, i%250))
		return Person{ID: u.ID, Token: tok}, err
	}
	po, err := mk("po")
	if err != nil {
		return err
	}
	sm, err := mk("sm")
	if err != nil {
		return err
	}
	owner := scrum.Actor{User: po}
	team, err := svc.CreateTeam(ctx, owner, "Estimation bench")
	if err != nil {
		return err
	}
	join := func(u scrum.User, acc scrum.Accountability, code *string, uses *int) error {
		if *uses == 0 {
			_, c, err := svc.CreateInvite(ctx, owner, team.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{acc}, MaxUses: 50})
			if err != nil {
				return err
			}
			*code, *uses = c, 50
		}
		*uses--
		_, err := svc.AcceptInvite(ctx, scrum.Actor{User: u}, *code)
		return err
	}
	var smCode string
	smUses := 0
	if err := join(sm, scrum.ScrumMaster, &smCode, &smUses); err != nil {
		return fmt.Errorf("scrum master joins: %w", err)
	}
	devs := make([]scrum.User, voters)
	for i := range devs {
		if devs[i], err = mk(fmt.Sprintf("dev%d", i)); err != nil {
			return err
		}
	}
	// Developers are written as members directly, in one transaction: the
	// service caps a team at scrum.MaxTeamMembers (100), and the bench
	// needs up to 500 distinct voters in one session.
	err = app.Store.Update(ctx, func(tx scrum.Tx) error {
		for _, u := range devs {
			m := scrum.Member{TeamID: team.ID, UserID: u.ID, Name: u.Name, Email: u.Email,
				Accountabilities: []scrum.Accountability{scrum.Developer}, Version: 1, JoinedAt: tx.Now()}
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("developers join: %w", err)
	}
	seed := Seed{TeamID: team.ID}
	for i := range items {
		it, err := svc.CreateItem(ctx, owner, team.ID, scrum.ItemInput{Type: scrum.TypeStory,
			Title: fmt.Sprintf("Bench story %d", i+1), Description: "A story to estimate.",
			AcceptanceCriteria: []scrum.Criterion{{Text: "it works"}}})
		if err != nil {
			return err
		}
		seed.ItemIDs = append(seed.ItemIDs, it.ID)
	}
	fac := scrum.Actor{User: sm}
	ses, err := svc.OpenEstimation(ctx, fac, team.ID, scrum.EstimationInput{Title: "Bench refinement",
		Deck: scrum.DeckModifiedFibonacci, ItemIDs: seed.ItemIDs})
	if err != nil {
		return err
	}
	if _, err := svc.NextItem(ctx, fac, ses.ID, ses.Version); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	seed.SessionID = ses.ID
	if seed.Facilitator, err = login(sm, 0); err != nil {
		return err
	}
	for i, u := range devs {
		p, err := login(u, i+1)
		if err != nil {
			return err
		}
		seed.Voters = append(seed.Voters, p)
	}
	return json.NewEncoder(out).Encode(seed)
}
