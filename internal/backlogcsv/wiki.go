package backlogcsv

import "strings"

// WikiToMarkdown converts Jira wiki markup to Markdown (CommonMark with GFM
// tables and strikethrough). It handles headings (h1. to h6.), bold,
// italic, strikethrough, monospace, {code} and {noformat} blocks, {quote}
// and bq. quotes, bullet and numbered lists (mixed and nested), links,
// tables, forced line breaks (\\) and horizontal rules (----); {color} tags
// are dropped. Everything else is kept as text, and nothing inside a code
// block is converted. It works on any input in time linear in its length.
func WikiToMarkdown(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	var cv converter
	for _, line := range strings.Split(s, "\n") {
		cv.line(line)
	}
	if cv.code != nil {
		cv.flushCode()
	}
	return strings.TrimRight(cv.w.b.String(), "\n")
}

// converter carries the block state of one WikiToMarkdown call.
type converter struct {
	w     mdWriter
	code  *codeBlock // the {code} or {noformat} block being read, if any
	lists []int      // widths of the markers of the open list levels
}

// codeBlock is a {code} or {noformat} block not yet written.
type codeBlock struct {
	closer string // "{code}" or "{noformat}"
	lang   string
	lines  []string
}

// line converts one line of wiki markup. Block macros may start or end
// anywhere in it, so it is taken apart around them.
func (cv *converter) line(l string) {
	lower := asciiLower(l)
	for pos := 0; ; {
		if cv.code != nil {
			closer := cv.code.closer
			i := strings.Index(lower[pos:], closer)
			if i < 0 {
				cv.code.lines = append(cv.code.lines, l[pos:])
				return
			}
			i += pos
			if strings.TrimSpace(l[pos:i]) != "" {
				cv.code.lines = append(cv.code.lines, l[pos:i])
			}
			cv.flushCode()
			pos = i + len(closer)
		} else {
			m, ok := findMacro(l, lower, pos)
			if !ok {
				cv.text(l[pos:])
				return
			}
			if strings.TrimSpace(l[pos:m.start]) != "" {
				cv.text(l[pos:m.start])
			}
			pos = m.end
			if m.closer == "" {
				cv.lists = cv.lists[:0]
				cv.w.setQuote(!cv.w.quote)
			} else {
				cv.code = &codeBlock{closer: m.closer, lang: m.lang}
			}
		}
		if strings.TrimSpace(l[pos:]) == "" {
			return
		}
	}
}

// flushCode writes the pending code block as a fenced block.
func (cv *converter) flushCode() {
	cb := cv.code
	cv.code = nil
	cv.lists = cv.lists[:0]
	lines := cb.lines
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	run := 0
	for _, l := range lines {
		run = max(run, longestRun(l, '`'))
	}
	fence := strings.Repeat("`", max(3, run+1))
	var b strings.Builder
	b.WriteString(fence)
	b.WriteString(cb.lang)
	b.WriteByte('\n')
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString(fence)
	cv.w.write(kindCode, "", "", b.String())
}

// text converts a line, or part of one, that holds no block macro.
func (cv *converter) text(l string) {
	t := strings.TrimSpace(l)
	if marker, rest, ok := listMarker(t); ok {
		cv.listItem(marker, rest)
		return
	}
	cv.lists = cv.lists[:0]
	switch {
	case t == "":
		cv.w.blankLine()
	case len(t) >= 3 && (t[0] == 'h' || t[0] == 'H') && t[1] >= '1' && t[1] <= '6' && t[2] == '.' &&
		(len(t) == 3 || t[3] == ' '):
		level := int(t[1] - '0')
		cv.w.write(kindHeading, strings.Repeat("#", level)+" ", "", inline(strings.TrimSpace(t[3:]), false))
	case strings.HasPrefix(t, "bq. ") || t == "bq.":
		cv.w.write(kindQuote, "> ", "> ", escapeBlockStart(inline(strings.TrimSpace(t[3:]), true)))
	case len(t) >= 4 && strings.Trim(t, "-") == "":
		cv.w.write(kindRule, "", "", "---")
	case t[0] == '|':
		cv.tableRow(t)
	default:
		cv.w.write(kindPara, "", "", escapeBlockStart(inline(t, true)))
	}
}

