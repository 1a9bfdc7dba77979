package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/api"
	"github.com/tandemhq/tandem/internal/problem"
	"github.com/tandemhq/tandem/internal/scrum"
)

// FuzzDecodeJSON: any bytes decoded into any request type either succeed
// or fail with a client error: malformed (400), invalid naming a field
// (422) or too large (413). Never a panic, never a 500-class error.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@b.co","name":"A","password":"abcdefghijkl"}`,
		`{"accountabilities":["developer","scrum_master"],"max_uses":3}`,
		`{"accountability":"developer","version":2}`,
		`{"user_id":"abcdefghijklmnop"}`,
		`{"name":"x","version":1e400}`,
		`{"accountabilities":[1,2]}`,
		`{"name":"\ud800"}`,
		`{"name":"x"} {"name":"y"}`,
		`{"name":"x"}]`,
		`[]`, `null`, `"text"`, ``, ` `, `{`, `{"a":`, `{"name":}`,
		`{"unknown":true}`,
		`{"name":` + strings.Repeat("[", 10000),
		`{"name":"` + strings.Repeat("x", 5000) + `"}`,
		`{"item_id":"abcdefghijklmnop","value":"½"}`,
		`{"deck":"custom","deck_name":"Runes","item_ids":["abcdefghijklmnop"],"top_n":3,"product_owner_votes":null}`,
		`{"custom_decks":[{"name":"Runes","cards":["1","Z9"]}],"tshirt":{"XS":1,"XXL":1e999}}`,
		`{"seconds":1e3,"version":2}`, `{"item_ids":[null]}`, `{"value":5}`,
	} {
		for i := range len(api.RequestBodies()) {
			f.Add(uint8(i), []byte(seed))
		}
	}
	names := make([]string, 0, len(api.RequestBodies()))
	for name := range api.RequestBodies() {
		names = append(names, name)
	}
	slices.Sort(names)
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		name := names[int(kind)%len(names)]
		dst := api.RequestBodies()[name]()
		r := http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(body)), 4096)
		err := api.DecodeJSON(r, dst)
		if err == nil {
			if _, merr := json.Marshal(dst); merr != nil {
				t.Fatalf("decoded %q into %s but cannot encode it: %v", body, name, merr)
			}
			return
		}
		var mbe *http.MaxBytesError
		var de *scrum.Error
		switch {
		case errors.As(err, &mbe):
			if len(body) <= 4096 {
				t.Fatalf("%s: got %v for %d bytes, want no size error under the cap", name, err, len(body))
			}
		case errors.As(err, &de):
			if de.Code != scrum.CodeMalformed && de.Code != scrum.CodeInvalid {
				t.Fatalf("%s: %q: got code %q, want malformed or invalid", name, body, de.Code)
			}
			if de.Code == scrum.CodeInvalid && len(de.Fields) == 0 {
				t.Fatalf("%s: %q: got an invalid error naming no field: %v", name, body, err)
			}
		default:
			t.Fatalf("%s: %q: got %T %v, want a domain or size error", name, body, err, err)
		}
		if st := problem.From(err).Status; st != 400 && st != 413 && st != 422 {
			t.Fatalf("%s: %q: maps to %d, want 400, 413 or 422", name, body, st)
		}
	})
}

// fuzzRoutes are the routes FuzzAPI drives: all but the event stream
// (which stays open) and logout (which would end the admin's session).
func fuzzRoutes(e *env) []api.Route {
	var out []api.Route
	for _, rt := range e.app.API.Routes() {
		if rt.Stream || rt.Path == "/logout" {
			continue
		}
		out = append(out, rt)
	}
	return out
}

