package backlogcsv

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// inline converts the inline markup of one line: emphasis, monospace,
// links, {color} tags and, if breaks is set, \\ line breaks (else they
// become spaces).
func inline(s string, breaks bool) string {
	if !strings.ContainsAny(s, "*_-{[\\:") {
		return s
	}
	in := inliner{s: s, breaks: breaks}
	in.scan()
	in.render(0, len(s))
	return in.b.String()
}

// Kinds of inline spans whose content emphasis cannot reach into.
const (
	spanMono = iota
	spanLink
	spanURL
	spanDrop
)

type span struct {
	start, end int
	kind       int
}

// inliner converts one line. Emphasis is found with precomputed closer
// positions so that the work stays linear however many markers a line has.
type inliner struct {
	s       string
	breaks  bool
	spans   []span
	next    int      // index of the first span not yet passed
	closers [3][]int // positions that may close *, _ and -, ascending
	b       strings.Builder
}

func emphasisIndex(c byte) int {
	switch c {
	case '*':
		return 0
	case '_':
		return 1
	case '-':
		return 2
	}
	return -1
}

// scan finds the spans and the possible emphasis closers.
func (in *inliner) scan() {
	s := in.s
	lastClose := strings.LastIndex(s, "}}")
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			i += 2
		case c == '{' && strings.HasPrefix(s[i:], "{{"):
			if i+2 <= lastClose {
				if j := strings.Index(s[i+2:], "}}"); j > 0 {
					in.spans = append(in.spans, span{i, i + 2 + j + 2, spanMono})
					i += 2 + j + 2
					continue
				}
			}
			i += 2
		case c == '{':
			if end := colorTag(s, i); end > 0 {
				in.spans = append(in.spans, span{i, end, spanDrop})
				i = end
				continue
			}
			i++
		case c == '[':
			if j := closeBracket(s, i); j > i+1 {
				in.spans = append(in.spans, span{i, j + 1, spanLink})
				i = j + 1
				continue
			}
			i++
		case c == 'h' || c == 'H' || c == 'f' || c == 'F' || c == 'm' || c == 'M':
			if end := bareURL(s, i); end > 0 {
				in.spans = append(in.spans, span{i, end, spanURL})
				i = end
				continue
			}
			i++
		default:
			if k := emphasisIndex(c); k >= 0 && in.closes(i) {
				in.closers[k] = append(in.closers[k], i)
			}
			i++
		}
	}
}

// closes reports whether the marker at i may close emphasis: it follows
// text and is not followed by a letter or digit.
func (in *inliner) closes(i int) bool {
	s := in.s
	if i == 0 {
		return false
	}
	if p := s[i-1]; p == ' ' || p == '\t' || p == s[i] || p == '\\' {
		return false
	}
	return i+1 == len(s) || (s[i+1] != s[i] && !wordAt(s, i+1))
}

// opens reports whether the marker at i may open emphasis: it does not
// follow a letter or digit, and text follows it.
func (in *inliner) opens(i int) bool {
	s := in.s
	if i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == s[i] {
		return false
	}
	return i == 0 || (s[i-1] != s[i] && !wordBefore(s, i))
}

func wordAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func wordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// render writes s[start:end]. Emphasis runs from an opener to the first
// closer of its marker, so the same marker never nests and the recursion is
// at most three deep.
func (in *inliner) render(start, end int) {
	s := in.s
	for i := start; i < end; {
		for in.next < len(in.spans) && in.spans[in.next].end <= i {
			in.next++
		}
		if in.next < len(in.spans) && in.spans[in.next].start == i && in.spans[in.next].end <= end {
			in.writeSpan(in.spans[in.next])
			i = in.spans[in.next].end
			continue
		}
		c := s[i]
		switch {
		case c == '\\' && i+1 < end && s[i+1] == '\\':
			i += 2
			if !in.breaks {
				in.b.WriteByte(' ')
				continue
			}
			for i < end && s[i] == ' ' {
				i++
			}
			in.b.WriteByte('\\')
			if i < end {
				in.b.WriteByte('\n')
			}
		case c == '\\' && i+1 < end:
			in.b.WriteString(s[i : i+2])
			i += 2
		case emphasisIndex(c) >= 0 && in.opens(i):
			cl := in.closers[emphasisIndex(c)]
			k := sort.SearchInts(cl, i+2)
			if k == len(cl) || cl[k] >= end {
				in.b.WriteByte(c)
				i++
				continue
			}
			j := cl[k]
			mark := [...]string{"**", "*", "~~"}[emphasisIndex(c)]
			in.b.WriteString(mark)
			in.render(i+1, j)
			in.b.WriteString(mark)
			i = j + 1
		default:
			in.b.WriteByte(c)
			i++
		}
	}
}

// writeSpan writes a monospace, link, URL or dropped span.
func (in *inliner) writeSpan(sp span) {
	text := in.s[sp.start:sp.end]
	switch sp.kind {
	case spanMono:
		code := text[2 : len(text)-2]
		fence := strings.Repeat("`", longestRun(code, '`')+1)
		pad := ""
		if strings.HasPrefix(code, "`") || strings.HasSuffix(code, "`") {
			pad = " "
		}
		in.b.WriteString(fence + pad + code + pad + fence)
	case spanLink:
		in.b.WriteString(link(text[1 : len(text)-1]))
	case spanURL:
		in.b.WriteString(text)
	}
}

// link converts the inside of a wiki link: "text|url", "url" or anything
// else, such as a mention "~user" or an attachment "^file", which stays as
// it is.
func link(inner string) string {
	text, url, hasText := strings.Cut(inner, "|")
	if !hasText {
		url, text = inner, ""
	}
	url, _, _ = strings.Cut(url, "|") // a third part is a tooltip
	url = strings.TrimSpace(url)
	if !isURL(url) {
		return "[" + inner + "]"
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "<" + url + ">"
	}
	if strings.ContainsAny(url, "()") {
		url = strings.ReplaceAll(strings.ReplaceAll(url, "(", "%28"), ")", "%29")
	}
	return "[" + text + "](" + url + ")"
}

// isURL reports whether s is an absolute URL with a scheme Markdown links
// may use, and no character that would end a link early.
func isURL(s string) bool {
	if urlScheme(s) == 0 || len(s) == urlScheme(s) {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '"' || r == '`'
	}) < 0
}

// urlScheme returns the length of the URL scheme s starts with, or 0.
func urlScheme(s string) int {
	l := asciiLower(s[:min(len(s), 8)])
	for _, p := range []string{"http://", "https://", "ftp://", "mailto:"} {
		if strings.HasPrefix(l, p) {
			return len(p)
		}
	}
	return 0
}

// bareURL returns the end of a URL starting at i, not counting punctuation
// that ends the sentence around it, or 0 if no URL starts there.
func bareURL(s string, i int) int {
	n := urlScheme(s[i:])
	if n == 0 || (i > 0 && wordBefore(s, i)) {
		return 0
	}
	end := i + n
	for end < len(s) && !strings.ContainsRune(" \t<>\"", rune(s[end])) {
		end++
	}
	for end > i+n && strings.IndexByte(".,;:!?)*_-'", s[end-1]) >= 0 {
		end--
	}
	if end == i+n {
		return 0
	}
	return end
}

// colorTag returns the end of a {color} or {color:…} tag at i, or 0.
func colorTag(s string, i int) int {
	rest := s[i:]
	if len(rest) < 7 || asciiLower(rest[:6]) != "{color" {
		return 0
	}
	if rest[6] == '}' {
		return i + 7
	}
	if rest[6] != ':' {
		return 0
	}
	if j := strings.IndexByte(rest[:min(len(rest), 40)], '}'); j > 0 {
		return i + j + 1
	}
	return 0
}
