package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"soviet"
	"soviet/store"
)

// Motions that act: recall, mandate, charter, overturn; forwarding,
// escalation, referendums, weighted votes.

// seatDelegates has Alice and Bob elected unopposed for Putilov's two seats
// in the Soviet, and returns their offices by account.
func (f *Fixture) seatDelegates() map[int64]int64 {
	f.T.Helper()
	f.Elect(f.Soviet, f.Putilov, []int64{f.Alice, f.Bob}, nil)
	out := map[int64]int64{}
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		os, err := tx.Offices(ctx, f.Soviet, f.Putilov)
		for _, o := range os {
			out[o.Account] = o.ID
		}
		return err
	})
	if len(out) != 2 {
		f.T.Fatalf("delegates %v", out)
	}
	return out
}

// motion returns a motion as stored.
func (f *Fixture) motion(id int64) soviet.Motion {
	f.T.Helper()
	var m soviet.Motion
	f.View(func(ctx context.Context, tx soviet.Tx) (err error) {
		m, err = tx.Motion(ctx, id)
		return err
	})
	return m
}

// charter returns the federation's charter in force.
func (f *Fixture) charter() soviet.Charter {
	f.T.Helper()
	var ch soviet.Charter
	f.View(func(ctx context.Context, tx soviet.Tx) (err error) {
		ch, err = tx.Charter(ctx, f.Fed)
		return err
	})
	return ch
}

// members adds n members to council and returns them.
func (f *Fixture) members(council int64, prefix string, n int) []int64 {
	f.T.Helper()
	out := make([]int64, n)
	for i := range out {
		out[i] = f.Account(fmt.Sprintf("%s%d", prefix, i))
		f.Invite(council, out[i])
	}
	return out
}

func testRecall(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	offices := f.seatDelegates()
	workers := f.members(f.Putilov, "worker", 7) // ten members: two signatures open the vote
	f.unchanged("recall of something that is no seat", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: 424242})
		return err
	})
	f.unchanged("outsider starts a recall", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Olga, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Bob]})
		return err
	})
	sailor := f.members(f.Fleet, "sailor", 1)[0]
	f.unchanged("recall from another council", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, sailor, soviet.MotionInput{Council: f.Fleet, Kind: soviet.RecallMotion, Target: offices[f.Bob]})
		return err
	})
	r, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Bob], Body: "He voted for the war."})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != soviet.Submitted || r.Title == "" || r.Majority != soviet.Simple {
		t.Fatalf("new recall %+v", r)
	}
	f.unchanged("second recall of the same delegate", soviet.ErrConflict, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Bob]})
		return err
	})
	f.unchanged("secretary opens a recall vote by hand", soviet.ErrConflict, func() error {
		_, err := f.Svc.OpenVote(ctx, f.Founder, r.ID, time.Time{})
		return err
	})
	if err := f.Svc.SupportMotion(ctx, workers[0], r.ID); err != nil {
		t.Fatal(err)
	}
	f.unchanged("sign twice", soviet.ErrConflict, func() error { return f.Svc.SupportMotion(ctx, workers[0], r.ID) })
	if m := f.motion(r.ID); m.State != soviet.Voting || m.Secrecy != soviet.Secret || m.Quorum != (soviet.Ratio{Num: 1, Den: 2}) {
		t.Fatalf("after two signatures of ten, the recall's vote should be open and secret: %+v", m)
	}
	for _, v := range append([]int64{f.Founder, f.Alice}, workers[:4]...) {
		if _, err := f.Svc.CastBallot(ctx, v, r.ID, soviet.Yes); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Svc.CastBallot(ctx, f.Bob, r.ID, soviet.No); err != nil {
		t.Fatal(err)
	}
	res, err := f.Svc.CloseVote(ctx, f.Founder, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Adopted || res.Yes != 6 || res.No != 1 {
		t.Fatalf("recall result %+v", res)
	}
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, []int64{f.Alice}) {
		t.Fatalf("delegates after the recall %v, want only Alice", got)
	}
	if e := f.OpenElection(f.Soviet, f.Putilov); e.Seats != 1 || e.Kind != soviet.ByElection {
		t.Fatalf("by-election after the recall %+v", e)
	}
	var reason string
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		o, err := tx.Office(ctx, offices[f.Bob])
		reason = o.Reason
		return err
	})
	if reason != soviet.EndRecalled {
		t.Fatalf("office ended for %q, want recalled", reason)
	}
	// The recalled delegate no longer votes in the Soviet.
	m := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "After the recall"})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.unchanged("recalled delegate votes", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, f.Bob, m, soviet.Yes) })
	f.unchanged("recalled delegate proposes", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Bob, soviet.MotionInput{Council: f.Soviet, Title: "x"})
		return err
	})
	f.unchanged("recall of an ended office", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Bob]})
		return err
	})
}

