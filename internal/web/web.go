// Package web serves Tandem's pages: server-rendered html/template with
// embedded templates and assets, and small JavaScript modules that keep a
// page live from the team's event stream.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/markdown"
	"github.com/tandemhq/tandem/internal/problem"
	"github.com/tandemhq/tandem/internal/scrum"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config holds the web UI's settings.
type Config struct {
	BaseURL       string
	SecureCookies bool
}

// Web serves the pages.
type Web struct {
	svc    *scrum.Service
	log    *slog.Logger
	cfg    Config
	pages  *pageSet
	rows   *rowCache
	assets assets // static files: content hashes and import-versioned modules
	md     *markdown.Renderer
}

// Mux is where routes are registered.
type Mux interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request))
}

// New parses the shared templates; each page's set is built when it is
// first rendered (TestEveryPageParses builds them all). A template error is
// a programming error caught by the tests, so it panics.
func New(svc *scrum.Service, log *slog.Logger, cfg Config) *Web {
	sub, _ := fs.Sub(staticFS, "static")
	w := &Web{svc: svc, log: log, cfg: cfg, assets: loadAssets(sub), md: markdown.New(), rows: newRowCache()}
	w.pages = w.parse()
	return w
}

// pageSet holds one template set per page: the layout, the partials and
// every shared file whose name starts with "_", plus the page's own file.
// Sets are cloned from the shared base on first use: an instance that
// serves only the API never holds the parse trees of two dozen pages
// (about 3 MiB of its idle memory).
type pageSet struct {
	base  *template.Template // never executed, only cloned
	files map[string]string  // page name → template file

	mu    sync.Mutex
	built map[string]*template.Template
}

func (w *Web) parse() *pageSet {
	ps := &pageSet{files: map[string]string{}, built: map[string]*template.Template{}}
	ps.base = template.Must(template.New("").Funcs(w.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/_*.html"))
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(path.Base(e), ".html")
		if name == "layout" || name == "partials" || strings.HasPrefix(name, "_") {
			continue
		}
		ps.files[name] = e
	}
	return ps
}

// get returns the template set of a page, building it on first use.
func (ps *pageSet) get(name string) (*template.Template, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if t, ok := ps.built[name]; ok {
		return t, true
	}
	file, ok := ps.files[name]
	if !ok {
		return nil, false
	}
	t := template.Must(template.Must(ps.base.Clone()).ParseFS(templateFS, file))
	ps.built[name] = t
	return t, true
}

// ParseAll builds every page's set, so tests catch a broken template
// without rendering each page.
func (w *Web) ParseAll() {
	for name := range w.pages.files {
		w.pages.get(name)
	}
}

func (w *Web) funcs() template.FuncMap {
	fm := template.FuncMap{
		"asset": func(p string) string { return "/static/" + p + "?v=" + w.assets.hash[p] },
		"icon": func(id string) template.HTML {
			return template.HTML(`<svg class="icon" aria-hidden="true"><use href="/static/icons.svg?v=` +
				w.assets.hash["icons.svg"] + `#` + template.HTMLEscapeString(id) + `"></use></svg>`)
		},
		"row":       w.row,
		"initials":  initials,
		"avatar":    avatarClass,
		"accTitle":  func(a scrum.Accountability) string { return a.Title() },
		"accPlural": accPlural,
		"accIcon":   accIcon,
		"accs":      scrum.Accountabilities,
		"ago":       ago,
		"date":      func(t time.Time) string { return t.Format("2 Jan 2006") },
		"isoTime":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"fieldErr":  fieldErr,
		"hasAcc":    func(m scrum.Member, a scrum.Accountability) bool { return m.Has(a) },
		"plural":    plural,
		"memberOf": func(r scrum.Roster, id string) *scrum.Member {
			if m, ok := r.Member(id); ok {
				return &m
			}
			return nil
		},
		"isResp":    func(key string) bool { _, ok := scrum.LookupResponsibility(key); return ok },
		"auditIcon": auditIcon,
		"areaTitle": areaTitle,
		"areaQuestion": func(a scrum.Area) string {
			switch a {
			case scrum.AreaProduct:
				return "Are we building what matters most?"
			case scrum.AreaProcess:
				return "Does the team work well while building it?"
			case scrum.AreaEvents:
				return "Who runs each event and keeps its timebox"
			}
			return "What the team has agreed on, and who keeps it current"
		},
	}
	maps.Copy(fm, w.itemFuncs())
	maps.Copy(fm, estimationFuncs())
	return fm
}

// Register adds the pages and assets to mux.
func (w *Web) Register(mux Mux) {
	mux.Handle("GET /static/", w.static())
	mux.HandleFunc("GET /{$}", w.home)
	mux.HandleFunc("GET /signin", w.signinPage)
	mux.HandleFunc("POST /signin", w.signin)
	mux.HandleFunc("GET /signup", w.signupPage)
	mux.HandleFunc("POST /signup", w.signup)
	mux.HandleFunc("POST /signout", w.signout)
	mux.HandleFunc("GET /teams", w.page(w.teamsPage))
	mux.HandleFunc("POST /teams", w.page(w.createTeam))
	mux.HandleFunc("GET /teams/{team}", w.page(w.teamPage))
	mux.HandleFunc("GET /teams/{team}/fragments/{name}", w.page(w.teamFragment))
	mux.HandleFunc("POST /teams/{team}/rename", w.page(w.renameTeam))
	mux.HandleFunc("POST /teams/{team}/invites", w.page(w.createInvite))
	mux.HandleFunc("POST /teams/{team}/members/{user}", w.page(w.setAccountabilities))
	mux.HandleFunc("POST /teams/{team}/members/{user}/remove", w.page(w.removeMember))
	mux.HandleFunc("POST /teams/{team}/product-owner", w.page(w.transferPO))
	mux.HandleFunc("POST /teams/{team}/responsibilities/{key}", w.page(w.reassign))
	w.registerBacklog(mux)
	w.registerEstimation(mux)
	mux.HandleFunc("GET /join/{code}", w.joinPage)
	mux.HandleFunc("POST /join/{code}", w.page(w.join))
	mux.HandleFunc("GET /settings/tokens", w.page(w.tokensPage))
	mux.HandleFunc("POST /settings/tokens", w.page(w.createToken))
	mux.HandleFunc("POST /settings/tokens/{id}/revoke", w.page(w.revokeToken))
	mux.HandleFunc("/", w.notFound)
}

func (w *Web) static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("v"); v != "" && v == w.assets.hash[r.URL.Path] {
			rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			rw.Header().Set("Cache-Control", "no-cache")
		}
		// No directory listings: "/static/" itself strips to "".
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			w.notFound(rw, r)
			return
		}
		if js, ok := w.assets.js[r.URL.Path]; ok {
			http.ServeContent(rw, r, r.URL.Path, time.Time{}, bytes.NewReader(js))
			return
		}
		files.ServeHTTP(rw, r)
	}))
}

