package backlogcsv

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Columns of Tandem's CSV format.
const (
	tcID                 = "id"
	tcType               = "type"
	tcTitle              = "title"
	tcStatus             = "status"
	tcValue              = "value"
	tcEstimate           = "estimate"
	tcLabels             = "labels"
	tcParentID           = "parent_id"
	tcAcceptanceCriteria = "acceptance_criteria"
	tcDescription        = "description"
)

// tandemHeader returns the columns WriteTandem writes, in order.
func tandemHeader() []string {
	return []string{tcID, tcType, tcTitle, tcStatus, tcValue, tcEstimate,
		tcLabels, tcParentID, tcAcceptanceCriteria, tcDescription}
}

// ParseTandem reads Tandem's CSV format, as WriteTandem writes it. Columns
// may come in any order and headers are case-insensitive; only title is
// required. Labels are separated by ";". Acceptance criteria are one per
// line, each optionally prefixed by "[x] " (done) or "[ ] " (not done).
// Empty type and status default to story and new.
//
// Cells that WriteTandem protected against formula injection lose their
// leading "'". Items come back in file order. When the file has any problem
// the error is an *Errors listing all of them; other errors come from
// reading r.
func ParseTandem(r io.Reader, opts Options) ([]Item, error) {
	var c collector
	t, err := readTable(r, opts.maxRows(), &c)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, c.err()
	}
	cols, ok := tandemColumns(t.header, &c)
	if !ok {
		return nil, c.err()
	}
	items := make([]Item, 0, len(t.rows))
	keys := keyRows{}
	for _, rec := range t.rows {
		it := cols.item(rec, &c)
		keys.check(it, cols.field(tcID), "id", &c)
		items = append(items, it)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return items, nil
}

// tandemCols maps Tandem's column names to their position in a file.
type tandemCols struct {
	header []string
	index  map[string]int
}

// tandemColumns checks a Tandem header and maps its columns.
func tandemColumns(header []string, c *collector) (tandemCols, bool) {
	tc := tandemCols{header: header, index: make(map[string]int)}
	known := make(map[string]bool)
	for _, h := range tandemHeader() {
		known[h] = true
	}
	anyKnown := false
	for _, h := range header {
		anyKnown = anyKnown || known[strings.ToLower(h)]
	}
	if !anyKnown {
		c.add(1, FileField, "first row is not a header: want columns %s", strings.Join(tandemHeader(), ","))
		return tc, false
	}
	ok := true
	for i, h := range header {
		name := strings.ToLower(h)
		switch {
		case name == "":
			c.add(1, FileField, "column %d has no name", i+1)
			ok = false
		case !known[name]:
			c.add(1, h, "unknown column %s", quote(h))
			ok = false
		case tc.has(name):
			c.add(1, h, "column %s appears more than once", quote(h))
			ok = false
		default:
			tc.index[name] = i
		}
	}
	if !tc.has(tcTitle) {
		c.add(1, FileField, "missing required column %q", tcTitle)
		ok = false
	}
	return tc, ok
}

func (tc tandemCols) has(name string) bool {
	_, ok := tc.index[name]
	return ok
}

// field returns the header of a column as written in the file.
func (tc tandemCols) field(name string) string {
	if i, ok := tc.index[name]; ok {
		return tc.header[i]
	}
	return name
}

// value returns a cell of rec by column name, without the formula-injection
// guard, and "" for a column the file lacks.
func (tc tandemCols) value(rec record, name string) string {
	i, ok := tc.index[name]
	if !ok {
		return ""
	}
	return unguard(rec.cell(i))
}

// item reads one row, recording its problems in c.
func (tc tandemCols) item(rec record, c *collector) Item {
	row := rec.row
	it := Item{
		Row:         row,
		Key:         strings.TrimSpace(tc.value(rec, tcID)),
		Title:       strings.TrimSpace(tc.value(rec, tcTitle)),
		Description: tc.value(rec, tcDescription),
		Labels:      normalizeLabels(strings.Split(tc.value(rec, tcLabels), ";")),
		ParentKey:   strings.TrimSpace(tc.value(rec, tcParentID)),
	}
	checkTitle(row, tc.field(tcTitle), it.Title, c)

	it.Type = strings.ToLower(strings.TrimSpace(tc.value(rec, tcType)))
	if it.Type == "" {
		it.Type = "story"
	} else if !knownType(it.Type) {
		c.add(row, tc.field(tcType), "unknown type %s (want story, bug, spike, chore or epic)", quote(it.Type))
	}

	it.Status = strings.ToLower(strings.TrimSpace(tc.value(rec, tcStatus)))
	if it.Status == "" {
		it.Status = "new"
	} else if !knownStatus(it.Status) {
		c.add(row, tc.field(tcStatus),
			"unknown status %s (want new, refining, ready, planned, in_progress, done or removed)", quote(it.Status))
	}

	if v, msg := parseValue(strings.TrimSpace(tc.value(rec, tcValue))); msg != "" {
		c.add(row, tc.field(tcValue), "%s", msg)
	} else {
		it.Value = v
	}
	if e, msg := parseEstimate(strings.TrimSpace(tc.value(rec, tcEstimate))); msg != "" {
		c.add(row, tc.field(tcEstimate), "%s", msg)
	} else {
		it.Estimate = e
	}
	it.AcceptanceCriteria = parseCriteria(tc.value(rec, tcAcceptanceCriteria))
	return it
}

