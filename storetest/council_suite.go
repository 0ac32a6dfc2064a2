package storetest

import (
	"context"
	"strings"

	"fmt"
	"slices"
	"testing"
	"time"

	"soviet"
	"soviet/store"
)

// The council-democracy part of the suite: seats, elections, offices,
// committees, factions.

// seats returns body's seat table as constituency → seats.
func (f *Fixture) seats(body int64) map[int64]int {
	f.T.Helper()
	out := map[int64]int{}
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		ds, err := tx.Delegations(ctx, body)
		for _, d := range ds {
			out[d.Constituency] = d.Seats
		}
		return err
	})
	return out
}

// offices returns the accounts holding body's seats for constituency.
func (f *Fixture) offices(body, constituency int64) []int64 {
	f.T.Helper()
	var out []int64
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		os, err := tx.Offices(ctx, body, constituency)
		for _, o := range os {
			out = append(out, o.Account)
		}
		return err
	})
	slices.Sort(out)
	return out
}

func testSeatsFollowMembership(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	// Putilov has three members, the Fleet none: a house of three,
	// at least one each.
	if got, want := f.seats(f.Soviet), map[int64]int{f.Putilov: 2, f.Fleet: 1}; !maps(got, want) {
		t.Fatalf("seats %v, want %v", got, want)
	}
	putilov := f.OpenElection(f.Soviet, f.Putilov)
	if putilov.Seats != 2 || putilov.Kind != soviet.ByElection || putilov.State != soviet.Nominating {
		t.Fatalf("Putilov's election %+v", putilov)
	}
	// Six sailors join the Fleet: now it outnumbers the works.
	for i := range 6 {
		f.Invite(f.Fleet, f.Account(fmt.Sprintf("sailor%d", i)))
	}
	if got, want := f.seats(f.Soviet), map[int64]int{f.Putilov: 1, f.Fleet: 2}; !maps(got, want) {
		t.Fatalf("seats after the sailors joined %v, want %v", got, want)
	}
	// The elections follow the seats: the old ones were cancelled and
	// replaced by ones for the new numbers.
	if e := f.OpenElection(f.Soviet, f.Putilov); e.Seats != 1 || e.ID == putilov.ID {
		t.Fatalf("Putilov's election after the change %+v", e)
	}
	if e := f.OpenElection(f.Soviet, f.Fleet); e.Seats != 2 {
		t.Fatalf("Fleet's election after the change %+v", e)
	}
	var represented int64
	f.View(func(ctx context.Context, tx soviet.Tx) (err error) {
		represented, err = tx.Represented(ctx, f.Soviet)
		return err
	})
	if represented != 9 {
		t.Fatalf("the Soviet represents %d members, want 9", represented)
	}
}

