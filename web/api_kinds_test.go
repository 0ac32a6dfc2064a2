package web

import (
	"slices"
	"testing"

	"soviet"
)

// The motions that act, through the JSON API, on every engine: each flow
// from its first request to what it changes.

// TestRecallAPI: a constituent starts a recall petition against a delegate;
// a second signature reaches the charter's threshold and opens the secret
// vote by itself; the recall passes, the office ends as recalled, and a
// by-election opens for the seat.
func TestRecallAPI(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		offices := cw.seatPutilov()
		workers := cw.members(f.Putilov, "worker", 4) // seven members: two signatures
		r := cw.propose(workers[0], f.Putilov, map[string]any{"kind": "recall", "target": offices[f.Bob], "body": "He voted for the war."})
		if r.Kind != soviet.RecallMotion || r.State != soviet.Submitted || r.Title != "Recall bob (@bob) from Petrograd Soviet" {
			t.Fatalf("new recall %+v", r)
		}
		mv := cw.motion(f.Alice, r.ID)
		if mv.Recall == nil || mv.Recall.Needed != 2 || mv.Recall.Office.ID != offices[f.Bob] || mv.Recall.Direct != 0 {
			t.Fatalf("the recall's petition %+v", mv.Recall)
		}
		var rs recallsResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/recalls", f.Putilov), nil).want(t, 200).decode(t, &rs)
		if len(rs.Recalls) != 1 || rs.Recalls[0].Motion.ID != r.ID || !rs.Recalls[0].Pending() {
			t.Fatalf("recalls %+v", rs)
		}
		cw.api(workers[1], "POST", pathf("/api/v1/motions/%d/support", r.ID), nil).want(t, 204)
		mv = cw.motion(f.Alice, r.ID)
		if mv.Motion.State != soviet.Voting || mv.Motion.Secrecy != soviet.Secret || mv.Turnout == nil {
			t.Fatalf("after two signatures of seven the secret recall vote is open: %+v", mv.Motion)
		}
		for _, v := range []int64{f.Founder, f.Alice, workers[0], workers[1], workers[2]} {
			cw.api(v, "POST", pathf("/api/v1/motions/%d/ballot", r.ID), map[string]any{"choice": "yes"}).want(t, 201)
		}
		cw.api(f.Bob, "POST", pathf("/api/v1/motions/%d/ballot", r.ID), map[string]any{"choice": "no"}).want(t, 201)
		var res soviet.Result
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/close", r.ID), nil).want(t, 200).decode(t, &res)
		if !res.Adopted || res.Yes != 5 || res.No != 1 {
			t.Fatalf("recall result %+v", res)
		}
		var d delegatesResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/delegates", f.Soviet), nil).want(t, 200).decode(t, &d)
		if len(d.Past) != 1 || d.Past[0].Account != f.Bob || d.Past[0].Reason != soviet.EndRecalled {
			t.Fatalf("past offices of the Soviet %+v", d.Past)
		}
		if e := cw.openElection(f.Alice, f.Putilov, f.Soviet); e.Election.Kind != soviet.ByElection || e.Election.Seats != 1 {
			t.Fatalf("by-election %+v", e.Election)
		}
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/recalls", f.Putilov), nil).want(t, 200).decode(t, &rs)
		if len(rs.Recalls) != 1 || rs.Recalls[0].Motion.State != soviet.Adopted || rs.Recalls[0].Office.Active() {
			t.Fatalf("recalls after the vote %+v", rs)
		}
	})
}

