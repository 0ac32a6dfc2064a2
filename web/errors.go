package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"soviet"
)

// errorBody is the JSON form of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Errors the web layer makes itself.
var (
	errBodyTooLarge = errors.New("too large")
	errMediaType    = errors.New("unsupported media type")
	errMethod       = errors.New("method not allowed")
	errTooLarge     = &soviet.Error{Kind: errBodyTooLarge, Msg: "the request body is too large"}
	errNotJSON      = &soviet.Error{Kind: errMediaType, Msg: "send the request body as application/json"}
	errNoRoute      = soviet.Errorf(soviet.ErrNotFound, "no such page")
	errNoAPIRoute   = soviet.Errorf(soviet.ErrNotFound, "no such API route: see /api/v1/openapi.json")
	errCrossOrigin  = soviet.Errorf(soviet.ErrForbidden, "cross-origin requests that change state are refused")
)

// classify is the one place that turns an error into an HTTP status and a
// code. Messages for people come from soviet.Message: the domain's own
// message, or "internal error" (the cause goes to the log only).
func classify(err error) (status int, code string) {
	switch kind := soviet.KindOf(err); {
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, errMediaType):
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case kind == soviet.ErrInvalid:
		return http.StatusBadRequest, "invalid"
	case kind == soviet.ErrNotFound:
		return http.StatusNotFound, "not_found"
	case kind == soviet.ErrConflict:
		return http.StatusConflict, "conflict"
	case kind == soviet.ErrForbidden:
		return http.StatusForbidden, "forbidden"
	case kind == soviet.ErrUnauthenticated:
		return http.StatusUnauthorized, "unauthenticated"
	case kind == soviet.ErrTooManyRequests:
		return http.StatusTooManyRequests, "too_many_requests"
	}
	return http.StatusInternalServerError, "internal"
}

func message(err error) string { return soviet.Message(err) }

// logError logs an internal error once, with the request.
func (s *Server) logError(r *http.Request, status int, err error) {
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// apiError writes err as a JSON error body.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := classify(err)
	s.logError(r, status, err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="soviet"`)
	}
	writeJSON(w, status, errorBody{errorDetail{Code: code, Message: message(err)}})
}

// pageError renders err as an HTML page with the right status. A visitor
// who must sign in is sent to the sign-in page instead.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := classify(err)
	s.logError(r, status, err)
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error", errorPage{Status: status, StatusText: http.StatusText(status), Message: message(err)})
}

// noRoute answers a request no route took: 405 with an Allow header when
// its path has routes for other methods, else 404; as JSON under /api/.
// (The catch-all patterns would otherwise hide the mux's own 405s.)
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	err := errNoRoute
	if wantsJSON(r) {
		err = errNoAPIRoute
	}
	if allow := s.paths.allow(r); allow != "" {
		w.Header().Set("Allow", allow)
		err = &soviet.Error{Kind: errMethod, Msg: fmt.Sprintf("%s is not allowed here: use %s", r.Method, allow)}
	}
	if wantsJSON(r) {
		s.apiError(w, r, err)
	} else {
		s.pageError(w, r, err)
	}
}

// pathIndex knows the methods of each route's path.
type pathIndex struct {
	mux     *http.ServeMux // the paths, without methods
	methods map[string]string
}

func newPathIndex(routes []route) *pathIndex {
	byPath := map[string][]string{}
	for _, rt := range routes {
		// Wildcards named alike, so that "GET /x/{id}" and "POST /x/{n}"
		// are one path.
		p := pathParam.ReplaceAllString(rt.Path, "{p$2}")
		byPath[p] = append(byPath[p], rt.Method)
		if rt.Method == http.MethodGet {
			byPath[p] = append(byPath[p], http.MethodHead)
		}
	}
	pi := &pathIndex{mux: http.NewServeMux(), methods: map[string]string{}}
	for p, ms := range byPath {
		func() {
			// Two paths the method-aware mux tells apart may conflict
			// without their methods: such a path only loses its 405.
			defer func() { recover() }()
			pi.mux.Handle(p, http.NotFoundHandler())
			sort.Strings(ms)
			pi.methods[p] = strings.Join(ms, ", ")
		}()
	}
	return pi
}

// allow returns the methods of the request's path, or "" for an unknown
// path.
func (pi *pathIndex) allow(r *http.Request) string {
	_, pattern := pi.mux.Handler(r)
	return pi.methods[pattern]
}

// wantsJSON reports whether a request is for the API.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/")
}

// writeJSON writes v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
