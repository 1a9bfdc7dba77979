// Package markdown renders the Markdown of backlog item descriptions and
// comments to HTML that is safe to embed in Tandem's pages, and extracts
// plain-text excerpts and @mentions from it.
//
// The dialect is CommonMark with the GitHub extensions for tables,
// strikethrough, task lists and bare URLs, plus @mentions. Safety does not
// depend on a sanitiser running over the output; the output is built safe:
//
//   - Raw HTML is never passed through: goldmark's safe mode replaces it with
//     an HTML comment.
//   - Links keep only http, https and mailto URLs, or relative ones; any
//     other scheme (javascript:, vbscript:, data:, …) turns the link into its
//     plain text. Every link gets rel="noopener noreferrer nofollow", and
//     links to other sites open in a new tab.
//   - Images become links labelled with their alt text: Tandem's pages allow
//     images only from their own origin, so an external image would not load
//     anyway, and a link leaks nothing until someone follows it.
//   - Table alignment uses the align attribute rather than inline styles,
//     which a strict Content-Security-Policy blocks.
//
// Sources longer than MaxSource bytes are cut, so that one huge description
// cannot stall a page.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// MaxSource is the number of bytes of a source that HTML, Plain and
// Mentions read; the rest is dropped, and HTML marks the cut.
const MaxSource = 100 << 10

// truncatedHTML ends the HTML of a source that was cut at MaxSource.
const truncatedHTML = `<p class="truncated">… (truncated)</p>` + "\n"

// Renderer renders Markdown to safe HTML. It is safe for concurrent use.
type Renderer struct {
	md goldmark.Markdown
}

// Option configures a Renderer.
type Option func(*config)

type config struct {
	mentionFilter func(handle string) bool
}

// WithMentionFilter makes the Renderer highlight only the @mentions whose
// handle f accepts, typically members of the team; the others stay plain
// text. Without it every @handle is highlighted. f is called while
// rendering, possibly from several goroutines at once.
func WithMentionFilter(f func(handle string) bool) Option {
	return func(c *config) {
		c.mentionFilter = f
	}
}

// New returns a Renderer configured by opts.
func New(opts ...Option) *Renderer {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return &Renderer{md: newMarkdown(c)}
}

// HTML renders src to HTML. Raw HTML in src is dropped and links are
// defused as the package documentation describes, so the result is safe to
// embed in a page. A source longer than MaxSource bytes is cut and its HTML
// ends with a paragraph of class "truncated".
func (r *Renderer) HTML(src string) template.HTML {
	s, cut := clip(src)
	var buf bytes.Buffer
	buf.Grow(len(s) + len(s)/4)
	if err := r.md.Convert([]byte(s), &buf); err != nil {
		// Writing to a bytes.Buffer does not fail, and the renderers in
		// this package return no errors; stay safe all the same.
		return template.HTML("<p>" + template.HTMLEscapeString(s) + "</p>\n")
	}
	if cut {
		buf.WriteString(truncatedHTML)
	}
	return template.HTML(buf.String())
}

// newMarkdown builds the goldmark pipeline: GFM without its raw-HTML
// allowances, @mentions, and the link, image and mention renderers of this
// package, which take precedence over goldmark's own.
func newMarkdown(c config) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
		),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(mentionParser{}, 500)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(&nodeRenderer{mentionFilter: c.mentionFilter}, 100)),
		),
	)
}
