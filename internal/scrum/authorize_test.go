package scrum

import (
	"slices"
	"strings"
	"testing"
)

// The people of the test team, one accountability each, plus someone who
// is not on it.
const (
	poID    = "pppppppppppppppp"
	smID    = "ssssssssssssssss"
	devID   = "dddddddddddddddd"
	stkID   = "kkkkkkkkkkkkkkkk"
	otherID = "oooooooooooooooo"
)

func member(id, name string, accs ...Accountability) Member {
	return Member{TeamID: "tttttttttttttttt", UserID: id, Name: name, Accountabilities: accs, Version: 1}
}

// fourRoles is a team where each accountability has exactly one holder.
func fourRoles() []Member {
	return []Member{
		member(poID, "Priya", ProductOwner),
		member(smID, "Marco", ScrumMaster),
		member(devID, "Lena", Developer),
		member(stkID, "Sam", Stakeholder),
	}
}

func testRoster(members []Member, stored ...Responsibility) Roster {
	return NewRoster(Team{ID: "tttttttttttttttt", Name: "Orion", Version: 1}, members, stored)
}

// assigned is a stored map entry giving key to owner.
func assigned(key string, owner Owner, ownerName string) Responsibility {
	return Responsibility{ResponsibilityDef: ResponsibilityDef{Key: key}, Owner: owner, OwnerName: ownerName, Version: 1}
}

// defaultPolicy is the Scrum Guide default of every responsibility, written
// out by hand in the GitLab style: each key, each accountability, an
// explicit allow or deny. A change to the defaults must change this table.
var defaultPolicy = []struct {
	key                 string
	po, sm, dev, stake  bool
	administrationOnly  bool // not part of the map
	wantDefaultAccTitle string
}{
	{key: "backlog.ordering", po: true, wantDefaultAccTitle: "Product Owner"},
	{key: "backlog.clarity", po: true, wantDefaultAccTitle: "Product Owner"},
	{key: "product.goal", po: true, wantDefaultAccTitle: "Product Owner"},
	{key: "readiness", po: true, wantDefaultAccTitle: "Product Owner"},
	{key: "estimation", dev: true, wantDefaultAccTitle: "Developer"},
	{key: "sprint.goal", po: true, wantDefaultAccTitle: "Product Owner"},
	{key: "sprint.backlog", dev: true, wantDefaultAccTitle: "Developer"},
	{key: "flow", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "impediments", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "facilitation.refinement", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "facilitation.planning", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "facilitation.daily", dev: true, wantDefaultAccTitle: "Developer"},
	{key: "facilitation.review", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "facilitation.retrospective", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "agreements.done", dev: true, wantDefaultAccTitle: "Developer"},
	{key: "agreements.working", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "improvement.actions", sm: true, wantDefaultAccTitle: "Scrum Master"},
	{key: "team.administration", po: true, sm: true, administrationOnly: true},
}

// TestPolicyTableCoversTheMap fails when a responsibility is added without
// a row in defaultPolicy.
func TestPolicyTableCoversTheMap(t *testing.T) {
	var keys []string
	for _, row := range defaultPolicy {
		if !row.administrationOnly {
			keys = append(keys, row.key)
		}
	}
	var defs []string
	for _, d := range Responsibilities() {
		defs = append(defs, d.Key)
	}
	if !slices.Equal(keys, defs) {
		t.Fatalf("got map keys %v, want the policy table's %v (in display order)", defs, keys)
	}
}