// view is what every page template gets.
type view struct {
	Title   string
	User    scrum.User
	Teams   []scrum.MyTeam
	Team    *scrum.Team
	Nav     string // the primary nav entry to mark current
	Flash   string
	Error   string
	Fields  map[string]string
	Form    url.Values
	Data    any
	Wide    bool   // the page uses the wide container (the backlog)
	NoShell bool   // sign-in pages: no top bar
	Theme   string // "light" or "dark" when the user forced one
}

// page wraps a handler that needs a signed-in user: others go to sign-in
// and come back.
func (w *Web) page(h func(http.ResponseWriter, *http.Request, scrum.Actor) error) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		a, ok := auth.Actor(r.Context())
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(rw, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.renderError(rw, r, scrum.Errorf(scrum.CodeUnauthenticated, "your session ended; sign in again"))
			return
		}
		rw.Header().Set("Cache-Control", "no-store")
		if err := h(rw, r, a); err != nil {
			w.renderError(rw, r, err)
		}
	}
}

// render writes a page; the user's teams feed the team switcher.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if a, ok := auth.Actor(r.Context()); ok && !v.NoShell {
		v.User = a.User
		if v.Teams == nil {
			ts, _, err := w.svc.Teams(r.Context(), a, scrum.Page{Limit: 50})
			if err == nil {
				v.Teams = ts
			}
		}
	}
	if v.Flash == "" {
		v.Flash = takeFlash(rw, r, w.cfg.SecureCookies)
	}
	if c, err := r.Cookie("tandem_theme"); err == nil && (c.Value == "light" || c.Value == "dark") {
		v.Theme = c.Value
	}
	t, ok := w.pages.get(name)
	if !ok {
		panic("web: no template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		w.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(rw, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// fragment renders one named template on its own, for live refreshes.
func (w *Web) fragment(rw http.ResponseWriter, r *http.Request, page, name string, data any) {
	t, ok := w.pages.get(page)
	if !ok {
		panic("web: no template " + page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		w.log.ErrorContext(r.Context(), "render fragment", "fragment", name, "err", err)
		http.Error(rw, "the fragment could not be rendered", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = rw.Write(buf.Bytes())
}

// renderError shows the error page with the status problem maps err to.
func (w *Web) renderError(rw http.ResponseWriter, r *http.Request, err error) {
	if problem.ClientGone(r, err) {
		return
	}
	d := problem.From(err)
	if d.Status >= 500 {
		w.log.ErrorContext(r.Context(), "page failed", "err", err, "path", r.URL.Path)
	}
	var de *scrum.Error
	errors.As(err, &de)
	w.render(rw, r, d.Status, "error", view{Title: d.Title, Data: errorView{Problem: d, Err: de}})
}

type errorView struct {
	Problem problem.Details
	Err     *scrum.Error
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.renderError(rw, r, scrum.NotFound("page"))
}

func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	if _, ok := auth.Actor(r.Context()); ok {
		http.Redirect(rw, r, "/teams", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/signin", http.StatusSeeOther)
}

// Flash messages survive one redirect in a short-lived cookie.
const flashCookie = "tandem_flash"

func setFlash(rw http.ResponseWriter, msg string, secure bool) {
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func takeFlash(rw http.ResponseWriter, r *http.Request, secure bool) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	msg, _ := url.QueryUnescape(c.Value)
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// redirect sends the browser on after a successful form post.
func (w *Web) redirect(rw http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		setFlash(rw, flash, w.cfg.SecureCookies)
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// fields turns a domain error's field list into a map for the form.
func fields(err error) map[string]string {
	var de *scrum.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, f := range de.Fields {
		if _, ok := m[f.Field]; !ok {
			m[f.Field] = f.Message
		}
	}
	return m
}

func fieldErr(fs map[string]string, name string) string { return fs[name] }

// safeNext accepts only local paths as a post-sign-in destination, so the
// sign-in form cannot be used to redirect elsewhere. Browsers drop tabs
// and newlines from a Location and read a backslash as a slash, so
// "/<tab>/evil.com" and "/teams/../\evil.com" (which http.Redirect cleans
// to "/\evil.com") would leave the site: control characters and
// backslashes are refused outright.
func safeNext(next string) string {
	const home = "/teams"
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") {
		return home
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

func initials(name string) string {
	parts := strings.Fields(name)
	switch len(parts) {
	case 0:
		return "?"
	case 1:
		r := []rune(parts[0])
		return strings.ToUpper(string(r[:min(2, len(r))]))
	}
	first, last := []rune(parts[0]), []rune(parts[len(parts)-1])
	return strings.ToUpper(string(first[0]) + string(last[0]))
}

// avatarClass picks one of eight avatar colours from an id, so a person
// keeps their colour everywhere.
func avatarClass(id string) string {
	var h uint32
	for _, c := range []byte(id) {
		h = h*31 + uint32(c)
	}
	return fmt.Sprintf("avatar--c%d", h%8)
}

func accIcon(a scrum.Accountability) string {
	switch a {
	case scrum.ProductOwner:
		return "i-diamond"
	case scrum.ScrumMaster:
		return "i-cycle"
	case scrum.Developer:
		return "i-code"
	}
	return "i-eye"
}

// accPlural names everyone holding a: "Developers", but "Product Owner".
func accPlural(a scrum.Accountability) string {
	switch a {
	case scrum.Developer, scrum.Stakeholder:
		return a.Title() + "s"
	}
	return a.Title()
}

func areaTitle(a scrum.Area) string {
	switch a {
	case scrum.AreaProduct:
		return "Product"
	case scrum.AreaProcess:
		return "Process"
	case scrum.AreaEvents:
		return "Events"
	}
	return "Agreements"
}

func auditIcon(action string) string {
	switch {
	case strings.HasPrefix(action, "responsibility"):
		return "i-shield"
	case strings.HasPrefix(action, "invite"):
		return "i-link"
	case strings.HasPrefix(action, "member"), strings.HasPrefix(action, "product_owner"):
		return "i-user"
	case strings.HasPrefix(action, "authz"):
		return "i-alert"
	}
	return "i-team"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute ago", "minutes ago")
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour ago", "hours ago")
	case d < 48*time.Hour:
		return "yesterday"
	case d < 7*24*time.Hour:
		return t.Format("Monday")
	}
	return t.Format("2 Jan 2006")
}
