package api_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/api"
)

// scenario is one call and what it must produce, in the PocketBase style.
// Paths and bodies may use the fixture placeholders of expand.
type scenario struct {
	name    string
	method  string
	path    string
	actor   string
	cookie  bool
	body    string
	ct      string
	headers map[string]string
	timeout time.Duration
	setup   func(t *testing.T, e *env)

	wantStatus      int
	wantContains    []string
	wantNotContains []string
	// wantFields: a 422 names each of these fields.
	wantFields []string
	// wantNeed: a 403 names this responsibility and these holders.
	wantNeed    string
	wantHolders []string
	check       func(t *testing.T, e *env, res response)
}

// teamAMembers can see team A; anyone else is an outsider there.
var teamAMembers = []string{"poA", "smA", "dev1A", "dev2A", "stkA", "tokenA"}

func (s scenario) run(t *testing.T) {
	e := newEnv(t)
	if s.setup != nil {
		s.setup(t, e)
	}
	before := e.snapshot()
	res := e.do(request{method: s.method, path: s.path, actor: s.actor, cookie: s.cookie, body: s.body,
		contentType: s.ct, headers: s.headers, timeout: s.timeout})
	if res.status != s.wantStatus {
		t.Fatalf("%s %s as %q: got %s, want status %d", s.method, s.path, s.actor, res, s.wantStatus)
	}
	checkSecurityHeaders(t, res)
	body := string(res.body)
	for _, want := range s.wantContains {
		if want = expand(want); !strings.Contains(body, want) {
			t.Errorf("got body %s, want it to contain %q", truncate(body, 800), want)
		}
	}
	for _, bad := range s.wantNotContains {
		if bad = expand(bad); strings.Contains(body, bad) {
			t.Errorf("got body containing %q, want it absent: %s", bad, truncate(body, 800))
		}
	}
	if strings.Contains(s.path, "{teamA}") && !slices.Contains(teamAMembers, s.actor) && strings.Contains(strings.ToLower(body), lowerA) {
		t.Errorf("an outsider's response leaks team A (found %q): %s", canaryA, truncate(body, 800))
	}
	if ct := res.header.Get("Content-Type"); len(res.body) > 0 && !strings.Contains(ct, "charset=utf-8") {
		t.Errorf("got Content-Type %q, want a charset", ct)
	}
	if res.status >= 400 {
		p := res.problem(t)
		for _, f := range s.wantFields {
			if !slices.Contains(p.fields(), f) {
				t.Errorf("got fields %v, want %q named", p.fields(), f)
			}
		}
		if s.wantStatus == 422 && len(s.wantFields) == 0 && len(p.Errors) == 0 && !strings.Contains(s.name, "no field") {
			t.Errorf("a 422 names no field: %s", res)
		}
		if s.wantStatus == 403 && s.wantNeed != "" {
			if p.Responsibility != s.wantNeed {
				t.Errorf("got responsibility %q, want %q", p.Responsibility, s.wantNeed)
			}
			var names []string
			for _, h := range p.Holders {
				names = append(names, h.Name)
			}
			var want []string
			for _, h := range s.wantHolders {
				want = append(want, expand(h))
			}
			if !slices.Equal(names, want) {
				t.Errorf("got holders %v, want %v", names, want)
			}
		}
		if after := e.snapshot(); after != before {
			t.Errorf("a refused request wrote data:\n%s", diffLines(before, after))
		}
	} else if s.method == "GET" {
		if after := e.snapshot(); after != before {
			t.Errorf("a GET wrote data:\n%s", diffLines(before, after))
		}
	}
	if s.check != nil {
		s.check(t, e, res)
	}
}

// H is a shorthand for header maps.
type H = map[string]string

// Fixture names in wanted bodies.
const (
	priya = "{poA.name}"
	marco = "{smA.name}"
)

func scenarios() []scenario {
	var ss []scenario
	ss = append(ss, accountScenarios()...)
	ss = append(ss, teamScenarios()...)
	ss = append(ss, inviteScenarios()...)
	ss = append(ss, memberScenarios()...)
	ss = append(ss, mapScenarios()...)
	ss = append(ss, eventScenarios()...)
	ss = append(ss, itemScenarios()...)
	ss = append(ss, backlogScenarios()...)
	ss = append(ss, commentScenarios()...)
	ss = append(ss, transferScenarios()...)
	ss = append(ss, estimationScenarios()...)
	return ss
}

func TestAPIScenarios(t *testing.T) {
	for _, s := range scenarios() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t)
		})
	}
}

