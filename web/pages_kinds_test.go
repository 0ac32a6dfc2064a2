package web

import (
	"net/url"
	"strings"
	"testing"

	"soviet"
)

// The pages of the motions that act, on every engine: the forms a person
// uses (no JavaScript), what each page shows, and who may see it.

// TestRecallPages: a constituent starts a recall from the council page,
// another signs from the office page, and the recall's vote opens by
// itself with the secret ballot form.
func TestRecallPages(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		offices := cw.seatPutilov()
		workers := cw.members(f.Putilov, "worker", 4) // seven members: two signatures
		council := pathf("/councils/%d", f.Putilov)
		cw.page(workers[0], council).want(t, 200).lacks(t, `id="direct-recall-note"`).has(t, `id="our-delegates"`, "Start a recall", pathf(`name="target" value="%d"`, offices[f.Bob]),
			pathf(`href="/councils/%d/delegates/votes"`, f.Putilov))
		res := cw.post(workers[0], council+"/motions", url.Values{"kind": {"recall"}, "target": {pathf("%d", offices[f.Bob])}}).want(t, 303)
		recall := res.Location
		cw.page(workers[0], recall).want(t, 200).has(t, `id="recall"`, `id="signatures"><strong>1 of 2</strong>`)
		cw.page(workers[1], council).want(t, 200).has(t, "petition: 1 of 2 signatures", `class="small sign-petition"`)
		office := pathf("/offices/%d", offices[f.Bob])
		p := cw.page(workers[1], office).want(t, 200).has(t, `id="recalls"`, "petition: 1 of 2 signatures").lacks(t, `id="start-recall"`)
		if !strings.Contains(p.Body, `action="`+strings.TrimPrefix(recall, "")+`/support"`) {
			t.Fatalf("the office page has no form to sign %s", recall)
		}
		cw.page(workers[0], office).want(t, 200).has(t, "you signed")
		cw.post(workers[1], recall+"/support", nil).want(t, 303)
		cw.page(workers[2], recall).want(t, 200).has(t, `id="ballot"`, "This vote is <strong>secret</strong>").lacks(t, `id="signatures"`)
		cw.page(workers[2], council).want(t, 200).has(t, "recall vote open")
		// Alice's office has no petition: the office page offers to start
		// one to her constituents, not to outsiders of Putilov.
		cw.page(workers[2], pathf("/offices/%d", offices[f.Alice])).want(t, 200).has(t, `id="start-recall"`)
		sailor := cw.members(f.Fleet, "sailor", 1)[0]
		cw.page(sailor, pathf("/offices/%d", offices[f.Alice])).want(t, 200).lacks(t, `id="start-recall"`)
		cw.post(sailor, council+"/motions", url.Values{"kind": {"recall"}, "target": {pathf("%d", offices[f.Alice])}}).refused(t, 403, "may propose a motion")
	})
}

// TestMandateAndCharterPages: the mandate form of a base council's page,
// and the charter amendment form of the top council's, prefilled with the
// charter in force; a mistake in it comes back with what was typed.
func TestMandateAndCharterPages(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		m := cw.propose(f.Alice, f.Soviet, map[string]any{"title": "All power to the soviets"})
		cw.page(f.Founder, pathf("/councils/%d", f.Putilov)).want(t, 200).has(t, `id="mandate-above"`, "All power to the soviets", "Propose the mandate")
		res := cw.post(f.Founder, pathf("/councils/%d/motions", f.Putilov), url.Values{"kind": {"mandate"}, "target": {pathf("%d", m.ID)}, "instruction": {"no"}}).want(t, 303)
		cw.page(f.Founder, res.Location).want(t, 200).has(t, `id="motion-kind">mandate`, `<strong class="choice no">no</strong>`, "All power to the soviets")

		// The charter: only the top council's page offers the form.
		cw.page(f.Alice, pathf("/councils/%d", f.Soviet)).want(t, 200).has(t, `id="amend-charter"`)
		cw.page(f.Founder, pathf("/councils/%d", f.Putilov)).want(t, 200).lacks(t, `id="amend-charter"`)
		form := cw.page(f.Alice, pathf("/councils/%d/charter-amendment", f.Soviet)).want(t, 200)
		form.has(t, `name="vote_days" value="7"`, `name="quorum" value="1/2"`, `<option value="sainte-lague" selected>`, `name="direct_recall" value="1" >`)
		v := charterValues(cw.charterNow())
		v.Set("title", "Three-day votes")
		v.Set("vote_days", "3")
		v.Set("quorum", "half")
		bad := cw.post(f.Alice, pathf("/councils/%d/motions", f.Soviet), v)
		bad.refused(t, 400, "is not a share like 1/5 or 20%")
		bad.has(t, `id="charter-form"`, `name="vote_days" value="3"`, `value="Three-day votes"`)
		v.Set("quorum", "1/2")
		res = cw.post(f.Alice, pathf("/councils/%d/motions", f.Soviet), v).want(t, 303)
		cw.page(f.Bob, res.Location).want(t, 200).has(t, `1 rule change`, `<tr class="changed" data-field="vote_days"><td>Days a vote stays open</td><td><del>7</del></td><td><ins>3</ins></td></tr>`)
		if ch := cw.charterNow(); ch.Version != 1 || ch.VoteDays != 7 {
			t.Fatalf("a proposal changed the charter: %+v", ch)
		}
	})
}