func maps(a, b map[int64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testElectionCycle(t *testing.T, open Opener) {
	f := NewFixtureWith(t, open, store.Options{}, func(ch *soviet.Charter) { ch.ElectionBallot = soviet.RollCall })
	ctx := f.Ctx
	e := f.OpenElection(f.Soviet, f.Putilov)
	f.unchanged("outsider nominates", soviet.ErrForbidden, func() error { return f.Svc.Nominate(ctx, f.Olga, e.ID, f.Olga, 0) })
	f.unchanged("nominate a non-member", soviet.ErrInvalid, func() error { return f.Svc.Nominate(ctx, f.Alice, e.ID, f.Olga, 0) })
	f.unchanged("vote before polling", soviet.ErrConflict, func() error { return f.Svc.CastRanking(ctx, f.Alice, e.ID, []int64{f.Alice}) })
	f.unchanged("polling with no candidate", soviet.ErrConflict, func() error {
		_, err := f.Svc.OpenPolling(ctx, f.Founder, e.ID)
		return err
	})
	for _, c := range []int64{f.Founder, f.Alice, f.Bob} {
		if err := f.Svc.Nominate(ctx, f.Alice, e.ID, c, 0); err != nil {
			t.Fatal(err)
		}
	}
	f.unchanged("nominate twice", soviet.ErrConflict, func() error { return f.Svc.Nominate(ctx, f.Bob, e.ID, f.Bob, 0) })
	f.unchanged("member opens polling", soviet.ErrForbidden, func() error {
		_, err := f.Svc.OpenPolling(ctx, f.Alice, e.ID)
		return err
	})
	// Actor 0 is the system only inside AdvanceElections: a visitor who
	// has not signed in may not end nominations or the vote.
	f.unchanged("anonymous opens polling", soviet.ErrUnauthenticated, func() error {
		_, err := f.Svc.OpenPolling(ctx, 0, e.ID)
		return err
	})
	e, err := f.Svc.OpenPolling(ctx, f.Founder, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != soviet.Polling || e.Seed == "" {
		t.Fatalf("polling election %+v", e)
	}
	f.unchanged("nominate after nominations", soviet.ErrConflict, func() error { return f.Svc.Nominate(ctx, f.Bob, e.ID, f.Bob, 0) })
	f.unchanged("rank a non-candidate", soviet.ErrInvalid, func() error { return f.Svc.CastRanking(ctx, f.Alice, e.ID, []int64{f.Olga}) })
	f.unchanged("rank twice", soviet.ErrInvalid, func() error { return f.Svc.CastRanking(ctx, f.Alice, e.ID, []int64{f.Bob, f.Bob}) })
	f.unchanged("empty ranking", soviet.ErrInvalid, func() error { return f.Svc.CastRanking(ctx, f.Alice, e.ID, nil) })
	f.unchanged("outsider ranks", soviet.ErrForbidden, func() error { return f.Svc.CastRanking(ctx, f.Olga, e.ID, []int64{f.Bob}) })
	for voter, r := range map[int64][]int64{
		f.Founder: {f.Alice, f.Bob},
		f.Alice:   {f.Alice, f.Founder},
		f.Bob:     {f.Bob, f.Alice},
	} {
		if err := f.Svc.CastRanking(ctx, voter, e.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	// Past the deadline the system would close the vote; an anonymous
	// request still may not.
	f.Clock.Advance(8 * 24 * time.Hour)
	f.unchanged("anonymous closes the vote", soviet.ErrUnauthenticated, func() error {
		_, err := f.Svc.CloseElection(ctx, 0, e.ID)
		return err
	})
	closed, err := f.Svc.CloseElection(ctx, f.Founder, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != soviet.Closed || len(closed.Elected) != 2 || len(closed.Report) == 0 {
		t.Fatalf("closed election %+v", closed)
	}
	want := slices.Clone(closed.Elected)
	slices.Sort(want)
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, want) {
		t.Fatalf("Putilov's delegates %v, want the elected %v", got, want)
	}
	if !slices.Contains(want, f.Alice) {
		t.Fatalf("Alice, with two first and one second preferences, was not elected: %v", want)
	}
	// The delegates vote in the Soviet; Putilov's members see how.
	delegate := want[0]
	m := f.Must(f.Svc.ProposeMotion(ctx, delegate, soviet.MotionInput{Council: f.Soviet, Title: "Peace now"})).ID()
	if _, err := f.Svc.OpenVote(ctx, f.Founder, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Svc.CastVote(ctx, delegate, m, soviet.Yes); err != nil {
		t.Fatal(err)
	}
	var constituent int64
	for _, a := range []int64{f.Founder, f.Alice, f.Bob} {
		if !slices.Contains(want, a) {
			constituent = a
		}
	}
	f.unchanged("a constituent votes in the delegate council", soviet.ErrForbidden, func() error { return f.Svc.CastVote(ctx, constituent, m, soviet.Yes) })
	_, roles, err := f.Svc.Roles(ctx, constituent, f.Soviet)
	if err != nil {
		t.Fatal(err)
	}
	if !soviet.Allowed(soviet.ActSeeVotes, roles) || soviet.Allowed(soviet.ActCastVote, roles) {
		t.Fatalf("a constituent's roles in the Soviet: %b", roles)
	}
	_, roles, err = f.Svc.Roles(ctx, f.Olga, f.Soviet)
	if err != nil {
		t.Fatal(err)
	}
	if soviet.Allowed(soviet.ActSeeVotes, roles) {
		t.Fatal("an outsider may see the Soviet's votes")
	}
}

func testUnopposedAndDeadlines(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	e := f.OpenElection(f.Soviet, f.Putilov)
	// No one stands: at the deadline nominations stay open.
	f.Clock.Advance(8 * 24 * time.Hour)
	if n, err := f.Svc.AdvanceElections(ctx); err != nil || n == 0 {
		t.Fatalf("advance: %d, %v", n, err)
	}
	if got := f.OpenElection(f.Soviet, f.Putilov); got.State != soviet.Nominating || !got.Deadline.After(e.Deadline) {
		t.Fatalf("election with no candidate after its deadline: %+v", got)
	}
	// One candidate for two seats: elected unopposed at the deadline.
	if err := f.Svc.Nominate(ctx, f.Bob, e.ID, f.Bob, 0); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(8 * 24 * time.Hour)
	if _, err := f.Svc.AdvanceElections(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, []int64{f.Bob}) {
		t.Fatalf("delegates %v, want Bob unopposed", got)
	}
	// The seat still vacant gets its by-election.
	if by := f.OpenElection(f.Soviet, f.Putilov); by.Seats != 1 || by.Kind != soviet.ByElection {
		t.Fatalf("by-election %+v", by)
	}
}

func testLeavingVacatesSeat(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	f.Elect(f.Soviet, f.Putilov, []int64{f.Alice, f.Bob}, nil)
	if got := f.offices(f.Soviet, f.Putilov); len(got) != 2 {
		t.Fatalf("delegates %v", got)
	}
	if err := f.Svc.Leave(f.Ctx, f.Alice, f.Putilov); err != nil {
		t.Fatal(err)
	}
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, []int64{f.Bob}) {
		t.Fatalf("delegates after Alice left %v, want Bob", got)
	}
	// Putilov now has two members: still two seats (the Fleet has none),
	// one vacant: a by-election.
	if e := f.OpenElection(f.Soviet, f.Putilov); e.Seats != 1 {
		t.Fatalf("by-election %+v", e)
	}
	_, roles, err := f.Svc.Roles(f.Ctx, f.Alice, f.Soviet)
	if err != nil {
		t.Fatal(err)
	}
	if roles&soviet.RoleDelegate != 0 {
		t.Fatal("a former delegate still holds the role")
	}
}

func testCommitteeTakesSecretary(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	f.unchanged("member creates a committee", soviet.ErrForbidden, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Alice, soviet.CouncilInput{Name: "Junta", Kind: soviet.Committee, Parent: f.Putilov, Role: soviet.Secretariat, Seats: 1})
		return err
	})
	f.unchanged("committee of unknown role", soviet.ErrInvalid, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Name: "X", Kind: soviet.Committee, Parent: f.Putilov, Role: "politburo", Seats: 1})
		return err
	})
	other := f.Must(f.Svc.CreateFederation(ctx, f.Founder, "Moscow, 1917")).ID()
	f.unchanged("committee in another federation than its parent's", soviet.ErrInvalid, func() error {
		_, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: other, Name: "X", Kind: soviet.Committee, Parent: f.Putilov, Role: soviet.Secretariat, Seats: 1})
		return err
	})
	k, err := f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Works secretariat", Kind: soviet.Committee, Parent: f.Putilov, Role: soviet.Secretariat, Seats: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.Elect(k.ID, f.Putilov, []int64{f.Alice, f.Bob}, map[int64][]int64{f.Founder: {f.Alice}, f.Alice: {f.Alice}, f.Bob: {f.Bob}})
	if got := f.offices(k.ID, f.Putilov); !slices.Equal(got, []int64{f.Alice}) {
		t.Fatalf("secretariat %v, want Alice", got)
	}
	// The secretary role is the elected secretariat's now, not the
	// founder's.
	f.unchanged("founder invites after the secretariat's election", soviet.ErrForbidden, func() error {
		_, _, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Putilov, "")
		return err
	})
	f.InviteBy(f.Alice, f.Putilov, f.Olga)
	// A committee sends no delegates.
	f.unchanged("link a committee", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, k.ID, f.Soviet) })
}

