package web

import (
	"net/http"
	"net/url"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/scrum"
)

func actorOf(r *http.Request) (scrum.Actor, bool) { return auth.Actor(r.Context()) }

type tokensView struct {
	Tokens []scrum.Token
	New    string // a just-created secret, shown once
	Name   string
}

func (w *Web) tokensPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	ks, err := w.svc.Tokens(r.Context(), a)
	if err != nil {
		return err
	}
	w.render(rw, r, http.StatusOK, "tokens", view{Title: "Access tokens", Nav: "tokens", Data: tokensView{Tokens: ks}, Form: url.Values{}})
	return nil
}

func (w *Web) createToken(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	k, secret, cerr := w.svc.CreateToken(r.Context(), a, r.PostForm.Get("name"))
	if cerr != nil && fields(cerr) == nil {
		return cerr
	}
	ks, err := w.svc.Tokens(r.Context(), a)
	if err != nil {
		return err
	}
	v := view{Title: "Access tokens", Nav: "tokens", Data: tokensView{Tokens: ks, New: secret, Name: k.Name}, Form: url.Values{}}
	status := http.StatusOK
	if cerr != nil {
		status, v.Fields, v.Form = http.StatusUnprocessableEntity, fields(cerr), r.PostForm
	}
	w.render(rw, r, status, "tokens", v)
	return nil
}

func (w *Web) revokeToken(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := w.svc.RevokeToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.redirect(rw, r, "/settings/tokens", "Token revoked. Anything using it can no longer sign in.")
	return nil
}
