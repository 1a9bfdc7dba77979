package scrum

import (
	"slices"
	"time"
)

// Team is a Scrum team.
type Team struct {
	ID        string
	Name      string
	Version   int
	CreatedAt time.Time
	CreatedBy string
}

// MyTeam is a team as one of its members finds it in their list of teams:
// with the accountabilities they hold on it.
type MyTeam struct {
	Team
	Accountabilities []Accountability
}

// MaxTeamNameLen caps team names.
const MaxTeamNameLen = 80

// Member is a user's membership of a team.
type Member struct {
	TeamID           string
	UserID           string
	Name             string
	Email            string
	Accountabilities []Accountability
	Version          int
	JoinedAt         time.Time
}

// Has reports whether the member holds a.
func (m Member) Has(a Accountability) bool { return slices.Contains(m.Accountabilities, a) }

// Person returns the member as a Person.
func (m Member) Person() Person { return Person{UserID: m.UserID, Name: m.Name} }

// Responsibility is one entry of a team's responsibility map.
type Responsibility struct {
	ResponsibilityDef
	Owner     Owner
	OwnerName string // the named owner's display name, when Owner.UserID is set
	Version   int    // 0 while the team still has the default
	UpdatedAt time.Time
	UpdatedBy string
}

// Roster is everything the rules need to know about a team: its members and
// its responsibility map. Authorization and health are computed from it.
type Roster struct {
	Team    Team
	Members []Member
	Map     []Responsibility // every ResponsibilityDef, defaults filled in
}

// NewRoster completes a stored map with defaults for keys the team has never
// changed, so a responsibility added in a later release has an owner too.
func NewRoster(t Team, members []Member, stored []Responsibility) Roster {
	byKey := make(map[string]Responsibility, len(stored))
	for _, r := range stored {
		byKey[r.Key] = r
	}
	out := make([]Responsibility, 0, len(responsibilityDefs))
	for _, d := range responsibilityDefs {
		r, ok := byKey[d.Key]
		if !ok {
			r = Responsibility{Owner: Owner{Accountability: d.Default}}
		}
		r.ResponsibilityDef = d
		out = append(out, r)
	}
	return Roster{Team: t, Members: members, Map: out}
}

// Member returns the membership of userID.
func (r Roster) Member(userID string) (Member, bool) {
	for _, m := range r.Members {
		if m.UserID == userID {
			return m, true
		}
	}
	return Member{}, false
}

// Responsibility returns the map entry for key.
func (r Roster) Responsibility(key string) (Responsibility, bool) {
	for _, x := range r.Map {
		if x.Key == key {
			return x, true
		}
	}
	return Responsibility{}, false
}

// HoldersOf returns the members holding accountability a.
func (r Roster) HoldersOf(a Accountability) []Person {
	var out []Person
	for _, m := range r.Members {
		if m.Has(a) {
			out = append(out, m.Person())
		}
	}
	return out
}

// Holders returns the members who currently hold a responsibility. A named
// owner who has left the team holds nothing.
func (r Roster) Holders(key string) []Person {
	x, ok := r.Responsibility(key)
	if !ok {
		return nil
	}
	if x.Owner.UserID != "" {
		if m, ok := r.Member(x.Owner.UserID); ok {
			return []Person{m.Person()}
		}
		return nil
	}
	return r.HoldersOf(x.Owner.Accountability)
}

// Holds reports whether userID holds the responsibility key.
func (r Roster) Holds(userID, key string) bool {
	return slices.ContainsFunc(r.Holders(key), func(p Person) bool { return p.UserID == userID })
}

// Authorize returns nil when userID holds key, and otherwise a Forbidden
// error naming the responsibility and its holders. This is the one place
// where permissions are decided from the map.
func (r Roster) Authorize(userID, key string) error {
	if key == RespTeamAdministration {
		return r.authorizeAdministration(userID)
	}
	if r.Holds(userID, key) {
		return nil
	}
	x, _ := r.Responsibility(key)
	msg := "this needs the " + key + " responsibility"
	if hs := r.Holders(key); len(hs) > 0 {
		msg += ", held by " + joinNames(hs)
	} else {
		msg += ", which nobody on the team holds"
	}
	return &Error{Code: CodeForbidden, Message: msg,
		Need: &Need{Responsibility: key, Owner: x.Owner, Holders: r.Holders(key)}}
}

// authorizeAdministration: membership and the map are managed by the
// Product Owner and the Scrum Masters together, so neither can be locked out
// by the other reassigning a responsibility.
func (r Roster) authorizeAdministration(userID string) error {
	if m, ok := r.Member(userID); ok && (m.Has(ProductOwner) || m.Has(ScrumMaster)) {
		return nil
	}
	hs := append(r.HoldersOf(ProductOwner), r.HoldersOf(ScrumMaster)...)
	msg := "only the Product Owner or a Scrum Master can manage the team"
	if len(hs) > 0 {
		msg += "; ask " + joinNames(hs)
	}
	return &Error{Code: CodeForbidden, Message: msg,
		Need: &Need{Responsibility: RespTeamAdministration, Holders: hs}}
}

func joinNames(ps []Person) string {
	s := ""
	for i, p := range ps {
		switch {
		case i == 0:
		case i == len(ps)-1:
			s += " or "
		default:
			s += ", "
		}
		s += p.Name
	}
	return s
}

// Invite lets someone join a team with given accountabilities. Only the
// hash of its code is stored.
type Invite struct {
	ID               string
	TeamID           string
	Hash             string
	Accountabilities []Accountability
	CreatedBy        string
	CreatedAt        time.Time
	ExpiresAt        time.Time
	MaxUses          int
	Uses             int
}

// Invite defaults and limits.
const (
	InviteTTL        = 7 * 24 * time.Hour
	MaxInviteUses    = 50
	MaxTeamMembers   = 100
	MaxTeamsPerUser  = 200
	MaxTokensPerUser = 50
)