// fillPath puts fixture ids, or near misses chosen by variant, into a
// route's path.
func fillPath(path string, variant uint8) string {
	pick := func(options ...string) string { return options[int(variant)%len(options)] }
	if strings.HasPrefix(path, "/estimations/") {
		return strings.Replace(path, "{id}", pick(fxEst.ID, fxEst.ID, "aaaaaaaaaaaaaaaa", "nope"), 1)
	}
	return strings.NewReplacer(
		"{team}", pick(fx.TeamA.ID, fx.TeamA.ID, fx.TeamB.ID, "zzzzzzzzzzzzzzzz", "%00", "x"),
		"{user}", pick(fx.Users["dev2A"].ID, fx.Users["smA"].ID, fx.Users["loner"].ID, "yyyyyyyyyyyyyyyy", ".."),
		"{id}", pick(fx.TokenA.ID, fx.Suggestion.ID, fx.TokenB.ID, "nope"),
		"{code}", pick(fx.InviteA, fx.UsedInvite, fx.InviteB, "tdi_", "%2e%2e"),
		"{key}", pick("flow", "facilitation.retrospective", "team.administration", "nope"),
		"{item}", pick(fx.Item1.ID, fx.Item3.ID, fx.ItemB.ID, "aaaaaaaaaaaaaaaa", "%2e%2e"),
		"{criterion}", pick("dependencies-known", "estimated", "nope"),
	).Replace(path)
}

