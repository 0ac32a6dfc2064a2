package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// The test harness: a real Server over a real store behind an
// httptest.Server, clients that sign in with a session cookie or an API
// token, and a small federation ("the world") with one actor for every
// role the authorization tests cover.

// testPassword is the password of every account the harness makes.
const testPassword = "all power to the soviets"

// cheapPasswords keeps argon2id fast in tests.
var cheapPasswords = PasswordParams{Memory: 64, Time: 1, Threads: 1}

// harness is one Server on one fresh store.
type harness struct {
	t     testing.TB
	db    *store.DB
	svc   *soviet.Service
	srv   *Server
	ts    *httptest.Server
	clock *storetest.Clock
	logs  *syncBuffer
}

// newHarness starts a Server on a fresh store opened by open. Any response
// with a 5xx status fails the test: bad input must never be the server's
// fault.
func newHarness(t testing.TB, open storetest.Opener) *harness {
	t.Helper()
	return newHarnessConfig(t, open, Config{})
}

// newHarnessConfig is newHarness with a base configuration (the harness
// fills in the store, service, clock and password cost).
func newHarnessConfig(t testing.TB, open storetest.Opener, cfg Config) *harness {
	t.Helper()
	// The clock starts at the real time, so that the cookie jar keeps the
	// session cookies (it drops cookies whose expiry has passed).
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	db := open(t, store.Options{Now: clock.Now, Version: "test"})
	h := &harness{t: t, db: db, svc: soviet.NewService(db), clock: clock, logs: &syncBuffer{}}
	cfg.Service, cfg.Store, cfg.Now, cfg.Password = h.svc, db, clock.Now, cheapPasswords
	cfg.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if cfg.Version == "" {
		cfg.Version = "test"
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	h.srv = srv
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		srv.ServeHTTP(sw, r)
		if sw.status >= 500 {
			t.Errorf("%s %s answered %d", r.Method, r.URL, sw.status)
		}
	}))
	t.Cleanup(func() {
		srv.Close() // ends live streams first, so that ts.Close does not wait for them
		h.ts.Close()
		if strings.Contains(h.logs.String(), "panic") {
			t.Errorf("the server panicked:\n%s", h.logs.String())
		}
	})
	return h
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// in makes the harness report to t (a subtest) until the returned
// function restores the test it reported to before.
func (h *harness) in(t testing.TB) (restore func()) {
	parent := h.t
	h.t = t
	return func() { h.t = parent }
}

// size returns the number of events in the log.
func (h *harness) size() int64 {
	h.t.Helper()
	head, err := h.db.Head(h.t.Context())
	if err != nil {
		h.t.Fatalf("head: %v", err)
	}
	return head.Size
}

// must fails the test on err.
func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// client is one visitor: anonymous, or signed in by session cookie
// (browser) and API token (API client).
type client struct {
	h      *harness
	id     int64 // 0 for anonymous
	handle string
	token  string       // personal API token, sent as a bearer token by api
	http   *http.Client // a browser: with a cookie jar
	plain  *http.Client // an API client: no cookies
}

// anonymous returns a client with no account.
func (h *harness) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{h: h,
		http:  &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: noRedirect},
		plain: &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirect},
	}
}

// account registers an account through the domain (as the sign-up page
// does, without its per-address limit) with testPassword, and returns its
// client, not yet signed in.
func (h *harness) account(handle string) *client {
	h.t.Helper()
	hash, err := h.srv.hashPassword(testPassword)
	h.must(err)
	a, err := h.svc.Register(h.t.Context(), soviet.AccountInput{Handle: handle, Name: strings.ToUpper(handle[:1]) + handle[1:], PasswordHash: hash})
	h.must(err)
	c := h.anonymous()
	c.id, c.handle = a.ID, a.Handle
	return c
}

// found founds the instance through the API and returns the founder's
// client with the API token setup returns, signed in by cookie too.
func (h *harness) found() *client {
	h.t.Helper()
	c := h.anonymous()
	res := c.api("POST", "/api/v1/setup", map[string]string{"handle": "lenin", "name": "Vladimir", "password": testPassword})
	res.want(h.t, http.StatusCreated)
	var out setupResponse
	res.decode(h.t, &out)
	c.id, c.handle, c.token = out.Account.ID, out.Account.Handle, out.Token
	return c.signIn()
}

