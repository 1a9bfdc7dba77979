package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/scrum"
)

// sessionTTL matches the service's default absolute session lifetime.
const sessionTTL = 30 * 24 * time.Hour

type authView struct {
	Next  string
	First bool // no account exists yet: this signup makes the site admin
}

func (w *Web) signinPage(rw http.ResponseWriter, r *http.Request) {
	if _, ok := auth.Actor(r.Context()); ok {
		http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	w.render(rw, r, http.StatusOK, "signin", view{Title: "Sign in", NoShell: true,
		Form: url.Values{}, Data: authView{Next: r.URL.Query().Get("next")}})
}

func (w *Web) signin(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.renderError(rw, r, scrum.Errorf(scrum.CodeMalformed, "the form could not be read"))
		return
	}
	ip := auth.From(r.Context()).Actor.IP
	next := r.PostForm.Get("next")
	_, secret, err := w.svc.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), ip)
	if err != nil {
		code := scrum.ErrorCode(err)
		if code == "" || code == scrum.CodeUnavailable {
			w.renderError(rw, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if code == scrum.CodeThrottled {
			status = http.StatusTooManyRequests
		}
		form := url.Values{"email": {r.PostForm.Get("email")}}
		w.render(rw, r, status, "signin", view{Title: "Sign in", NoShell: true, Error: err.Error(),
			Fields: fields(err), Form: form, Data: authView{Next: next}})
		return
	}
	auth.SetCookie(rw, secret, w.cfg.SecureCookies, sessionTTL)
	http.Redirect(rw, r, safeNext(next), http.StatusSeeOther)
}

func (w *Web) signupPage(rw http.ResponseWriter, r *http.Request) {
	if _, ok := auth.Actor(r.Context()); ok {
		http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	w.render(rw, r, http.StatusOK, "signup", view{Title: "Create your account", NoShell: true,
		Form: url.Values{}, Data: authView{Next: r.URL.Query().Get("next")}})
}

func (w *Web) signup(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.renderError(rw, r, scrum.Errorf(scrum.CodeMalformed, "the form could not be read"))
		return
	}
	f := r.PostForm
	ip := auth.From(r.Context()).Actor.IP
	_, secret, err := w.svc.SignUp(r.Context(), scrum.SignUp{Email: f.Get("email"), Name: f.Get("name"), Password: f.Get("password")}, ip)
	if err != nil {
		code := scrum.ErrorCode(err)
		if code == "" || code == scrum.CodeUnavailable {
			w.renderError(rw, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if code == scrum.CodeThrottled {
			status = http.StatusTooManyRequests
		} else if code == scrum.CodeForbidden {
			status = http.StatusForbidden
		}
		msg := "Please fix the fields below."
		if len(fields(err)) == 0 {
			msg = err.Error()
		}
		form := url.Values{"email": {f.Get("email")}, "name": {f.Get("name")}}
		w.render(rw, r, status, "signup", view{Title: "Create your account", NoShell: true, Error: msg,
			Fields: fields(err), Form: form, Data: authView{Next: f.Get("next")}})
		return
	}
	auth.SetCookie(rw, secret, w.cfg.SecureCookies, sessionTTL)
	w.redirect(rw, r, safeNext(f.Get("next")), "Welcome to Tandem! Create a team or join one with an invite link.")
}

func (w *Web) signout(rw http.ResponseWriter, r *http.Request) {
	if a, ok := auth.Actor(r.Context()); ok && a.SessionHash != "" {
		if err := w.svc.Logout(r.Context(), a); err != nil {
			w.renderError(rw, r, err)
			return
		}
	}
	auth.ClearCookie(rw, w.cfg.SecureCookies)
	w.redirect(rw, r, "/signin", "You are signed out.")
}