// TestDirectRecallAPI: with direct recall in the charter, the signature
// that makes a majority of the constituents removes the delegate at once.
func TestDirectRecallAPI(t *testing.T) {
	onEachEngineWith(t, func(ch *soviet.Charter) {
		ch.DirectRecall = true
		ch.RecallThreshold = soviet.Ratio{Num: 9, Den: 10}
	}, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		offices := cw.seatPutilov()
		workers := cw.members(f.Putilov, "worker", 2) // five members: three sign
		cw.page(f.Alice, pathf("/councils/%d", f.Putilov)).want(t, 200).has(t, `id="direct-recall-note"`)
		cw.page(f.Alice, pathf("/offices/%d", offices[f.Bob])).want(t, 200).has(t, `id="direct-recall-note"`)
		r := cw.propose(f.Founder, f.Putilov, map[string]any{"kind": "recall", "target": offices[f.Bob]})
		if mv := cw.motion(f.Alice, r.ID); mv.Recall == nil || mv.Recall.Direct != 3 || mv.Recall.Needed != 5 {
			t.Fatalf("a direct recall's petition %+v", mv.Recall)
		}
		cw.api(f.Alice, "POST", pathf("/api/v1/motions/%d/support", r.ID), nil).want(t, 204)
		cw.api(workers[0], "POST", pathf("/api/v1/motions/%d/support", r.ID), nil).want(t, 204)
		mv := cw.motion(f.Alice, r.ID)
		if mv.Motion.State != soviet.Adopted || mv.Motion.Result == nil || !mv.Motion.Result.Direct {
			t.Fatalf("three of five signatures %+v", mv.Motion)
		}
		if got := cw.officesOf(f.Putilov); len(got) != 1 || got[f.Alice] == 0 {
			t.Fatalf("offices after the direct recall %v", got)
		}
		cw.page(f.Alice, pathf("/motions/%d", r.ID)).want(t, 200).has(t, `id="direct-recall"`, `id="recalled"`)
		cw.page(f.Alice, pathf("/councils/%d", f.Putilov)).want(t, 200).has(t, `id="direct-recall-note"`)
	})
}

// TestMandateAPI: a base council mandates its delegates on a motion of
// the Soviet; one delegate votes against it; the council's page of its
// delegates' votes flags exactly that vote, and the motion above shows the
// mandate.
func TestMandateAPI(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		m := cw.propose(f.Alice, f.Soviet, map[string]any{"title": "Land to the peasants"})
		var ms mandatesResponse
		cw.api(f.Founder, "GET", pathf("/api/v1/councils/%d/mandates", f.Putilov), nil).want(t, 200).decode(t, &ms)
		if len(ms.Pending) != 1 || ms.Pending[0].Motion.ID != m.ID || ms.Pending[0].Mandate != "" || len(ms.Given) != 0 {
			t.Fatalf("mandates before %+v", ms)
		}
		md := cw.propose(f.Founder, f.Putilov, map[string]any{"kind": "mandate", "target": m.ID, "instruction": "yes"})
		if md.Kind != soviet.MandateMotion || md.Instruction != soviet.Yes || md.Title == "" {
			t.Fatalf("mandate motion %+v", md)
		}
		cw.api(f.Founder, "GET", pathf("/api/v1/councils/%d/mandates", f.Putilov), nil).want(t, 200).decode(t, &ms)
		if ms.Pending[0].Proposed != md.ID {
			t.Fatalf("the pending motion does not name the mandate proposed on it: %+v", ms.Pending[0])
		}
		if res := cw.vote(md.ID, map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes, f.Bob: soviet.Yes}); !res.Adopted {
			t.Fatalf("mandate vote %+v", res)
		}
		cw.api(f.Founder, "GET", pathf("/api/v1/councils/%d/mandates", f.Putilov), nil).want(t, 200).decode(t, &ms)
		if len(ms.Given) != 1 || ms.Given[0].Motion != m.ID || ms.Given[0].Instruction != soviet.Yes || ms.Given[0].By != md.ID || ms.Pending[0].Mandate != soviet.Yes {
			t.Fatalf("mandates after %+v", ms)
		}
		var received mandatesResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/mandates", f.Soviet), nil).want(t, 200).decode(t, &received)
		if len(received.Received) != 1 || received.Received[0].Council != f.Putilov {
			t.Fatalf("mandates received by the Soviet %+v", received)
		}
		if mv := cw.motion(f.Alice, m.ID); len(mv.Mandates) != 1 || mv.Mandates[0].CouncilName != "Putilov Works" {
			t.Fatalf("mandates on the motion %+v", mv.Mandates)
		}
		cw.vote(m.ID, map[int64]soviet.Choice{f.Alice: soviet.Yes, f.Bob: soviet.No})

		var dv delegateVotesResponse
		cw.api(f.Founder, "GET", pathf("/api/v1/councils/%d/delegates/votes", f.Putilov), nil).want(t, 200).decode(t, &dv)
		if len(dv.Votes) != 2 {
			t.Fatalf("delegates' votes %+v", dv)
		}
		for _, v := range dv.Votes {
			want := v.Account == f.Bob
			if v.Motion != m.ID || v.Mandate != soviet.Yes || v.MandateBy != md.ID || v.Against != want {
				t.Errorf("vote %+v: against the mandate %v, want %v", v, v.Against, want)
			}
		}
		// The page flags Bob's vote, and only his.
		p := cw.page(f.Founder, pathf("/councils/%d/delegates/votes", f.Putilov)).want(t, 200)
		p.has(t, pathf(`<tr class="against" data-account="%d">`, f.Bob), "voted against the mandate", `id="against-count"><strong>1</strong>`)
		p.lacks(t, pathf(`<tr class="against" data-account="%d">`, f.Alice))
		cw.page(f.Alice, pathf("/motions/%d", m.ID)).want(t, 200).has(t, `id="mandates"`, "Putilov Works")
		cw.page(f.Founder, pathf("/motions/%d", md.ID)).want(t, 200).has(t, `id="mandate"`, "Land to the peasants")
	})
}

