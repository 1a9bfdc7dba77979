package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/api"
)

// The test config allows 5 sign-in attempts per address per minute.
const perIP = 5

func loginBody(email, password string) string {
	return fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
}

func retryAfter(t *testing.T, res response) int {
	t.Helper()
	n, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("got Retry-After %q, want a positive number of seconds", res.header.Get("Retry-After"))
	}
	return n
}

func TestThrottlePerAddress(t *testing.T) {
	e := newEnv(t)
	attacker := "198.51.100.7:5555"
	before := e.snapshot()
	for i := range perIP {
		res := e.do(request{method: "POST", path: "/api/v1/login", remote: attacker,
			body: loginBody(fmt.Sprintf("guess%d@example.com", i), "wrong password")})
		if res.status != 401 {
			t.Fatalf("attempt %d: got %s, want 401", i+1, res)
		}
	}
	for i, rq := range []request{
		{method: "POST", path: "/api/v1/login", body: loginBody(fixedUser[1].email, pw)},
		// A forged X-Forwarded-For from an untrusted peer changes nothing.
		{method: "POST", path: "/api/v1/login", body: loginBody("x@example.com", "wrong password"), headers: H{"X-Forwarded-For": "203.0.113.99"}},
		// Sign-up shares the limit.
		{method: "POST", path: "/api/v1/signup", body: signupBody},
	} {
		rq.remote = attacker
		res := e.do(rq)
		if res.status != 429 {
			t.Fatalf("request %d over the limit: got %s, want 429", i, res)
		}
		if n := retryAfter(t, res); n > 60 {
			t.Errorf("got Retry-After %d, want at most the one-minute window", n)
		}
		res.problem(t)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("throttled attempts wrote data:\n%s", diffLines(before, after))
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'auth.throttled' AND ip = '198.51.100.7'`); n != 3 {
		t.Errorf("got %d throttle audit entries, want 3", n)
	}
	// Someone else signs in meanwhile.
	res := e.do(request{method: "POST", path: "/api/v1/login", remote: "192.0.2.200:1", body: loginBody(fixedUser[1].email, pw)})
	if res.status != 200 {
		t.Fatalf("a user at another address: got %s, want 200", res)
	}
	t.Logf("FIGURE throttle_guesses_before_429_per_ip=%d count", perIP)
}

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestThrottlePerAccount: after five wrong passwords an account backs off,
// doubling the wait, whatever address the guesses come from, and with no
// hard lockout: once the wait is over the right password works.
func TestThrottlePerAccount(t *testing.T) {
	clk := &clock{now: time.Now()}
	e := newEnvWith(t, func(c *serverConfig) { c.Now = clk.Now })
	email := fixedUser[1].email // Priya
	ip := 0
	next := func() string { ip++; return fmt.Sprintf("203.0.113.%d:1000", ip) }
	login := func(password string) response {
		return e.do(request{method: "POST", path: "/api/v1/login", remote: next(), body: loginBody(email, password)})
	}
	for i := range 6 {
		if res := login("wrong password"); res.status != 401 {
			t.Fatalf("failure %d: got %s, want 401", i+1, res)
		}
	}
	// Even the right password waits: a guess is not checked while blocked.
	res := login(pw)
	if res.status != 429 {
		t.Fatalf("after 6 failures: got %s, want 429", res)
	}
	if wait := retryAfter(t, res); wait != 1 {
		t.Errorf("got Retry-After %d after the first back-off step, want 1", wait)
	}
	// Another account is unaffected.
	if res := e.do(request{method: "POST", path: "/api/v1/login", remote: next(), body: loginBody(fixedUser[2].email, pw)}); res.status != 200 {
		t.Fatalf("another account: got %s, want 200", res)
	}
	// The next failure after the wait doubles it.
	clk.Advance(1100 * time.Millisecond)
	if res := login("wrong password"); res.status != 401 {
		t.Fatalf("seventh failure: got %s, want 401", res)
	}
	if wait := retryAfter(t, login(pw)); wait != 2 {
		t.Errorf("got Retry-After %d after the second back-off step, want 2", wait)
	}
	clk.Advance(2100 * time.Millisecond)
	if res := login(pw); res.status != 200 {
		t.Fatalf("after the back-off: got %s, want 200 (no hard lockout)", res)
	}
	// Success resets the counter: the next wrong password is free again.
	if res := login("wrong password"); res.status != 401 {
		t.Fatalf("after a success: got %s, want 401", res)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'auth.login_failed' AND target = $1`, email); n != 8 {
		t.Errorf("got %d failed sign-ins audited, want 8", n)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'auth.throttled' AND target = $1`, email); n != 2 {
		t.Errorf("got %d throttled sign-ins audited, want 2", n)
	}
}

// unsafeRoutes lists every state-changing route of the route table with
// team A's fixture ids filled in: a new route joins the matrix by itself.
func unsafeRoutes(t *testing.T, e *env) []api.Route {
	t.Helper()
	var out []api.Route
	for _, rt := range e.app.API.Routes() {
		if rt.Method == "GET" || rt.Method == "HEAD" {
			continue
		}
		rt.Path = api.Prefix + samplePath(rt.Path)
		out = append(out, rt)
	}
	if len(out) < 25 {
		t.Fatalf("got %d unsafe routes from the route table, want every one of them", len(out))
	}
	return out
}

// TestCrossOriginRefused: every unsafe route, called with the session
// cookie from another site, is refused with a problem and changes nothing.
func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	variants := []struct {
		name    string
		headers H
	}{
		{"Sec-Fetch-Site cross-site", H{"Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site same-site", H{"Sec-Fetch-Site": "same-site"}},
		{"foreign Origin", H{"Origin": "https://evil.example"}},
		{"foreign Origin on the same host name and another port", H{"Origin": "http://example.com:8081"}},
	}
	before := e.snapshot()
	cells := 0
	for _, rt := range unsafeRoutes(t, e) {
		for _, v := range variants {
			rq := request{method: rt.Method, path: rt.Path, body: `{}`, actor: "poA", cookie: true, headers: v.headers}
			res := e.do(rq)
			cells++
			if res.status != http.StatusForbidden {
				t.Errorf("%s %s with %s: got %s, want 403", rq.method, rq.path, v.name, res)
				continue
			}
			p := res.problem(t)
			if !strings.Contains(p.Detail, "cross-origin") {
				t.Errorf("got detail %q, want it to say cross-origin", p.Detail)
			}
			checkSecurityHeaders(t, res)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("forged requests wrote data:\n%s", diffLines(before, after))
	}
	t.Logf("FIGURE csrf_cells=%d count", cells)
}

// TestSimpleBodiesRefused is the second layer: a browser sends a form or
// text/plain cross-site without a preflight, so no route that takes a
// body accepts those media types, even when no Origin header says where
// the request came from (an old browser, or a proxy that strips it).
func TestSimpleBodiesRefused(t *testing.T) {
	e := newEnv(t)
	before := e.snapshot()
	cells := 0
	for _, rt := range unsafeRoutes(t, e) {
		if rt.Body == "" {
			continue
		}
		for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "text/plain; charset=utf-8",
			"multipart/form-data; boundary=x"} {
			res := e.do(request{method: rt.Method, path: rt.Path, body: "title\r\nForged\r\n", contentType: ct, actor: "poA", cookie: true})
			cells++
			if res.status != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s as %s: got %s, want 415", rt.Method, rt.Path, ct, res)
			}
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("simple requests wrote data:\n%s", diffLines(before, after))
	}
	t.Logf("FIGURE csrf_simple_body_cells=%d count", cells)
}

// TestSameOriginAccepted is the control: the same cookie from the site
// itself works.
func TestSameOriginAccepted(t *testing.T) {
	e := newEnv(t)
	for _, h := range []H{{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://example.com"}, {}} {
		res := e.do(request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", cookie: true, headers: h, body: `{"name":"Same Origin"}`})
		if res.status != 200 {
			t.Errorf("with %v: got %s, want 200", h, res)
		}
	}
	// Reading is never refused.
	res := e.do(request{method: "GET", path: "/api/v1/teams/{teamA}", actor: "poA", cookie: true, headers: H{"Sec-Fetch-Site": "cross-site"}})
	if res.status != 200 {
		t.Errorf("cross-site GET: got %s, want 200", res)
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	e := newEnv(t)
	for _, rq := range []request{
		{method: "GET", path: "/api/v1/me", actor: "poA"},
		{method: "GET", path: "/api/v1/me"},
		{method: "POST", path: "/api/v1/teams", actor: "poA", body: `{`},
		{method: "GET", path: "/api/v1/teams/{teamB}", actor: "poA"},
		{method: "GET", path: "/api/v1/nothing-here"},
		{method: "GET", path: "/api/openapi.json"},
		{method: "GET", path: "/static/css/app.css"},
		{method: "GET", path: "/static/missing.css"},
		{method: "GET", path: "/no/such/page"},
		{method: "GET", path: "/signin"},
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/readyz"},
	} {
		res := e.do(rq)
		if res.status >= 500 {
			t.Errorf("%s %s: got %s", rq.method, rq.path, res)
		}
		checkSecurityHeaders(t, res)
		if ct := res.header.Get("Content-Type"); !strings.Contains(ct, "charset=utf-8") && !strings.HasPrefix(ct, "text/css") {
			t.Errorf("%s %s: got Content-Type %q, want a charset", rq.method, rq.path, ct)
		}
		for _, leak := range []string{"goroutine", ".go:", "sqlite", "SELECT "} {
			if strings.Contains(string(res.body), leak) && !strings.HasPrefix(rq.path, "/static/") {
				t.Errorf("%s %s: body contains %q", rq.method, rq.path, leak)
			}
		}
	}
}

// TestUnauthorizedSaysHow: a 401 names the scheme to use (RFC 9110
// requires WWW-Authenticate on 401).
func TestUnauthorizedSaysHow(t *testing.T) {
	e := newEnv(t)
	for _, actor := range []string{"", "expired", "garbage"} {
		res := e.do(request{method: "GET", path: "/api/v1/teams", actor: actor})
		if res.status != 401 {
			t.Fatalf("%q: got %s, want 401", actor, res)
		}
		if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%q: got WWW-Authenticate %q, want Bearer", actor, got)
		}
	}
}
