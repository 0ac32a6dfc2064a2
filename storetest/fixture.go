package storetest

import (
	"context"
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
	return NewFixtureWith(t, open, store.Options{})
}

// NewFixtureWith builds the fixture on a store opened by open with opts;
// the fixture sets the clock.
func NewFixtureWith(t testing.TB, open Opener, opts store.Options) *Fixture {
	t.Helper()
	clock := NewClock(Epoch)
	opts.Now = clock.Now
	db := open(t, opts)
	f := &Fixture{T: t, DB: db, Svc: soviet.NewService(db), Clock: clock, Ctx: context.Background()}
	f.Founder = f.Must(f.Svc.Found(f.Ctx, soviet.AccountInput{Handle: "founder", Name: "Founder", PasswordHash: "x"})).ID()
	f.Alice = f.Account("alice")
	f.Bob = f.Account("bob")
	f.Olga = f.Account("olga")
	f.Fed = f.Must(f.Svc.CreateFederation(f.Ctx, f.Founder, "Petrograd, 1917")).ID()
	f.Soviet = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Petrograd Soviet", Kind: soviet.Delegate})).ID()
	f.Putilov = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Putilov Works", Kind: soviet.Base, Join: true, SendsTo: []int64{f.Soviet}})).ID()
	f.Fleet = f.Must(f.Svc.CreateCouncil(f.Ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: "Baltic Fleet", Kind: soviet.Base, SendsTo: []int64{f.Soviet}})).ID()
	f.Invite(f.Putilov, f.Alice)
	f.Invite(f.Putilov, f.Bob)
	return f
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
	}
	panic("storetest: no ID")
}

// Account registers an account with the given handle.
func (f *Fixture) Account(handle string) int64 {
	f.T.Helper()
	return f.Must(f.Svc.Register(f.Ctx, soviet.AccountInput{Handle: handle, Name: handle, PasswordHash: "x"})).ID()
}

// Invite makes account a member of council through an invitation issued by
// the founder.
func (f *Fixture) Invite(council, account int64) {
	f.T.Helper()
	_, token, err := f.Svc.IssueInvitation(f.Ctx, f.Founder, council, "")
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
