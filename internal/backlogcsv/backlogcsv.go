// Package backlogcsv turns uploaded CSV files into backlog item drafts and
// writes Tandem's own CSV export.
//
// It reads two formats: Tandem's CSV (ParseTandem, the inverse of
// WriteTandem) and a Jira CSV export (ParseJira). Both return neutral Item
// values in backlog order and know nothing about the database: the caller
// validates references between items and stores them. An import is
// all-or-nothing, so a parser does not stop at the first problem; it returns
// an *Errors that lists every problem found, each with its row and column.
package backlogcsv

import "time"

// Item is one backlog item draft read from a CSV file.
type Item struct {
	// Row is the 1-based row of the item in the file. The header is row 1,
	// so the first data row is 2.
	Row int
	// Key is the item's key in the source, such as Jira's "PROJ-12" or a
	// Tandem item id. It may be empty.
	Key string
	// Type is one of story, bug, spike, chore or epic.
	Type string
	// Title is a single line of at most 200 characters.
	Title string
	// Description is Markdown.
	Description        string
	AcceptanceCriteria []Criterion
	// Status is one of new, refining, ready, planned, in_progress, done or
	// removed.
	Status string
	// Value is the business value, if any.
	Value *int
	// Estimate is the estimate in story points, if any.
	Estimate *float64
	Labels   []string
	// ParentKey is the Key of the parent epic, if any.
	ParentKey string
	// Rank is the source's ordering key (a Jira LexoRank), or "" if the
	// source has none. Items are already returned in this order.
	Rank     string
	Comments []Comment
	// Created is when the item was created in the source, or the zero time.
	Created time.Time
}

// Criterion is one acceptance criterion of an item.
type Criterion struct {
	Text string
	Done bool
}

// Comment is a comment on an item, as exported by the source.
type Comment struct {
	Author string
	At     time.Time
	// Body is Markdown.
	Body string
}

// Options tune how a file is parsed. The zero value is ready to use.
type Options struct {
	// DateFormat is the Go time layout of dates in the file, or the name of
	// a preset known to DateLayout. Empty means the "jira" preset.
	DateFormat string
	// Location is the time zone of dates that carry none. Nil means UTC.
	Location *time.Location
	// MaxRows is the largest number of data rows accepted. Zero or less
	// means DefaultMaxRows.
	MaxRows int
}

// DefaultMaxRows is the row limit used when Options.MaxRows is not set.
const DefaultMaxRows = 20000

// Limits on single fields.
const (
	maxTitle    = 200
	maxEstimate = 1000
	maxValue    = 1000000
)

// knownType reports whether t is one of Tandem's item types.
func knownType(t string) bool {
	switch t {
	case "story", "bug", "spike", "chore", "epic":
		return true
	}
	return false
}

// knownStatus reports whether s is one of Tandem's item statuses.
func knownStatus(s string) bool {
	switch s {
	case "new", "refining", "ready", "planned", "in_progress", "done", "removed":
		return true
	}
	return false
}

// DateLayout returns the Go time layout of a named date format preset:
// "jira" (Jira's default, as in "12/Mar/24 9:15 AM"), "iso"
// ("2024-03-12 09:15"), "us" ("3/12/24 9:15 AM") or "eu" ("12.03.24 09:15").
// It reports false for any other name.
func DateLayout(name string) (string, bool) {
	switch name {
	case "jira":
		return "02/Jan/06 3:04 PM", true
	case "iso":
		return "2006-01-02 15:04", true
	case "us":
		return "1/2/06 3:04 PM", true
	case "eu":
		return "02.01.06 15:04", true
	}
	return "", false
}

// layout returns the Go layout that o asks for.
func (o Options) layout() string {
	if o.DateFormat == "" {
		l, _ := DateLayout("jira")
		return l
	}
	if l, ok := DateLayout(o.DateFormat); ok {
		return l
	}
	return o.DateFormat
}

func (o Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o Options) maxRows() int {
	if o.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return o.MaxRows
}
