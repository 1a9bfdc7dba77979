package scrum

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateTeam makes a team; its creator joins as Product Owner until changed.
func (s *Service) CreateTeam(ctx context.Context, actor Actor, name string) (Team, error) {
	var v Validation
	name = normalizeName("name", name, MaxTeamNameLen, &v)
	if err := v.Err(); err != nil {
		return Team{}, err
	}
	var t Team
	err := s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.CountTeamsOf(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		if n >= MaxTeamsPerUser {
			return Invalid("name", "you are already on %d teams", n)
		}
		now := tx.Now()
		t = Team{ID: NewID(), Name: name, Version: 1, CreatedAt: now, CreatedBy: actor.User.ID}
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		m := Member{TeamID: t.ID, UserID: actor.User.ID, Name: actor.User.Name, Email: actor.User.Email,
			Accountabilities: []Accountability{ProductOwner}, Version: 1, JoinedAt: now}
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		if err := emit(ctx, tx, t.ID, EventMemberJoined, m.UserID, actor.User.ID, memberPayload(m)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, t.ID, AuditTeamCreated, t.ID, "created the team "+name)
	})
	return t, err
}

// Teams lists the teams the actor is on, with what they hold on each.
func (s *Service) Teams(ctx context.Context, actor Actor, p Page) ([]MyTeam, string, error) {
	var ts []MyTeam
	var next string
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ts, next, err = tx.TeamsOf(ctx, actor.User.ID, p)
		return err
	})
	return ts, next, err
}

// Roster returns a team's members and responsibility map to a member.
func (s *Service) Roster(ctx context.Context, actor Actor, teamID string) (Roster, error) {
	var r Roster
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		r, err = s.roster(ctx, tx, actor, teamID)
		return err
	})
	return r, err
}

// Members lists a team's members; the actor must be one.
func (s *Service) Members(ctx context.Context, actor Actor, teamID string) ([]Member, error) {
	r, err := s.Roster(ctx, actor, teamID)
	return r.Members, err
}

// RenameTeam changes a team's name.
func (s *Service) RenameTeam(ctx context.Context, actor Actor, teamID, name string, version int) (Team, error) {
	var v Validation
	name = normalizeName("name", name, MaxTeamNameLen, &v)
	if err := v.Err(); err != nil {
		return Team{}, err
	}
	var t Team
	err := s.teamWrite(ctx, actor, teamID, RespTeamAdministration, func(tx Tx, r Roster) error {
		t = r.Team
		if err := checkVersion("the team", version, t.Version); err != nil {
			return err
		}
		old := t.Name
		t.Name = name
		t.Version++
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		if err := emit(ctx, tx, t.ID, EventTeamUpdated, t.ID, actor.User.ID,
			struct {
				Name    string `json:"name"`
				Version int    `json:"version"`
			}{t.Name, t.Version}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, t.ID, AuditTeamRenamed, t.ID, fmt.Sprintf("renamed the team from %q to %q", old, name))
	})
	return t, err
}

// InviteSpec is the input of CreateInvite.
type InviteSpec struct {
	Accountabilities []Accountability
	MaxUses          int // default 1
}

// CreateInvite makes an invite code that lets people join with the given
// accountabilities. The code is returned once.
func (s *Service) CreateInvite(ctx context.Context, actor Actor, teamID string, spec InviteSpec) (Invite, string, error) {
	var v Validation
	accs := normalizeAccountabilities("accountabilities", spec.Accountabilities, &v)
	if spec.MaxUses == 0 {
		spec.MaxUses = 1
	}
	v.Check(spec.MaxUses >= 1 && spec.MaxUses <= MaxInviteUses, "max_uses", "max_uses must be between 1 and %d", MaxInviteUses)
	if slices.Contains(accs, ProductOwner) && spec.MaxUses > 1 {
		v.Add("max_uses", "an invite that makes its holder Product Owner can be used once")
	}
	if err := v.Err(); err != nil {
		return Invite{}, "", err
	}
	code := NewSecret(InvitePrefix)
	var in Invite
	err := s.teamWrite(ctx, actor, teamID, RespTeamAdministration, func(tx Tx, r Roster) error {
		if slices.Contains(accs, ProductOwner) {
			if err := onlyProductOwner(r, ""); err != nil {
				return err
			}
		}
		now := tx.Now()
		in = Invite{ID: NewID(), TeamID: teamID, Hash: HashSecret(code), Accountabilities: accs,
			CreatedBy: actor.User.ID, CreatedAt: now, ExpiresAt: now.Add(InviteTTL), MaxUses: spec.MaxUses}
		if err := tx.CreateInvite(ctx, in); err != nil {
			return err
		}
		return audit(ctx, tx, actor, teamID, AuditInviteCreated, in.ID, "invited people as "+titles(accs))
	})
	if err != nil {
		return Invite{}, "", err
	}
	return in, code, nil
}