// TestForwardAndReferPages: the secretary forwards an adopted motion from
// its page, and refers a motion of the Soviet to a referendum.
func TestForwardAndReferPages(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		m := cw.propose(f.Alice, f.Putilov, map[string]any{"title": "Eight-hour day"})
		cw.vote(m.ID, map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes})
		cw.page(f.Alice, pathf("/motions/%d", m.ID)).want(t, 200).lacks(t, `id="forward-motion"`)
		cw.page(f.Founder, pathf("/motions/%d", m.ID)).want(t, 200).has(t, `id="forward-motion"`, pathf(`<option value="%d">Petrograd Soviet</option>`, f.Soviet))
		res := cw.post(f.Founder, pathf("/motions/%d/forward", m.ID), url.Values{"to": {pathf("%d", f.Soviet)}}).want(t, 303)
		fw := cw.page(f.Founder, res.Location).want(t, 200)
		fw.has(t, `id="origin">Forwarded from`, `id="refer-motion"`).lacks(t, `id="forward-motion"`)
		cw.page(f.Founder, pathf("/motions/%d", m.ID)).want(t, 200).lacks(t, `id="forward-motion"`) // already there
		res = cw.post(f.Founder, strings.TrimSuffix(res.Location, "/")+"/referendum", url.Values{"secrecy": {"roll-call"}}).want(t, 303)
		cw.page(f.Bob, res.Location).want(t, 200).has(t, `id="referendum-badge"`, "every member of the base councils below Petrograd Soviet votes")
	})
}

// TestKindsPagesWhoSees: every page of the motions that act renders for
// the federation's members, sends an anonymous visitor to sign in, and
// refuses a signed-in outsider.
func TestKindsPagesWhoSees(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		offices := cw.seatPutilov()
		r := cw.propose(f.Founder, f.Putilov, map[string]any{"kind": "recall", "target": offices[f.Bob]})
		ch := cw.charterNow()
		ch.VoteDays = 5
		c := cw.propose(f.Alice, f.Soviet, map[string]any{"kind": "charter", "title": "Five days", "charter": ch})
		for _, tc := range []struct {
			path   string
			member int64
		}{
			{pathf("/councils/%d/delegates/votes", f.Putilov), f.Founder},
			{pathf("/councils/%d/charter-amendment", f.Soviet), f.Alice},
			{pathf("/motions/%d", r.ID), f.Bob},
			{pathf("/motions/%d", c.ID), f.Founder},
			{pathf("/offices/%d", offices[f.Bob]), f.Founder},
			{pathf("/federations/%d", f.Fed), f.Bob},
		} {
			cw.page(tc.member, tc.path).want(t, 200)
			if res := cw.page(0, tc.path); res.Status != 303 || !strings.HasPrefix(res.Location, "/login") {
				t.Errorf("anonymous %s: %d %q, want the sign-in page", tc.path, res.Status, res.Location)
			}
			cw.page(f.Olga, tc.path).refused(t, 403, "only")
		}
		// Who may not propose in the top council has no amendment form.
		cw.page(f.Founder, pathf("/councils/%d/charter-amendment", f.Soviet)).refused(t, 403, "may propose a motion")
		cw.page(f.Alice, pathf("/councils/%d/charter-amendment", f.Putilov)).refused(t, 404, "changes only in the federation&#39;s top council")
		// The API's reads likewise.
		for _, path := range []string{
			pathf("/api/v1/councils/%d/recalls", f.Putilov),
			pathf("/api/v1/councils/%d/mandates", f.Putilov),
			pathf("/api/v1/councils/%d/delegates/votes", f.Putilov),
			pathf("/api/v1/councils/%d/decisions", f.Putilov),
			pathf("/api/v1/federations/%d/charters", f.Fed),
		} {
			cw.api(f.Bob, "GET", path, nil).want(t, 200)
			cw.api(0, "GET", path, nil).refused(t, 401, "sign in")
			cw.api(f.Olga, "GET", path, nil).refused(t, 403, "only")
		}
	})
}
