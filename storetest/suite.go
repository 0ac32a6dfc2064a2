package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"soviet"
	"soviet/store"
)

// Run runs the whole conformance suite on stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"LogStartsWithInstance", testLogStartsWithInstance},
		{"Founding", testFounding},
		{"CouncilGraph", testCouncilGraph},
		{"Invitations", testInvitations},
		{"JoinRequests", testJoinRequests},
		{"Leave", testLeave},
		{"MotionLifecycle", testMotionLifecycle},
		{"VoteRefusals", testVoteRefusals},
		{"VoteDeadline", testVoteDeadline},
		{"Majorities", testMajorities},
		{"SupporterThreshold", testSupporterThreshold},
		{"GroupCommit", testGroupCommit},
		{"ConcurrentSameVoter", testConcurrentSameVoter},
		{"ProjectionsMatchReplay", testVerifyClean},
		{"TamperingDetected", testTamperingDetected},
		{"Proofs", testProofs},
		{"SecretsStayOutOfLog", testSecretsStayOutOfLog},
		{"SessionsAndTokens", testSessionsAndTokens},
		{"Reopen", testReopen},
		{"SecretBallot", testSecretBallot},
		{"SecrecyChoice", testSecrecyChoice},
		{"OneBallotPerVoter", testOneBallotPerVoter},
		{"BallotBoxTampering", testBallotBoxTampering},
		{"SecrecyOfStoredData", testSecrecyOfStoredData},
		{"BoxMixing", testBoxMixing},
		{"SeatsFollowMembership", testSeatsFollowMembership},
		{"ElectionCycle", testElectionCycle},
		{"UnopposedAndDeadlines", testUnopposedAndDeadlines},
		{"LeavingVacatesSeat", testLeavingVacatesSeat},
		{"CommitteeTakesSecretary", testCommitteeTakesSecretary},
		{"Factions", testFactions},
		{"Recall", testRecall},
		{"FailedRecall", testFailedRecall},
		{"DirectRecall", testDirectRecall},
		{"Mandate", testMandate},
		{"CharterAmendment", testCharterAmendment},
		{"Overturn", testOverturn},
		{"Forward", testForward},
		{"Escalation", testEscalation},
		{"Referendum", testReferendum},
		{"WeightedVotes", testWeightedVotes},
		{"ForwardedCopies", testForwardedCopies},
		{"CharterMotionsInTurn", testCharterMotionsInTurn},
		{"SecretElection", testSecretElection},
		{"ImportAndRebalanceAll", testImportAndRebalanceAll},
		{"RepresentedOverTheGraph", testRepresentedOverTheGraph},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// wantKind fails the test unless err is of the given kind.
func wantKind(t testing.TB, err, kind error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("%s: error %q (%v), want kind %v", what, err, soviet.KindOf(err), kind)
	}
}

// unchanged runs fn, wants an error of the kind, and checks that the log did
// not grow.
func (f *Fixture) unchanged(what string, kind error, fn func() error) {
	f.T.Helper()
	before := f.Size()
	wantKind(f.T, fn(), kind, what)
	if after := f.Size(); after != before {
		f.T.Fatalf("%s: the log grew from %d to %d events on a refused command", what, before, after)
	}
}

