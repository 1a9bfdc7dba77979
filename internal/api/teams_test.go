package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// rename renames team A as the Scrum Master, moving it to version 2.
func rename(t *testing.T, e *env) {
	t.Helper()
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"Orion Renamed ` + canaryA + `"}`}, 200)
}

func wantTeamName(name string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		got := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}", actor: "poA"}, 200)
		if !strings.Contains(string(got.body), `"name":"`+expand(name)+`"`) {
			t.Errorf("got team %s, want name %q", got.body, expand(name))
		}
	}
}

func wantDeniedAudit(t *testing.T, e *env, res response) {
	t.Helper()
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'authz.denied' AND team_id = $1 AND target = 'team.administration'`, fx.TeamA.ID); n != 1 {
		t.Errorf("got %d authz.denied audit entries, want the refusal recorded once", n)
	}
}

var admins = []string{priya, marco}

// wantAuditDetail checks the wording of team A's last history entry.
func wantAuditDetail(detail string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		if _, got := e.lastAudit(t, fx.TeamA.ID); got != expand(detail) {
			t.Errorf("got history %q, want %q", got, expand(detail))
		}
	}
}

func teamScenarios() []scenario {
	return []scenario{
		// POST /teams
		{name: "create a team", method: "POST", path: "/api/v1/teams", actor: "dev1A", body: `{"name":"  Vega   Team "}`,
			wantStatus: 201, wantContains: []string{`"name":"Vega Team"`, `"version":1`},
			check: func(t *testing.T, e *env, res response) {
				var team struct{ ID string }
				res.json(t, &team)
				if got := res.header.Get("Location"); got != "/api/v1/teams/"+team.ID {
					t.Errorf("got Location %q, want /api/v1/teams/%s", got, team.ID)
				}
				m := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/" + team.ID + "/members", actor: "dev1A"}, 200)
				if !strings.Contains(string(m.body), `"accountabilities":["product_owner"]`) {
					t.Errorf("got members %s, want the creator as Product Owner", m.body)
				}
				if got := e.eventTypes(t, team.ID); len(got) != 1 || got[0] != "member.joined" {
					t.Errorf("got events %v, want [member.joined]", got)
				}
				if a, _ := e.lastAudit(t, team.ID); a != "team.created" {
					t.Errorf("got audit %q, want team.created", a)
				}
			}},
		{name: "create a team without a name", method: "POST", path: "/api/v1/teams", actor: "poA", body: `{"name":""}`,
			wantStatus: 422, wantFields: []string{"name"}},
		{name: "create a team with an 81-character name", method: "POST", path: "/api/v1/teams", actor: "poA",
			body: `{"name":"` + strings.Repeat("n", 81) + `"}`, wantStatus: 422, wantFields: []string{"name"}},
		{name: "create a team with a control character", method: "POST", path: "/api/v1/teams", actor: "poA",
			body: `{"name":"bell\u0007"}`, wantStatus: 422, wantFields: []string{"name"}},
		{name: "create a team with malformed JSON", method: "POST", path: "/api/v1/teams", actor: "poA", body: `{"name":"x"`, wantStatus: 400},
		{name: "create a team form-encoded", method: "POST", path: "/api/v1/teams", actor: "poA", body: "name=x",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "create a team with a 2 MiB body", method: "POST", path: "/api/v1/teams", actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "create a team signed out", method: "POST", path: "/api/v1/teams", body: `{"name":"x"}`, wantStatus: 401},

		// GET /teams
		{name: "list my teams", method: "GET", path: "/api/v1/teams", actor: "poA", wantStatus: 200,
			wantContains: []string{`"id":"{teamA}"`, `"my_accountabilities":["product_owner"]`, `"next_cursor":null`}, wantNotContains: []string{canaryB}},
		{name: "list teams of team B's developer", method: "GET", path: "/api/v1/teams", actor: "devB", wantStatus: 200,
			wantContains: []string{`"id":"{teamB}"`}, wantNotContains: []string{canaryA, "{teamA}"}},
		{name: "list teams with no team", method: "GET", path: "/api/v1/teams", actor: "loner", wantStatus: 200,
			wantContains: []string{`{"items":[],"next_cursor":null}`}},
		{name: "list teams a page at a time", method: "GET", path: "/api/v1/teams?limit=1", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "POST", path: "/api/v1/teams", actor: "poA", body: `{"name":"Andromeda"}`}, 201)
			},
			wantStatus: 200, wantContains: []string{`"name":"Andromeda"`}, wantNotContains: []string{`"next_cursor":null`},
			check: func(t *testing.T, e *env, res response) {
				var page struct {
					Next string `json:"next_cursor"`
				}
				res.json(t, &page)
				next := e.mustDo(t, request{method: "GET", path: "/api/v1/teams?limit=1&cursor=" + page.Next, actor: "poA"}, 200)
				if !strings.Contains(string(next.body), `"id":"`+fx.TeamA.ID+`"`) || !strings.Contains(string(next.body), `"next_cursor":null`) {
					t.Errorf("got second page %s, want team A and no further cursor", next.body)
				}
			}},
		{name: "list teams with limit 0", method: "GET", path: "/api/v1/teams?limit=0", actor: "poA", wantStatus: 422, wantFields: []string{"limit"}},
		{name: "list teams with limit 1001", method: "GET", path: "/api/v1/teams?limit=1001", actor: "poA", wantStatus: 422, wantFields: []string{"limit"}},
		{name: "list teams with a word for the limit", method: "GET", path: "/api/v1/teams?limit=ten", actor: "poA", wantStatus: 422, wantFields: []string{"limit"}},
		{name: "list teams with a garbage cursor", method: "GET", path: "/api/v1/teams?cursor=%25%25garbage", actor: "poA", wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "list teams with a cursor of the wrong shape", method: "GET", path: "/api/v1/teams?cursor=YWJj", actor: "poA", wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "list teams signed out", method: "GET", path: "/api/v1/teams", wantStatus: 401},

		// GET /teams/{team}
		{name: "get a team", method: "GET", path: "/api/v1/teams/{teamA}", actor: "poA", wantStatus: 200,
			wantContains: []string{`"my_accountabilities":["product_owner"]`, `"member_count":5`, `"name":"Orion ` + canaryA + `"`},
			check: func(t *testing.T, e *env, res response) {
				if got := res.header.Get("ETag"); got != `"v1"` {
					t.Errorf("got ETag %q, want \"v1\"", got)
				}
			}},
		{name: "get a team as its stakeholder", method: "GET", path: "/api/v1/teams/{teamA}", actor: "stkA", wantStatus: 200,
			wantContains: []string{`"my_accountabilities":["stakeholder"]`}},
		{name: "get a team as an outsider", method: "GET", path: "/api/v1/teams/{teamA}", actor: "devB", wantStatus: 404},
		{name: "get a team as the site admin who is not on it", method: "GET", path: "/api/v1/teams/{teamA}", actor: "admin", wantStatus: 404},
		{name: "get a team as someone on no team", method: "GET", path: "/api/v1/teams/{teamA}", actor: "loner", wantStatus: 404},
		{name: "get an unknown team", method: "GET", path: "/api/v1/teams/{unknownTeam}", actor: "poA", wantStatus: 404},
		{name: "get a team by a garbage id", method: "GET", path: "/api/v1/teams/..%2F..%2Fetc", actor: "poA", wantStatus: 404},
		{name: "get a team signed out", method: "GET", path: "/api/v1/teams/{teamA}", wantStatus: 401},

		// PATCH /teams/{team}
		{name: "rename a team with If-Match", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA",
			headers: H{"If-Match": `"v1"`}, body: `{"name":"Orion II"}`, wantStatus: 200, wantContains: []string{`"name":"Orion II"`, `"version":2`},
			check: all(wantEvent("team.updated"), wantAudit("team.renamed"), func(t *testing.T, e *env, res response) {
				if got := res.header.Get("ETag"); got != `"v2"` {
					t.Errorf("got ETag %q, want \"v2\"", got)
				}
			})},
		{name: "rename a team with a body version", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA",
			body: `{"name":"Orion II","version":1}`, wantStatus: 200, wantContains: []string{`"version":2`}},
		{name: "rename a team with a stale If-Match", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", setup: rename,
			headers: H{"If-Match": `"v1"`}, body: `{"name":"Stale"}`, wantStatus: 409, wantContains: []string{`"current_version":2`},
			check: wantTeamName("Orion Renamed " + canaryA)},
		{name: "rename a team with a stale body version", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", setup: rename,
			body: `{"name":"Stale","version":1}`, wantStatus: 409, check: wantTeamName("Orion Renamed " + canaryA)},
		{name: "rename a team as a developer", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "dev1A", body: `{"name":"Mine"}`,
			wantStatus: 403, wantNeed: "team.administration", wantHolders: admins, check: wantDeniedAudit},
		{name: "rename a team as a stakeholder", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "stkA", body: `{"name":"Mine"}`,
			wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "the team's last Product Owner or Scrum Master cannot leave it", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{poA}",
			actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "DELETE", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "smA"}, 204)
			},
			wantStatus: 409, wantContains: []string{"make someone else Product Owner or Scrum Master first"},
			check: func(t *testing.T, e *env, res response) {
				e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", body: `{"name":"Still mine"}`}, 200)
			}},
		{name: "the team's last Product Owner or Scrum Master cannot give it up", method: "PUT", path: "/api/v1/teams/{teamA}/members/{poA}",
			actor: "poA", body: `{"accountabilities":["developer"]}`,
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "DELETE", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "smA"}, 204)
			},
			wantStatus: 409, wantContains: []string{"nobody to run it"}},
		{name: "rename a team as an outsider", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "devB", body: `{"name":"Mine"}`, wantStatus: 404},
		{name: "rename a team as team B's owner", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poB", body: `{"name":"Mine"}`, wantStatus: 404},
		{name: "rename a team to nothing", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", body: `{"name":" "}`,
			wantStatus: 422, wantFields: []string{"name"}},
		{name: "rename a team with a bad If-Match", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA",
			headers: H{"If-Match": "banana"}, body: `{"name":"X"}`, wantStatus: 422, wantFields: []string{"If-Match"}},
		{name: "rename a team with If-Match and version disagreeing", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA",
			headers: H{"If-Match": `"v1"`}, body: `{"name":"X","version":2}`, wantStatus: 422, wantFields: []string{"version"}},
		{name: "rename a team with malformed JSON", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", body: `name=x`, wantStatus: 400},
		{name: "rename a team form-encoded", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", body: "name=x",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "rename a team with a 2 MiB body", method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "rename a team signed out", method: "PATCH", path: "/api/v1/teams/{teamA}", body: `{"name":"x"}`, wantStatus: 401},
	}
}

func inviteScenarios() []scenario {
	return []scenario{
		// POST /teams/{team}/invites
		{name: "invite developers and stakeholders", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "smA",
			body: `{"accountabilities":["stakeholder","developer"]}`, wantStatus: 201,
			wantContains: []string{`"code":"tdi_`, `"url":"http://tandem.test/join/tdi_`, `"accountabilities":["developer","stakeholder"]`, `"max_uses":1`},
			check: all(wantAudit("invite.created"), func(t *testing.T, e *env, res response) {
				var in struct{ Code string }
				res.json(t, &in)
				p := e.mustDo(t, request{method: "GET", path: "/api/v1/invites/" + in.Code}, 200)
				if !strings.Contains(string(p.body), `"team_name":"Orion `+canaryA+`"`) {
					t.Errorf("got preview %s, want team A's name", p.body)
				}
			})},
		{name: "invite with several uses", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":["scrum_master"],"max_uses":5}`, wantStatus: 201, wantContains: []string{`"max_uses":5`}},
		{name: "invite as a developer", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "dev1A",
			body: `{"accountabilities":["developer"]}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "invite as a stakeholder", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "stkA",
			body: `{"accountabilities":["developer"]}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "invite as an outsider", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poB",
			body: `{"accountabilities":["developer"]}`, wantStatus: 404},
		{name: "invite a second product owner", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "smA",
			body: `{"accountabilities":["product_owner"]}`, wantStatus: 409, wantContains: []string{priya}},
		{name: "invite with no accountability", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":[]}`, wantStatus: 422, wantFields: []string{"accountabilities"}},
		{name: "invite with an unknown accountability", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":["boss"]}`, wantStatus: 422, wantFields: []string{"accountabilities"}},
		{name: "invite with a string for accountabilities", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":"developer"}`, wantStatus: 422, wantFields: []string{"accountabilities"}},
		{name: "invite with 51 uses", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":["developer"],"max_uses":51}`, wantStatus: 422, wantFields: []string{"max_uses"}},
		{name: "invite with every field wrong", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":[],"max_uses":-3}`, wantStatus: 422, wantFields: []string{"accountabilities", "max_uses"}},
		{name: "invite with an unknown field", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA",
			body: `{"accountabilities":["developer"],"expires_at":"2099-01-01T00:00:00Z"}`, wantStatus: 422, wantFields: []string{"expires_at"}},
		{name: "invite with malformed JSON", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA", body: `{"accountabilities":[}`, wantStatus: 400},
		{name: "invite with a 2 MiB body", method: "POST", path: "/api/v1/teams/{teamA}/invites", actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "invite signed out", method: "POST", path: "/api/v1/teams/{teamA}/invites", body: `{"accountabilities":["developer"]}`, wantStatus: 401},

		// GET /invites/{code}
		{name: "preview an invite without signing in", method: "GET", path: "/api/v1/invites/{inviteA}", wantStatus: 200,
			wantContains:    []string{`"team_name":"Orion ` + canaryA + `"`, `"invited_by":"` + priya + `"`, `"accountabilities":["developer"]`, `"max_uses":2`, `"uses":0`},
			wantNotContains: []string{`"code"`, "{inviteA}"}},
		{name: "preview a used invite", method: "GET", path: "/api/v1/invites/{usedInvite}", wantStatus: 404, wantNotContains: []string{canaryA}},
		{name: "preview an unknown invite", method: "GET", path: "/api/v1/invites/tdi_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", wantStatus: 404},
		{name: "preview a code without the prefix", method: "GET", path: "/api/v1/invites/nope", wantStatus: 404},

		// POST /invites/{code}/accept
		{name: "accept an invite", method: "POST", path: "/api/v1/invites/{inviteA}/accept", actor: "loner", wantStatus: 200,
			wantContains: []string{`"id":"{teamA}"`, `"my_accountabilities":["developer"]`, `"member_count":6`},
			check: all(wantEvent("member.joined"), wantAudit("invite.accepted"), func(t *testing.T, e *env, res response) {
				e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}/members", actor: "loner"}, 200)
			})},
		{name: "accept an invite as a member of another team", method: "POST", path: "/api/v1/invites/{inviteA}/accept", actor: "devB", wantStatus: 200},
		{name: "accept an invite to a team I am on", method: "POST", path: "/api/v1/invites/{inviteA}/accept", actor: "dev1A", wantStatus: 409},
		{name: "accept an invite twice", method: "POST", path: "/api/v1/invites/{inviteA}/accept", actor: "loner",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "POST", path: "/api/v1/invites/{inviteA}/accept", actor: "loner"}, 200)
			}, wantStatus: 409},
		{name: "accept a single-use invite I already used", method: "POST", path: "/api/v1/invites/{usedInvite}/accept", actor: "dev2A",
			wantStatus: 409, wantContains: []string{"already on"}},
		{name: "accept a used invite", method: "POST", path: "/api/v1/invites/{usedInvite}/accept", actor: "loner", wantStatus: 404},
		{name: "accept an unknown invite", method: "POST", path: "/api/v1/invites/tdi_zz/accept", actor: "loner", wantStatus: 404},
		{name: "accept an invite signed out", method: "POST", path: "/api/v1/invites/{inviteA}/accept", wantStatus: 401},
	}
}

func memberScenarios() []scenario {
	return []scenario{
		// GET /teams/{team}/members
		{name: "list members", method: "GET", path: "/api/v1/teams/{teamA}/members", actor: "stkA", wantStatus: 200,
			wantContains: []string{priya, marco, "{dev1A.name}", "{dev2A.name}", "{stkA.name}", "{dev1A.email}",
				`"accountabilities":["scrum_master"]`, `"next_cursor":null`}},
		{name: "list members as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/members", actor: "devB", wantStatus: 404},
		{name: "list members of an unknown team", method: "GET", path: "/api/v1/teams/{unknownTeam}/members", actor: "poA", wantStatus: 404},
		{name: "list members signed out", method: "GET", path: "/api/v1/teams/{teamA}/members", wantStatus: 401},

		// PUT /teams/{team}/members/{user}
		{name: "change a member's accountabilities", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "smA",
			headers: H{"If-Match": `"v1"`}, body: `{"accountabilities":["developer","scrum_master"]}`, wantStatus: 200,
			wantContains: []string{`"accountabilities":["scrum_master","developer"]`, `"version":2`},
			check:        all(wantEvent("member.updated"), wantAudit("member.accountabilities"))},
		{name: "change someone else's accountabilities names them in the history", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}",
			actor: "smA", body: `{"accountabilities":["developer","stakeholder"]}`, wantStatus: 200,
			check: wantAuditDetail("changed " + sam + "’s accountabilities: Developer → Developer, Stakeholder")},
		{name: "change your own accountabilities", method: "PUT", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "smA",
			body: `{"accountabilities":["scrum_master","developer"]}`, wantStatus: 200,
			wantContains: []string{`"accountabilities":["scrum_master","developer"]`},
			check:        wantAuditDetail("changed their own accountabilities: Scrum Master → Scrum Master, Developer")},
		{name: "change accountabilities with duplicates", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			body: `{"accountabilities":["stakeholder","developer","stakeholder"]}`, wantStatus: 200,
			wantContains: []string{`"accountabilities":["developer","stakeholder"]`}},
		{name: "change accountabilities with a stale If-Match", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "smA", body: `{"accountabilities":["stakeholder"]}`}, 200)
			},
			headers: H{"If-Match": `"v1"`}, body: `{"accountabilities":["scrum_master"]}`, wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "make a second product owner", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "smA",
			body: `{"accountabilities":["product_owner","developer"]}`, wantStatus: 409, wantContains: []string{priya}},
		{name: "change accountabilities as a developer", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "dev1A",
			body: `{"accountabilities":["stakeholder"]}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "a developer makes themselves scrum master", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev1A}", actor: "dev1A",
			body: `{"accountabilities":["scrum_master"]}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "change accountabilities as an outsider", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poB",
			body: `{"accountabilities":["stakeholder"]}`, wantStatus: 404},
		{name: "change accountabilities of a non-member", method: "PUT", path: "/api/v1/teams/{teamA}/members/{loner}", actor: "poA",
			body: `{"accountabilities":["developer"]}`, wantStatus: 404},
		{name: "change accountabilities to an unknown one", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			body: `{"accountabilities":["boss"]}`, wantStatus: 422, wantFields: []string{"accountabilities"}},
		{name: "change accountabilities to none", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			body: `{}`, wantStatus: 422, wantFields: []string{"accountabilities"}},
		{name: "change accountabilities with malformed JSON", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			body: `{"accountabilities":["developer"]]`, wantStatus: 400},
		{name: "change accountabilities signed out", method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}",
			body: `{"accountabilities":["developer"]}`, wantStatus: 401},

		// DELETE /teams/{team}/members/{user}
		{name: "remove a member", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA", wantStatus: 204,
			check: all(wantEvent("member.removed"), wantAudit("member.removed"), func(t *testing.T, e *env, res response) {
				m := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}/members", actor: "poA"}, 200)
				if strings.Contains(string(m.body), expand("{dev2A}")) {
					t.Errorf("got members %s, want Sam gone", m.body)
				}
				e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}", actor: "dev2A"}, 404)
			})},
		{name: "leave a team", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev1A}", actor: "dev1A", wantStatus: 204,
			check: func(t *testing.T, e *env, res response) {
				// Lena held the retrospective by name: now nobody does.
				h := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}/health", actor: "poA"}, 200)
				if !strings.Contains(string(h.body), `"subject":"facilitation.retrospective"`) || !strings.Contains(string(h.body), "no longer on the team") {
					t.Errorf("got health %s, want facilitation.retrospective unowned because Lena left", h.body)
				}
			}},
		{name: "remove a member with the current If-Match", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			headers: H{"If-Match": `"v1"`}, wantStatus: 204},
		{name: "remove a member with a stale If-Match", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "smA", body: `{"accountabilities":["scrum_master"]}`}, 200)
			},
			headers: H{"If-Match": `"v1"`}, wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "remove a member as a developer", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "dev1A",
			wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "remove a member as an outsider", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "devB", wantStatus: 404},
		{name: "remove a non-member", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{loner}", actor: "poA", wantStatus: 404},
		{name: "remove a member signed out", method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", wantStatus: 401},

		// PUT /teams/{team}/product-owner
		{name: "hand over the product owner", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			body: `{"user_id":"{smA}"}`, wantStatus: 200, wantContains: []string{`"accountabilities":["product_owner","scrum_master"]`},
			check: all(wantAudit("product_owner.transferred"), func(t *testing.T, e *env, res response) {
				m := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}", actor: "poA"}, 200)
				if !strings.Contains(string(m.body), `"my_accountabilities":["stakeholder"]`) {
					t.Errorf("got %s, want the former Product Owner left as a stakeholder", m.body)
				}
			})},
		{name: "hand over the product owner with the current If-Match", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			headers: H{"If-Match": `"v1"`}, body: `{"user_id":"{smA}"}`, wantStatus: 200, wantContains: []string{`"version":2`}},
		{name: "hand over the product owner with a stale If-Match", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "poA",
					body: `{"accountabilities":["scrum_master","developer"]}`}, 200)
			},
			headers: H{"If-Match": `"v1"`}, body: `{"user_id":"{smA}"}`, wantStatus: 409, wantContains: []string{`"current_version":2`},
			check: func(t *testing.T, e *env, res response) {
				m := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}", actor: "poA"}, 200)
				if !strings.Contains(string(m.body), `"my_accountabilities":["product_owner"]`) {
					t.Errorf("got %s, want Priya still the Product Owner after the refused hand-over", m.body)
				}
			}},
		{name: "hand over the product owner with a stale version field", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "poA",
					body: `{"accountabilities":["scrum_master","developer"]}`}, 200)
			},
			body: `{"user_id":"{smA}","version":1}`, wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "take over the product owner", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "smA",
			body: `{"user_id":"{smA}"}`, wantStatus: 200, check: wantAuditDetail("made themselves the Product Owner (was " + priya + ")")},
		{name: "hand over the product owner as a developer", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "dev1A",
			body: `{"user_id":"{dev1A}"}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "hand over the product owner as an outsider", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poB",
			body: `{"user_id":"{poB}"}`, wantStatus: 404},
		{name: "hand over the product owner to nobody", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			body: `{}`, wantStatus: 422, wantFields: []string{"user_id"}},
		{name: "hand over the product owner to a non-member", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			body: `{"user_id":"{loner}"}`, wantStatus: 422, wantFields: []string{"user_id"}},
		{name: "hand over the product owner with malformed JSON", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", actor: "poA",
			body: `{"user_id":}`, wantStatus: 400},
		{name: "hand over the product owner signed out", method: "PUT", path: "/api/v1/teams/{teamA}/product-owner", body: `{"user_id":"{smA}"}`, wantStatus: 401},
	}
}

func mapScenarios() []scenario {
	return []scenario{
		// GET /teams/{team}/responsibilities
		{name: "read the responsibility map", method: "GET", path: "/api/v1/teams/{teamA}/responsibilities", actor: "dev2A", wantStatus: 200,
			wantContains: []string{`"key":"facilitation.retrospective"`, `"user_id":"{dev1A}"`, `"name":"{dev1A.name}"`, `"key":"backlog.ordering"`},
			check: func(t *testing.T, e *env, res response) {
				var m []struct {
					Key   string `json:"key"`
					Owner struct {
						Accountability string `json:"accountability"`
						UserID         string `json:"user_id"`
					} `json:"owner"`
					Holders []struct {
						Name string `json:"name"`
					} `json:"holders"`
				}
				res.json(t, &m)
				if len(m) != 17 {
					t.Fatalf("got %d responsibilities, want 17", len(m))
				}
				for _, x := range m {
					if len(x.Holders) == 0 {
						t.Errorf("%s: no holders on a complete team", x.Key)
					}
					if x.Key == "backlog.ordering" && (x.Owner.Accountability != "product_owner" || x.Holders[0].Name != expand(priya)) {
						t.Errorf("backlog.ordering: got %+v, want the Product Owner Priya", x)
					}
				}
			}},
		{name: "read the map as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/responsibilities", actor: "devB", wantStatus: 404},
		{name: "read the map signed out", method: "GET", path: "/api/v1/teams/{teamA}/responsibilities", wantStatus: 401},

		// PUT /teams/{team}/responsibilities/{key}
		{name: "give flow to the developers", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "smA",
			body: `{"accountability":"developer"}`, wantStatus: 200,
			wantContains: []string{`"key":"flow"`, `"accountability":"developer"`, `"version":1`, "{dev1A.name}", "{dev2A.name}"},
			check: all(wantEvent("responsibility.changed"), func(t *testing.T, e *env, res response) {
				if a, d := e.lastAudit(t, fx.TeamA.ID); a != "responsibility.reassigned" || d != "reassigned flow: Scrum Master → Developer" {
					t.Errorf("got audit %q %q, want the reassignment described", a, d)
				}
			})},
		{name: "give the retrospective to a named member", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/facilitation.retrospective",
			actor: "poA", headers: H{"If-Match": `"v1"`}, body: `{"user_id":"{dev2A}"}`, wantStatus: 200,
			wantContains: []string{`"user_id":"{dev2A}"`, `"version":2`, `"holders":[{"user_id":"{dev2A}"`}},
		{name: "reassign with a stale If-Match", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/facilitation.retrospective",
			actor: "poA", setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/facilitation.retrospective", actor: "smA",
					body: `{"accountability":"scrum_master"}`}, 200)
			}, headers: H{"If-Match": `"v1"`}, body: `{"user_id":"{dev2A}"}`, wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "reassign with a stale body version", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/facilitation.retrospective",
			actor: "smA", body: `{"accountability":"developer","version":3}`, wantStatus: 409},
		{name: "reassign as a developer", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/backlog.ordering", actor: "dev1A",
			body: `{"accountability":"developer"}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins, check: wantDeniedAudit},
		{name: "reassign as the named retrospective owner", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/facilitation.retrospective",
			actor: "dev1A", body: `{"accountability":"developer"}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "reassign as a stakeholder", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "stkA",
			body: `{"accountability":"stakeholder"}`, wantStatus: 403, wantNeed: "team.administration", wantHolders: admins},
		{name: "reassign as an outsider", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "devB",
			body: `{"accountability":"developer"}`, wantStatus: 404},
		{name: "reassign an unknown responsibility", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/coffee", actor: "poA",
			body: `{"accountability":"developer"}`, wantStatus: 404},
		{name: "reassign to both an accountability and a person", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: `{"accountability":"developer","user_id":"{dev1A}"}`, wantStatus: 422, wantFields: []string{"accountability"}},
		{name: "reassign to nobody", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: `{}`, wantStatus: 422, wantFields: []string{"accountability"}},
		{name: "reassign to an unknown accountability", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: `{"accountability":"coach"}`, wantStatus: 422, wantFields: []string{"accountability"}},
		{name: "reassign to a non-member", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: `{"user_id":"{devB}"}`, wantStatus: 422, wantFields: []string{"user_id"}},
		{name: "reassign with malformed JSON", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: `{"accountability":"developer"`, wantStatus: 400},
		{name: "reassign form-encoded", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "poA",
			body: "accountability=developer", ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "reassign signed out", method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", body: `{"accountability":"developer"}`, wantStatus: 401},

		// GET /teams/{team}/health
		{name: "a healthy team", method: "GET", path: "/api/v1/teams/{teamA}/health", actor: "dev1A", wantStatus: 200,
			check: func(t *testing.T, e *env, res response) {
				if strings.TrimSpace(string(res.body)) != "[]" {
					t.Errorf("got %s, want no signals", res.body)
				}
			}},
		{name: "a team without its scrum master", method: "GET", path: "/api/v1/teams/{teamA}/health", actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "DELETE", path: "/api/v1/teams/{teamA}/members/{smA}", actor: "poA"}, 204)
			}, wantStatus: 200,
			wantContains: []string{`"key":"team.no_scrum_master"`, `"severity":"high"`, `"subject":"impediments"`, `"accountability":"product_owner"`}},
		{name: "a team whose product owner is also scrum master", method: "GET", path: "/api/v1/teams/{teamA}/health", actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/members/{poA}", actor: "poA",
					body: `{"accountabilities":["product_owner","scrum_master"]}`}, 200)
			}, wantStatus: 200,
			wantContains: []string{`"key":"roles.po_is_scrum_master"`, `"user_id":"{poA}"`, `"name":"` + priya + `"`}},
		{name: "health as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/health", actor: "loner", wantStatus: 404},
		{name: "health signed out", method: "GET", path: "/api/v1/teams/{teamA}/health", wantStatus: 401},

		// GET /teams/{team}/history
		{name: "history, newest first", method: "GET", path: "/api/v1/teams/{teamA}/history", actor: "stkA", wantStatus: 200,
			wantContains:    []string{`"action":"team.created"`, `"action":"responsibility.reassigned"`, `"actor":"` + marco + `"`},
			wantNotContains: []string{"192.0.2"},
			check: func(t *testing.T, e *env, res response) {
				var page struct {
					Items []struct {
						ID     int64  `json:"id"`
						Action string `json:"action"`
					} `json:"items"`
				}
				res.json(t, &page)
				if len(page.Items) < 2 || page.Items[0].ID < page.Items[1].ID || page.Items[len(page.Items)-1].Action != "team.created" {
					t.Errorf("got %+v, want newest first ending with team.created", page.Items)
				}
			}},
		{name: "history a page at a time", method: "GET", path: "/api/v1/teams/{teamA}/history?limit=2", actor: "poA", wantStatus: 200,
			check: func(t *testing.T, e *env, res response) {
				seen := map[int64]bool{}
				path := "/api/v1/teams/{teamA}/history?limit=2"
				for pages := 0; ; pages++ {
					var page struct {
						Items []struct {
							ID int64 `json:"id"`
						} `json:"items"`
						Next *string `json:"next_cursor"`
					}
					if err := json.Unmarshal(res.body, &page); err != nil {
						t.Fatal(err)
					}
					if len(page.Items) > 2 {
						t.Fatalf("got %d items, want at most 2", len(page.Items))
					}
					for _, it := range page.Items {
						if seen[it.ID] {
							t.Fatalf("entry %d on two pages", it.ID)
						}
						seen[it.ID] = true
					}
					if page.Next == nil {
						break
					}
					if pages > 50 {
						t.Fatal("no end to the pages")
					}
					res = e.mustDo(t, request{method: "GET", path: path + "&cursor=" + *page.Next, actor: "poA"}, 200)
				}
				if want := e.count(`SELECT count(*) FROM audit WHERE team_id = $1`, fx.TeamA.ID); len(seen) != want {
					t.Errorf("got %d entries over all pages, want %d", len(seen), want)
				}
			}},
		{name: "history with a garbage cursor", method: "GET", path: "/api/v1/teams/{teamA}/history?cursor=!!!", actor: "poA", wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "history with a non-numeric cursor", method: "GET", path: "/api/v1/teams/{teamA}/history?cursor=YWJj", actor: "poA", wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "history with a negative limit", method: "GET", path: "/api/v1/teams/{teamA}/history?limit=-1", actor: "poA", wantStatus: 422, wantFields: []string{"limit"}},
		{name: "history as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/history", actor: "poB", wantStatus: 404},
		{name: "history signed out", method: "GET", path: "/api/v1/teams/{teamA}/history", wantStatus: 401},
	}
}

func eventScenarios() []scenario {
	// stream is how long a streaming request stays open before the test
	// hangs up; refusals come back at once and need no time limit.
	const stream = time.Second
	// A refusal that streamed by mistake would hang without a limit.
	const refusal = 30 * time.Second
	return []scenario{
		{name: "subscribe to live events", method: "GET", path: "/api/v1/teams/{teamA}/events", actor: "dev1A", timeout: stream,
			wantStatus: 200, wantContains: []string{"retry: 2000\n\n", ": ping\n\n"}, wantNotContains: []string{"id: "},
			check: func(t *testing.T, e *env, res response) {
				if ct := res.header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
					t.Errorf("got Content-Type %q, want text/event-stream", ct)
				}
				if res.header.Get("X-Accel-Buffering") != "no" || res.header.Get("Cache-Control") != "no-store" {
					t.Errorf("got headers %v, want X-Accel-Buffering: no and Cache-Control: no-store", res.header)
				}
			}},
		{name: "replay every event", method: "GET", path: "/api/v1/teams/{teamA}/events", actor: "dev1A", timeout: stream,
			headers: H{"Last-Event-ID": "0"}, wantStatus: 200,
			wantContains: []string{"id: 1\nevent: member.joined\n", "id: 6\nevent: responsibility.changed\n",
				"id: {lastEventA}\nevent: product_goal.updated\n"}, wantNotContains: []string{"id: {nextEventA}\n", canaryB}},
		{name: "replay after an id", method: "GET", path: "/api/v1/teams/{teamA}/events?after=4", actor: "dev1A", timeout: stream,
			wantStatus: 200, wantContains: []string{"id: 5\n", "id: 6\n"}, wantNotContains: []string{"id: 4\n", "id: 3\n"}},
		{name: "subscribe as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/events", actor: "devB", timeout: refusal, wantStatus: 404},
		{name: "subscribe with a bad Last-Event-ID", method: "GET", path: "/api/v1/teams/{teamA}/events", actor: "dev1A",
			headers: H{"Last-Event-ID": "seven"}, timeout: refusal, wantStatus: 422, wantFields: []string{"Last-Event-ID"}},
		{name: "subscribe after a negative id", method: "GET", path: "/api/v1/teams/{teamA}/events?after=-1", actor: "dev1A",
			timeout: refusal, wantStatus: 422, wantFields: []string{"after"}},
		{name: "subscribe signed out", method: "GET", path: "/api/v1/teams/{teamA}/events", timeout: refusal, wantStatus: 401},
	}
}
