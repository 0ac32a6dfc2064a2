package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"soviet"
	"soviet/store"
)

// Epoch is the time test clocks start at.
var Epoch = time.Date(2017, 11, 7, 10, 0, 0, 0, time.UTC)

// Fixture is a small federation on a fresh store: a founder who is a
// member of the base council "Putilov Works", two more members (Alice and
// Bob), an outsider (Olga) with an account but no membership, a second base
// council "Baltic Fleet", and a delegate council "Petrograd Soviet" that
// both send delegates to.
type Fixture struct {
	T       testing.TB
	DB      *store.DB
	Svc     *soviet.Service
	Clock   *Clock
	Ctx     context.Context
	Founder int64
	Alice   int64
	Bob     int64
	Olga    int64
	Fed     int64
	Putilov int64
	Fleet   int64
	Soviet  int64
}

// NewFixture builds the fixture on a store opened by open.
func NewFixture(t testing.TB, open Opener) *Fixture {
	t.Helper()
	return NewFixtureWith(t, open, store.Options{}, nil)
}

// NewFixtureWith builds the fixture on a store opened by open with opts
// (the fixture sets the clock), and with its founding charter changed by
// edit (nil: FixtureCharter as it is).
func NewFixtureWith(t testing.TB, open Opener, opts store.Options, edit func(*soviet.Charter)) *Fixture {
	t.Helper()
	ch := FixtureCharter()
	if edit != nil {
		edit(&ch)
	}
	clock := NewClock(Epoch)
	opts.Now = clock.Now
	db := open(t, opts)
	f := &Fixture{T: t, DB: db, Svc: soviet.NewService(db), Clock: clock, Ctx: context.Background()}
	f.Founder = f.Must(f.Svc.Found(f.Ctx, soviet.AccountInput{Handle: "founder", Name: "Founder", PasswordHash: "x"})).ID()
	f.Alice = f.Account("alice")
	f.Bob = f.Account("bob")
	f.Olga = f.Account("olga")
	f.Fed = f.Must(f.Svc.FoundFederation(f.Ctx, f.Founder, "Petrograd, 1917", ch)).ID()
	f.Soviet = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Petrograd Soviet", Kind: soviet.Delegate})).ID()
	f.Putilov = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Putilov Works", Kind: soviet.Base, Join: true, SendsTo: []int64{f.Soviet}})).ID()
	f.Fleet = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Baltic Fleet", Kind: soviet.Base, SendsTo: []int64{f.Soviet}})).ID()
	f.Invite(f.Putilov, f.Alice)
	f.Invite(f.Putilov, f.Bob)
	return f
}

// FixtureCharter is the default charter with a house of 3 seats, so that
// the fixture's small councils hold a handful of seats.
func FixtureCharter() soviet.Charter {
	ch := soviet.DefaultCharter()
	ch.HouseSize = 3
	return ch
}