func testLogStartsWithInstance(t *testing.T, open Opener) {
	db := open(t, store.Options{Version: "test"})
	ctx := context.Background()
	evs, err := db.Events(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != "instance.created" || evs[0].Seq != 1 {
		t.Fatalf("a new log holds %+v, want one instance.created event", evs)
	}
	h, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Size != 1 {
		t.Fatalf("head size %d, want 1", h.Size)
	}
}

func testFounding(t *testing.T, open Opener) {
	db := open(t, store.Options{})
	svc := soviet.NewService(db)
	ctx := context.Background()
	_, err := svc.Register(ctx, soviet.AccountInput{Handle: "early", Name: "Early", PasswordHash: "x"})
	wantKind(t, err, soviet.ErrConflict, "register before the founder")
	for _, in := range []soviet.AccountInput{
		{Handle: "", Name: "No handle", PasswordHash: "x"},
		{Handle: "UPPER CASE", Name: "Space", PasswordHash: "x"},
		{Handle: "ok", Name: "", PasswordHash: "x"},
		{Handle: "ok", Name: "No password"},
		{Handle: "ok", Name: strings.Repeat("n", 101), PasswordHash: "x"},
	} {
		_, err := svc.Found(ctx, in)
		wantKind(t, err, soviet.ErrInvalid, fmt.Sprintf("found with %+v", in))
	}
	a, err := svc.Found(ctx, soviet.AccountInput{Handle: "Lenin", Name: "V. I. Lenin", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Founder || a.Handle != "lenin" {
		t.Fatalf("founder %+v", a)
	}
	_, err = svc.Found(ctx, soviet.AccountInput{Handle: "kerensky", Name: "A. Kerensky", PasswordHash: "x"})
	wantKind(t, err, soviet.ErrConflict, "second founder")
	_, err = svc.Register(ctx, soviet.AccountInput{Handle: "lenin", Name: "Impostor", PasswordHash: "x"})
	wantKind(t, err, soviet.ErrConflict, "taken handle")
	if _, err := svc.Register(ctx, soviet.AccountInput{Handle: "trotsky", Name: "L. Trotsky", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateFederation(ctx, 0, "Anonymous")
	wantKind(t, err, soviet.ErrUnauthenticated, "anonymous federation")
}

func testCouncilGraph(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.unchanged("non-founder creates a council", soviet.ErrForbidden, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Alice, soviet.CouncilInput{Federation: f.Fed, Name: "Rogue", Kind: soviet.Base})
		return err
	})
	f.unchanged("council of unknown kind", soviet.ErrInvalid, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "X", Kind: "committee"})
		return err
	})
	f.unchanged("council in unknown federation", soviet.ErrNotFound, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: 99999, Name: "X", Kind: soviet.Base})
		return err
	})
	congress := f.Must(f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Congress", Kind: soviet.Delegate})).ID()
	if err := f.Svc.LinkCouncils(ctx, f.Founder, f.Soviet, congress); err != nil {
		t.Fatal(err)
	}
	f.unchanged("cycle", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, congress, f.Soviet) })
	f.unchanged("self link", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, congress, congress) })
	f.unchanged("link to a base council", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, f.Fleet, f.Putilov) })
	f.unchanged("duplicate link", soviet.ErrConflict, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, f.Soviet, congress) })
	f.unchanged("link by a member", soviet.ErrForbidden, func() error { return f.Svc.LinkCouncils(ctx, f.Alice, f.Fleet, congress) })
	other := f.Must(f.Svc.CreateFederation(ctx, f.Olga, "Elsewhere")).ID()
	far := f.Must(f.Svc.CreateCouncil(ctx, f.Olga, soviet.CouncilInput{Federation: other, Name: "Far", Kind: soviet.Delegate})).ID()
	f.unchanged("link across federations", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, f.Fleet, far) })
	// A council may send delegates to more than one higher council.
	if err := f.Svc.LinkCouncils(ctx, f.Founder, f.Fleet, congress); err != nil {
		t.Fatal(err)
	}
}

func testInvitations(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.unchanged("member invites", soviet.ErrForbidden, func() error {
		_, _, err := f.Svc.IssueInvitation(ctx, f.Alice, f.Putilov, "")
		return err
	})
	f.unchanged("invite to a delegate council", soviet.ErrInvalid, func() error {
		_, _, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Soviet, "")
		return err
	})
	inv, token, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Fleet, "for Olga")
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged("anonymous accepts", soviet.ErrUnauthenticated, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, 0, token)
		return err
	})
	f.unchanged("wrong token", soviet.ErrNotFound, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, f.Olga, token+"x")
		return err
	})
	m, err := f.Svc.AcceptInvitation(ctx, f.Olga, token)
	if err != nil {
		t.Fatal(err)
	}
	if m.Council != f.Fleet || m.Account != f.Olga {
		t.Fatalf("membership %+v", m)
	}
	f.unchanged("reused invitation", soviet.ErrConflict, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, f.Bob, token)
		return err
	})
	f.unchanged("revoke a used invitation", soviet.ErrConflict, func() error { return f.Svc.RevokeInvitation(ctx, f.Founder, inv.ID) })

	// Expiry.
	_, token2, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Fleet, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(15 * 24 * time.Hour)
	f.unchanged("expired invitation", soviet.ErrConflict, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, f.Bob, token2)
		return err
	})
	// Revocation.
	inv3, token3, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Fleet, "")
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged("member revokes", soviet.ErrForbidden, func() error { return f.Svc.RevokeInvitation(ctx, f.Alice, inv3.ID) })
	if err := f.Svc.RevokeInvitation(ctx, f.Founder, inv3.ID); err != nil {
		t.Fatal(err)
	}
	f.unchanged("revoked invitation", soviet.ErrConflict, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, f.Bob, token3)
		return err
	})
	// An invitation to another base council moves a member: one base
	// council per federation.
	_, token4, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Fleet, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.AcceptInvitation(ctx, f.Bob, token4); err != nil {
		t.Fatal(err)
	}
	err = f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		m, err := tx.Membership(ctx, f.Fed, f.Bob)
		if err != nil {
			return err
		}
		if m.Council != f.Fleet {
			return fmt.Errorf("bob is in council %d, want %d", m.Council, f.Fleet)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, token5, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Fleet, "")
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged("invitation to one's own council", soviet.ErrConflict, func() error {
		_, err := f.Svc.AcceptInvitation(ctx, f.Bob, token5)
		return err
	})
}

