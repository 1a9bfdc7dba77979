// Package api serves the JSON API under /api/v1, its OpenAPI document and
// the live event stream. Handlers decode, call scrum.Service, and map the
// result; every rule lives in the service.
package api

import (
	"encoding/json"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandemhq/tandem/internal/auth"
	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/problem"
	"github.com/tandemhq/tandem/internal/scrum"
)

// Prefix is the base path of the API.
const Prefix = "/api/v1"

// Config holds the API's settings.
type Config struct {
	// BaseURL is the public address, used in invite links.
	BaseURL string
	// SecureCookies marks cookies Secure (the site is served over TLS).
	SecureCookies bool
	// MaxBody caps JSON request bodies (default 1 MiB).
	MaxBody int64
	// Heartbeat is the interval of SSE keep-alive comments (default 15 s).
	Heartbeat time.Duration
	// HangupProbe is how often a live stream checks whether its client
	// has gone, so presence can say it left (default 1 s).
	HangupProbe time.Duration
}

// API is the JSON API.
type API struct {
	svc    *scrum.Service
	hub    *live.Hub
	log    *slog.Logger
	cfg    Config
	routes []Route

	itemJSON *itemJSONCache
}

// New returns the API with its route table built.
func New(svc *scrum.Service, hub *live.Hub, log *slog.Logger, cfg Config) *API {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.HangupProbe == 0 {
		cfg.HangupProbe = time.Second
	}
	a := &API{svc: svc, hub: hub, log: log, cfg: cfg, itemJSON: newItemJSONCache()}
	a.routes = a.routeTable()
	return a
}

// Route is one endpoint: how it is served and how the OpenAPI document
// describes it. The document is generated from this table, so the two
// cannot drift.
type Route struct {
	Method  string
	Path    string // below Prefix, with {name} parameters
	Public  bool   // served without an actor
	Summary string
	Tag     string
	Body    string // request schema name, "" for none
	Status  int    // success status
	// Also is another success status answered with the same body (an
	// import preview is a 200 where the import is a 201); 0 for none.
	Also   int
	Resp   string // response schema name, "" for none
	Stream bool   // text/event-stream
	// Paged lists take ?limit= and ?cursor=; Versioned writes take
	// If-Match (or a version field) and answer 409 when it is stale. Both
	// are documented only where the handler honours them.
	Paged     bool
	Versioned bool
	Query     []Param
	Handle    func(w http.ResponseWriter, r *http.Request) error
}

// Param documents a query parameter.
type Param struct {
	Name        string
	Schema      map[string]any
	Description string
}

// Routes returns the route table.
func (a *API) Routes() []Route { return a.routes }

// Mux is where routes are registered (*http.ServeMux or server.Mux).
type Mux interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request))
}

// Register adds every route to mux.
func (a *API) Register(mux Mux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Method+" "+Prefix+rt.Path, a.wrap(rt))
	}
	mux.HandleFunc("GET /api/openapi.json", a.openAPIHandler)
	mux.Handle(Prefix+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, a.log, scrum.NotFound("endpoint "+r.Method+" "+r.URL.Path))
	}))
}

// wrap turns a route into an http.Handler: it enforces authentication and
// writes returned errors as problems.
func (a *API) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := auth.From(r.Context())
		if !rt.Public && info.Actor.User.ID == "" {
			err := info.Err
			if err == nil {
				err = scrum.Errorf(scrum.CodeUnauthenticated, "sign in first: send Authorization: Bearer <token>")
			}
			problem.Write(w, r, a.log, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if err := rt.Handle(w, r); err != nil {
			problem.Write(w, r, a.log, err)
		}
	})
}

// decode reads a JSON body into dst: a JSON media type, at most MaxBody
// bytes, no unknown fields, nothing after the value. Malformed JSON is a
// 400; a wrong type or an unknown field is a 422 naming the field.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &problem.HTTPError{Status: http.StatusUnsupportedMediaType, Detail: "send the body as application/json"}
		}
	} else if r.ContentLength != 0 {
		return &problem.HTTPError{Status: http.StatusUnsupportedMediaType, Detail: "send the body as application/json"}
	}
	body := http.MaxBytesReader(w, r.Body, a.cfg.MaxBody)
	return DecodeJSON(body, dst)
}

