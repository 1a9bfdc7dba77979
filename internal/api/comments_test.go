package api_test

import (
	"strings"
	"testing"
)

const comments = item1 + "/comments"

func commentScenarios() []scenario {
	return []scenario{
		// POST /teams/{team}/items/{item}/comments
		{name: "comment on an item", method: "POST", path: comments, actor: "stkA",
			body:       `{"body":"  Ask @lena and @nobody <script>alert(1)</script> [x](javascript:alert(1))  "}`,
			wantStatus: 201, wantContains: []string{`"item_id":"{item1}"`, `"author_id":"{stkA}"`, `"author_name":"{stkA.name}"`,
				`"mentions":["{dev1A}"]`, `"body":"Ask @lena`},
			check: all(wantEvent("comment.added"), func(t *testing.T, e *env, res response) {
				var c struct {
					HTML string `json:"html"`
				}
				res.json(t, &c)
				if strings.Contains(c.HTML, "<script") || strings.Contains(c.HTML, "javascript:") || !strings.Contains(c.HTML, `<span class="mention">@lena</span>`) {
					t.Errorf("got HTML %q, want it safe with Lena's mention marked", c.HTML)
				}
				h := e.mustDo(t, request{method: "GET", path: item1 + "/history", actor: "poA"}, 200)
				if strings.Count(string(h.body), `"type":"comment.added"`) != 2 {
					t.Errorf("got history %s, want both comments in it", truncate(string(h.body), 600))
				}
			})},
		{name: "an empty comment", method: "POST", path: comments, actor: "dev1A", body: `{"body":"   "}`, wantStatus: 422, wantFields: []string{"body"}},
		{name: "a comment over 10 KB", method: "POST", path: comments, actor: "dev1A", body: `{"body":"` + strings.Repeat("b", 10241) + `"}`,
			wantStatus: 422, wantFields: []string{"body"}},
		{name: "a comment with an author", method: "POST", path: comments, actor: "dev1A", body: `{"body":"hi","author_id":"{poA}"}`,
			wantStatus: 422, wantFields: []string{"author_id"}},
		{name: "a comment with malformed JSON", method: "POST", path: comments, actor: "dev1A", body: `{"body":"hi"`, wantStatus: 400},
		{name: "a comment as text/plain", method: "POST", path: comments, actor: "dev1A", body: `{"body":"hi"}`, ct: "text/plain", wantStatus: 415},
		{name: "a comment with a 2 MiB body", method: "POST", path: comments, actor: "dev1A", body: bigBody(2 << 20), wantStatus: 413},
		{name: "a comment on an unknown item", method: "POST", path: items + "/aaaaaaaaaaaaaaaa/comments", actor: "dev1A", body: `{"body":"hi"}`,
			wantStatus: 404},
		{name: "a comment on team B's item through team A", method: "POST", path: items + "/{itemB}/comments", actor: "poA", body: `{"body":"hi"}`,
			wantStatus: 404, wantNotContains: []string{canaryB}},
		{name: "a comment as an outsider", method: "POST", path: comments, actor: "devB", body: `{"body":"hi"}`, wantStatus: 404},
		{name: "a comment signed out", method: "POST", path: comments, body: `{"body":"hi"}`, wantStatus: 401},

		// GET /teams/{team}/items/{item}/comments
		{name: "an item's comments", method: "GET", path: comments, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"id":"{comment}"`, `"body":"Ask @priya about ` + canaryA + `"`, `"mentions":["{poA}"]`,
				`class=\"mention\"`, `"author_name":"` + lena + `"`, `"next_cursor":null`}},
		{name: "an item's comments a page at a time", method: "GET", path: comments + "?limit=1", actor: "dev2A", wantStatus: 200,
			setup: func(t *testing.T, e *env) {
				for _, b := range []string{"two", "three"} {
					e.mustDo(t, request{method: "POST", path: comments, actor: "dev2A", body: `{"body":"` + b + `"}`}, 201)
				}
			},
			check: func(t *testing.T, e *env, res response) {
				if ids := pages(t, e, res, comments+"?limit=1", "dev2A", 1); len(ids) != 3 {
					t.Errorf("got %d comments over all pages, want 3", len(ids))
				}
			}},
		{name: "an item's comments with a garbage cursor", method: "GET", path: comments + "?cursor=%21", actor: "poA",
			wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "an item's comments with limit 0", method: "GET", path: comments + "?limit=0", actor: "poA",
			wantStatus: 422, wantFields: []string{"limit"}},
		{name: "the comments of team B's item through team A", method: "GET", path: items + "/{itemB}/comments", actor: "poA",
			wantStatus: 404, wantNotContains: []string{canaryB}},
		{name: "an item's comments as an outsider", method: "GET", path: comments, actor: "poB", wantStatus: 404},
		{name: "an item's comments signed out", method: "GET", path: comments, wantStatus: 401},
	}
}
