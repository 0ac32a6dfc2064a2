package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// Statuses, short, for the tables.
const (
	s200 = http.StatusOK
	s201 = http.StatusCreated
	s204 = http.StatusNoContent
	s303 = http.StatusSeeOther
	s401 = http.StatusUnauthorized
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
	s409 = http.StatusConflict
)

// every is the same status for every role.
func every(status int) [nRoles]int {
	var w [nRoles]int
	for i := range w {
		w[i] = status
	}
	return w
}

// accounts is ok for every signed-in role and 401 for anonymous visitors.
func accounts(ok int) [nRoles]int {
	w := every(ok)
	w[anonymous] = s401
	return w
}

// only is ok for the given roles, 401 for anonymous visitors and 403 for
// everyone else.
func only(ok int, roles ...role) [nRoles]int {
	w := every(s403)
	w[anonymous] = s401
	for _, r := range roles {
		w[r] = ok
	}
	return w
}

// with changes some roles' statuses.
func with(w [nRoles]int, r role, status int) [nRoles]int {
	w[r] = status
	return w
}

// authCase is one action tried by every role.
type authCase struct {
	route string // the route as routes.go registers it: "METHOD /pattern"
	// req returns the concrete path and body of the request of actor a
	// in scene sc (setting up what the request acts on).
	req  func(sc *scene, a *client) (path string, body any)
	want [nRoles]int
	// fresh: the action uses up the actor's role (a member who leaves):
	// the case runs in a new scene with new actors.
	fresh bool
}

func (c authCase) method() string { m, _, _ := strings.Cut(c.route, " "); return m }

// fixed returns a fixed path, for cases that need no setup.
func fixed(p string) func(*scene, *client) (string, any) {
	return func(*scene, *client) (string, any) { return p, nil }
}

