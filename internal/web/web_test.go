package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

const pw = "correct horse battery"

// site is the real server on a temporary SQLite file.
type site struct {
	t   *testing.T
	app *server.App
}

func newSite(t *testing.T) *site {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{
		Database: filepath.Join(t.TempDir(), "tandem.db"), Password: password.Fast, BaseURL: "http://tandem.test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), AuthPerIPPerMinute: 1000,
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return &site{t: t, app: app}
}

// browser keeps one person's cookies: the session, and flash messages
// that live for one redirect.
type browser struct {
	s      *site
	cookie string
	flash  string
}

type page struct {
	status int
	header http.Header
	body   string
}

func (p page) String() string {
	b := p.body
	if len(b) > 500 {
		b = b[:500] + "…"
	}
	return http.StatusText(p.status) + " " + p.header.Get("Location") + " " + b
}

func (b *browser) do(method, path string, form url.Values, headers map[string]string) page {
	b.s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://tandem.test"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: b.cookie})
	}
	if b.flash != "" {
		req.AddCookie(&http.Cookie{Name: "tandem_flash", Value: b.flash})
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	b.s.app.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		switch c.Name {
		case auth.CookieName:
			b.cookie = c.Value
			if c.MaxAge < 0 {
				b.cookie = ""
			}
		case "tandem_flash":
			b.flash = c.Value
			if c.MaxAge < 0 {
				b.flash = ""
			}
		}
	}
	p := page{status: rec.Code, header: res.Header, body: rec.Body.String()}
	checkHeaders(b.s.t, p)
	return p
}

func (b *browser) get(path string) page                { return b.do("GET", path, nil, nil) }
func (b *browser) post(path string, f url.Values) page { return b.do("POST", path, f, nil) }

func (b *browser) must(p page, status int) page {
	b.s.t.Helper()
	if p.status != status {
		b.s.t.Fatalf("got %s, want %d", p, status)
	}
	return p
}

// signUp creates an account through the form and returns its browser.
func (s *site) signUp(name, email string) *browser {
	s.t.Helper()
	b := &browser{s: s}
	p := b.post("/signup", url.Values{"name": {name}, "email": {email}, "password": {pw}})
	if p.status != http.StatusSeeOther || b.cookie == "" {
		s.t.Fatalf("sign up %s: got %s, want 303 and a session cookie", email, p)
	}
	return b
}

// teamOf creates a team through the form and returns its id.
func (b *browser) createTeam(name string) string {
	b.s.t.Helper()
	p := b.must(b.post("/teams", url.Values{"name": {name}}), http.StatusSeeOther)
	id := strings.TrimPrefix(p.header.Get("Location"), "/teams/")
	if !scrum.ValidID(id) {
		b.s.t.Fatalf("got Location %q, want /teams/<id>", p.header.Get("Location"))
	}
	return id
}

var inviteLink = regexp.MustCompile(`http://tandem\.test/join/(tdi_[a-z2-7]+)`)

// invite creates an invite through the team page and returns its code.
func (b *browser) invite(team string, accs ...string) string {
	b.s.t.Helper()
	p := b.must(b.post("/teams/"+team+"/invites", url.Values{"accountability": accs}), 200)
	m := inviteLink.FindStringSubmatch(p.body)
	if m == nil {
		b.s.t.Fatalf("no invite link on the page: %s", p)
	}
	return m[1]
}

func (b *browser) join(code string) {
	b.s.t.Helper()
	b.must(b.post("/join/"+code, url.Values{}), http.StatusSeeOther)
}

func checkHeaders(t *testing.T, p page) {
	t.Helper()
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("got CSP %q, want frame-ancestors 'none' and no unsafe-inline", csp)
	}
	if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("Referrer-Policy") == "" {
		t.Errorf("got headers %v, want nosniff and a Referrer-Policy", p.header)
	}
	if strings.Contains(p.body, "<script>") || regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(p.body) {
		t.Errorf("page has inline script, which the CSP would block")
	}
}

func wantIn(t *testing.T, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q: %s", s, p)
		}
	}
}

func wantNotIn(t *testing.T, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(p.body, s) {
			t.Errorf("page contains %q, want it absent", s)
		}
	}
}