// DecodeJSON decodes one JSON value from body into dst with the API's
// strictness: member names match exactly (as documented, in snake_case),
// unknown or repeated members, invalid UTF-8 and anything after the value
// are refused. It is exported for the fuzz tests and other packages.
func DecodeJSON(body io.Reader, dst any) error {
	cr := &countingReader{r: body}
	dec := decoders.Get().(*jsontext.Decoder)
	dec.Reset(cr)
	defer func() {
		// Drop the body; keep the decoder (its buffer and string cache)
		// unless a large body grew its buffer.
		dec.Reset(eofReader{})
		if cr.n <= 64<<10 {
			decoders.Put(dec)
		}
	}()
	if err := jsonv2.UnmarshalDecode(dec, dst, jsonv2.RejectUnknownMembers(true)); err != nil {
		// A body over the limit is refused as that (413) whatever else is
		// wrong with it; the reader stops at the limit, so this is bounded.
		var mbe *http.MaxBytesError
		if _, derr := io.Copy(io.Discard, body); errors.As(derr, &mbe) {
			return mbe
		}
		return jsonError(err)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return scrum.Errorf(scrum.CodeMalformed, "the body has data after the JSON value")
	}
	return nil
}

// decoders holds JSON decoders for reuse. A fresh decoder allocates a
// 4 KiB string cache on its first string, which was a sixth of the memory
// an item create allocated.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(eofReader{}) }}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func jsonError(err error) error {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return scrum.Errorf(scrum.CodeMalformed, "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return scrum.Errorf(scrum.CodeMalformed, "the JSON body ends too early")
	case errors.As(err, &syn):
		if errors.Is(syn.Err, jsontext.ErrDuplicateName) {
			name := memberPath(syn.JSONPointer)
			return scrum.Invalid(name, "%s appears twice", name)
		}
		return scrum.Errorf(scrum.CodeMalformed, "the body is not valid JSON (at byte %d)", syn.ByteOffset)
	case errors.As(err, &sem):
		field := memberPath(sem.JSONPointer)
		switch {
		case errors.Is(sem.Err, jsonv2.ErrUnknownName):
			name := sem.JSONPointer.LastToken() // as sent, even "0"
			return scrum.Invalid(name, "unknown field %q", name)
		case field == "":
			return scrum.Errorf(scrum.CodeMalformed, "the body must be a JSON object")
		case sem.GoType != nil:
			return scrum.Invalid(field, "%s must be %s", field, jsonKind(goKind(sem.GoType)))
		}
		return scrum.Invalid(field, "%s is not valid: %v", field, sem.Err)
	}
	return scrum.Errorf(scrum.CodeMalformed, "the body is not valid JSON: %v", err)
}

// memberPath names the member a JSON Pointer leads to as the API's field
// names do: object members joined by dots, array indexes left out
// ("/criteria/0/text" is "criteria.text").
func memberPath(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			continue
		}
		parts = append(parts, tok)
	}
	return strings.Join(parts, ".")
}

// goKind is the kind of t, through pointers and slices to what a JSON
// value must be.
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind().String()
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// writeVersioned sends v with an ETag of its version.
func writeVersioned(w http.ResponseWriter, status, version int, v any) error {
	w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, version))
	return writeJSON(w, status, v)
}

// list is the shape of every paginated list.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}

// page reads ?limit= and ?cursor=.
func page(r *http.Request) (scrum.Page, error) {
	p := scrum.Page{Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return p, scrum.Invalid("limit", "limit must be a whole number from 1 to 1000")
		}
		p.Limit = n
	}
	return p, nil
}

// expectedVersion reads If-Match ("v3", "3" or W/"v3") or, failing that,
// the body's version field; 0 means the client sent none. If-Match "v0",
// the ETag of something never saved, expects it still unsaved
// (scrum.Unsaved).
func expectedVersion(r *http.Request, body int) (int, error) {
	if body < 0 {
		return 0, scrum.Invalid("version", "version must be 1 or more")
	}
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return body, nil
	}
	h = strings.TrimPrefix(h, "W/")
	h = strings.Trim(h, `"`)
	h = strings.TrimPrefix(h, "v")
	n, err := strconv.Atoi(h)
	if err != nil || n < 0 {
		return 0, scrum.Invalid("If-Match", "If-Match must be a version such as \"v3\"")
	}
	if body != 0 && body != n {
		return 0, scrum.Invalid("version", "version %d disagrees with If-Match %d", body, n)
	}
	if n == 0 {
		return scrum.Unsaved, nil
	}
	return n, nil
}

func actor(r *http.Request) scrum.Actor {
	a, _ := auth.Actor(r.Context())
	return a
}
