package scrum

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/internal/jsonw"
)

// ItemType is the kind of a backlog item.
type ItemType string

// Item types. An epic is an item that others name as their parent.
const (
	TypeStory ItemType = "story"
	TypeBug   ItemType = "bug"
	TypeSpike ItemType = "spike"
	TypeChore ItemType = "chore"
	TypeEpic  ItemType = "epic"
)

// ItemTypes lists every item type.
func ItemTypes() []ItemType { return []ItemType{TypeStory, TypeBug, TypeSpike, TypeChore, TypeEpic} }

// Valid reports whether t is a known type.
func (t ItemType) Valid() bool { return slices.Contains(ItemTypes(), t) }

// Status is where an item is in its life.
type Status string

// Item statuses.
const (
	StatusNew        Status = "new"
	StatusRefining   Status = "refining"
	StatusReady      Status = "ready"
	StatusPlanned    Status = "planned"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusRemoved    Status = "removed"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusNew, StatusRefining, StatusReady, StatusPlanned, StatusInProgress, StatusDone, StatusRemoved}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Criterion is one acceptance criterion of an item.
type Criterion struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// Item is a product backlog item. Rank orders a team's items strictly:
// moving an item rewrites only its own rank.
type Item struct {
	ID                 string
	TeamID             string
	Number             int // per team: #1, #2…
	Type               ItemType
	Title              string
	Description        string // Markdown
	AcceptanceCriteria []Criterion
	Value              *int
	Estimate           *float64
	Labels             []string
	ParentID           string
	Status             Status
	// GoalLinked says the item serves the team's product goal.
	GoalLinked bool
	// ReadyTicks are the ids of the manual readiness criteria people have
	// ticked for this item.
	ReadyTicks []string
	// Ready is whether the item meets the team's Definition of Ready; the
	// service keeps it current. Readiness is filled in on reads.
	Ready     bool
	Readiness []ReadinessCheck
	Rank      string
	Version   int
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
}

// Limits on item fields.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 65536
	MaxCriteria       = 50
	MaxCriterionLen   = 500
	MaxLabels         = 20
	MaxLabelLen       = 40
	MaxValue          = 1000000
	MaxEstimate       = 1000
)

// ItemPatch is a partial update: nil fields are left alone. Clear* flags
// set an optional field back to empty.
type ItemPatch struct {
	Type               *ItemType
	Title              *string
	Description        *string
	AcceptanceCriteria *[]Criterion
	Value              *int
	ClearValue         bool
	Estimate           *float64
	ClearEstimate      bool
	Labels             *[]string
	ParentID           *string // "" clears
	Status             *Status
	GoalLinked         *bool
}

// normalizeItem validates and cleans the editable fields of it, recording
// every problem.
func normalizeItem(it *Item, v *Validation) {
	if !it.Type.Valid() {
		v.Add("type", "unknown type %q (want story, bug, spike, chore or epic)", string(it.Type))
	}
	title := strings.Join(strings.Fields(it.Title), " ")
	switch {
	case title == "":
		v.Add("title", "title is required")
	case !utf8.ValidString(title):
		v.Add("title", "title is not valid UTF-8")
	case utf8.RuneCountInString(title) > MaxTitleLen:
		v.Add("title", "title is longer than %d characters", MaxTitleLen)
	}
	it.Title = title
	if len(it.Description) > MaxDescriptionLen {
		v.Add("description", "description is longer than %d bytes", MaxDescriptionLen)
	} else if !utf8.ValidString(it.Description) {
		v.Add("description", "description is not valid UTF-8")
	}
	if len(it.AcceptanceCriteria) > MaxCriteria {
		v.Add("acceptance_criteria", "at most %d acceptance criteria", MaxCriteria)
	}
	crit := it.AcceptanceCriteria[:0:0]
	for i, c := range it.AcceptanceCriteria {
		c.Text = strings.TrimSpace(c.Text)
		switch {
		case c.Text == "":
			v.Add("acceptance_criteria", "criterion %d is empty", i+1)
		case utf8.RuneCountInString(c.Text) > MaxCriterionLen:
			v.Add("acceptance_criteria", "criterion %d is longer than %d characters", i+1, MaxCriterionLen)
		}
		crit = append(crit, c)
	}
	it.AcceptanceCriteria = crit
	if it.Value != nil && (*it.Value < 0 || *it.Value > MaxValue) {
		v.Add("value", "value must be between 0 and %d", MaxValue)
	}
	if it.Estimate != nil && (*it.Estimate < 0 || *it.Estimate > MaxEstimate || *it.Estimate != *it.Estimate) {
		v.Add("estimate", "estimate must be between 0 and %d", MaxEstimate)
	}
	it.Labels = normalizeLabels(it.Labels, v)
	if !it.Status.Valid() {
		v.Add("status", "unknown status %q", string(it.Status))
	}
	if it.ParentID != "" && !ValidID(it.ParentID) {
		v.Add("parent_id", "parent_id is not an item of this team")
	}
}

