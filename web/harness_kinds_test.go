package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// Helpers of the tests of the motions that act: the council tests'
// harness (councilWeb) on a fixture whose charter a test may change.

// onEachEngineWith runs fn on a fresh councilWeb for every engine, in
// parallel, with the fixture's founding charter changed by edit.
func onEachEngineWith(t *testing.T, edit func(*soviet.Charter), fn func(t *testing.T, cw *councilWeb)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f := storetest.NewFixtureWith(t, e.Open, store.Options{}, edit)
			srv, err := New(Config{Service: f.Svc, Store: f.DB, Now: f.Clock.Now, Version: "test",
				Password: PasswordParams{Memory: 64, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			fn(t, &councilWeb{t: t, f: f, srv: srv, tokens: map[int64]string{}, sessions: map[int64]string{}})
		})
	}
}

// members adds n members to council, named prefix0, prefix1…
func (cw *councilWeb) members(council int64, prefix string, n int) []int64 {
	cw.t.Helper()
	out := make([]int64, n)
	for i := range out {
		out[i] = cw.f.Account(fmt.Sprintf("%s%d", prefix, i))
		cw.f.Invite(council, out[i])
	}
	return out
}

// seatPutilov elects Alice and Bob unopposed to Putilov's two seats in the
// Soviet and returns their offices by account, read through the API.
func (cw *councilWeb) seatPutilov() map[int64]int64 {
	cw.t.Helper()
	f := cw.f
	f.Elect(f.Soviet, f.Putilov, []int64{f.Alice, f.Bob}, nil)
	return cw.officesOf(f.Putilov)
}

// officesOf returns the offices held now for a council, by account.
func (cw *councilWeb) officesOf(council int64) map[int64]int64 {
	cw.t.Helper()
	var d delegatesResponse
	cw.api(cw.f.Founder, "GET", pathf("/api/v1/councils/%d/delegates", council), nil).want(cw.t, 200).decode(cw.t, &d)
	out := map[int64]int64{}
	for _, o := range d.Sent {
		out[o.Account] = o.ID
	}
	return out
}

// propose proposes a motion through the API and returns it.
func (cw *councilWeb) propose(actor, council int64, body map[string]any) soviet.Motion {
	cw.t.Helper()
	var mv motionResponse
	cw.api(actor, "POST", pathf("/api/v1/councils/%d/motions", council), body).want(cw.t, 201).decode(cw.t, &mv)
	return mv.Motion
}

// motion reads a motion through the API as actor.
func (cw *councilWeb) motion(actor, id int64) motionResponse {
	cw.t.Helper()
	var mv motionResponse
	cw.api(actor, "GET", pathf("/api/v1/motions/%d", id), nil).want(cw.t, 200).decode(cw.t, &mv)
	return mv
}

// vote opens a motion's vote (the founder, secretary while no committee
// holds the role), casts each roll-call vote given, and closes it; it
// returns the result.
func (cw *councilWeb) vote(id int64, votes map[int64]soviet.Choice) soviet.Result {
	cw.t.Helper()
	cw.api(cw.f.Founder, "POST", pathf("/api/v1/motions/%d/vote/open", id), map[string]any{"secrecy": "roll-call"}).want(cw.t, 200)
	return cw.castAndClose(id, votes)
}

// castAndClose casts each roll-call vote given on an open vote and closes
// it.
func (cw *councilWeb) castAndClose(id int64, votes map[int64]soviet.Choice) soviet.Result {
	cw.t.Helper()
	for v, c := range votes {
		cw.api(v, "PUT", pathf("/api/v1/motions/%d/vote", id), map[string]any{"choice": c}).want(cw.t, 204)
	}
	var r soviet.Result
	cw.api(cw.f.Founder, "POST", pathf("/api/v1/motions/%d/vote/close", id), nil).want(cw.t, 200).decode(cw.t, &r)
	return r
}

// charterNow returns the charter in force, through the API.
func (cw *councilWeb) charterNow() soviet.Charter {
	cw.t.Helper()
	var fv federationResponse
	cw.api(cw.f.Founder, "GET", pathf("/api/v1/federations/%d", cw.f.Fed), nil).want(cw.t, 200).decode(cw.t, &fv)
	return fv.Charter
}

// charterValues is the amendment form filled in with a charter's rules.
func charterValues(ch soviet.Charter) url.Values {
	v := url.Values{"kind": {"charter"}}
	for _, r := range charterRules(ch, nil) {
		if r.Input == "check" {
			if r.Checked() {
				v.Set(r.Field, "1")
			}
			continue
		}
		v.Set(r.Field, r.Value)
	}
	return v
}

// has fails the test unless the page holds every piece of text.
func (r cwResponse) has(t testing.TB, pieces ...string) cwResponse {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(r.Body, p) {
			body := r.Body
			if i := strings.Index(body, "<main>"); i >= 0 {
				body = body[i:]
			}
			if len(body) > 3000 {
				body = body[:3000] + "…"
			}
			t.Fatalf("%s: the page lacks %q:\n%s", r.what, p, body)
		}
	}
	return r
}

// lacks fails the test if the page holds any piece of text.
func (r cwResponse) lacks(t testing.TB, pieces ...string) cwResponse {
	t.Helper()
	for _, p := range pieces {
		if strings.Contains(r.Body, p) {
			t.Fatalf("%s: the page holds %q", r.what, p)
		}
	}
	return r
}

// deadline is a vote deadline the fixture's clock has not reached.
func (cw *councilWeb) deadline() string {
	return cw.f.Clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
}