// withToken gives c a personal API token.
func (c *client) withToken() *client {
	c.h.t.Helper()
	tok, _, err := c.h.srv.newAPIToken(c.h.t.Context(), c.id, "test")
	c.h.must(err)
	c.token = tok
	return c
}

// signIn signs c in through the sign-in form; the session cookie goes to
// c's cookie jar.
func (c *client) signIn() *client {
	c.h.t.Helper()
	res := c.form("/login", url.Values{"handle": {c.handle}, "password": {testPassword}})
	res.want(c.h.t, http.StatusSeeOther)
	if c.session() == "" {
		c.h.t.Fatalf("sign-in of %s set no session cookie", c.handle)
	}
	return c
}

// session returns c's session cookie value, or "".
func (c *client) session() string {
	u, _ := url.Parse(c.h.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// response is a finished response with its body read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	req    string
	// The log's size before and after the request.
	sizeBefore, sizeAfter int64
}

// changedNothing fails the test if the request appended to the log.
func (r *response) changedNothing(t testing.TB) {
	t.Helper()
	if r.sizeAfter != r.sizeBefore {
		t.Errorf("%s: refused with %d, but the log grew from %d to %d events", r.req, r.Status, r.sizeBefore, r.sizeAfter)
	}
}

func (r *response) String() string {
	return r.req + " → " + strconv.Itoa(r.Status) + ": " + r.summary()
}

// summary is the body, or for an HTML page its title and error message.
func (r *response) summary() string {
	body := string(r.Body)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		if len(body) > 600 {
			body = body[:600] + "…"
		}
		return body
	}
	title, _, _ := strings.Cut(body[strings.Index(body, "<title>")+1:], "</title>")
	out := "page " + strings.TrimPrefix(title, "title>")
	if _, alert, ok := strings.Cut(body, `role="alert">`); ok {
		alert, _, _ = strings.Cut(alert, "</")
		out += ": " + alert
	}
	if _, nav, ok := strings.Cut(body, `<nav>`); ok && strings.Contains(nav, `action="/logout"`) {
		out += " (signed in)"
	}
	return out
}

// want fails the test unless the status is one of the given ones.
func (r *response) want(t testing.TB, status ...int) *response {
	t.Helper()
	for _, s := range status {
		if r.Status == s {
			return r
		}
	}
	t.Fatalf("%s: status %d, want %v; body: %s", r.req, r.Status, status, r.summary())
	return r
}

// decode decodes a JSON body.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: decode %s: %v", r.req, r.Body, err)
	}
}