func TestAuthorizeDefaults(t *testing.T) {
	r := testRoster(fourRoles())
	people := []struct {
		name string
		id   string
		want func(row int) bool
	}{
		{"product_owner", poID, func(i int) bool { return defaultPolicy[i].po }},
		{"scrum_master", smID, func(i int) bool { return defaultPolicy[i].sm }},
		{"developer", devID, func(i int) bool { return defaultPolicy[i].dev }},
		{"stakeholder", stkID, func(i int) bool { return defaultPolicy[i].stake }},
		{"not on the team", otherID, func(int) bool { return false }},
	}
	for i, row := range defaultPolicy {
		for _, p := range people {
			t.Run(row.key+"/"+p.name, func(t *testing.T) {
				err := r.Authorize(p.id, row.key)
				if want := p.want(i); (err == nil) != want {
					t.Fatalf("Authorize(%s, %s) = %v, want allowed=%v", p.name, row.key, err, want)
				}
				if err != nil && ErrorCode(err) != CodeForbidden {
					t.Fatalf("got code %q, want %q", ErrorCode(err), CodeForbidden)
				}
			})
		}
	}
}

func TestDefaultOwnersMatchTheScrumGuide(t *testing.T) {
	r := testRoster(nil)
	for _, row := range defaultPolicy {
		if row.administrationOnly {
			if _, ok := r.Responsibility(row.key); ok {
				t.Errorf("%s is in the map, want it fixed to the Product Owner and Scrum Masters", row.key)
			}
			continue
		}
		x, ok := r.Responsibility(row.key)
		if !ok {
			t.Fatalf("%s missing from a fresh map", row.key)
		}
		if got := x.Owner.Accountability.Title(); got != row.wantDefaultAccTitle || x.Owner.UserID != "" {
			t.Errorf("%s: got default owner %+v (%s), want %s", row.key, x.Owner, got, row.wantDefaultAccTitle)
		}
		if x.Version != 0 {
			t.Errorf("%s: got version %d for a default, want 0", row.key, x.Version)
		}
	}
}

// A member holding several accountabilities holds the union of their
// responsibilities.
func TestAuthorizeSeveralAccountabilities(t *testing.T) {
	r := testRoster([]Member{member(smID, "Marco", ScrumMaster, Developer), member(poID, "Priya", ProductOwner)})
	for _, key := range []string{RespFlow, RespEstimation, RespFacilitateDaily, RespTeamAdministration} {
		if err := r.Authorize(smID, key); err != nil {
			t.Errorf("SM+Developer on %s: got %v, want allowed", key, err)
		}
	}
	if err := r.Authorize(smID, RespBacklogOrdering); err == nil {
		t.Errorf("SM+Developer on backlog.ordering: got allowed, want refused")
	}
}

func TestAuthorizeReassignedToAccountability(t *testing.T) {
	// The team gives backlog ordering to the Developers.
	r := testRoster(fourRoles(), assigned(RespBacklogOrdering, Owner{Accountability: Developer}, ""))
	tests := []struct {
		who  string
		id   string
		want bool
	}{
		{"developer", devID, true},
		{"product_owner", poID, false},
		{"scrum_master", smID, false},
		{"stakeholder", stkID, false},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			if err := r.Authorize(tt.id, RespBacklogOrdering); (err == nil) != tt.want {
				t.Fatalf("got %v, want allowed=%v", err, tt.want)
			}
		})
	}
}

func TestAuthorizeNamedOwner(t *testing.T) {
	// Lena facilitates retrospectives by name.
	r := testRoster(fourRoles(), assigned(RespFacilitateRetro, Owner{UserID: devID}, "Lena"))
	tests := []struct {
		who  string
		id   string
		key  string
		want bool
	}{
		{"named developer", devID, RespFacilitateRetro, true},
		{"scrum master, the default", smID, RespFacilitateRetro, false},
		{"product owner", poID, RespFacilitateRetro, false},
		{"stakeholder", stkID, RespFacilitateRetro, false},
		// Other keys keep their defaults.
		{"scrum master on review", smID, RespFacilitateReview, true},
		{"named developer on review", devID, RespFacilitateReview, false},
		// The map never changes who administers the team.
		{"named developer on administration", devID, RespTeamAdministration, false},
		{"scrum master on administration", smID, RespTeamAdministration, true},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			if err := r.Authorize(tt.id, tt.key); (err == nil) != tt.want {
				t.Fatalf("Authorize(%s) = %v, want allowed=%v", tt.key, err, tt.want)
			}
		})
	}
}

