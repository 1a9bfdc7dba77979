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

// app is a Tandem on a fresh SQLite file, driven through its real handler.
type app struct {
	t   testing.TB
	app *server.App
	svc *scrum.Service
}

func newApp(t testing.TB) *app {
	t.Helper()
	ctx := context.Background()
	a, err := server.Open(ctx, server.Config{Database: filepath.Join(t.TempDir(), "tandem.db"), Password: password.Fast,
		AuthPerIPPerMinute: 100000, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://tandem.test"})
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return &app{t: t, app: a, svc: a.Service}
}

// person is a signed-in user with their session secret.
type person struct {
	scrum.Actor
	secret string
}

func (a *app) signUp(name string) person {
	a.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.test"
	u, secret, err := a.svc.SignUp(context.Background(), scrum.SignUp{Email: email, Name: name, Password: "correct horse battery staple"}, "127.0.0.1")
	if err != nil {
		a.t.Fatalf("sign up %s: %v", name, err)
	}
	return person{Actor: scrum.Actor{User: u}, secret: secret}
}

// team creates a team owned by po, with the others joining as developers.
func (a *app) team(name string, po person, devs ...person) scrum.Team {
	a.t.Helper()
	ctx := context.Background()
	t, err := a.svc.CreateTeam(ctx, po.Actor, name)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, d := range devs {
		_, code, err := a.svc.CreateInvite(ctx, po.Actor, t.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}})
		if err != nil {
			a.t.Fatal(err)
		}
		if _, err := a.svc.AcceptInvite(ctx, d.Actor, code); err != nil {
			a.t.Fatal(err)
		}
	}
	return t
}

func (a *app) item(p person, team, title string, in scrum.ItemInput) scrum.Item {
	a.t.Helper()
	in.Title = title
	it, err := a.svc.CreateItem(context.Background(), p.Actor, team, in)
	if err != nil {
		a.t.Fatalf("create item %q: %v", title, err)
	}
	return it
}

// response is what the handler answered.
type response struct {
	Status int
	Header http.Header
	Body   string
}

func (a *app) do(p *person, method, path string, body io.Reader, contentType string) response {
	a.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if p != nil {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: p.secret})
	}
	rec := httptest.NewRecorder()
	a.app.Handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func (a *app) get(p person, path string) response {
	a.t.Helper()
	return a.do(&p, http.MethodGet, path, nil, "")
}

func (a *app) post(p person, path string, form url.Values) response {
	a.t.Helper()
	return a.do(&p, http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// wantStatus fails unless the response has the status.
func (r response) wantStatus(t testing.TB, want int) response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("got status %d, want %d; body:\n%s", r.Status, want, excerpt(r.Body))
	}
	return r
}

// wantContains fails unless the body holds every string.
func (r response) wantContains(t testing.TB, subs ...string) response {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.Body, s) {
			t.Errorf("body lacks %q; body:\n%s", s, excerpt(r.Body))
		}
	}
	return r
}

func (r response) wantNotContains(t testing.TB, subs ...string) response {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.Body, s) {
			t.Errorf("body holds %q, want it absent", s)
		}
	}
	return r
}

var rowRe = regexp.MustCompile(`<li class="brow[^"]*" id="item-\d+" data-item="[^"]+" data-number="(\d+)"`)

// rowNumbers lists the item numbers of the backlog rows in page order.
func (r response) rowNumbers() []string {
	var out []string
	for _, m := range rowRe.FindAllStringSubmatch(r.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		s = s[:4000] + "…"
	}
	return s
}

func regexpMust(re string) *regexp.Regexp { return regexp.MustCompile(re) }