func testFailedRecall(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.RecallBallot = soviet.RollCall })
	ctx := f.Ctx
	offices := f.seatDelegates()
	r := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Alice]})).ID()
	if m := f.motion(r); m.State != soviet.Voting || m.Secrecy != soviet.RollCall {
		t.Fatalf("one signature of three opens a roll-call recall vote: %+v", m)
	}
	for v, c := range map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.No, f.Bob: soviet.No} {
		if err := f.Svc.CastVote(ctx, v, r, c); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.Svc.CloseVote(ctx, f.Founder, r); err != nil || res.Adopted {
		t.Fatalf("recall with 1 yes and 2 no: %+v, %v", res, err)
	}
	if got := f.offices(f.Soviet, f.Putilov); len(got) != 2 {
		t.Fatalf("a failed recall removed a delegate: %v", got)
	}
}

func testDirectRecall(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) {
		ch.DirectRecall = true
		ch.RecallThreshold = soviet.Ratio{Num: 9, Den: 10}
	})
	ctx := f.Ctx
	offices := f.seatDelegates()
	f.members(f.Putilov, "worker", 2) // five members: three signatures are a majority
	r := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.RecallMotion, Target: offices[f.Bob]})).ID()
	if err := f.Svc.SupportMotion(ctx, f.Alice, r); err != nil {
		t.Fatal(err)
	}
	if m := f.motion(r); m.State != soviet.Submitted {
		t.Fatalf("two of five signatures: %+v", m)
	}
	if err := f.Svc.SupportMotion(ctx, f.Account("x0"), r); err == nil {
		t.Fatal("an outsider signed")
	}
	var w int64
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		a, err := tx.AccountByHandle(ctx, "worker0")
		w = a.ID
		return err
	})
	if err := f.Svc.SupportMotion(ctx, w, r); err != nil {
		t.Fatal(err)
	}
	m := f.motion(r)
	if m.State != soviet.Adopted || m.Result == nil || !m.Result.Direct {
		t.Fatalf("three of five signatures with direct recall: %+v %+v", m, m.Result)
	}
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, []int64{f.Alice}) {
		t.Fatalf("delegates after a direct recall %v", got)
	}
}

func testMandate(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.seatDelegates()
	m := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "Land to the peasants"})).ID()
	f.unchanged("mandate without instruction", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.MandateMotion, Target: m})
		return err
	})
	local := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Title: "Local"})).ID()
	f.unchanged("mandate on a motion of the same council", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.MandateMotion, Target: local, Instruction: soviet.Yes})
		return err
	})
	md := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.MandateMotion, Target: m, Instruction: soviet.Yes})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, md, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{f.Founder, f.Alice, f.Bob} {
		if err := f.Svc.CastVote(ctx, v, md, soviet.Yes); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.Svc.CloseVote(ctx, f.Founder, md); err != nil || !res.Adopted {
		t.Fatalf("mandate vote %+v %v", res, err)
	}
	var instruction string
	if err := f.DB.SQL().QueryRowContext(ctx, rebindFor(f, "SELECT instruction FROM mandates WHERE council = ? AND motion = ?"), f.Putilov, m).Scan(&instruction); err != nil {
		t.Fatal(err)
	}
	if instruction != "yes" {
		t.Fatalf("mandate %q", instruction)
	}
	// A closed motion takes no more mandates.
	if _, err := f.Svc.OpenVote(ctx, f.Founder, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.CloseVote(ctx, f.Founder, m); err != nil {
		t.Fatal(err)
	}
	f.unchanged("mandate on a closed motion", soviet.ErrConflict, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.MandateMotion, Target: m, Instruction: soviet.No})
		return err
	})
}