// apiError checks that the body is the API's JSON error form with a code and
// a message, and returns them.
func (r *response) apiError(t testing.TB) errorDetail {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: error with Content-Type %q, want JSON; body: %s", r.req, ct, r.Body)
	}
	var body struct {
		Error *errorDetail `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("%s: error body %s is not {\"error\":{\"code\",\"message\"}}: %v", r.req, r.Body, err)
	}
	if body.Error.Code == "" || strings.TrimSpace(body.Error.Message) == "" {
		t.Fatalf("%s: error body %s lacks a code or a message", r.req, r.Body)
	}
	return *body.Error
}

// do sends a request. Headers in hdr are set as given (an empty value
// deletes one the client would set).
func (c *client) do(method, path string, body io.Reader, hdr map[string]string) *response {
	c.h.t.Helper()
	return c.send(c.http, method, path, body, hdr)
}

func (c *client) send(hc *http.Client, method, path string, body io.Reader, hdr map[string]string) *response {
	c.h.t.Helper()
	req, err := http.NewRequestWithContext(c.h.t.Context(), method, c.h.ts.URL+path, body)
	if err != nil {
		c.h.t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	before := c.h.size()
	resp, err := hc.Do(req)
	if err != nil {
		c.h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.h.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	who := c.handle
	if who == "" {
		who = "anonymous"
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: b, req: fmt.Sprintf("%s %s (%s)", method, path, who),
		sizeBefore: before, sizeAfter: c.h.size()}
}

// jsonBody turns v into a request body: a string or []byte is sent as it
// is, nil as no body, anything else as its JSON.
func jsonBody(v any) io.Reader {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(v)
	case []byte:
		return bytes.NewReader(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

// api calls the JSON API as an API client does: with c's bearer token (if
// any), no cookies and no browser headers.
func (c *client) api(method, path string, body any) *response {
	c.h.t.Helper()
	hdr := map[string]string{}
	if body != nil {
		hdr["Content-Type"] = "application/json"
	}
	if c.token != "" {
		hdr["Authorization"] = "Bearer " + c.token
	}
	return c.send(c.plain, method, path, jsonBody(body), hdr)
}

// browser sends a request as a browser on the site's own pages does: with
// the session cookie and same-origin fetch metadata.
func (c *client) browser(method, path string, body io.Reader, contentType string) *response {
	c.h.t.Helper()
	hdr := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": c.h.ts.URL}
	if method == http.MethodGet {
		hdr = map[string]string{"Sec-Fetch-Site": "same-origin"}
	}
	if contentType != "" {
		hdr["Content-Type"] = contentType
	}
	return c.do(method, path, body, hdr)
}

// get fetches a page as a browser.
func (c *client) get(path string) *response {
	c.h.t.Helper()
	return c.browser("GET", path, nil, "")
}

// form posts a form as a browser.
func (c *client) form(path string, vals url.Values) *response {
	c.h.t.Helper()
	return c.browser("POST", path, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
}

// Roles: who an actor is with respect to the world's base council Putilov
// Works.
type role int

const (
	anonymous    role = iota
	outsider          // an account with no membership
	member            // a member of Putilov Works
	otherCouncil      // a member of Baltic Fleet, another council of the federation
	secretary         // the federation's founder, secretary of its councils, member of none
	foreign           // a member of a council of another federation
	nRoles
)

var roleNames_ = [nRoles]string{"anonymous", "outsider", "member", "other_council", "secretary", "foreign"}

func (r role) String() string { return roleNames_[r] }

// world is a harness with a second federation, Kronstadt (founded by
// Ivan), and a scene in the first.
type world struct {
	*harness
	ivan *client
	fed2 int64
	kron int64
	n    int // for unique handles
	*scene
}

// scene is a federation: its founder (secretary of every council, member
// of none), the base councils Putilov Works and Baltic Fleet, the delegate
// council Petrograd Soviet they send delegates to, Alice (a member of
// Putilov Works who proposes the motions others act on), and one actor for
// every role.
type scene struct {
	w       *world
	founder *client
	alice   *client
	fed     int64
	putilov int64
	fleet   int64
	soviet  int64
	actors  [nRoles]*client
}

// newWorld founds the instance and builds the world; the instance's
// founder founds the main scene's federation.
func newWorld(t testing.TB, open storetest.Opener) *world {
	t.Helper()
	return worldOn(newHarness(t, open))
}

// worldOn builds the world on a harness whose instance is not founded.
func worldOn(h *harness) *world {
	h.t.Helper()
	t := h.t
	w := &world{harness: h}
	founder := w.found()
	w.ivan = w.account("ivan").withToken()
	fed2, err := w.svc.CreateFederation(t.Context(), w.ivan.id, "Kronstadt")
	w.must(err)
	w.fed2 = fed2.ID
	w.kron = w.council(fed2.ID, w.ivan, "Kronstadt Sailors", soviet.Base)
	w.scene = w.newScene(founder)
	return w
}

// newScene builds a federation founded by founder (a new account if nil)
// with an actor for every role.
func (w *world) newScene(founder *client) *scene {
	w.t.Helper()
	if founder == nil {
		founder = w.account(w.handle("founder")).withToken().signIn()
	}
	sc := &scene{w: w, founder: founder}
	fed, err := w.svc.CreateFederation(w.t.Context(), founder.id, "Petrograd, 1917")
	w.must(err)
	sc.fed = fed.ID
	sc.soviet = w.council(sc.fed, founder, "Petrograd Soviet", soviet.Delegate)
	sc.putilov = w.council(sc.fed, founder, "Putilov Works", soviet.Base, sc.soviet)
	sc.fleet = w.council(sc.fed, founder, "Baltic Fleet", soviet.Base, sc.soviet)
	sc.alice = w.account(w.handle("alice")).withToken()
	w.invite(founder, sc.putilov, sc.alice)
	for r := range nRoles {
		sc.actors[r] = sc.actor(r)
	}
	return sc
}

// council creates a council as by.
func (w *world) council(fed int64, by *client, name string, kind soviet.CouncilKind, sendsTo ...int64) int64 {
	w.t.Helper()
	c, err := w.svc.CreateCouncil(w.t.Context(), by.id, soviet.CouncilInput{Federation: fed, Name: name, Kind: kind, SendsTo: sendsTo})
	w.must(err)
	return c.ID
}

// invite makes c a member of council through an invitation issued by by.
func (w *world) invite(by *client, council int64, c *client) {
	w.t.Helper()
	_, token, err := w.svc.IssueInvitation(w.t.Context(), by.id, council, "")
	w.must(err)
	_, err = w.svc.AcceptInvitation(w.t.Context(), c.id, token)
	w.must(err)
}

// handle returns a new unique handle.
func (w *world) handle(prefix string) string {
	w.n++
	return fmt.Sprintf("%s%d", prefix, w.n)
}

// actor returns a new actor holding role r in the scene, with an API
// token and a session (the secretary is always the scene's founder).
func (sc *scene) actor(r role) *client {
	w := sc.w
	w.t.Helper()
	switch r {
	case anonymous:
		return w.anonymous()
	case secretary:
		return sc.founder
	}
	c := w.account(w.handle(strings.ReplaceAll(r.String(), "_", "")))
	switch r {
	case member:
		w.invite(sc.founder, sc.putilov, c)
	case otherCouncil:
		w.invite(sc.founder, sc.fleet, c)
	case foreign:
		w.invite(w.ivan, w.kron, c)
	}
	return c.withToken().signIn()
}

// motion has Alice propose a motion in Putilov Works and brings it to
// state: debate (admitted), voting, or closed (adopted or rejected).
func (sc *scene) motion(state soviet.MotionState) int64 {
	w := sc.w
	w.t.Helper()
	ctx := w.t.Context()
	m, err := w.svc.ProposeMotion(ctx, sc.alice.id, soviet.MotionInput{Council: sc.putilov, Title: "All power to the soviets", Body: "Resolved: *all power*."})
	w.must(err)
	if state == soviet.Debate {
		return m.ID
	}
	_, err = w.svc.OpenVote(ctx, sc.founder.id, m.ID, time.Time{})
	w.must(err)
	if state == soviet.Voting {
		return m.ID
	}
	_, err = w.svc.CloseVote(ctx, sc.founder.id, m.ID)
	w.must(err)
	return m.ID
}

// secretMotion has Alice propose a motion in Putilov Works and the
// founder open a secret vote on it; closed closes it (publishing its
// bulletin).
func (sc *scene) secretMotion(closed bool) int64 {
	w := sc.w
	w.t.Helper()
	ctx := w.t.Context()
	m, err := w.svc.ProposeMotion(ctx, sc.alice.id, soviet.MotionInput{Council: sc.putilov, Title: "Secret", Body: "By ballot."})
	w.must(err)
	_, err = w.svc.OpenVoteWith(ctx, sc.founder.id, m.ID, soviet.VoteOptions{Secrecy: soviet.Secret})
	w.must(err)
	if closed {
		_, err = w.svc.CloseVote(ctx, sc.founder.id, m.ID)
		w.must(err)
	}
	return m.ID
}

// invitation issues an invitation to Putilov Works and returns its id and
// token.
func (sc *scene) invitation() (int64, string) {
	sc.w.t.Helper()
	inv, token, err := sc.w.svc.IssueInvitation(sc.w.t.Context(), sc.founder.id, sc.putilov, "")
	sc.w.must(err)
	return inv.ID, token
}

// joinRequest has a new account ask to join Putilov Works and returns the
// request's id.
func (sc *scene) joinRequest() int64 {
	w := sc.w
	w.t.Helper()
	c := w.account(w.handle("asker"))
	jr, err := w.svc.RequestJoin(w.t.Context(), c.id, sc.putilov, "let me in")
	w.must(err)
	return jr.ID
}

// id formats an id for a path.
func id(n int64) string { return strconv.FormatInt(n, 10) }

// onEngines runs fn as a parallel subtest on every engine.
func onEngines(t *testing.T, fn func(t *testing.T, open storetest.Opener)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.Open)
		})
	}
}
