package api

import (
	"net/http"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

type teamRequest struct {
	Name    string `json:"name"`
	Version int    `json:"version,omitempty"`
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request) error {
	var in teamRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.svc.CreateTeam(r.Context(), actor(r), in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/teams/"+t.ID)
	return writeVersioned(w, http.StatusCreated, t.Version, toTeam(t))
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	ts, next, err := a.svc.Teams(r.Context(), actor(r), p)
	if err != nil {
		return err
	}
	out := make([]myTeamJSON, len(ts))
	for i, t := range ts {
		out[i] = myTeamJSON{teamJSON: toTeam(t.Team), MyAccountabilities: accStrings(t.Accountabilities)}
	}
	return writeJSON(w, http.StatusOK, newList(out, next))
}

// myTeamJSON is a team in the caller's list, with what they hold on it.
type myTeamJSON struct {
	teamJSON
	MyAccountabilities []string `json:"my_accountabilities"`
}

// teamDetailJSON is a team with the caller's own accountabilities, so a
// client knows what it may do without a second request.
type teamDetailJSON struct {
	teamJSON
	MyAccountabilities []string `json:"my_accountabilities"`
	MemberCount        int      `json:"member_count"`
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request) error {
	ro, err := a.svc.Roster(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	me, _ := ro.Member(actor(r).User.ID)
	return writeVersioned(w, http.StatusOK, ro.Team.Version, teamDetailJSON{teamJSON: toTeam(ro.Team),
		MyAccountabilities: accStrings(me.Accountabilities), MemberCount: len(ro.Members)})
}

func (a *API) patchTeam(w http.ResponseWriter, r *http.Request) error {
	var in teamRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	t, err := a.svc.RenameTeam(r.Context(), actor(r), r.PathValue("team"), in.Name, v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, t.Version, toTeam(t))
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := a.svc.Members(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = toMember(m)
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

type memberRequest struct {
	Accountabilities []string `json:"accountabilities"`
	Version          int      `json:"version,omitempty"`
}

func (a *API) putMember(w http.ResponseWriter, r *http.Request) error {
	var in memberRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	m, err := a.svc.SetAccountabilities(r.Context(), actor(r), r.PathValue("team"), r.PathValue("user"), toAccs(in.Accountabilities), v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, m.Version, toMember(m))
}

func (a *API) deleteMember(w http.ResponseWriter, r *http.Request) error {
	v, err := expectedVersion(r, 0)
	if err != nil {
		return err
	}
	if err := a.svc.RemoveMember(r.Context(), actor(r), r.PathValue("team"), r.PathValue("user"), v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// productOwnerRequest names the member to make Product Owner. If-Match
// (or version) is the version of that member's membership, as PUT
// .../members/{user} takes it: the hand-over is refused if it changed.
type productOwnerRequest struct {
	UserID  string `json:"user_id"`
	Version int    `json:"version"`
}

func (a *API) putProductOwner(w http.ResponseWriter, r *http.Request) error {
	var in productOwnerRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.UserID == "" {
		return scrum.Invalid("user_id", "user_id is required")
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	m, err := a.svc.TransferProductOwner(r.Context(), actor(r), r.PathValue("team"), in.UserID, v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, m.Version, toMember(m))
}

type inviteRequest struct {
	Accountabilities []string `json:"accountabilities"`
	MaxUses          int      `json:"max_uses,omitempty"`
}

func (a *API) createInvite(w http.ResponseWriter, r *http.Request) error {
	var in inviteRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	inv, code, err := a.svc.CreateInvite(r.Context(), actor(r), r.PathValue("team"),
		scrum.InviteSpec{Accountabilities: toAccs(in.Accountabilities), MaxUses: in.MaxUses})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, inviteJSON{ID: inv.ID, Code: code, URL: InviteURL(a.cfg.BaseURL, code),
		TeamID: inv.TeamID, Accountabilities: accStrings(inv.Accountabilities), ExpiresAt: inv.ExpiresAt, MaxUses: inv.MaxUses})
}

// InviteURL is the page where someone accepts an invite.
func InviteURL(base, code string) string {
	return strings.TrimSuffix(base, "/") + "/join/" + code
}

func (a *API) getInvite(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.PreviewInvite(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	in := p.Invite
	return writeJSON(w, http.StatusOK, inviteJSON{ID: in.ID, TeamID: in.TeamID, TeamName: p.TeamName, InvitedBy: p.InvitedBy,
		Accountabilities: accStrings(in.Accountabilities), ExpiresAt: in.ExpiresAt, MaxUses: in.MaxUses, Uses: in.Uses})
}

func (a *API) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	t, err := a.svc.AcceptInvite(r.Context(), actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	ro, err := a.svc.Roster(r.Context(), actor(r), t.ID)
	if err != nil {
		return err
	}
	me, _ := ro.Member(actor(r).User.ID)
	return writeJSON(w, http.StatusOK, teamDetailJSON{teamJSON: toTeam(ro.Team),
		MyAccountabilities: accStrings(me.Accountabilities), MemberCount: len(ro.Members)})
}

func (a *API) listResponsibilities(w http.ResponseWriter, r *http.Request) error {
	ro, err := a.svc.Roster(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	out := make([]responsibilityJSON, len(ro.Map))
	for i, x := range ro.Map {
		out[i] = toResponsibility(ro, x)
	}
	return writeJSON(w, http.StatusOK, out)
}

type responsibilityRequest struct {
	Accountability string `json:"accountability,omitempty"`
	UserID         string `json:"user_id,omitempty"`
	Version        int    `json:"version,omitempty"`
}

func (a *API) putResponsibility(w http.ResponseWriter, r *http.Request) error {
	var in responsibilityRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	team := r.PathValue("team")
	x, err := a.svc.Reassign(r.Context(), actor(r), team, r.PathValue("key"),
		scrum.Owner{Accountability: scrum.Accountability(in.Accountability), UserID: in.UserID}, v)
	if err != nil {
		return err
	}
	ro, err := a.svc.Roster(r.Context(), actor(r), team)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, x.Version, toResponsibility(ro, x))
}

func (a *API) health(w http.ResponseWriter, r *http.Request) error {
	ro, err := a.svc.Roster(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toSignals(ro, ro.Health()))
}

func (a *API) history(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	es, next, err := a.svc.History(r.Context(), actor(r), r.PathValue("team"), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(toAudit(es), next))
}