func testJoinRequests(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	r := f.Must(f.Svc.RequestJoin(ctx, f.Olga, f.Fleet, "I serve on the Aurora")).ID()
	f.unchanged("second request", soviet.ErrConflict, func() error {
		_, err := f.Svc.RequestJoin(ctx, f.Olga, f.Fleet, "again")
		return err
	})
	f.unchanged("member asks to join own council", soviet.ErrConflict, func() error {
		_, err := f.Svc.RequestJoin(ctx, f.Alice, f.Putilov, "")
		return err
	})
	f.unchanged("anonymous request", soviet.ErrUnauthenticated, func() error {
		_, err := f.Svc.RequestJoin(ctx, 0, f.Fleet, "")
		return err
	})
	f.unchanged("member decides", soviet.ErrForbidden, func() error { return f.Svc.DecideJoin(ctx, f.Alice, r, true) })
	f.unchanged("unknown request", soviet.ErrNotFound, func() error { return f.Svc.DecideJoin(ctx, f.Founder, 424242, true) })
	if err := f.Svc.DecideJoin(ctx, f.Founder, r, true); err != nil {
		t.Fatal(err)
	}
	f.unchanged("decide twice", soviet.ErrConflict, func() error { return f.Svc.DecideJoin(ctx, f.Founder, r, false) })
	dan := f.Account("dan")
	r2 := f.Must(f.Svc.RequestJoin(ctx, dan, f.Fleet, "")).ID()
	if err := f.Svc.DecideJoin(ctx, f.Founder, r2, false); err != nil {
		t.Fatal(err)
	}
	err := f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		if _, err := tx.Membership(ctx, f.Fed, f.Olga); err != nil {
			return fmt.Errorf("olga admitted but: %w", err)
		}
		if _, err := tx.Membership(ctx, f.Fed, dan); !errors.Is(err, soviet.ErrNotFound) {
			return fmt.Errorf("dan refused but membership: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testLeave(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.unchanged("outsider leaves", soviet.ErrForbidden, func() error { return f.Svc.Leave(ctx, f.Olga, f.Putilov) })
	if err := f.Svc.Leave(ctx, f.Alice, f.Putilov); err != nil {
		t.Fatal(err)
	}
	f.unchanged("leave twice", soviet.ErrForbidden, func() error { return f.Svc.Leave(ctx, f.Alice, f.Putilov) })
	f.unchanged("former member proposes", soviet.ErrForbidden, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "t"})
		return err
	})
}

