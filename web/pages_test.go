package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"soviet"
	"soviet/storetest"
)

// pageCase is a page, the status each role gets, and what a page that
// renders must show.
type pageCase struct {
	name string
	path func(sc *scene) string
	want [nRoles]int
	// shows are substrings of the page for the roles that get 200;
	// showsFor adds some for one role.
	shows    []string
	showsFor map[role][]string
	hidesFor map[role][]string
}

// private is a page for the given roles: anonymous visitors are sent to
// sign in (303), others refused.
func private(roles ...role) [nRoles]int {
	w := only(s200, roles...)
	w[anonymous] = s303
	return w
}

// TestPagesByRole renders every page as every role: the roles that may see
// a page get it (200, HTML, its content), an anonymous visitor asking for
// a private page is sent to sign in and back, and others are refused.
func TestPagesByRole(t *testing.T) {
	pageCases := func(motion, closed int64, token string) []pageCase {
		return []pageCase{
			{name: "home", path: func(*scene) string { return "/" }, want: every(s200),
				showsFor: map[role][]string{anonymous: {`href="/login"`}, member: {"Putilov Works", "All power to the soviets"}, secretary: {"Petrograd, 1917"}},
				hidesFor: map[role][]string{otherCouncil: {"All power to the soviets"}, outsider: {"Putilov Works"}}},
			{name: "setup", path: func(*scene) string { return "/setup" }, want: every(s409)},
			{name: "login", path: func(*scene) string { return "/login" }, want: every(s200), shows: []string{`action="/login"`}},
			{name: "signup", path: func(*scene) string { return "/signup" }, want: every(s200), shows: []string{`action="/signup"`}},
			{name: "account", path: func(*scene) string { return "/account" }, want: with(accounts(s200), anonymous, s303), shows: []string{`action="/account/password"`, `action="/account/tokens"`}},
			{name: "new federation", path: func(*scene) string { return "/federations/new" }, want: with(accounts(s200), anonymous, s303), shows: []string{`action="/federations"`}},
			{name: "federation", path: func(sc *scene) string { return "/federations/" + id(sc.fed) }, want: private(member, otherCouncil, secretary),
				shows:    []string{"Putilov Works", "Baltic Fleet", "Petrograd Soviet", "Charter"},
				showsFor: map[role][]string{secretary: {"Create a council"}}, hidesFor: map[role][]string{member: {"Create a council"}}},
			// An outsider sees the council's name and may ask to join, nothing more.
			{name: "council", path: func(sc *scene) string { return "/councils/" + id(sc.putilov) }, want: with(with(private(member, otherCouncil, secretary), outsider, s200), foreign, s200),
				shows:    []string{"Putilov Works"},
				showsFor: map[role][]string{member: {"All power to the soviets", "Alice", "Propose a motion", "Leave this council"}, secretary: {"Invitations and join requests", "Alice"}, outsider: {"Ask to join"}, foreign: {"Ask to join"}},
				hidesFor: map[role][]string{outsider: {"Alice", "All power"}, foreign: {"Alice", "All power"}, otherCouncil: {"Propose a motion", "Invitations and join requests"}, secretary: {"Propose a motion", "Leave this council"}}},
			{name: "invitations", path: func(sc *scene) string { return "/councils/" + id(sc.putilov) + "/invitations" }, want: private(secretary), shows: []string{"Invite someone"}},
			{name: "motion", path: func(*scene) string { return "/motions/" + id(motion) }, want: private(member, otherCouncil, secretary), shows: []string{"All power to the soviets", "<em>all power</em>"}},
			{name: "closed motion", path: func(*scene) string { return "/motions/" + id(closed) }, want: private(member, otherCouncil, secretary), shows: []string{"Result", "Rejected"}},
			{name: "invitation", path: func(*scene) string { return "/join/" + token }, want: every(s200), shows: []string{"Invitation to Putilov Works"},
				showsFor: map[role][]string{anonymous: {"create an account"}, outsider: {"Accept the invitation"}}},
			{name: "unknown invitation", path: func(*scene) string { return "/join/nope" }, want: every(s404)},
			{name: "log", path: func(*scene) string { return "/log" }, want: every(s200), shows: []string{`id="log-size"`},
				showsFor: map[role][]string{member: {"Recent events", "motion.proposed"}}, hidesFor: map[role][]string{anonymous: {"Recent events"}}},
			{name: "static", path: func(*scene) string { return staticURL("soviet.css") }, want: every(s200)},
			{name: "healthz", path: func(*scene) string { return "/healthz" }, want: every(s200)},
		}
	}
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		_, token := w.invitation()
		for _, tc := range pageCases(w.motion(soviet.Voting), w.motion("closed"), token) {
			t.Run(tc.name, func(t *testing.T) {
				defer w.in(t)()
				for r := range nRoles {
					p := tc.path(w.scene)
					res := w.actors[r].get(p)
					if res.Status != tc.want[r] {
						t.Errorf("%s: status %d, want %d: %s", r, res.Status, tc.want[r], res.summary())
						continue
					}
					switch res.Status {
					case s303:
						if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(p) {
							t.Errorf("%s: redirected to %q, want the sign-in page and back", r, loc)
						}
					case s200:
						body := string(res.Body)
						shows := append(append([]string{}, tc.shows...), tc.showsFor[r]...)
						for _, s := range shows {
							if !strings.Contains(body, s) {
								t.Errorf("%s: the page lacks %q", r, s)
							}
						}
						for _, s := range tc.hidesFor[r] {
							if strings.Contains(body, s) {
								t.Errorf("%s: the page shows %q", r, s)
							}
						}
					default:
						if !strings.Contains(string(res.Body), `role="alert"`) {
							t.Errorf("%s: %d without a message: %s", r, res.Status, res.summary())
						}
					}
				}
			})
		}
	})
}

