package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// The council tests' harness: a Server over the store of a storetest
// Fixture (a federation with a delegate council, two base councils, a
// founder and members), called in process. Actors are fixture accounts: an
// API token for the API, a session cookie for the pages.

// councilWeb is a Server on a fixture's store.
type councilWeb struct {
	t        testing.TB
	f        *storetest.Fixture
	srv      *Server
	tokens   map[int64]string
	sessions map[int64]string
}

// newCouncilWeb builds the fixture on a store opened by open and a Server
// over it.
func newCouncilWeb(t testing.TB, open storetest.Opener) *councilWeb {
	t.Helper()
	// Roll-call elections, whose ballots these tests inspect; secret
	// elections have their own test.
	return newCouncilWebWith(t, open, func(ch *soviet.Charter) { ch.ElectionBallot = soviet.RollCall })
}

// newCouncilWebWith is newCouncilWeb with the fixture's charter changed by
// edit (nil: the fixture's charter, whose elections are secret).
func newCouncilWebWith(t testing.TB, open storetest.Opener, edit func(*soviet.Charter)) *councilWeb {
	t.Helper()
	f := storetest.NewFixtureWith(t, open, store.Options{}, edit)
	srv, err := New(Config{Service: f.Svc, Store: f.DB, Now: f.Clock.Now, Version: "test",
		Password: PasswordParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &councilWeb{t: t, f: f, srv: srv, tokens: map[int64]string{}, sessions: map[int64]string{}}
}

// cwResponse is a response with its body read.
type cwResponse struct {
	Status   int
	Body     string
	Location string
	grew     bool // the log grew
	what     string
}

// serve runs a request through the server and fails the test on a 5xx:
// no input may be the server's fault.
func (cw *councilWeb) serve(req *http.Request, what string) cwResponse {
	cw.t.Helper()
	before := cw.f.Size()
	rec := httptest.NewRecorder()
	cw.srv.ServeHTTP(rec, req)
	res := cwResponse{Status: rec.Code, Body: rec.Body.String(), Location: rec.Header().Get("Location"), what: what}
	res.grew = cw.f.Size() != before
	if res.Status >= 500 {
		cw.t.Errorf("%s answered %d: %s", what, res.Status, res.Body)
	}
	return res
}

// api calls the JSON API as actor (0: anonymous) with a body: a string is
// sent as it is, nil as none, anything else as JSON.
func (cw *councilWeb) api(actor int64, method, path string, body any) cwResponse {
	cw.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			cw.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if actor != 0 {
		req.Header.Set("Authorization", "Bearer "+cw.token(actor))
	}
	return cw.serve(req, method+" "+path)
}

// token returns an API token of actor's.
func (cw *councilWeb) token(actor int64) string {
	cw.t.Helper()
	if tok, ok := cw.tokens[actor]; ok {
		return tok
	}
	tok, _, err := cw.srv.newAPIToken(cw.t.Context(), actor, "test")
	if err != nil {
		cw.t.Fatal(err)
	}
	cw.tokens[actor] = tok
	return tok
}

// session returns a session cookie of actor's.
func (cw *councilWeb) session(actor int64) string {
	cw.t.Helper()
	if s, ok := cw.sessions[actor]; ok {
		return s
	}
	tok, hash, err := cw.f.Svc.NewToken()
	if err != nil {
		cw.t.Fatal(err)
	}
	if err := cw.f.DB.CreateSession(cw.t.Context(), hash, actor, cw.f.Clock.Now().Add(sessionTTL)); err != nil {
		cw.t.Fatal(err)
	}
	cw.sessions[actor] = tok
	return tok
}

// browser sends a request as actor's browser on the site's own pages.
func (cw *councilWeb) browser(actor int64, method, path string, vals url.Values) cwResponse {
	cw.t.Helper()
	var r io.Reader
	if vals != nil {
		r = strings.NewReader(vals.Encode())
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if vals != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if actor != 0 {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cw.session(actor)})
	}
	return cw.serve(req, method+" "+path)
}

// page fetches a page as actor.
func (cw *councilWeb) page(actor int64, path string) cwResponse {
	cw.t.Helper()
	return cw.browser(actor, "GET", path, nil)
}

// post posts a form as actor.
func (cw *councilWeb) post(actor int64, path string, vals url.Values) cwResponse {
	cw.t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	return cw.browser(actor, "POST", path, vals)
}

// want fails the test unless the status is status.
func (r cwResponse) want(t testing.TB, status int) cwResponse {
	t.Helper()
	if r.Status != status {
		body := r.Body
		if len(body) > 800 {
			body = body[:800] + "…"
		}
		t.Fatalf("%s: status %d, want %d: %s", r.what, r.Status, status, body)
	}
	return r
}

// decode decodes a JSON body into v.
func (r cwResponse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%s: decode %s: %v", r.what, r.Body, err)
	}
}

// refused checks a clear refusal: the status, a JSON error whose message
// holds the given words (for the API) or an error message on the page,
// and nothing appended to the log.
func (r cwResponse) refused(t testing.TB, status int, words string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d: %.400s", r.what, r.Status, status, r.Body)
		return
	}
	if r.grew {
		t.Errorf("%s: refused with %d, but the log grew", r.what, r.Status)
	}
	if strings.HasPrefix(r.Body, "{") {
		var e errorBody
		if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Errorf("%s: the error body %s is not {\"error\":{\"code\",\"message\"}}", r.what, r.Body)
		} else if !strings.Contains(e.Error.Message, words) {
			t.Errorf("%s: message %q does not say %q", r.what, e.Error.Message, words)
		}
		return
	}
	if !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, words) {
		t.Errorf("%s: the page does not show the error %q: %.400s", r.what, words, r.Body)
	}
}

// openElection returns the open election of constituency for seats in
// body, through the API as actor.
func (cw *councilWeb) openElection(actor, council, body int64) electionResponse {
	cw.t.Helper()
	var es electionsResponse
	cw.api(actor, "GET", pathf("/api/v1/councils/%d/elections", council), nil).want(cw.t, 200).decode(cw.t, &es)
	for _, e := range es.Elections {
		if e.Body == body && (e.State == soviet.Nominating || e.State == soviet.Polling) {
			var ev electionResponse
			cw.api(actor, "GET", pathf("/api/v1/elections/%d", e.ID), nil).want(cw.t, 200).decode(cw.t, &ev)
			return ev
		}
	}
	cw.t.Fatalf("no open election of council %d for seats in %d: %+v", council, body, es)
	return electionResponse{}
}

// pathf formats a path.
func pathf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// onEachEngine runs fn on a fresh councilWeb for every engine, in
// parallel.
func onEachEngine(t *testing.T, fn func(t *testing.T, cw *councilWeb)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newCouncilWeb(t, e.Open))
		})
	}
}