func normalizeLabels(in []string, v *Validation) []string {
	if len(in) > MaxLabels {
		v.Add("labels", "at most %d labels", MaxLabels)
		return nil
	}
	out := make([]string, 0, len(in))
	for _, l := range in {
		l = strings.ToLower(strings.Join(strings.Fields(l), "-"))
		switch {
		case l == "":
			continue
		case utf8.RuneCountInString(l) > MaxLabelLen:
			v.Add("labels", "label %q is longer than %d characters", l, MaxLabelLen)
			continue
		case strings.ContainsAny(l, ",;\"") || strings.ContainsFunc(l, isControl):
			v.Add("labels", "label %q may not contain commas, semicolons or quotes", l)
			continue
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// ItemPayload is the JSON form of an item in events.
type ItemPayload struct {
	ID                 string             `json:"id"`
	Number             int                `json:"number"`
	Type               ItemType           `json:"type"`
	Title              string             `json:"title"`
	Description        string             `json:"description"`
	AcceptanceCriteria []Criterion        `json:"acceptance_criteria"`
	Value              *int               `json:"value"`
	Estimate           *float64           `json:"estimate"`
	Labels             []string           `json:"labels"`
	ParentID           string             `json:"parent_id,omitempty"`
	Status             Status             `json:"status"`
	GoalLinked         bool               `json:"goal_linked"`
	Ready              bool               `json:"ready"`
	Readiness          []ReadinessPayload `json:"readiness"`
	Rank               string             `json:"rank"`
	Version            int                `json:"version"`
}

// AppendJSON appends p's JSON, byte for byte what json.Marshal writes,
// without reflection: every item created writes one of these inside the
// single writer's transaction.
func (p ItemPayload) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.String(b, p.ID)
	b = append(b, `,"number":`...)
	b = strconv.AppendInt(b, int64(p.Number), 10)
	b = append(b, `,"type":`...)
	b = jsonw.String(b, string(p.Type))
	b = append(b, `,"title":`...)
	b = jsonw.String(b, p.Title)
	b = append(b, `,"description":`...)
	b = jsonw.String(b, p.Description)
	b = append(b, `,"acceptance_criteria":`...)
	b = AppendCriteriaJSON(b, p.AcceptanceCriteria)
	b = append(b, `,"value":`...)
	if p.Value == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*p.Value), 10)
	}
	b = append(b, `,"estimate":`...)
	if p.Estimate == nil {
		b = append(b, "null"...)
	} else {
		b = jsonw.Float(b, *p.Estimate)
	}
	b = append(b, `,"labels":`...)
	b = jsonw.Strings(b, p.Labels)
	if p.ParentID != "" {
		b = append(b, `,"parent_id":`...)
		b = jsonw.String(b, p.ParentID)
	}
	b = append(b, `,"status":`...)
	b = jsonw.String(b, string(p.Status))
	b = append(b, `,"goal_linked":`...)
	b = strconv.AppendBool(b, p.GoalLinked)
	b = append(b, `,"ready":`...)
	b = strconv.AppendBool(b, p.Ready)
	b = append(b, `,"readiness":`...)
	if p.Readiness == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range p.Readiness {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = jsonw.String(b, r.ID)
			b = append(b, `,"kind":`...)
			b = jsonw.String(b, string(r.Kind))
			b = append(b, `,"criterion":`...)
			b = jsonw.String(b, r.Criterion)
			b = append(b, `,"met":`...)
			b = strconv.AppendBool(b, r.Met)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"rank":`...)
	b = jsonw.String(b, p.Rank)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	return append(b, '}')
}

// AppendCriteriaJSON appends cs as json.Marshal writes it (nil is null).
func AppendCriteriaJSON(b []byte, cs []Criterion) []byte {
	if cs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"text":`...)
		b = jsonw.String(b, c.Text)
		b = append(b, `,"done":`...)
		b = strconv.AppendBool(b, c.Done)
		b = append(b, '}')
	}
	return append(b, ']')
}

