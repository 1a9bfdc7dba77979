package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

func (w *Web) teamsPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	ts, _, err := w.svc.Teams(r.Context(), a, scrum.Page{Limit: 200})
	if err != nil {
		return err
	}
	w.render(rw, r, http.StatusOK, "teams", view{Title: "Your teams", Teams: ts, Form: url.Values{}})
	return nil
}

func (w *Web) createTeam(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	t, err := w.svc.CreateTeam(r.Context(), a, r.PostForm.Get("name"))
	if err != nil {
		if fs := fields(err); fs != nil {
			ts, _, _ := w.svc.Teams(r.Context(), a, scrum.Page{Limit: 200})
			w.render(rw, r, http.StatusUnprocessableEntity, "teams", view{Title: "Your teams", Teams: ts,
				Fields: fs, Form: r.PostForm, Error: "The team could not be created."})
			return nil
		}
		return err
	}
	w.redirect(rw, r, "/teams/"+t.ID, "Team created. You are its Product Owner; invite your Scrum Master and Developers next.")
	return nil
}

// teamView is the team page's data; its sections are also fragments that
// the live script re-fetches.
type teamView struct {
	Roster   scrum.Roster
	Me       scrum.Member
	CanAdmin bool
	Signals  []scrum.Signal
	History  []scrum.AuditEntry
	Groups   []mapGroup
	LastSeq  int64
	Invite   *inviteResult
	Base     string
}

type mapGroup struct {
	Area  scrum.Area
	Items []scrum.Responsibility
}

type inviteResult struct {
	URL              string
	Accountabilities []scrum.Accountability
	MaxUses          int
}

func (w *Web) loadTeam(r *http.Request, a scrum.Actor, teamID string) (teamView, error) {
	ctx := r.Context()
	seq, err := w.svc.LastEventSeq(ctx, a, teamID)
	if err != nil {
		return teamView{}, err
	}
	ro, err := w.svc.Roster(ctx, a, teamID)
	if err != nil {
		return teamView{}, err
	}
	hist, _, err := w.svc.History(ctx, a, teamID, scrum.Page{Limit: 15})
	if err != nil {
		return teamView{}, err
	}
	me, _ := ro.Member(a.User.ID)
	v := teamView{Roster: ro, Me: me, CanAdmin: ro.Authorize(a.User.ID, scrum.RespTeamAdministration) == nil,
		Signals: ro.Health(), History: hist, LastSeq: seq, Base: w.cfg.BaseURL}
	for _, area := range []scrum.Area{scrum.AreaProduct, scrum.AreaProcess, scrum.AreaEvents, scrum.AreaAgreements} {
		g := mapGroup{Area: area}
		for _, x := range ro.Map {
			if x.Area == area {
				g.Items = append(g.Items, x)
			}
		}
		v.Groups = append(v.Groups, g)
	}
	return v, nil
}

func (w *Web) teamPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	tv, err := w.loadTeam(r, a, r.PathValue("team"))
	if err != nil {
		return err
	}
	team := tv.Roster.Team
	w.render(rw, r, http.StatusOK, "team", view{Title: team.Name, Team: &team, Nav: "team", Data: tv, Form: url.Values{}})
	return nil
}

// teamFragment serves one section of the team page for live refresh.
func (w *Web) teamFragment(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	name := r.PathValue("name")
	switch name {
	case "health", "members", "map", "history":
	default:
		return scrum.NotFound("fragment")
	}
	tv, err := w.loadTeam(r, a, r.PathValue("team"))
	if err != nil {
		return err
	}
	w.fragment(rw, r, "team", "team-"+name, tv)
	return nil
}

func (w *Web) renameTeam(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	if _, err := w.svc.RenameTeam(r.Context(), a, team, r.PostForm.Get("name"), 0); err != nil {
		return err
	}
	w.redirect(rw, r, "/teams/"+team, "Team renamed.")
	return nil
}