// listMarker splits a wiki list line into its marker ("*", "##", "*#", "-")
// and its text.
func listMarker(t string) (marker, rest string, ok bool) {
	if strings.HasPrefix(t, "- ") {
		return "-", strings.TrimSpace(t[2:]), true
	}
	i := 0
	for i < len(t) && (t[i] == '*' || t[i] == '#') {
		i++
	}
	if i == 0 || i == len(t) || t[i] != ' ' {
		return "", "", false
	}
	return t[:i], strings.TrimSpace(t[i+1:]), true
}

// listItem writes a list item. Markdown nests an item by indenting it to
// the text of its parent, so the indent depends on the parent's marker:
// two spaces under "- ", three under "1. ". A level can only be one deeper
// than the one before, or Markdown would read an indented code block.
func (cv *converter) listItem(marker, text string) {
	if cv.w.last != kindList || cv.w.blank || cv.w.sep {
		cv.lists = cv.lists[:0]
	}
	depth := min(len(marker), len(cv.lists)+1)
	cv.lists = cv.lists[:depth-1]
	indent := 0
	for _, w := range cv.lists {
		indent += w
	}
	bullet := "- "
	if marker[len(marker)-1] == '#' {
		bullet = "1. "
	}
	cv.lists = append(cv.lists, len(bullet))
	pad := strings.Repeat(" ", indent)
	cv.w.write(kindList, pad+bullet, pad+strings.Repeat(" ", len(bullet)), escapeBlockStart(inline(text, true)))
}

// tableRow writes a row of a wiki table (||head||head|| or |cell|cell|) as
// a GFM table row. GFM tables must start with a header and a delimiter row,
// so a table without a header row gets an empty one.
func (cv *converter) tableRow(t string) {
	cells := splitRow(t)
	if len(cells) == 0 {
		cv.w.write(kindPara, "", "", escapeBlockStart(inline(t, true)))
		return
	}
	for i, c := range cells {
		cells[i] = escapePipes(inline(strings.TrimSpace(c), false))
	}
	var b strings.Builder
	if cv.w.last != kindTable || cv.w.blank || cv.w.sep {
		if strings.HasPrefix(t, "||") {
			writeCells(&b, cells)
		} else {
			writeCells(&b, make([]string, len(cells)))
		}
		b.WriteByte('\n')
		writeCells(&b, repeat("---", len(cells)))
		if !strings.HasPrefix(t, "||") {
			b.WriteByte('\n')
			writeCells(&b, cells)
		}
	} else {
		writeCells(&b, cells)
	}
	cv.w.write(kindTable, "", "", b.String())
}

func writeCells(b *strings.Builder, cells []string) {
	b.WriteByte('|')
	for _, c := range cells {
		b.WriteByte(' ')
		b.WriteString(c)
		b.WriteString(" |")
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// splitRow splits a table row on | and ||, except inside links, monospace
// and after a backslash.
func splitRow(t string) []string {
	var cells []string
	lastClose := strings.LastIndex(t, "}}")
	start := -1
	for i := 0; i < len(t); {
		switch {
		case t[i] == '\\':
			i += 2
		case t[i] == '[':
			if j := closeBracket(t, i); j > 0 {
				i = j + 1
			} else {
				i++
			}
		case strings.HasPrefix(t[i:], "{{") && i+2 <= lastClose:
			if j := strings.Index(t[i+2:], "}}"); j >= 0 {
				i += 2 + j + 2
			} else {
				i += 2
			}
		case t[i] == '|':
			if start >= 0 {
				cells = append(cells, t[start:i])
			}
			i++
			if i < len(t) && t[i] == '|' {
				i++
			}
			start = i
		default:
			i++
		}
	}
	if start >= 0 && start < len(t) && strings.TrimSpace(t[start:]) != "" {
		cells = append(cells, t[start:])
	}
	return cells
}

// closeBracket returns the index of the "]" that closes the "[" at i, or -1
// when another "[" or the end of s comes first.
func closeBracket(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case ']':
			return j
		case '[':
			return -1
		}
	}
	return -1
}

