package web

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"soviet"
	"soviet/storetest"
)

// jsonEndpoint is an API route that reads a JSON body, with an actor who
// may use it and a body it accepts.
type jsonEndpoint struct {
	route string
	as    role
	path  func(sc *scene) string
	valid string // a body the route accepts (used for ids and oversized bodies)
	// wrongType is a body with a field of the wrong JSON type.
	wrongType string
	// missing is a body that lacks a required field; "" if none is.
	missing string
}

// firstKey returns the first key of a JSON object, or "".
func firstKey(obj string) string {
	k, _, ok := strings.Cut(strings.TrimPrefix(obj, `{"`), `"`)
	if !ok || !strings.HasPrefix(obj, `{"`) {
		return ""
	}
	return k
}

func at(p string) func(*scene) string { return func(*scene) string { return p } }

var jsonEndpoints = []jsonEndpoint{
	{route: "POST /api/v1/setup", as: anonymous, path: at("/api/v1/setup"),
		valid: `{"handle":"usurper","name":"U","password":"` + testPassword + `"}`, wrongType: `{"handle":1}`, missing: `{"handle":"usurper","name":"U"}`},
	{route: "POST /api/v1/accounts", as: anonymous, path: at("/api/v1/accounts"),
		valid: `{"handle":"sasha","name":"Sasha","password":"` + testPassword + `"}`, wrongType: `{"handle":"sasha","name":["S"]}`, missing: `{"name":"Sasha","password":"` + testPassword + `"}`},
	{route: "POST /api/v1/session", as: anonymous, path: at("/api/v1/session"),
		valid: `{"handle":"nobody","password":"x"}`, wrongType: `{"handle":"nobody","password":12345678901}`},
	{route: "PUT /api/v1/me/password", as: member, path: at("/api/v1/me/password"),
		valid: `{"current":"` + testPassword + `","new":"` + testPassword + `"}`, wrongType: `{"current":true,"new":"x"}`, missing: `{"current":"` + testPassword + `"}`},
	{route: "POST /api/v1/tokens", as: member, path: at("/api/v1/tokens"),
		valid: `{"name":"laptop"}`, wrongType: `{"name":{"a":1}}`, missing: `{}`},
	{route: "POST /api/v1/federations", as: member, path: at("/api/v1/federations"),
		valid: `{"name":"Moscow"}`, wrongType: `{"name":1917}`, missing: `{}`},
	{route: "POST /api/v1/federations/{id}/councils", as: secretary, path: func(sc *scene) string { return "/api/v1/federations/" + id(sc.fed) + "/councils" },
		valid: `{"name":"Obukhov Works","kind":"base"}`, wrongType: `{"name":"Obukhov Works","kind":"base","sends_to":"all"}`, missing: `{"name":"Obukhov Works"}`},
	{route: "POST /api/v1/councils/{id}/links", as: secretary, path: func(sc *scene) string { return "/api/v1/councils/" + id(sc.putilov) + "/links" },
		valid: `{"to":1}`, wrongType: `{"to":"the soviet"}`, missing: `{}`},
	{route: "POST /api/v1/councils/{id}/invitations", as: secretary, path: func(sc *scene) string { return "/api/v1/councils/" + id(sc.putilov) + "/invitations" },
		valid: `{"note":"for Sasha"}`, wrongType: `{"note":7}`},
	{route: "POST /api/v1/invitations/accept", as: outsider, path: at("/api/v1/invitations/accept"),
		valid: `{"token":"nope"}`, wrongType: `{"token":null,"x":1}`, missing: `{}`},
	{route: "POST /api/v1/councils/{id}/join-requests", as: outsider, path: func(sc *scene) string { return "/api/v1/councils/" + id(sc.putilov) + "/join-requests" },
		valid: `{"message":"hello"}`, wrongType: `{"message":false}`},
	{route: "POST /api/v1/join-requests/{id}/decision", as: secretary, path: func(sc *scene) string { return "/api/v1/join-requests/" + id(sc.joinRequest()) + "/decision" },
		valid: `{"admit":true}`, wrongType: `{"admit":"yes"}`, missing: `{}`},
	{route: "POST /api/v1/councils/{id}/motions", as: member, path: func(sc *scene) string { return "/api/v1/councils/" + id(sc.putilov) + "/motions" },
		valid: `{"title":"Bread","body":"Peace, land and bread."}`, wrongType: `{"title":"Bread","majority":2}`, missing: `{"body":"no title"}`},
	{route: "POST /api/v1/motions/{id}/vote/open", as: secretary, path: func(sc *scene) string { return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/vote/open" },
		valid: `{}`, wrongType: `{"deadline":1700000000}`},
	{route: "POST /api/v1/motions/{id}/ballot", as: member, path: func(sc *scene) string { return "/api/v1/motions/" + id(sc.secretMotion(false)) + "/ballot" },
		valid: `{"choice":"no"}`, wrongType: `{"choice":true}`, missing: `{}`},
	{route: "PUT /api/v1/motions/{id}/vote", as: member, path: func(sc *scene) string { return "/api/v1/motions/" + id(sc.motion(soviet.Voting)) + "/vote" },
		valid: `{"choice":"yes"}`, wrongType: `{"choice":1}`, missing: `{}`},
}

// TestBadJSON sends every JSON endpoint bodies it must refuse: each gets a
// clear 4xx JSON error and changes nothing.
func TestBadJSON(t *testing.T) {
	const mib = 1 << 20 // the limit on a body
	huge := `{"name":"` + strings.Repeat("a", mib) + `"}`
	type variant struct {
		name        string
		body        func(e jsonEndpoint) string
		contentType string
		want        int
	}
	variants := []variant{
		{"malformed", func(jsonEndpoint) string { return `{"title": "Bread",` }, "application/json", 400},
		{"syntax error", func(jsonEndpoint) string { return `{title: Bread}` }, "application/json", 400},
		{"array", func(jsonEndpoint) string { return `[1, 2]` }, "application/json", 400},
		{"string", func(jsonEndpoint) string { return `"yes"` }, "application/json", 400},
		{"wrong field type", func(e jsonEndpoint) string { return e.wrongType }, "application/json", 400},
		{"unknown field", func(jsonEndpoint) string { return `{"nope": 1}` }, "application/json", 400},
		{"field name in capitals", func(e jsonEndpoint) string {
			k := firstKey(e.valid)
			if k == "" {
				return ""
			}
			return strings.Replace(e.valid, `"`+k+`"`, `"`+strings.ToUpper(k)+`"`, 1)
		}, "application/json", 400},
		{"repeated field", func(e jsonEndpoint) string {
			if k := firstKey(e.valid); k != "" {
				return `{"` + k + `":null,` + e.valid[1:]
			}
			return ""
		}, "application/json", 400},
		{"null", func(jsonEndpoint) string { return `null` }, "application/json", 400},
		{"null field", func(e jsonEndpoint) string {
			k := firstKey(e.valid)
			if k == "" {
				return ""
			}
			var obj map[string]any
			json.Unmarshal([]byte(e.valid), &obj)
			obj[k] = nil
			b, _ := json.Marshal(obj)
			return string(b)
		}, "application/json", 400},
		{"missing field", func(e jsonEndpoint) string { return e.missing }, "application/json", 400},
		{"empty", func(jsonEndpoint) string { return `` }, "application/json", 400},
		{"two values", func(e jsonEndpoint) string { return e.valid + ` {}` }, "application/json", 400},
		{"invalid UTF-8", func(e jsonEndpoint) string { return strings.Replace(e.valid, `":"`, "\":\"\xff\xfe", 1) }, "application/json", 400},
		{"oversized", func(jsonEndpoint) string { return huge }, "application/json", 413},
		{"text/plain", func(e jsonEndpoint) string { return e.valid }, "text/plain", 415},
		{"form", func(e jsonEndpoint) string { return e.valid }, "application/x-www-form-urlencoded", 415},
		{"bad media type", func(e jsonEndpoint) string { return e.valid }, "application/json; charset", 415},
	}
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		for _, ep := range jsonEndpoints {
			t.Run(strings.NewReplacer("/", "_", " ", "_").Replace(ep.route), func(t *testing.T) {
				defer w.in(t)()
				for _, v := range variants {
					body := v.body(ep)
					if body == "" && v.name != "empty" {
						continue
					}
					if v.name == "empty" && (ep.route == "POST /api/v1/motions/{id}/vote/open" || ep.route == "POST /api/v1/elections/{id}/polling") {
						continue // no body means the charter's defaults
					}
					if v.name == "invalid UTF-8" && !strings.Contains(ep.valid, `":"`) {
						continue
					}
					a := w.actors[ep.as]
					p := ep.path(w.scene)
					hdr := map[string]string{"Content-Type": v.contentType}
					if a.token != "" {
						hdr["Authorization"] = "Bearer " + a.token
					}
					res := a.send(a.plain, ep.route[:strings.Index(ep.route, " ")], p, strings.NewReader(body), hdr)
					if res.Status != v.want {
						t.Errorf("%s: status %d, want %d: %s", v.name, res.Status, v.want, res.summary())
						continue
					}
					res.apiError(t)
					res.changedNothing(t)
				}
			})
		}
		var keys []string
		for _, ep := range jsonEndpoints {
			keys = append(keys, ep.route)
		}
		mustCover(t, w.srv, "the bad-input table", keys, func(rt route) bool { return !rt.Page && rt.In != nil })
	})
}