func (w *Web) createInvite(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	var accs []scrum.Accountability
	for _, s := range r.PostForm["accountability"] {
		accs = append(accs, scrum.Accountability(s))
	}
	uses := 1
	if r.PostForm.Get("reusable") == "on" {
		uses = 20
	}
	_, code, err := w.svc.CreateInvite(r.Context(), a, team, scrum.InviteSpec{Accountabilities: accs, MaxUses: uses})
	if err != nil {
		if scrum.ErrorCode(err) != scrum.CodeInvalid && scrum.ErrorCode(err) != scrum.CodeConflict {
			return err
		}
		tv, lerr := w.loadTeam(r, a, team)
		if lerr != nil {
			return lerr
		}
		t := tv.Roster.Team
		w.render(rw, r, http.StatusUnprocessableEntity, "team", view{Title: t.Name, Team: &t, Nav: "team", Data: tv,
			Fields: fields(err), Error: err.Error(), Form: r.PostForm})
		return nil
	}
	tv, err := w.loadTeam(r, a, team)
	if err != nil {
		return err
	}
	tv.Invite = &inviteResult{URL: strings.TrimSuffix(w.cfg.BaseURL, "/") + "/join/" + code, Accountabilities: accs, MaxUses: uses}
	t := tv.Roster.Team
	w.render(rw, r, http.StatusOK, "team", view{Title: t.Name, Team: &t, Nav: "team", Data: tv, Form: url.Values{}})
	return nil
}

func (w *Web) setAccountabilities(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team, user := r.PathValue("team"), r.PathValue("user")
	var accs []scrum.Accountability
	for _, s := range r.PostForm["accountability"] {
		accs = append(accs, scrum.Accountability(s))
	}
	m, err := w.svc.SetAccountabilities(r.Context(), a, team, user, accs, 0)
	if err != nil {
		return err
	}
	w.redirect(rw, r, "/teams/"+team+"#members", "Updated "+m.Name+"’s accountabilities.")
	return nil
}

func (w *Web) removeMember(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	team, user := r.PathValue("team"), r.PathValue("user")
	if err := w.svc.RemoveMember(r.Context(), a, team, user, 0); err != nil {
		return err
	}
	if user == a.User.ID {
		w.redirect(rw, r, "/teams", "You left the team.")
		return nil
	}
	w.redirect(rw, r, "/teams/"+team+"#members", "Member removed.")
	return nil
}

func (w *Web) transferPO(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	m, err := w.svc.TransferProductOwner(r.Context(), a, team, r.PostForm.Get("user_id"), 0)
	if err != nil {
		return err
	}
	w.redirect(rw, r, "/teams/"+team+"#members", m.Name+" is now the Product Owner.")
	return nil
}

// reassign takes the owner as "acc:<accountability>" or "user:<id>".
func (w *Web) reassign(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team, key := r.PathValue("team"), r.PathValue("key")
	var to scrum.Owner
	owner := r.PostForm.Get("owner")
	switch {
	case strings.HasPrefix(owner, "acc:"):
		to.Accountability = scrum.Accountability(strings.TrimPrefix(owner, "acc:"))
	case strings.HasPrefix(owner, "user:"):
		to.UserID = strings.TrimPrefix(owner, "user:")
	default:
		return scrum.Invalid("owner", "choose an accountability or a person")
	}
	if _, err := w.svc.Reassign(r.Context(), a, team, key, to, 0); err != nil {
		return err
	}
	w.redirect(rw, r, "/teams/"+team+"#map", "Reassigned "+key+".")
	return nil
}

type joinView struct {
	Code    string
	Preview scrum.InvitePreview
	Signed  bool
}

func (w *Web) joinPage(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	p, err := w.svc.PreviewInvite(r.Context(), code)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	_, signed := actorOf(r)
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusOK, "join", view{Title: "Join " + p.TeamName, NoShell: !signed,
		Data: joinView{Code: code, Preview: p, Signed: signed}})
}

func (w *Web) join(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	t, err := w.svc.AcceptInvite(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	w.redirect(rw, r, "/teams/"+t.ID, "Welcome to "+t.Name+"!")
	return nil
}
