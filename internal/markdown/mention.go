package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// kindMention is the AST node kind of an @mention.
var kindMention = ast.NewNodeKind("Mention")

// mention is an @handle in the AST.
type mention struct {
	ast.BaseInline
	handle string
}

// Kind implements ast.Node.
func (n *mention) Kind() ast.NodeKind {
	return kindMention
}

// Dump implements ast.Node.
func (n *mention) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Handle": n.handle}, nil)
}

// Mentions returns the distinct handles that src mentions as @handle, in
// order of first appearance. A handle is made of letters, digits, '.', '_'
// and '-', starts with a letter, digit or '_' and does not end with '.',
// so that "thanks @ana." mentions "ana". An @ counts only where it starts
// a word: not in a@b.com, and not in code spans, code blocks, URLs, raw
// HTML or image alt texts. A backslash, as in \@ana, also keeps it from
// counting. These are exactly the mentions that a Renderer highlights,
// before its filter. Handles are compared as they are spelled; only the
// first MaxSource bytes of src are read.
func Mentions(src string) []string {
	s, _ := clip(src)
	source := []byte(s)
	doc := newMarkdown(config{}).Parser().Parse(text.NewReader(source))
	var handles []string
	seen := map[string]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			// The alt text renders as a plain label, not as mentions.
			return ast.WalkSkipChildren, nil
		case *mention:
			if !seen[n.handle] {
				seen[n.handle] = true
				handles = append(handles, n.handle)
			}
		}
		return ast.WalkContinue, nil
	})
	return handles
}

// mentionParser is the goldmark inline parser for @handle. goldmark does
// not call it inside code spans, code blocks, autolinks or raw HTML, and
// linkify claims e-mail addresses that start a word before it sees them.
type mentionParser struct{}

// Trigger implements parser.InlineParser.
func (mentionParser) Trigger() []byte {
	return []byte{'@'}
}

// Parse implements parser.InlineParser.
func (mentionParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 2 || line[0] != '@' || !startsWord(block.Source(), seg.Start) {
		return nil
	}
	n := handleLen(line[1:])
	// In "_@ana_" the closing '_' ends the emphasis, not the handle.
	source := block.Source()
	for i := seg.Start - 1; i >= 0 && source[i] == '_' && n > 0 && line[n] == '_'; i-- {
		n = trimDots(line[1:], n-1)
	}
	if n == 0 {
		return nil
	}
	if rest := line[1+n:]; len(rest) > 0 && rest[0] == '@' {
		// "@ana@example.com" is an address, not a mention.
		return nil
	}
	block.Advance(1 + n)
	return &mention{handle: string(line[1 : 1+n])}
}

// handleLen returns the length in bytes of the handle that b starts with,
// or 0 if there is none.
func handleLen(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '_':
		case (r == '.' || r == '-') && n > 0:
		default:
			return trimDots(b, n)
		}
		n += size
	}
	return trimDots(b, n)
}

// trimDots shortens the handle b[:n] by its trailing dots, which end a
// sentence rather than the handle.
func trimDots(b []byte, n int) int {
	for n > 0 && b[n-1] == '.' {
		n--
	}
	return n
}

// startsWord reports whether the '@' at source[at] starts a word: whether
// the text before it could not be the local part of an e-mail address or a
// path. Emphasis delimiters in between are skipped, so "_@ana_" and
// "**@ana**" mention ana but "a_@b.com" does not.
func startsWord(source []byte, at int) bool {
	i := at
	for i > 0 && strings.IndexByte("_*~", source[i-1]) >= 0 {
		i--
	}
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRune(source[:i])
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	switch r {
	case '.', '+', '-', '@', '/', '\\', '=', '&', '%':
		return false
	}
	return true
}