// ReadinessPayload is one readiness criterion as it applies to an item.
type ReadinessPayload struct {
	ID        string        `json:"id"`
	Kind      CriterionKind `json:"kind"`
	Criterion string        `json:"criterion"`
	Met       bool          `json:"met"`
}

// NewReadinessPayload maps checks to their JSON form.
func NewReadinessPayload(cs []ReadinessCheck) []ReadinessPayload {
	out := make([]ReadinessPayload, len(cs))
	for i, c := range cs {
		out[i] = ReadinessPayload{ID: c.ID, Kind: c.Kind, Criterion: c.Criterion, Met: c.Met}
	}
	return out
}

// NewItemPayload maps an item to its event form.
func NewItemPayload(it Item) ItemPayload {
	return ItemPayload{ID: it.ID, Number: it.Number, Type: it.Type, Title: it.Title, Description: it.Description,
		AcceptanceCriteria: nonNil(it.AcceptanceCriteria), Value: it.Value, Estimate: it.Estimate,
		Labels: nonNil(it.Labels), ParentID: it.ParentID, Status: it.Status, GoalLinked: it.GoalLinked,
		Ready: it.Ready, Readiness: NewReadinessPayload(it.Readiness), Rank: it.Rank, Version: it.Version}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Change is one field's before and after, kept in an item's history.
type Change struct {
	Field string          `json:"field"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

// ItemChanged is the data of item.updated: the changes and the item after.
type ItemChanged struct {
	Changes []Change    `json:"changes"`
	Item    ItemPayload `json:"item"`
}

// ItemMoved is the data of item.moved.
type ItemMoved struct {
	ID      string `json:"id"`
	Rank    string `json:"rank"`
	Version int    `json:"version"`
	Before  string `json:"before,omitempty"` // the item now right after it
	After   string `json:"after,omitempty"`  // the item now right before it
	To      string `json:"to,omitempty"`     // "top" or "bottom"
}

// Item event types.
const (
	EventItemCreated = "item.created"
	EventItemUpdated = "item.updated"
	EventItemMoved   = "item.moved"
)

// diffItems lists the fields that differ between a and b.
func diffItems(a, b Item) []Change {
	var out []Change
	add := func(field string, x, y any) {
		xb, _ := json.Marshal(x)
		yb, _ := json.Marshal(y)
		if string(xb) != string(yb) {
			out = append(out, Change{Field: field, From: xb, To: yb})
		}
	}
	add("type", a.Type, b.Type)
	add("title", a.Title, b.Title)
	add("description", a.Description, b.Description)
	add("acceptance_criteria", nonNil(a.AcceptanceCriteria), nonNil(b.AcceptanceCriteria))
	add("value", a.Value, b.Value)
	add("estimate", a.Estimate, b.Estimate)
	add("labels", nonNil(a.Labels), nonNil(b.Labels))
	add("parent_id", a.ParentID, b.ParentID)
	add("status", a.Status, b.Status)
	add("goal_linked", a.GoalLinked, b.GoalLinked)
	add("readiness_ticks", nonNil(a.ReadyTicks), nonNil(b.ReadyTicks))
	add("ready", a.Ready, b.Ready)
	return out
}

// ItemFilter selects items of a team; zero fields do not filter.
type ItemFilter struct {
	Types    []ItemType
	Statuses []Status
	Label    string
	ParentID string
	// Ready, when set, keeps only items that are (or are not) ready.
	Ready *bool
	// Open keeps only items that are not done or removed.
	Open bool
	// GoalLinked, when set, keeps only items that are (or are not) linked
	// to the product goal.
	GoalLinked *bool
	Query      string // full-text search over title, description and criteria
	// WithRemoved includes removed items, which are hidden by default.
	WithRemoved bool
}
