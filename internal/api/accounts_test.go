package api_test

import (
	"strings"
	"testing"
)

const signupBody = `{"email":"new.person@example.com","name":"New Person","password":"` + pw + `"}`

// wantWorks checks that the token in a session or token response
// authenticates GET /me.
func wantTokenWorks(t *testing.T, e *env, res response) {
	t.Helper()
	var body struct {
		Token string `json:"token"`
	}
	res.json(t, &body)
	e.mustDo(t, request{method: "GET", path: "/api/v1/me", bearer: body.Token}, 200)
}

func wantUnauthorized(actor string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		e.mustDo(t, request{method: "GET", path: "/api/v1/me", actor: actor}, 401)
	}
}

func accountScenarios() []scenario {
	return []scenario{
		// POST /signup
		{name: "signup creates an account and signs in", method: "POST", path: "/api/v1/signup", body: signupBody,
			wantStatus: 201, wantContains: []string{`"token":"tds_`, `"site_admin":false`, `"email":"new.person@example.com"`},
			wantNotContains: []string{pw}, check: wantTokenWorks},
		{name: "signup normalises the email", method: "POST", path: "/api/v1/signup",
			body:       `{"email":"  New.Person@Example.COM ","name":"  New   Person ","password":"` + pw + `"}`,
			wantStatus: 201, wantContains: []string{`"email":"new.person@example.com"`, `"name":"New Person"`}},
		{name: "signup without any field", method: "POST", path: "/api/v1/signup", body: `{}`,
			wantStatus: 422, wantFields: []string{"email", "name", "password"}},
		{name: "signup with a short password", method: "POST", path: "/api/v1/signup",
			body:       `{"email":"short@example.com","name":"Short","password":"abc123"}`,
			wantStatus: 422, wantFields: []string{"password"}, wantNotContains: []string{"abc123"}},
		{name: "signup with a bad email", method: "POST", path: "/api/v1/signup",
			body: `{"email":"not-an-email","name":"X","password":"` + pw + `"}`, wantStatus: 422, wantFields: []string{"email"}},
		{name: "signup with a taken email", method: "POST", path: "/api/v1/signup",
			body: `{"email":"ADA@example.com","name":"Other Ada","password":"` + pw + `"}`, wantStatus: 422, wantFields: []string{"email"}},
		{name: "signup with an unknown field", method: "POST", path: "/api/v1/signup",
			body:       `{"email":"sneaky@example.com","name":"Sneaky","password":"` + pw + `","site_admin":true}`,
			wantStatus: 422, wantFields: []string{"site_admin"}},
		{name: "signup with a number for the email", method: "POST", path: "/api/v1/signup",
			body: `{"email":5,"name":"X","password":"` + pw + `"}`, wantStatus: 422, wantFields: []string{"email"}},
		{name: "signup with malformed JSON", method: "POST", path: "/api/v1/signup", body: `{"email":`, wantStatus: 400},
		{name: "signup with trailing data", method: "POST", path: "/api/v1/signup", body: signupBody + ` {}`, wantStatus: 400},
		{name: "signup with an empty body", method: "POST", path: "/api/v1/signup", headers: H{"Content-Type": "application/json"}, wantStatus: 400},
		{name: "signup with an array", method: "POST", path: "/api/v1/signup", body: `[]`, wantStatus: 400},
		{name: "signup form-encoded", method: "POST", path: "/api/v1/signup", body: "email=a%40b.com&name=A&password=abcdefghijkl",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "signup as text/plain", method: "POST", path: "/api/v1/signup", body: signupBody, ct: "text/plain", wantStatus: 415},
		{name: "signup with a 2 MiB body", method: "POST", path: "/api/v1/signup", body: bigBody(2 << 20), wantStatus: 413},

		// POST /login
		{name: "login signs in", method: "POST", path: "/api/v1/login",
			body: `{"email":"{poA.email}","password":"` + pw + `"}`, wantStatus: 200,
			wantContains: []string{`"token":"tds_`, `"id":"{poA}"`}, wantNotContains: []string{pw}, check: wantTokenWorks},
		{name: "login ignores case and spaces in the email", method: "POST", path: "/api/v1/login",
			body: `{"email":"  ADA@EXAMPLE.COM ","password":"` + pw + `"}`, wantStatus: 200},
		{name: "login with a wrong password", method: "POST", path: "/api/v1/login",
			body: `{"email":"{poA.email}","password":"wrong password"}`, wantStatus: 401,
			wantContains: []string{"email or password is wrong"}, wantNotContains: []string{"wrong password"}},
		{name: "login with an unknown email", method: "POST", path: "/api/v1/login",
			body: `{"email":"nobody@example.com","password":"` + pw + `"}`, wantStatus: 401,
			wantContains: []string{"email or password is wrong"}},
		{name: "login without fields", method: "POST", path: "/api/v1/login", body: `{}`,
			wantStatus: 422, wantFields: []string{"email", "password"}},
		{name: "login with a 300-byte password", method: "POST", path: "/api/v1/login",
			body: `{"email":"{poA.email}","password":"` + strings.Repeat("p", 300) + `"}`, wantStatus: 422, wantFields: []string{"password"}},
		{name: "login with a 1000-character email", method: "POST", path: "/api/v1/login",
			body: `{"email":"` + strings.Repeat("e", 988) + `@example.com","password":"wrong password"}`, wantStatus: 422, wantFields: []string{"email"},
			check: func(t *testing.T, e *env, res response) {
				if n := e.count(`SELECT count(*) FROM throttles WHERE length(throttle_key) > 300`); n != 0 {
					t.Errorf("got %d throttle rows keyed by the oversized email, want none", n)
				}
			}},
		{name: "login with malformed JSON", method: "POST", path: "/api/v1/login", body: `{"email":"a@b.c",}`, wantStatus: 400},
		{name: "login form-encoded", method: "POST", path: "/api/v1/login", body: "email=x", ct: "application/x-www-form-urlencoded", wantStatus: 415},

		// POST /logout
		{name: "logout ends the session", method: "POST", path: "/api/v1/logout", actor: "dev1A",
			wantStatus: 204, check: wantUnauthorized("dev1A")},
		{name: "logout by cookie clears it", method: "POST", path: "/api/v1/logout", actor: "dev1A", cookie: true,
			headers: H{"Sec-Fetch-Site": "same-origin"}, wantStatus: 204,
			check: func(t *testing.T, e *env, res response) {
				c := res.header.Get("Set-Cookie")
				if !strings.Contains(c, "tandem_session=;") || !strings.Contains(c, "Max-Age=0") || !strings.Contains(c, "HttpOnly") {
					t.Errorf("got Set-Cookie %q, want the session cookie cleared", c)
				}
				wantUnauthorized("dev1A")(t, e, res)
			}},
		{name: "logout with an access token (no field)", method: "POST", path: "/api/v1/logout", actor: "tokenA", wantStatus: 422,
			check: func(t *testing.T, e *env, res response) {
				e.mustDo(t, request{method: "GET", path: "/api/v1/me", actor: "tokenA"}, 200)
			}},
		{name: "logout signed out", method: "POST", path: "/api/v1/logout", wantStatus: 401},
		{name: "logout with a signed-out session", method: "POST", path: "/api/v1/logout", actor: "loggedOut", wantStatus: 401},

		// GET /me
		{name: "me", method: "GET", path: "/api/v1/me", actor: "poA", wantStatus: 200,
			wantContains: []string{`"id":"{poA}"`, `"email":"{poA.email}"`, `"version":1`},
			check: func(t *testing.T, e *env, res response) {
				if got := res.header.Get("ETag"); got != `"v1"` {
					t.Errorf("got ETag %q, want \"v1\"", got)
				}
				if got := res.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("got Cache-Control %q, want no-store", got)
				}
			}},
		{name: "me with an access token", method: "GET", path: "/api/v1/me", actor: "tokenA", wantStatus: 200, wantContains: []string{`"id":"{poA}"`}},
		{name: "me with the session cookie", method: "GET", path: "/api/v1/me", actor: "smA", cookie: true, wantStatus: 200, wantContains: []string{`"id":"{smA}"`}},
		{name: "me the site admin", method: "GET", path: "/api/v1/me", actor: "admin", wantStatus: 200, wantContains: []string{`"site_admin":true`}},
		{name: "me signed out", method: "GET", path: "/api/v1/me", wantStatus: 401, wantContains: []string{"Bearer"}},
		{name: "me with an expired session", method: "GET", path: "/api/v1/me", actor: "expired", wantStatus: 401},
		{name: "me with a signed-out session", method: "GET", path: "/api/v1/me", actor: "loggedOut", wantStatus: 401},
		{name: "me with an unknown session", method: "GET", path: "/api/v1/me", actor: "unknown", wantStatus: 401},
		{name: "me with an unknown access token", method: "GET", path: "/api/v1/me", actor: "unknownToken", wantStatus: 401},
		{name: "me with garbage credentials", method: "GET", path: "/api/v1/me", actor: "garbage", wantStatus: 401},
		{name: "me with an expired session cookie", method: "GET", path: "/api/v1/me", actor: "expired", cookie: true, wantStatus: 401},
		{name: "me with basic auth", method: "GET", path: "/api/v1/me", headers: H{"Authorization": "Basic YWRhOnB3"}, wantStatus: 401},

		// GET /tokens
		{name: "tokens lists mine without secrets", method: "GET", path: "/api/v1/tokens", actor: "poA", wantStatus: 200,
			wantContains: []string{`"id":"{tokenA}"`, `"next_cursor":null`}, wantNotContains: []string{"{tokenB}", "tdp_", "hash"}},
		{name: "tokens signed out", method: "GET", path: "/api/v1/tokens", wantStatus: 401},

		// POST /tokens
		{name: "create a token, shown once", method: "POST", path: "/api/v1/tokens", actor: "poA", body: `{"name":"laptop"}`,
			wantStatus: 201, wantContains: []string{`"token":"tdp_`, `"name":"laptop"`, `"last_used_at":null`},
			check: func(t *testing.T, e *env, res response) {
				wantTokenWorks(t, e, res)
				list := e.mustDo(t, request{method: "GET", path: "/api/v1/tokens", actor: "poA"}, 200)
				if strings.Contains(string(list.body), "tdp_") || !strings.Contains(string(list.body), `"name":"laptop"`) {
					t.Errorf("got token list %s, want the new token listed without its secret", list.body)
				}
			}},
		{name: "create a token without a name", method: "POST", path: "/api/v1/tokens", actor: "poA", body: `{"name":"  "}`,
			wantStatus: 422, wantFields: []string{"name"}},
		{name: "create a token with an unknown field", method: "POST", path: "/api/v1/tokens", actor: "poA",
			body: `{"name":"x","scopes":["all"]}`, wantStatus: 422, wantFields: []string{"scopes"}},
		{name: "create a token with malformed JSON", method: "POST", path: "/api/v1/tokens", actor: "poA", body: `{"name"}`, wantStatus: 400},
		{name: "create a token signed out", method: "POST", path: "/api/v1/tokens", body: `{"name":"x"}`, wantStatus: 401},

		// DELETE /tokens/{id}
		{name: "revoke my token", method: "DELETE", path: "/api/v1/tokens/{tokenA}", actor: "poA", wantStatus: 204,
			check: wantUnauthorized("tokenA")},
		{name: "revoke someone else's token", method: "DELETE", path: "/api/v1/tokens/{tokenB}", actor: "poA", wantStatus: 404},
		{name: "revoke a garbage token id", method: "DELETE", path: "/api/v1/tokens/nope", actor: "poA", wantStatus: 404},
		{name: "revoke a token signed out", method: "DELETE", path: "/api/v1/tokens/{tokenA}", wantStatus: 401},
	}
}