// TestBadIDs sends every route with an id in its path ids that are not
// positive integers (400) and ids of nothing (404).
func TestBadIDs(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		bodies := map[string]string{}
		for _, ep := range jsonEndpoints {
			bodies[ep.route] = ep.valid
		}
		bodies["POST /api/v1/councils/{id}/links"] = `{"to":` + id(w.soviet) + `}`
		ids := []struct {
			id   string
			want int
		}{
			{"abc", 400}, {"0", 400}, {"-3", 400}, {"1.5", 400}, {"1e3", 400}, {"0x10", 400},
			{"99999999999999999999", 400}, {"%20", 400},
			{"999999", 404},
			{id(w.alice.id), 404}, // an account's id: no federation, council, motion… has it
		}
		param := regexp.MustCompile(`\{id\}`)
		for _, rt := range w.srv.routes {
			if !strings.Contains(rt.Path, "{id}") {
				continue
			}
			key := rt.Method + " " + rt.Path
			for _, tc := range ids {
				want := tc.want
				if strings.Contains(rt.Path, "/tokens/{id}") {
					want = 404 // token ids are strings
				}
				a := w.founder
				if strings.Contains(rt.Path, "/vote") && !strings.Contains(rt.Path, "/vote/") ||
					strings.Contains(rt.Path, "/support") || strings.Contains(rt.Path, "/withdraw") ||
					strings.Contains(rt.Path, "/leave") || strings.HasSuffix(rt.Path, "/motions") && rt.Method == "POST" {
					a = w.actors[member]
				}
				p := param.ReplaceAllString(rt.Path, tc.id)
				var res *response
				switch {
				case !rt.Page:
					var body any
					if b, ok := bodies[key]; ok {
						body = b
					}
					res = a.api(rt.Method, p, body)
				case rt.Method == "GET":
					if rt.Stream {
						continue // the live stream: see TestLiveTally
					}
					res = a.get(p)
				default:
					res = a.form(p, url.Values{"choice": {"yes"}, "admit": {"yes"}, "to": {id(w.soviet)}, "title": {"T"}, "name": {"N"}, "kind": {"base"}})
				}
				if res.Status != want {
					t.Errorf("%s with id %q: status %d, want %d: %s", key, tc.id, res.Status, want, res.summary())
					continue
				}
				if !rt.Page {
					res.apiError(t)
				}
				res.changedNothing(t)
			}
		}
	})
}

