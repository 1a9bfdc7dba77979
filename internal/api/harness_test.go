package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/storetest"
)

// Canaries are in every name and email of team A, so a leak to an outsider
// is found by a plain byte search.
const (
	canaryA = "CANARY-A-5e1f"
	canaryB = "CANARY-B-90c2"
	pw      = "correct horse battery"
	// Emails are stored lower-case.
	lowerA = "canary-a-5e1f"
	lowerB = "canary-b-90c2"
)

// fixture is the seeded world every scenario starts from: team A with a
// Product Owner, a Scrum Master, two Developers and a Stakeholder; team B
// with its own Product Owner and Developer; someone on no team; a site
// admin; invites, tokens and sessions in several states.
type fixture struct {
	Users   map[string]scrum.User // by actor name
	Secrets map[string]string     // actor name → bearer secret
	TeamA   scrum.Team
	TeamB   scrum.Team
	// InviteA is a pending developer invite for team A usable twice;
	// UsedInvite was single-use and is spent; InviteB is for team B.
	InviteA, UsedInvite, InviteB string
	// TokenA is poA's access token (also in Secrets["tokenA"]); TokenB is
	// poB's.
	TokenA, TokenB scrum.Token
	// Team A's backlog, every title with the canary: Item1 (Lena's,
	// estimated, with criteria and a comment), Item2 (Priya's) and Item3
	// (Stella's, new); Suggestion is Lena's open suggestion to move Item3
	// to the top. ItemB is team B's. LastEventA is team A's last event.
	Item1, Item2, Item3, ItemB scrum.Item
	Comment                    scrum.Comment
	Suggestion                 scrum.Suggestion
	LastEventA                 int64
}

// fx is built once per test binary into a template database that each
// scenario copies, so every scenario starts from the same bytes.
var (
	fx        fixture
	fxDir     string
	fxOnce    sync.Once
	fxErr     error
	discard   = slog.New(slog.NewTextHandler(io.Discard, nil))
	fixedUser = []struct {
		key, name, email string
	}{
		{"admin", "Ada Admin", "ada@example.com"},
		{"poA", "Priya " + canaryA, "priya." + lowerA + "@example.com"},
		{"smA", "Marco " + canaryA, "marco." + lowerA + "@example.com"},
		{"dev1A", "Lena " + canaryA, "lena." + lowerA + "@example.com"},
		{"dev2A", "Sam " + canaryA, "sam." + lowerA + "@example.com"},
		{"stkA", "Stella " + canaryA, "stella." + lowerA + "@example.com"},
		{"poB", "Boris " + canaryB, "boris." + lowerB + "@example.com"},
		{"devB", "Bea " + canaryB, "bea." + lowerB + "@example.com"},
		{"loner", "Nora Loner", "nora@example.com"},
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		// Like goleak.VerifyTestMain: no goroutine may outlive the tests.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	if n := validated.Load(); n > 0 && testing.Verbose() {
		fmt.Printf("FIGURE openapi_validated_responses=%d count\n", n)
	}
	if fxDir != "" {
		os.RemoveAll(fxDir)
	}
	os.Exit(code)
}

// config is the server configuration of every test app.
func config(path string) server.Config {
	return server.Config{Database: path, Log: discard, Password: password.Fast, Addr: "127.0.0.1:0",
		BaseURL: "http://tandem.test", AuthPerIPPerMinute: 5, Heartbeat: 50 * time.Millisecond,
		HangupProbe: 20 * time.Millisecond}
}