func testCharterAmendment(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.seatDelegates()
	next := f.charter()
	next.SupporterThreshold = 2
	f.unchanged("charter motion outside the top council", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Title: "New rules", Kind: soviet.CharterMotion, Charter: &next})
		return err
	})
	bad := next
	bad.HouseSize = 0
	f.unchanged("invalid charter", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "Bad rules", Kind: soviet.CharterMotion, Charter: &bad})
		return err
	})
	// Two thirds are needed: one yes, one no fails.
	failed := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "New rules", Kind: soviet.CharterMotion, Charter: &next, Majority: soviet.Simple})).ID()
	if m := f.motion(failed); m.Majority != soviet.TwoThirds {
		t.Fatalf("a charter motion's majority is %s", m.Majority)
	}
	if _, err := f.Svc.OpenVote(ctx, f.Founder, failed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.Svc.CastVote(ctx, f.Alice, failed, soviet.Yes)
	f.Svc.CastVote(ctx, f.Bob, failed, soviet.No)
	if res, _ := f.Svc.CloseVote(ctx, f.Founder, failed); res.Adopted {
		t.Fatal("a charter change passed with half the votes")
	}
	if got := f.charter(); got.Version != 1 || got.SupporterThreshold != 1 {
		t.Fatalf("the charter changed after a failed vote: %+v", got)
	}
	passed := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "New rules", Kind: soviet.CharterMotion, Charter: &next})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, passed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.Svc.CastVote(ctx, f.Alice, passed, soviet.Yes)
	f.Svc.CastVote(ctx, f.Bob, passed, soviet.Yes)
	if res, err := f.Svc.CloseVote(ctx, f.Founder, passed); err != nil || !res.Adopted {
		t.Fatalf("unanimous charter change: %+v %v", res, err)
	}
	if got := f.charter(); got.Version != 2 || got.SupporterThreshold != 2 {
		t.Fatalf("charter after the change %+v", got)
	}
	// The new rule is in force: one supporter no longer admits a motion.
	if m := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Title: "Needs two"})).v.(soviet.Motion); m.State != soviet.Submitted {
		t.Fatalf("motion under the new charter %+v", m)
	}

	// By referendum: the members of Putilov (and the Fleet) decide.
	third := f.charter()
	third.VoteDays = 3
	ref := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "Shorter votes", Kind: soviet.CharterMotion, Charter: &third})).ID()
	if err := f.Svc.SupportMotion(ctx, f.Bob, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.ReferToReferendum(ctx, f.Founder, ref, soviet.VoteOptions{Secrecy: soviet.RollCall}); err != nil {
		t.Fatal(err)
	}
	for v, c := range map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes, f.Bob: soviet.No} {
		if err := f.Svc.CastVote(ctx, v, ref, c); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.Svc.CloseVote(ctx, f.Founder, ref); err != nil || !res.Adopted {
		t.Fatalf("charter referendum %+v %v", res, err)
	}
	if got := f.charter(); got.Version != 3 || got.VoteDays != 3 {
		t.Fatalf("charter after the referendum %+v", got)
	}
}