// TestRouteCoverage is the gate: every route of the table has a success
// scenario, a 401 scenario unless it is public, a 404-for-outsiders
// scenario when it is a team route, and a bad-input scenario when it takes
// a body. A new route fails here until its scenarios are written.
func TestRouteCoverage(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	for _, rt := range e.app.API.Routes() {
		mux.Handle(rt.Method+" "+api.Prefix+rt.Path, http.NotFoundHandler())
	}
	type cover struct{ ok, unauth, outsider, badInput bool }
	got := map[string]*cover{}
	for _, s := range scenarios() {
		req := httptest.NewRequest(s.method, expand(s.path), nil)
		_, pattern := mux.Handler(req)
		if pattern == "" {
			continue
		}
		c := got[pattern]
		if c == nil {
			c = &cover{}
			got[pattern] = c
		}
		switch st := s.wantStatus; {
		case st >= 200 && st < 300:
			c.ok = true
		case st == 401:
			c.unauth = true
		case st == 404 && (s.actor == "devB" || s.actor == "poB" || s.actor == "loner") && strings.Contains(s.path, "{teamA}"):
			c.outsider = true
		case st == 400 || st == 413 || st == 415 || st == 422:
			c.badInput = true
		}
	}
	for _, rt := range e.app.API.Routes() {
		pattern := rt.Method + " " + api.Prefix + rt.Path
		c := got[pattern]
		if c == nil {
			t.Errorf("%s: no scenario at all", pattern)
			continue
		}
		if !c.ok {
			t.Errorf("%s: no success scenario", pattern)
		}
		if !rt.Public && !c.unauth {
			t.Errorf("%s: no 401 scenario", pattern)
		}
		if strings.Contains(rt.Path, "{team}") && !c.outsider {
			t.Errorf("%s: no 404 scenario for a member of another team", pattern)
		}
		if rt.Body != "" && !c.badInput {
			t.Errorf("%s: no bad-input scenario", pattern)
		}
	}
	t.Logf("FIGURE api_routes=%d count", len(e.app.API.Routes()))
	t.Logf("FIGURE api_scenarios=%d count", len(scenarios()))
}

func TestUnknownEndpoint(t *testing.T) {
	e := newEnv(t)
	for _, rq := range []request{
		{method: "GET", path: "/api/v1/nope", actor: "poA"},
		{method: "GET", path: "/api/v1/nope"},
		{method: "PUT", path: "/api/v1/teams", actor: "poA"},
	} {
		res := e.do(rq)
		if res.status != 404 {
			t.Errorf("%s %s: got %s, want 404", rq.method, rq.path, res)
			continue
		}
		res.problem(t)
		checkSecurityHeaders(t, res)
	}
}

// --- helpers used by checks ---

func (e *env) mustDo(t *testing.T, rq request, status int) response {
	t.Helper()
	res := e.do(rq)
	if res.status != status {
		t.Fatalf("%s %s as %q: got %s, want %d", rq.method, rq.path, rq.actor, res, status)
	}
	return res
}

// events returns the types of team A's events after the fixture's.
func (e *env) eventTypes(t *testing.T, team string) []string {
	t.Helper()
	rows, err := e.app.Store.ReadDB().Query(`SELECT type FROM events WHERE team_id = $1 ORDER BY seq`, team)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (e *env) lastEvent(t *testing.T, team string) string {
	t.Helper()
	ts := e.eventTypes(t, team)
	if len(ts) == 0 {
		return ""
	}
	return ts[len(ts)-1]
}

func (e *env) lastAudit(t *testing.T, team string) (action, detail string) {
	t.Helper()
	err := e.app.Store.ReadDB().QueryRow(`SELECT action, detail FROM audit WHERE team_id = $1 ORDER BY id DESC LIMIT 1`, team).Scan(&action, &detail)
	if err != nil {
		t.Fatal(err)
	}
	return action, detail
}

func wantEvent(typ string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		if got := e.lastEvent(t, expand("{teamA}")); got != typ {
			t.Errorf("got last event %q, want %q", got, typ)
		}
	}
}

func wantAudit(action string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		if got, _ := e.lastAudit(t, expand("{teamA}")); got != action {
			t.Errorf("got last audit action %q, want %q", got, action)
		}
	}
}

func all(fs ...func(t *testing.T, e *env, res response)) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		for _, f := range fs {
			f(t, e, res)
		}
	}
}

// checkSecurityHeaders: every response carries the browser protections.
func checkSecurityHeaders(t *testing.T, res response) {
	t.Helper()
	csp := res.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("got CSP %q, want %q in it", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("got CSP %q, want no unsafe-inline or unsafe-eval", csp)
	}
	if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
	}
	if got := res.header.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" && got != "no-referrer" {
		t.Errorf("got Referrer-Policy %q, want strict-origin-when-cross-origin", got)
	}
	if got := res.header.Get("Server"); got != "" {
		t.Errorf("got Server header %q, want none", got)
	}
}

// TestRequestOutOfTime: a request whose deadline has passed is a 503 to
// retry, never a 500 (nor a 401 because the session could not be read).
func TestRequestOutOfTime(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/teams/{teamA}/items", "/api/v1/teams/{teamA}", "/api/v1/me"} {
		res := e.do(request{method: "GET", path: path, actor: "poA", timeout: time.Nanosecond})
		if res.status != 503 || res.header.Get("Retry-After") == "" {
			t.Errorf("%s: got %s (Retry-After %q), want 503 with Retry-After", path, res, res.header.Get("Retry-After"))
			continue
		}
		res.problem(t)
	}
}