func TestAuthorizeNamedOwnerWhoLeft(t *testing.T) {
	// Flow was given to someone who is no longer on the team: nobody holds
	// it, not even the Scrum Master whose default it was.
	r := testRoster(fourRoles(), assigned(RespFlow, Owner{UserID: otherID}, "Zoe"))
	for _, id := range []string{poID, smID, devID, stkID, otherID} {
		err := r.Authorize(id, RespFlow)
		if err == nil {
			t.Fatalf("Authorize(%s, flow) = nil, want refused: a named owner who left holds nothing", id)
		}
		var e *Error
		if !asError(err, &e) || e.Need == nil {
			t.Fatalf("got %#v, want a Forbidden error with a Need", err)
		}
		if len(e.Need.Holders) != 0 {
			t.Errorf("got holders %+v, want none", e.Need.Holders)
		}
		if e.Need.Owner != (Owner{UserID: otherID}) {
			t.Errorf("got owner %+v, want the named former member", e.Need.Owner)
		}
		if !strings.Contains(e.Message, "nobody on the team holds") {
			t.Errorf("got message %q, want it to say nobody holds flow", e.Message)
		}
	}
	if hs := r.Holders(RespFlow); len(hs) != 0 {
		t.Errorf("got holders %+v, want none", hs)
	}
}