// TestCharterAmendmentAPI: a charter motion in the top council, adopted by
// two thirds, puts the next version in force; the history names it.
func TestCharterAmendmentAPI(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		next := cw.charterNow()
		next.VoteDays = 3
		next.DirectRecall = true
		m := cw.propose(f.Alice, f.Soviet, map[string]any{"kind": "charter", "title": "Shorter votes", "charter": next, "majority": "simple"})
		if m.Kind != soviet.CharterMotion || m.Majority != soviet.TwoThirds || m.Charter == nil || m.Charter.VoteDays != 3 {
			t.Fatalf("charter motion %+v", m)
		}
		p := cw.page(f.Bob, pathf("/motions/%d", m.ID)).want(t, 200)
		p.has(t, `id="charter-diff"`, `2 rules change`, `data-field="vote_days"`, `data-field="direct_recall"`).lacks(t, `<tr class="changed" data-field="quorum"`)
		if res := cw.vote(m.ID, map[int64]soviet.Choice{f.Alice: soviet.Yes, f.Bob: soviet.Yes}); !res.Adopted {
			t.Fatalf("charter vote %+v", res)
		}
		if got := cw.charterNow(); got.Version != 2 || got.VoteDays != 3 || !got.DirectRecall {
			t.Fatalf("charter after the vote %+v", got)
		}
		var cs chartersResponse
		cw.api(f.Bob, "GET", pathf("/api/v1/federations/%d/charters", f.Fed), nil).want(t, 200).decode(t, &cs)
		if len(cs.Charters) != 2 || cs.Charters[0].Version != 2 || cs.Charters[0].Motion != m.ID || cs.Charters[0].MotionTitle != "Shorter votes" ||
			cs.Charters[1].Version != 1 || cs.Charters[1].Motion != 0 || cs.Charters[0].Charter.VoteDays != 3 {
			t.Fatalf("charter history %+v", cs)
		}
		cw.page(f.Bob, pathf("/federations/%d", f.Fed)).want(t, 200).has(t, "version 2", `data-version="2"`, "Shorter votes", `data-version="1"`, "the founding of the federation")
	})
}

// TestOverturnAPI: a committee's adopted decision is posted to its
// council, which overturns it by majority.
func TestOverturnAPI(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		var k councilResponse
		cw.api(f.Founder, "POST", pathf("/api/v1/federations/%d/councils", f.Fed), map[string]any{"name": "Food commission", "kind": "committee",
			"parent": f.Putilov, "role": "commission", "seats": 1}).want(t, 201).decode(t, &k)
		f.Elect(k.Council.ID, f.Putilov, []int64{f.Alice}, nil)
		d := cw.propose(f.Alice, k.Council.ID, map[string]any{"title": "Ration bread"})
		cw.vote(d.ID, map[int64]soviet.Choice{f.Alice: soviet.Yes})
		var ds decisionsResponse
		cw.api(f.Bob, "GET", pathf("/api/v1/councils/%d/decisions", f.Putilov), nil).want(t, 200).decode(t, &ds)
		if len(ds.Decisions) != 1 || ds.Decisions[0].Motion.ID != d.ID || ds.Decisions[0].CommitteeName != "Food commission" || ds.Decisions[0].Overturning != 0 {
			t.Fatalf("decisions %+v", ds)
		}
		o := cw.propose(f.Bob, f.Putilov, map[string]any{"kind": "overturn", "target": d.ID})
		cw.api(f.Bob, "GET", pathf("/api/v1/councils/%d/decisions", f.Putilov), nil).want(t, 200).decode(t, &ds)
		if ds.Decisions[0].Overturning != o.ID {
			t.Fatalf("decision under an overturn motion %+v", ds.Decisions[0])
		}
		if res := cw.vote(o.ID, map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Bob: soviet.Yes, f.Alice: soviet.No}); !res.Adopted {
			t.Fatalf("overturn vote %+v", res)
		}
		if mv := cw.motion(f.Bob, d.ID); mv.Motion.OverturnedBy != o.ID {
			t.Fatalf("decision %+v not overturned by %d", mv.Motion, o.ID)
		}
		cw.page(f.Bob, pathf("/motions/%d", d.ID)).want(t, 200).has(t, `id="overturned"`, pathf(`href="/motions/%d"`, o.ID))
		cw.page(f.Bob, pathf("/councils/%d", f.Putilov)).want(t, 200).has(t, `id="decisions"`, pathf("overturned by <a href=\"/motions/%d\">", o.ID))
	})
}

