package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"soviet/storetest"
)

// TestCrossOriginRefused posts to state-changing routes as a signed-in
// browser from another site: refused with 403, nothing changes. The same
// posts from the site's own pages, and from an API client with a token and
// no browser headers, work.
func TestCrossOriginRefused(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		a := w.actors[member]
		type target struct {
			name, method string
			path         func() string
			body         func() string
			contentType  string
			ok           int
		}
		targets := []target{
			{"propose (form)", "POST", func() string { return "/councils/" + id(w.putilov) + "/motions" },
				func() string { return url.Values{"title": {"Forged"}}.Encode() }, "application/x-www-form-urlencoded", 303},
			{"vote (form)", "POST", func() string { return "/motions/" + id(w.motion("voting")) + "/vote" },
				func() string { return "choice=no" }, "application/x-www-form-urlencoded", 303},
			{"sign out (form)", "POST", func() string { return "/logout" }, func() string { return "" }, "application/x-www-form-urlencoded", 303},
			{"propose (API, cookie)", "POST", func() string { return "/api/v1/councils/" + id(w.putilov) + "/motions" },
				func() string { return `{"title":"Forged"}` }, "application/json", 201},
			{"vote (API, cookie)", "PUT", func() string { return "/api/v1/motions/" + id(w.motion("voting")) + "/vote" },
				func() string { return `{"choice":"no"}` }, "application/json", 204},
			{"leave (API, cookie, no body)", "POST", func() string { return "/api/v1/councils/" + id(w.putilov) + "/leave" },
				func() string { return "" }, "", 204},
		}
		headers := []struct {
			name    string
			hdr     map[string]string
			refused bool
		}{
			{"cross-site metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
			{"same-site metadata", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other." + strings.TrimPrefix(w.ts.URL, "http://")}, true},
			{"foreign Origin, no metadata", map[string]string{"Origin": "https://evil.example"}, true},
			{"null Origin", map[string]string{"Origin": "null"}, true},
			{"cross-site metadata, own Origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": w.ts.URL}, true},
			{"same-origin metadata", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": w.ts.URL}, false},
			{"own Origin, no metadata", map[string]string{"Origin": w.ts.URL}, false},
		}
		for _, tg := range targets {
			for _, h := range headers {
				t.Run(tg.name+"/"+h.name, func(t *testing.T) {
					defer w.in(t)()
					a := a
					if !h.refused && (strings.HasPrefix(tg.name, "leave") || strings.HasPrefix(tg.name, "sign out")) {
						a = w.actor(member) // the request uses the actor up
					}
					hdr := map[string]string{}
					for k, v := range h.hdr {
						hdr[k] = v
					}
					if tg.contentType != "" {
						hdr["Content-Type"] = tg.contentType
					}
					sessionBefore := a.session()
					res := a.do(tg.method, tg.path(), strings.NewReader(tg.body()), hdr)
					if !h.refused {
						res.want(t, tg.ok)
						return
					}
					res.want(t, http.StatusForbidden)
					res.changedNothing(t)
					if strings.Contains(tg.path(), "/api/") {
						if e := res.apiError(t); e.Code != "forbidden" {
							t.Errorf("code %q, want forbidden", e.Code)
						}
					} else if !strings.Contains(string(res.Body), "cross-origin") {
						t.Errorf("the page does not say why: %s", res.summary())
					}
					if a.session() != sessionBefore {
						t.Errorf("a refused cross-origin post changed the session cookie")
					}
					if tg.name == "sign out (form)" {
						a.get("/account").want(t, 200) // still signed in
					}
				})
			}
		}
		t.Run("bearer token without browser headers", func(t *testing.T) {
			defer w.in(t)()
			res := w.actors[member].api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "By token"})
			res.want(t, 201)
		})
		t.Run("cross-site GET", func(t *testing.T) {
			defer w.in(t)()
			// A link from another site opens the page (SameSite=Lax
			// sends the cookie on top-level navigation).
			w.actors[member].do("GET", "/councils/"+id(w.putilov), nil, map[string]string{"Sec-Fetch-Site": "cross-site"}).want(t, 200)
		})
	})
}

