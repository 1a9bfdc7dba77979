// Package storetest is the conformance suite every store engine passes: the
// same tests run on SQLite and on PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

// Opener returns a fresh, empty, migrated store for one test.
type Opener func(t *testing.T) *store.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("SessionsAndTokens", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Teams", func(t *testing.T) { testTeams(t, open(t)) })
	t.Run("OneProductOwner", func(t *testing.T) { testOneProductOwner(t, open(t)) })
	t.Run("Responsibilities", func(t *testing.T) { testResponsibilities(t, open(t)) })
	t.Run("Invites", func(t *testing.T) { testInvites(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("EventAudience", func(t *testing.T) { testEventAudience(t, open(t)) })
	t.Run("AuditAppendOnly", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("Throttles", func(t *testing.T) { testThrottles(t, open(t)) })
	t.Run("RollbackOnError", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, open(t)) })
	t.Run("ConcurrentEventsOneTeam", func(t *testing.T) { testConcurrentEvents(t, open(t)) })
	t.Run("OnChange", func(t *testing.T) { testOnChange(t, open(t)) })
	runBacklog(t, open)
	runRefinement(t, open)
	runTransfer(t, open)
	runEstimation(t, open)
}

// Helpers shared by the suite's files.

func update(t *testing.T, s scrum.Store, fn func(scrum.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func view(t *testing.T, s scrum.Store, fn func(scrum.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

func wantCode(t *testing.T, err error, code scrum.Code) {
	t.Helper()
	if got := scrum.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// MustUser stores a user and returns it.
func MustUser(t *testing.T, s scrum.Store, name string) scrum.User {
	t.Helper()
	u := scrum.User{ID: scrum.NewID(), Email: fmt.Sprintf("%s-%s@example.com", name, scrum.NewID()[10:]), Name: name, Version: 1, CreatedAt: epoch}
	update(t, s, func(tx scrum.Tx) error { return tx.CreateUser(context.Background(), u, "hash") })
	return u
}

// MustTeam stores a team with the given members (the first is Product
// Owner, the rest Developers) and returns it.
func MustTeam(t *testing.T, s scrum.Store, name string, members ...scrum.User) scrum.Team {
	t.Helper()
	team := scrum.Team{ID: scrum.NewID(), Name: name, Version: 1, CreatedAt: epoch, CreatedBy: members[0].ID}
	ctx := context.Background()
	update(t, s, func(tx scrum.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		for i, u := range members {
			acc := scrum.Developer
			if i == 0 {
				acc = scrum.ProductOwner
			}
			m := scrum.Member{TeamID: team.ID, UserID: u.ID, Accountabilities: []scrum.Accountability{acc}, Version: 1, JoinedAt: epoch}
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return team
}

func testUsers(t *testing.T, s *store.Store) {
	ctx := context.Background()
	u := scrum.User{ID: scrum.NewID(), Email: "ada@example.com", Name: "Ada", SiteAdmin: true, Version: 1, CreatedAt: epoch}
	update(t, s, func(tx scrum.Tx) error { return tx.CreateUser(ctx, u, "the-hash") })
	view(t, s, func(tx scrum.Tx) error {
		got, hash, err := tx.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			return err
		}
		if got != u || hash != "the-hash" {
			t.Errorf("got %+v %q, want %+v %q", got, hash, u, "the-hash")
		}
		if _, err := tx.User(ctx, scrum.NewID()); scrum.ErrorCode(err) != scrum.CodeNotFound {
			t.Errorf("unknown user: got %v, want not found", err)
		}
		n, err := tx.CountUsers(ctx)
		if n != 1 {
			t.Errorf("got %d users, want 1", n)
		}
		return err
	})
	dup := u
	dup.ID = scrum.NewID()
	err := s.Update(ctx, func(tx scrum.Tx) error { return tx.CreateUser(ctx, dup, "x") })
	wantCode(t, err, scrum.CodeConflict)
}

func testSessions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	u := MustUser(t, s, "sam")
	ss := scrum.Session{Hash: scrum.HashSecret("s1"), UserID: u.ID, CreatedAt: epoch, LastSeenAt: epoch, ExpiresAt: epoch.Add(time.Hour)}
	update(t, s, func(tx scrum.Tx) error { return tx.CreateSession(ctx, ss) })
	later := epoch.Add(time.Minute)
	update(t, s, func(tx scrum.Tx) error { return tx.TouchSession(ctx, ss.Hash, later) })
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Session(ctx, ss.Hash)
		if err != nil {
			return err
		}
		if !got.LastSeenAt.Equal(later) || got.UserID != u.ID || !got.ExpiresAt.Equal(ss.ExpiresAt) {
			t.Errorf("got session %+v, want last seen %v", got, later)
		}
		return nil
	})
	update(t, s, func(tx scrum.Tx) error { return tx.DeleteSession(ctx, ss.Hash) })
	err := s.View(ctx, func(tx scrum.Tx) error { _, err := tx.Session(ctx, ss.Hash); return err })
	wantCode(t, err, scrum.CodeNotFound)

	k := scrum.Token{ID: scrum.NewID(), UserID: u.ID, Name: "ci", Hash: scrum.HashSecret("k"), CreatedAt: epoch}
	update(t, s, func(tx scrum.Tx) error { return tx.CreateToken(ctx, k) })
	other := MustUser(t, s, "eve")
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.DeleteToken(ctx, other.ID, k.ID) })
	wantCode(t, err, scrum.CodeNotFound)
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.TokenByHash(ctx, k.Hash)
		if err != nil {
			return err
		}
		if got != k {
			t.Errorf("got %+v, want %+v", got, k)
		}
		ts, err := tx.Tokens(ctx, u.ID)
		if len(ts) != 1 {
			t.Errorf("got %d tokens, want 1", len(ts))
		}
		return err
	})
	update(t, s, func(tx scrum.Tx) error { return tx.DeleteToken(ctx, u.ID, k.ID) })
}

func testTeams(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, dev, outsider := MustUser(t, s, "Priya"), MustUser(t, s, "Lena"), MustUser(t, s, "Zed")
	var teams []scrum.Team
	for _, name := range []string{"Orion", "Andromeda", "Lyra"} {
		teams = append(teams, MustTeam(t, s, name, po, dev))
	}
	MustTeam(t, s, "Elsewhere", outsider)

	// Pages of the user's teams, by name, with a cursor.
	var names []string
	cursor := ""
	for {
		var page []scrum.MyTeam
		var next string
		view(t, s, func(tx scrum.Tx) error {
			var err error
			page, next, err = tx.TeamsOf(ctx, dev.ID, scrum.Page{Cursor: cursor, Limit: 2})
			return err
		})
		for _, tm := range page {
			names = append(names, tm.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(names) != "[Andromeda Lyra Orion]" {
		t.Errorf("got teams %v, want [Andromeda Lyra Orion]", names)
	}
	// Each with what the member holds on it, in display order, read in
	// the same query whatever the page size.
	update(t, s, func(tx scrum.Tx) error {
		return tx.PutMember(ctx, scrum.Member{TeamID: teams[1].ID, UserID: dev.ID, Version: 2,
			Accountabilities: []scrum.Accountability{scrum.Stakeholder, scrum.ScrumMaster, scrum.Developer}})
	})
	for _, limit := range []int{1, 2, 10} {
		var got []string
		for cursor := ""; ; {
			var page []scrum.MyTeam
			var next string
			view(t, s, func(tx scrum.Tx) error {
				var err error
				page, next, err = tx.TeamsOf(ctx, dev.ID, scrum.Page{Cursor: cursor, Limit: limit})
				return err
			})
			for _, tm := range page {
				got = append(got, fmt.Sprintf("%s %v", tm.Name, tm.Accountabilities))
			}
			if cursor = next; next == "" {
				break
			}
		}
		if want := fmt.Sprint([]string{"Andromeda [scrum_master developer stakeholder]", "Lyra [developer]", "Orion [developer]"}); fmt.Sprint(got) != want {
			t.Errorf("pages of %d: got %v, want %v", limit, got, want)
		}
	}
	err := s.View(ctx, func(tx scrum.Tx) error {
		_, _, err := tx.TeamsOf(ctx, dev.ID, scrum.Page{Cursor: "%%%", Limit: 2})
		return err
	})
	wantCode(t, err, scrum.CodeInvalid)

	team := teams[0]
	view(t, s, func(tx scrum.Tx) error {
		ms, err := tx.Members(ctx, team.ID)
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[0].Name != "Lena" || !ms[1].Has(scrum.ProductOwner) || ms[0].Accountabilities[0] != scrum.Developer {
			t.Errorf("got members %+v, want Lena (developer) and Priya (product owner)", ms)
		}
		return nil
	})

	// Versioned updates: a stale write is a conflict and changes nothing.
	renamed := team
	renamed.Name, renamed.Version = "Orion 2", 2
	update(t, s, func(tx scrum.Tx) error { return tx.UpdateTeam(ctx, renamed) })
	stale := team
	stale.Name, stale.Version = "Stale", 2
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.UpdateTeam(ctx, stale) })
	wantCode(t, err, scrum.CodeConflict)
	var de *scrum.Error
	if errors.As(err, &de) && de.Version != 2 {
		t.Errorf("got current version %d in conflict, want 2", de.Version)
	}
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Team(ctx, team.ID)
		if got.Name != "Orion 2" {
			t.Errorf("got name %q, want Orion 2", got.Name)
		}
		return err
	})

	// Member updates replace accountabilities and bump the version.
	update(t, s, func(tx scrum.Tx) error {
		m, err := tx.Member(ctx, team.ID, dev.ID)
		if err != nil {
			return err
		}
		m.Accountabilities = []scrum.Accountability{scrum.ScrumMaster, scrum.Developer}
		m.Version++
		return tx.PutMember(ctx, m)
	})
	err = s.Update(ctx, func(tx scrum.Tx) error {
		m := scrum.Member{TeamID: team.ID, UserID: dev.ID, Accountabilities: []scrum.Accountability{scrum.Stakeholder}, Version: 2}
		return tx.PutMember(ctx, m)
	})
	wantCode(t, err, scrum.CodeConflict)
	update(t, s, func(tx scrum.Tx) error { return tx.DeleteMember(ctx, team.ID, dev.ID) })
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.DeleteMember(ctx, team.ID, dev.ID) })
	wantCode(t, err, scrum.CodeNotFound)
	view(t, s, func(tx scrum.Tx) error {
		n, err := tx.CountTeamsOf(ctx, dev.ID)
		if n != 2 {
			t.Errorf("got %d teams after leaving one, want 2", n)
		}
		return err
	})
}