// apiAuthCases lists every API route with the status each role gets.
var apiAuthCases = []authCase{
	{route: "GET /api/v1/openapi.json", req: fixed("/api/v1/openapi.json"), want: every(s200)},
	{route: "POST /api/v1/setup", want: every(s409), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/setup", map[string]string{"handle": sc.w.handle("usurper"), "name": "Usurper", "password": testPassword, "federation": "Mine"}
	}},
	{route: "POST /api/v1/accounts", want: every(s201), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/accounts", map[string]string{"handle": sc.w.handle("new"), "name": "New", "password": testPassword}
	}},
	{route: "POST /api/v1/session", want: every(s401), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/session", map[string]string{"handle": a.handle + "x", "password": "wrong password"}
	}},
	{route: "DELETE /api/v1/session", req: fixed("/api/v1/session"), want: every(s204)},
	{route: "GET /api/v1/me", req: fixed("/api/v1/me"), want: accounts(s200)},
	{route: "PUT /api/v1/me/password", want: accounts(s204), fresh: true, req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/me/password", map[string]string{"current": testPassword, "new": testPassword}
	}},
	{route: "GET /api/v1/tokens", req: fixed("/api/v1/tokens"), want: accounts(s200)},
	{route: "POST /api/v1/tokens", want: accounts(s201), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/tokens", map[string]string{"name": "laptop"}
	}},
	// Deleting the founder's spare token: anyone else's attempt finds no
	// token of theirs with that id.
	{route: "DELETE /api/v1/tokens/{id}", want: with(with(accounts(s404), secretary, s204), anonymous, s401), req: func(sc *scene, a *client) (string, any) {
		_, tok, err := sc.w.srv.newAPIToken(sc.w.t.Context(), sc.founder.id, "spare")
		sc.w.must(err)
		return "/api/v1/tokens/" + url.PathEscape(tok.(store.APIToken).ID), nil
	}},
	{route: "GET /api/v1/federations", req: fixed("/api/v1/federations"), want: accounts(s200)},
	{route: "POST /api/v1/federations", want: accounts(s201), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/federations", map[string]string{"name": "Moscow, 1917"}
	}},
	{route: "GET /api/v1/federations/{id}", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/federations/" + id(sc.fed), nil
	}},
	{route: "POST /api/v1/federations/{id}/councils", want: only(s201, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/federations/" + id(sc.fed) + "/councils", map[string]any{"name": "Obukhov Works", "kind": "base"}
	}},
	{route: "GET /api/v1/councils/{id}", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov), nil
	}},
	{route: "POST /api/v1/councils/{id}/links", want: only(s204, secretary), req: func(sc *scene, a *client) (string, any) {
		from := sc.w.council(sc.fed, sc.founder, "Obukhov Works", soviet.Base)
		to := sc.w.council(sc.fed, sc.founder, "Moscow Soviet", soviet.Delegate)
		return "/api/v1/councils/" + id(from) + "/links", map[string]int64{"to": to}
	}},
	{route: "GET /api/v1/councils/{id}/invitations", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/invitations", nil
	}},
	{route: "POST /api/v1/councils/{id}/invitations", want: only(s201, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/invitations", map[string]string{"note": "for Sasha"}
	}},
	{route: "DELETE /api/v1/invitations/{id}", want: only(s204, secretary), req: func(sc *scene, a *client) (string, any) {
		inv, _ := sc.invitation()
		return "/api/v1/invitations/" + id(inv), nil
	}},
	// Whoever holds an invitation's token may accept it (a member of
	// another council moves); a member of the council already is one.
	{route: "POST /api/v1/invitations/accept", want: with(accounts(s200), member, s409), fresh: true, req: func(sc *scene, a *client) (string, any) {
		_, token := sc.invitation()
		return "/api/v1/invitations/accept", map[string]string{"token": token}
	}},
	{route: "GET /api/v1/councils/{id}/join-requests", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/join-requests", nil
	}},
	{route: "POST /api/v1/councils/{id}/join-requests", want: with(accounts(s201), member, s409), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/join-requests", map[string]string{"message": "let me in"}
	}},
	{route: "POST /api/v1/join-requests/{id}/decision", want: only(s204, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/join-requests/" + id(sc.joinRequest()) + "/decision", map[string]bool{"admit": true}
	}},
	{route: "POST /api/v1/councils/{id}/leave", want: only(s204, member), fresh: true, req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/leave", nil
	}},
	{route: "GET /api/v1/councils/{id}/motions", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/motions", nil
	}},
	{route: "POST /api/v1/councils/{id}/motions", want: only(s201, member), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/councils/" + id(sc.putilov) + "/motions", map[string]string{"title": "Bread", "body": "Peace, land and bread."}
	}},
	{route: "GET /api/v1/motions/{id}", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Voting)), nil
	}},
	{route: "POST /api/v1/motions/{id}/support", want: only(s204, member), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/support", nil
	}},
	// The actor's own motion if they may propose one, else Alice's: only
	// the proposer may withdraw.
	{route: "POST /api/v1/motions/{id}/withdraw", want: only(s204, member), req: func(sc *scene, a *client) (string, any) {
		m, err := sc.w.svc.ProposeMotion(sc.w.t.Context(), a.id, soviet.MotionInput{Council: sc.putilov, Title: "Mine"})
		if err != nil {
			return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/withdraw", nil
		}
		return "/api/v1/motions/" + id(m.ID) + "/withdraw", nil
	}},
	{route: "POST /api/v1/motions/{id}/vote/open", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/vote/open", nil
	}},
	{route: "POST /api/v1/motions/{id}/vote/close", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Voting)) + "/vote/close", nil
	}},
	{route: "PUT /api/v1/motions/{id}/vote", want: only(s204, member), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Voting)) + "/vote", map[string]string{"choice": "yes"}
	}},
	{route: "GET /api/v1/motions/{id}/votes", want: only(s200, member, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.motion(soviet.Voting)) + "/votes", nil
	}},
	{route: "POST /api/v1/motions/{id}/ballot", want: only(s201, member), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.secretMotion(false)) + "/ballot", map[string]string{"choice": "yes"}
	}},
	{route: "GET /api/v1/motions/{id}/bulletin", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.secretMotion(true)) + "/bulletin", nil
	}},
	{route: "GET /api/v1/motions/{id}/bulletin/receipts/{code}", want: only(s200, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/api/v1/motions/" + id(sc.secretMotion(true)) + "/bulletin/receipts/0123abcd", nil
	}},
	{route: "GET /api/v1/votes/open", req: fixed("/api/v1/votes/open"), want: accounts(s200)},
	{route: "GET /api/v1/log/head", req: fixed("/api/v1/log/head"), want: every(s200)},
	{route: "GET /api/v1/log/events", req: fixed("/api/v1/log/events?from=1&limit=5"), want: accounts(s200)},
	{route: "GET /api/v1/log/proof/inclusion", req: fixed("/api/v1/log/proof/inclusion?seq=2"), want: every(s200)},
	{route: "GET /api/v1/log/proof/consistency", req: fixed("/api/v1/log/proof/consistency?first=2"), want: every(s200)},
}

