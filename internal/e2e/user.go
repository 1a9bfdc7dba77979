package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/scrum"
)

// Password is every test user's password.
const Password = "correct horse battery staple"

// User is a person with their own browser context: their own cookies,
// their own tabs. The embedded Tab is their first tab.
type User struct {
	*Tab
	Name     string
	Email    string
	Password string
	ID       string // set once the account exists

	browserCtx context.Context // the first tab's context; new tabs derive from it
	actor      *scrum.Actor    // cached by Actor
}

var userSeq atomic.Int64

// NewUser opens a browser context for a person who has no account yet.
// Their email is unique to the test binary. Call SignUp, or let them sign
// up from another page with FillSignUp.
func (s *Server) NewUser(t testing.TB, name string) *User {
	t.Helper()
	slug := strings.ToLower(strings.Join(strings.Fields(name), "."))
	email := fmt.Sprintf("%s.%d@e2e.test", slug, userSeq.Add(1))
	tab := s.openTab(t, name, browser(t), chromedp.WithNewBrowserContext())
	return &User{Tab: tab, Name: name, Email: email, Password: Password, browserCtx: tab.ctx}
}

// NewAccount is a person whose account exists (made through the service)
// but whose browser is signed out, for tests of signing in.
func (s *Server) NewAccount(t testing.TB, name string) *User {
	t.Helper()
	u := s.NewUser(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	user, err := s.App.Service.CreateUser(ctx, scrum.SignUp{Email: u.Email, Name: u.Name, Password: u.Password}, false)
	if err != nil {
		t.Fatalf("create account for %s: %v", name, err)
	}
	u.ID = user.ID
	u.actor = &scrum.Actor{User: user}
	return u
}

// SignedIn is the quick way to a signed-in person, for tests about other
// pages: the account is made through the service and the session cookie
// put straight into the browser. The tab is left blank.
func (s *Server) SignedIn(t testing.TB, name string) *User {
	t.Helper()
	u := s.NewUser(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	user, secret, err := s.App.Service.SignUp(ctx, scrum.SignUp{Email: u.Email, Name: u.Name, Password: u.Password}, "127.0.0.1")
	if err != nil {
		t.Fatalf("sign up %s: %v", name, err)
	}
	u.ID = user.ID
	u.actor = &scrum.Actor{User: user}
	u.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{
			Name: auth.CookieName, Value: secret, URL: s.URL + "/", HTTPOnly: new(true),
			SameSite: network.CookieSameSiteLax,
		})
		return err
	}))
	return u
}

// NewTab opens another tab in the user's browser context: same person,
// same session. The tab belongs to t, which may be a subtest.
func (u *User) NewTab(t testing.TB) *Tab {
	t.Helper()
	return u.s.openTab(t, u.Name+" (another tab)", u.browserCtx)
}

// SignUp creates the account through the /signup form.
func (u *User) SignUp() {
	u.t.Helper()
	if st := u.Open("/signup"); st != http.StatusOK {
		u.t.Fatalf("GET /signup: status %d, want 200", st)
	}
	u.FillSignUp()
}

// FillSignUp fills and submits the sign-up form the tab shows, checks the
// account was made and that the browser left the form, and sets u.ID.
func (u *User) FillSignUp() {
	u.t.Helper()
	u.WaitFor(`form[action="/signup"]`)
	u.Fill(`#f-name`, u.Name)
	u.Fill(`#f-email`, u.Email)
	u.Fill(`#f-password`, u.Password)
	if st := u.ClickNav(`form[action="/signup"] button[type=submit]`); st != http.StatusOK {
		u.t.Fatalf("sign up %s: status %d, want 200 after the redirect; page says %q", u.Email, st, u.pageError())
	}
	if strings.HasPrefix(u.Path(), "/signup") {
		u.t.Fatalf("sign up %s: still on the form; it says %q", u.Email, u.pageError())
	}
	a := u.sessionActor()
	u.actor, u.ID = &a, a.User.ID
}

// SignIn signs in through the /signin form.
func (u *User) SignIn() {
	u.t.Helper()
	u.Open("/signin")
	u.Fill(`#f-email`, u.Email)
	u.Fill(`#f-password`, u.Password)
	if st := u.ClickNav(`form[action="/signin"] button[type=submit]`); st != http.StatusOK {
		u.t.Fatalf("sign in %s: status %d, want 200; page says %q", u.Email, st, u.pageError())
	}
	a := u.sessionActor()
	u.actor, u.ID = &a, a.User.ID
}

