package api

import (
	"strconv"

	"github.com/tandemhq/tandem/internal/jsonw"
	"github.com/tandemhq/tandem/internal/scrum"
)

// The backlog list is the Product Owner's hottest read: a 1,000-item page
// spent about 40% of its CPU in reflection-driven encoding. These
// appenders write exactly the bytes encoding/json writes for the same
// values (TestItemAppendMatchesEncodingJSON and its fuzz test hold them to
// it), without reflection.

func appendItemList(b []byte, items []itemJSON, next string) []byte {
	b = append(b, `{"items":[`...)
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, &items[i])
	}
	return appendItemListEnd(b, next)
}

// appendItemListEnd closes the items array and the list object.
func appendItemListEnd(b []byte, next string) []byte {
	b = append(b, `],"next_cursor":`...)
	if next == "" {
		b = append(b, "null"...)
	} else {
		b = jsonw.String(b, next)
	}
	return append(b, "}\n"...)
}

func appendItem(b []byte, j *itemJSON) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.String(b, j.ID)
	b = append(b, `,"team_id":`...)
	b = jsonw.String(b, j.TeamID)
	b = append(b, `,"number":`...)
	b = strconv.AppendInt(b, int64(j.Number), 10)
	b = append(b, `,"type":`...)
	b = jsonw.String(b, j.Type)
	b = append(b, `,"title":`...)
	b = jsonw.String(b, j.Title)
	b = append(b, `,"description":`...)
	b = jsonw.String(b, j.Description)
	b = append(b, `,"acceptance_criteria":`...)
	b = scrum.AppendCriteriaJSON(b, j.AcceptanceCriteria)
	b = append(b, `,"value":`...)
	if j.Value == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*j.Value), 10)
	}
	b = append(b, `,"estimate":`...)
	if j.Estimate == nil {
		b = append(b, "null"...)
	} else {
		b = jsonw.Float(b, *j.Estimate)
	}
	b = append(b, `,"labels":`...)
	b = jsonw.Strings(b, j.Labels)
	b = append(b, `,"parent_id":`...)
	if j.ParentID == nil {
		b = append(b, "null"...)
	} else {
		b = jsonw.String(b, *j.ParentID)
	}
	b = append(b, `,"status":`...)
	b = jsonw.String(b, j.Status)
	b = append(b, `,"goal_linked":`...)
	b = strconv.AppendBool(b, j.GoalLinked)
	b = append(b, `,"ready":`...)
	b = strconv.AppendBool(b, j.Ready)
	b = append(b, `,"readiness":`...)
	if j.Readiness == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range j.Readiness {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"criterion":`...)
			b = jsonw.String(b, r.Criterion)
			b = append(b, `,"met":`...)
			b = strconv.AppendBool(b, r.Met)
			b = append(b, `,"id":`...)
			b = jsonw.String(b, r.ID)
			b = append(b, `,"kind":`...)
			b = jsonw.String(b, r.Kind)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"rank":`...)
	b = jsonw.String(b, j.Rank)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(j.Version), 10)
	b = append(b, `,"created_at":`...)
	b = jsonw.Time(b, j.CreatedAt)
	b = append(b, `,"created_by":`...)
	b = jsonw.String(b, j.CreatedBy)
	b = append(b, `,"updated_at":`...)
	b = jsonw.Time(b, j.UpdatedAt)
	return append(b, '}')
}