// InvitePreview is what someone holding an invite code may see before
// accepting: the team's name and what they would join as.
type InvitePreview struct {
	Invite    Invite
	TeamName  string
	InvitedBy string
}

// PreviewInvite looks up an invite code. Expired and used-up codes are
// reported as not found.
func (s *Service) PreviewInvite(ctx context.Context, code string) (InvitePreview, error) {
	var p InvitePreview
	err := s.store.View(ctx, func(tx Tx) error {
		in, err := usableInvite(ctx, tx, code)
		if err != nil {
			return err
		}
		t, err := tx.Team(ctx, in.TeamID)
		if err != nil {
			return err
		}
		by, err := tx.User(ctx, in.CreatedBy)
		if err != nil {
			return err
		}
		p = InvitePreview{Invite: in, TeamName: t.Name, InvitedBy: by.Name}
		return nil
	})
	return p, err
}

func usableInvite(ctx context.Context, tx Tx, code string) (Invite, error) {
	in, err := findInvite(ctx, tx, code)
	if err != nil {
		return Invite{}, err
	}
	return in, checkUsable(tx, in)
}

// findInvite looks up a code whether or not it can still be used.
func findInvite(ctx context.Context, tx Tx, code string) (Invite, error) {
	if !strings.HasPrefix(code, InvitePrefix) {
		return Invite{}, NotFound("invite")
	}
	return tx.InviteByHash(ctx, HashSecret(code))
}

func checkUsable(tx Tx, in Invite) error {
	if tx.Now().After(in.ExpiresAt) || in.Uses >= in.MaxUses {
		return Errorf(CodeNotFound, "this invite has expired or was already used; ask for a new one")
	}
	return nil
}

