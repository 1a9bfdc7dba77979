package api

import (
	"net/http"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/scrum"
)

type signupRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

type sessionResponse struct {
	User  userJSON `json:"user"`
	Token string   `json:"token"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) error {
	var in signupRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	u, secret, err := a.svc.SignUp(r.Context(), scrum.SignUp{Email: in.Email, Name: in.Name, Password: in.Password}, actor(r).IP)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sessionResponse{User: toUser(u), Token: secret})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	u, secret, err := a.svc.Login(r.Context(), in.Email, in.Password, actor(r).IP)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sessionResponse{User: toUser(u), Token: secret})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Logout(r.Context(), actor(r)); err != nil {
		return err
	}
	if auth.From(r.Context()).FromCookie {
		auth.ClearCookie(w, a.cfg.SecureCookies)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	u := actor(r).User
	return writeVersioned(w, http.StatusOK, u.Version, toUser(u))
}

type tokenRequest struct {
	Name string `json:"name"`
}

type newTokenResponse struct {
	tokenJSON
	Token string `json:"token"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	k, secret, err := a.svc.CreateToken(r.Context(), actor(r), in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newTokenResponse{tokenJSON: toToken(k), Token: secret})
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.svc.Tokens(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(ks))
	for i, k := range ks {
		out[i] = toToken(k)
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RevokeToken(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
