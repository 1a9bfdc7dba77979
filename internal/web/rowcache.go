package web

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"sync"

	"github.com/tandemhq/tandem/internal/scrum"
)

// rowCache keeps each backlog row's HTML. A row is a pure function of its
// rowView, so an entry is used only while everything the row shows still
// matches: the item's version, rank and ready flag (every item write
// changes one of them; see the store's item cache), its readiness checks,
// and the row's place in the list (position, total, neighbours, the page
// it belongs to and whether the viewer may order). html/template spends
// most of a backlog page's time on the ~50 escaped values and icons of
// each row; a page of unchanged rows is now copied instead.
type rowCache struct {
	mu sync.Mutex
	m  map[rowKey]cachedRow
}

type rowKey struct {
	id, rank, base, prev, next, back string
	version, pos, total              int
	ready, canOrder                  bool
}

type cachedRow struct {
	readiness []scrum.ReadinessCheck
	html      template.HTML
}

// maxCachedRows bounds the cache (about 3 KiB a row); past it the cache
// starts over.
const maxCachedRows = 5000

func newRowCache() *rowCache { return &rowCache{m: map[rowKey]cachedRow{}} }

func keyOf(rv rowView) rowKey {
	it := rv.Item
	return rowKey{id: it.ID, rank: it.Rank, base: rv.Base, prev: rv.Prev, next: rv.Next, back: rv.Back,
		version: it.Version, pos: rv.Pos, total: rv.Total, ready: it.Ready, canOrder: rv.CanOrder}
}

// row returns rv's HTML, rendering the "brow" template of the backlog
// page's set when the cache does not hold it.
func (w *Web) row(rv rowView) (template.HTML, error) {
	k := keyOf(rv)
	c := w.rows
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && slices.Equal(e.readiness, rv.Item.Readiness) {
		return e.html, nil
	}
	t, ok := w.pages.get("backlog")
	if !ok {
		return "", fmt.Errorf("no backlog templates")
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "brow", rv); err != nil {
		return "", err
	}
	h := template.HTML(b.String()) // the output of html/template, escaped in the same HTML context
	c.mu.Lock()
	if len(c.m) >= maxCachedRows {
		clear(c.m)
	}
	c.m[k] = cachedRow{readiness: slices.Clone(rv.Item.Readiness), html: h}
	c.mu.Unlock()
	return h, nil
}