// sessionCookieOf returns the session cookie a response sets, or nil.
func sessionCookieOf(res *response) *http.Cookie {
	for _, line := range res.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

// TestSessionCookie checks the session cookie of every way to sign in:
// HttpOnly, SameSite=Lax, Path=/, Secure only when configured (or over
// TLS), expiring with the session.
func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		name := "http"
		if secure {
			name = "secure"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarnessConfig(t, storetest.SQLite, Config{SecureCookies: secure})
			setup := h.anonymous().form("/setup", url.Values{"handle": {"lenin"}, "name": {"V"}, "password": {testPassword}, "federation": {"Petrograd"}})
			h.account("alice")
			h.account("bob")
			ways := []struct {
				name string
				res  *response
			}{
				{"setup form", setup},
				{"sign-in form", h.anonymous().form("/login", url.Values{"handle": {"alice"}, "password": {testPassword}})},
				{"API sign-in", h.anonymous().api("POST", "/api/v1/session", map[string]string{"handle": "bob", "password": testPassword})},
				{"sign-up form", h.anonymous().form("/signup", url.Values{"handle": {"sasha"}, "name": {"S"}, "password": {testPassword}})},
			}
			for _, way := range ways {
				c := sessionCookieOf(way.res)
				switch {
				case way.res.Status >= 400:
					t.Errorf("%s: %s", way.name, way.res)
				case c == nil:
					t.Errorf("%s sets no session cookie", way.name)
				case !c.HttpOnly:
					t.Errorf("%s: the session cookie is not HttpOnly", way.name)
				case c.SameSite != http.SameSiteLaxMode:
					t.Errorf("%s: SameSite %v, want Lax", way.name, c.SameSite)
				case c.Path != "/":
					t.Errorf("%s: Path %q, want /", way.name, c.Path)
				case c.Secure != secure:
					t.Errorf("%s: Secure %v, want %v", way.name, c.Secure, secure)
				case c.Expires.Before(h.clock.Now().Add(sessionTTL-time.Minute)) || c.Expires.After(h.clock.Now().Add(sessionTTL+time.Minute)):
					t.Errorf("%s: expires %v, want in %v", way.name, c.Expires, sessionTTL)
				case len(c.Value) < 40:
					t.Errorf("%s: a session token of %d characters is too short", way.name, len(c.Value))
				}
			}
		})
	}
}

// withCookie calls GET /api/v1/me with a given session cookie value.
func withCookie(h *harness, value string) *response {
	c := h.anonymous()
	return c.send(c.plain, "GET", "/api/v1/me", nil, map[string]string{"Cookie": sessionCookie + "=" + value})
}

// TestSignOut ends the session on the server, not just in the browser: the
// old cookie no longer works.
func TestSignOut(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		h := newHarness(t, open)
		h.found()
		for _, way := range []string{"form", "API"} {
			c := h.account("alice" + strings.ToLower(way)).signIn()
			old := c.session()
			withCookie(h, old).want(t, 200)
			var res *response
			if way == "form" {
				res = c.form("/logout", nil).want(t, 303)
			} else {
				res = c.browser("DELETE", "/api/v1/session", nil, "").want(t, 204)
			}
			if ck := sessionCookieOf(res); ck == nil || ck.MaxAge >= 0 {
				t.Errorf("%s sign-out does not clear the cookie: %v", way, res.Header.Values("Set-Cookie"))
			}
			if c.session() != "" {
				t.Errorf("%s sign-out left the cookie in the browser", way)
			}
			withCookie(h, old).want(t, 401)
			c.get("/account").want(t, 303)
		}
	})
}

// TestPasswordChangeEndsOtherSessions changes the password in one browser:
// the account's other sessions end, this browser stays signed in, and only
// the new password signs in.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		h := newHarness(t, open)
		h.found()
		const newPassword = "peace, land and bread"
		for _, way := range []string{"form", "API"} {
			handle := "alice" + strings.ToLower(way)
			here := h.account(handle).signIn()
			there := h.anonymous()
			there.handle = handle
			there.signIn()
			old := here.session()
			if way == "form" {
				here.form("/account/password", url.Values{"current": {testPassword}, "new": {newPassword}}).want(t, 303)
			} else {
				here.browser("PUT", "/api/v1/me/password", strings.NewReader(`{"current":"`+testPassword+`","new":"`+newPassword+`"}`), "application/json").want(t, 204)
			}
			there.get("/account").want(t, 303)
			withCookie(h, old).want(t, 401)
			if here.session() == old || here.session() == "" {
				t.Errorf("%s: the browser that changed the password has no new session", way)
			}
			here.get("/account").want(t, 200)
			h.anonymous().form("/login", url.Values{"handle": {handle}, "password": {testPassword}}).want(t, 401)
			h.anonymous().form("/login", url.Values{"handle": {handle}, "password": {newPassword}}).want(t, 303)
		}
	})
}

