package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The OpenAPI 3.1 document is built from the route table itself, so that
// the document cannot leave a route out or describe one that is not
// served. Schemas come from the Go types of the bodies by reflection.

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)(\.\.\.)?\}`)

// openAPIPath turns a mux pattern into an OpenAPI path.
func openAPIPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	return pathParam.ReplaceAllString(p, "{$1}")
}

type schemaSet struct {
	defs map[string]any
}

var timeType = reflect.TypeOf(time.Time{})
var rawType = reflect.TypeOf(json.RawMessage{})

// schema returns the JSON Schema of t, adding named structs to defs.
func (ss *schemaSet) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return ss.schema(t.Elem())
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": ss.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": ss.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := ss.defs[name]; !ok {
			ss.defs[name] = nil // break cycles
			ss.defs[name] = ss.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	if pkg := t.PkgPath(); pkg != "" && !strings.HasSuffix(pkg, "/web") {
		name = pkg[strings.LastIndex(pkg, "/")+1:] + "." + name
	}
	return strings.NewReplacer("soviet.", "", "store.", "").Replace(name)
}

// jsonField is a field of a JSON object as encoding/json sees a struct.
type jsonField struct {
	Name     string
	Type     reflect.Type
	Required bool // a body must hold it: no omitempty or omitzero, not a pointer
}

// jsonFields returns the JSON fields of a struct type from its json tags;
// embedded structs are flattened as encoding/json does. The OpenAPI
// schemas and decodeJSON both read the fields here, so that what the
// document calls required is what the API requires.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonFields(ft)...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{Name: name, Type: f.Type,
			Required: !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer})
	}
	return out
}

// object builds the schema of a struct from its JSON fields.
func (ss *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range jsonFields(t) {
		props[f.Name] = ss.schema(f.Type)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		o["required"] = required
	}
	return o
}

// openAPI builds the document from the route table.
func (s *Server) openAPI() map[string]any {
	ss := &schemaSet{defs: map[string]any{}}
	errRef := ss.schema(reflect.TypeOf(errorBody{}))
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		p := openAPIPath(rt.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.In != nil {
			ct := "application/json"
			if rt.Page {
				ct = "application/x-www-form-urlencoded"
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": ss.schema(reflect.TypeOf(rt.In))}}}
		}
		responses := map[string]any{}
		status := rt.success()
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.Stream:
			ok["content"] = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.Page && (rt.Method == "GET" || rt.Status != 0):
			// A form post with a status of its own answers with a page
			// (one that shows a new secret once) instead of redirecting.
			ok["content"] = map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.Page:
			ok = map[string]any{"description": "Done: redirects to the page that shows the result"}
		case rt.Out != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ss.schema(reflect.TypeOf(rt.Out))}}
		}
		responses[strconv.Itoa(status)] = ok
		if rt.Page {
			responses["default"] = map[string]any{"description": "An error page (text/html) with the status of the error"}
		} else {
			responses["default"] = map[string]any{"description": "An error", "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
		}
		op["responses"] = responses
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "soviet",
			"version":     s.version,
			"description": "Council democracy: federations of councils, members, motions and roll-call votes, over a verifiable event log. Authenticate with a session cookie (POST /api/v1/session) or a personal API token (Authorization: Bearer sv_…). Errors are {\"error\": {\"code\", \"message\"}}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": ss.defs,
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
		"security": []any{map[string]any{"token": []string{}}, map[string]any{"session": []string{}}},
	}
}

// success is the status a route answers with when it succeeds: its own,
// or 303 for a form post (it redirects), or 200.
func (rt route) success() int {
	switch {
	case rt.Status != 0:
		return rt.Status
	case rt.Page && rt.Method != http.MethodGet:
		return http.StatusSeeOther
	}
	return http.StatusOK
}

func operationID(rt route) string {
	p := pathParam.ReplaceAllString(openAPIPath(rt.Path), "by_$1")
	p = strings.Trim(strings.NewReplacer("/api/v1", "", "/", "_", "-", "_", ".", "_").Replace(p), "_")
	if p == "" {
		p = "home"
	}
	if rt.Page {
		p = "page_" + p
	}
	return strings.ToLower(rt.Method) + "_" + p
}

func (s *Server) openAPIHandler(w http.ResponseWriter, r *http.Request) error {
	b, err := json.MarshalIndent(s.openAPI(), "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
	return nil
}
