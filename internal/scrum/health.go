package scrum

import (
	"cmp"
	"fmt"
)

// Severity ranks a health signal.
type Severity string

// Severities, most urgent first.
const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

// Signal is one boundary-health finding: what is wrong, the evidence, and
// who can act on it.
type Signal struct {
	Key      string
	Severity Severity
	Subject  string // e.g. the responsibility key concerned
	Summary  string
	Evidence []string
	Owner    Owner // who can act
}

// Health signal keys.
const (
	SignalNoProductOwner = "team.no_product_owner"
	SignalNoScrumMaster  = "team.no_scrum_master"
	SignalPOIsSM         = "roles.po_is_scrum_master"
	SignalUnowned        = "responsibility.unowned"
	SignalNoDevelopers   = "team.no_developers"
)

// Health computes the boundary-health signals of a roster. It is pure, so
// the page, the API and later the insights dashboard all agree.
func (r Roster) Health() []Signal {
	var out []Signal
	pos := r.HoldersOf(ProductOwner)
	sms := r.HoldersOf(ScrumMaster)
	// Whoever manages the team can fix the map: a Scrum Master when there
	// is one, else the Product Owner.
	admin := Owner{Accountability: ScrumMaster}
	if len(sms) == 0 {
		admin = Owner{Accountability: ProductOwner}
	}
	if len(pos) == 0 {
		out = append(out, Signal{
			Key: SignalNoProductOwner, Severity: SeverityHigh,
			Summary:  "The team has no Product Owner",
			Evidence: []string{"nobody holds product_owner, so nobody decides what comes next"},
			Owner:    Owner{Accountability: ScrumMaster},
		})
	}
	if len(sms) == 0 {
		out = append(out, Signal{
			Key: SignalNoScrumMaster, Severity: SeverityHigh,
			Summary:  "The team has no Scrum Master",
			Evidence: []string{"nobody holds scrum_master, so facilitation and impediments default to no one"},
			Owner:    Owner{Accountability: ProductOwner},
		})
	}
	for _, m := range r.Members {
		if m.Has(ProductOwner) && m.Has(ScrumMaster) {
			out = append(out, Signal{
				Key: SignalPOIsSM, Severity: SeverityMedium, Subject: m.UserID,
				Summary: fmt.Sprintf("%s is both Product Owner and Scrum Master", m.Name),
				Evidence: []string{
					m.Name + " holds product_owner and scrum_master",
					"product questions and process questions get the same answerer, so their boundary blurs",
				},
				Owner: Owner{UserID: m.UserID},
			})
		}
	}
	if len(r.HoldersOf(Developer)) == 0 && len(r.Members) > 0 {
		out = append(out, Signal{
			Key: SignalNoDevelopers, Severity: SeverityMedium,
			Summary:  "The team has no Developers",
			Evidence: []string{"nobody holds developer, so nobody estimates or owns the sprint backlog"},
			Owner:    admin,
		})
	}
	for _, x := range r.Map {
		if len(r.Holders(x.Key)) > 0 {
			continue
		}
		var ev string
		if x.Owner.UserID != "" {
			ev = fmt.Sprintf("it is assigned to %s, who is no longer on the team", cmp.Or(x.OwnerName, "a former member"))
		} else {
			ev = fmt.Sprintf("it is assigned to %s, which nobody on the team holds", x.Owner.Accountability.Title())
		}
		out = append(out, Signal{
			Key: SignalUnowned, Severity: SeverityHigh, Subject: x.Key,
			Summary:  fmt.Sprintf("Nobody owns %q (%s)", x.Title, x.Key),
			Evidence: []string{ev},
			Owner:    admin,
		})
	}
	return out
}
