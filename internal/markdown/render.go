package markdown

import (
	"html"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel of every link: no window.opener for the target, no
// Referer leaking item URLs, and no ranking credit for links spammed into
// descriptions.
const linkRel = "noopener noreferrer nofollow"

// nodeRenderer renders links, autolinks, images and mentions, replacing
// goldmark's renderers for the first three.
type nodeRenderer struct {
	mentionFilter func(handle string) bool
}

// RegisterFuncs implements renderer.NodeRenderer.
func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, r.renderLink)
	reg.Register(ast.KindAutoLink, r.renderAutoLink)
	reg.Register(ast.KindImage, r.renderImage)
	reg.Register(kindMention, r.renderMention)
}

// renderLink renders [text](url). A link with an unsafe URL, or nested in
// another link, renders as its text alone.
func (r *nodeRenderer) renderLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	u, ok := safeURL(util.URLEscape(n.Destination, true))
	if !ok || insideLink(n) {
		return ast.WalkContinue, nil
	}
	if entering {
		openLink(w, u, n.Title)
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

// renderAutoLink renders <url>, <address> and the bare URLs and addresses
// that linkify finds.
func (r *nodeRenderer) renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := util.EscapeHTML(n.Label(source))
	dest := n.URL(source)
	if n.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(dest, "mailto:") {
		dest = append([]byte("mailto:"), dest...)
	}
	u, ok := safeURL(util.URLEscape(dest, false))
	if !ok || insideLink(n) {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	openLink(w, u, nil)
	_, _ = w.Write(label)
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// renderImage renders ![alt](url) as a link labelled with the alt text, or
// with the URL when the alt text is empty. An image with an unsafe URL, or
// inside a link, renders as its alt text alone.
func (r *nodeRenderer) renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := textOf(n, source)
	u, ok := safeURL(util.URLEscape(n.Destination, true))
	if !ok || insideLink(n) {
		_, _ = w.WriteString(html.EscapeString(alt))
		return ast.WalkSkipChildren, nil
	}
	label := alt
	if label == "" {
		label = u.href
	}
	openLink(w, u, n.Title)
	_, _ = w.WriteString(html.EscapeString(label))
	_, _ = w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

// renderMention renders @handle, highlighted if the filter accepts it.
func (r *nodeRenderer) renderMention(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mention)
	handle := html.EscapeString(n.handle)
	if r.mentionFilter != nil && !r.mentionFilter(n.handle) {
		_, _ = w.WriteString("@" + handle)
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<span class="mention">@` + handle + `</span>`)
	return ast.WalkContinue, nil
}

// openLink writes the opening tag of a link to u, with an optional title
// in Markdown source form (escapes and entities not yet resolved).
func openLink(w util.BufWriter, u linkURL, title []byte) {
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.WriteString(html.EscapeString(u.href))
	_ = w.WriteByte('"')
	if len(title) > 0 {
		_, _ = w.WriteString(` title="`)
		// The writer resolves escapes and entities and escapes the
		// result for HTML, quotes included.
		gmhtml.DefaultWriter.Write(w, title)
		_ = w.WriteByte('"')
	}
	_, _ = w.WriteString(` rel="` + linkRel + `"`)
	if u.external {
		_, _ = w.WriteString(` target="_blank"`)
	}
	_ = w.WriteByte('>')
}

// insideLink reports whether n has a link ancestor. HTML does not nest
// links: a browser would close the outer one early.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if k := p.Kind(); k == ast.KindLink || k == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