func testFactions(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	bol := f.Must(f.Svc.CreateFaction(ctx, f.Alice, f.Fed, "Bolsheviks", "#b3261e")).ID()
	f.unchanged("duplicate faction", soviet.ErrConflict, func() error {
		_, err := f.Svc.CreateFaction(ctx, f.Bob, f.Fed, "bolsheviks", "#000000")
		return err
	})
	f.unchanged("bad colour", soviet.ErrInvalid, func() error {
		_, err := f.Svc.CreateFaction(ctx, f.Bob, f.Fed, "Mensheviks", "red")
		return err
	})
	f.unchanged("outsider founds a faction", soviet.ErrForbidden, func() error {
		_, err := f.Svc.CreateFaction(ctx, f.Olga, f.Fed, "Kadets", "#123456")
		return err
	})
	if err := f.Svc.DeclareAffiliation(ctx, f.Alice, f.Fed, bol); err != nil {
		t.Fatal(err)
	}
	f.unchanged("declare an unknown faction", soviet.ErrInvalid, func() error { return f.Svc.DeclareAffiliation(ctx, f.Bob, f.Fed, 999999) })
	e := f.OpenElection(f.Soviet, f.Putilov)
	if err := f.Svc.Nominate(ctx, f.Alice, e.ID, f.Alice, bol); err != nil {
		t.Fatal(err)
	}
	f.unchanged("stand for an unknown faction", soviet.ErrInvalid, func() error { return f.Svc.Nominate(ctx, f.Bob, e.ID, f.Bob, 424242) })
	if _, err := f.Svc.OpenPolling(ctx, f.Founder, e.ID); err != nil {
		t.Fatal(err)
	}
	var faction int64
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		os, err := tx.Offices(ctx, f.Soviet, f.Putilov)
		if len(os) == 1 {
			faction = os[0].Faction
		}
		return err
	})
	if faction != bol {
		t.Fatalf("the delegate sits for faction %d, want %d", faction, bol)
	}
	if err := f.Svc.DeclareAffiliation(ctx, f.Alice, f.Fed, 0); err != nil {
		t.Fatal(err)
	}
}

