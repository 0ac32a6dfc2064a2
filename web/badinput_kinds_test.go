package web

import (
	"net/url"
	"testing"
)

// TestBadInputKinds sends each endpoint of the motions that act bad ids,
// bodies of the wrong shape, and requests the state refuses: each is a
// clear 4xx that says what is wrong, and the log does not grow.
func TestBadInputKinds(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		offices := cw.seatPutilov()
		sailor := cw.members(f.Fleet, "sailor", 1)[0]
		local := cw.propose(f.Alice, f.Putilov, map[string]any{"title": "Local"})
		soviet1 := cw.propose(f.Alice, f.Soviet, map[string]any{"title": "Above"})
		voting := cw.propose(f.Alice, f.Putilov, map[string]any{"title": "Being voted"})
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/open", voting.ID), map[string]any{"secrecy": "roll-call"}).want(t, 200)
		ch := cw.charterNow()
		badCharter := ch
		badCharter.HouseSize = 0
		mp := pathf("/api/v1/councils/%d/motions", f.Putilov)
		sp := pathf("/api/v1/councils/%d/motions", f.Soviet)
		fw := func(id int64) string { return pathf("/api/v1/motions/%d/forward", id) }
		ref := func(id int64) string { return pathf("/api/v1/motions/%d/referendum", id) }
		vote := pathf("/api/v1/motions/%d/vote", voting.ID)

		for _, tc := range []struct {
			actor        int64
			method, path string
			body         any
			status       int
			words        string
		}{
			// Proposing a motion that acts.
			{f.Founder, "POST", mp, map[string]any{"title": "x", "kind": "decree"}, 400, `unknown kind of motion "decree"`},
			{f.Founder, "POST", mp, map[string]any{"kind": "recall"}, 400, "a recall targets a seat held now"},
			{f.Founder, "POST", mp, map[string]any{"kind": "recall", "target": -4}, 400, "a recall targets a seat held now"},
			{f.Founder, "POST", mp, map[string]any{"kind": "recall", "target": "bob"}, 400, "target"},
			{sailor, "POST", pathf("/api/v1/councils/%d/motions", f.Fleet), map[string]any{"kind": "recall", "target": offices[f.Bob]}, 400, "a recall targets a seat held now"},
			{f.Olga, "POST", mp, map[string]any{"kind": "recall", "target": offices[f.Bob]}, 403, "may propose a motion"},
			{f.Founder, "POST", mp, map[string]any{"kind": "mandate", "target": soviet1.ID}, 400, "a mandate instructs yes, no or abstain"},
			{f.Founder, "POST", mp, map[string]any{"kind": "mandate", "target": soviet1.ID, "instruction": "maybe"}, 400, "a mandate instructs yes, no or abstain"},
			{f.Founder, "POST", mp, map[string]any{"kind": "mandate", "target": local.ID, "instruction": "yes"}, 400, "a council this one sends delegates to"},
			{f.Founder, "POST", mp, map[string]any{"kind": "mandate", "target": 999999, "instruction": "yes"}, 400, "no motion 999999"},
			{f.Founder, "POST", mp, map[string]any{"kind": "overturn", "target": local.ID}, 400, "only a decision of one of this council's committees"},
			{f.Alice, "POST", sp, map[string]any{"kind": "charter", "title": "x"}, 400, "a charter motion carries the new charter"},
			{f.Alice, "POST", sp, map[string]any{"kind": "charter", "title": "x", "charter": badCharter}, 400, "house size must be between"},
			{f.Alice, "POST", sp, map[string]any{"kind": "charter", "title": "x", "charter": map[string]any{"vote_days": 3, "decree": true}}, 400, "decree"},
			{f.Alice, "POST", sp, map[string]any{"kind": "charter", "charter": ch}, 400, "title is required"},
			{f.Founder, "POST", mp, map[string]any{"title": "x", "target": offices[f.Bob]}, 400, "an ordinary motion has no target"},
			{f.Founder, "POST", mp, map[string]any{"title": "x", "instruction": "yes"}, 400, "an ordinary motion has no target"},
			{f.Founder, "POST", mp, map[string]any{"title": "x", "origin": 999999}, 400, "no motion 999999 to take up"},
			{f.Founder, "POST", mp, map[string]any{"title": "x", "origin": local.ID}, 400, "takes up a motion of another council"},
			// Forwarding.
			{f.Founder, "POST", fw(local.ID), map[string]any{}, 400, `field "to" is required`},
			{f.Founder, "POST", fw(local.ID), map[string]any{"to": 0}, 400, "does not send delegates to council 0"},
			{f.Founder, "POST", fw(local.ID), map[string]any{"to": f.Fleet}, 400, "does not send delegates to"},
			{f.Founder, "POST", fw(local.ID), map[string]any{"to": "up"}, 400, "to"},
			{f.Founder, "POST", fw(local.ID), map[string]any{"to": f.Soviet, "with": "love"}, 400, "with"},
			{f.Founder, "POST", fw(local.ID), "to=8", 400, "JSON"},
			{f.Founder, "POST", fw(voting.ID), map[string]any{"to": f.Soviet}, 409, "only a motion in debate or adopted"},
			{f.Founder, "POST", fw(999999), map[string]any{"to": f.Soviet}, 404, "no motion 999999"},
			{f.Founder, "POST", "/api/v1/motions/abc/forward", map[string]any{"to": f.Soviet}, 400, "not a positive integer"},
			{0, "POST", fw(local.ID), map[string]any{"to": f.Soviet}, 401, "sign in"},
			// Referendums.
			{f.Founder, "POST", ref(soviet1.ID), map[string]any{"secrecy": "show of hands"}, 400, "roll-call or secret"},
			{f.Founder, "POST", ref(soviet1.ID), map[string]any{"deadline": "2000-01-01T00:00:00Z"}, 400, "at least a minute from now"},
			{f.Founder, "POST", ref(soviet1.ID), map[string]any{"deadline": "soon"}, 400, "parsing time"},
			{f.Founder, "POST", ref(local.ID), map[string]any{}, 400, "held by a delegate council"},
			{f.Founder, "POST", ref(voting.ID), nil, 400, "held by a delegate council"},
			{f.Founder, "POST", ref(999999), nil, 404, "no motion 999999"},
			{f.Alice, "POST", ref(soviet1.ID), nil, 403, "secretary"},
			// Split votes.
			{f.Alice, "PUT", vote, map[string]any{"split": map[string]any{"yes": 1}}, 400, "only a weighted delegate vote can be split"},
			{f.Alice, "PUT", vote, map[string]any{"split": map[string]any{"yes": -1, "no": 2}}, 400, "a whole number of parts"},
			{f.Alice, "PUT", vote, map[string]any{"split": map[string]any{}}, 400, "a whole number of parts"},
			{f.Alice, "PUT", vote, map[string]any{"split": map[string]any{"yes": "half"}}, 400, "yes"},
			{f.Alice, "PUT", vote, map[string]any{"choice": "yes", "split": map[string]any{"yes": 1}}, 400, "a choice or a split, not both"},
			{f.Alice, "PUT", vote, map[string]any{"choice": "split"}, 400, "choice must be yes, no or abstain"},
			{f.Alice, "POST", pathf("/api/v1/motions/%d/ballot", voting.ID), map[string]any{"choice": "yes", "split": map[string]any{"yes": 1}}, 400, "only a weighted roll-call vote can be split"},
			// The reads.
			{f.Alice, "GET", "/api/v1/councils/abc/recalls", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/councils/999999/recalls", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/999999/mandates", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/0/delegates/votes", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/councils/999999/delegates/votes", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/councils/999999/decisions", nil, 404, "no council"},
			{f.Alice, "GET", "/api/v1/federations/-1/charters", nil, 400, "not a positive integer"},
			{f.Alice, "GET", "/api/v1/federations/999999/charters", nil, 404, "no federation"},
		} {
			cw.api(tc.actor, tc.method, tc.path, tc.body).refused(t, tc.status, tc.words)
		}

		// The forms of the pages.
		cp := pathf("/councils/%d/motions", f.Putilov)
		for _, tc := range []struct {
			actor  int64
			path   string
			vals   url.Values
			status int
			words  string
		}{
			{f.Founder, cp, url.Values{"kind": {"recall"}, "target": {"bob"}}, 400, "target"},
			{f.Founder, cp, url.Values{"kind": {"recall"}, "target": {"999999"}}, 400, "a recall targets a seat held now"},
			{f.Founder, cp, url.Values{"kind": {"mandate"}, "target": {pathf("%d", soviet1.ID)}, "instruction": {""}}, 400, "a mandate instructs yes, no or abstain"},
			{f.Founder, cp, url.Values{"title": {"x"}, "origin": {"-2"}}, 400, "origin"},
			{f.Founder, pathf("/motions/%d/forward", local.ID), url.Values{"to": {""}}, 400, "to"},
			{f.Founder, pathf("/motions/%d/forward", local.ID), url.Values{"to": {"up"}}, 400, "to"},
			{f.Founder, pathf("/motions/%d/forward", local.ID), url.Values{"to": {pathf("%d", f.Fleet)}}, 400, "does not send delegates to"},
			{f.Founder, "/motions/999999/forward", url.Values{"to": {"1"}}, 404, "no motion 999999"},
			{f.Founder, pathf("/motions/%d/referendum", soviet1.ID), url.Values{"secrecy": {"loud"}}, 400, "roll-call or secret"},
			{f.Founder, pathf("/motions/%d/referendum", soviet1.ID), url.Values{"deadline": {"tomorrow"}}, 400, "deadline"},
			{f.Alice, pathf("/motions/%d/vote", voting.ID), url.Values{"choice": {"split"}, "yes": {"much"}}, 400, "not a whole number"},
			{f.Alice, pathf("/motions/%d/vote", voting.ID), url.Values{"choice": {"split"}, "yes": {"1"}}, 400, "only a weighted delegate vote can be split"},
		} {
			cw.post(tc.actor, tc.path, tc.vals).refused(t, tc.status, tc.words)
		}
		v := charterValues(ch)
		v.Set("title", "x")
		for field, bad := range map[string]string{"quorum": "most", "vote_days": "a week", "recall_threshold": "1:5", "house_size": "0"} {
			vals := url.Values{}
			for k, x := range v {
				vals[k] = x
			}
			vals.Set(field, bad)
			cw.post(f.Alice, pathf("/councils/%d/motions", f.Soviet), vals).refused(t, 400, "")
		}
		if got := cw.charterNow(); got.Version != 1 {
			t.Fatalf("bad input changed the charter: %+v", got)
		}
	})
}
