package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPIRefsResolve checks that every $ref of the document names a
// schema it defines, so a route added without its schema fails here.
func TestOpenAPIRefsResolve(t *testing.T) {
	e := newEnv(t)
	r := e.do(user{}, "GET", "/../openapi.json", "")
	if r.Status != 200 {
		t.Fatalf("got %d", r.Status)
	}
	var doc struct {
		Components struct{ Schemas map[string]any }
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	const prefix = `"#/components/schemas/`
	s := string(r.Body)
	for i := strings.Index(s, prefix); i >= 0; {
		rest := s[i+len(prefix):]
		name := rest[:strings.IndexByte(rest, '"')]
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("$ref to undefined schema %q", name)
		}
		j := strings.Index(rest, prefix)
		if j < 0 {
			break
		}
		i += len(prefix) + j
	}
}