func buildFixture() error {
	dir, err := os.MkdirTemp("", "tandem-api-fixture-")
	if err != nil {
		return err
	}
	fxDir = dir
	ctx := context.Background()
	app, err := server.Open(ctx, config(filepath.Join(dir, "tandem.db")))
	if err != nil {
		return err
	}
	svc := app.Service
	fx = fixture{Users: map[string]scrum.User{}, Secrets: map[string]string{}}
	actor := func(k string) scrum.Actor { return scrum.Actor{User: fx.Users[k]} }
	for _, u := range fixedUser {
		user, secret, err := svc.SignUp(ctx, scrum.SignUp{Email: u.email, Name: u.name, Password: pw}, "")
		if err != nil {
			return fmt.Errorf("sign up %s: %w", u.key, err)
		}
		fx.Users[u.key], fx.Secrets[u.key] = user, secret
	}
	if fx.TeamA, err = svc.CreateTeam(ctx, actor("poA"), "Orion "+canaryA); err != nil {
		return err
	}
	if fx.TeamB, err = svc.CreateTeam(ctx, actor("poB"), "Lyra "+canaryB); err != nil {
		return err
	}
	join := func(team, who string, accs ...scrum.Accountability) error {
		admin := "poA"
		if team == fx.TeamB.ID {
			admin = "poB"
		}
		_, code, err := svc.CreateInvite(ctx, actor(admin), team, scrum.InviteSpec{Accountabilities: accs})
		if err != nil {
			return err
		}
		if who == "" {
			fx.UsedInvite = code
			return nil
		}
		_, err = svc.AcceptInvite(ctx, actor(who), code)
		if who == "dev2A" {
			fx.UsedInvite = code
		}
		return err
	}
	for _, j := range []struct {
		team, who string
		acc       scrum.Accountability
	}{
		{fx.TeamA.ID, "smA", scrum.ScrumMaster}, {fx.TeamA.ID, "dev1A", scrum.Developer},
		{fx.TeamA.ID, "dev2A", scrum.Developer}, {fx.TeamA.ID, "stkA", scrum.Stakeholder},
		{fx.TeamB.ID, "devB", scrum.Developer},
	} {
		if err := join(j.team, j.who, j.acc); err != nil {
			return fmt.Errorf("join %s: %w", j.who, err)
		}
	}
	// The team gives retrospectives to Lena by name.
	if _, err := svc.Reassign(ctx, actor("smA"), fx.TeamA.ID, scrum.RespFacilitateRetro,
		scrum.Owner{UserID: fx.Users["dev1A"].ID}, 0); err != nil {
		return err
	}
	if _, fx.InviteA, err = svc.CreateInvite(ctx, actor("poA"), fx.TeamA.ID,
		scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}, MaxUses: 2}); err != nil {
		return err
	}
	if _, fx.InviteB, err = svc.CreateInvite(ctx, actor("poB"), fx.TeamB.ID,
		scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}}); err != nil {
		return err
	}
	var secret string
	if fx.TokenA, secret, err = svc.CreateToken(ctx, actor("poA"), "ci "+canaryA); err != nil {
		return err
	}
	fx.Secrets["tokenA"] = secret
	if fx.TokenB, _, err = svc.CreateToken(ctx, actor("poB"), "ci "+canaryB); err != nil {
		return err
	}
	// A signed-out session, and one that expired.
	_, out, err := svc.Login(ctx, fixedUser[2].email, pw, "")
	if err != nil {
		return err
	}
	a, err := svc.Authenticate(ctx, out, "")
	if err != nil {
		return err
	}
	if err := svc.Logout(ctx, a); err != nil {
		return err
	}
	fx.Secrets["loggedOut"] = out
	expired := scrum.NewSecret(scrum.SessionPrefix)
	past := time.Now().Add(-48 * time.Hour)
	if err := app.Store.Update(ctx, func(tx scrum.Tx) error {
		return tx.CreateSession(ctx, scrum.Session{Hash: scrum.HashSecret(expired), UserID: fx.Users["smA"].ID,
			CreatedAt: past.Add(-time.Hour), LastSeenAt: past, ExpiresAt: past.Add(time.Minute)})
	}); err != nil {
		return err
	}
	fx.Secrets["expired"] = expired
	if err := seedBacklog(ctx, svc, actor); err != nil {
		return fmt.Errorf("seed backlog: %w", err)
	}
	fx.Secrets["unknown"] = scrum.NewSecret(scrum.SessionPrefix)
	fx.Secrets["unknownToken"] = scrum.NewSecret(scrum.TokenPrefix)
	fx.Secrets["garbage"] = "not-a-token"
	if err := seedEstimation(ctx, app); err != nil {
		return fmt.Errorf("seed estimation: %w", err)
	}
	return app.Close()
}

// seedBacklog gives team A a product goal, three items, a comment and an
// open suggestion, and team B one item.
func seedBacklog(ctx context.Context, svc *scrum.Service, actor func(string) scrum.Actor) error {
	var err error
	three := 3.0
	if fx.Item1, err = svc.CreateItem(ctx, actor("dev1A"), fx.TeamA.ID, scrum.ItemInput{Title: "Checkout " + canaryA,
		Description: "Pay for the cart " + canaryA, AcceptanceCriteria: []scrum.Criterion{{Text: "a receipt " + canaryA}},
		Estimate: &three, Labels: []string{"payments"}}); err != nil {
		return err
	}
	if fx.Item2, err = svc.CreateItem(ctx, actor("poA"), fx.TeamA.ID, scrum.ItemInput{Title: "Refunds " + canaryA,
		Type: scrum.TypeBug}); err != nil {
		return err
	}
	if fx.Item3, err = svc.CreateItem(ctx, actor("stkA"), fx.TeamA.ID, scrum.ItemInput{Title: "Receipts by mail " + canaryA}); err != nil {
		return err
	}
	if fx.Comment, err = svc.AddComment(ctx, actor("dev1A"), fx.TeamA.ID, fx.Item1.ID, "Ask @priya about "+canaryA); err != nil {
		return err
	}
	if fx.Suggestion, err = svc.SuggestPosition(ctx, actor("dev1A"), fx.TeamA.ID, fx.Item3.ID, scrum.Move{To: "top"},
		"customers ask "+canaryA); err != nil {
		return err
	}
	if _, err = svc.SetProductGoal(ctx, actor("poA"), fx.TeamA.ID, "Self-service payments "+canaryA, 0); err != nil {
		return err
	}
	if fx.ItemB, err = svc.CreateItem(ctx, actor("poB"), fx.TeamB.ID, scrum.ItemInput{Title: "Telescope " + canaryB}); err != nil {
		return err
	}
	fx.LastEventA, err = svc.LastEventSeq(ctx, actor("poA"), fx.TeamA.ID)
	return err
}