// TestSecurityHeaders checks the headers every answer carries.
func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	h.found()
	for _, p := range []string{"/", "/login", "/nowhere", "/api/v1/me", "/api/v1/openapi.json"} {
		res := h.anonymous().get(p)
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "same-origin",
		} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: the CSP %q lacks %s", p, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: the CSP allows inline script: %q", p, csp)
		}
	}
}

// TestMotionPageByRole: vote buttons only for the motion's voters while
// the vote is open, the roll call only for the council's members and
// secretary, the close button only for the secretary.
func TestMotionPageByRole(t *testing.T) {
	buttons := `name="choice"`
	rollCall := "Roll call"
	closeButton := `action="/motions/`
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		m := w.motion(soviet.Voting)
		late := w.actor(member) // joined after the vote opened: not a voter
		path := "/motions/" + id(m)
		check := func(who string, c *client, want map[string]bool) {
			t.Helper()
			body := string(c.get(path).want(t, 200).Body)
			for what, shown := range want {
				if strings.Contains(body, what) != shown {
					t.Errorf("%s: shows %q = %v, want %v", who, what, !shown, shown)
				}
			}
		}
		check("member", w.actors[member], map[string]bool{buttons: true, rollCall: true, closeButton + id(m) + "/close": false})
		check("member who joined late", late, map[string]bool{buttons: false, rollCall: true})
		check("member of another council", w.actors[otherCouncil], map[string]bool{buttons: false, rollCall: false, "Tally so far": true})
		check("secretary", w.founder, map[string]bool{buttons: false, rollCall: true, closeButton + id(m) + "/close": true})

		// The roll call names who voted what.
		w.actors[member].form(path+"/vote", url.Values{"choice": {"no"}}).want(t, 303)
		res := w.actors[member].get(path).want(t, 200)
		if !regexp.MustCompile(`(?is)<td>` + w.actors[member].handle + `[^<]*</td><td><span class="choice no">no</span>`).Match(res.Body) {
			t.Errorf("the roll call does not show the member's vote: %s", res.Body)
		}
		if !strings.Contains(string(res.Body), "chosen") || !strings.Contains(string(res.Body), "Your vote: no.") {
			t.Errorf("the page after voting does not show the vote and its confirmation")
		}
		if strings.Contains(string(w.actors[otherCouncil].get(path).Body), "choice no") {
			t.Error("a member of another council sees how members voted")
		}
		// The API agrees.
		w.actors[otherCouncil].api("GET", "/api/v1/motions/"+id(m)+"/votes", nil).want(t, 403)
		var mv motionResponse
		w.actors[otherCouncil].api("GET", "/api/v1/motions/"+id(m), nil).want(t, 200).decode(t, &mv)
		if len(mv.RollCall) != 0 {
			t.Errorf("the API shows a member of another council the roll call: %+v", mv.RollCall)
		}

		// Closed: no more buttons, the result.
		w.founder.form(path+"/close", nil).want(t, 303)
		check("member after close", w.actors[member], map[string]bool{buttons: false, "Rejected": true, rollCall: true})
	})
}