// Must fails the test on an error and returns v.
func Must[T any](t testing.TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Must is the fixture's shorthand for storetest.Must; it is a method so
// that calls read f.Must(…).
func (f *Fixture) Must(v any, err error) fixtureValue {
	f.T.Helper()
	if err != nil {
		f.T.Fatal(err)
	}
	return fixtureValue{v}
}

// fixtureValue exposes the ID of whatever a command returned.
type fixtureValue struct{ v any }

// ID returns the id of an account, federation, council, motion or
// invitation.
func (fv fixtureValue) ID() int64 {
	switch v := fv.v.(type) {
	case soviet.Account:
		return v.ID
	case soviet.Federation:
		return v.ID
	case soviet.Council:
		return v.ID
	case soviet.Motion:
		return v.ID
	case soviet.Invitation:
		return v.ID
	case soviet.JoinRequest:
		return v.ID
	case soviet.Election:
		return v.ID
	case soviet.Faction:
		return v.ID
	}
	panic("storetest: no ID")
}

// Account registers an account with the given handle.
func (f *Fixture) Account(handle string) int64 {
	f.T.Helper()
	return f.Must(f.Svc.Register(f.Ctx, soviet.AccountInput{Handle: handle, Name: handle, PasswordHash: "x"})).ID()
}

// Invite makes account a member of council through an invitation issued by
// the founder (or, once it has elected one, the council's secretariat:
// Secretary names who issues).
func (f *Fixture) Invite(council, account int64) {
	f.T.Helper()
	f.InviteBy(f.Founder, council, account)
}

// InviteBy is Invite with the secretary who issues the invitation.
func (f *Fixture) InviteBy(secretary, council, account int64) {
	f.T.Helper()
	_, token, err := f.Svc.IssueInvitation(f.Ctx, secretary, council, "")
	if err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.Svc.AcceptInvitation(f.Ctx, account, token); err != nil {
		f.T.Fatal(err)
	}
}

// OpenMotion has actor propose a motion in council and the founder open
// its vote; it returns the motion's id.
func (f *Fixture) OpenMotion(council, actor int64, title string, m soviet.Majority) int64 {
	f.T.Helper()
	id := f.Must(f.Svc.ProposeMotion(f.Ctx, actor, soviet.MotionInput{Council: council, Title: title, Body: "Resolved: *" + title + "*.", Majority: m})).ID()
	if _, err := f.Svc.OpenVote(f.Ctx, f.Founder, id, time.Time{}); err != nil {
		f.T.Fatal(err)
	}
	return id
}

// OpenSecretMotion is OpenMotion with a secret vote.
func (f *Fixture) OpenSecretMotion(council, actor int64, title string, m soviet.Majority) int64 {
	f.T.Helper()
	id := f.Must(f.Svc.ProposeMotion(f.Ctx, actor, soviet.MotionInput{Council: council, Title: title, Majority: m})).ID()
	if _, err := f.Svc.OpenVoteWith(f.Ctx, f.Founder, id, soviet.VoteOptions{Secrecy: soviet.Secret}); err != nil {
		f.T.Fatal(err)
	}
	return id
}

// Size returns the number of events in the log.
func (f *Fixture) Size() int64 {
	f.T.Helper()
	h, err := f.DB.Head(f.Ctx)
	if err != nil {
		f.T.Fatal(err)
	}
	return h.Size
}

// View runs fn on a read snapshot and fails the test on an error.
func (f *Fixture) View(fn func(ctx context.Context, tx soviet.Tx) error) {
	f.T.Helper()
	if err := f.DB.View(f.Ctx, fn); err != nil {
		f.T.Fatal(err)
	}
}

// OpenElection returns the open election of constituency for seats in
// body.
func (f *Fixture) OpenElection(body, constituency int64) soviet.Election {
	f.T.Helper()
	var e soviet.Election
	f.View(func(ctx context.Context, tx soviet.Tx) error {
		es, err := tx.OpenElections(ctx, body, constituency)
		if err != nil {
			return err
		}
		if len(es) != 1 {
			return fmt.Errorf("%d open elections of council %d for seats in %d, want 1", len(es), constituency, body)
		}
		e = es[0]
		return nil
	})
	return e
}

// Elect runs an open election to its end: the candidates are nominated,
// the vote opened, each voter casts the ranking given, and the election is
// closed by the secretary. It returns the closed election.
func (f *Fixture) Elect(body, constituency int64, candidates []int64, ballots map[int64][]int64) soviet.Election {
	f.T.Helper()
	e := f.OpenElection(body, constituency)
	for _, c := range candidates {
		if err := f.Svc.Nominate(f.Ctx, c, e.ID, c, 0); err != nil {
			f.T.Fatal(err)
		}
	}
	e = f.Must(f.Svc.OpenPolling(f.Ctx, f.Founder, e.ID)).v.(soviet.Election)
	if e.State == soviet.Closed {
		return e // unopposed
	}
	for voter, r := range ballots {
		var err error
		if e.Secret {
			_, err = f.Svc.CastRankedBallot(f.Ctx, voter, e.ID, r)
		} else {
			err = f.Svc.CastRanking(f.Ctx, voter, e.ID, r)
		}
		if err != nil {
			f.T.Fatal(err)
		}
	}
	return f.Must(f.Svc.CloseElection(f.Ctx, f.Founder, e.ID)).v.(soviet.Election)
}