// AcceptInvite adds the actor to the invite's team.
func (s *Service) AcceptInvite(ctx context.Context, actor Actor, code string) (Team, error) {
	var t Team
	err := s.store.Update(ctx, func(tx Tx) error {
		// Membership is checked before the invite's uses, so someone who
		// accepts their single-use invite twice hears that they are
		// already on the team, not that the invite is unknown.
		in, err := findInvite(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := tx.LockTeam(ctx, in.TeamID); err != nil {
			return err
		}
		if t, err = tx.Team(ctx, in.TeamID); err != nil {
			return err
		}
		members, err := tx.Members(ctx, t.ID)
		if err != nil {
			return err
		}
		r := Roster{Team: t, Members: members}
		if _, ok := r.Member(actor.User.ID); ok {
			return Errorf(CodeConflict, "you are already on %s", t.Name)
		}
		if err := checkUsable(tx, in); err != nil {
			return err
		}
		if len(members) >= MaxTeamMembers {
			return Errorf(CodeConflict, "%s already has %d members", t.Name, len(members))
		}
		if slices.Contains(in.Accountabilities, ProductOwner) {
			if err := onlyProductOwner(r, actor.User.ID); err != nil {
				return err
			}
		}
		m := Member{TeamID: t.ID, UserID: actor.User.ID, Name: actor.User.Name, Email: actor.User.Email,
			Accountabilities: in.Accountabilities, Version: 1, JoinedAt: tx.Now()}
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		if err := tx.UseInvite(ctx, in.ID); err != nil {
			return err
		}
		if err := emit(ctx, tx, t.ID, EventMemberJoined, m.UserID, actor.User.ID, memberPayload(m)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, t.ID, AuditInviteAccepted, actor.User.ID,
			"joined as "+titles(m.Accountabilities))
	})
	if t.ID != "" {
		s.rosters.drop(t.ID)
	}
	return t, err
}

// onlyProductOwner refuses a second Product Owner: a team has exactly one.
func onlyProductOwner(r Roster, except string) error {
	for _, p := range r.HoldersOf(ProductOwner) {
		if p.UserID != except {
			return Errorf(CodeConflict, "%s is already the Product Owner; a team has exactly one, so transfer the role instead", p.Name)
		}
	}
	return nil
}

// SetAccountabilities replaces a member's accountabilities.
func (s *Service) SetAccountabilities(ctx context.Context, actor Actor, teamID, userID string, accs []Accountability, version int) (Member, error) {
	var v Validation
	accs = normalizeAccountabilities("accountabilities", accs, &v)
	if err := v.Err(); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.teamWrite(ctx, actor, teamID, RespTeamAdministration, func(tx Tx, r Roster) error {
		var ok bool
		if m, ok = r.Member(userID); !ok {
			return NotFound("member")
		}
		if err := checkVersion("the membership", version, m.Version); err != nil {
			return err
		}
		if slices.Contains(accs, ProductOwner) {
			if err := onlyProductOwner(r, userID); err != nil {
				return err
			}
		}
		if err := keepsAnAdministrator(r, userID, accs, false); err != nil {
			return err
		}
		old := m.Accountabilities
		if slices.Equal(old, accs) {
			return nil
		}
		m.Accountabilities = accs
		m.Version++
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		if err := emit(ctx, tx, teamID, EventMemberUpdated, userID, actor.User.ID, memberPayload(m)); err != nil {
			return err
		}
		whose := m.Name + "’s"
		if userID == actor.User.ID {
			whose = "their own" // the history reads "Marco Rossi changed their own accountabilities"
		}
		return audit(ctx, tx, actor, teamID, AuditMemberChanged, userID,
			fmt.Sprintf("changed %s accountabilities: %s → %s", whose, titles(old), titles(accs)))
	})
	return m, err
}

// keepsAnAdministrator refuses a change to userID (new accountabilities
// after, or leaving) that would leave members on the team but nobody who
// administers it, a Product Owner or Scrum Master: nobody could then
// invite, remove or reassign anyone.
func keepsAnAdministrator(r Roster, userID string, after []Accountability, leaving bool) error {
	admins, stay := 0, 0
	for _, m := range r.Members {
		accs := m.Accountabilities
		if m.UserID == userID {
			if leaving {
				continue
			}
			accs = after
		}
		stay++
		if slices.Contains(accs, ProductOwner) || slices.Contains(accs, ScrumMaster) {
			admins++
		}
	}
	if stay > 0 && admins == 0 {
		return Errorf(CodeConflict, "the team would be left with nobody to run it: make someone else Product Owner or Scrum Master first")
	}
	return nil
}

// LastRunner reports whether userID is the only Product Owner or Scrum
// Master of a team that has other members: they may not leave it yet.
func (r Roster) LastRunner(userID string) bool {
	return keepsAnAdministrator(r, userID, nil, true) != nil
}

// TransferProductOwner makes userID the team's Product Owner and takes the
// accountability from whoever held it, in one step, so the team is never
// left with two. version, when not 0, is the version of userID's
// membership the caller saw: a stale one changes nothing (409).
func (s *Service) TransferProductOwner(ctx context.Context, actor Actor, teamID, userID string, version int) (Member, error) {
	var to Member
	err := s.teamWrite(ctx, actor, teamID, RespTeamAdministration, func(tx Tx, r Roster) error {
		var ok bool
		if to, ok = r.Member(userID); !ok {
			return Invalid("user_id", "this person is not on the team")
		}
		if err := checkVersion("the membership", version, to.Version); err != nil {
			return err
		}
		if to.Has(ProductOwner) {
			return nil
		}
		var from []string
		for _, m := range r.Members {
			if !m.Has(ProductOwner) {
				continue
			}
			m.Accountabilities = slices.DeleteFunc(slices.Clone(m.Accountabilities), func(a Accountability) bool { return a == ProductOwner })
			if len(m.Accountabilities) == 0 {
				m.Accountabilities = []Accountability{Stakeholder}
			}
			m.Version++
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
			if err := emit(ctx, tx, teamID, EventMemberUpdated, m.UserID, actor.User.ID, memberPayload(m)); err != nil {
				return err
			}
			from = append(from, m.Name)
		}
		var v Validation
		to.Accountabilities = normalizeAccountabilities("accountabilities", append(to.Accountabilities, ProductOwner), &v)
		to.Version++
		if err := tx.PutMember(ctx, to); err != nil {
			return err
		}
		if err := emit(ctx, tx, teamID, EventMemberUpdated, to.UserID, actor.User.ID, memberPayload(to)); err != nil {
			return err
		}
		who := to.Name
		if to.UserID == actor.User.ID {
			who = "themselves"
		}
		detail := "made " + who + " the Product Owner"
		if len(from) > 0 {
			detail += " (was " + strings.Join(from, ", ") + ")"
		}
		return audit(ctx, tx, actor, teamID, AuditProductOwnerMove, to.UserID, detail)
	})
	return to, err
}

// RemoveMember takes userID off the team. Team administrators may remove
// anyone; everyone may leave. A version other than 0 must be the
// membership's current one.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, teamID, userID string, version int) error {
	need := RespTeamAdministration
	if userID == actor.User.ID {
		need = ""
	}
	defer s.rosters.drop(teamID)
	return s.teamWrite(ctx, actor, teamID, need, func(tx Tx, r Roster) error {
		m, ok := r.Member(userID)
		if !ok {
			return NotFound("member")
		}
		if err := checkVersion("the membership", version, m.Version); err != nil {
			return err
		}
		if err := keepsAnAdministrator(r, userID, nil, true); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, teamID, userID); err != nil {
			return err
		}
		if err := emit(ctx, tx, teamID, EventMemberRemoved, userID, actor.User.ID, memberPayload(m)); err != nil {
			return err
		}
		detail := "removed " + m.Name + " from the team"
		if userID == actor.User.ID {
			detail = "left the team"
		}
		return audit(ctx, tx, actor, teamID, AuditMemberRemoved, userID, detail)
	})
}