func testOneProductOwner(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, dev := MustUser(t, s, "Priya"), MustUser(t, s, "Lena")
	team := MustTeam(t, s, "Orion", po, dev)
	err := s.Update(ctx, func(tx scrum.Tx) error {
		m, err := tx.Member(ctx, team.ID, dev.ID)
		if err != nil {
			return err
		}
		m.Accountabilities = []scrum.Accountability{scrum.ProductOwner}
		m.Version++
		return tx.PutMember(ctx, m)
	})
	wantCode(t, err, scrum.CodeConflict)
	view(t, s, func(tx scrum.Tx) error {
		m, err := tx.Member(ctx, team.ID, dev.ID)
		if m.Version != 1 || !m.Has(scrum.Developer) {
			t.Errorf("got %+v after a refused second Product Owner, want it unchanged", m)
		}
		return err
	})
}

func testResponsibilities(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, dev := MustUser(t, s, "Priya"), MustUser(t, s, "Lena")
	team := MustTeam(t, s, "Orion", po, dev)
	r := scrum.Responsibility{ResponsibilityDef: scrum.ResponsibilityDef{Key: scrum.RespFacilitateRetro},
		Owner: scrum.Owner{UserID: dev.ID}, Version: 1, UpdatedAt: epoch, UpdatedBy: po.ID}
	update(t, s, func(tx scrum.Tx) error { return tx.PutResponsibility(ctx, team.ID, r) })
	// Inserting version 1 again is stale.
	err := s.Update(ctx, func(tx scrum.Tx) error { return tx.PutResponsibility(ctx, team.ID, r) })
	wantCode(t, err, scrum.CodeConflict)
	r.Owner, r.Version = scrum.Owner{Accountability: scrum.Developer}, 2
	update(t, s, func(tx scrum.Tx) error { return tx.PutResponsibility(ctx, team.ID, r) })
	view(t, s, func(tx scrum.Tx) error {
		rs, err := tx.Responsibilities(ctx, team.ID)
		if err != nil {
			return err
		}
		if len(rs) != 1 || rs[0].Owner != (scrum.Owner{Accountability: scrum.Developer}) || rs[0].Version != 2 {
			t.Errorf("got %+v, want one entry owned by developer at version 2", rs)
		}
		return nil
	})
	r.Owner, r.Version = scrum.Owner{UserID: dev.ID}, 3
	update(t, s, func(tx scrum.Tx) error { return tx.PutResponsibility(ctx, team.ID, r) })
	view(t, s, func(tx scrum.Tx) error {
		rs, err := tx.Responsibilities(ctx, team.ID)
		if len(rs) != 1 || rs[0].OwnerName != "Lena" {
			t.Errorf("got %+v, want owner name Lena", rs)
		}
		return err
	})
}

