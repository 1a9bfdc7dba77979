// Package demo seeds a realistic team so a newcomer has something real to
// click through: a Product Owner, a Scrum Master, three Developers and
// their responsibility map, a product goal, a Definition of Ready and a
// backlog of some sixty items,
// a finished planning-poker session and a live one. Seeding is idempotent.
package demo

import (
	"context"
	"fmt"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Password is every demo account's password.
const Password = "tandem-demo"

// Person is a demo account.
type Person struct {
	Name, Email string
	Acc         scrum.Accountability
}

// People are the demo team, Product Owner first.
var People = []Person{
	{"Priya Shah", "priya@demo.tandem", scrum.ProductOwner},
	{"Marco Rossi", "marco@demo.tandem", scrum.ScrumMaster},
	{"Lena Vogel", "lena@demo.tandem", scrum.Developer},
	{"Sam Okafor", "sam@demo.tandem", scrum.Developer},
	{"Aiko Tanaka", "aiko@demo.tandem", scrum.Developer},
}

// Seed creates the demo team unless it exists. It returns whether it
// created anything.
func Seed(ctx context.Context, svc *scrum.Service) (bool, error) {
	users := make([]scrum.User, len(People))
	for i, p := range People {
		u, err := svc.CreateUser(ctx, scrum.SignUp{Email: p.Email, Name: p.Name, Password: Password}, false)
		if err != nil {
			if scrum.IsCode(err, scrum.CodeInvalid) && i == 0 {
				return false, nil // already seeded
			}
			return false, fmt.Errorf("demo user %s: %w", p.Email, err)
		}
		users[i] = u
	}
	actor := func(i int) scrum.Actor { return scrum.Actor{User: users[i]} }
	team, err := svc.CreateTeam(ctx, actor(0), "Orion")
	if err != nil {
		return false, fmt.Errorf("demo team: %w", err)
	}
	for i, p := range People[1:] {
		_, code, err := svc.CreateInvite(ctx, actor(0), team.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{p.Acc}})
		if err != nil {
			return false, fmt.Errorf("demo invite: %w", err)
		}
		if _, err := svc.AcceptInvite(ctx, actor(i+1), code); err != nil {
			return false, fmt.Errorf("demo join: %w", err)
		}
	}
	// Marco also develops; the team rotates retro facilitation, starting
	// with Lena, by name.
	if _, err := svc.SetAccountabilities(ctx, actor(1), team.ID, users[1].ID,
		[]scrum.Accountability{scrum.ScrumMaster, scrum.Developer}, 0); err != nil {
		return false, fmt.Errorf("demo accountabilities: %w", err)
	}
	if _, err := svc.Reassign(ctx, actor(1), team.ID, scrum.RespFacilitateRetro, scrum.Owner{UserID: users[2].ID}, 0); err != nil {
		return false, fmt.Errorf("demo map: %w", err)
	}
	if err := seedBacklog(ctx, svc, team.ID, users); err != nil {
		return false, err
	}
	if err := seedEstimation(ctx, svc, team.ID, users); err != nil {
		return false, err
	}
	return true, nil
}