// Reassign gives a responsibility to an accountability or a named member.
func (s *Service) Reassign(ctx context.Context, actor Actor, teamID, key string, to Owner, version int) (Responsibility, error) {
	if _, ok := LookupResponsibility(key); !ok {
		return Responsibility{}, NotFound("responsibility")
	}
	var v Validation
	switch {
	case to.Accountability != "" && to.UserID != "":
		v.Add("accountability", "give either accountability or user_id, not both")
	case to.Accountability == "" && to.UserID == "":
		v.Add("accountability", "give an accountability or a user_id to own the responsibility")
	case to.Accountability != "" && !to.Accountability.Valid():
		v.Add("accountability", "unknown accountability %q", string(to.Accountability))
	}
	if err := v.Err(); err != nil {
		return Responsibility{}, err
	}
	var x Responsibility
	err := s.teamWrite(ctx, actor, teamID, RespTeamAdministration, func(tx Tx, r Roster) error {
		x, _ = r.Responsibility(key)
		if err := checkVersion("the responsibility", version, x.Version); err != nil {
			return err
		}
		from := ownerPayload(r, x.Owner)
		if from.UserID != "" && from.Name == "" {
			from.Name = x.OwnerName
		}
		if to.UserID != "" {
			m, ok := r.Member(to.UserID)
			if !ok {
				return Invalid("user_id", "this person is not on the team")
			}
			x.OwnerName = m.Name
		} else {
			x.OwnerName = ""
		}
		if x.Owner == to {
			return nil
		}
		x.Owner = to
		x.Version++
		x.UpdatedAt, x.UpdatedBy = tx.Now(), actor.User.ID
		if err := tx.PutResponsibility(ctx, teamID, x); err != nil {
			return err
		}
		toP := ownerPayload(r, to)
		if err := emit(ctx, tx, teamID, EventResponsibilityChanged, key, actor.User.ID,
			ResponsibilityPayload{Key: key, From: from, To: toP, Version: x.Version}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, teamID, AuditResponsibility, key,
			fmt.Sprintf("reassigned %s: %s → %s", key, ownerLabel(from), ownerLabel(toP)))
	})
	return x, err
}

// Health returns the team's boundary-health signals.
func (s *Service) Health(ctx context.Context, actor Actor, teamID string) ([]Signal, error) {
	r, err := s.Roster(ctx, actor, teamID)
	if err != nil {
		return nil, err
	}
	return r.Health(), nil
}

// History lists the team's audit entries, newest first.
func (s *Service) History(ctx context.Context, actor Actor, teamID string, p Page) ([]AuditEntry, string, error) {
	var es []AuditEntry
	var next string
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := s.roster(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		es, next, err = tx.Audit(ctx, teamID, p)
		return err
	})
	return es, next, err
}

// Events returns a member's view of the team's events after seq.
func (s *Service) Events(ctx context.Context, actor Actor, teamID string, after int64, limit int) ([]Event, error) {
	var es []Event
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := s.roster(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		es, err = tx.Events(ctx, teamID, actor.User.ID, after, limit)
		return err
	})
	return es, err
}

func memberPayload(m Member) MemberPayload {
	return MemberPayload{UserID: m.UserID, Name: m.Name, Accountabilities: m.Accountabilities, Version: m.Version}
}

func ownerPayload(r Roster, o Owner) OwnerPayload {
	p := OwnerPayload{Accountability: o.Accountability, UserID: o.UserID}
	if m, ok := r.Member(o.UserID); ok {
		p.Name = m.Name
	}
	return p
}

func ownerLabel(p OwnerPayload) string {
	if p.UserID != "" {
		if p.Name != "" {
			return p.Name
		}
		return "a former member"
	}
	return p.Accountability.Title()
}

func titles(accs []Accountability) string {
	s := make([]string, len(accs))
	for i, a := range accs {
		s[i] = a.Title()
	}
	return strings.Join(s, ", ")
}

// LastEventSeq is the Seq of the team's latest event. A page rendered with
// it can subscribe to the live stream from exactly that point.
func (s *Service) LastEventSeq(ctx context.Context, actor Actor, teamID string) (int64, error) {
	var seq int64
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := s.roster(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		seq, err = tx.LastEventSeq(ctx, teamID)
		return err
	})
	return seq, err
}
