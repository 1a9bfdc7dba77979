package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/server"
)

// benv is a real Tandem (router, service, SQLite store) behind httptest,
// with a team whose Product Owner, Developer and Stakeholder are signed in,
// and an outsider on another team.
type benv struct {
	t      testing.TB
	app    *server.App
	srv    *httptest.Server
	team   string
	po     buser
	dev    buser
	holder buser // a stakeholder
	out    buser // member of another team only
}

type buser struct {
	ID, Name, Token string
}

func newBEnv(t testing.TB) *benv {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{
		Database: filepath.Join(t.TempDir(), "tandem.db"), Password: password.Fast,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Addr: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &benv{t: t, app: app, srv: httptest.NewServer(app.Handler)}
	t.Cleanup(func() {
		e.srv.Close()
		app.Service.Wait()
		app.Close()
	})
	e.po = e.signup("Priya Shah", "priya@example.com")
	e.dev = e.signup("Lena Vogel", "lena@example.com")
	e.holder = e.signup("Sam Okafor", "sam@example.com")
	e.out = e.signup("Olga Outsider", "olga@example.com")
	var team struct{ ID string }
	e.ok(e.po, "POST", "/teams", `{"name":"Orion"}`, 201, &team)
	e.team = team.ID
	e.join(e.dev, "developer")
	e.join(e.holder, "stakeholder")
	e.ok(e.out, "POST", "/teams", `{"name":"Other"}`, 201, nil)
	return e
}

func (e *benv) signup(name, email string) buser {
	e.t.Helper()
	var s struct {
		User  struct{ ID string }
		Token string
	}
	e.ok(buser{}, "POST", "/signup", `{"name":"`+name+`","email":"`+email+`","password":"correct horse battery"}`, 201, &s)
	return buser{ID: s.User.ID, Name: name, Token: s.Token}
}

func (e *benv) join(u buser, acc string) {
	e.t.Helper()
	var inv struct{ Code string }
	e.ok(e.po, "POST", "/teams/"+e.team+"/invites", `{"accountabilities":["`+acc+`"]}`, 201, &inv)
	e.ok(u, "POST", "/invites/"+inv.Code+"/accept", "", 200, nil)
}

// bresponse is a decoded reply.
type bresponse struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r bresponse) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// bproblem is the RFC 9457 body.
type bproblem struct {
	Status         int
	Detail         string
	Errors         []struct{ Field, Message string }
	Responsibility string
	Holders        []struct {
		UserID string `json:"user_id"`
		Name   string
	}
	CurrentVersion int `json:"current_version"`
}

func (e *benv) do(u buser, method, path, body string, hdr ...string) bresponse {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+"/api/v1"+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.Token != "" {
		req.Header.Set("Authorization", "Bearer "+u.Token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return e.send(req)
}

// send makes the call and, like the scenario harness, validates the
// response against the OpenAPI document.
func (e *benv) send(req *http.Request) bresponse {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	checkOpenAPI(e.t, req, response{status: res.StatusCode, header: res.Header, body: b})
	return bresponse{Status: res.StatusCode, Header: res.Header, Body: b}
}

// ok sends a request, wants status and decodes the body into v (if not nil).
func (e *benv) ok(u buser, method, path, body string, status int, v any) bresponse {
	e.t.Helper()
	r := e.do(u, method, path, body)
	if r.Status != status {
		e.t.Fatalf("%s %s: got %d %s, want %d", method, path, r.Status, r.Body, status)
	}
	if v != nil {
		if err := r.JSON(v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r.Body, err)
		}
	}
	return r
}

// refused sends a request that must fail with status; it returns the bproblem.
func (e *benv) refused(u buser, method, path, body string, status int) bproblem {
	e.t.Helper()
	r := e.do(u, method, path, body)
	if r.Status != status {
		e.t.Fatalf("%s %s: got %d %s, want %d", method, path, r.Status, r.Body, status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		e.t.Errorf("%s %s: got Content-Type %q, want a problem", method, path, ct)
	}
	var p bproblem
	if err := r.JSON(&p); err != nil {
		e.t.Fatalf("decode bproblem %s: %v", r.Body, err)
	}
	return p
}

// wantField checks that a 422 names field.
func (e *benv) wantField(p bproblem, field string) {
	e.t.Helper()
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	e.t.Errorf("got bproblem %+v, want one naming the field %q", p, field)
}

// wantNeed checks that a 403 names the responsibility and its holder.
func (e *benv) wantNeed(p bproblem, resp string, holder buser) {
	e.t.Helper()
	if p.Responsibility != resp || len(p.Holders) == 0 || p.Holders[0].Name != holder.Name {
		e.t.Errorf("got refusal %+v, want it to name %s held by %s", p, resp, holder.Name)
	}
}

type bitem struct {
	ID         string
	Title      string
	Status     string
	Version    int
	Rank       string
	Labels     []string
	ParentID   *string `json:"parent_id"`
	GoalLinked bool    `json:"goal_linked"`
	Ready      bool
	Readiness  []struct {
		Criterion, ID, Kind string
		Met                 bool
	}
}

func (e *benv) item(u buser, body string) bitem {
	e.t.Helper()
	var it bitem
	e.ok(u, "POST", "/teams/"+e.team+"/items", body, 201, &it)
	return it
}

func bJSON(v any) string {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	return b.String()
}
