package api

import (
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// The API's response shapes, mapped explicitly from domain types.

type userJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	SiteAdmin bool      `json:"site_admin"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

func toUser(u scrum.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, SiteAdmin: u.SiteAdmin, Version: u.Version, CreatedAt: u.CreatedAt}
}

type teamJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

func toTeam(t scrum.Team) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Version: t.Version, CreatedAt: t.CreatedAt}
}

type memberJSON struct {
	UserID           string    `json:"user_id"`
	Name             string    `json:"name"`
	Email            string    `json:"email"`
	Accountabilities []string  `json:"accountabilities"`
	Version          int       `json:"version"`
	JoinedAt         time.Time `json:"joined_at"`
}

func toMember(m scrum.Member) memberJSON {
	return memberJSON{UserID: m.UserID, Name: m.Name, Email: m.Email, Accountabilities: accStrings(m.Accountabilities),
		Version: m.Version, JoinedAt: m.JoinedAt}
}

func accStrings(as []scrum.Accountability) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func toAccs(ss []string) []scrum.Accountability {
	out := make([]scrum.Accountability, len(ss))
	for i, s := range ss {
		out[i] = scrum.Accountability(s)
	}
	return out
}

type ownerJSON struct {
	Accountability string `json:"accountability,omitempty"`
	UserID         string `json:"user_id,omitempty"`
	Name           string `json:"name,omitempty"`
}

type personJSON struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

func toPeople(ps []scrum.Person) []personJSON {
	out := make([]personJSON, len(ps))
	for i, p := range ps {
		out[i] = personJSON{UserID: p.UserID, Name: p.Name}
	}
	return out
}

type responsibilityJSON struct {
	Key          string       `json:"key"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	Area         string       `json:"area"`
	Owner        ownerJSON    `json:"owner"`
	DefaultOwner ownerJSON    `json:"default_owner"`
	Holders      []personJSON `json:"holders"`
	Version      int          `json:"version"`
	UpdatedAt    *time.Time   `json:"updated_at"`
	UpdatedBy    string       `json:"updated_by,omitempty"`
}

func toResponsibility(r scrum.Roster, x scrum.Responsibility) responsibilityJSON {
	o := ownerJSON{Accountability: string(x.Owner.Accountability), UserID: x.Owner.UserID, Name: x.OwnerName}
	j := responsibilityJSON{Key: x.Key, Title: x.Title, Description: x.Description, Area: string(x.Area), Owner: o,
		DefaultOwner: ownerJSON{Accountability: string(x.Default)}, Holders: toPeople(r.Holders(x.Key)),
		Version: x.Version, UpdatedBy: x.UpdatedBy}
	if !x.UpdatedAt.IsZero() {
		t := x.UpdatedAt
		j.UpdatedAt = &t
	}
	return j
}

type signalJSON struct {
	Key      string    `json:"key"`
	Severity string    `json:"severity"`
	Subject  string    `json:"subject,omitempty"`
	Summary  string    `json:"summary"`
	Evidence []string  `json:"evidence"`
	Owner    ownerJSON `json:"owner"`
}

func toSignals(r scrum.Roster, ss []scrum.Signal) []signalJSON {
	out := make([]signalJSON, len(ss))
	for i, s := range ss {
		o := ownerJSON{Accountability: string(s.Owner.Accountability), UserID: s.Owner.UserID}
		if m, ok := r.Member(s.Owner.UserID); ok {
			o.Name = m.Name
		}
		out[i] = signalJSON{Key: s.Key, Severity: string(s.Severity), Subject: s.Subject, Summary: s.Summary,
			Evidence: s.Evidence, Owner: o}
	}
	return out
}

type auditJSON struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actor_id"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Detail  string    `json:"detail"`
}

func toAudit(es []scrum.AuditEntry) []auditJSON {
	out := make([]auditJSON, len(es))
	for i, e := range es {
		out[i] = auditJSON{ID: e.ID, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail}
	}
	return out
}

type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toToken(k scrum.Token) tokenJSON {
	j := tokenJSON{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		j.LastUsedAt = &t
	}
	return j
}

type inviteJSON struct {
	ID               string    `json:"id"`
	Code             string    `json:"code,omitempty"`
	URL              string    `json:"url,omitempty"`
	TeamID           string    `json:"team_id"`
	TeamName         string    `json:"team_name,omitempty"`
	InvitedBy        string    `json:"invited_by,omitempty"`
	Accountabilities []string  `json:"accountabilities"`
	ExpiresAt        time.Time `json:"expires_at"`
	MaxUses          int       `json:"max_uses"`
	Uses             int       `json:"uses"`
}
