package scrum

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// signalIDs lists signals as "key" or "key:subject", sorted, so a test can
// say exactly which signals it wants.
func signalIDs(ss []Signal) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key
		if s.Subject != "" {
			out[i] += ":" + s.Subject
		}
	}
	slices.Sort(out)
	return out
}

func unowned(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = SignalUnowned + ":" + k
	}
	return out
}

func sorted(parts ...[]string) []string {
	out := slices.Concat(parts...)
	slices.Sort(out)
	return out
}

func TestHealthSignals(t *testing.T) {
	poKeys := []string{RespBacklogOrdering, RespBacklogClarity, RespProductGoal, RespReadiness, RespSprintGoal}
	smKeys := []string{RespFlow, RespImpediments, RespFacilitateRefine, RespFacilitatePlanning, RespFacilitateReview,
		RespFacilitateRetro, RespAgreementsWorking, RespImprovementActions}
	devKeys := []string{RespEstimation, RespSprintBacklog, RespFacilitateDaily, RespAgreementsDone}
	po := member(poID, "Priya", ProductOwner)
	sm := member(smID, "Marco", ScrumMaster)
	dev := member(devID, "Lena", Developer)
	stk := member(stkID, "Sam", Stakeholder)

	tests := []struct {
		name    string
		members []Member
		stored  []Responsibility
		want    []string
	}{
		{name: "healthy team", members: []Member{po, sm, dev, stk}, want: []string{}},
		{name: "healthy without stakeholders", members: []Member{po, sm, dev}, want: []string{}},
		{name: "no product owner", members: []Member{sm, dev},
			want: sorted([]string{SignalNoProductOwner}, unowned(poKeys...))},
		{name: "no scrum master", members: []Member{po, dev},
			want: sorted([]string{SignalNoScrumMaster}, unowned(smKeys...))},
		{name: "product owner is scrum master", members: []Member{member(poID, "Priya", ProductOwner, ScrumMaster), dev},
			want: []string{SignalPOIsSM + ":" + poID}},
		{name: "no developers", members: []Member{po, sm},
			want: sorted([]string{SignalNoDevelopers}, unowned(devKeys...))},
		{name: "reassigned to an accountability nobody holds", members: []Member{po, sm, dev},
			stored: []Responsibility{assigned(RespImpediments, Owner{Accountability: Stakeholder}, "")},
			want:   unowned(RespImpediments)},
		{name: "named holder left", members: []Member{po, sm, dev},
			stored: []Responsibility{assigned(RespFacilitateRetro, Owner{UserID: otherID}, "Zoe")},
			want:   unowned(RespFacilitateRetro)},
		{name: "named holder still on the team", members: []Member{po, sm, dev},
			stored: []Responsibility{assigned(RespFacilitateRetro, Owner{UserID: devID}, "Lena")},
			want:   []string{}},
		{name: "named holder covers a missing accountability", members: []Member{po, dev},
			stored: []Responsibility{assigned(RespFlow, Owner{UserID: devID}, "Lena")},
			want:   sorted([]string{SignalNoScrumMaster}, unowned(slices.DeleteFunc(slices.Clone(smKeys), func(k string) bool { return k == RespFlow })...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := signalIDs(testRoster(tt.members, tt.stored...).Health())
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got signals %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHealthSignalDetails(t *testing.T) {
	find := func(t *testing.T, ss []Signal, key, subject string) Signal {
		t.Helper()
		for _, s := range ss {
			if s.Key == key && s.Subject == subject {
				return s
			}
		}
		t.Fatalf("no signal %s:%s in %v", key, subject, signalIDs(ss))
		return Signal{}
	}
	t.Run("no product owner: high, the Scrum Master can act", func(t *testing.T) {
		s := find(t, testRoster([]Member{member(smID, "Marco", ScrumMaster), member(devID, "Lena", Developer)}).Health(), SignalNoProductOwner, "")
		if s.Severity != SeverityHigh || s.Owner != (Owner{Accountability: ScrumMaster}) {
			t.Errorf("got severity %s owner %+v, want high and scrum_master", s.Severity, s.Owner)
		}
	})
	t.Run("no scrum master: high, the Product Owner can act and fixes the map", func(t *testing.T) {
		ss := testRoster([]Member{member(poID, "Priya", ProductOwner), member(devID, "Lena", Developer)}).Health()
		s := find(t, ss, SignalNoScrumMaster, "")
		if s.Severity != SeverityHigh || s.Owner != (Owner{Accountability: ProductOwner}) {
			t.Errorf("got severity %s owner %+v, want high and product_owner", s.Severity, s.Owner)
		}
		u := find(t, ss, SignalUnowned, RespImpediments)
		if u.Owner != (Owner{Accountability: ProductOwner}) {
			t.Errorf("unowned impediments: got owner %+v, want product_owner (no Scrum Master to act)", u.Owner)
		}
	})
	t.Run("one person both roles: medium, names them", func(t *testing.T) {
		s := find(t, testRoster([]Member{member(poID, "Priya", ProductOwner, ScrumMaster), member(devID, "Lena", Developer)}).Health(), SignalPOIsSM, poID)
		if s.Severity != SeverityMedium || s.Owner != (Owner{UserID: poID}) {
			t.Errorf("got severity %s owner %+v, want medium and Priya", s.Severity, s.Owner)
		}
		if !strings.Contains(s.Summary, "Priya is both Product Owner and Scrum Master") {
			t.Errorf("got summary %q, want it to name Priya", s.Summary)
		}
	})
	t.Run("unowned by accountability: evidence names it", func(t *testing.T) {
		r := testRoster(fourRoles()[:3], assigned(RespImpediments, Owner{Accountability: Stakeholder}, ""))
		s := find(t, r.Health(), SignalUnowned, RespImpediments)
		if s.Severity != SeverityHigh || s.Owner != (Owner{Accountability: ScrumMaster}) {
			t.Errorf("got severity %s owner %+v, want high and scrum_master", s.Severity, s.Owner)
		}
		want := "it is assigned to Stakeholder, which nobody on the team holds"
		if fmt.Sprint(s.Evidence) != fmt.Sprint([]string{want}) {
			t.Errorf("got evidence %q, want %q", s.Evidence, want)
		}
		if !strings.Contains(s.Summary, RespImpediments) {
			t.Errorf("got summary %q, want the key in it", s.Summary)
		}
	})
	t.Run("unowned because the holder left: evidence names them", func(t *testing.T) {
		r := testRoster(fourRoles()[:3], assigned(RespFacilitateRetro, Owner{UserID: otherID}, "Zoe"))
		s := find(t, r.Health(), SignalUnowned, RespFacilitateRetro)
		want := "it is assigned to Zoe, who is no longer on the team"
		if fmt.Sprint(s.Evidence) != fmt.Sprint([]string{want}) {
			t.Errorf("got evidence %q, want %q", s.Evidence, want)
		}
		r = testRoster(fourRoles()[:3], assigned(RespFacilitateRetro, Owner{UserID: otherID}, ""))
		s = find(t, r.Health(), SignalUnowned, RespFacilitateRetro)
		if want := "it is assigned to a former member, who is no longer on the team"; s.Evidence[0] != want {
			t.Errorf("got evidence %q without a name, want %q", s.Evidence[0], want)
		}
	})
	t.Run("no developers: medium", func(t *testing.T) {
		s := find(t, testRoster([]Member{member(poID, "Priya", ProductOwner), member(smID, "Marco", ScrumMaster)}).Health(), SignalNoDevelopers, "")
		if s.Severity != SeverityMedium || s.Owner != (Owner{Accountability: ScrumMaster}) {
			t.Errorf("got severity %s owner %+v, want medium and scrum_master", s.Severity, s.Owner)
		}
	})
}