func testOverturn(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	k, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Name: "Food commission", Kind: soviet.Committee, Parent: f.Putilov, Role: soviet.Commission, Seats: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.Elect(k.ID, f.Putilov, []int64{f.Alice}, nil)
	d := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: k.ID, Title: "Ration bread"})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, d, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Svc.CastVote(ctx, f.Alice, d, soviet.Yes); err != nil {
		t.Fatal(err)
	}
	if res, err := f.Svc.CloseVote(ctx, f.Founder, d); err != nil || !res.Adopted {
		t.Fatalf("committee decision %+v %v", res, err)
	}
	local := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Title: "Not a committee's"})).ID()
	f.unchanged("overturn a council's own motion", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Bob, soviet.MotionInput{Council: f.Putilov, Kind: soviet.OverturnMotion, Target: local})
		return err
	})
	o := f.Must(f.Svc.ProposeMotion(ctx, f.Bob, soviet.MotionInput{Council: f.Putilov, Kind: soviet.OverturnMotion, Target: d})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, o, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{f.Founder, f.Bob} {
		if err := f.Svc.CastVote(ctx, v, o, soviet.Yes); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.Svc.CloseVote(ctx, f.Founder, o); err != nil || !res.Adopted {
		t.Fatalf("overturn %+v %v", res, err)
	}
	if got := f.motion(d); got.OverturnedBy != o {
		t.Fatalf("decision %+v not overturned by %d", got, o)
	}
	f.unchanged("overturn twice", soviet.ErrConflict, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Bob, soviet.MotionInput{Council: f.Putilov, Kind: soviet.OverturnMotion, Target: d})
		return err
	})
}

// adopt opens, votes yes by everyone given and closes a motion.
func (f *Fixture) adopt(m int64, voters ...int64) {
	f.T.Helper()
	if _, err := f.Svc.OpenVote(f.Ctx, f.Founder, m, time.Time{}); err != nil {
		f.T.Fatal(err)
	}
	for _, v := range voters {
		if err := f.Svc.CastVote(f.Ctx, v, m, soviet.Yes); err != nil {
			f.T.Fatal(err)
		}
	}
	if res, err := f.Svc.CloseVote(f.Ctx, f.Founder, m); err != nil || !res.Adopted {
		f.T.Fatalf("adopt %d: %+v %v", m, res, err)
	}
}

func testForward(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	m := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Workers' control", Body: "Of the works."})).ID()
	f.Svc.SupportMotion(ctx, f.Bob, m)
	f.adopt(m, f.Founder, f.Alice, f.Bob)
	f.unchanged("member forwards", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ForwardMotion(ctx, f.Alice, m, f.Soviet)
		return err
	})
	f.unchanged("forward to a council not above", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ForwardMotion(ctx, f.Founder, m, f.Fleet)
		return err
	})
	fw, err := f.Svc.ForwardMotion(ctx, f.Founder, m, f.Soviet)
	if err != nil {
		t.Fatal(err)
	}
	if fw.Council != f.Soviet || fw.Origin != m || fw.State != soviet.Debate || fw.Title != "Workers' control" || fw.Supporters != 2 {
		t.Fatalf("forwarded motion %+v", fw)
	}
	f.unchanged("forward twice", soviet.ErrConflict, func() error {
		_, err := f.Svc.ForwardMotion(ctx, f.Founder, m, f.Soviet)
		return err
	})
}

func testEscalation(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.EscalateAfter = 2 })
	ctx := f.Ctx
	sailors := f.members(f.Fleet, "sailor", 2)
	m := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Peace without annexations"})).ID()
	f.adopt(m, f.Founder, f.Alice, f.Bob)
	copy := f.Must(f.Svc.ProposeMotion(ctx, sailors[0], soviet.MotionInput{Council: f.Fleet, Title: "Peace without annexations", Origin: m})).ID()
	f.adopt(copy, sailors...)
	var forwarded []int64
	f.View(func(ctx context.Context, tx soviet.Tx) (err error) {
		forwarded, err = tx.Forwarded(ctx, m)
		return err
	})
	if !slices.Equal(forwarded, []int64{f.Soviet}) {
		t.Fatalf("after two base councils adopted it, the motion is before %v, want the Soviet", forwarded)
	}
}

