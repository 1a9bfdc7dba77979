package markdown

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A source is cut at MaxSource bytes, but goldmark (v1.8.7) still takes
// time quadratic in two things, which a crafted 100 KB source can make
// last for seconds:
//
//   - how deeply block quotes and lists nest, as in ">>>>…" or "1. 1. 1. …";
//   - how long a block of inline text is, when it holds many unmatched
//     delimiters, as in "*a_ *a_ …" or "[a](b[a](b…".
//
// Preparing the source caps both, changing only text no one would write:
// lines that nest deeper than maxNesting, and paragraphs and headings
// longer than maxTextBlock bytes, and table cells longer than that.
// TestHTMLPathological keeps the bounds honest.

// clip prepares src for parsing: it makes it valid UTF-8 without NUL
// bytes, as CommonMark asks, cuts it to at most MaxSource bytes, preferably
// at a line break, and bounds the nesting and the size of text blocks
// (see limitNesting and splitLongBlocks). It reports whether it cut
// anything.
func clip(src string) (string, bool) {
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	if strings.IndexByte(src, 0) >= 0 {
		src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	}
	cut := false
	if len(src) > MaxSource {
		src, cut = src[:cutPoint(src)], true
	}
	// Splitting a long line can start a new one with container markers,
	// so limit the nesting again afterwards; the first pass keeps the block
	// parse in splitLongBlocks fast.
	return limitNesting(splitLongBlocks(limitNesting(src))), cut
}

// cutPoint returns where to cut src, longer than MaxSource.
func cutPoint(src string) int {
	end := MaxSource
	for end > 0 && !utf8.RuneStart(src[end]) {
		end--
	}
	// A cut at a line break keeps the last line's Markdown intact.
	if nl := strings.LastIndexByte(src[:end], '\n'); nl >= MaxSource-4<<10 {
		end = nl + 1
	}
	return end
}

// maxNesting is the deepest nesting of block quotes and lists that a line
// may open. goldmark's parsing time grows with the square of the nesting,
// and a line of 100 KB of '>' would take seconds; no real text nests this
// deep.
const maxNesting = 32

// limitNesting escapes the container markers at the start of a line
// beyond the first maxNesting, so that they read as text.
func limitNesting(src string) string {
	var b strings.Builder
	changed := false
	done := 0 // src[:done] is in b
	for start := 0; start < len(src); {
		end := strings.IndexByte(src[start:], '\n') + 1
		if end == 0 {
			end = len(src) - start
		}
		line := src[start : start+end]
		if at := excessMarker(line); at >= 0 {
			b.WriteString(src[done : start+at])
			b.WriteByte('\\')
			done, changed = start+at, true
		}
		start += end
	}
	if !changed {
		return src
	}
	b.WriteString(src[done:])
	return b.String()
}

// excessMarker returns the offset in line of its container marker number
// maxNesting+1, or -1 if it opens no more than maxNesting: block quote
// markers '>' and list markers "-", "+", "*", "1." and "1)" followed by a
// space, with any indentation between them.
func excessMarker(line string) int {
	depth := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '>':
			if depth == maxNesting {
				return i
			}
			depth++
			i++
			continue
		case c == '-' || c == '+' || c == '*':
			if !spaceAt(line, i+1) {
				return -1
			}
			if depth == maxNesting {
				return i
			}
			depth++
			i++
			continue
		case '0' <= c && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
				j++
			}
			if j == len(line) || line[j] != '.' && line[j] != ')' || !spaceAt(line, j+1) {
				return -1
			}
			if depth == maxNesting {
				return j // "1\\." is text; "\\1." would show the backslash
			}
			depth++
			i = j + 1
			continue
		}
		return -1
	}
	return -1
}

// spaceAt reports whether line has a space, tab or line end at i.
func spaceAt(line string, i int) bool {
	return i >= len(line) || line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r'
}

// maxTextBlock is the largest paragraph or heading, in bytes, that is
// parsed as one block. Inline parsing of a block with many unmatched
// delimiters takes time quadratic in its length: a few milliseconds for
// 4 KB of "*a_ ", but 3 s for 100 KB. A paragraph this long is a wall of
// text already; breaking it in two costs its reader little.
const maxTextBlock = 4 << 10

// splitLongBlocks breaks paragraphs, headings and table cells longer than
// maxTextBlock bytes into blocks of at most that size, by inserting a blank
// line before a line or, within a line too long on its own, at a space.
// Tables are recognised, so that a long table keeps its rows as long as
// no single cell is too long. It finds the
// blocks with goldmark's own block parser, run without inline parsers,
// which takes linear time; code blocks and raw HTML are left alone.
func splitLongBlocks(src string) string {
	if !hasLongRun(src) {
		return src
	}
	source := []byte(src)
	p := parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithParagraphTransformers(util.Prioritized(extension.NewTableParagraphTransformer(), 200)),
	)
	doc := p.Parse(text.NewReader(source))
	var breaks []int // offsets at which to insert a paragraph break
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindParagraph, ast.KindTextBlock, ast.KindHeading, extast.KindTableCell:
			breaks = appendBreaks(breaks, source, n.Lines())
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if len(breaks) == 0 {
		return src
	}
	slices.Sort(breaks)
	var b strings.Builder
	b.Grow(len(src) + 2*len(breaks))
	prev := 0
	for _, at := range slices.Compact(breaks) {
		b.WriteString(src[prev:at])
		b.WriteString("\n\n")
		prev = at
	}
	b.WriteString(src[prev:])
	return b.String()
}

// appendBreaks appends to breaks the offsets at which the text block with
// the given lines must be broken to keep each part within maxTextBlock.
func appendBreaks(breaks []int, source []byte, lines *text.Segments) []int {
	size := 0
	for i := range lines.Len() {
		seg := lines.At(i)
		if size > 0 && size+seg.Len() > maxTextBlock {
			// Break before the line, container markers included.
			at := seg.Start
			for at > 0 && source[at-1] != '\n' {
				at--
			}
			breaks = append(breaks, at)
			size = 0
		}
		start := seg.Start
		for seg.Stop-start > maxTextBlock {
			start += splitPoint(source[start:seg.Stop])
			breaks = append(breaks, start)
		}
		size += seg.Stop - start
	}
	return breaks
}

// splitPoint returns where to break line, longer than maxTextBlock, so
// that the first part fits: after the last space in the second half of
// that part, or else at the last rune boundary.
func splitPoint(line []byte) int {
	for i := maxTextBlock - 1; i >= maxTextBlock/2; i-- {
		if line[i] == ' ' {
			return i + 1
		}
	}
	i := maxTextBlock
	for i > 1 && !utf8.RuneStart(line[i]) {
		i--
	}
	return i
}

// hasLongRun reports whether src has more than maxTextBlock bytes without
// a blank line, the only place where a block too long can hide. It spares
// the block parse for almost every real source.
func hasLongRun(src string) bool {
	run := 0 // where the current run of non-blank lines starts
	for start := 0; start < len(src); {
		end := strings.IndexByte(src[start:], '\n') + 1
		if end == 0 {
			end = len(src) - start
		}
		if strings.TrimLeft(src[start:start+end], " \t\r\n") == "" {
			run = start + end
		} else if start+end-run > maxTextBlock {
			return true
		}
		start += end
	}
	return false
}