// TestForwardAndTakeUpAPI: an adopted motion of a base council is
// forwarded by its secretary to the council above, and taken up by
// another base council; the family shows on every motion of it.
func TestForwardAndTakeUpAPI(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		sailors := cw.members(f.Fleet, "sailor", 1)
		m := cw.propose(f.Alice, f.Putilov, map[string]any{"title": "Workers' control", "body": "Of the works."})
		cw.api(f.Bob, "POST", pathf("/api/v1/motions/%d/support", m.ID), nil).want(t, 204)
		cw.vote(m.ID, map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes, f.Bob: soviet.Yes})
		cw.api(f.Alice, "POST", pathf("/api/v1/motions/%d/forward", m.ID), map[string]any{"to": f.Soviet}).refused(t, 403, "secretary")
		var fw motionResponse
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/forward", m.ID), map[string]any{"to": f.Soviet}).want(t, 201).decode(t, &fw)
		if fw.Motion.Council != f.Soviet || fw.Motion.Origin != m.ID || fw.Motion.State != soviet.Debate || fw.Motion.Supporters != 2 || len(fw.Supporters) != 2 {
			t.Fatalf("forwarded motion %+v", fw)
		}
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/forward", m.ID), map[string]any{"to": f.Soviet}).refused(t, 409, "already before that council")
		copy := cw.propose(sailors[0], f.Fleet, map[string]any{"title": m.Title, "body": m.Body, "origin": m.ID})
		if copy.Origin != m.ID {
			t.Fatalf("copy %+v", copy)
		}
		mv := cw.motion(f.Alice, fw.Motion.ID)
		var ids []int64
		for _, x := range mv.Family {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, []int64{m.ID, fw.Motion.ID, copy.ID}) || !mv.Family[1].Forwarded || mv.Family[2].Forwarded {
			t.Fatalf("family %+v", mv.Family)
		}
		cw.page(f.Alice, pathf("/motions/%d", fw.Motion.ID)).want(t, 200).has(t, `id="origin">Forwarded from`, `id="travels"`, "Baltic Fleet")
		cw.page(sailors[0], pathf("/motions/%d", copy.ID)).want(t, 200).has(t, `id="origin">Taken up from`)
		// Alice, of another base council than the Fleet's copy, may take
		// it up; the page offers it.
		cw.page(f.Alice, pathf("/motions/%d", copy.ID)).want(t, 200).has(t, `id="take-up"`, pathf(`action="/councils/%d/motions"`, f.Putilov))
	})
}