func testSecretElection(t *testing.T, open Opener) {
	f := NewFixture(t, open) // elections are secret by default
	ctx := f.Ctx
	e := f.OpenElection(f.Soviet, f.Putilov)
	if !e.Secret {
		t.Fatalf("election %+v is not secret under the default charter", e)
	}
	for _, c := range []int64{f.Founder, f.Alice, f.Bob} {
		if err := f.Svc.Nominate(ctx, c, e.ID, c, 0); err != nil {
			t.Fatal(err)
		}
	}
	e, err := f.Svc.OpenPolling(ctx, f.Founder, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged("roll-call ranking in a secret election", soviet.ErrConflict, func() error {
		return f.Svc.CastRanking(ctx, f.Alice, e.ID, []int64{f.Alice})
	})
	receipts := map[int64]soviet.Receipt{}
	for voter, r := range map[int64][]int64{f.Founder: {f.Alice, f.Bob}, f.Alice: {f.Alice}, f.Bob: {f.Bob, f.Founder}} {
		rc, err := f.Svc.CastRankedBallot(ctx, voter, e.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		receipts[voter] = rc
	}
	f.unchanged("second secret ballot", soviet.ErrConflict, func() error {
		_, err := f.Svc.CastRankedBallot(ctx, f.Alice, e.ID, []int64{f.Bob})
		return err
	})
	f.unchanged("outsider's secret ballot", soviet.ErrForbidden, func() error {
		_, err := f.Svc.CastRankedBallot(ctx, f.Olga, e.ID, []int64{f.Bob})
		return err
	})
	closed, err := f.Svc.CloseElection(ctx, f.Founder, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(closed.Elected) != 2 || !slices.Contains(closed.Elected, f.Alice) {
		t.Fatalf("secret election elected %v", closed.Elected)
	}
	b, err := f.DB.Bulletin(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != soviet.ElectionVote || len(b.Ballots) != 3 || b.Participants != 3 || b.Seed == "" {
		t.Fatalf("bulletin %+v", b)
	}
	if ps := b.Check(); len(ps) > 0 {
		t.Fatalf("the bulletin does not hold together: %v", ps)
	}
	ps, err := b.CheckLog(f.DB.Log(ctx))
	if err != nil || len(ps) > 0 {
		t.Fatalf("the bulletin against the log: %v %v", ps, err)
	}
	for voter, rc := range receipts {
		if _, _, ok := b.Find(rc.Code); !ok {
			t.Errorf("voter %d's receipt is not in the bulletin", voter)
		}
	}
	var blt strings.Builder
	if err := b.WriteBLT(&blt); err != nil || !strings.Contains(blt.String(), "3 2") {
		t.Fatalf("BLT of the bulletin: %v\n%s", err, blt.String())
	}
	// A forged winner list is caught by the recount.
	forged := *b
	forged.Elected = []int{0, 2}
	if ps := forged.Check(); len(ps) == 0 {
		t.Fatal("a forged winner list passed the check")
	}
	if got := f.offices(f.Soviet, f.Putilov); !slices.Equal(got, sortedCopy(closed.Elected)) {
		t.Fatalf("seated %v, elected %v", got, closed.Elected)
	}
}

func sortedCopy(s []int64) []int64 {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
