// This file adds the council-democracy routes to the tables of the general
// web tests (authz_test.go, badinput_test.go on the web-tests branch). It is
// part of them now that they are merged.

package web

import (
	"context"
	"net/url"

	"soviet"
)

// The council-democracy routes in the general tables of authorization and
// bad JSON (authz_test.go, badinput_test.go): every role tries every route.

// commission has the scene's founder create a one-seat commission of
// Putilov Works and returns the id of its election, taking nominations.
func (sc *scene) commission() int64 {
	w := sc.w
	w.t.Helper()
	ctx := w.t.Context()
	c, err := w.svc.CreateCouncil(ctx, sc.founder.id, soviet.CouncilInput{Federation: sc.fed, Name: w.handle("commission"),
		Kind: soviet.Committee, Parent: sc.putilov, Role: soviet.Commission, Seats: 1})
	w.must(err)
	var id int64
	w.must(w.db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		es, err := tx.OpenElections(ctx, c.ID, sc.putilov)
		if err == nil {
			id = es[0].ID
		}
		return err
	}))
	return id
}

// electionIn has the scene's election of a new commission reach state:
// nominating (no one nominated), voting (Alice and the scene's member
// stand), or closed (Alice elected unopposed).
func (sc *scene) electionIn(state soviet.ElectionState) int64 {
	w := sc.w
	w.t.Helper()
	ctx := w.t.Context()
	e := sc.commission()
	if state == soviet.Nominating {
		return e
	}
	w.must(w.svc.Nominate(ctx, sc.alice.id, e, sc.alice.id, 0))
	if state == soviet.Polling {
		w.must(w.svc.Nominate(ctx, sc.actors[member].id, e, sc.actors[member].id, 0))
	}
	_, err := w.svc.OpenPollingWith(ctx, sc.founder.id, e, soviet.RollCall)
	w.must(err)
	return e
}

// secretElection returns the id of a commission election whose secret vote
// is open.
func (sc *scene) secretElection() int64 {
	w := sc.w
	w.t.Helper()
	ctx := w.t.Context()
	e := sc.commission()
	w.must(w.svc.Nominate(ctx, sc.alice.id, e, sc.alice.id, 0))
	w.must(w.svc.Nominate(ctx, sc.actors[member].id, e, sc.actors[member].id, 0))
	_, err := w.svc.OpenPollingWith(ctx, sc.founder.id, e, soviet.Secret)
	w.must(err)
	return e
}

// office returns the id of an office held now: Alice's seat in a new
// commission.
func (sc *scene) office() int64 {
	w := sc.w
	w.t.Helper()
	e := sc.electionIn(soviet.Closed)
	var id int64
	w.must(w.db.View(w.t.Context(), func(ctx context.Context, tx soviet.Tx) error {
		el, err := tx.Election(ctx, e)
		if err != nil {
			return err
		}
		os, err := tx.Offices(ctx, el.Body, sc.putilov)
		if err == nil {
			id = os[0].ID
		}
		return err
	}))
	return id
}

// callable returns a body in which Putilov Works holds seats and has no
// election open: a commission elected unopposed.
func (sc *scene) callable() int64 {
	sc.w.t.Helper()
	e := sc.electionIn(soviet.Closed)
	el, err := sc.w.db.ElectionDetail(sc.w.t.Context(), e)
	sc.w.must(err)
	return el.Body.ID
}

