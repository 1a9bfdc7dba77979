package api

import (
	"net/http"

	"github.com/tandemhq/tandem/internal/auth"
)

// routeTable lists every endpoint of /api/v1. Later areas append theirs in
// their own files (see itemRoutes, estimationRoutes).
func (a *API) routeTable() []Route {
	rs := []Route{
		{Method: "POST", Path: "/signup", Public: true, Tag: "accounts", Summary: "Create an account and sign in",
			Body: "SignupRequest", Status: 201, Resp: "Session", Handle: a.signup},
		{Method: "POST", Path: "/login", Public: true, Tag: "accounts", Summary: "Sign in with email and password",
			Body: "LoginRequest", Status: 200, Resp: "Session", Handle: a.login},
		{Method: "POST", Path: "/logout", Tag: "accounts", Summary: "End the current session", Status: 204, Handle: a.logout},
		{Method: "GET", Path: "/me", Tag: "accounts", Summary: "The signed-in user", Status: 200, Resp: "User", Handle: a.me},
		{Method: "GET", Path: "/tokens", Tag: "accounts", Summary: "Your personal access tokens", Status: 200, Resp: "TokenList", Handle: a.listTokens},
		{Method: "POST", Path: "/tokens", Tag: "accounts", Summary: "Create a personal access token (shown once)",
			Body: "TokenRequest", Status: 201, Resp: "NewToken", Handle: a.createToken},
		{Method: "DELETE", Path: "/tokens/{id}", Tag: "accounts", Summary: "Revoke a personal access token", Status: 204, Handle: a.deleteToken},

		{Method: "POST", Path: "/teams", Tag: "teams", Summary: "Create a team; you become its Product Owner",
			Body: "TeamRequest", Status: 201, Resp: "Team", Handle: a.createTeam},
		{Method: "GET", Path: "/teams", Tag: "teams", Summary: "Teams you are on", Status: 200, Paged: true, Resp: "TeamList", Handle: a.listTeams},
		{Method: "GET", Path: "/teams/{team}", Tag: "teams", Summary: "A team, with your accountabilities", Status: 200, Resp: "TeamDetail", Handle: a.getTeam},
		{Method: "PATCH", Path: "/teams/{team}", Tag: "teams", Summary: "Rename a team (Product Owner or Scrum Master)", Versioned: true,
			Body: "TeamRequest", Status: 200, Resp: "Team", Handle: a.patchTeam},
		{Method: "POST", Path: "/teams/{team}/invites", Tag: "teams", Summary: "Invite people with given accountabilities",
			Body: "InviteRequest", Status: 201, Resp: "Invite", Handle: a.createInvite},
		{Method: "GET", Path: "/invites/{code}", Public: true, Tag: "teams", Summary: "What an invite code offers", Status: 200, Resp: "Invite", Handle: a.getInvite},
		{Method: "POST", Path: "/invites/{code}/accept", Tag: "teams", Summary: "Join a team with an invite code", Status: 200, Resp: "TeamDetail", Handle: a.acceptInvite},
		{Method: "GET", Path: "/teams/{team}/members", Tag: "teams", Summary: "A team's members", Status: 200, Resp: "MemberList", Handle: a.listMembers},
		{Method: "PUT", Path: "/teams/{team}/members/{user}", Tag: "teams", Summary: "Set a member's accountabilities", Versioned: true,
			Body: "MemberRequest", Status: 200, Resp: "Member", Handle: a.putMember},
		{Method: "DELETE", Path: "/teams/{team}/members/{user}", Tag: "teams", Summary: "Remove a member (or leave)", Status: 204, Versioned: true, Handle: a.deleteMember},
		{Method: "PUT", Path: "/teams/{team}/product-owner", Tag: "teams", Summary: "Hand the Product Owner accountability to a member",
			Body: "ProductOwnerRequest", Versioned: true, Status: 200, Resp: "Member", Handle: a.putProductOwner},
		{Method: "GET", Path: "/teams/{team}/responsibilities", Tag: "responsibilities", Summary: "The responsibility map",
			Status: 200, Resp: "ResponsibilityArray", Handle: a.listResponsibilities},
		{Method: "PUT", Path: "/teams/{team}/responsibilities/{key}", Tag: "responsibilities",
			Summary: "Give a responsibility to an accountability or a named member", Body: "ResponsibilityRequest", Versioned: true,
			Status: 200, Resp: "Responsibility", Handle: a.putResponsibility},
		{Method: "GET", Path: "/teams/{team}/health", Tag: "responsibilities", Summary: "Boundary-health signals",
			Status: 200, Resp: "SignalArray", Handle: a.health},
		{Method: "GET", Path: "/teams/{team}/history", Tag: "responsibilities", Summary: "The team's audit history, newest first", Paged: true,
			Status: 200, Resp: "AuditList", Handle: a.history},
		{Method: "GET", Path: "/teams/{team}/events", Tag: "live", Summary: "Live events (Server-Sent Events); resume with Last-Event-ID",
			Status: 200, Stream: true, Handle: a.events, Query: []Param{{"presence", str(),
				"the id of an estimation session of this team that this client shows (422 otherwise): its first frame lists who is there, then others arriving and leaving"}}},
	}
	rs = append(rs, a.itemRoutes()...)
	rs = append(rs, a.backlogRoutes()...)
	rs = append(rs, a.estimationRoutes()...)
	return rs
}

func secretOf(r *http.Request) string { return auth.From(r.Context()).Secret }
