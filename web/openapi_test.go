package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"soviet/storetest"
)

// routeIndex maps "METHOD /pattern" to the server's routes.
func routeIndex(s *Server) map[string]route {
	m := map[string]route{}
	for _, rt := range s.routes {
		m[rt.Method+" "+rt.Path] = rt
	}
	return m
}

// routeMatches reports whether a request for method and target is routed
// to pattern by a mux holding only that pattern.
func routeMatches(pattern, method, target string) bool {
	mux := http.NewServeMux()
	mux.Handle(pattern, http.NotFoundHandler())
	_, got := mux.Handler(httptest.NewRequest(method, target, nil))
	return got == pattern
}

// openAPIDoc returns the server's OpenAPI document as generic JSON.
func openAPIDoc(t testing.TB, s *Server) map[string]any {
	t.Helper()
	b, err := json.Marshal(s.openAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// documentedStatus returns the success status the OpenAPI document gives
// for a route.
func documentedStatus(t testing.TB, s *Server, rt route) int {
	t.Helper()
	op := operation(t, openAPIDoc(t, s), openAPIPath(rt.Path), rt.Method)
	var statuses []int
	for k := range op["responses"].(map[string]any) {
		if n, err := strconv.Atoi(k); err == nil && n < 400 {
			statuses = append(statuses, n)
		}
	}
	if len(statuses) != 1 {
		t.Fatalf("%s %s: the document gives success statuses %v, want one", rt.Method, rt.Path, statuses)
	}
	return statuses[0]
}

// operation returns the document's operation for a path and method.
func operation(t testing.TB, doc map[string]any, path, method string) map[string]any {
	t.Helper()
	item, _ := doc["paths"].(map[string]any)[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	if op == nil {
		t.Fatalf("the OpenAPI document has no %s %s", method, path)
	}
	return op
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// TestOpenAPIMatchesRoutes checks the served document against the routes
// the mux really serves, in both directions.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	res := h.anonymous().api("GET", "/api/v1/openapi.json", nil).want(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == "" || info["version"] == nil {
		t.Errorf("info lacks a title or version: %v", info)
	}

	// A mux as the server builds it.
	cp := *h.srv
	cp.routes = nil
	mux := http.NewServeMux()
	cp.registerRoutes(mux)
	index := routeIndex(h.srv)

	// Every documented operation is routed to the route it describes,
	// not to a fallback.
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	documented := map[string]bool{}
	sample := regexp.MustCompile(`\{[a-z_]+\}`)
	for p, item := range paths {
		for method := range item.(map[string]any) {
			if !httpMethods[method] {
				continue
			}
			m := strings.ToUpper(method)
			target := strings.ReplaceAll(p, "{file}", "soviet.css")
			target = sample.ReplaceAllString(target, "1")
			_, pattern := mux.Handler(httptest.NewRequest(m, target, nil))
			rt, ok := index[pattern]
			switch {
			case !ok:
				t.Errorf("documented %s %s is not routed (%s goes to %q)", m, p, target, pattern)
			case rt.Method != m || openAPIPath(rt.Path) != p:
				t.Errorf("documented %s %s is routed to %s", m, p, pattern)
			}
			documented[m+" "+p] = true
		}
	}
	// Every route the server registered is documented.
	for _, rt := range h.srv.routes {
		if !documented[rt.Method+" "+openAPIPath(rt.Path)] {
			t.Errorf("route %s %s is not in the document", rt.Method, rt.Path)
		}
	}
	if len(documented) != len(h.srv.routes) {
		t.Errorf("%d documented operations for %d routes", len(documented), len(h.srv.routes))
	}
}

// TestRoutesRegisteredThroughTable checks the package's source: a handler
// registered on the mux other than through s.api and s.page would be
// served but missing from the document. Only the two fallbacks (JSON 404
// under /api/, the 404 page elsewhere) may be.
func TestRoutesRegisteredThroughTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fallbacks := map[string]bool{`"/api/"`: true, `"/"`: true}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
					return true
				}
				if _, local := sel.X.(*ast.Ident); !local {
					return true // a mux of some other use, held in a field
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				switch {
				case ok && fallbacks[lit.Value]:
				case fn.Name.Name == "api" || fn.Name.Name == "page":
				default:
					t.Errorf("%s: %s registers a handler outside s.api and s.page: it would not be in the OpenAPI document", fset.Position(call.Pos()), fn.Name.Name)
				}
				return true
			})
		}
	}
}

// TestOpenAPIDocumentIsComplete checks the document's own consistency:
// every operation has an id (unique), responses with one success status,
// its path parameters; every $ref resolves; no two Go types share a schema
// name (one would silently describe the other).
func TestOpenAPIDocumentIsComplete(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	doc := openAPIDoc(t, h.srv)
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	ids := map[string]string{}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	for p, item := range doc["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			op := v.(map[string]any)
			where := strings.ToUpper(method) + " " + p
			opID, _ := op["operationId"].(string)
			if opID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, dup := ids[opID]; dup {
				t.Errorf("%s and %s share the operationId %s", where, other, opID)
			}
			ids[opID] = where
			responses, _ := op["responses"].(map[string]any)
			success := 0
			for code, r := range responses {
				if n, err := strconv.Atoi(code); err == nil && n < 400 {
					success++
				}
				if d, _ := r.(map[string]any)["description"].(string); d == "" {
					t.Errorf("%s: response %s has no description", where, code)
				}
			}
			if success != 1 {
				t.Errorf("%s has %d success responses, want 1: %v", where, success, responses)
			}
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, pa := range params {
				pm := pa.(map[string]any)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v is not required", where, pm["name"])
					}
				}
			}
			for _, m := range param.FindAllStringSubmatch(p, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %s is not declared", where, m[1])
				}
			}
			if len(declared) != len(param.FindAllString(p, -1)) {
				t.Errorf("%s declares path parameters %v", where, declared)
			}
		}
	}
	// Every $ref resolves.
	var refs int
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				refs++
				name, ok := strings.CutPrefix(ref, "#/components/schemas/")
				if !ok || schemas[name] == nil {
					t.Errorf("$ref %q does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if refs == 0 {
		t.Error("the document has no $ref at all")
	}
	// No two types share a schema name.
	named := map[string]reflect.Type{}
	seen := map[reflect.Type]bool{}
	var visit func(ty reflect.Type)
	visit = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty == reflect.TypeOf(time.Time{}) || seen[ty] {
			return
		}
		seen[ty] = true
		name := schemaName(ty)
		if other, ok := named[name]; ok && other != ty {
			t.Errorf("%v and %v are both schema %q", other, ty, name)
		}
		named[name] = ty
		for i := range ty.NumField() {
			visit(ty.Field(i).Type)
		}
	}
	for _, rt := range h.srv.routes {
		for _, v := range []any{rt.In, rt.Out} {
			if v != nil {
				visit(reflect.TypeOf(v))
			}
		}
	}
	visit(reflect.TypeOf(errorBody{}))
	var names []string
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%d schemas: %v", len(names), names)
}