func testInvites(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	in := scrum.Invite{ID: scrum.NewID(), TeamID: team.ID, Hash: scrum.HashSecret("code"), CreatedBy: po.ID,
		CreatedAt: epoch, ExpiresAt: epoch.Add(time.Hour), MaxUses: 1,
		Accountabilities: []scrum.Accountability{scrum.ScrumMaster, scrum.Developer}}
	update(t, s, func(tx scrum.Tx) error { return tx.CreateInvite(ctx, in) })
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.InviteByHash(ctx, in.Hash)
		if err != nil {
			return err
		}
		if fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("got %+v, want %+v", got, in)
		}
		return nil
	})
	update(t, s, func(tx scrum.Tx) error { return tx.UseInvite(ctx, in.ID) })
	err := s.Update(ctx, func(tx scrum.Tx) error { return tx.UseInvite(ctx, in.ID) })
	wantCode(t, err, scrum.CodeConflict)
}

func testEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	a, b := MustTeam(t, s, "A", po), MustTeam(t, s, "B", po)
	for i := range 5 {
		update(t, s, func(tx scrum.Tx) error {
			team := a
			if i%2 == 1 {
				team = b
			}
			e, err := scrum.NewEvent(team.ID, "test.event", "subject-"+fmt.Sprint(i%2), po.ID, map[string]int{"i": i})
			if err != nil {
				return err
			}
			if i == 4 {
				e.Audience = po.ID
			}
			_, err = tx.AppendEvent(ctx, e)
			return err
		})
	}
	view(t, s, func(tx scrum.Tx) error {
		es, err := tx.AllEvents(ctx, a.ID, 0, 100)
		if err != nil {
			return err
		}
		if len(es) != 3 || es[0].Seq != 1 || es[2].Seq != 3 || string(es[1].Data) != `{"i":2}` || es[2].Audience != po.ID {
			t.Errorf("got events %+v, want seq 1..3 of team A", es)
		}
		es, err = tx.AllEvents(ctx, a.ID, 2, 100)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Seq != 3 {
			t.Errorf("got %+v after seq 2, want only seq 3", es)
		}
		seq, err := tx.LastEventSeq(ctx, b.ID)
		if err != nil {
			return err
		}
		if seq != 2 {
			t.Errorf("got last seq %d for team B, want 2", seq)
		}
		page, next, err := tx.SubjectEvents(ctx, a.ID, "subject-0", po.ID, scrum.Page{Limit: 2})
		if err != nil {
			return err
		}
		if len(page) != 2 || next == "" {
			t.Errorf("got %d subject events and cursor %q, want 2 and a cursor", len(page), next)
		}
		page, next, err = tx.SubjectEvents(ctx, a.ID, "subject-0", po.ID, scrum.Page{Cursor: next, Limit: 2})
		if err != nil {
			return err
		}
		if len(page) != 1 || next != "" || page[0].Seq != 3 {
			t.Errorf("got %+v %q on the last page, want seq 3 and no cursor", page, next)
		}
		return err
	})
}

