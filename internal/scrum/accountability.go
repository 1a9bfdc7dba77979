package scrum

import "slices"

// Accountability is one of the Scrum Guide's accountabilities, plus the
// stakeholder who watches and gives feedback.
type Accountability string

// The accountabilities a member can hold.
const (
	ProductOwner Accountability = "product_owner"
	ScrumMaster  Accountability = "scrum_master"
	Developer    Accountability = "developer"
	Stakeholder  Accountability = "stakeholder"
)

// Accountabilities lists every accountability in display order.
func Accountabilities() []Accountability {
	return []Accountability{ProductOwner, ScrumMaster, Developer, Stakeholder}
}

// Valid reports whether a is a known accountability.
func (a Accountability) Valid() bool {
	return slices.Contains(Accountabilities(), a)
}

// Title is the human name of the accountability.
func (a Accountability) Title() string {
	switch a {
	case ProductOwner:
		return "Product Owner"
	case ScrumMaster:
		return "Scrum Master"
	case Developer:
		return "Developer"
	case Stakeholder:
		return "Stakeholder"
	}
	return string(a)
}

// Person is a user as seen by teammates.
type Person struct {
	UserID string
	Name   string
}

// Owner is who holds a responsibility: an accountability (everyone holding
// it) or one named person. Exactly one of the two is set.
type Owner struct {
	Accountability Accountability
	UserID         string
}

// IsZero reports whether no owner is set.
func (o Owner) IsZero() bool { return o.Accountability == "" && o.UserID == "" }

// Area groups responsibilities by whose concern they are; the product shows
// product concerns and process concerns in different colours.
type Area string

// The areas of the responsibility map.
const (
	AreaProduct    Area = "product"
	AreaProcess    Area = "process"
	AreaEvents     Area = "events"
	AreaAgreements Area = "agreements"
)

// ResponsibilityDef is a responsibility every team has, with its Scrum Guide
// default owner.
type ResponsibilityDef struct {
	Key         string
	Title       string
	Description string
	Area        Area
	Default     Accountability
}

// The responsibility keys the product checks in code.
const (
	RespBacklogOrdering     = "backlog.ordering"
	RespBacklogClarity      = "backlog.clarity"
	RespProductGoal         = "product.goal"
	RespReadiness           = "readiness"
	RespEstimation          = "estimation"
	RespSprintGoal          = "sprint.goal"
	RespSprintBacklog       = "sprint.backlog"
	RespFlow                = "flow"
	RespImpediments         = "impediments"
	RespFacilitateRefine    = "facilitation.refinement"
	RespFacilitatePlanning  = "facilitation.planning"
	RespFacilitateDaily     = "facilitation.daily"
	RespFacilitateReview    = "facilitation.review"
	RespFacilitateRetro     = "facilitation.retrospective"
	RespAgreementsDone      = "agreements.done"
	RespAgreementsWorking   = "agreements.working"
	RespImprovementActions  = "improvement.actions"
	RespTeamAdministration  = "team.administration" // not in the map: fixed to PO and SMs
	teamAdministrationTitle = "Manage members and the responsibility map"
)

// responsibilityDefs is an immutable table; Responsibilities returns a copy.
var responsibilityDefs = []ResponsibilityDef{
	{RespBacklogOrdering, "Order the product backlog", "Decide what comes next: only the holder reorders, others suggest.", AreaProduct, ProductOwner},
	{RespBacklogClarity, "Keep backlog items clear", "Items say what and why, with acceptance criteria.", AreaProduct, ProductOwner},
	{RespProductGoal, "Own the product goal", "State and update the long-term objective the backlog serves.", AreaProduct, ProductOwner},
	{RespReadiness, "Definition of Ready", "Keep the readiness checklist and get items ready before planning.", AreaProduct, ProductOwner},
	{RespEstimation, "Estimate the work", "Size backlog items; the people doing the work estimate it.", AreaProduct, Developer},
	{RespSprintGoal, "Propose the sprint goal", "Bring the objective that gives the sprint its focus.", AreaProduct, ProductOwner},
	{RespSprintBacklog, "Own the sprint backlog", "Plan and re-plan the sprint's tasks.", AreaProcess, Developer},
	{RespFlow, "Keep work flowing", "Watch WIP limits, ageing work and bottlenecks.", AreaProcess, ScrumMaster},
	{RespImpediments, "Remove impediments", "Own every raised blocker until it is resolved or routed.", AreaProcess, ScrumMaster},
	{RespFacilitateRefine, "Facilitate refinement", "Run refinement and estimation sessions.", AreaEvents, ScrumMaster},
	{RespFacilitatePlanning, "Facilitate sprint planning", "Run sprint planning and keep its timebox.", AreaEvents, ScrumMaster},
	{RespFacilitateDaily, "Run the Daily Scrum", "The Daily Scrum is the Developers' event.", AreaEvents, Developer},
	{RespFacilitateReview, "Facilitate the sprint review", "Run the review with stakeholders.", AreaEvents, ScrumMaster},
	{RespFacilitateRetro, "Facilitate the retrospective", "Run the retro: phases, timebox, safety.", AreaEvents, ScrumMaster},
	{RespAgreementsDone, "Definition of Done", "Keep the quality bar every increment meets.", AreaAgreements, Developer},
	{RespAgreementsWorking, "Working agreements", "Keep how the team works together written down and current.", AreaAgreements, ScrumMaster},
	{RespImprovementActions, "Follow up improvement actions", "Make sure retro actions get done.", AreaAgreements, ScrumMaster},
}

// Responsibilities lists every responsibility of the map in display order.
func Responsibilities() []ResponsibilityDef { return slices.Clone(responsibilityDefs) }

// LookupResponsibility returns the definition of key.
func LookupResponsibility(key string) (ResponsibilityDef, bool) {
	for _, d := range responsibilityDefs {
		if d.Key == key {
			return d, true
		}
	}
	return ResponsibilityDef{}, false
}

// normalizeAccountabilities validates a list and returns it de-duplicated in
// display order.
func normalizeAccountabilities(field string, in []Accountability, v *Validation) []Accountability {
	if len(in) == 0 {
		v.Add(field, "at least one accountability is required")
		return nil
	}
	var out []Accountability
	for _, a := range Accountabilities() {
		if slices.Contains(in, a) {
			out = append(out, a)
		}
	}
	for _, a := range in {
		if !a.Valid() {
			v.Add(field, "unknown accountability %q (want product_owner, scrum_master, developer or stakeholder)", string(a))
			return nil
		}
	}
	return out
}