func TestSignupForm(t *testing.T) {
	s := newSite(t)
	b := &browser{s: s}
	p := b.must(b.get("/signup"), 200)
	wantIn(t, p, `name="email"`, `name="name"`, `name="password"`, `action="/signup"`)
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("got Content-Type %q, want text/html; charset=utf-8", ct)
	}

	const secret = "tiny-PW9"
	p = b.must(b.post("/signup", url.Values{"name": {"  "}, "email": {"not-an-email"}, "password": {secret}}), 422)
	wantIn(t, p, "name is required", "is not an email address", "password must be at least 10 characters",
		`value="not-an-email"`, `aria-invalid="true"`)
	wantNotIn(t, p, secret)
	if b.cookie != "" {
		t.Errorf("a refused sign-up set a session cookie")
	}

	// The name typed is kept when only another field is wrong.
	p = b.must(b.post("/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "password": {secret}}), 422)
	wantIn(t, p, `value="Ada Lovelace"`, `value="ada@example.com"`)
	wantNotIn(t, p, secret)

	p = b.must(b.post("/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "password": {pw}}), http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != "/teams" {
		t.Errorf("got Location %q, want /teams", loc)
	}
	c := p.header.Get("Set-Cookie")
	for _, attr := range []string{auth.CookieName + "=tds_", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(c, attr) {
			t.Errorf("got Set-Cookie %q, want %s", c, attr)
		}
	}
	p = b.must(b.get("/teams"), 200)
	wantIn(t, p, "Ada Lovelace", "Welcome to Tandem")

	// The first account is the site admin.
	u, _, err := loginUser(s, "ada@example.com")
	if err != nil || !u.SiteAdmin {
		t.Errorf("got %+v %v, want the first account to be site admin", u, err)
	}
	// The email is taken now.
	other := &browser{s: s}
	p = other.must(other.post("/signup", url.Values{"name": {"Imposter"}, "email": {"ADA@example.com"}, "password": {pw}}), 422)
	wantIn(t, p, "already exists", `value="Imposter"`)
}

func loginUser(s *site, email string) (scrum.User, string, error) {
	return s.app.Service.Login(context.Background(), email, pw, "")
}

func TestSigninForm(t *testing.T) {
	s := newSite(t)
	s.signUp("Ada", "ada@example.com")
	b := &browser{s: s}
	wantIn(t, b.must(b.get("/signin"), 200), `action="/signin"`, `name="password"`)

	const wrong = "not-my-password-XY"
	p := b.must(b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {wrong}}), 422)
	wantIn(t, p, "email or password is wrong", `value="ada@example.com"`)
	wantNotIn(t, p, wrong)

	p = b.must(b.post("/signin", url.Values{"email": {""}, "password": {""}}), 422)
	wantIn(t, p, "email is required", "password is required")

	p = b.must(b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {pw}, "next": {"/settings/tokens"}}), http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != "/settings/tokens" {
		t.Errorf("got Location %q, want the next page", loc)
	}
	wantIn(t, b.must(b.get("/settings/tokens"), 200), "Access tokens")
	// Signed in, the sign-in page sends you on.
	if p := b.get("/signin"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/teams" {
		t.Errorf("signed-in GET /signin: got %s, want 303 to /teams", p)
	}
}

func TestSigninThrottled(t *testing.T) {
	s := newSite(t)
	s.signUp("Ada", "ada@example.com")
	b := &browser{s: s}
	for range 6 {
		b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}})
	}
	p := b.must(b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {pw}}), 429)
	wantIn(t, p, "too many failed sign-ins", `value="ada@example.com"`)
	if b.cookie != "" {
		t.Errorf("a throttled sign-in set a cookie")
	}
}

func TestSignedOutRedirects(t *testing.T) {
	s := newSite(t)
	b := &browser{s: s}
	for path, next := range map[string]string{
		"/teams":                          "%2Fteams",
		"/teams/abcdefghijklmnop":         "%2Fteams%2Fabcdefghijklmnop",
		"/settings/tokens":                "%2Fsettings%2Ftokens",
		"/teams/abcdefghijklmnop?x=1&y=2": "%2Fteams%2Fabcdefghijklmnop%3Fx%3D1%26y%3D2",
	} {
		p := b.get(path)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin?next="+next {
			t.Errorf("GET %s: got %s, want 303 to /signin?next=%s", path, p, next)
		}
	}
	if p := b.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
		t.Errorf("GET /: got %s, want 303 to /signin", p)
	}
	// A form posted after the session ended is refused, not redirected.
	p := b.must(b.post("/teams", url.Values{"name": {"X"}}), 401)
	wantIn(t, p, "Sign in to continue", `href="/signin"`)
}

// resolve follows a Location header the way a browser does: it drops tabs
// and newlines and reads backslashes as slashes before resolving.
func resolve(t *testing.T, location string) *url.URL {
	t.Helper()
	loc := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(location)
	base, _ := url.Parse("http://tandem.test/signin")
	u, err := base.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q does not parse: %v", location, err)
	}
	return u
}