// TestFormsRedirect follows a form post's redirect to the page that shows
// its result, with a message.
func TestFormsRedirect(t *testing.T) {
	h := newWorld(t, storetest.SQLite)
	a := h.actors[member]
	res := a.form("/councils/"+id(h.putilov)+"/motions", url.Values{"title": {"Peace now"}, "body": {"An *immediate* peace."}}).want(t, 303)
	loc := res.Header.Get("Location")
	if !regexp.MustCompile(`^/motions/\d+$`).MatchString(loc) {
		t.Fatalf("propose redirects to %q", loc)
	}
	page := a.get(loc).want(t, 200)
	if !strings.Contains(string(page.Body), "Peace now") || !strings.Contains(string(page.Body), "<em>immediate</em>") {
		t.Errorf("the motion page does not show the motion: %s", page.summary())
	}
	res = h.founder.form(loc+"/open", nil).want(t, 303)
	if res.Header.Get("Location") != loc {
		t.Errorf("open redirects to %q", res.Header.Get("Location"))
	}
	if page := h.founder.get(loc); !strings.Contains(string(page.Body), "The vote is open.") {
		t.Errorf("no message after opening the vote: %s", page.summary())
	}
	// A form with an error the visitor can fix is shown again, with what
	// was typed.
	res = a.form("/councils/"+id(h.putilov)+"/motions", url.Values{"title": {""}, "body": {"kept text"}}).want(t, 400)
	if !strings.Contains(string(res.Body), "title is required") || !strings.Contains(string(res.Body), "kept text") {
		t.Errorf("the refused form is not shown again with its error and text: %s", res.summary())
	}
}

// TestMarkdownSanitised proposes motions whose text tries to run script:
// the page renders them inert.
func TestMarkdownSanitised(t *testing.T) {
	bodies := []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](&#106;avascript:alert(1))",
		"[click](  javascript:alert(1))",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<svg onload=alert(1)>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<div style=\"position:fixed\">x</div>",
		"<div hx-get=\"/logout\" hx-trigger=\"load\">x</div>",
		"<a hx-post=\"/councils/1/leave\" hx-trigger=\"mouseover\">x</a>",
		"<div sse-connect=\"/motions/1/live\">x</div>",
		"<form action=\"/logout\" method=\"post\"><button>x</button></form>",
		"<object data=\"x.swf\"></object>",
		"![x](javascript:alert(1))",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
		"<<script>script>alert(1)<</script>/script>",
		"Click <https://example.org> or **bold** text.",
	}
	bad := regexp.MustCompile(`(?i)<script|<iframe|<object|<svg|<form|<style|\son[a-z]+\s*=|javascript:|data:text|\shx-|\ssse-|\sstyle\s*=`)
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		a := w.actors[member]
		for _, body := range bodies {
			var out motionResponse
			a.api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "<script>alert('title')</script>", "body": body}).want(t, 201).decode(t, &out)
			page := string(a.get("/motions/"+id(out.Motion.ID)).want(t, 200).Body)
			_, article, _ := strings.Cut(page, `<article class="motion-text">`)
			article, _, ok := strings.Cut(article, "</article>")
			if !ok {
				t.Fatalf("no motion text on the page for %q", body)
			}
			if m := bad.FindString(article); m != "" {
				t.Errorf("body %q renders %q: %s", body, m, article)
			}
			if strings.Contains(page, "<script>alert") {
				t.Errorf("the title is not escaped: %q", body)
			}
		}
		// Ordinary Markdown still renders, links marked nofollow.
		var out motionResponse
		a.api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "Ok", "body": bodies[len(bodies)-1]}).want(t, 201).decode(t, &out)
		page := string(a.get("/motions/" + id(out.Motion.ID)).Body)
		for _, want := range []string{"<strong>bold</strong>", `href="https://example.org"`, `rel="nofollow`} {
			if !strings.Contains(page, want) {
				t.Errorf("ordinary Markdown lacks %s", want)
			}
		}
	})
}
