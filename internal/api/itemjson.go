package api

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
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
		b = appendJSONString(b, next)
	}
	return append(b, "}\n"...)
}

func appendItem(b []byte, j *itemJSON) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, j.ID)
	b = append(b, `,"team_id":`...)
	b = appendJSONString(b, j.TeamID)
	b = append(b, `,"number":`...)
	b = strconv.AppendInt(b, int64(j.Number), 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, j.Type)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, j.Title)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, j.Description)
	b = append(b, `,"acceptance_criteria":`...)
	if j.AcceptanceCriteria == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range j.AcceptanceCriteria {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = appendJSONString(b, c.Text)
			b = append(b, `,"done":`...)
			b = strconv.AppendBool(b, c.Done)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
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
		b = appendJSONFloat(b, *j.Estimate)
	}
	b = append(b, `,"labels":`...)
	b = appendStrings(b, j.Labels)
	b = append(b, `,"parent_id":`...)
	if j.ParentID == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *j.ParentID)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, j.Status)
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
			b = appendJSONString(b, r.Criterion)
			b = append(b, `,"met":`...)
			b = strconv.AppendBool(b, r.Met)
			b = append(b, `,"id":`...)
			b = appendJSONString(b, r.ID)
			b = append(b, `,"kind":`...)
			b = appendJSONString(b, r.Kind)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"rank":`...)
	b = appendJSONString(b, j.Rank)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(j.Version), 10)
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, j.CreatedAt)
	b = append(b, `,"created_by":`...)
	b = appendJSONString(b, j.CreatedBy)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, j.UpdatedAt)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONFloat formats f as encoding/json does (ES6 number to string).
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b) - start; n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does: HTML-safe (<, >, & as
// \u003c…), U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...) // the replacement character itself, as encoding/json writes it
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
