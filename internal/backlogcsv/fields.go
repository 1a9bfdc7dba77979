package backlogcsv

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// quote quotes a value from the file for a message, shortened so that a
// huge cell does not make a huge message.
func quote(s string) string {
	const maxRunes = 40
	if utf8.RuneCountInString(s) > maxRunes {
		n := 0
		for i := range s {
			if n == maxRunes {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return fmt.Sprintf("%q", s)
}

// checkTitle records what is wrong with a title, if anything.
func checkTitle(row int, field, title string, c *collector) {
	switch {
	case title == "":
		c.add(row, field, "title is required")
	case strings.IndexByte(title, '\n') >= 0:
		c.add(row, field, "title must be a single line")
	case utf8.RuneCountInString(title) > maxTitle:
		c.add(row, field, "title is longer than %d characters", maxTitle)
	}
}

// parseEstimate parses story points: a plain decimal number from 0 to 1000.
// It returns nil for an empty cell, and a message when s is invalid.
func parseEstimate(s string) (*float64, string) {
	if s == "" {
		return nil, ""
	}
	if !decimal(s) {
		if strings.HasPrefix(s, "-") && decimal(s[1:]) {
			return nil, quote(s) + " is negative"
		}
		return nil, quote(s) + " is not a number"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f > maxEstimate {
		return nil, fmt.Sprintf("%s is more than %d", quote(s), maxEstimate)
	}
	return &f, ""
}

// decimal reports whether s is digits, optionally followed by a point and
// more digits.
func decimal(s string) bool {
	intPart, frac, hasPoint := strings.Cut(s, ".")
	return digits(intPart) && (!hasPoint || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeLabels trims labels and drops empty and repeated ones, keeping
// the first-seen order. It returns nil when no label is left.
func normalizeLabels(labels []string) []string {
	var out []string
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// keyRows remembers the row of each item key seen in a file, since other
// items refer to their parent by key.
type keyRows map[string]int

// check records a problem if it reuses the key of an earlier item.
func (k keyRows) check(it Item, field, name string, c *collector) {
	if it.Key == "" {
		return
	}
	if first, dup := k[it.Key]; dup {
		c.add(it.Row, field, "duplicate %s %s (also on row %d)", name, quote(it.Key), first)
		return
	}
	k[it.Key] = it.Row
}
