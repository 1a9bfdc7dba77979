package web

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestAssetsVersionModuleImports(t *testing.T) {
	files := fstest.MapFS{
		"js/app.js":  {Data: []byte(`export function toast() {}`)},
		"js/live.js": {Data: []byte(`import { toast } from "./app.js";`)},
		"js/team.js": {Data: []byte("import { connect } from './live.js';\nimport { toast } from \"./app.js\";\nconst m = import(\"./app.js\");")},
		"css/a.css":  {Data: []byte(`body{}`)},
	}
	a := loadAssets(files)
	app, live := a.hash["js/app.js"], a.hash["js/live.js"]
	if app == "" || live == "" || a.hash["css/a.css"] == "" {
		t.Fatalf("hashes = %v, want one for every file", a.hash)
	}
	team := string(a.js["js/team.js"])
	for _, want := range []string{`from './live.js?v=` + live + `'`, `from "./app.js?v=` + app + `"`, `import("./app.js?v=` + app + `")`} {
		if !strings.Contains(team, want) {
			t.Errorf("team.js served as %q, want it to contain %q", team, want)
		}
	}
	if _, ok := a.js["css/a.css"]; ok {
		t.Error("a stylesheet was rewritten; only modules are")
	}

	// A change deep in the graph changes the URL of every importer.
	files["js/app.js"] = &fstest.MapFile{Data: []byte(`export function toast(x) {}`)}
	b := loadAssets(files)
	for _, p := range []string{"js/app.js", "js/live.js", "js/team.js"} {
		if b.hash[p] == a.hash[p] {
			t.Errorf("%s kept hash %s after app.js changed, want a new one", p, a.hash[p])
		}
	}
}
