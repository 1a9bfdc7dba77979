package e2e_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tandemhq/tandem/internal/demo"
	"github.com/tandemhq/tandem/internal/e2e"
)

// TestBacklogScreenshots saves the backlog pages for design review: the
// backlog (with a suggestion), an item in the side panel, the item page,
// refinement, an import preview with errors and one ready to import, and
// an empty team's backlog and refinement, at desktop and phone widths in
// light and dark. It runs only when TANDEM_SCREENSHOTS names a directory:
//
//	TANDEM_SCREENSHOTS=/tmp/shots go test -run TestBacklogScreenshots ./internal/e2e/
func TestBacklogScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set TANDEM_SCREENSHOTS=<dir> to save screenshots of the backlog pages")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := e2e.Start(t)
	if _, err := demo.Seed(context.Background(), s.App.Service); err != nil {
		t.Fatalf("seed the demo: %v", err)
	}
	priya := demoUser(t, s, 0)
	priya.Open("/teams")
	priya.ClickNav(`.team-card`)
	base := priya.Path()
	empty := s.SeedTeam(t, "Vega", priya)
	bad := readFile(t, "../backlogcsv/testdata/jira_cloud.csv")
	good := readFile(t, "../backlogcsv/testdata/jira_server.csv")
	upload := func(tb *e2e.Tab, name string, content []byte) {
		tb.Open(base + "/backlog/import?format=jira")
		e2e.Eval[bool](tb, fmt.Sprintf(`(() => {
			const bytes = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
			const dt = new DataTransfer();
			dt.items.add(new File([bytes], %q, { type: "text/csv" }));
			document.querySelector("#f-file").files = dt.files;
			return true;
		})()`, base64.StdEncoding.EncodeToString(content), name))
		tb.ClickNav(`[data-import-form] button[type=submit]`)
	}
	pages := []struct {
		name string
		open func(tb *e2e.Tab)
	}{
		{"backlog", func(tb *e2e.Tab) {
			tb.Open(base + "/backlog")
			tb.WaitAttr(`[data-live]`, "data-state", "connected")
		}},
		{"backlog-panel", func(tb *e2e.Tab) {
			tb.Open(base + "/items/4")
			id, _ := tb.Attr(`[data-item-page]`, "data-item")
			tb.Open(base + "/backlog?item=" + id)
			tb.WaitAttr(`[data-backlog]`, "data-ready", "true")
		}},
		{"item", func(tb *e2e.Tab) { tb.Open(base + "/items/2") }},
		{"item-mention", func(tb *e2e.Tab) {
			tb.Open(base + "/items/2")
			e2e.Eval[bool](tb, `(() => { const ta = document.querySelector("[data-composer] textarea"); ta.scrollIntoView({block: "center"}); ta.focus(); ta.value = "Could you look at this, @"; ta.setSelectionRange(ta.value.length, ta.value.length); ta.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
			tb.WaitVisible(`.mention-list`)
		}},
		{"refinement", func(tb *e2e.Tab) { tb.Open(base + "/refinement") }},
		{"refinement-dor-editor", func(tb *e2e.Tab) {
			tb.Open(base + "/refinement")
			e2e.Eval[bool](tb, `(() => { const d = document.querySelector("[data-dor-editor]"); d.open = true; d.scrollIntoView(); return true; })()`)
		}},
		{"import-errors", func(tb *e2e.Tab) { upload(tb, "jira-cloud.csv", bad) }},
		{"import-preview", func(tb *e2e.Tab) { upload(tb, "jira-server.csv", good) }},
		{"backlog-empty", func(tb *e2e.Tab) { tb.Open("/teams/" + empty + "/backlog") }},
		{"refinement-empty", func(tb *e2e.Tab) { tb.Open("/teams/" + empty + "/refinement") }},
	}
	for _, p := range pages {
		for _, sc := range []struct {
			w, h   int
			mobile bool
		}{{1280, 900, false}, {390, 844, true}} {
			for _, scheme := range []string{"light", "dark"} {
				priya.Viewport(sc.w, sc.h, sc.mobile)
				priya.ColorScheme(scheme)
				p.open(priya.Tab)
				priya.Screenshot(filepath.Join(dir, fmt.Sprintf("%s-%d-%s.png", p.name, sc.w, scheme)))
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