// requestCase is a request made on a world.
type requestCase struct {
	name string
	// do sets the state up and makes the request checked.
	do   func(w *world) *response
	want int
}

// TestRefusedByState makes requests that are well formed but collide with
// the state (used, expired or revoked invitations, closed votes, a vote
// cast twice, a second founder…): each gets a clear 4xx and changes
// nothing.
func TestRefusedByState(t *testing.T) {
	mem := func(w *world) *client { return w.actors[member] }
	cases := []requestCase{
		{"second founder (API)", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/setup", map[string]string{"handle": "usurper", "name": "U", "password": testPassword})
		}, 409},
		{"second founder (setup page)", func(w *world) *response { return w.anonymous().get("/setup") }, 409},
		{"second founder (setup form)", func(w *world) *response {
			return w.anonymous().form("/setup", url.Values{"handle": {"usurper"}, "name": {"U"}, "password": {testPassword}})
		}, 409},
		{"invitation used", func(w *world) *response {
			_, token := w.invitation()
			w.actor(outsider).api("POST", "/api/v1/invitations/accept", map[string]string{"token": token}).want(w.t, 200)
			return w.actor(outsider).api("POST", "/api/v1/invitations/accept", map[string]string{"token": token})
		}, 409},
		{"invitation used (page)", func(w *world) *response {
			_, token := w.invitation()
			w.actor(outsider).form("/join/"+token, nil).want(w.t, 303)
			return w.actor(outsider).form("/join/"+token, nil)
		}, 409},
		{"invitation revoked", func(w *world) *response {
			inv, token := w.invitation()
			w.founder.api("DELETE", "/api/v1/invitations/"+id(inv), nil).want(w.t, 204)
			return w.actor(outsider).api("POST", "/api/v1/invitations/accept", map[string]string{"token": token})
		}, 409},
		{"invitation revoked twice", func(w *world) *response {
			inv, _ := w.invitation()
			w.founder.api("DELETE", "/api/v1/invitations/"+id(inv), nil).want(w.t, 204)
			return w.founder.api("DELETE", "/api/v1/invitations/"+id(inv), nil)
		}, 409},
		{"invitation expired", func(w *world) *response {
			_, token := w.invitation()
			w.clock.Advance(15 * 24 * time.Hour)
			return w.actor(outsider).api("POST", "/api/v1/invitations/accept", map[string]string{"token": token})
		}, 409},
		{"invitation unknown", func(w *world) *response {
			return w.actor(outsider).api("POST", "/api/v1/invitations/accept", map[string]string{"token": "no-such-token"})
		}, 404},
		{"vote on a closed motion", func(w *world) *response {
			return mem(w).api("PUT", "/api/v1/motions/"+id(w.motion("closed"))+"/vote", map[string]string{"choice": "yes"})
		}, 409},
		{"vote on a closed motion (page)", func(w *world) *response {
			return mem(w).form("/motions/"+id(w.motion("closed"))+"/vote", url.Values{"choice": {"yes"}})
		}, 409},
		{"vote before the vote opens", func(w *world) *response {
			return mem(w).api("PUT", "/api/v1/motions/"+id(w.motion(soviet.Debate))+"/vote", map[string]string{"choice": "yes"})
		}, 409},
		{"vote after the deadline", func(w *world) *response {
			m := w.motion(soviet.Voting)
			w.clock.Advance(8 * 24 * time.Hour)
			return mem(w).api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "yes"})
		}, 409},
		{"vote twice the same", func(w *world) *response {
			m := w.motion(soviet.Voting)
			mem(w).api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "no"}).want(w.t, 204)
			return mem(w).api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "no"})
		}, 409},
		{"vote with a bad choice", func(w *world) *response {
			return mem(w).api("PUT", "/api/v1/motions/"+id(w.motion(soviet.Voting))+"/vote", map[string]string{"choice": "YES"})
		}, 400},
		{"vote with a bad choice (page)", func(w *world) *response {
			return mem(w).form("/motions/"+id(w.motion(soviet.Voting))+"/vote", url.Values{"choice": {"maybe"}})
		}, 400},
		{"vote having joined after it opened", func(w *world) *response {
			m := w.motion(soviet.Voting)
			return w.actor(member).api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "yes"})
		}, 403},
		{"ballot twice", func(w *world) *response {
			m := w.secretMotion(false)
			mem(w).api("POST", "/api/v1/motions/"+id(m)+"/ballot", map[string]string{"choice": "no"}).want(w.t, 201)
			return mem(w).api("POST", "/api/v1/motions/"+id(m)+"/ballot", map[string]string{"choice": "yes"})
		}, 409},
		{"ballot in a roll-call vote", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/motions/"+id(w.motion(soviet.Voting))+"/ballot", map[string]string{"choice": "no"})
		}, 409},
		{"named vote in a secret vote", func(w *world) *response {
			return mem(w).api("PUT", "/api/v1/motions/"+id(w.secretMotion(false))+"/vote", map[string]string{"choice": "no"})
		}, 409},
		{"ballot after the close (page)", func(w *world) *response {
			return mem(w).form("/motions/"+id(w.secretMotion(true))+"/ballot", url.Values{"choice": {"no"}})
		}, 409},
		{"bulletin of an open vote", func(w *world) *response {
			return mem(w).api("GET", "/api/v1/motions/"+id(w.secretMotion(false))+"/bulletin", nil)
		}, 404},
		{"close a closed vote", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/motions/"+id(w.motion("closed"))+"/vote/close", nil)
		}, 409},
		{"open a vote twice", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/motions/"+id(w.motion(soviet.Voting))+"/vote/open", nil)
		}, 409},
		{"open a vote with a past deadline", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/motions/"+id(w.motion(soviet.Debate))+"/vote/open", map[string]any{"deadline": w.clock.Now().Add(-time.Hour)})
		}, 400},
		{"open a vote for two years", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/motions/"+id(w.motion(soviet.Debate))+"/vote/open", map[string]any{"deadline": w.clock.Now().Add(2 * 365 * 24 * time.Hour)})
		}, 400},
		{"open a vote with a bad deadline (page)", func(w *world) *response {
			return w.founder.form("/motions/"+id(w.motion(soviet.Debate))+"/open", url.Values{"deadline": {"next Tuesday"}})
		}, 400},
		{"support twice", func(w *world) *response {
			m := w.motion(soviet.Debate)
			mem(w).api("POST", "/api/v1/motions/"+id(m)+"/support", nil).want(w.t, 204)
			return mem(w).api("POST", "/api/v1/motions/"+id(m)+"/support", nil)
		}, 409},
		{"support a closed motion", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/motions/"+id(w.motion("closed"))+"/support", nil)
		}, 409},
		{"withdraw during the vote", func(w *world) *response {
			return w.alice.api("POST", "/api/v1/motions/"+id(w.motion(soviet.Voting))+"/withdraw", nil)
		}, 409},
		{"motion without a title", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "  ", "body": "x"})
		}, 400},
		{"motion too long", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "Long", "body": strings.Repeat("ж", 100001)})
		}, 400},
		{"motion with an unknown majority", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "T", "majority": "unanimous"})
		}, 400},
		{"motion in a delegate council", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/councils/"+id(w.soviet)+"/motions", map[string]string{"title": "T"})
		}, 403},
		{"join request twice", func(w *world) *response {
			a := w.actor(outsider)
			a.api("POST", "/api/v1/councils/"+id(w.putilov)+"/join-requests", map[string]string{}).want(w.t, 201)
			return a.api("POST", "/api/v1/councils/"+id(w.putilov)+"/join-requests", map[string]string{})
		}, 409},
		{"join request decided twice", func(w *world) *response {
			jr := w.joinRequest()
			w.founder.api("POST", "/api/v1/join-requests/"+id(jr)+"/decision", map[string]bool{"admit": false}).want(w.t, 204)
			return w.founder.api("POST", "/api/v1/join-requests/"+id(jr)+"/decision", map[string]bool{"admit": true})
		}, 409},
		{"join a delegate council", func(w *world) *response {
			return w.actor(outsider).api("POST", "/api/v1/councils/"+id(w.soviet)+"/join-requests", map[string]string{})
		}, 400},
		{"decision neither yes nor no (page)", func(w *world) *response {
			return w.founder.form("/join-requests/"+id(w.joinRequest())+"/decision", url.Values{"admit": {"perhaps"}})
		}, 400},
		{"link twice", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/councils/"+id(w.putilov)+"/links", map[string]int64{"to": w.soviet})
		}, 409},
		{"link to a base council", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/councils/"+id(w.putilov)+"/links", map[string]int64{"to": w.fleet})
		}, 400},
		{"link in a cycle", func(w *world) *response {
			higher := w.council(w.fed, w.founder, "All-Russian Congress", soviet.Delegate)
			w.founder.api("POST", "/api/v1/councils/"+id(w.soviet)+"/links", map[string]int64{"to": higher}).want(w.t, 204)
			return w.founder.api("POST", "/api/v1/councils/"+id(higher)+"/links", map[string]int64{"to": w.soviet})
		}, 400},
		{"link to another federation", func(w *world) *response {
			other := w.council(w.fed2, w.ivan, "Kronstadt Soviet", soviet.Delegate)
			return w.founder.api("POST", "/api/v1/councils/"+id(w.putilov)+"/links", map[string]int64{"to": other})
		}, 400},
		{"link to itself", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/councils/"+id(w.soviet)+"/links", map[string]int64{"to": w.soviet})
		}, 400},
		{"body of 1 MiB", func(w *world) *response {
			body := `{"title":"Padded"}`
			return mem(w).api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", body+strings.Repeat(" ", 1<<20-len(body)))
		}, 201},
		{"body of 1 MiB and a byte", func(w *world) *response {
			body := `{"title":"Padded"}`
			return mem(w).api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", body+strings.Repeat(" ", 1<<20-len(body)+1))
		}, 413},
		{"link with a bad council (page)", func(w *world) *response {
			return w.founder.form("/councils/"+id(w.putilov)+"/links", url.Values{"to": {"the soviet"}})
		}, 400},
		{"council of an unknown kind", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/federations/"+id(w.fed)+"/councils", map[string]string{"name": "X", "kind": "soviet"})
		}, 400},
		{"council with bad links (page)", func(w *world) *response {
			return w.founder.form("/federations/"+id(w.fed)+"/councils", url.Values{"name": {"X"}, "kind": {"base"}, "sends_to": {"up"}})
		}, 400},
		{"join two councils by creating one", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/federations/"+id(w.fed)+"/councils", map[string]any{"name": "X", "kind": "base", "join": true})
		}, 403},
		{"taken handle", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/accounts", map[string]string{"handle": w.alice.handle, "name": "A", "password": testPassword})
		}, 409},
		{"bad handle", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/accounts", map[string]string{"handle": "Александр", "name": "A", "password": testPassword})
		}, 400},
		{"short password", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/accounts", map[string]string{"handle": "sasha", "name": "A", "password": "short"})
		}, 400},
		{"short password (page)", func(w *world) *response {
			return w.anonymous().form("/signup", url.Values{"handle": {"sasha"}, "name": {"A"}, "password": {"short"}})
		}, 400},
		{"wrong current password", func(w *world) *response {
			return w.alice.api("PUT", "/api/v1/me/password", map[string]string{"current": "not my password", "new": testPassword + "!"})
		}, 403},
		{"delete a token twice", func(w *world) *response {
			a := mem(w)
			res := a.api("POST", "/api/v1/tokens", map[string]string{"name": "once"}).want(w.t, 201)
			var tok tokenResponse
			res.decode(w.t, &tok)
			a.api("DELETE", "/api/v1/tokens/"+tok.Detail.ID, nil).want(w.t, 204)
			return a.api("DELETE", "/api/v1/tokens/"+tok.Detail.ID, nil)
		}, 404},
		{"token without a name", func(w *world) *response {
			return mem(w).api("POST", "/api/v1/tokens", map[string]string{"name": " "})
		}, 400},
		{"deleted token", func(w *world) *response {
			a := w.actor(member)
			res := a.api("POST", "/api/v1/tokens", map[string]string{"name": "gone"}).want(w.t, 201)
			var tok tokenResponse
			res.decode(w.t, &tok)
			a.api("DELETE", "/api/v1/tokens/"+tok.Detail.ID, nil).want(w.t, 204)
			a.token = tok.Token
			return a.api("GET", "/api/v1/me", nil)
		}, 401},
		{"malformed authorization", func(w *world) *response {
			return w.anonymous().send(w.anonymous().plain, "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Basic YTpi"})
		}, 401},
		{"bad query parameter", func(w *world) *response {
			return w.alice.api("GET", "/api/v1/log/events?limit=100000", nil)
		}, 400},
		{"proof beyond the log", func(w *world) *response {
			return w.alice.api("GET", "/api/v1/log/proof/inclusion?seq=100000", nil)
		}, 400},
		{"consistency beyond the log", func(w *world) *response {
			return w.alice.api("GET", "/api/v1/log/proof/consistency?first=2&second=100000", nil)
		}, 400},
		{"proof without seq", func(w *world) *response {
			return w.alice.api("GET", "/api/v1/log/proof/inclusion", nil)
		}, 400},
		{"unknown API route", func(w *world) *response { return w.alice.api("GET", "/api/v1/nowhere", nil) }, 404},
		{"unknown page", func(w *world) *response { return w.alice.get("/nowhere") }, 404},
		{"static file outside static", func(w *world) *response { return w.alice.get("/static/%2e%2e%2fweb.go") }, 404},
		{"static file unknown", func(w *world) *response { return w.alice.get("/static/nope.css") }, 404},
		{"form too large", func(w *world) *response {
			return mem(w).form("/councils/"+id(w.putilov)+"/motions", url.Values{"title": {"T"}, "body": {strings.Repeat("a", 1<<20)}})
		}, 413},
	}
	runRequestCases(t, cases)
}

