package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"strings"
)

// schema is one JSON Schema (2020-12, as OpenAPI 3.1 uses) object.
type schema = map[string]any

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }
func str() schema            { return schema{"type": "string"} }
func strMax(n int) schema    { return schema{"type": "string", "maxLength": n} }
func dateTime() schema       { return schema{"type": "string", "format": "date-time"} }
func integer() schema        { return schema{"type": "integer"} }
func number() schema         { return schema{"type": "number"} }
func boolean() schema        { return schema{"type": "boolean"} }
func arr(items schema) schema {
	return schema{"type": "array", "items": items}
}
func enum(vals ...string) schema { return schema{"type": "string", "enum": vals} }

// nullable allows null besides s. An enum must list null too: JSON
// Schema checks "enum" on its own, whatever "type" allows.
func nullable(s schema) schema {
	if t, ok := s["type"].(string); ok && len(s) <= 3 {
		c := maps.Clone(s)
		c["type"] = []string{t, "null"}
		if vals, ok := s["enum"].([]string); ok {
			e := make([]any, 0, len(vals)+1)
			for _, v := range vals {
				e = append(e, v)
			}
			c["enum"] = append(e, nil)
		}
		return c
	}
	return schema{"anyOf": []schema{s, {"type": "null"}}}
}

// obj builds an object schema from name/schema pairs; required names the
// members that are always present.
func obj(required []string, props ...any) schema {
	p := schema{}
	for i := 0; i+1 < len(props); i += 2 {
		p[props[i].(string)] = props[i+1]
	}
	s := schema{"type": "object", "properties": p}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func listOf(item string) schema {
	return obj([]string{"items", "next_cursor"}, "items", arr(ref(item)), "next_cursor", nullable(str()))
}

func accountability() schema {
	return enum("product_owner", "scrum_master", "developer", "stakeholder")
}

func foundationSchemas() map[string]schema {
	owner := obj(nil, "accountability", accountability(), "user_id", str(), "name", str())
	person := obj([]string{"user_id", "name"}, "user_id", str(), "name", str())
	team := []any{"id", str(), "name", str(), "version", integer(), "created_at", dateTime()}
	return map[string]schema{
		"Problem": obj([]string{"type", "title", "status", "detail"},
			"type", str(), "title", str(), "status", integer(), "detail", str(), "instance", str(),
			"errors", arr(obj([]string{"field", "message"}, "field", str(), "message", str(), "row", integer())),
			"responsibility", str(), "owner", owner, "holders", arr(person),
			"current_version", integer(), "request_id", str()),
		"User": obj([]string{"id", "email", "name", "site_admin", "version", "created_at"},
			"id", str(), "email", str(), "name", str(), "site_admin", boolean(), "version", integer(), "created_at", dateTime()),
		"SignupRequest": obj([]string{"email", "name", "password"},
			"email", strMax(254), "name", strMax(80), "password", schema{"type": "string", "minLength": 10, "maxLength": 256}),
		"LoginRequest": obj([]string{"email", "password"}, "email", str(), "password", str()),
		"Session":      obj([]string{"user", "token"}, "user", ref("User"), "token", str()),
		"TokenRequest": obj([]string{"name"}, "name", strMax(80)),
		"Token": obj([]string{"id", "name", "created_at", "last_used_at"},
			"id", str(), "name", str(), "created_at", dateTime(), "last_used_at", nullable(dateTime())),
		"NewToken": obj([]string{"id", "name", "created_at", "token"},
			"id", str(), "name", str(), "created_at", dateTime(), "last_used_at", nullable(dateTime()), "token", str()),
		"TokenList":   listOf("Token"),
		"TeamRequest": obj([]string{"name"}, "name", strMax(80), "version", integer()),
		"Team":        obj([]string{"id", "name", "version", "created_at"}, team...),
		"TeamDetail": obj([]string{"id", "name", "version", "created_at", "my_accountabilities", "member_count"},
			append(team, "my_accountabilities", arr(accountability()), "member_count", integer())...),
		"MyTeam": obj([]string{"id", "name", "version", "created_at", "my_accountabilities"},
			append(team, "my_accountabilities", arr(accountability()))...),
		"TeamList": listOf("MyTeam"),
		"InviteRequest": obj([]string{"accountabilities"}, "accountabilities", arr(accountability()),
			"max_uses", schema{"type": "integer", "minimum": 1, "maximum": 50}),
		"Invite": obj([]string{"id", "team_id", "accountabilities", "expires_at", "max_uses", "uses"},
			"id", str(), "code", str(), "url", str(), "team_id", str(), "team_name", str(), "invited_by", str(),
			"accountabilities", arr(accountability()), "expires_at", dateTime(), "max_uses", integer(), "uses", integer()),
		"Member": obj([]string{"user_id", "name", "email", "accountabilities", "version", "joined_at"},
			"user_id", str(), "name", str(), "email", str(), "accountabilities", arr(accountability()),
			"version", integer(), "joined_at", dateTime()),
		"MemberList":          listOf("Member"),
		"MemberRequest":       obj([]string{"accountabilities"}, "accountabilities", arr(accountability()), "version", integer()),
		"ProductOwnerRequest": obj([]string{"user_id"}, "user_id", str(), "version", integer()),
		"Owner":               owner,
		"Person":              person,
		"Responsibility": obj([]string{"key", "title", "description", "area", "owner", "default_owner", "holders", "version", "updated_at"},
			"key", str(), "title", str(), "description", str(), "area", enum("product", "process", "events", "agreements"),
			"owner", ref("Owner"), "default_owner", ref("Owner"), "holders", arr(ref("Person")),
			"version", integer(), "updated_at", nullable(dateTime()), "updated_by", str()),
		"ResponsibilityArray":   arr(ref("Responsibility")),
		"ResponsibilityRequest": obj(nil, "accountability", accountability(), "user_id", str(), "version", integer()),
		"Signal": obj([]string{"key", "severity", "summary", "evidence", "owner"},
			"key", str(), "severity", enum("high", "medium", "low"), "subject", str(), "summary", str(),
			"evidence", arr(str()), "owner", ref("Owner")),
		"SignalArray": arr(ref("Signal")),
		"AuditEntry": obj([]string{"id", "at", "actor_id", "actor", "action", "target", "detail"},
			"id", integer(), "at", dateTime(), "actor_id", str(), "actor", str(), "action", str(), "target", str(), "detail", str()),
		"AuditList": listOf("AuditEntry"),
	}
}

// schemas gathers every area's schemas.
func (a *API) schemas() map[string]schema {
	all := foundationSchemas()
	for _, more := range []map[string]schema{itemSchemas(), backlogSchemas(), estimationSchemas()} {
		maps.Copy(all, more)
	}
	return all
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI builds the OpenAPI 3.1 document from the route table.
func (a *API) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str()})
		}
		if rt.Paged {
			params = append(params,
				map[string]any{"name": "limit", "in": "query", "schema": schema{"type": "integer", "minimum": 1, "maximum": 1000}},
				map[string]any{"name": "cursor", "in": "query", "schema": str()})
		}
		if rt.Versioned {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "schema": str(),
				"description": `The version you read, as "v3"; a stale one gets 409.`})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "schema": q.Schema, "description": q.Description})
		}
		if rt.Stream {
			params = append(params,
				map[string]any{"name": "Last-Event-ID", "in": "header", "schema": str()},
				map[string]any{"name": "after", "in": "query", "schema": str()})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				bodyType(rt.Body): map[string]any{"schema": bodySchema(rt.Body)}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.Status)}
		switch {
		case rt.Stream:
			ok["content"] = map[string]any{"text/event-stream": map[string]any{"schema": str()}}
		case rt.Resp != "":
			ok["content"] = map[string]any{respType(rt.Resp): map[string]any{"schema": bodySchema(rt.Resp)}}
		}
		responses := map[string]any{itoa(rt.Status): ok,
			"default": map[string]any{"description": "A problem (RFC 9457)",
				"content": map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}}}}
		if rt.Also != 0 {
			also := maps.Clone(ok)
			also["description"] = http.StatusText(rt.Also)
			responses[itoa(rt.Also)] = also
		}
		op["responses"] = responses
		if rt.Public {
			op["security"] = []any{}
		}
		p := Prefix + rt.Path
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Tandem API", "version": "1.0.0",
			"description": "The JSON API of Tandem, a workspace for Scrum teams. Errors are RFC 9457 problems; " +
				"every mutable resource has a version; a stale write gets 409."},
		"paths": paths,
		"components": map[string]any{
			"schemas": a.schemas(),
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "tandem_session"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"cookie": []any{}}},
	}
}

// bodyType is the media type of a named body: CSV and SVG bodies are named
// with those suffixes.
func bodyType(name string) string {
	switch {
	case strings.HasSuffix(name, "CSV"):
		return "text/csv"
	}
	return "application/json"
}

func respType(name string) string {
	switch {
	case strings.HasSuffix(name, "CSV"):
		return "text/csv"
	case strings.HasSuffix(name, "SVG"):
		return "image/svg+xml"
	}
	return "application/json"
}

func bodySchema(name string) schema {
	if bodyType(name) != "application/json" || respType(name) != "application/json" {
		return str()
	}
	return ref(name)
}

func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(rt.Path, func(r rune) bool { return r == '/' || r == '-' || r == '.' }) {
		if strings.HasPrefix(part, "{") {
			part = "by_" + strings.Trim(part, "{}")
		}
		b.WriteString("_" + part)
	}
	return b.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func (a *API) openAPIHandler(w http.ResponseWriter, r *http.Request) {
	b, err := json.MarshalIndent(a.OpenAPI(), "", "  ")
	if err != nil {
		http.Error(w, "openapi: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
}
