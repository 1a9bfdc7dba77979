package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// The Seed helpers set up data through the service, skipping the pages, for
// tests whose subject is elsewhere. The UI flows themselves are User's
// methods (SignUp, CreateTeam, CreateInvite, Join…).

// SeedTeam creates a team with po as its Product Owner and returns its id.
func (s *Server) SeedTeam(t testing.TB, name string, po *User) string {
	t.Helper()
	ctx, cancel := seedContext()
	defer cancel()
	team, err := s.App.Service.CreateTeam(ctx, po.Actor(), name)
	if err != nil {
		t.Fatalf("seed team %q: %v", name, err)
	}
	return team.ID
}

// SeedMember puts u on the team with the given accountabilities
// (Developer when none), through an invite that by makes and u accepts.
func (s *Server) SeedMember(t testing.TB, teamID string, by, u *User, accs ...scrum.Accountability) {
	t.Helper()
	if len(accs) == 0 {
		accs = []scrum.Accountability{scrum.Developer}
	}
	ctx, cancel := seedContext()
	defer cancel()
	_, code, err := s.App.Service.CreateInvite(ctx, by.Actor(), teamID, scrum.InviteSpec{Accountabilities: accs})
	if err != nil {
		t.Fatalf("seed invite for %s: %v", u.Name, err)
	}
	if _, err := s.App.Service.AcceptInvite(ctx, u.Actor(), code); err != nil {
		t.Fatalf("seed %s joining: %v", u.Name, err)
	}
}

func seedContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}