// runRequestCases runs the cases on a world per engine: each request gets
// the status wanted, and a refusal is a clear error that changes nothing.
func runRequestCases(t *testing.T, cases []requestCase) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				defer w.in(t)()
				res := tc.do(w)
				if res.Status != tc.want {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.want, res.summary())
				}
				if res.Status < 400 {
					return
				}
				if strings.Contains(res.req, " /api/") {
					msg := res.apiError(t)
					t.Logf("%d %s: %s", res.Status, msg.Code, msg.Message)
				} else if !strings.Contains(string(res.Body), `role="alert"`) {
					t.Errorf("page without an error message: %s", res.summary())
				}
				res.changedNothing(t)
			})
		}
	})
}

// TestSetupAllOrNothing founds a fresh instance with a federation name
// that is refused: the founding account must not be created without it
// (the founder would be locked out of a founded instance with no token and
// no federation), through the API or the setup form.
func TestSetupAllOrNothing(t *testing.T) {
	long := strings.Repeat("x", 201)
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		h := newHarness(t, open)
		c := h.anonymous()
		c.get("/").want(t, 303)
		c.get("/setup").want(t, 200)
		res := c.api("POST", "/api/v1/setup", map[string]string{"handle": "lenin", "name": "V", "password": testPassword, "federation": long}).want(t, 400)
		res.apiError(t)
		res.changedNothing(t)
		res = c.form("/setup", url.Values{"handle": {"lenin"}, "name": {"V"}, "password": {testPassword}, "federation": {long}}).want(t, 400)
		res.changedNothing(t)
		if c.session() != "" {
			t.Error("a refused setup form signed the visitor in")
		}
		if founded, err := h.db.Founded(t.Context()); err != nil || founded {
			t.Fatalf("after refused setups: founded %v, %v", founded, err)
		}
		res = c.form("/setup", url.Values{"handle": {"lenin"}, "name": {"V"}, "password": {testPassword}, "federation": {"Petrograd"}}).want(t, 303)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/federations/") {
			t.Errorf("setup redirects to %q, want the new federation", loc)
		}
		c.get(res.Header.Get("Location")).want(t, 200)
	})
}

