package backlogcsv

import (
	"strings"
	"time"
)

// jiraParser turns the rows of one Jira export into items.
type jiraParser struct {
	cols   jiraCols
	layout string
	loc    *time.Location
	keyOf  map[string]string // issue id → issue key, over the whole file
	c      *collector
}

// item reads one row, recording its problems.
func (p *jiraParser) item(rec record) Item {
	row, jc := rec.row, p.cols
	it := Item{Row: row, Status: "new"}
	it.Key, _ = jc.first(rec, jcIssueKey)
	it.Rank, _ = jc.first(rec, jcRank)

	var field string
	it.Title, field = jc.first(rec, jcSummary)
	checkTitle(row, field, it.Title, p.c)

	typ, field := jc.first(rec, jcIssueType)
	if typ == "" {
		p.c.add(row, field, "issue type is required")
	} else if it.Type = jiraType(typ); it.Type == "" {
		p.c.add(row, field, "unknown issue type %s", quote(typ))
	}

	status, field := jc.first(rec, jcStatus)
	if status != "" {
		category, _ := jc.first(rec, jcStatusCategory)
		if it.Status = jiraStatus(status, category); it.Status == "" {
			p.c.add(row, field, "unknown status %s", quote(status))
		}
	}

	points, field := jc.first(rec, jcStoryPoints, jcStoryPointEstimate)
	if e, msg := parseEstimate(points); msg != "" {
		p.c.add(row, field, "%s", msg)
	} else {
		it.Estimate = e
	}

	var labels []string
	for _, cell := range jc.all(rec, jcLabels) {
		labels = append(labels, strings.Fields(cell)...)
	}
	it.Labels = normalizeLabels(labels)

	it.ParentKey, _ = jc.first(rec, jcEpicLink, jcParentKey)
	if it.ParentKey == "" {
		id, _ := jc.first(rec, jcParent, jcParentID)
		it.ParentKey = id
		if key, ok := p.keyOf[id]; ok {
			it.ParentKey = key
		}
	}

	desc, _ := jc.first(rec, jcDescription)
	it.Description = WikiToMarkdown(desc)
	it.AcceptanceCriteria = criteriaInMarkdown(it.Description)

	if created, field := jc.first(rec, jcCreated); created != "" {
		it.Created, _ = p.date(row, field, created)
	}
	for _, cell := range jc.all(rec, jcComment) {
		if cm, ok := p.comment(row, jc.field(jcComment), cell); ok {
			it.Comments = append(it.Comments, cm)
		}
	}
	return it
}

// date parses a date of the file, recording a problem if it does not
// match the file's format.
func (p *jiraParser) date(row int, field, s string) (time.Time, bool) {
	t, err := time.ParseInLocation(p.layout, s, p.loc)
	if err != nil {
		p.c.add(row, field, "%s is not a date like %q", quote(s), p.layout)
		return time.Time{}, false
	}
	return t, true
}

// comment parses a Jira comment cell, "date;author;body". Only the first two
// semicolons separate: the body may hold more, and line breaks.
func (p *jiraParser) comment(row int, field, cell string) (Comment, bool) {
	parts := strings.SplitN(cell, ";", 3)
	if len(parts) < 3 {
		p.c.add(row, field, "%s is not a comment like \"date;author;text\"", quote(cell))
		return Comment{}, false
	}
	at, ok := p.date(row, field, strings.TrimSpace(parts[0]))
	if !ok {
		return Comment{}, false
	}
	return Comment{
		Author: strings.TrimSpace(parts[1]),
		At:     at,
		Body:   WikiToMarkdown(parts[2]),
	}, true
}

// jiraType maps a Jira issue type to a Tandem item type, or "" if it has no
// counterpart.
func jiraType(t string) string {
	switch strings.ToLower(t) {
	case "story", "user story":
		return "story"
	case "bug", "defect":
		return "bug"
	case "spike", "research":
		return "spike"
	case "task", "chore", "improvement", "technical task", "sub-task", "subtask":
		return "chore"
	case "epic":
		return "epic"
	}
	return ""
}

// jiraStatus maps a Jira status to a Tandem status: by name for the common
// workflow statuses, else by the status category every Jira status belongs
// to. It returns "" if neither is known.
func jiraStatus(status, category string) string {
	switch strings.ToLower(status) {
	case "to do", "open", "backlog", "new", "reopened":
		return "new"
	case "refinement", "in refinement", "needs refinement":
		return "refining"
	case "ready", "ready for dev", "ready for development", "selected for development":
		return "ready"
	case "in progress", "in development", "in review", "code review", "testing", "qa":
		return "in_progress"
	case "done", "closed", "resolved":
		return "done"
	case "won't do", "won't fix", "cancelled", "canceled", "rejected", "duplicate":
		return "removed"
	}
	switch strings.ToLower(category) {
	case "to do":
		return "new"
	case "in progress":
		return "in_progress"
	case "done":
		return "done"
	}
	return ""
}

// criteriaInMarkdown returns the list items that follow an "Acceptance
// Criteria" heading (of any level, or a line of its own ending in ":") in
// Markdown, as criteria not yet done.
func criteriaInMarkdown(md string) []Criterion {
	if !containsFold(md, "acceptance criteria") {
		return nil
	}
	lines := strings.Split(md, "\n")
	start := -1
	for i, l := range lines {
		if criteriaHeading(l) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil
	}
	var out []Criterion
	for _, l := range lines[start:] {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		text, ok := listItemText(t)
		if !ok {
			break
		}
		if text != "" {
			out = append(out, Criterion{Text: text})
		}
	}
	return out
}

// criteriaHeading reports whether a Markdown line heads the acceptance
// criteria: "## Acceptance Criteria", "Acceptance criteria:" or
// "**Acceptance Criteria:**".
func criteriaHeading(line string) bool {
	t := strings.TrimSpace(line)
	heading := strings.HasPrefix(t, "#")
	t = strings.TrimLeft(t, "#")
	t = strings.TrimSpace(strings.Trim(strings.TrimSpace(t), "*_"))
	colon := strings.HasSuffix(t, ":")
	t = strings.TrimSpace(strings.TrimSuffix(t, ":"))
	return strings.EqualFold(t, "acceptance criteria") && (heading || colon)
}

// listItemText returns the text of a Markdown list item line, already
// trimmed: "- text", "* text", "+ text", "1. text" or "1) text".
func listItemText(t string) (string, bool) {
	if t == "-" || t == "*" || t == "+" {
		return "", true
	}
	if len(t) >= 2 && strings.IndexByte("-*+", t[0]) >= 0 && t[1] == ' ' {
		return strings.TrimSpace(t[2:]), true
	}
	i := 0
	for i < len(t) && i < 9 && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && t[i+1] == ' ' {
		return strings.TrimSpace(t[i+2:]), true
	}
	return "", false
}

// containsFold reports whether s contains the lower-case ASCII text sub,
// ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