func testMotionLifecycle(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	m, err := f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Eight-hour day", Body: "The works adopts the **eight-hour day**."})
	if err != nil {
		t.Fatal(err)
	}
	if m.State != soviet.Debate || m.Supporters != 1 || m.Majority != soviet.Simple {
		t.Fatalf("new motion %+v: want debate (threshold 1 met by the proposer), simple majority", m)
	}
	if err := f.Svc.SupportMotion(ctx, f.Bob, m.ID); err != nil {
		t.Fatal(err)
	}
	f.unchanged("support twice", soviet.ErrConflict, func() error { return f.Svc.SupportMotion(ctx, f.Bob, m.ID) })
	f.unchanged("outsider supports", soviet.ErrForbidden, func() error { return f.Svc.SupportMotion(ctx, f.Olga, m.ID) })
	f.unchanged("member opens the vote", soviet.ErrForbidden, func() error {
		_, err := f.Svc.OpenVote(ctx, f.Alice, m.ID, time.Time{})
		return err
	})
	f.unchanged("deadline in the past", soviet.ErrInvalid, func() error {
		_, err := f.Svc.OpenVote(ctx, f.Founder, m.ID, Epoch.Add(-time.Hour))
		return err
	})
	opened, err := f.Svc.OpenVote(ctx, f.Founder, m.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if opened.State != soviet.Voting || !opened.Deadline.Equal(Epoch.Add(7*24*time.Hour)) {
		t.Fatalf("opened %+v", opened)
	}
	f.unchanged("open twice", soviet.ErrConflict, func() error {
		_, err := f.Svc.OpenVote(ctx, f.Founder, m.ID, time.Time{})
		return err
	})
	f.unchanged("withdraw during the vote", soviet.ErrConflict, func() error { return f.Svc.WithdrawMotion(ctx, f.Alice, m.ID) })
	for _, v := range []struct {
		who    int64
		choice soviet.Choice
	}{{f.Founder, soviet.Yes}, {f.Alice, soviet.No}, {f.Bob, soviet.Abstain}, {f.Alice, soviet.Yes}} {
		if err := f.Svc.CastVote(ctx, v.who, m.ID, v.choice); err != nil {
			t.Fatalf("vote %v by %d: %v", v.choice, v.who, err)
		}
	}
	f.unchanged("same vote twice", soviet.ErrConflict, func() error { return f.Svc.CastVote(ctx, f.Alice, m.ID, soviet.Yes) })
	f.unchanged("member closes", soviet.ErrForbidden, func() error {
		_, err := f.Svc.CloseVote(ctx, f.Alice, m.ID)
		return err
	})
	r, err := f.Svc.CloseVote(ctx, f.Founder, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := soviet.Result{Yes: 2, No: 0, Abstain: 1, Eligible: 3, Quorum: soviet.Ratio{Num: 1, Den: 2}, Majority: soviet.Simple, QuorumMet: true, Adopted: true}
	if !r.Equal(want) {
		t.Fatalf("result %+v, want %+v", r, want)
	}
	f.unchanged("vote after close", soviet.ErrConflict, func() error { return f.Svc.CastVote(ctx, f.Bob, m.ID, soviet.No) })
	f.unchanged("close twice", soviet.ErrConflict, func() error {
		_, err := f.Svc.CloseVote(ctx, f.Founder, m.ID)
		return err
	})
	err = f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		got, err := tx.Motion(ctx, m.ID)
		if err != nil {
			return err
		}
		if got.State != soviet.Adopted || got.Result == nil || !got.Result.Equal(want) {
			return fmt.Errorf("stored motion %+v, result %+v", got, got.Result)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Withdrawal by the proposer only, before the vote.
	w, err := f.Svc.ProposeMotion(ctx, f.Bob, soviet.MotionInput{Council: f.Putilov, Title: "Withdraw me"})
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged("withdraw another's motion", soviet.ErrForbidden, func() error { return f.Svc.WithdrawMotion(ctx, f.Alice, w.ID) })
	if err := f.Svc.WithdrawMotion(ctx, f.Bob, w.ID); err != nil {
		t.Fatal(err)
	}
	f.unchanged("open a withdrawn motion", soviet.ErrConflict, func() error {
		_, err := f.Svc.OpenVote(ctx, f.Founder, w.ID, time.Time{})
		return err
	})
}

func testVoteRefusals(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	m := f.OpenMotion(f.Putilov, f.Alice, "Strike", soviet.Simple)
	f.unchanged("outsider votes", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, f.Olga, m, soviet.Yes) })
	f.unchanged("anonymous votes", soviet.ErrUnauthenticated, func() error { return f.Svc.CastVote(ctx, 0, m, soviet.Yes) })
	f.unchanged("bad choice", soviet.ErrInvalid, func() error { return f.Svc.CastVote(ctx, f.Alice, m, "maybe") })
	f.unchanged("unknown motion", soviet.ErrNotFound, func() error { return f.Svc.CastVote(ctx, f.Alice, 987654, soviet.Yes) })
	// Joining after the vote opened does not give a vote in it.
	f.Invite(f.Putilov, f.Olga)
	f.unchanged("member who joined after opening", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, f.Olga, m, soviet.Yes) })
	// A motion not yet open.
	d := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Not open"})).ID()
	f.unchanged("vote before opening", soviet.ErrConflict, func() error { return f.Svc.CastVote(ctx, f.Alice, d, soviet.Yes) })
	// A member of another council of the same federation.
	sailor := f.Account("sailor")
	f.Invite(f.Fleet, sailor)
	f.unchanged("member of another council", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, sailor, m, soviet.Yes) })
}

