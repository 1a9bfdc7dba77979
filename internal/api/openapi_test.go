package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tandemhq/tandem/internal/api"
)

var (
	specOnce   sync.Once
	specRaw    []byte
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// spec serves GET /api/openapi.json from a fresh server, loads it with
// kin-openapi and builds a router over it.
func spec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		app := newEmptyEnv(t, nil).app
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
		if rec.Code != 200 {
			specErr = fmt.Errorf("GET /api/openapi.json: got %d, want 200", rec.Code)
			return
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			specErr = fmt.Errorf("GET /api/openapi.json: got Content-Type %q, want application/json; charset=utf-8", ct)
			return
		}
		specRaw = rec.Body.Bytes()
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(specRaw)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		specRouter, specErr = gorillamux.NewRouter(specDoc)
	})
	if specErr != nil {
		t.Fatalf("OpenAPI document: %v", specErr)
	}
	return specDoc, specRouter
}

// checkOpenAPI validates an /api/v1 response (2xx bodies and problem
// bodies alike) against the document, so the document cannot drift from
// what the server really sends.
func checkOpenAPI(t testing.TB, req *http.Request, res response) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, api.Prefix+"/") || strings.HasPrefix(res.header.Get("Content-Type"), "text/event-stream") {
		return
	}
	_, router := spec(t)
	route, params, err := router.FindRoute(req)
	if err != nil {
		return // not an endpoint of the document (the catch-all 404)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.status, Header: res.header,
		Body: io.NopCloser(bytes.NewReader(res.body)), Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, res.status, err, truncate(string(res.body), 400))
		return
	}
	validated.Add(1)
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, _ := spec(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("got openapi %q, want 3.1.0", doc.OpenAPI)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("kin-openapi does not read the document as 3.1")
	}
	// Every operation id is unique, every operation has a summary, and its
	// success status and a problem default.
	ids := map[string]string{}
	e := newEmptyEnv(t, nil)
	for _, rt := range e.app.API.Routes() {
		item := doc.Paths.Value(api.Prefix + rt.Path)
		if item == nil {
			t.Errorf("%s %s: missing from the document", rt.Method, rt.Path)
			continue
		}
		op := item.GetOperation(rt.Method)
		if op == nil {
			t.Errorf("%s %s: missing from the document", rt.Method, rt.Path)
			continue
		}
		if prev, dup := ids[op.OperationID]; dup {
			t.Errorf("operationId %q used by %s and %s %s", op.OperationID, prev, rt.Method, rt.Path)
		}
		ids[op.OperationID] = rt.Method + " " + rt.Path
		if op.Summary == "" {
			t.Errorf("%s %s: no summary", rt.Method, rt.Path)
		}
		if op.Responses.Status(rt.Status) == nil {
			t.Errorf("%s %s: got no %d response, want the route's success status", rt.Method, rt.Path, rt.Status)
		}
		def := op.Responses.Default()
		if def == nil || def.Value.Content.Get("application/problem+json") == nil {
			t.Errorf("%s %s: no problem default response", rt.Method, rt.Path)
		}
		if rt.Public != (op.Security != nil && len(*op.Security) == 0) {
			t.Errorf("%s %s: public=%v but security %v", rt.Method, rt.Path, rt.Public, op.Security)
		}
	}
}

// TestOpenAPIMatchesRoutes: the (method, path) pairs of the document are
// exactly the route table, and every route of the table is registered on
// the server's mux (the metrics name each request by its mux pattern).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := spec(t)
	e := newEnv(t)
	var inDoc, inTable []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc = append(inDoc, method+" "+path)
		}
	}
	for _, rt := range e.app.API.Routes() {
		inTable = append(inTable, rt.Method+" "+api.Prefix+rt.Path)
	}
	sort.Strings(inDoc)
	sort.Strings(inTable)
	if !slices.Equal(inDoc, inTable) {
		t.Fatalf("document and route table differ:\ndocument: %v\ntable:    %v", inDoc, inTable)
	}

	// Call each route once and read back the patterns the mux matched.
	for _, rt := range e.app.API.Routes() {
		path := strings.NewReplacer("{team}", "zzzzzzzzzzzzzzzz", "{user}", "yyyyyyyyyyyyyyyy", "{id}", "xxxxxxxxxxxxxxxx",
			"{code}", "tdi_nothing", "{key}", "flow").Replace(rt.Path)
		res := e.do(request{method: rt.Method, path: api.Prefix + path, timeout: 200 * time.Millisecond})
		if res.status == 404 && strings.Contains(string(res.body), "endpoint "+rt.Method) {
			t.Errorf("%s %s: answered by the catch-all, want the route's handler", rt.Method, rt.Path)
		}
	}
	res := e.do(request{method: "GET", path: "/metrics"})
	for _, pattern := range inTable {
		if !strings.Contains(string(res.body), `route="`+pattern+`"`) {
			t.Errorf("%s: not seen by the server's mux (no metrics for it)", pattern)
		}
	}
}