// pageAuthCases lists every form post of the pages with the status each
// role gets: 303 to the page that shows the result, or the form again
// with the error's status.
var pageAuthCases = []authCase{
	{route: "POST /setup", want: every(s409), req: func(sc *scene, a *client) (string, any) {
		return "/setup", url.Values{"handle": {sc.w.handle("usurper")}, "name": {"Usurper"}, "password": {testPassword}}
	}},
	{route: "POST /login", want: every(s401), req: func(sc *scene, a *client) (string, any) {
		return "/login", url.Values{"handle": {a.handle + "x"}, "password": {"wrong password"}}
	}},
	{route: "POST /logout", req: fixed("/logout"), want: every(s303), fresh: true},
	// Signing up signs the browser in as the new account.
	{route: "POST /signup", want: every(s303), fresh: true, req: func(sc *scene, a *client) (string, any) {
		return "/signup", url.Values{"handle": {sc.w.handle("new")}, "name": {"New"}, "password": {testPassword}}
	}},
	{route: "POST /account/password", want: accounts(s303), fresh: true, req: func(sc *scene, a *client) (string, any) {
		return "/account/password", url.Values{"current": {testPassword}, "new": {testPassword}}
	}},
	// The new token is shown once, on the page that answers the post.
	{route: "POST /account/tokens", want: accounts(s200), req: func(sc *scene, a *client) (string, any) {
		return "/account/tokens", url.Values{"name": {"laptop"}}
	}},
	{route: "POST /account/tokens/{id}/delete", want: with(with(accounts(s404), secretary, s303), anonymous, s401), req: func(sc *scene, a *client) (string, any) {
		_, tok, err := sc.w.srv.newAPIToken(sc.w.t.Context(), sc.founder.id, "spare")
		sc.w.must(err)
		return "/account/tokens/" + url.PathEscape(tok.(store.APIToken).ID) + "/delete", url.Values{}
	}},
	{route: "POST /federations", want: accounts(s303), req: func(sc *scene, a *client) (string, any) {
		return "/federations", url.Values{"name": {"Moscow, 1917"}}
	}},
	{route: "POST /federations/{id}/councils", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/federations/" + id(sc.fed) + "/councils", url.Values{"name": {"Obukhov Works"}, "kind": {"base"}}
	}},
	{route: "POST /councils/{id}/links", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		from := sc.w.council(sc.fed, sc.founder, "Obukhov Works", soviet.Base)
		to := sc.w.council(sc.fed, sc.founder, "Moscow Soviet", soviet.Delegate)
		return "/councils/" + id(from) + "/links", url.Values{"to": {id(to)}}
	}},
	// The new invitation link is shown once, on the page that answers.
	{route: "POST /councils/{id}/invitations", want: only(s201, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/councils/" + id(sc.putilov) + "/invitations", url.Values{"note": {"for Sasha"}}
	}},
	{route: "POST /councils/{id}/join", want: with(accounts(s303), member, s409), req: func(sc *scene, a *client) (string, any) {
		return "/councils/" + id(sc.putilov) + "/join", url.Values{"message": {"let me in"}}
	}},
	{route: "POST /councils/{id}/leave", want: only(s303, member), fresh: true, req: func(sc *scene, a *client) (string, any) {
		return "/councils/" + id(sc.putilov) + "/leave", url.Values{}
	}},
	{route: "POST /councils/{id}/motions", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
		return "/councils/" + id(sc.putilov) + "/motions", url.Values{"title": {"Bread"}, "body": {"Peace, land and bread."}}
	}},
	{route: "POST /invitations/{id}/revoke", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		inv, _ := sc.invitation()
		return "/invitations/" + id(inv) + "/revoke", url.Values{}
	}},
	// An anonymous visitor is sent to create an account first.
	{route: "POST /join/{token}", want: with(with(accounts(s303), member, s409), anonymous, s303), fresh: true, req: func(sc *scene, a *client) (string, any) {
		_, token := sc.invitation()
		return "/join/" + token, url.Values{}
	}},
	{route: "POST /join-requests/{id}/decision", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/join-requests/" + id(sc.joinRequest()) + "/decision", url.Values{"admit": {"yes"}}
	}},
	{route: "POST /motions/{id}/support", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
		return "/motions/" + id(sc.motion(soviet.Debate)) + "/support", url.Values{}
	}},
	{route: "POST /motions/{id}/withdraw", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
		m, err := sc.w.svc.ProposeMotion(sc.w.t.Context(), a.id, soviet.MotionInput{Council: sc.putilov, Title: "Mine"})
		if err != nil {
			return "/motions/" + id(sc.motion(soviet.Debate)) + "/withdraw", url.Values{}
		}
		return "/motions/" + id(m.ID) + "/withdraw", url.Values{}
	}},
	{route: "POST /motions/{id}/open", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/motions/" + id(sc.motion(soviet.Debate)) + "/open", url.Values{}
	}},
	{route: "POST /motions/{id}/close", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
		return "/motions/" + id(sc.motion(soviet.Voting)) + "/close", url.Values{}
	}},
	{route: "POST /motions/{id}/vote", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
		return "/motions/" + id(sc.motion(soviet.Voting)) + "/vote", url.Values{"choice": {"yes"}}
	}},
	// The receipt is shown once, on the page that answers the post.
	{route: "POST /motions/{id}/ballot", want: only(s200, member), req: func(sc *scene, a *client) (string, any) {
		return "/motions/" + id(sc.secretMotion(false)) + "/ballot", url.Values{"choice": {"yes"}}
	}},
}