func testVoteDeadline(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	m := f.OpenMotion(f.Putilov, f.Alice, "Deadline", soviet.Simple)
	if err := f.Svc.CastVote(ctx, f.Alice, m, soviet.Yes); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Svc.CloseDueVotes(ctx); err != nil || n != 0 {
		t.Fatalf("closed %d votes before the deadline (err %v)", n, err)
	}
	f.Clock.Advance(7*24*time.Hour + time.Second)
	f.unchanged("vote after the deadline", soviet.ErrConflict, func() error { return f.Svc.CastVote(ctx, f.Bob, m, soviet.Yes) })
	n, err := f.Svc.CloseDueVotes(ctx)
	if err != nil || n != 1 {
		t.Fatalf("closed %d votes at the deadline (err %v), want 1", n, err)
	}
	err = f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		got, err := tx.Motion(ctx, m)
		if err != nil {
			return err
		}
		// One of three took part: below the quorum of a half.
		if got.State != soviet.Rejected || got.Result.QuorumMet {
			return fmt.Errorf("motion %+v result %+v: want rejected for want of quorum", got, got.Result)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testMajorities(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	carol := f.Account("carol")
	f.Invite(f.Putilov, carol)
	// Four voters: founder, alice, bob, carol.
	tests := []struct {
		majority soviet.Majority
		votes    []soviet.Choice
		adopted  bool
	}{
		{soviet.Simple, []soviet.Choice{soviet.Yes, soviet.No, soviet.Abstain, soviet.Abstain}, false},
		{soviet.Simple, []soviet.Choice{soviet.Yes, soviet.Abstain, soviet.Abstain, soviet.Abstain}, true},
		{soviet.Absolute, []soviet.Choice{soviet.Yes, soviet.Yes, soviet.Abstain, soviet.Abstain}, false},
		{soviet.Absolute, []soviet.Choice{soviet.Yes, soviet.Yes, soviet.Yes, soviet.No}, true},
		{soviet.TwoThirds, []soviet.Choice{soviet.Yes, soviet.Yes, soviet.No, soviet.Abstain}, true},
		{soviet.TwoThirds, []soviet.Choice{soviet.Yes, soviet.Yes, soviet.No, soviet.No}, false},
	}
	voters := []int64{f.Founder, f.Alice, f.Bob, carol}
	for i, tc := range tests {
		m := f.OpenMotion(f.Putilov, f.Alice, fmt.Sprintf("case %d", i), tc.majority)
		for j, c := range tc.votes {
			if err := f.Svc.CastVote(ctx, voters[j], m, c); err != nil {
				t.Fatal(err)
			}
		}
		r, err := f.Svc.CloseVote(ctx, f.Founder, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Adopted != tc.adopted || r.Majority != tc.majority {
			t.Errorf("case %d (%s, %v): result %+v, want adopted=%v", i, tc.majority, tc.votes, r, tc.adopted)
		}
	}
	f.unchanged("unknown majority", soviet.ErrInvalid, func() error {
		_, err := f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "x", Majority: "unanimous"})
		return err
	})
}

func testSupporterThreshold(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	// The charter changes only by a qualified vote (a later capability);
	// here the default threshold of one is met by the proposer, and a
	// motion in a fresh federation shows it.
	m, err := f.Svc.ProposeMotion(f.Ctx, f.Bob, soviet.MotionInput{Council: f.Putilov, Title: "Threshold"})
	if err != nil {
		t.Fatal(err)
	}
	if m.State != soviet.Debate {
		t.Fatalf("state %s, want debate", m.State)
	}
}

func testGroupCommit(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	const n = 60
	voters := make([]int64, n)
	for i := range voters {
		voters[i] = f.Account(fmt.Sprintf("worker%d", i))
		f.Invite(f.Putilov, voters[i])
	}
	m := f.OpenMotion(f.Putilov, f.Alice, "All power to the soviets", soviet.Simple)
	before := f.Size()
	// Valid votes and refused ones race into the same batches: each
	// succeeds or fails alone.
	var wg sync.WaitGroup
	errs := make([]error, n)
	refused := make([]error, n)
	for i := range voters {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs[i] = f.Svc.CastVote(ctx, voters[i], m, soviet.Yes)
		}()
		go func() {
			defer wg.Done()
			refused[i] = f.Svc.CastVote(ctx, f.Olga, m, soviet.Yes)
		}()
	}
	wg.Wait()
	for i := range voters {
		if errs[i] != nil {
			t.Errorf("voter %d: %v", i, errs[i])
		}
		if !errors.Is(refused[i], soviet.ErrForbidden) {
			t.Errorf("outsider's vote %d: %v", i, refused[i])
		}
	}
	if got := f.Size() - before; got != n {
		t.Fatalf("%d events appended for %d votes", got, n)
	}
	err := f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		yes, _, _, eligible, err := tx.Count(ctx, m)
		if yes != n || eligible != n+3 {
			return fmt.Errorf("count yes=%d eligible=%d, want %d, %d", yes, eligible, n, n+3)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.DB.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify after concurrent votes: %v", rep.Problems)
	}
}

func testConcurrentSameVoter(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	m := f.OpenMotion(f.Putilov, f.Alice, "Once", soviet.Simple)
	onlyOnce(t, 200, func(int) error { return f.Svc.CastVote(f.Ctx, f.Bob, m, soviet.No) })
}

// onlyOnce runs cast n times at once and wants exactly one success and
// n-1 conflicts.
func onlyOnce(t *testing.T, n int, cast func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cast(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, soviet.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("%d accepted, %d conflicts; want 1 and %d", ok, conflicts, n-1)
	}
}