// TestNoOpenRedirect: whatever next is, signing in never sends the browser
// to another site.
func TestNoOpenRedirect(t *testing.T) {
	s := newSite(t)
	s.signUp("Ada", "ada@example.com")
	nexts := []string{
		"//evil.com", "//evil.com/teams", `/\evil.com`, `\\evil.com`, "https://evil.com", "http:evil.com",
		"javascript:alert(1)", "/\t/evil.com", "/\n/evil.com", "\t//evil.com", "/teams/../\\evil.com",
		"/teams/..//evil.com", "/.//evil.com", "/%2F/evil.com", "///evil.com", "/\\/evil.com", " //evil.com",
		"/teams", "/teams/abc?x=1",
	}
	for _, next := range nexts {
		b := &browser{s: s}
		p := b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {pw}, "next": {next}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("next %q: got %s, want 303", next, p)
		}
		if u := resolve(t, p.header.Get("Location")); u.Host != "tandem.test" {
			t.Errorf("next %q: Location %q sends the browser to %q", next, p.header.Get("Location"), u.Host)
		}
		// Already signed in, GET /signin?next= follows the same rule.
		p = b.get("/signin?next=" + url.QueryEscape(next))
		if u := resolve(t, p.header.Get("Location")); p.status != http.StatusSeeOther || u.Host != "tandem.test" {
			t.Errorf("signed-in GET /signin?next=%q: got %s", next, p)
		}
	}
	b := &browser{s: s}
	p := b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {pw}, "next": {"/teams/abc?x=1"}})
	if loc := p.header.Get("Location"); loc != "/teams/abc?x=1" {
		t.Errorf("a local next: got Location %q, want /teams/abc?x=1", loc)
	}
}

func TestSignout(t *testing.T) {
	s := newSite(t)
	b := s.signUp("Ada", "ada@example.com")
	old := b.cookie
	p := b.must(b.post("/signout", url.Values{}), http.StatusSeeOther)
	if p.header.Get("Location") != "/signin" || b.cookie != "" {
		t.Errorf("got %s with cookie %q, want 303 to /signin and the cookie cleared", p, b.cookie)
	}
	stale := &browser{s: s, cookie: old}
	if p := stale.get("/teams"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
		t.Errorf("the old cookie after sign-out: got %s, want a redirect to sign in", p)
	}
}

func TestTeamPage(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Orion")
	p := po.must(po.get("/teams/"+team), 200)
	// Members, the map with every key, health and history.
	wantIn(t, p, "<h1 class=\"page-title\">Orion</h1>", `data-member=`, "priya@example.com", "Product Owner",
		`data-signal="team.no_scrum_master"`, `data-signal="team.no_developers"`, "created the team Orion",
		`data-team-page data-team="`+team+`" data-last-event-id="1"`)
	for _, d := range scrum.Responsibilities() {
		wantIn(t, p, `data-responsibility="`+d.Key+`"`)
	}

	// A Scrum Master and a Developer join by link; health clears up.
	code := po.invite(team, "scrum_master")
	sm := s.signUp("Marco Rossi", "marco@example.com")
	sm.join(code)
	dev := s.signUp("Lena Vogel", "lena@example.com")
	dev.join(po.invite(team, "developer"))
	p = po.must(po.get("/teams/"+team), 200)
	wantIn(t, p, "Marco Rossi", "Lena Vogel", "joined as Scrum Master", "joined as Developer")
	wantNotIn(t, p, `data-signal="team.no_scrum_master"`, `data-signal="team.no_developers"`)

	// The Scrum Master gives retrospectives to Lena by name.
	lena := memberID(t, p, "Lena Vogel")
	sm.must(sm.post("/teams/"+team+"/responsibilities/facilitation.retrospective", url.Values{"owner": {"user:" + lena}}), http.StatusSeeOther)
	p = dev.must(dev.get("/teams/"+team), 200)
	wantIn(t, p, "reassigned facilitation.retrospective: Scrum Master → Lena Vogel")
	// A developer sees the map but no reassign controls.
	wantNotIn(t, p, `aria-label="Reassign`, "Invite by link")

	// Fragments for live refresh.
	for _, name := range []string{"health", "members", "map", "history"} {
		f := dev.must(dev.get("/teams/"+team+"/fragments/"+name), 200)
		wantIn(t, f, `data-fragment="`+name+`"`)
		wantNotIn(t, f, "<html")
	}
	dev.must(dev.get("/teams/"+team+"/fragments/secrets"), 404)
	outsider := s.signUp("Zed", "zed@example.com")
	f := outsider.must(outsider.get("/teams/"+team+"/fragments/members"), 404)
	wantNotIn(t, f, "Lena Vogel", "Orion")
}

