package store

import (
	"strconv"
	"strings"
)

// anonymous rewrites query's $1 … $n placeholders as SQLite's anonymous
// "?" when each of them appears exactly once and in order, which is how
// the store writes nearly every statement. modernc.org/sqlite binds an
// anonymous parameter by position, and a named one ($3) by asking SQLite
// for its name, copying it into a Go string and parsing the number: for
// the item insert's 21 parameters that was the larger part of binding.
// Any other query (a placeholder used twice, out of order, or none; a
// "?" already; a comment) is returned as it was. Quoted text and identifiers, including
// SQLite's [bracketed] ones, are left alone.
func anonymous(query string) string {
	var b strings.Builder
	next, last := 1, 0
	for i := 0; i < len(query); i++ {
		switch c := query[i]; c {
		case '\'', '"', '`', '[':
			closing := c
			if c == '[' {
				closing = ']'
			}
			end := strings.IndexByte(query[i+1:], closing)
			if end < 0 {
				return query
			}
			i += end + 1
		case '?':
			return query // already positional: numbering would shift
		case '-', '/':
			if i+1 < len(query) && (c == '-' && query[i+1] == '-' || c == '/' && query[i+1] == '*') {
				return query // a comment could hide anything; keep it simple
			}
		case '$':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j == i+1 || query[i+1:j] != strconv.Itoa(next) {
				return query
			}
			if b.Len() == 0 {
				b.Grow(len(query))
			}
			b.WriteString(query[last:i])
			b.WriteByte('?')
			last, next = j, next+1
			i = j - 1
		}
	}
	if next == 1 {
		return query
	}
	b.WriteString(query[last:])
	return b.String()
}
