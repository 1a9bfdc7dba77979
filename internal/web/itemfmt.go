package web

import (
	"encoding/json"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

// itemFuncs are the template helpers of the backlog pages.
func (w *Web) itemFuncs() template.FuncMap {
	return template.FuncMap{
		"typeIcon": func(t scrum.ItemType) template.HTML {
			return template.HTML(`<svg class="icon type-icon type-icon--` + template.HTMLEscapeString(string(t)) +
				`" role="img" aria-label="` + typeTitle(t) + `"><use href="/static/icons.svg?v=` + w.assets.hash["icons.svg"] +
				`#i-` + template.HTMLEscapeString(string(t)) + `"></use></svg>`)
		},
		"typeTitle":   typeTitle,
		"statusTitle": statusTitle,
		"itemTypes":   scrum.ItemTypes,
		"statuses":    scrum.Statuses,
		"estimate":    estimateText,
		"intp": func(p *int) string {
			if p == nil {
				return ""
			}
			return strconv.Itoa(*p)
		},
		"markdown":  w.markdown,
		"joinComma": func(ss []string) string { return strings.Join(ss, ", ") },
		"doneCount": func(cs []scrum.Criterion) int {
			n := 0
			for _, c := range cs {
				if c.Done {
					n++
				}
			}
			return n
		},
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"add":          func(a, b int) int { return a + b },
		"metCount":     metCount,
		"rowLabel":     rowLabel,
		"bulkStatuses": bulkStatuses,
		"firstName":    firstName,
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
	}
}

func typeTitle(t scrum.ItemType) string {
	switch t {
	case scrum.TypeStory:
		return "Story"
	case scrum.TypeBug:
		return "Bug"
	case scrum.TypeSpike:
		return "Spike"
	case scrum.TypeChore:
		return "Chore"
	case scrum.TypeEpic:
		return "Epic"
	}
	return string(t)
}

func statusTitle(s scrum.Status) string {
	switch s {
	case scrum.StatusNew:
		return "New"
	case scrum.StatusRefining:
		return "Refining"
	case scrum.StatusReady:
		return "Ready"
	case scrum.StatusPlanned:
		return "Planned"
	case scrum.StatusInProgress:
		return "In progress"
	case scrum.StatusDone:
		return "Done"
	case scrum.StatusRemoved:
		return "Removed"
	}
	return string(s)
}

// estimateText shows an estimate as the team wrote it: 3, 0.5 as ½.
func estimateText(e *float64) string {
	if e == nil {
		return ""
	}
	switch *e {
	case 0.5:
		return "½"
	}
	return strconv.FormatFloat(*e, 'f', -1, 64)
}

// formatEstimate is estimateText for the edit form, where ½ would not parse.
func formatEstimate(e *float64) string {
	if e == nil {
		return ""
	}
	return strconv.FormatFloat(*e, 'f', -1, 64)
}

// changeLine is one field change in an item's history, ready to show.
type changeLine struct {
	Field string // "title"
	Verb  string // "changed the title", "edited the description"
	From  string
	To    string
	Icon  string
}

// describeChange turns a stored change into words. Long or structured
// values are summarised rather than shown in full.
func describeChange(c scrum.Change, itemName func(id string) string, criteria map[string]string) changeLine {
	l := changeLine{Field: c.Field, Icon: "i-edit"}
	str := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if string(raw) == "null" {
			return ""
		}
		return string(raw)
	}
	none := func(s string) string {
		if s == "" {
			return "none"
		}
		return s
	}
	switch c.Field {
	case "title":
		l.Verb, l.From, l.To = "renamed it", str(c.From), str(c.To)
	case "type":
		l.Verb = "changed the type"
		l.From, l.To = typeTitle(scrum.ItemType(str(c.From))), typeTitle(scrum.ItemType(str(c.To)))
	case "status":
		l.Verb, l.Icon = "changed the status", "i-flag"
		l.From, l.To = statusTitle(scrum.Status(str(c.From))), statusTitle(scrum.Status(str(c.To)))
	case "value":
		l.Verb, l.Icon = "changed the value", "i-diamond"
		l.From, l.To = none(str(c.From)), none(str(c.To))
	case "estimate":
		l.Verb, l.Icon = "changed the estimate", "i-poker"
		l.From, l.To = none(str(c.From)), none(str(c.To))
	case "labels":
		var a, b []string
		_ = json.Unmarshal(c.From, &a)
		_ = json.Unmarshal(c.To, &b)
		l.Verb, l.Icon = "changed the labels", "i-tag"
		l.From, l.To = none(strings.Join(a, ", ")), none(strings.Join(b, ", "))
	case "parent_id":
		l.Verb, l.Icon = "changed the epic", "i-epic"
		l.From, l.To = none(itemName(str(c.From))), none(itemName(str(c.To)))
	case "acceptance_criteria":
		var a, b []scrum.Criterion
		_ = json.Unmarshal(c.From, &a)
		_ = json.Unmarshal(c.To, &b)
		l.Verb, l.Icon = "changed the acceptance criteria", "i-check"
		l.From, l.To = criteriaSummary(a), criteriaSummary(b)
	case "description":
		l.Verb = "edited the description"
	case "goal_linked":
		l.Icon = "i-target"
		l.Verb = "unlinked it from the product goal"
		if str(c.To) == "true" {
			l.Verb = "linked it to the product goal"
		}
	case "ready":
		l.Icon = "i-check-circle"
		l.Verb = "made it no longer ready"
		if str(c.To) == "true" {
			l.Verb = "made it ready"
		}
	case "readiness_ticks":
		var a, b []string
		_ = json.Unmarshal(c.From, &a)
		_ = json.Unmarshal(c.To, &b)
		l.Icon = "i-check-circle"
		l.Verb = tickVerb(a, b, criteria)
	default:
		l.Verb = "changed " + strings.ReplaceAll(c.Field, "_", " ")
		l.From, l.To = str(c.From), str(c.To)
	}
	return l
}

func criteriaSummary(cs []scrum.Criterion) string {
	if len(cs) == 0 {
		return "none"
	}
	done := 0
	for _, c := range cs {
		if c.Done {
			done++
		}
	}
	return strconv.Itoa(done) + " of " + strconv.Itoa(len(cs)) + " met"
}

// tickVerb words a change of ticked readiness criteria: "ticked
// ‘Dependencies known’", "unticked ‘UX designs attached’".
func tickVerb(from, to []string, criteria map[string]string) string {
	name := func(id string) string {
		if t, ok := criteria[id]; ok {
			return "‘" + t + "’"
		}
		return "a criterion no longer in the Definition of Ready"
	}
	var parts []string
	for _, id := range to {
		if !slices.Contains(from, id) {
			parts = append(parts, "ticked "+name(id))
		}
	}
	for _, id := range from {
		if !slices.Contains(to, id) {
			parts = append(parts, "unticked "+name(id))
		}
	}
	if len(parts) == 0 {
		return "changed the Definition of Ready ticks"
	}
	return strings.Join(parts, " and ")
}
