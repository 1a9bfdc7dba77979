package markdown

import (
	"bufio"
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// ellipsis ends a shortened excerpt.
const ellipsis = "…"

// Plain returns a plain-text excerpt of src for list views and search
// snippets: the text that the HTML would show, without Markdown syntax or
// raw HTML, with all runs of whitespace collapsed to one space, and at most
// max runes long. A longer text is cut, at a space if one is near, and ends
// with "…", which counts towards max. Plain returns "" if max < 1. The
// result is text, not HTML: escape it as any other text.
func Plain(src string, max int) string {
	if max < 1 {
		return ""
	}
	s, cut := clip(src)
	source := []byte(s)
	doc := newMarkdown(config{}).Parser().Parse(text.NewReader(source))
	t := textBuffer{limit: max}
	t.writeNode(doc, source)
	return excerpt(t.b.String(), max, cut || t.full())
}

// textOf returns the plain text of n's subtree, as for an image's alt text.
func textOf(n ast.Node, source []byte) string {
	var t textBuffer
	t.writeNode(n, source)
	return t.b.String()
}

// textBuffer collects plain text with runs of whitespace collapsed to one
// space and no space at either end.
type textBuffer struct {
	b       strings.Builder
	pending bool // a space is due before the next non-space rune
	runes   int
	limit   int // stop collecting past this many runes; 0 for no limit
}

// full reports whether the buffer holds more than its limit of runes.
func (t *textBuffer) full() bool {
	return t.limit > 0 && t.runes > t.limit
}

// write appends s.
func (t *textBuffer) write(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			t.pending = t.runes > 0
			continue
		}
		if t.pending {
			t.b.WriteByte(' ')
			t.runes++
			t.pending = false
		}
		t.b.WriteRune(r)
		t.runes++
	}
}

// space ends a word.
func (t *textBuffer) space() {
	t.pending = t.runes > 0
}

// writeNode appends the text of n's subtree, with a space after each block
// and line break, and stops once the buffer is full.
func (t *textBuffer) writeNode(n ast.Node, source []byte) {
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t.full() {
			return ast.WalkStop, nil
		}
		if !entering {
			if n.Type() == ast.TypeBlock {
				t.space()
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			t.write(resolve(n.Segment.Value(source)))
			if n.SoftLineBreak() || n.HardLineBreak() {
				t.space()
			}
		case *ast.String:
			t.write(resolve(n.Value))
		case *ast.CodeSpan:
			// Code is literal: no escapes or entities to resolve.
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if txt, ok := c.(*ast.Text); ok {
					t.write(string(txt.Segment.Value(source)))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				t.write(string(seg.Value(source)))
			}
		case *ast.AutoLink:
			t.write(string(n.Label(source)))
		case *mention:
			t.write("@" + n.handle)
		case *ast.RawHTML, *ast.HTMLBlock, *extast.TaskCheckBox:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// resolve turns inline Markdown text into plain text: it resolves
// backslash escapes and entity references as goldmark's HTML writer does,
// then decodes the HTML the writer produced.
func resolve(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	gmhtml.DefaultWriter.Write(w, b)
	_ = w.Flush()
	return html.UnescapeString(buf.String())
}

// excerpt shortens s, text with whitespace already collapsed, to at most
// max runes, ending with an ellipsis if it was shortened or if more is
// true.
func excerpt(s string, max int, more bool) string {
	if !more && utf8.RuneCountInString(s) <= max {
		return s
	}
	// Keep max-1 runes for the text and one for the ellipsis.
	end, kept := len(s), 0
	for i := range s {
		if kept == max-1 {
			end = i
			break
		}
		kept++
	}
	cut := s[:end]
	// Prefer ending at a space, unless that would drop too much.
	if end < len(s) && s[end] != ' ' {
		if sp := strings.LastIndexByte(cut, ' '); sp > 0 && utf8.RuneCountInString(cut[sp:]) <= max/3 {
			cut = cut[:sp]
		}
	}
	return strings.TrimRight(cut, " ") + ellipsis
}