// mustCover fails the test unless keys ("METHOD /pattern") hold every
// route of the server that is of the kind.
func mustCover(t *testing.T, s *Server, table string, keys []string, kind func(route) bool) {
	t.Helper()
	have := map[string]bool{}
	for _, k := range keys {
		have[k] = true
	}
	for _, rt := range s.routes {
		if key := rt.Method + " " + rt.Path; kind(rt) && !have[key] {
			t.Errorf("%s is not in %s", key, table)
		}
	}
}

// TestAuthorizationAPI tries every API route as every role: each gets the
// status in the table, a refusal is a JSON error and appends nothing to
// the log, and a success has the status the OpenAPI document promises.
func TestAuthorizationAPI(t *testing.T) {
	runAuthCases(t, false, apiAuthCases, func(a *client, method, path string, body any) *response {
		return a.api(method, path, body)
	})
}

// TestAuthorizationPages posts every form of the pages as every role (a
// browser with its session cookie).
func TestAuthorizationPages(t *testing.T) {
	runAuthCases(t, true, pageAuthCases, func(a *client, method, path string, body any) *response {
		vals, _ := body.(url.Values)
		return a.form(path, vals)
	})
}

func runAuthCases(t *testing.T, pages bool, cases []authCase, send func(a *client, method, path string, body any) *response) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		routes := routeIndex(w.srv)
		for _, tc := range cases {
			rt, ok := routes[tc.route]
			if !ok {
				t.Fatalf("%s is not a route of the server", tc.route)
			}
			t.Run(strings.NewReplacer("/", "_", " ", "_").Replace(tc.route), func(t *testing.T) {
				defer w.in(t)()
				sc := w.scene
				if tc.fresh {
					sc = w.newScene(nil)
				}
				for r := range nRoles {
					a := sc.actors[r]
					if tc.fresh {
						a = sc.actor(r)
					}
					p, body := tc.req(sc, a)
					if !routeMatches(tc.route, tc.method(), p) {
						t.Fatalf("%s does not match %s", p, tc.route)
					}
					res := send(a, tc.method(), p, body)
					if res.Status != tc.want[r] {
						t.Errorf("%s: %s got %d, want %d: %s", tc.route, r, res.Status, tc.want[r], res.summary())
						continue
					}
					if res.Status < 400 {
						if doc := documentedStatus(t, w.srv, rt); res.Status != doc {
							t.Errorf("%s: success is %d, but the OpenAPI document says %d", tc.route, res.Status, doc)
						}
						continue
					}
					if !rt.Page {
						res.apiError(t)
					} else if !strings.Contains(string(res.Body), `role="alert"`) {
						t.Errorf("%s: %s got %d without an error message on the page: %s", tc.route, r, res.Status, res.summary())
					}
					res.changedNothing(t)
				}
			})
		}
		// Every route of the kind is in the table: every API route,
		// every form post of the pages.
		var keys []string
		for _, tc := range cases {
			keys = append(keys, tc.route)
		}
		mustCover(t, w.srv, "the authorization table", keys, func(rt route) bool {
			return rt.Page == pages && !(pages && rt.Method == "GET")
		})
	})
}