// TestReferendumAPI: the Soviet's secretary refers a motion to every
// member below; with the charter's double majority, more yes than no
// overall is not enough when only one base council of two is for.
func TestReferendumAPI(t *testing.T) {
	onEachEngineWith(t, func(ch *soviet.Charter) { ch.DoubleMajority = true }, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		sailors := cw.members(f.Fleet, "sailor", 4)
		m := cw.propose(f.Alice, f.Soviet, map[string]any{"title": "Constituent Assembly"})
		cw.api(f.Alice, "POST", pathf("/api/v1/motions/%d/referendum", m.ID), map[string]any{"secrecy": "roll-call"}).refused(t, 403, "secretary")
		var mv motionResponse
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/referendum", m.ID), map[string]any{"secrecy": "roll-call", "deadline": cw.deadline()}).want(t, 200).decode(t, &mv)
		if !mv.Motion.Referendum || !mv.Motion.DoubleMajority || mv.Motion.State != soviet.Voting || mv.Tally.Eligible != 7 {
			t.Fatalf("referred motion %+v %+v", mv.Motion, mv.Tally)
		}
		votes := map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes, f.Bob: soviet.Yes, sailors[0]: soviet.Yes,
			sailors[1]: soviet.No, sailors[2]: soviet.No, sailors[3]: soviet.No}
		for v, c := range votes {
			cw.api(v, "PUT", pathf("/api/v1/motions/%d/vote", m.ID), map[string]any{"choice": c}).want(t, 204)
		}
		if mv := cw.motion(sailors[0], m.ID); mv.SoFar == nil || len(mv.SoFar.Councils) != 2 || mv.SoFar.CouncilsFor != 1 {
			t.Fatalf("the referendum so far %+v", mv.SoFar)
		}
		cw.page(sailors[1], pathf("/motions/%d", m.ID)).want(t, 200).has(t, `id="referendum-so-far"`, "Baltic Fleet", "Putilov Works")
		var res soviet.Result
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/close", m.ID), nil).want(t, 200).decode(t, &res)
		if res.Yes != 4 || res.No != 3 || len(res.Councils) != 2 || res.CouncilsFor != 1 || !res.DoubleMajority || res.Adopted {
			t.Fatalf("referendum result %+v", res)
		}
		cw.page(sailors[1], pathf("/motions/%d", m.ID)).want(t, 200).
			has(t, `id="referendum-councils"`, `id="double-majority"><strong>1 of 2</strong>`, "<strong>not met</strong>", "Rejected")
	})
}

// TestWeightedVoteAPI: in a weighted vote each delegate weighs the members
// they represent; a delegate splits their weight; the count shows heads
// and weights, to two places with the exact fraction beside.
func TestWeightedVoteAPI(t *testing.T) {
	onEachEngineWith(t, func(ch *soviet.Charter) { ch.WeightedVotes = true }, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		sailors := cw.members(f.Fleet, "sailor", 6)
		f.Elect(f.Soviet, f.Putilov, []int64{f.Alice}, nil)
		f.Elect(f.Soviet, f.Fleet, []int64{sailors[0], sailors[1]}, nil)
		m := cw.propose(sailors[0], f.Soviet, map[string]any{"title": "Weighed"})
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/open", m.ID), map[string]any{"secrecy": "secret"}).refused(t, 400, "weighted")
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/open", m.ID), nil).want(t, 200)
		cw.api(sailors[0], "PUT", pathf("/api/v1/motions/%d/vote", m.ID), map[string]any{"split": map[string]int{"yes": 1, "no": 2}}).want(t, 204)
		cw.api(f.Alice, "PUT", pathf("/api/v1/motions/%d/vote", m.ID), map[string]any{"choice": "yes"}).want(t, 204)
		mv := cw.motion(f.Alice, m.ID)
		if mv.SoFar == nil || mv.SoFar.Weights == nil || mv.SoFar.Weights.Yes != "4" || mv.SoFar.Weights.No != "2" || mv.SoFar.Split != 1 {
			t.Fatalf("weights so far %+v", mv.SoFar)
		}
		for _, v := range mv.RollCall {
			if v.Weight != "3" {
				t.Errorf("%s weighs %q, want 3", v.Account.Name, v.Weight)
			}
			if v.Account.ID == sailors[0] && (v.Choice != soviet.SplitChoice || v.Split == nil || v.Split.No != 2) {
				t.Errorf("split vote in the roll call %+v", v)
			}
		}
		p := cw.page(sailors[1], pathf("/motions/%d", m.ID)).want(t, 200)
		p.has(t, `id="weights-so-far"`, `title="exactly 4">4.00</td>`, `id="split-vote"`, "1 yes, 2 no")
		// The split form of the page.
		cw.post(sailors[1], pathf("/motions/%d/vote", m.ID), map[string][]string{"choice": {"split"}, "yes": {"1"}, "no": {"2"}, "abstain": {""}}).want(t, 303)
		res := cw.castAndClose(m.ID, nil)
		// Alice 3 yes; each sailor 1 yes, 2 no: 5 yes, 4 no of 9.
		if res.Weights == nil || res.Weights.Yes != "5" || res.Weights.No != "4" || res.Weights.Eligible != "9" || res.Split != 2 || !res.Adopted {
			t.Fatalf("weighted result %+v %+v", res, res.Weights)
		}
		cw.page(f.Alice, pathf("/motions/%d", m.ID)).want(t, 200).has(t, `id="weights"`, `title="exactly 5">5.00</td>`, "Split their weight")
	})
}