// TestNULCharacter sends text with a NUL character (which PostgreSQL
// cannot store) everywhere text goes in: the same clear 4xx on both
// engines, never a 5xx.
func TestNULCharacter(t *testing.T) {
	cases := []requestCase{
		{"motion title", func(w *world) *response {
			return w.actors[member].api("POST", "/api/v1/councils/"+id(w.putilov)+"/motions", map[string]string{"title": "a\x00b"})
		}, 400},
		{"motion body (form)", func(w *world) *response {
			return w.actors[member].form("/councils/"+id(w.putilov)+"/motions", url.Values{"title": {"T"}, "body": {"a\x00b"}})
		}, 400},
		{"federation name", func(w *world) *response {
			return w.actors[member].api("POST", "/api/v1/federations", map[string]string{"name": "\x00"})
		}, 400},
		{"council description", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/federations/"+id(w.fed)+"/councils", map[string]string{"name": "C", "kind": "base", "description": "\x00"})
		}, 400},
		{"invitation note", func(w *world) *response {
			return w.founder.api("POST", "/api/v1/councils/"+id(w.putilov)+"/invitations", map[string]string{"note": "\x00"})
		}, 400},
		{"join message", func(w *world) *response {
			return w.actors[outsider].api("POST", "/api/v1/councils/"+id(w.putilov)+"/join-requests", map[string]string{"message": "\x00"})
		}, 400},
		{"account name", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/accounts", map[string]string{"handle": "nul", "name": "N\x00", "password": testPassword})
		}, 400},
		{"token name", func(w *world) *response {
			return w.actors[member].api("POST", "/api/v1/tokens", map[string]string{"name": "\x00"})
		}, 400},
		{"token name (form)", func(w *world) *response {
			return w.actors[member].form("/account/tokens", url.Values{"name": {"\x00"}})
		}, 400},
		{"sign-in handle", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/session", map[string]string{"handle": "alice\x00", "password": testPassword})
		}, 401},
		{"sign-in handle (form)", func(w *world) *response {
			return w.anonymous().form("/login", url.Values{"handle": {"\x00"}, "password": {testPassword}})
		}, 401},
		{"password", func(w *world) *response {
			return w.anonymous().api("POST", "/api/v1/accounts", map[string]string{"handle": "nul2", "name": "N", "password": "0123456789\x00"})
		}, 201},
		{"token id", func(w *world) *response { return w.actors[member].api("DELETE", "/api/v1/tokens/%00", nil) }, 404},
		{"token id (form)", func(w *world) *response { return w.actors[member].form("/account/tokens/%00/delete", nil) }, 404},
		{"invitation token", func(w *world) *response {
			return w.actors[outsider].api("POST", "/api/v1/invitations/accept", map[string]string{"token": "\x00"})
		}, 404},
		{"invitation page", func(w *world) *response { return w.anonymous().get("/join/%00") }, 404},
		{"session cookie", func(w *world) *response { return withCookie(w.harness, "%00") }, 401},
		{"sign-in handle not UTF-8 (form)", func(w *world) *response {
			return w.anonymous().form("/login", url.Values{"handle": {"\xff"}, "password": {testPassword}})
		}, 401},
		{"receipt code", func(w *world) *response {
			return w.actors[member].api("GET", "/api/v1/motions/"+id(w.secretMotion(true))+"/bulletin/receipts/ab%00cd", nil)
		}, 200},
		{"receipt code not UTF-8", func(w *world) *response {
			return w.actors[member].api("GET", "/api/v1/motions/"+id(w.secretMotion(true))+"/bulletin/receipts/%ff", nil)
		}, 200},
		{"token id not UTF-8", func(w *world) *response { return w.actors[member].api("DELETE", "/api/v1/tokens/%ff", nil) }, 404},
	}
	runRequestCases(t, cases)
}