// escapePipes escapes the "|" of a table cell that are not escaped yet.
func escapePipes(s string) string {
	if strings.IndexByte(s, '|') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '|':
			b.WriteString(`\|`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escapeBlockStart escapes a paragraph line that Markdown would otherwise
// read as a code fence, the underline of a heading, a rule or an empty list
// item.
func escapeBlockStart(s string) string {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") ||
		(t != "" && (strings.Trim(t, "= ") == "" || strings.Trim(t, "- ") == "" || strings.Trim(t, "* ") == "")) {
		return `\` + s
	}
	return s
}

// macro is a {code}, {noformat} or {quote} tag found in a line.
type macro struct {
	start, end int
	closer     string // the tag that ends the block; "" for {quote}
	lang       string
}

// findMacro finds the first block macro tag in l from byte from on; lower
// is asciiLower(l). A brace that is part of "{{" belongs to monospace text,
// not to a macro.
func findMacro(l, lower string, from int) (macro, bool) {
	for i := from; i < len(l); i++ {
		k := strings.IndexByte(l[i:], '{')
		if k < 0 {
			break
		}
		i += k
		if (i > 0 && l[i-1] == '{') || (i+1 < len(l) && l[i+1] == '{') {
			continue
		}
		rest := lower[i:]
		if strings.HasPrefix(rest, "{quote}") {
			return macro{start: i, end: i + len("{quote}")}, true
		}
		for _, name := range []string{"code", "noformat"} {
			if !strings.HasPrefix(rest[1:], name) {
				continue
			}
			after := i + 1 + len(name)
			if after < len(l) && l[after] == '}' {
				return macro{start: i, end: after + 1, closer: "{" + name + "}"}, true
			}
			if after < len(l) && l[after] == ':' {
				params := l[after+1 : min(len(l), after+1+200)]
				if j := strings.IndexByte(params, '}'); j >= 0 {
					m := macro{start: i, end: after + 1 + j + 1, closer: "{" + name + "}"}
					if name == "code" {
						m.lang = codeLanguage(params[:j])
					}
					return m, true
				}
			}
		}
	}
	return macro{}, false
}

// codeLanguage finds the language in the parameters of a {code:…} tag:
// "java", or "language=java|title=Foo.java".
func codeLanguage(params string) string {
	lang := ""
	for _, p := range strings.Split(params, "|") {
		k, v, hasValue := strings.Cut(p, "=")
		switch {
		case !hasValue && lang == "":
			lang = k
		case strings.EqualFold(strings.TrimSpace(k), "language"):
			lang = v
		}
	}
	lang = strings.TrimSpace(lang)
	for i := 0; i < len(lang); i++ {
		c := lang[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+#_.-", c) >= 0) {
			return ""
		}
	}
	if len(lang) > 32 {
		return ""
	}
	return lang
}

// asciiLower lower-cases the ASCII letters of s only, so that byte offsets
// in the result are offsets in s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// blockKind is the kind of a Markdown block, which decides whether two
// consecutive lines need a blank line between them.
type blockKind int

const (
	kindNone blockKind = iota
	kindPara
	kindHeading
	kindList
	kindQuote
	kindTable
	kindCode
	kindRule
)

// mdWriter writes Markdown lines. It puts a blank line between blocks of
// different kinds, since Markdown would otherwise continue a list, quote or
// table with the next line, and prefixes every line inside a {quote}.
type mdWriter struct {
	b     strings.Builder
	quote bool
	last  blockKind // the kind of the last line written, at this quote level
	blank bool      // a blank line was asked for since then
	sep   bool      // the quote level changed since then
}

func (w *mdWriter) blankLine() { w.blank = true }

// setQuote enters or leaves a {quote}.
func (w *mdWriter) setQuote(on bool) {
	w.quote = on
	w.sep = true
	w.last = kindNone
	w.blank = false
}

// write writes text, which may span lines, as a block of kind k. The first
// line is prefixed by first and the others by cont.
func (w *mdWriter) write(k blockKind, first, cont, text string) {
	prefix := ""
	if w.quote {
		prefix = "> "
	}
	switch {
	case w.sep:
		if w.b.Len() > 0 {
			w.b.WriteByte('\n')
		}
	case w.last != kindNone && (w.blank || w.last != k):
		w.b.WriteString(strings.TrimRight(prefix, " "))
		w.b.WriteByte('\n')
	}
	w.sep, w.blank, w.last = false, false, k
	lead := first
	for more := true; more; lead = cont {
		var l string
		l, text, more = strings.Cut(text, "\n")
		if k != kindCode {
			l = strings.TrimRight(l, " \t")
		}
		if l == "" && k != kindCode {
			w.b.WriteString(strings.TrimRight(prefix+lead, " "))
		} else {
			w.b.WriteString(prefix)
			w.b.WriteString(lead)
			w.b.WriteString(l)
		}
		w.b.WriteByte('\n')
	}
}