var memberRow = regexp.MustCompile(`data-member="([a-z2-7]{16})"`)

// memberID finds a member's id on the team page by name.
func memberID(t *testing.T, p page, name string) string {
	t.Helper()
	i := strings.Index(p.body, name)
	if i < 0 {
		t.Fatalf("%s not on the page", name)
	}
	ms := memberRow.FindAllStringSubmatchIndex(p.body[:i], -1)
	if len(ms) == 0 {
		t.Fatalf("no member row before %s", name)
	}
	last := ms[len(ms)-1]
	return p.body[last[2]:last[3]]
}

func TestJoinFlow(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Orion")
	code := po.invite(team, "developer", "stakeholder")

	// Signed out: the invitation, and ways to sign up or in that come back.
	visitor := &browser{s: s}
	p := visitor.must(visitor.get("/join/"+code), 200)
	wantIn(t, p, "Join Orion", "Priya Shah invited you", "Developer", "Stakeholder",
		`href="/signup?next=/join/`+code+`"`, `href="/signin?next=/join/`+code+`"`)
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("got Cache-Control %q on an invite page, want no-store", p.header.Get("Cache-Control"))
	}
	p = visitor.must(visitor.post("/signup", url.Values{"name": {"Lena Vogel"}, "email": {"lena@example.com"},
		"password": {pw}, "next": {"/join/" + code}}), http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != "/join/"+code {
		t.Fatalf("got Location %q, want back to the invite", loc)
	}
	p = visitor.must(visitor.get("/join/"+code), 200)
	wantIn(t, p, `action="/join/`+code+`"`)
	p = visitor.must(visitor.post("/join/"+code, url.Values{}), http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != "/teams/"+team {
		t.Errorf("got Location %q, want the team", loc)
	}
	p = visitor.must(visitor.get("/teams/"+team), 200)
	wantIn(t, p, "Welcome to Orion!", "Lena Vogel")

	// Joining again: already on the team (409), not an unknown page.
	p = visitor.must(visitor.post("/join/"+code, url.Values{}), 409)
	wantIn(t, p, "already on Orion")
	// The single-use code is spent for anyone else.
	other := s.signUp("Sam", "sam@example.com")
	other.must(other.get("/join/"+code), 404)
	other.must(other.post("/join/"+code, url.Values{}), 404)
	other.must(other.get("/join/tdi_nothing"), 404)
}

func TestInviteFormErrors(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Orion")
	p := po.must(po.post("/teams/"+team+"/invites", url.Values{}), 422)
	wantIn(t, p, "at least one accountability is required")
	p = po.must(po.post("/teams/"+team+"/invites", url.Values{"accountability": {"product_owner"}}), 422)
	wantIn(t, p, "Priya Shah is already the Product Owner")
	wantNotIn(t, p, "/join/tdi_")
}

func TestCreateTeamFormErrors(t *testing.T) {
	s := newSite(t)
	b := s.signUp("Priya Shah", "priya@example.com")
	long := strings.Repeat("n", 81)
	p := b.must(b.post("/teams", url.Values{"name": {long}}), 422)
	wantIn(t, p, "name is longer than 80 characters", "The team could not be created")
}

func TestNotFoundPage(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Secret Project Orion")
	for _, b := range []*browser{{s: s}, s.signUp("Zed", "zed@example.com")} {
		p := b.must(b.get("/no/such/page"), 404)
		wantIn(t, p, "Nothing here")
		if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("got Content-Type %q, want html", ct)
		}
	}
	zed := s.signUp("Zoe", "zoe@example.com")
	for _, path := range []string{"/teams/" + team, "/teams/zzzzzzzzzzzzzzzz", "/teams/" + team + "/fragments/history"} {
		p := zed.must(zed.get(path), 404)
		wantIn(t, p, "Nothing here")
		wantNotIn(t, p, "Secret Project Orion", "Priya")
	}
	p := zed.must(zed.post("/teams/"+team+"/rename", url.Values{"name": {"Mine"}}), 404)
	wantNotIn(t, p, "Secret Project Orion")
}

func TestForbiddenPage(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Orion")
	dev := s.signUp("Lena Vogel", "lena@example.com")
	dev.join(po.invite(team, "developer"))
	for path, form := range map[string]url.Values{
		"/teams/" + team + "/rename":                {"name": {"Lena's team"}},
		"/teams/" + team + "/invites":               {"accountability": {"developer"}},
		"/teams/" + team + "/responsibilities/flow": {"owner": {"acc:developer"}},
		"/teams/" + team + "/product-owner":         {"user_id": {"x"}},
	} {
		p := dev.must(dev.post(path, form), 403)
		wantIn(t, p, "someone else’s call", `<code class="code-key">team.administration</code>`, "<strong>Priya Shah</strong>")
	}
	p := po.must(po.get("/teams/"+team), 200)
	wantIn(t, p, "<h1 class=\"page-title\">Orion</h1>", "was refused: it needs team.administration")
}

