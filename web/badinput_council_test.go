package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"soviet"
	"soviet/storetest"
)

// TestBadInputCouncil sends every new endpoint bad ids, bodies of the
// wrong shape, and requests the state refuses: each is a clear 4xx with a
// JSON error that says what is wrong, and the log does not grow.
func TestBadInputCouncil(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		ctx := t.Context()
		// An election taking nominations, one voting, one closed.
		nominating := cw.openElection(f.Alice, f.Putilov, f.Soviet).Election.ID
		commission := func(name string) int64 {
			c, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Name: name, Kind: soviet.Committee, Parent: f.Putilov, Role: soviet.Commission, Seats: 1})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		closed := f.Elect(commission("Food commission"), f.Putilov, []int64{f.Alice, f.Bob}, map[int64][]int64{f.Alice: {f.Alice}, f.Bob: {f.Alice}}).ID
		voting := cw.openElection(f.Alice, f.Putilov, commission("Strike commission")).Election.ID
		for _, c := range []int64{f.Alice, f.Bob} {
			if err := f.Svc.Nominate(ctx, c, voting, c, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.Svc.OpenPolling(ctx, f.Founder, voting); err != nil {
			t.Fatal(err)
		}
		other := f.Must(f.Svc.CreateFederation(ctx, f.Founder, "Moscow, 1917")).ID()
		foreign := f.Must(f.Svc.CreateFaction(ctx, f.Founder, other, "Moscow Bolsheviks", "#b3261e")).ID()
		fed := pathf("/api/v1/federations/%d", f.Fed)
		el := func(id int64, rest string) string { return pathf("/api/v1/elections/%d%s", id, rest) }

		for _, tc := range []struct {
			actor        int64
			method, path string
			body         any
			status       int
			words        string
		}{
			// Ids in the path.
			{f.Alice, "GET", "/api/v1/elections/abc", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/elections/0", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/elections/-3", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/elections/999999", nil, 404, "no election 999999"},
			{f.Alice, "GET", "/api/v1/councils/abc/seats", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/councils/999999/seats", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/999999/delegates", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/999999/composition", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/999999/elections", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/offices/999999", nil, 404, "no office"},
			{f.Alice, "GET", "/api/v1/offices/1.5", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/federations/999999/factions", nil, 404, "no federation"},
			{f.Alice, "POST", el(999999, "/candidates"), map[string]any{}, 404, "no election"},
			{f.Alice, "DELETE", el(999999, "/candidates/me"), nil, 404, "no election"},
			{f.Founder, "POST", el(999999, "/polling"), nil, 404, "no election"},
			{f.Founder, "POST", el(999999, "/close"), nil, 404, "no election"},
			{f.Alice, "PUT", el(999999, "/ballot"), map[string]any{"ranking": []int64{f.Alice}}, 404, "no election"},

			// Bodies of the wrong shape.
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), `{"body": "the soviet"}`, 400, `"body" must be an integer`},
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), `{"body": 1, "seats": 2}`, 400, "unknown field"},
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), `{"body": `, 400, "JSON"},
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), `[1]`, 400, "object"},
			{f.Alice, "POST", el(nominating, "/candidates"), `{"account": "alice"}`, 400, `"account" must be an integer`},
			{f.Alice, "POST", el(nominating, "/candidates"), `{"account": 1.5}`, 400, `"account" must be an integer`},
			{f.Alice, "POST", el(nominating, "/candidates"), `{"candidate": 1}`, 400, "unknown field"},
			{f.Alice, "POST", el(nominating, "/candidates"), map[string]int64{"account": -1}, 400, "positive"},
			{f.Alice, "PUT", el(voting, "/ballot"), `{"ranking": "alice, bob"}`, 400, `"ranking" must be an array`},
			{f.Alice, "PUT", el(voting, "/ballot"), `{"ranking": [1.5]}`, 400, "integer"},
			{f.Alice, "PUT", el(voting, "/ballot"), `{"ranking": [], "secret": true}`, 400, "unknown field"},
			{f.Alice, "POST", fed + "/factions", `{"name": 7, "colour": "#000000"}`, 400, `"name" must be a string`},
			{f.Alice, "PUT", fed + "/affiliation", `{"faction": "none"}`, 400, `"faction" must be an integer`},
			{f.Founder, "POST", fed + "/councils", `{"name": "C", "kind": "committee", "parent": 1, "role": "executive", "seats": "3"}`, 400, `"seats" must be an integer`},

			// Values the domain refuses.
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), map[string]int64{"body": 999999}, 404, "no council"},
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), map[string]int64{"body": f.Fleet}, 400, "holds no seats"},
			{f.Founder, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), map[string]int64{"body": f.Soviet}, 409, "already open"},
			{f.Alice, "POST", el(nominating, "/candidates"), map[string]int64{"faction": 999999}, 400, "no faction 999999"},
			{f.Alice, "POST", el(nominating, "/candidates"), map[string]int64{"faction": foreign}, 400, "no faction"},
			{f.Alice, "POST", el(nominating, "/candidates"), map[string]int64{"account": f.Olga}, 400, "only a voter"},
			{f.Alice, "POST", el(nominating, "/candidates"), map[string]int64{"account": 999999}, 400, "only a voter"},
			{f.Founder, "POST", el(nominating, "/polling"), nil, 409, "no one is nominated"},
			{f.Bob, "DELETE", el(nominating, "/candidates/me"), nil, 404, "not a candidate"},
			{f.Alice, "PUT", el(voting, "/ballot"), map[string][]int64{"ranking": {}}, 400, "at least one"},
			{f.Alice, "PUT", el(voting, "/ballot"), map[string][]int64{"ranking": {f.Olga}}, 400, "not a candidate"},
			{f.Alice, "PUT", el(voting, "/ballot"), map[string][]int64{"ranking": {f.Bob, f.Bob}}, 400, "only once"},
			{f.Alice, "POST", fed + "/factions", map[string]string{"name": " ", "colour": "#000000"}, 400, "name is required"},
			{f.Alice, "POST", fed + "/factions", map[string]string{"name": "Reds", "colour": "red"}, 400, "colour must look like"},
			{f.Alice, "POST", fed + "/factions", map[string]string{"name": strings.Repeat("x", 101), "colour": "#000000"}, 400, "at most 100"},
			{f.Alice, "PUT", fed + "/affiliation", map[string]int64{"faction": -1}, 400, "faction must be"},
			{f.Alice, "PUT", fed + "/affiliation", map[string]int64{"faction": foreign}, 400, "no faction"},
			{f.Founder, "POST", fed + "/councils", map[string]any{"name": "C", "kind": "committee", "parent": f.Putilov, "role": "politburo", "seats": 3}, 400, "politburo"},
			{f.Founder, "POST", fed + "/councils", map[string]any{"name": "C", "kind": "committee", "parent": f.Putilov, "role": "executive", "seats": 0}, 400, "1 to 100 seats"},
			{f.Founder, "POST", fed + "/councils", map[string]any{"name": "C", "kind": "committee", "parent": 999999, "role": "executive", "seats": 3}, 404, "no council"},
			{f.Founder, "POST", fed + "/councils", map[string]any{"name": "C", "kind": "committee", "parent": closed, "role": "executive", "seats": 3}, 404, "no council"},
			{f.Founder, "POST", pathf("/api/v1/federations/%d/councils", other), map[string]any{"name": "C", "kind": "committee", "parent": f.Putilov, "role": "executive", "seats": 3}, 400, "not a council of this federation"},

			// Requests the election's state refuses.
			{f.Alice, "POST", el(closed, "/candidates"), map[string]any{}, 409, "nominations are closed"},
			{f.Alice, "DELETE", el(closed, "/candidates/me"), nil, 409, "nominations are closed"},
			{f.Founder, "POST", el(closed, "/polling"), nil, 409, "closed"},
			{f.Founder, "POST", el(closed, "/close"), nil, 409, "no open vote"},
			{f.Founder, "POST", el(nominating, "/close"), nil, 409, "no open vote"},
			{f.Alice, "PUT", el(closed, "/ballot"), map[string][]int64{"ranking": {f.Alice}}, 409, "no open vote"},
			{f.Alice, "PUT", el(nominating, "/ballot"), map[string][]int64{"ranking": {f.Alice}}, 409, "no open vote"},
			{f.Alice, "POST", el(voting, "/candidates"), map[string]any{}, 409, "nominations are closed"},

			// Who may not.
			{0, "GET", el(closed, ""), nil, 401, "sign in"},
			{0, "POST", el(nominating, "/candidates"), map[string]any{}, 401, "sign in"},
			{0, "POST", el(nominating, "/polling"), nil, 401, "sign in"},
			{0, "POST", el(voting, "/close"), nil, 401, "sign in"},
			{0, "DELETE", el(nominating, "/candidates/me"), nil, 401, "sign in"},
			{0, "PUT", el(voting, "/ballot"), map[string][]int64{"ranking": {f.Alice}}, 401, "sign in"},
			{f.Olga, "POST", el(nominating, "/candidates"), map[string]any{}, 403, "may nominate"},
			{f.Olga, "GET", pathf("/api/v1/councils/%d/seats", f.Soviet), nil, 403, "member of the federation"},
			{f.Olga, "GET", fed + "/factions", nil, 403, "member of the federation"},
			{f.Olga, "POST", fed + "/factions", map[string]string{"name": "Kadets", "colour": "#000000"}, 403, "member of the federation"},
			{f.Olga, "PUT", fed + "/affiliation", map[string]int64{"faction": 0}, 403, "member of the federation"},
			{f.Olga, "PUT", el(voting, "/ballot"), map[string][]int64{"ranking": {f.Alice}}, 403, "may vote"},
			{f.Alice, "POST", el(voting, "/close"), nil, 403, "secretary"},
			{f.Alice, "POST", pathf("/api/v1/councils/%d/elections", f.Putilov), map[string]int64{"body": f.Soviet}, 403, "secretary"},
			{f.Alice, "POST", fed + "/councils", map[string]any{"name": "C", "kind": "committee", "parent": f.Putilov, "role": "executive", "seats": 3}, 403, "secretary"},
		} {
			cw.api(tc.actor, tc.method, tc.path, tc.body).refused(t, tc.status, tc.words)
		}

		// A body that is not JSON at all.
		req := httptest.NewRequest("PUT", el(voting, "/ballot"), strings.NewReader("rank=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+cw.token(f.Alice))
		cw.serve(req, "PUT ballot as a form").refused(t, http.StatusUnsupportedMediaType, "application/json")
	})
}

// TestFormsOfNothingCouncil: a form posted to something that does not
// exist answers 404, whatever else is wrong with the form.
func TestFormsOfNothingCouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	for _, p := range []string{"/councils/999999/committees", "/councils/999999/elections", "/elections/999999/candidates",
		"/elections/999999/withdraw", "/elections/999999/polling", "/elections/999999/ballot", "/elections/999999/close",
		"/federations/999999/factions", "/federations/999999/affiliation"} {
		cw.post(cw.f.Founder, p, url.Values{"name": {"N"}}).refused(t, 404, "no ")
	}
}
