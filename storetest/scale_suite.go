package storetest

import (
	"context"
	"fmt"
	"testing"

	"soviet"
)

// The parts of the suite that keep a large federation fast: bulk import,
// one rebalance of every seat table, links read from above a council only,
// and the members represented kept without recounting the graph.

// represented returns the members council represents.
func (f *Fixture) represented(council int64) int64 {
	f.T.Helper()
	var n int64
	f.View(func(ctx context.Context, tx soviet.Tx) (err error) {
		n, err = tx.Represented(ctx, council)
		return err
	})
	return n
}

// verifyOK fails the test unless verify finds the store intact.
func (f *Fixture) verifyOK() {
	f.T.Helper()
	rep, err := f.DB.Verify(f.Ctx, f.T.TempDir())
	if err != nil {
		f.T.Fatal(err)
	}
	if !rep.OK() {
		f.T.Fatalf("verify: %v", rep.Problems)
	}
}

func testImportAndRebalanceAll(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	before := f.seats(f.Soviet)
	if want := map[int64]int{f.Putilov: 2, f.Fleet: 1}; !maps(before, want) {
		t.Fatalf("seats %v, want %v", before, want)
	}
	var sailors []int64
	for i := range 6 {
		sailors = append(sailors, f.Account(fmt.Sprintf("sailor%d", i)))
	}
	f.unchanged("import by a member", soviet.ErrForbidden, func() error { return f.Svc.ImportMembers(ctx, f.Alice, f.Fleet, sailors) })
	f.unchanged("import by an outsider", soviet.ErrForbidden, func() error { return f.Svc.ImportMembers(ctx, f.Olga, f.Fleet, sailors) })
	f.unchanged("import into a delegate council", soviet.ErrInvalid, func() error { return f.Svc.ImportMembers(ctx, f.Founder, f.Soviet, sailors) })
	f.unchanged("import into no council", soviet.ErrNotFound, func() error { return f.Svc.ImportMembers(ctx, f.Founder, 99999, sailors) })
	f.unchanged("import of a member", soviet.ErrConflict, func() error {
		return f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, []int64{sailors[0], f.Alice})
	})
	f.unchanged("import of an account twice", soviet.ErrConflict, func() error {
		return f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, []int64{sailors[0], sailors[1], sailors[0]})
	})
	f.unchanged("import of an unknown account", soviet.ErrNotFound, func() error {
		return f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, []int64{sailors[0], 99999})
	})
	f.unchanged("import of no one", soviet.ErrInvalid, func() error { return f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, nil) })
	f.unchanged("rebalance by an outsider", soviet.ErrForbidden, func() error {
		_, err := f.Svc.RebalanceAll(ctx, f.Olga, f.Fed)
		return err
	})
	f.unchanged("rebalance signed out", soviet.ErrUnauthenticated, func() error {
		_, err := f.Svc.RebalanceAll(ctx, 0, f.Fed)
		return err
	})
	f.unchanged("rebalance of no federation", soviet.ErrNotFound, func() error {
		_, err := f.Svc.RebalanceAll(ctx, f.Founder, 99999)
		return err
	})

	size := f.Size()
	if err := f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, sailors); err != nil {
		t.Fatal(err)
	}
	if got := f.Size() - size; got != int64(len(sailors)) {
		t.Fatalf("the import appended %d events, want one per member (%d)", got, len(sailors))
	}
	// The members count at once; the seats wait for the rebalance.
	if n := f.represented(f.Soviet); n != 9 {
		t.Fatalf("the Soviet represents %d, want 9", n)
	}
	if got := f.seats(f.Soviet); !maps(got, before) {
		t.Fatalf("seats changed by the import itself: %v", got)
	}
	_, roles, err := f.Svc.Roles(ctx, sailors[0], f.Fleet)
	if err != nil {
		t.Fatal(err)
	}
	if roles&soviet.RoleMember == 0 {
		t.Fatalf("an imported sailor is not a member of the Fleet: roles %b", roles)
	}
	old := f.OpenElection(f.Soviet, f.Fleet)

	// A member may ask for the rebalance.
	n, err := f.Svc.RebalanceAll(ctx, f.Alice, f.Fed)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]int{f.Putilov: 1, f.Fleet: 2}; n != 1 || !maps(f.seats(f.Soviet), want) {
		t.Fatalf("rebalance changed %d tables, seats %v, want 1 and %v", n, f.seats(f.Soviet), want)
	}
	if e := f.OpenElection(f.Soviet, f.Fleet); e.Seats != 2 || e.ID == old.ID {
		t.Fatalf("the Fleet's election after the rebalance %+v (before %+v)", e, old)
	}
	// Up to date: a second rebalance changes nothing and appends nothing.
	size = f.Size()
	if n, err := f.Svc.RebalanceAll(ctx, f.Founder, f.Fed); err != nil || n != 0 || f.Size() != size {
		t.Fatalf("second rebalance: %d tables, %v, log %d → %d", n, err, size, f.Size())
	}
	f.verifyOK()
}

func testRepresentedOverTheGraph(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	council := func(name string, kind soviet.CouncilKind, sendsTo ...int64) int64 {
		return f.Must(f.Svc.CreateCouncil(ctx, f.Founder, soviet.CouncilInput{Federation: f.Fed, Name: name, Kind: kind, SendsTo: sendsTo})).ID()
	}
	if n := f.represented(f.Soviet); n != 3 {
		t.Fatalf("the Soviet represents %d, want 3", n)
	}
	// A populated council linked under a new one brings its members.
	congress := council("Congress", soviet.Delegate)
	if err := f.Svc.LinkCouncils(ctx, f.Founder, f.Soviet, congress); err != nil {
		t.Fatal(err)
	}
	if n := f.represented(congress); n != 3 {
		t.Fatalf("the Congress represents %d, want 3", n)
	}
	if got := f.seats(congress); !maps(got, map[int64]int{f.Soviet: 3}) {
		t.Fatalf("the Congress's seats %v", got)
	}
	// A second path from the works to the Congress counts them once.
	region := council("Region", soviet.Delegate, congress)
	if n := f.represented(region); n != 0 {
		t.Fatalf("a new region represents %d", n)
	}
	if err := f.Svc.LinkCouncils(ctx, f.Founder, f.Putilov, region); err != nil {
		t.Fatal(err)
	}
	if r, c := f.represented(region), f.represented(congress); r != 3 || c != 3 {
		t.Fatalf("the region represents %d and the Congress %d, want 3 and 3", r, c)
	}
	// Links far above are seen: a cycle through three councils is refused.
	top := council("Top", soviet.Delegate)
	if err := f.Svc.LinkCouncils(ctx, f.Founder, congress, top); err != nil {
		t.Fatal(err)
	}
	f.unchanged("cycle through three councils", soviet.ErrInvalid, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, top, region) })
	f.unchanged("duplicate of a far link", soviet.ErrConflict, func() error { return f.Svc.LinkCouncils(ctx, f.Founder, congress, top) })
	// A member joining the works counts once everywhere above.
	f.Invite(f.Putilov, f.Olga)
	for _, c := range []int64{f.Putilov, f.Soviet, region, congress, top} {
		if n := f.represented(c); n != 4 {
			t.Fatalf("council %d represents %d after a join, want 4", c, n)
		}
	}
	f.verifyOK()
}