// testEventAudience: the audience filter is in the query, so a page of a
// member's events is full when more follow, and reading page after page
// until a short one sees exactly what they may see. Most events here are
// for someone else, the case that used to come back short.
func testEventAudience(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, dev := MustUser(t, s, "Priya"), MustUser(t, s, "Lena")
	team := MustTeam(t, s, "Orion", po, dev)
	var forDev, forPO []int64 // what each may see
	update(t, s, func(tx scrum.Tx) error {
		for i := range 12 {
			e, err := scrum.NewEvent(team.ID, "test.event", "subject", po.ID, map[string]int{"i": i})
			if err != nil {
				return err
			}
			switch {
			case i%4 == 3:
			case i%4 == 1:
				e.Audience = dev.ID
			default:
				e.Audience = po.ID
			}
			if e, err = tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			if e.Audience != dev.ID {
				forPO = append(forPO, e.Seq)
			}
			if e.Audience != po.ID {
				forDev = append(forDev, e.Seq)
			}
		}
		return nil
	})
	for _, who := range []struct {
		user scrum.User
		want []int64
	}{{dev, forDev}, {po, forPO}} {
		view(t, s, func(tx scrum.Tx) error {
			// Replay the way the API does: pages of 2 until a short one.
			var got []int64
			for after := int64(0); ; {
				es, err := tx.Events(ctx, team.ID, who.user.ID, after, 2)
				if err != nil {
					return err
				}
				for _, e := range es {
					if e.Audience != "" && e.Audience != who.user.ID {
						t.Errorf("%s got event %d meant for someone else", who.user.Name, e.Seq)
					}
					got = append(got, e.Seq)
					after = e.Seq
				}
				if len(es) < 2 {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(who.want) {
				t.Errorf("%s replayed %v, want %v", who.user.Name, got, who.want)
			}
			// The history of a subject pages the same way.
			got = nil
			for p := (scrum.Page{Limit: 2}); ; {
				es, next, err := tx.SubjectEvents(ctx, team.ID, "subject", who.user.ID, p)
				if err != nil {
					return err
				}
				if next != "" && len(es) != 2 {
					t.Errorf("%s got a page of %d with more to come, want full pages", who.user.Name, len(es))
				}
				for _, e := range es {
					got = append(got, e.Seq)
				}
				if next == "" {
					break
				}
				p.Cursor = next
			}
			if fmt.Sprint(got) != fmt.Sprint(who.want) {
				t.Errorf("%s's subject history is %v, want %v", who.user.Name, got, who.want)
			}
			all, err := tx.AllEvents(ctx, team.ID, 0, 100)
			if len(all) != 12 {
				t.Errorf("got %d events for the hub, want all 12", len(all))
			}
			return err
		})
	}
	err := s.View(ctx, func(tx scrum.Tx) error {
		_, err := tx.Events(ctx, team.ID, "", 0, 10)
		return err
	})
	if err == nil {
		t.Error("Events without a viewer: got no error, want one (use AllEvents)")
	}
}

func testAudit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	for i := range 3 {
		update(t, s, func(tx scrum.Tx) error {
			return tx.AppendAudit(ctx, scrum.AuditEntry{At: epoch, ActorID: po.ID, TeamID: team.ID,
				Action: "test", Target: fmt.Sprint(i), Detail: "line\nwith newline", IP: "127.0.0.1"})
		})
	}
	view(t, s, func(tx scrum.Tx) error {
		es, next, err := tx.Audit(ctx, team.ID, scrum.Page{Limit: 2})
		if err != nil {
			return err
		}
		if len(es) != 2 || es[0].Target != "2" || es[0].Actor != "Priya" || next == "" {
			t.Errorf("got %+v, want newest first with actor names", es)
		}
		return nil
	})
	for _, stmt := range []string{`UPDATE audit SET detail = 'forged'`, `DELETE FROM audit`} {
		_, err := s.DB().ExecContext(ctx, stmt)
		if err == nil {
			t.Errorf("%s: succeeded, want the append-only trigger to refuse", stmt)
		}
	}
}

func testThrottles(t *testing.T, s *store.Store) {
	ctx := context.Background()
	th := scrum.Throttle{Key: "ip:127.0.0.1", Count: 3, WindowStart: epoch, BlockedUntil: epoch.Add(time.Minute)}
	update(t, s, func(tx scrum.Tx) error { return tx.PutThrottle(ctx, th) })
	th.Count = 4
	update(t, s, func(tx scrum.Tx) error { return tx.PutThrottle(ctx, th) })
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Throttle(ctx, th.Key)
		if got != th {
			t.Errorf("got %+v, want %+v", got, th)
		}
		return err
	})
	update(t, s, func(tx scrum.Tx) error { return tx.DeleteThrottle(ctx, th.Key) })
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Throttle(ctx, th.Key)
		if got.Count != 0 {
			t.Errorf("got %+v after delete, want a zero counter", got)
		}
		return err
	})
}