// populate gives every projection table rows.
func populate(t testing.TB, open Opener) *Fixture {
	// Roll-call elections, so that their ballots fill the rankings table
	// (secret ballots fill the box and bulletin tables through motions).
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.ElectionBallot = soviet.RollCall })
	ctx := f.Ctx
	if _, err := f.Svc.RequestJoin(ctx, f.Olga, f.Fleet, "please"); err != nil {
		t.Fatal(err)
	}
	m := f.OpenMotion(f.Putilov, f.Alice, "Bread, peace, land", soviet.Simple)
	if err := f.Svc.SupportMotion(ctx, f.Bob, f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Second"})).ID()); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{f.Founder, f.Alice, f.Bob} {
		if err := f.Svc.CastVote(ctx, v, m, soviet.Yes); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Svc.CloseVote(ctx, f.Founder, m); err != nil {
		t.Fatal(err)
	}
	f.OpenMotion(f.Putilov, f.Bob, "Open", soviet.TwoThirds)
	// A closed secret vote and an open one with ballots in its box.
	s := f.OpenSecretMotion(f.Putilov, f.Bob, "Secret", soviet.Simple)
	for _, v := range []struct {
		who    int64
		choice soviet.Choice
	}{{f.Founder, soviet.Yes}, {f.Alice, soviet.No}, {f.Bob, soviet.Yes}} {
		if _, err := f.Svc.CastBallot(ctx, v.who, s, v.choice); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Svc.CloseVote(ctx, f.Founder, s); err != nil {
		t.Fatal(err)
	}
	o := f.OpenSecretMotion(f.Putilov, f.Alice, "Open secret", soviet.Simple)
	for _, v := range []int64{f.Founder, f.Bob} {
		if _, err := f.Svc.CastBallot(ctx, v, o, soviet.Abstain); err != nil {
			t.Fatal(err)
		}
	}
	bol := f.Must(f.Svc.CreateFaction(ctx, f.Alice, f.Fed, "Bolsheviks", "#b3261e")).ID()
	if err := f.Svc.DeclareAffiliation(ctx, f.Alice, f.Fed, bol); err != nil {
		t.Fatal(err)
	}
	e := f.Elect(f.Soviet, f.Putilov, []int64{f.Founder, f.Alice, f.Bob}, map[int64][]int64{
		f.Founder: {f.Alice, f.Bob}, f.Alice: {f.Alice}, f.Bob: {f.Bob, f.Founder}})
	// A motion in the Soviet, and Putilov's mandate on it.
	above := f.Must(f.Svc.ProposeMotion(ctx, e.Elected[0], soviet.MotionInput{Council: f.Soviet, Title: "Peace"})).ID()
	md := f.Must(f.Svc.ProposeMotion(ctx, f.Founder, soviet.MotionInput{Council: f.Putilov, Kind: soviet.MandateMotion, Target: above, Instruction: soviet.Yes})).ID()
	f.adopt(md, f.Founder, f.Alice, f.Bob)
	return f
}

func testVerifyClean(t *testing.T, open Opener) {
	f := populate(t, open)
	rep, err := f.DB.Verify(f.Ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify of an untouched store: %v", rep.Problems)
	}
	if rep.Events != f.Size() || rep.Tables != len(store.Projections()) || rep.Rows == 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, p := range store.Projections() {
		var n int
		if err := f.DB.SQL().QueryRowContext(f.Ctx, "SELECT COUNT(*) FROM "+p.Table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("projection %s is empty in the populated store: the tampering tests would not reach it", p.Table)
		}
	}
}

// unguard returns a connection on which the test can write as a malicious
// operator would: past the append-only triggers and the foreign keys.
func unguard(t testing.TB, f *Fixture) *sql.Conn {
	conn, err := f.DB.SQL().Conn(f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var stmts []string
	if f.DB.Engine() == store.Postgres {
		stmts = []string{"SET session_replication_role = replica"}
	} else {
		stmts = []string{"DROP TRIGGER events_append_only_update", "DROP TRIGGER events_append_only_delete", "PRAGMA foreign_keys = OFF"}
		t.Cleanup(func() { conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON") })
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(f.Ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func testTamperingDetected(t *testing.T, open Opener) {
	type tamper struct {
		name string
		sql  []string // with $LAST for the last seq
		want string   // a word the report must contain
	}
	tampers := []tamper{
		{"edit an event's payload", []string{`UPDATE events SET payload = REPLACE(payload, 'Bread', 'Guns') WHERE type = 'motion.proposed'`}, "edited"},
		{"edit an event's actor", []string{`UPDATE events SET actor = actor + 1 WHERE seq = 5`}, "edited"},
		{"delete an event", []string{`DELETE FROM events WHERE seq = 7`}, "missing"},
		{"delete the last event", []string{`DELETE FROM events WHERE seq = $LAST`}, "head"},
		{"reorder two events", []string{
			`UPDATE events SET seq = -1 WHERE seq = 8`, `UPDATE events SET seq = 8 WHERE seq = 9`, `UPDATE events SET seq = 9 WHERE seq = -1`}, "previous hash"},
		{"insert an event", []string{`INSERT INTO events (seq, time, actor, type, payload, prev, hash)
			SELECT $LAST + 1, time, actor, type, payload, hash, prev FROM events WHERE seq = $LAST`}, "event"},
		{"edit the tree", []string{`UPDATE log_nodes SET hash = prev FROM events WHERE events.seq = 1 AND log_nodes.level = 1 AND log_nodes.idx = 0`}, "tree"},
		{"edit the head", []string{`UPDATE log_state SET root = head`}, "root"},
	}
	for _, p := range store.Projections() {
		tampers = append(tampers, tamper{"delete a row of " + p.Table, []string{"DELETE FROM " + p.Table + " WHERE " + p.Key[0] + " = (SELECT MIN(" + p.Key[0] + ") FROM " + p.Table + ")"}, p.Table})
	}
	projEdits := map[string]string{
		"instance":            "UPDATE instance SET version = 'forged'",
		"accounts":            "UPDATE accounts SET name = 'Stalin' WHERE id = (SELECT MAX(id) FROM accounts)",
		"federations":         "UPDATE federations SET founder = founder + 1",
		"charters":            "UPDATE charters SET body = REPLACE(body, '\"supporter_threshold\":1', '\"supporter_threshold\":99')",
		"councils":            "UPDATE councils SET kind = 'base' WHERE kind = 'delegate'",
		"council_links":       "UPDATE council_links SET created = created + 1",
		"council_above":       "DELETE FROM council_above WHERE above = (SELECT MAX(above) FROM council_above)",
		"members":             "UPDATE members SET council = (SELECT MAX(id) FROM councils WHERE kind = 'base') WHERE council <> (SELECT MAX(id) FROM councils WHERE kind = 'base')",
		"invitations":         "UPDATE invitations SET expires = expires + 1000000000",
		"join_requests":       "UPDATE join_requests SET state = 'admitted'",
		"motions":             "UPDATE motions SET adopted = 1 - adopted",
		"motion_supporters":   "INSERT INTO motion_supporters (motion, account, since) SELECT m.id, a.id, 0 FROM motions m, accounts a WHERE a.handle = 'olga' AND m.id = (SELECT MIN(id) FROM motions)",
		"electorate":          "INSERT INTO electorate (motion, account) SELECT m.id, a.id FROM motions m, accounts a WHERE a.handle = 'olga' AND m.id = (SELECT MIN(id) FROM motions)",
		"rollcall":            "UPDATE rollcall SET choice = 'no' WHERE choice = 'yes'",
		"delegations":         "UPDATE delegations SET seats = seats + 1",
		"seat_tables":         "UPDATE seat_tables SET report = 'forged'",
		"seat_history":        "UPDATE seat_history SET seats = seats + 1",
		"offices":             "UPDATE offices SET account = (SELECT id FROM accounts WHERE handle = 'olga')",
		"elections":           "UPDATE elections SET elected = '[]' WHERE state = 'closed'",
		"candidates":          "UPDATE candidates SET faction = faction + 1",
		"election_electorate": "DELETE FROM election_electorate WHERE account = (SELECT MIN(account) FROM election_electorate)",
		"rankings":            "UPDATE rankings SET ranking = '[]'",
		"factions":            "UPDATE factions SET name = 'Mensheviks'",
		"mandates":            "UPDATE mandates SET instruction = 'no'",
		"affiliations":        "UPDATE affiliations SET faction = faction + 1",
		"participation":       "INSERT INTO participation (vote, account) SELECT MAX(p.vote), a.id FROM participation p, accounts a WHERE a.handle = 'olga' GROUP BY a.id",
		"bulletins":           "UPDATE bulletins SET hash = 'forged'",
		"bulletin_ballots":    `UPDATE bulletin_ballots SET content = '{"choice":"no"}' WHERE content = '{"choice":"yes"}'`,
	}
	for _, p := range store.Projections() {
		q, ok := projEdits[p.Table]
		if !ok {
			t.Fatalf("no edit for projection %s: add one", p.Table)
		}
		tampers = append(tampers, tamper{"edit " + p.Table, []string{q}, p.Table})
	}
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			f := populate(t, open)
			last := fmt.Sprint(f.Size())
			conn := unguard(t, f)
			for _, q := range tc.sql {
				q = strings.ReplaceAll(q, "$LAST", last)
				res, err := conn.ExecContext(f.Ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					t.Fatalf("%s changed nothing", q)
				}
			}
			// Give the connection back: on SQLite it is the writer's.
			conn.Close()
			rep, err := f.DB.Verify(f.Ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatalf("verify found nothing after: %s", tc.name)
			}
			if all := strings.Join(rep.Problems, "\n"); !strings.Contains(all, tc.want) {
				t.Fatalf("the report does not mention %q:\n%s", tc.want, all)
			}
		})
	}
}

func testProofs(t *testing.T, open Opener) {
	f := populate(t, open)
	ctx := f.Ctx
	h, err := f.DB.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hasher := rfc6962.DefaultHasher
	for _, size := range []int64{1, 2, 3, 7, h.Size} {
		root, err := f.DB.RootAt(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		for seq := int64(1); seq <= size; seq++ {
			ev, err := f.DB.Event(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.DB.InclusionProof(ctx, seq, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(hasher, uint64(seq-1), uint64(size), store.LeafHash(ev), p, root); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", seq, size, err)
			}
		}
		if size == h.Size {
			continue
		}
		p, err := f.DB.ConsistencyProof(ctx, size, h.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyConsistency(hasher, uint64(size), uint64(h.Size), p, root, h.Root); err != nil {
			t.Fatalf("consistency %d → %d: %v", size, h.Size, err)
		}
	}
	if _, err := f.DB.InclusionProof(ctx, h.Size+1, h.Size+1); !errors.Is(err, soviet.ErrInvalid) {
		t.Fatalf("proof past the head: %v", err)
	}
	if _, err := f.DB.ConsistencyProof(ctx, 5, 3); !errors.Is(err, soviet.ErrInvalid) {
		t.Fatalf("backwards consistency: %v", err)
	}
}

func testSecretsStayOutOfLog(t *testing.T, open Opener) {
	db := open(t, store.Options{})
	svc := soviet.NewService(db)
	ctx := context.Background()
	if _, err := svc.Found(ctx, soviet.AccountInput{Handle: "keeper", Name: "Keeper", PasswordHash: "$argon2id$secret-hash"}); err != nil {
		t.Fatal(err)
	}
	f, err := svc.CreateFederation(ctx, 2, "F")
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateCouncil(ctx, 2, soviet.CouncilInput{Federation: f.ID, Name: "C", Kind: soviet.Base})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.IssueInvitation(ctx, 2, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if s := string(ev.Payload); strings.Contains(s, "secret-hash") || strings.Contains(s, token) {
			t.Fatalf("event %d (%s) holds a secret: %s", ev.Seq, ev.Type, s)
		}
	}
}

func testSessionsAndTokens(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	if err := f.DB.CreateSession(ctx, "h1", f.Alice, Epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a, err := f.DB.SessionAccount(ctx, "h1")
	if err != nil || a.ID != f.Alice {
		t.Fatalf("session account %+v, %v", a, err)
	}
	f.Clock.Advance(2 * time.Hour)
	if _, err := f.DB.SessionAccount(ctx, "h1"); !errors.Is(err, soviet.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if err := f.DB.PruneSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DB.CreateAPIToken(ctx, f.Bob, "tok1", "laptop", "th1"); err != nil {
		t.Fatal(err)
	}
	if a, err := f.DB.APITokenAccount(ctx, "th1"); err != nil || a.ID != f.Bob {
		t.Fatalf("token account %+v, %v", a, err)
	}
	if err := f.DB.DeleteAPIToken(ctx, f.Alice, "tok1"); !errors.Is(err, soviet.ErrNotFound) {
		t.Fatalf("delete another's token: %v", err)
	}
	toks, err := f.DB.APITokens(ctx, f.Bob)
	if err != nil || len(toks) != 1 || toks[0].Name != "laptop" {
		t.Fatalf("tokens %+v, %v", toks, err)
	}
	if err := f.DB.DeleteAPIToken(ctx, f.Bob, "tok1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DB.APITokenAccount(ctx, "th1"); !errors.Is(err, soviet.ErrNotFound) {
		t.Fatalf("deleted token: %v", err)
	}
	acct, hash, err := f.DB.Credentials(ctx, "alice")
	if err != nil || acct.ID != f.Alice || hash != "x" {
		t.Fatalf("credentials %+v %q %v", acct, hash, err)
	}
}

func testReopen(t *testing.T, open Opener) {
	// Reopening a store keeps the log and does not write a second
	// instance.created.
	if testing.Short() {
		t.Skip("reopen is covered by the SQLite file test in short mode")
	}
	f := NewFixture(t, open)
	before := f.Size()
	m := f.OpenMotion(f.Putilov, f.Alice, "Persist", soviet.Simple)
	if err := f.Svc.CastVote(f.Ctx, f.Alice, m, soviet.Yes); err != nil {
		t.Fatal(err)
	}
	if f.Size() <= before {
		t.Fatal("log did not grow")
	}
}
