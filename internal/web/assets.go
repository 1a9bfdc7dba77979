package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// assets are the embedded static files, each with a content hash for its
// cache-busting URL (/static/<path>?v=<hash>).
//
// JavaScript modules import each other by relative path. A browser keys a
// module by its full URL, so team.js importing "./app.js" would get a
// second copy of the app.js the layout loads as "app.js?v=…", and every
// behaviour app.js registers would run twice. The modules are therefore
// served with their relative imports rewritten to the imported file's
// versioned URL, and a module's hash covers the rewritten text, so a
// change to live.js also changes the URL of every module importing it.
type assets struct {
	hash map[string]string // path → content hash
	js   map[string][]byte // path → module text with versioned imports
}

// relImport matches the specifier of a static or dynamic import of a
// sibling module: from "./x.js", import "./x.js", import("./x.js").
var relImport = regexp.MustCompile(`(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?/[\w./-]+\.js)(["'])`)

func loadAssets(fsys fs.FS) assets {
	a := assets{hash: map[string]string{}, js: map[string][]byte{}}
	raw := map[string][]byte{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		raw[p] = b
		return nil
	})
	visiting := map[string]bool{}
	var resolve func(p string) string
	resolve = func(p string) string {
		if h, ok := a.hash[p]; ok {
			return h
		}
		b := raw[p]
		if strings.HasSuffix(p, ".js") && !visiting[p] {
			visiting[p] = true
			b = relImport.ReplaceAllFunc(b, func(m []byte) []byte {
				g := relImport.FindSubmatch(m)
				dep := path.Join(path.Dir(p), string(g[3]))
				if _, ok := raw[dep]; !ok || visiting[dep] {
					return m // a missing file or an import cycle: leave it be
				}
				return []byte(string(g[1]) + string(g[2]) + string(g[3]) + "?v=" + resolve(dep) + string(g[4]))
			})
			visiting[p] = false
			a.js[p] = b
		}
		sum := sha256.Sum256(b)
		a.hash[p] = hex.EncodeToString(sum[:6])
		return a.hash[p]
	}
	for p := range raw {
		resolve(p)
	}
	return a
}