func testRollback(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx scrum.Tx) error {
		renamed := team
		renamed.Name, renamed.Version = "Half-written", 2
		if err := tx.UpdateTeam(ctx, renamed); err != nil {
			return err
		}
		e, _ := scrum.NewEvent(team.ID, "test", team.ID, po.ID, struct{}{})
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the fn's error back", err)
	}
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Team(ctx, team.ID)
		if got.Name != "Orion" || got.Version != 1 {
			t.Errorf("got %+v after a failed update, want it unchanged", got)
		}
		seq, _ := tx.LastEventSeq(ctx, team.ID)
		if seq != 0 {
			t.Errorf("got event seq %d after a failed update, want 0", seq)
		}
		return err
	})
}

// testConcurrentWriters: many writers at once all succeed or fail on their
// own; a failing writer does not undo the others (SQLite batches them into
// one commit with savepoints).
func testConcurrentWriters(t *testing.T, s *store.Store) {
	ctx := context.Background()
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = scrum.NewID()
			errs[i] = s.Update(ctx, func(tx scrum.Tx) error {
				u := scrum.User{ID: ids[i], Email: fmt.Sprintf("u%d@example.com", i), Name: "U", Version: 1, CreatedAt: epoch}
				if err := tx.CreateUser(ctx, u, "h"); err != nil {
					return err
				}
				if i%4 == 0 {
					return scrum.Invalid("name", "refused on purpose")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	view(t, s, func(tx scrum.Tx) error {
		for i := range n {
			_, err := tx.User(ctx, ids[i])
			switch {
			case i%4 == 0 && scrum.ErrorCode(errs[i]) != scrum.CodeInvalid:
				t.Errorf("writer %d: got %v, want its own invalid error", i, errs[i])
			case i%4 == 0 && err == nil:
				t.Errorf("writer %d: refused write was stored", i)
			case i%4 != 0 && errs[i] != nil:
				t.Errorf("writer %d: got %v, want success", i, errs[i])
			case i%4 != 0 && err != nil:
				t.Errorf("writer %d: acknowledged write missing: %v", i, err)
			}
		}
		return nil
	})
}

// testConcurrentEvents: concurrent writers of one team get distinct,
// gap-free sequence numbers.
func testConcurrentEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	const n = 40
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx scrum.Tx) error {
				if err := tx.LockTeam(ctx, team.ID); err != nil {
					return err
				}
				e, _ := scrum.NewEvent(team.ID, "test", team.ID, po.ID, struct{}{})
				_, err := tx.AppendEvent(ctx, e)
				return err
			})
			if err != nil {
				t.Errorf("append: %v", err)
			}
		}()
	}
	wg.Wait()
	view(t, s, func(tx scrum.Tx) error {
		es, err := tx.AllEvents(ctx, team.ID, 0, 1000)
		if len(es) != n {
			t.Fatalf("got %d events, want %d", len(es), n)
		}
		for i, e := range es {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d, want %d", i, e.Seq, i+1)
			}
		}
		return err
	})
}