func testReferendum(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.DoubleMajority = true })
	ctx := f.Ctx
	f.seatDelegates()
	sailors := f.members(f.Fleet, "sailor", 4)
	m := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "Constituent Assembly"})).ID()
	f.unchanged("member refers", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ReferToReferendum(ctx, f.Alice, m, soviet.VoteOptions{})
		return err
	})
	if _, err := f.Svc.ReferToReferendum(ctx, f.Founder, m, soviet.VoteOptions{Secrecy: soviet.RollCall}); err != nil {
		t.Fatal(err)
	}
	// Putilov: 3 yes. Fleet: 1 yes, 3 no. Overall 4 yes, 3 no, but only
	// one council of two is for: the double majority fails.
	votes := map[int64]soviet.Choice{f.Founder: soviet.Yes, f.Alice: soviet.Yes, f.Bob: soviet.Yes, sailors[0]: soviet.Yes,
		sailors[1]: soviet.No, sailors[2]: soviet.No, sailors[3]: soviet.No}
	for v, c := range votes {
		if err := f.Svc.CastVote(ctx, v, m, c); err != nil {
			t.Fatalf("voter %d: %v", v, err)
		}
	}
	f.unchanged("outsider votes in the referendum", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, f.Olga, m, soviet.Yes) })
	res, err := f.Svc.CloseVote(ctx, f.Founder, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Yes != 4 || res.No != 3 || res.Eligible != 7 || len(res.Councils) != 2 || res.CouncilsFor != 1 || !res.DoubleMajority || res.Adopted {
		t.Fatalf("referendum result %+v", res)
	}

	// A secret referendum gives the same per-council counts from its
	// bulletin.
	s := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Soviet, Title: "Secret question"})).ID()
	if _, err := f.Svc.ReferToReferendum(ctx, f.Founder, s, soviet.VoteOptions{Secrecy: soviet.Secret}); err != nil {
		t.Fatal(err)
	}
	for v, c := range votes {
		if _, err := f.Svc.CastBallot(ctx, v, s, c); err != nil {
			t.Fatalf("voter %d: %v", v, err)
		}
	}
	sres, err := f.Svc.CloseVote(ctx, f.Founder, s)
	if err != nil {
		t.Fatal(err)
	}
	if sres.Yes != 4 || sres.No != 3 || len(sres.Councils) != 2 || sres.CouncilsFor != 1 || sres.Adopted {
		t.Fatalf("secret referendum result %+v", sres)
	}
}

func testWeightedVotes(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.WeightedVotes = true })
	ctx := f.Ctx
	// Six sailors outnumber three workers: Putilov 1 seat, Fleet 2, each
	// delegate weighing 3 members.
	sailors := f.members(f.Fleet, "sailor", 6)
	f.Elect(f.Soviet, f.Putilov, []int64{f.Alice}, nil)
	f.Elect(f.Soviet, f.Fleet, []int64{sailors[0], sailors[1]}, nil)
	putilovDelegate := f.Alice
	m := f.Must(f.Svc.ProposeMotion(ctx, sailors[0], soviet.MotionInput{Council: f.Soviet, Title: "Weighed"})).ID()
	f.unchanged("secret weighted vote", soviet.ErrInvalid, func() error {
		_, err := f.Svc.OpenVoteWith(ctx, f.Founder, m, soviet.VoteOptions{Secrecy: soviet.Secret})
		return err
	})
	if _, err := f.Svc.OpenVote(ctx, f.Founder, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.unchanged("bad split", soviet.ErrInvalid, func() error { return f.Svc.CastSplitVote(ctx, sailors[0], m, soviet.Split{}) })
	// Putilov's delegate (weight 3) votes yes; one sailor (weight 3)
	// splits 2:1 for no; the other sailor votes no.
	if err := f.Svc.CastVote(ctx, putilovDelegate, m, soviet.Yes); err != nil {
		t.Fatal(err)
	}
	if err := f.Svc.CastSplitVote(ctx, sailors[0], m, soviet.Split{Yes: 1, No: 2}); err != nil {
		t.Fatal(err)
	}
	if err := f.Svc.CastVote(ctx, sailors[1], m, soviet.No); err != nil {
		t.Fatal(err)
	}
	res, err := f.Svc.CloseVote(ctx, f.Founder, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Weights == nil || res.Weights.Yes != "4" || res.Weights.No != "5" || res.Weights.Eligible != "9" || res.Split != 1 || res.Adopted {
		t.Fatalf("weighted result %+v weights %+v", res, res.Weights)
	}
}

// rebindFor writes a test's raw query for the fixture's engine.
func rebindFor(f *Fixture, q string) string {
	if f.DB.Engine() != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