// env is one scenario's private Tandem: a copy of the fixture database.
type env struct {
	t   testing.TB
	app *server.App
	h   http.Handler
	// remote is the client address of requests (default 192.0.2.10).
	remote string
}

type serverConfig = server.Config

// newEnv boots the real server on a private copy of the fixture.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

func newEnvWith(t testing.TB, tweak func(*serverConfig)) *env {
	t.Helper()
	fxOnce.Do(func() { fxErr = buildFixture() })
	if fxErr != nil {
		t.Fatalf("build fixture: %v", fxErr)
	}
	dir := dbDir(t)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(fxDir, "tandem.db"+suffix))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatalf("copy fixture: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tandem.db"+suffix), b, 0o600); err != nil {
			t.Fatalf("copy fixture: %v", err)
		}
	}
	cfg := config(filepath.Join(dir, "tandem.db"))
	if tweak != nil {
		tweak(&cfg)
	}
	app, err := server.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return &env{t: t, app: app, h: app.Handler, remote: "192.0.2.10:4711"}
}

// newEmptyEnv boots the real server on an empty database.
func newEmptyEnv(t testing.TB, tweak func(*server.Config)) *env {
	t.Helper()
	cfg := config(filepath.Join(dbDir(t), "tandem.db"))
	if tweak != nil {
		tweak(&cfg)
	}
	app, err := server.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return &env{t: t, app: app, h: app.Handler, remote: "192.0.2.10:4711"}
}

// dbDir is a private directory for one test's database.
func dbDir(t testing.TB) string {
	t.Helper()
	return t.TempDir()
}

// expand replaces {name} placeholders with fixture values.
func expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	pairs := []string{
		"{teamA}", fx.TeamA.ID, "{teamB}", fx.TeamB.ID,
		"{inviteA}", fx.InviteA, "{inviteB}", fx.InviteB, "{usedInvite}", fx.UsedInvite,
		"{tokenA}", fx.TokenA.ID, "{tokenB}", fx.TokenB.ID,
		"{unknownTeam}", "zzzzzzzzzzzzzzzz", "{unknownUser}", "yyyyyyyyyyyyyyyy",
		"{item1}", fx.Item1.ID, "{item2}", fx.Item2.ID, "{item3}", fx.Item3.ID, "{itemB}", fx.ItemB.ID,
		"{suggestion}", fx.Suggestion.ID, "{comment}", fx.Comment.ID,
		"{lastEventA}", strconv.FormatInt(fx.LastEventA, 10), "{nextEventA}", strconv.FormatInt(fx.LastEventA+1, 10),
	}
	pairs = append(pairs, estimationPairs()...)
	for _, u := range fixedUser {
		pairs = append(pairs, "{"+u.key+"}", fx.Users[u.key].ID, "{"+u.key+".email}", u.email, "{"+u.key+".name}", u.name)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// samplePath fills a route's path parameters with team A's fixture ids,
// so a call to it is one a member of team A could really make; the result
// still holds placeholders for expand.
func samplePath(path string) string {
	id := "{tokenA}"
	if strings.Contains(path, "/suggestions/") {
		id = "{suggestion}"
	}
	if strings.HasPrefix(path, "/estimations/") {
		id = "{estA}"
	}
	return strings.NewReplacer("{team}", "{teamA}", "{user}", "{dev2A}", "{id}", id, "{code}", "{inviteA}",
		"{key}", "flow", "{item}", "{item1}", "{criterion}", "dependencies-known").Replace(path)
}

// request describes one call.
type request struct {
	method, path string
	actor        string // a key of fx.Secrets; "" for none
	bearer       string // a raw bearer secret, instead of an actor's
	cookie       bool   // send the actor's secret as the session cookie
	body         string
	contentType  string // default application/json when body is set
	headers      map[string]string
	remote       string
	timeout      time.Duration // for streams
}

// response is a finished call.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	return fmt.Sprintf("%d %s", r.status, truncate(string(r.body), 600))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// do sends rq to the real handler and validates an API response against
// the OpenAPI document.
func (e *env) do(rq request) response {
	e.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(expand(rq.body))
	}
	ctx := context.Background()
	if rq.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rq.timeout)
		defer cancel()
	}
	req := httptest.NewRequestWithContext(ctx, rq.method, expand(rq.path), body)
	req.RemoteAddr = e.remote
	if rq.remote != "" {
		req.RemoteAddr = rq.remote
	}
	if rq.body != "" {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range rq.headers {
		req.Header.Set(k, expand(v))
	}
	if rq.actor != "" {
		secret, ok := fx.Secrets[rq.actor]
		if !ok {
			e.t.Fatalf("unknown actor %q", rq.actor)
		}
		if rq.cookie {
			req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: secret})
		} else {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	}
	if rq.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+rq.bearer)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Result().Header, body: rec.Body.Bytes()}
	checkOpenAPI(e.t, req, res)
	return res
}

