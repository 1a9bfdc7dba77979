package web

import (
	"html/template"
	"strings"
)

// markdown renders an item description or comment for a page.
//
// Until internal/markdown lands this shows the source as escaped text in
// paragraphs: never raw HTML, never a live link.
func (w *Web) markdown(src string) template.HTML {
	src = strings.TrimSpace(strings.ReplaceAll(src, "\r\n", "\n"))
	if src == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(src, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(para), "\n", "<br>"))
		b.WriteString("</p>\n")
	}
	return template.HTML(b.String())
}