func init() {
	viewers := only(s200, member, otherCouncil, secretary)
	council := func(rest string) func(*scene, *client) (string, any) {
		return func(sc *scene, a *client) (string, any) { return "/api/v1/councils/" + id(sc.putilov) + rest, nil }
	}
	apiAuthCases = append(apiAuthCases,
		authCase{route: "GET /api/v1/councils/{id}/seats", want: viewers, req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/councils/" + id(sc.soviet) + "/seats", nil
		}},
		authCase{route: "GET /api/v1/councils/{id}/delegates", want: viewers, req: council("/delegates")},
		authCase{route: "GET /api/v1/councils/{id}/composition", want: viewers, req: council("/composition")},
		authCase{route: "GET /api/v1/councils/{id}/elections", want: viewers, req: council("/elections")},
		authCase{route: "POST /api/v1/councils/{id}/elections", want: only(s201, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/councils/" + id(sc.putilov) + "/elections", map[string]int64{"body": sc.callable()}
		}},
		authCase{route: "GET /api/v1/elections/{id}", want: viewers, req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Polling)), nil
		}},
		authCase{route: "POST /api/v1/elections/{id}/candidates", want: only(s201, member), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Nominating)) + "/candidates", map[string]any{}
		}},
		// Whoever may stand stands first: only a candidate may withdraw.
		authCase{route: "DELETE /api/v1/elections/{id}/candidates/me", want: with(accounts(s404), member, s204), req: func(sc *scene, a *client) (string, any) {
			e := sc.electionIn(soviet.Nominating)
			sc.w.svc.Nominate(sc.w.t.Context(), a.id, e, a.id, 0)
			return "/api/v1/elections/" + id(e) + "/candidates/me", nil
		}},
		authCase{route: "POST /api/v1/elections/{id}/polling", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
			e := sc.electionIn(soviet.Nominating)
			sc.w.must(sc.w.svc.Nominate(sc.w.t.Context(), sc.alice.id, e, sc.alice.id, 0))
			return "/api/v1/elections/" + id(e) + "/polling", nil
		}},
		authCase{route: "PUT /api/v1/elections/{id}/ballot", want: only(s204, member), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Polling)) + "/ballot", map[string][]int64{"ranking": {sc.alice.id}}
		}},
		authCase{route: "POST /api/v1/elections/{id}/secret-ballot", want: only(s201, member), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.secretElection()) + "/secret-ballot", map[string][]int64{"ranking": {sc.alice.id}}
		}},
		authCase{route: "GET /api/v1/elections/{id}/bulletin", want: only(s404, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.secretElection()) + "/bulletin", nil
		}},
		authCase{route: "POST /api/v1/elections/{id}/close", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Polling)) + "/close", nil
		}},
		authCase{route: "GET /api/v1/offices/{id}", want: viewers, req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/offices/" + id(sc.office()), nil
		}},
		authCase{route: "GET /api/v1/federations/{id}/factions", want: viewers, req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/federations/" + id(sc.fed) + "/factions", nil
		}},
		authCase{route: "POST /api/v1/federations/{id}/factions", want: only(s201, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/federations/" + id(sc.fed) + "/factions", map[string]string{"name": sc.w.handle("Left SRs "), "colour": "#2e7d32"}
		}},
		authCase{route: "PUT /api/v1/federations/{id}/affiliation", want: only(s204, member, otherCouncil), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/federations/" + id(sc.fed) + "/affiliation", map[string]int64{"faction": 0}
		}},
	)
	pageAuthCases = append(pageAuthCases,
		authCase{route: "POST /councils/{id}/committees", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/councils/" + id(sc.putilov) + "/committees", url.Values{"name": {"Food commission"}, "role": {"commission"}, "seats": {"3"}}
		}},
		authCase{route: "POST /councils/{id}/elections", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/councils/" + id(sc.putilov) + "/elections", url.Values{"body": {id(sc.callable())}}
		}},
		authCase{route: "POST /elections/{id}/candidates", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
			return "/elections/" + id(sc.electionIn(soviet.Nominating)) + "/candidates", url.Values{}
		}},
		authCase{route: "POST /elections/{id}/withdraw", want: with(accounts(s404), member, s303), req: func(sc *scene, a *client) (string, any) {
			e := sc.electionIn(soviet.Nominating)
			sc.w.svc.Nominate(sc.w.t.Context(), a.id, e, a.id, 0)
			return "/elections/" + id(e) + "/withdraw", url.Values{}
		}},
		authCase{route: "POST /elections/{id}/polling", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			e := sc.electionIn(soviet.Nominating)
			sc.w.must(sc.w.svc.Nominate(sc.w.t.Context(), sc.alice.id, e, sc.alice.id, 0))
			return "/elections/" + id(e) + "/polling", url.Values{}
		}},
		authCase{route: "POST /elections/{id}/ballot", want: only(s303, member), req: func(sc *scene, a *client) (string, any) {
			return "/elections/" + id(sc.electionIn(soviet.Polling)) + "/ballot", url.Values{"rank": {id(sc.alice.id)}}
		}},
		authCase{route: "POST /elections/{id}/secret-ballot", want: only(s200, member), req: func(sc *scene, a *client) (string, any) {
			return "/elections/" + id(sc.secretElection()) + "/secret-ballot", url.Values{"rank": {id(sc.alice.id)}}
		}},
		authCase{route: "POST /elections/{id}/close", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/elections/" + id(sc.electionIn(soviet.Polling)) + "/close", url.Values{}
		}},
		authCase{route: "POST /federations/{id}/factions", want: only(s303, member, otherCouncil, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/federations/" + id(sc.fed) + "/factions", url.Values{"name": {sc.w.handle("Left SRs ")}, "colour": {"#2e7d32"}}
		}},
		authCase{route: "POST /federations/{id}/affiliation", want: only(s303, member, otherCouncil), req: func(sc *scene, a *client) (string, any) {
			return "/federations/" + id(sc.fed) + "/affiliation", url.Values{"faction": {"0"}}
		}},
	)
	jsonEndpoints = append(jsonEndpoints,
		jsonEndpoint{route: "POST /api/v1/councils/{id}/elections", as: secretary, path: func(sc *scene) string { return "/api/v1/councils/" + id(sc.putilov) + "/elections" },
			valid: `{"body":1}`, wrongType: `{"body":"the soviet"}`, missing: `{}`},
		jsonEndpoint{route: "POST /api/v1/elections/{id}/candidates", as: member, path: func(sc *scene) string {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Nominating)) + "/candidates"
		}, valid: `{"faction":0}`, wrongType: `{"account":"me"}`},
		jsonEndpoint{route: "PUT /api/v1/elections/{id}/ballot", as: member, path: func(sc *scene) string {
			return "/api/v1/elections/" + id(sc.electionIn(soviet.Polling)) + "/ballot"
		}, valid: `{"ranking":[1]}`, wrongType: `{"ranking":"1"}`, missing: `{}`},
		jsonEndpoint{route: "POST /api/v1/elections/{id}/polling", as: secretary, path: func(sc *scene) string {
			e := sc.electionIn(soviet.Nominating)
			sc.w.must(sc.w.svc.Nominate(sc.w.t.Context(), sc.alice.id, e, sc.alice.id, 0))
			return "/api/v1/elections/" + id(e) + "/polling"
		}, valid: `{"secrecy":"secret"}`, wrongType: `{"secrecy":1}`},
		jsonEndpoint{route: "POST /api/v1/elections/{id}/secret-ballot", as: member, path: func(sc *scene) string {
			return "/api/v1/elections/" + id(sc.secretElection()) + "/secret-ballot"
		}, valid: `{"ranking":[1]}`, wrongType: `{"ranking":"1"}`, missing: `{}`},
		jsonEndpoint{route: "POST /api/v1/federations/{id}/factions", as: member, path: func(sc *scene) string { return "/api/v1/federations/" + id(sc.fed) + "/factions" },
			valid: `{"name":"Left SRs","colour":"#2e7d32"}`, wrongType: `{"name":"Left SRs","colour":1}`, missing: `{"name":"Left SRs"}`},
		jsonEndpoint{route: "PUT /api/v1/federations/{id}/affiliation", as: member, path: func(sc *scene) string { return "/api/v1/federations/" + id(sc.fed) + "/affiliation" },
			valid: `{"faction":0}`, wrongType: `{"faction":"none"}`, missing: `{}`},
	)
}
