package backlogcsv

import (
	"io"
	"sort"
	"strings"
)

// Jira columns, by their normalized names (see jiraName). Jira names a
// custom field "Custom field (Story Points)"; the bare name is accepted too.
const (
	jcSummary            = "summary"
	jcIssueKey           = "issue key"
	jcIssueID            = "issue id"
	jcIssueType          = "issue type"
	jcStatus             = "status"
	jcStatusCategory     = "status category"
	jcDescription        = "description"
	jcStoryPoints        = "story points"
	jcStoryPointEstimate = "story point estimate"
	jcEpicLink           = "epic link"
	jcRank               = "rank"
	jcParent             = "parent"
	jcParentID           = "parent id"
	jcParentKey          = "parent key"
	jcLabels             = "labels"
	jcComment            = "comment"
	jcCreated            = "created"
)

// jiraName normalizes a Jira column header: lower case, and the name of a
// custom field without the "custom field (…)" around it.
func jiraName(h string) string {
	n := strings.ToLower(strings.TrimSpace(h))
	if inner, ok := strings.CutPrefix(n, "custom field ("); ok && strings.HasSuffix(inner, ")") {
		n = strings.TrimSpace(strings.TrimSuffix(inner, ")"))
	}
	return n
}

// jiraCols maps normalized Jira column names to their positions. Jira
// repeats the column of a list field (Labels, Sprint, Comment…) once per
// value, so a name may have several positions.
type jiraCols struct {
	header []string
	index  map[string][]int
}

func newJiraCols(header []string) jiraCols {
	jc := jiraCols{header: header, index: make(map[string][]int)}
	for i, h := range header {
		n := jiraName(h)
		jc.index[n] = append(jc.index[n], i)
	}
	return jc
}

func (jc jiraCols) has(name string) bool { return len(jc.index[name]) > 0 }

// first returns the first non-blank value, trimmed, among the columns with
// the given names, tried in order, and the header of the column it came
// from.
func (jc jiraCols) first(rec record, names ...string) (value, field string) {
	for _, n := range names {
		for _, i := range jc.index[n] {
			if v := strings.TrimSpace(rec.cell(i)); v != "" {
				return v, jc.header[i]
			}
		}
	}
	return "", jc.field(names...)
}

// all returns the non-blank values of every column with the given name.
func (jc jiraCols) all(rec record, name string) []string {
	var out []string
	for _, i := range jc.index[name] {
		if v := rec.cell(i); strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// field returns the header, as written in the file, of the first present
// column among names, or the first name.
func (jc jiraCols) field(names ...string) string {
	for _, n := range names {
		if is := jc.index[n]; len(is) > 0 {
			return jc.header[is[0]]
		}
	}
	return names[0]
}

// ParseJira reads a CSV export of Jira issues, from Jira Server or Data
// Center, Jira Cloud, or a team-managed project. Summary and Issue Type are
// required columns; every other column is optional and unknown ones are
// ignored.
//
// Issue types and statuses map to Tandem's; a status Tandem does not know
// maps through the Status Category column. Descriptions and comments turn
// from Jira wiki markup into Markdown (see WikiToMarkdown), and a list under
// an "Acceptance Criteria" heading in the description becomes the
// acceptance criteria. Dates are read with opts.DateFormat in opts.Location.
//
// Items come back ordered by Jira's rank, and those without a rank after
// them in file order. When the file has any problem the error is an *Errors
// listing all of them; other errors come from reading r.
func ParseJira(r io.Reader, opts Options) ([]Item, error) {
	var c collector
	t, err := readTable(r, opts.maxRows(), &c)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, c.err()
	}
	jc := newJiraCols(t.header)
	missing := false
	for _, req := range [][2]string{{jcSummary, "Summary"}, {jcIssueType, "Issue Type"}} {
		if !jc.has(req[0]) {
			c.add(1, FileField, "missing required column %q", req[1])
			missing = true
		}
	}
	if missing {
		return nil, c.err()
	}

	p := jiraParser{cols: jc, layout: opts.layout(), loc: opts.location(), c: &c}
	p.keyOf = make(map[string]string)
	for _, rec := range t.rows {
		id, _ := jc.first(rec, jcIssueID)
		key, _ := jc.first(rec, jcIssueKey)
		if id != "" && key != "" {
			p.keyOf[id] = key
		}
	}

	items := make([]Item, 0, len(t.rows))
	keys := keyRows{}
	for _, rec := range t.rows {
		it := p.item(rec)
		keys.check(it, jc.field(jcIssueKey), "issue key", &c)
		items = append(items, it)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	sortByRank(items)
	return items, nil
}

// sortByRank orders items by Rank, compared byte by byte as LexoRank is
// meant to be, keeping the file order of equal ranks and putting items
// without a rank last.
func sortByRank(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		ri, rj := items[i].Rank, items[j].Rank
		if ri == "" || rj == "" {
			return ri != "" && rj == ""
		}
		return ri < rj
	})
}