// pageError returns the form's error summary or the error page's title,
// to explain a failed step.
func (u *User) pageError() string {
	return Eval[string](u.Tab, `(document.querySelector(".form-errors, .error-page") ?? document.body).textContent.replace(/\s+/g, " ").trim().slice(0, 300)`)
}

// Actor returns the user as the service sees them, for seeding data
// through s.App.Service.
func (u *User) Actor() scrum.Actor {
	u.t.Helper()
	if u.actor == nil {
		a := u.sessionActor()
		u.actor = &a
	}
	return *u.actor
}

// sessionActor authenticates the session cookie in the user's browser.
func (u *User) sessionActor() scrum.Actor {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := u.s.App.Service.Authenticate(ctx, u.SessionSecret(), "127.0.0.1")
	if err != nil {
		u.t.Fatalf("%s's session: %v", u.Name, err)
	}
	return a
}

// SessionSecret returns the session cookie's value in the user's browser,
// for tests that act on the session from elsewhere (sign it out through
// the API, as another device would).
func (u *User) SessionSecret() string {
	u.t.Helper()
	cookies := Run(u.Tab, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{u.s.URL + "/"}})
		return res.Cookies, err
	})
	for _, c := range cookies {
		if c.Name == auth.CookieName {
			return c.Value
		}
	}
	u.t.Fatalf("%s is not signed in: no %s cookie", u.Name, auth.CookieName)
	return ""
}

// CreateTeam creates a team through the form on /teams and returns its id,
// leaving the tab on the new team's page.
func (u *User) CreateTeam(name string) string {
	u.t.Helper()
	u.Open("/teams")
	u.Fill(`#create #f-name`, name)
	if st := u.ClickNav(`#create button[type=submit]`); st != http.StatusOK {
		u.t.Fatalf("create team %q: status %d; page says %q", name, st, u.pageError())
	}
	u.WaitFor(`[data-team-page]`)
	id, _ := u.Attr(`[data-team-page]`, "data-team")
	if id == "" {
		u.t.Fatalf("create team %q: the team page has no data-team", name)
	}
	return id
}

// CreateInvite makes an invite link from the invite card of the team page
// the tab shows, for the accountabilities given (Developer when none), and
// returns the link.
func (u *User) CreateInvite(accs ...scrum.Accountability) string {
	u.t.Helper()
	u.WaitVisible(`#invite`)
	if len(accs) == 0 {
		accs = []scrum.Accountability{scrum.Developer}
	}
	for _, a := range scrum.Accountabilities() {
		sel := fmt.Sprintf(`#invite input[name=accountability][value=%q]`, a)
		if u.Exists(sel + `:not([disabled])`) {
			u.Check(sel, slices.Contains(accs, a))
		}
	}
	if st := u.ClickNav(`#invite button[type=submit]`); st != http.StatusOK {
		u.t.Fatalf("create invite: status %d; page says %q", st, u.pageError())
	}
	u.WaitFor(`[data-invite-link]`)
	return u.Text(`[data-invite-link]`)
}

// Join accepts an invite link as a signed-in user and returns the team id,
// leaving the tab on the team page.
func (u *User) Join(link string) string {
	u.t.Helper()
	u.Open(link)
	return u.clickJoin()
}

func (u *User) clickJoin() string {
	u.t.Helper()
	if st := u.ClickNav(`form[action^="/join/"] button[type=submit]`); st != http.StatusOK {
		u.t.Fatalf("join: status %d; page says %q", st, u.pageError())
	}
	return u.onTeamPage()
}

// JoinWithNewAccount follows an invite link as someone without an account:
// "Create an account to join", the sign-up form, back to the invite, and
// Join. It returns the team id, leaving the tab on the team page.
func (u *User) JoinWithNewAccount(link string) string {
	u.t.Helper()
	u.Open(link)
	u.ClickNav(`a[href^="/signup?next=/join/"]`)
	u.FillSignUp()
	u.WaitPath(`^/join/`)
	return u.clickJoin()
}

func (u *User) onTeamPage() string {
	u.t.Helper()
	u.WaitFor(`[data-team-page]`)
	id, _ := u.Attr(`[data-team-page]`, "data-team")
	return id
}