func TestForbiddenNamesResponsibilityAndHolders(t *testing.T) {
	members := append(fourRoles(), member("eeeeeeeeeeeeeeee", "Aiko", Developer), member("ffffffffffffffff", "Ben", Developer))
	r := testRoster(members)
	tests := []struct {
		name        string
		actor       string
		key         string
		wantHolders []string
		wantMessage string
		wantOwner   Owner
	}{
		{"one holder", devID, RespBacklogOrdering, []string{"Priya"},
			"this needs the backlog.ordering responsibility, held by Priya", Owner{Accountability: ProductOwner}},
		{"three holders", smID, RespEstimation, []string{"Lena", "Aiko", "Ben"},
			"this needs the estimation responsibility, held by Lena, Aiko or Ben", Owner{Accountability: Developer}},
		{"administration", devID, RespTeamAdministration, []string{"Priya", "Marco"},
			"only the Product Owner or a Scrum Master can manage the team; ask Priya or Marco", Owner{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Authorize(tt.actor, tt.key)
			var e *Error
			if !asError(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Code != CodeForbidden {
				t.Errorf("got code %q, want %q", e.Code, CodeForbidden)
			}
			if e.Message != tt.wantMessage {
				t.Errorf("got message %q, want %q", e.Message, tt.wantMessage)
			}
			if e.Need == nil || e.Need.Responsibility != tt.key {
				t.Fatalf("got need %+v, want responsibility %q", e.Need, tt.key)
			}
			var names []string
			for _, h := range e.Need.Holders {
				names = append(names, h.Name)
			}
			if !slices.Equal(names, tt.wantHolders) {
				t.Errorf("got holders %v, want %v", names, tt.wantHolders)
			}
			if e.Need.Owner != tt.wantOwner {
				t.Errorf("got owner %+v, want %+v", e.Need.Owner, tt.wantOwner)
			}
		})
	}
}

func TestForbiddenWhenNobodyAdministers(t *testing.T) {
	// The Product Owner left and there never was a Scrum Master.
	r := testRoster([]Member{member(devID, "Lena", Developer)})
	err := r.Authorize(devID, RespTeamAdministration)
	var e *Error
	if !asError(err, &e) || e.Need == nil {
		t.Fatalf("got %v, want Forbidden with a Need", err)
	}
	if e.Message != "only the Product Owner or a Scrum Master can manage the team" {
		t.Errorf("got message %q, want no one to ask", e.Message)
	}
	if len(e.Need.Holders) != 0 {
		t.Errorf("got holders %+v, want none", e.Need.Holders)
	}
}

func TestAuthorizeUnknownKey(t *testing.T) {
	r := testRoster(fourRoles())
	for _, id := range []string{poID, smID, devID} {
		if err := r.Authorize(id, "no.such.key"); ErrorCode(err) != CodeForbidden {
			t.Errorf("Authorize(%s, unknown key) = %v, want Forbidden", id, err)
		}
	}
}

func TestNewRosterFillsDefaults(t *testing.T) {
	stored := []Responsibility{
		assigned(RespFlow, Owner{UserID: devID}, "Lena"),
		{ResponsibilityDef: ResponsibilityDef{Key: RespEstimation}, Owner: Owner{Accountability: ScrumMaster}, Version: 3},
		// A key this release does not know (written by a newer one) is ignored.
		assigned("from.the.future", Owner{Accountability: Developer}, ""),
	}
	r := testRoster(fourRoles(), stored...)
	defs := Responsibilities()
	if len(r.Map) != len(defs) {
		t.Fatalf("got %d map entries, want %d", len(r.Map), len(defs))
	}
	for i, x := range r.Map {
		d := defs[i]
		if x.Key != d.Key || x.Title != d.Title || x.Area != d.Area || x.Default != d.Default {
			t.Errorf("entry %d: got %+v, want the definition of %s", i, x.ResponsibilityDef, d.Key)
		}
		switch x.Key {
		case RespFlow:
			if x.Owner != (Owner{UserID: devID}) || x.OwnerName != "Lena" || x.Version != 1 {
				t.Errorf("flow: got %+v, want Lena by name at version 1", x)
			}
		case RespEstimation:
			if x.Owner != (Owner{Accountability: ScrumMaster}) || x.Version != 3 {
				t.Errorf("estimation: got %+v, want scrum_master at version 3", x)
			}
		default:
			if x.Owner != (Owner{Accountability: d.Default}) || x.Version != 0 {
				t.Errorf("%s: got owner %+v version %d, want default %s at version 0", x.Key, x.Owner, x.Version, d.Default)
			}
		}
	}
	if _, ok := r.Responsibility("from.the.future"); ok {
		t.Errorf("got an entry for an unknown stored key, want it dropped")
	}
	// The definitions table is not shared with callers.
	defs[0].Title = "changed"
	if Responsibilities()[0].Title == "changed" {
		t.Errorf("Responsibilities returned the shared table, want a copy")
	}
}

func TestLookupResponsibility(t *testing.T) {
	if d, ok := LookupResponsibility(RespImpediments); !ok || d.Default != ScrumMaster {
		t.Errorf("got %+v %v, want impediments owned by scrum_master", d, ok)
	}
	for _, key := range []string{"", RespTeamAdministration, "flow ", "FLOW"} {
		if _, ok := LookupResponsibility(key); ok {
			t.Errorf("LookupResponsibility(%q) found an entry, want none", key)
		}
	}
}

func TestHoldersOfAndMember(t *testing.T) {
	r := testRoster(append(fourRoles(), member("eeeeeeeeeeeeeeee", "Aiko", Developer, ScrumMaster)))
	var names []string
	for _, p := range r.HoldersOf(ScrumMaster) {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"Marco", "Aiko"}) {
		t.Errorf("got scrum masters %v, want [Marco Aiko]", names)
	}
	if _, ok := r.Member(otherID); ok {
		t.Errorf("Member(outsider) found someone, want not found")
	}
	if !r.Holds(devID, RespEstimation) || r.Holds(otherID, RespEstimation) {
		t.Errorf("Holds: got dev=%v outsider=%v, want true and false", r.Holds(devID, RespEstimation), r.Holds(otherID, RespEstimation))
	}
}