// TestFirstSignupIsSiteAdmin: on a fresh server the first account is the
// site admin and the second is not.
func TestFirstSignupIsSiteAdmin(t *testing.T) {
	e := newEmptyEnv(t, nil)
	res := e.do(request{method: "POST", path: "/api/v1/signup", body: signupBody})
	if res.status != 201 || !strings.Contains(string(res.body), `"site_admin":true`) {
		t.Fatalf("first signup: got %s, want 201 with site_admin true", res)
	}
	res = e.do(request{method: "POST", path: "/api/v1/signup", body: strings.Replace(signupBody, "new.person", "second", 1)})
	if res.status != 201 || !strings.Contains(string(res.body), `"site_admin":false`) {
		t.Fatalf("second signup: got %s, want 201 with site_admin false", res)
	}
}

// TestClosedSignup: with registration closed only the first account may
// sign up.
func TestClosedSignup(t *testing.T) {
	e := newEmptyEnv(t, func(c *serverConfig) { c.ClosedSignup = true })
	if res := e.do(request{method: "POST", path: "/api/v1/signup", body: signupBody}); res.status != 201 {
		t.Fatalf("first signup: got %s, want 201", res)
	}
	res := e.do(request{method: "POST", path: "/api/v1/signup", body: strings.Replace(signupBody, "new.person", "second", 1)})
	if res.status != 403 {
		t.Fatalf("second signup: got %s, want 403", res)
	}
	if n := e.count(`SELECT count(*) FROM users`); n != 1 {
		t.Errorf("got %d users, want 1", n)
	}
}