// json decodes the body into v.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode body %q: %v", truncate(string(r.body), 300), err)
	}
}

// problemBody is the RFC 9457 body with Tandem's extensions.
type problemBody struct {
	Type           string `json:"type"`
	Title          string `json:"title"`
	Status         int    `json:"status"`
	Detail         string `json:"detail"`
	Responsibility string `json:"responsibility"`
	Holders        []struct {
		UserID string `json:"user_id"`
		Name   string `json:"name"`
	} `json:"holders"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	CurrentVersion int    `json:"current_version"`
	RequestID      string `json:"request_id"`
}

func (r response) problem(t testing.TB) problemBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
		t.Fatalf("got Content-Type %q for %d, want application/problem+json; charset=utf-8", ct, r.status)
	}
	var p problemBody
	r.json(t, &p)
	if p.Status != r.status {
		t.Errorf("got problem status %d, want the HTTP status %d", p.Status, r.status)
	}
	if p.Title == "" || p.Detail == "" || p.Type == "" {
		t.Errorf("got problem %+v, want type, title and detail", p)
	}
	return p
}

func (p problemBody) fields() []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

// snapshot is every durable fact a failed request must leave alone: all
// tables but the throttle counters, and the audit log without its
// security entries (refusals, failed and throttled sign-ins), which are
// written on purpose.
func (e *env) snapshot() string {
	e.t.Helper()
	queries := []string{
		`SELECT id, email, name, site_admin, deactivated, version FROM users ORDER BY id`,
		`SELECT hash, user_id, expires_at FROM sessions ORDER BY hash`,
		`SELECT id, user_id, name, hash FROM tokens ORDER BY id`,
		`SELECT id, name, version FROM teams ORDER BY id`,
		`SELECT team_id, user_id, version FROM members ORDER BY team_id, user_id`,
		`SELECT team_id, user_id, accountability FROM member_accountabilities ORDER BY 1, 2, 3`,
		`SELECT team_id, resp_key, owner_accountability, owner_user_id, version FROM responsibilities ORDER BY 1, 2`,
		`SELECT id, team_id, uses FROM invites ORDER BY id`,
		`SELECT team_id, seq, type, subject_id FROM events ORDER BY 1, 2`,
		`SELECT id, action, target FROM audit WHERE action NOT IN ('authz.denied', 'auth.login_failed', 'auth.throttled') ORDER BY id`,
		`SELECT id, team_id, number, title, status, rank, version, ready, ready_ticks, estimate, labels FROM items ORDER BY id`,
		`SELECT team_id, version FROM ready_definitions ORDER BY team_id`,
		`SELECT team_id, text, version FROM product_goals ORDER BY team_id`,
		`SELECT id, item_id, body FROM comments ORDER BY id`,
		`SELECT id, item_id, state, version FROM suggestions ORDER BY id`,
		`SELECT id, state, current_item_id, queue, version FROM estimation_sessions ORDER BY id`,
		`SELECT session_id, item_id, round, voter_id, card FROM estimation_votes ORDER BY 1, 2, 3, 4`,
		`SELECT team_id, custom_decks, tshirt, version FROM estimation_settings ORDER BY team_id`,
	}
	var b strings.Builder
	for _, q := range queries {
		for _, row := range storetest.Rows(e.t, e.app.Store.ReadDB(), q) {
			fmt.Fprintln(&b, row)
		}
		b.WriteString("--\n")
	}
	return b.String()
}

// count runs a SELECT count(*) query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.Store.ReadDB().QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// diffLines shows what changed between two snapshots.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}

// signIn returns a fresh session secret for email (a real sign-in).
func (e *env) signIn(email string) string {
	e.t.Helper()
	_, secret, err := e.app.Service.Login(context.Background(), email, pw, "")
	if err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	return secret
}

var validated atomic.Int64

func bigBody(n int) string {
	var b bytes.Buffer
	b.WriteString(`{"name":"`)
	b.WriteString(strings.Repeat("x", n))
	b.WriteString(`"}`)
	return b.String()
}
