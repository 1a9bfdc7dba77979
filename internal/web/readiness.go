package web

import (
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

// gapOwner says who can close a readiness gap, from the responsibility
// map: acceptance criteria belong to backlog.clarity, estimates to
// estimation, manual criteria to readiness.
type gapOwner struct {
	Key   string // the responsibility
	Label string // "Priya", "Developers"
	Tone  string // "product", "process" or "" (neutral)
}

func gapOwnerOf(ro scrum.Roster, k scrum.CriterionKind) gapOwner {
	key := scrum.RespReadiness
	switch k {
	case scrum.KindHasAcceptanceCriteria:
		key = scrum.RespBacklogClarity
	case scrum.KindEstimated, scrum.KindFitsInSprint:
		key = scrum.RespEstimation
	}
	g := gapOwner{Key: key}
	x, ok := ro.Responsibility(key)
	if !ok {
		return g
	}
	holders := ro.Holders(key)
	switch {
	case x.Owner.UserID != "" && len(holders) == 1:
		g.Label = firstName(holders[0].Name)
	case len(holders) == 1 && x.Owner.Accountability != scrum.Developer:
		g.Label = firstName(holders[0].Name)
	case x.Owner.Accountability != "":
		g.Label = accPlural(x.Owner.Accountability)
	default:
		g.Label = "nobody"
	}
	switch x.Owner.Accountability {
	case scrum.ProductOwner:
		g.Tone = "product"
	case scrum.ScrumMaster:
		g.Tone = "process"
	}
	return g
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

func metCount(cs []scrum.ReadinessCheck) int {
	n := 0
	for _, c := range cs {
		if c.Met {
			n++
		}
	}
	return n
}