var assetURL = regexp.MustCompile(`(?:href|src)="(/static/[^"?#]+)\?v=([0-9a-f]+)`)

func TestStaticAssets(t *testing.T) {
	s := newSite(t)
	b := &browser{s: s}
	p := b.must(b.get("/signin"), 200)
	ms := assetURL.FindAllStringSubmatch(p.body, -1)
	if len(ms) < 3 {
		t.Fatalf("got %d asset URLs on the sign-in page, want the stylesheet, icons and scripts", len(ms))
	}
	for _, m := range ms {
		path, v := m[1], m[2]
		a := b.must(b.get(path+"?v="+v), 200)
		if got := a.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s?v=%s: got Cache-Control %q, want immutable for a year", path, v, got)
		}
		if len(a.body) == 0 {
			t.Errorf("%s: empty", path)
		}
		if got := b.get(path).header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s without a checksum: got Cache-Control %q, want no-cache", path, got)
		}
		if got := b.get(path + "?v=000000").header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s with a stale checksum: got Cache-Control %q, want no-cache", path, got)
		}
	}
	for path, ct := range map[string]string{"/static/css/app.css": "text/css", "/static/js/app.js": "text/javascript", "/static/favicon.svg": "image/svg+xml"} {
		if got := b.get(path).header.Get("Content-Type"); !strings.HasPrefix(got, ct) {
			t.Errorf("%s: got Content-Type %q, want %s", path, got, ct)
		}
	}
	b.must(b.get("/static/"), 404)
	b.must(b.get("/static/js/"), 404)
	b.must(b.get("/static/nope.js"), 404)
}

// TestFormsRefuseCrossOrigin: every page form, posted from another site
// with the session cookie, is refused and changes nothing.
func TestFormsRefuseCrossOrigin(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	team := po.createTeam("Orion")
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		for _, path := range []string{"/teams", "/teams/" + team + "/rename", "/teams/" + team + "/invites", "/signout",
			"/signin", "/signup", "/settings/tokens", "/teams/" + team + "/responsibilities/flow"} {
			p := po.do("POST", path, url.Values{"name": {"Forged"}, "accountability": {"developer"}, "owner": {"acc:developer"}}, h)
			if p.status != 403 {
				t.Errorf("POST %s with %v: got %s, want 403", path, h, p)
			}
		}
	}
	p := po.must(po.get("/teams/"+team), 200)
	wantNotIn(t, p, "Forged", "/join/tdi_")
	wantIn(t, p, "<h1 class=\"page-title\">Orion</h1>")
}

// TestTeamsPageShowsWhatYouHold: "what you hold on each" — every team card
// on /teams shows the user's own accountabilities on that team.
func TestTeamsPageShowsWhatYouHold(t *testing.T) {
	s := newSite(t)
	po := s.signUp("Priya Shah", "priya@example.com")
	orion := po.createTeam("Orion")
	lena := s.signUp("Lena Vogel", "lena@example.com")
	lena.createTeam("Andromeda")
	lena.join(po.invite(orion, "developer", "stakeholder"))

	p := lena.must(lena.get("/teams"), 200)
	cards := regexp.MustCompile(`(?s)<article class="card card--interactive team-card">.*?</article>`).FindAllString(p.body, -1)
	if len(cards) != 2 {
		t.Fatalf("got %d team cards, want 2: %s", len(cards), p)
	}
	for i, want := range []struct {
		team  string
		holds []string
	}{{"Andromeda", []string{"Product Owner"}}, {"Orion", []string{"Developer", "Stakeholder"}}} {
		card := cards[i]
		mine := regexp.MustCompile(`(?s)data-my-accountabilities.*?</div>`).FindString(card)
		if !strings.Contains(card, ">"+want.team+"</a>") || mine == "" {
			t.Errorf("card %d: got %s, want %s with the user's accountabilities", i, card, want.team)
			continue
		}
		for _, acc := range want.holds {
			if !strings.Contains(mine, acc+"</span>") {
				t.Errorf("%s card: got %s, want a %s badge", want.team, mine, acc)
			}
		}
		if n := strings.Count(mine, `class="badge`); n != len(want.holds) {
			t.Errorf("%s card: got %d badges, want %d", want.team, n, len(want.holds))
		}
	}
}