// FuzzAPI drives the real router as team A's Product Owner with (method,
// route, ids, body) chosen by the fuzzer. Properties: no 5xx (a recovered
// panic is a 500), every JSON response is valid JSON with a charset, and
// every response matches the OpenAPI document.
func FuzzAPI(f *testing.F) {
	e := newEnv(f)
	routes := fuzzRoutes(e)
	seeds := map[string]string{
		"/signup": signupBody, "/login": loginBody(fixedUser[1].email, pw), "/tokens": `{"name":"fuzz"}`,
		"/teams": `{"name":"Fuzz Team"}`, "/teams/{team}": `{"name":"Renamed","version":1}`,
		"/teams/{team}/invites":                            `{"accountabilities":["developer"],"max_uses":2}`,
		"/teams/{team}/members/{user}":                     `{"accountabilities":["developer","stakeholder"]}`,
		"/teams/{team}/product-owner":                      `{"user_id":"` + fx.Users["smA"].ID + `"}`,
		"/teams/{team}/responsibilities/{key}":             `{"accountability":"developer"}`,
		"/teams/{team}/items":                              `{"title":"Fuzz","acceptance_criteria":[{"text":"x"}],"labels":["a"]}`,
		"/teams/{team}/items/{item}":                       `{"title":"Fuzzed","estimate":null,"version":1}`,
		"/teams/{team}/items/{item}/move":                  `{"after":"` + fx.Item2.ID + `"}`,
		"/teams/{team}/items/{item}/readiness/{criterion}": `{"met":true}`,
		"/teams/{team}/items/{item}/suggestions":           `{"to":"top","note":"n"}`,
		"/teams/{team}/items/{item}/comments":              `{"body":"hi @priya"}`,
		"/teams/{team}/items/bulk":                         `{"item_ids":["` + fx.Item1.ID + `"],"add_labels":["x"]}`,
		"/teams/{team}/definition-of-ready":                `{"criteria":[{"text":"x"}],"max_sprint_estimate":5}`,
		"/teams/{team}/product-goal":                       `{"text":"Goal"}`,
		"/teams/{team}/estimations":                        `{"item_ids":["` + fx.Item3.ID + `"]}`,
		"/teams/{team}/estimation-settings":                `{"custom_decks":[{"name":"R","cards":["1","Z9"]}]}`,
		"/estimations/{id}/votes":                          `{"item_id":"` + fx.Item2.ID + `","value":"5"}`,
		"/estimations/{id}/accept":                         `{"item_id":"` + fx.Item2.ID + `","value":"5"}`,
		"/estimations/{id}/skip":                           `{"item_id":"` + fx.Item3.ID + `"}`,
		"/estimations/{id}/queue":                          `{"item_ids":["` + fx.Item3.ID + `"]}`,
		"/estimations/{id}/timer":                          `{"seconds":30}`,
	}
	for i, rt := range routes {
		f.Add(uint8(0), uint8(i), uint8(0), []byte(seeds[rt.Path]))
		f.Add(uint8(0), uint8(i), uint8(3), []byte(`{"name":`))
	}
	methods := []string{"", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	f.Fuzz(func(t *testing.T, method, route, variant uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		m := methods[int(method)%len(methods)]
		if m == "" {
			m = rt.Method
		}
		path := api.Prefix + fillPath(rt.Path, variant)
		if variant&0x80 != 0 {
			path += "?limit=" + string(rune('0'+variant%11)) + "&cursor=" + string(body[:min(len(body), 8)])
		}
		req, err := http.NewRequest(m, "http://tandem.test"+path, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		req.Header.Set("Authorization", "Bearer "+fx.Secrets["poA"])
		if len(body) > 0 {
			req.Header.Set("Content-Type", "application/json")
		}
		req.RemoteAddr = "192.0.2.77:1234"
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		res := response{status: rec.Code, header: rec.Result().Header, body: rec.Body.Bytes()}
		if res.status >= 500 {
			t.Fatalf("%s %s %q: got %s", m, path, body, res)
		}
		ct := res.header.Get("Content-Type")
		if strings.Contains(ct, "json") {
			if !strings.Contains(ct, "charset=utf-8") {
				t.Fatalf("%s %s: got Content-Type %q, want a charset", m, path, ct)
			}
			if m != "HEAD" && !json.Valid(res.body) {
				t.Fatalf("%s %s: got invalid JSON %q", m, path, res.body)
			}
		}
		if m == rt.Method {
			checkOpenAPI(t, req, res)
		}
	})
}

// TestDecodeJSONNamesUnknownFieldsAsSent: the 422 names an unknown member
// exactly as the client spelled it.
func TestDecodeJSONNamesUnknownFieldsAsSent(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"name":"x","colour":"red"}`, "colour"},
		{`{"a\"b":1}`, `a"b`},
		{`{"tab\there":1}`, "tab\there"},
		{`{"":1}`, ""},
		{`{"0":1}`, "0"},
		// Names match exactly: the API's members are snake_case.
		{`{"Name":"x"}`, "Name"},
		{`{"NAME":"x"}`, "NAME"},
	}
	for _, tt := range tests {
		err := api.DecodeJSON(strings.NewReader(tt.body), api.RequestBodies()["team"]())
		var de *scrum.Error
		if !errors.As(err, &de) || de.Code != scrum.CodeInvalid || len(de.Fields) != 1 || de.Fields[0].Field != tt.want {
			t.Errorf("%s: got %#v, want an invalid error naming %q", tt.body, err, tt.want)
		}
	}
}

// TestDecodeJSONRefusesAmbiguousBodies: a member given twice names it; text
// that is not UTF-8 is malformed. Either could mean two readers of the same
// body see different requests.
func TestDecodeJSONRefusesAmbiguousBodies(t *testing.T) {
	err := api.DecodeJSON(strings.NewReader(`{"name":"Orion","name":"Vega"}`), api.RequestBodies()["team"]())
	var de *scrum.Error
	if !errors.As(err, &de) || de.Code != scrum.CodeInvalid || len(de.Fields) != 1 || de.Fields[0].Field != "name" {
		t.Errorf("a member twice: got %#v, want an invalid error naming name", err)
	}
	for _, body := range []string{"{\"name\":\"\xff\"}", `{"name":"\ud800"}`} {
		err := api.DecodeJSON(strings.NewReader(body), api.RequestBodies()["team"]())
		if scrum.ErrorCode(err) != scrum.CodeMalformed {
			t.Errorf("%q: got %v, want malformed", body, err)
		}
	}
}