// TestMethodNotAllowed asks known paths with methods they do not have:
// 405 with an Allow header (JSON under /api/, a page elsewhere), while
// unknown paths stay 404.
func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	c := h.found()
	cases := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"PATCH", "/api/v1/motions/1", 405, "GET, HEAD"},
		{"DELETE", "/api/v1/federations", 405, "GET, HEAD, POST"},
		{"GET", "/api/v1/invitations/accept", 405, "POST"},
		{"POST", "/api/v1/log/head", 405, "GET, HEAD"},
		{"GET", "/logout", 405, "POST"},
		{"DELETE", "/councils/3", 405, "GET, HEAD"},
		{"GET", "/api/v1/nowhere", 404, ""},
		{"POST", "/nowhere", 404, ""},
		{"GET", "/api/v1/motions/1/nowhere", 404, ""},
	}
	for _, tc := range cases {
		res := c.browser(tc.method, tc.path, nil, "")
		if res.Status != tc.want || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d with Allow %q, want %d with %q: %s", tc.method, tc.path, res.Status, res.Header.Get("Allow"), tc.want, tc.allow, res.summary())
			continue
		}
		if strings.HasPrefix(tc.path, "/api/") {
			res.apiError(t)
		} else if !strings.Contains(string(res.Body), `role="alert"`) {
			t.Errorf("%s %s: no message: %s", tc.method, tc.path, res.summary())
		}
	}
}