// parseValue parses a business value: a whole number from 0 to 1000000. It
// returns nil for an empty cell, and a message when s is invalid.
func parseValue(s string) (*int, string) {
	if s == "" {
		return nil, ""
	}
	if !digits(s) {
		if strings.HasPrefix(s, "-") && digits(s[1:]) {
			return nil, quote(s) + " is negative"
		}
		return nil, quote(s) + " is not a whole number"
	}
	v, err := strconv.Atoi(s)
	if err != nil || v > maxValue {
		return nil, fmt.Sprintf("%s is more than %d", quote(s), maxValue)
	}
	return &v, ""
}

// parseCriteria reads acceptance criteria, one per line. Blank lines are
// skipped.
func parseCriteria(s string) []Criterion {
	var out []Criterion
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		done := false
		switch {
		case checkbox(line, "[ ]"):
			line = strings.TrimSpace(line[3:])
		case checkbox(line, "[x]"), checkbox(line, "[X]"):
			line, done = strings.TrimSpace(line[3:]), true
		}
		if line != "" {
			out = append(out, Criterion{Text: line, Done: done})
		}
	}
	return out
}

// checkbox reports whether line starts with the box followed by a space or
// nothing.
func checkbox(line, box string) bool {
	return strings.HasPrefix(line, box) && (len(line) == len(box) || line[len(box)] == ' ')
}

// WriteTandem writes items in Tandem's CSV format, which ParseTandem reads
// back into the same items. Cells that a spreadsheet would run as a formula
// get a leading "'". Labels must not contain ";"; line breaks in the text
// of an acceptance criterion become spaces.
func WriteTandem(w io.Writer, items []Item) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(tandemHeader()); err != nil {
		return fmt.Errorf("write tandem csv: %w", err)
	}
	rec := make([]string, len(tandemHeader()))
	for _, it := range items {
		value, estimate := "", ""
		if it.Value != nil {
			value = strconv.Itoa(*it.Value)
		}
		if it.Estimate != nil {
			estimate = strconv.FormatFloat(*it.Estimate, 'f', -1, 64)
		}
		rec[0] = it.Key
		rec[1] = it.Type
		rec[2] = it.Title
		rec[3] = it.Status
		rec[4] = value
		rec[5] = estimate
		rec[6] = strings.Join(it.Labels, ";")
		rec[7] = it.ParentKey
		rec[8] = formatCriteria(it.AcceptanceCriteria)
		rec[9] = it.Description
		for i, v := range rec {
			rec[i] = guard(v)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write tandem csv: row %d: %w", it.Row, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write tandem csv: %w", err)
	}
	return nil
}

func formatCriteria(cs []Criterion) string {
	var b strings.Builder
	for _, c := range cs {
		text := strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c.Text))
		if text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if c.Done {
			b.WriteString("[x] ")
		} else {
			b.WriteString("[ ] ")
		}
		b.WriteString(text)
	}
	return b.String()
}

// formulaStart reports whether a spreadsheet would treat a cell starting
// with b as a formula.
func formulaStart(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// needsGuard reports whether a cell would run as a formula, or would lose a
// quote when read back: a value of quotes followed by a formula start is
// guarded too, so that unguard(guard(s)) == s for every s.
func needsGuard(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && formulaStart(s[0])
}

// guard protects a cell against formula injection by prefixing "'".
func guard(s string) string {
	if needsGuard(s) {
		return "'" + s
	}
	return s
}

// unguard undoes guard.
func unguard(s string) string {
	if strings.HasPrefix(s, "'") && needsGuard(s[1:]) {
		return s[1:]
	}
	return s
}
