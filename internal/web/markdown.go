package web

import "html/template"

// markdown renders an item description or a comment for a page: raw HTML
// dropped, links defused (see internal/markdown).
func (w *Web) markdown(src string) template.HTML {
	if src == "" {
		return ""
	}
	return w.md.HTML(src)
}
