package web

import (
	"net/url"

	"soviet"
)

// The routes of the motions that act in the general tables of
// authorization and bad JSON (authz_test.go, badinput_test.go): every role
// tries every route.

// sovietMotion returns a motion of the Petrograd Soviet in debate: a
// motion of Putilov Works forwarded there by the founder (the scene's
// Soviet has no delegates to propose one).
func (sc *scene) sovietMotion() int64 {
	w := sc.w
	w.t.Helper()
	fw, err := w.svc.ForwardMotion(w.t.Context(), sc.founder.id, sc.motion(soviet.Debate), sc.soviet)
	w.must(err)
	return fw.ID
}

func init() {
	viewers := only(s200, member, otherCouncil, secretary)
	council := func(rest string) func(*scene, *client) (string, any) {
		return func(sc *scene, a *client) (string, any) { return "/api/v1/councils/" + id(sc.putilov) + rest, nil }
	}
	apiAuthCases = append(apiAuthCases,
		authCase{route: "POST /api/v1/motions/{id}/forward", want: only(s201, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/forward", map[string]int64{"to": sc.soviet}
		}},
		authCase{route: "POST /api/v1/motions/{id}/referendum", want: only(s200, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/motions/" + id(sc.sovietMotion()) + "/referendum", map[string]string{"secrecy": "roll-call"}
		}},
		authCase{route: "GET /api/v1/councils/{id}/recalls", want: viewers, req: council("/recalls")},
		authCase{route: "GET /api/v1/councils/{id}/mandates", want: viewers, req: council("/mandates")},
		authCase{route: "GET /api/v1/councils/{id}/delegates/votes", want: viewers, req: council("/delegates/votes")},
		authCase{route: "GET /api/v1/councils/{id}/decisions", want: viewers, req: council("/decisions")},
		authCase{route: "GET /api/v1/federations/{id}/charters", want: viewers, req: func(sc *scene, a *client) (string, any) {
			return "/api/v1/federations/" + id(sc.fed) + "/charters", nil
		}},
	)
	pageAuthCases = append(pageAuthCases,
		authCase{route: "POST /motions/{id}/forward", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/motions/" + id(sc.motion(soviet.Debate)) + "/forward", url.Values{"to": {id(sc.soviet)}}
		}},
		authCase{route: "POST /motions/{id}/referendum", want: only(s303, secretary), req: func(sc *scene, a *client) (string, any) {
			return "/motions/" + id(sc.sovietMotion()) + "/referendum", url.Values{"secrecy": {"roll-call"}}
		}},
	)
	jsonEndpoints = append(jsonEndpoints,
		jsonEndpoint{route: "POST /api/v1/motions/{id}/forward", as: secretary, path: func(sc *scene) string {
			return "/api/v1/motions/" + id(sc.motion(soviet.Debate)) + "/forward"
		}, valid: `{"to":1}`, wrongType: `{"to":"the soviet"}`, missing: `{}`},
		jsonEndpoint{route: "POST /api/v1/motions/{id}/referendum", as: secretary, path: func(sc *scene) string {
			return "/api/v1/motions/" + id(sc.sovietMotion()) + "/referendum"
		}, valid: `{"secrecy":"roll-call"}`, wrongType: `{"secrecy":1}`},
	)
}