func testOnChange(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	got := make(chan string, 10)
	s.OnChange(func(id string) { got <- id })
	if s.Dialect().NotifySQL != "" {
		return // other instances are woken by NOTIFY; see the engine's own tests
	}
	update(t, s, func(tx scrum.Tx) error {
		e, _ := scrum.NewEvent(team.ID, "test", team.ID, po.ID, struct{}{})
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	select {
	case id := <-got:
		if id != team.ID {
			t.Errorf("woken for %q, want %q", id, team.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change callback after a commit with events")
	}
}

// MustUserB and MustTeamB are MustUser and MustTeam for benchmarks.
func MustUserB(b testing.TB, s scrum.Store, name string) scrum.User {
	b.Helper()
	u := scrum.User{ID: scrum.NewID(), Email: fmt.Sprintf("%s-%s@example.com", name, scrum.NewID()[10:]), Name: name, Version: 1, CreatedAt: epoch}
	if err := s.Update(context.Background(), func(tx scrum.Tx) error { return tx.CreateUser(context.Background(), u, "hash") }); err != nil {
		b.Fatal(err)
	}
	return u
}

// MustTeamB makes a team whose only member, po, is its Product Owner.
func MustTeamB(b testing.TB, s scrum.Store, name string, po scrum.User) scrum.Team {
	b.Helper()
	team := scrum.Team{ID: scrum.NewID(), Name: name, Version: 1, CreatedAt: epoch, CreatedBy: po.ID}
	ctx := context.Background()
	err := s.Update(ctx, func(tx scrum.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		return tx.PutMember(ctx, scrum.Member{TeamID: team.ID, UserID: po.ID, Accountabilities: []scrum.Accountability{scrum.ProductOwner}, Version: 1, JoinedAt: epoch})
	})
	if err != nil {
		b.Fatal(err)
	}
	return team
}