func TestOpenAPIServedWithHeaders(t *testing.T) {
	e := newEnv(t)
	res := e.do(request{method: "GET", path: "/api/openapi.json"})
	if res.status != 200 {
		t.Fatalf("got %d, want 200", res.status)
	}
	checkSecurityHeaders(t, res)
	if !bytes.Contains(res.body, []byte(`"openapi": "3.1.0"`)) {
		t.Errorf("got %s, want an OpenAPI 3.1 document", truncate(string(res.body), 100))
	}
}

// TestDocumentedParametersAreHonoured: where the document offers If-Match,
// a stale one gets 409; where it offers limit (and cursor), an out-of-range
// one gets 422. Routes that ignore them must not list them, and routes that
// honour them must.
func TestDocumentedParametersAreHonoured(t *testing.T) {
	doc, _ := spec(t)
	e := newEnv(t)
	bodies := map[string]string{
		"/teams/{team}":                                    `{"name":"Renamed"}`,
		"/teams/{team}/members/{user}":                     `{"accountabilities":["developer"]}`,
		"/teams/{team}/product-owner":                      `{"user_id":"{smA}"}`,
		"/teams/{team}/responsibilities/{key}":             `{"accountability":"developer"}`,
		"/teams/{team}/items/{item}":                       `{"title":"Renamed"}`,
		"/teams/{team}/items/{item}/move":                  `{"to":"bottom"}`,
		"/teams/{team}/items/{item}/readiness/{criterion}": `{"met":true}`,
		"/teams/{team}/definition-of-ready":                `{"criteria":[]}`,
		"/teams/{team}/product-goal":                       `{"text":"Renamed"}`,
		"/teams/{team}/estimation-settings":                `{}`,
		"/estimations/{id}/accept":                         `{"item_id":"{item2}","value":"5"}`,
		"/estimations/{id}/skip":                           `{"item_id":"{item3}"}`,
		"/estimations/{id}/queue":                          `{"item_ids":["{item2}","{item3}"]}`,
		"/estimations/{id}/timer":                          `{"seconds":60}`,
	}
	for _, rt := range e.app.API.Routes() {
		if rt.Stream || rt.Path == "/logout" {
			continue
		}
		op := doc.Paths.Value(api.Prefix + rt.Path).GetOperation(rt.Method)
		path := api.Prefix + samplePath(rt.Path)
		who := "poA"
		if strings.Contains(rt.Path, "estimation") {
			who = "smA" // the facilitator, who may change sessions and decks
		}
		res := e.do(request{method: rt.Method, path: path, actor: who, body: bodies[rt.Path], headers: H{"If-Match": `"v99"`}})
		stale := res.status == 409 && strings.Contains(string(res.body), "changed by someone else")
		switch documented := op.Parameters.GetByInAndName("header", "If-Match") != nil; {
		case documented && res.status != 409:
			t.Errorf("%s %s documents If-Match, but a stale one got %s, want 409", rt.Method, rt.Path, res)
		case !documented && stale:
			t.Errorf("%s %s honours If-Match (a stale one got %s) but does not document it", rt.Method, rt.Path, res)
		}
		limit := op.Parameters.GetByInAndName("query", "limit") != nil
		if res := e.do(request{method: rt.Method, path: path + "?limit=0", actor: "poA"}); limit != (res.status == 422) && rt.Method == "GET" {
			t.Errorf("%s %s: limit documented %v, but ?limit=0 got %s", rt.Method, rt.Path, limit, res)
		}
		if op.Parameters.GetByInAndName("query", "cursor") != nil {
			if res := e.do(request{method: rt.Method, path: path + "?cursor=%21", actor: "poA"}); res.status != 422 {
				t.Errorf("%s %s?cursor=%%21: documented, but got %s, want 422", rt.Method, rt.Path, res)
			}
		}
	}
}