// TestSignInRateLimit: after 10 failed sign-ins for one account, the
// account is refused (429, even with its password) for 15 minutes;
// after 50 failures from one address, every account is.
func TestSignInRateLimit(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		h := newHarness(t, open)
		h.found()
		h.account("alice")
		h.account("bob")
		login := func(handle, password string) *response {
			return h.anonymous().api("POST", "/api/v1/session", map[string]string{"handle": handle, "password": password})
		}
		for i := range 10 { // the limit per account
			if res := login("alice", "wrong password"); res.Status != 401 {
				t.Fatalf("failure %d: %s", i+1, res)
			}
		}
		res := login("alice", testPassword).want(t, 429)
		if e := res.apiError(t); e.Code != "too_many_requests" || !strings.Contains(e.Message, "try again in") {
			t.Errorf("error %+v", e)
		}
		login("ALICE ", testPassword).want(t, 429) // the same account
		page := h.anonymous().form("/login", url.Values{"handle": {"alice"}, "password": {testPassword}}).want(t, 429)
		if !strings.Contains(string(page.Body), "too many failed sign-ins") {
			t.Errorf("the sign-in page does not say why: %s", page.summary())
		}
		login("bob", testPassword).want(t, 200) // another account from the same address
		h.clock.Advance(15*time.Minute - time.Second)
		login("alice", testPassword).want(t, 429)
		h.clock.Advance(time.Second)
		login("alice", testPassword).want(t, 200)

		// Per address: failures on many accounts add up.
		for i := range 50 { // the limit per address
			if res := login("nobody"+id(int64(i)), "wrong password"); res.Status != 401 {
				t.Fatalf("address failure %d: %s", i+1, res)
			}
		}
		login("bob", testPassword).want(t, 429)
		h.clock.Advance(15 * time.Minute)
		login("bob", testPassword).want(t, 200)
	})
}

// offSite resolves a Location header as a browser would (it drops tabs and
// newlines and reads backslashes as slashes) and reports whether it leads
// to another host.
func offSite(loc string) bool {
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, strings.TrimSpace(loc))
	u, err := url.Parse(loc)
	return err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/")
}

// rawForm posts a form without a client (whose redirect handling would
// refuse a malformed Location) and returns the status and Location.
func rawForm(t *testing.T, h *harness, path string, vals url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", h.ts.URL+path, strings.NewReader(vals.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := h.ts.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// TestNoOpenRedirect signs in and up with next= targets that a browser
// would follow to another site: the redirect stays on this site.
func TestNoOpenRedirect(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	h.found()
	h.account("alice")
	nexts := []string{
		"//evil.example/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example/", "/\n/evil.example",
		"/\r\n/evil.example", "https://evil.example/", "javascript:alert(1)", " //evil.example", "/\\/evil.example",
	}
	for i, next := range nexts {
		status, loc := rawForm(t, h, "/login", url.Values{"handle": {"alice"}, "password": {testPassword}, "next": {next}})
		if status != 303 || offSite(loc) {
			t.Errorf("sign-in with next=%q: %d to %q", next, status, loc)
		}
		status, loc = rawForm(t, h, "/signup", url.Values{"handle": {"user" + id(int64(i))}, "name": {"U"}, "password": {testPassword}, "next": {next}})
		if status != 303 || offSite(loc) {
			t.Errorf("sign-up with next=%q: %d to %q", next, status, loc)
		}
		page := h.anonymous().get("/login?next="+url.QueryEscape(next)).want(t, 200)
		if strings.Contains(string(page.Body), "evil.example") {
			t.Errorf("the sign-in page keeps next=%q", next)
		}
	}
	// A target on this site is kept.
	if _, loc := rawForm(t, h, "/login", url.Values{"handle": {"alice"}, "password": {testPassword}, "next": {"/log?x=1"}}); loc != "/log?x=1" {
		t.Errorf("next=/log?x=1 redirects to %q", loc)
	}
}
