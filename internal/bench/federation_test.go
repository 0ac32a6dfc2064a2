package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"soviet"
	"soviet/store"
)

// TestFederationSmall builds a small federation of the same shape, measures
// it, and checks that verify finds the log and projections intact: the
// generator goes through the real commands and store.
func TestFederationSmall(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "fed.db")
	cfg := FederationConfig{DSN: dsn, Members: 3000, Base: 60, Districts: 6, Regions: 2, Changes: 12, Workers: 16}
	rep, err := Federation(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Built || rep.Councils != 1+2+6+60 {
		t.Fatalf("report %+v", rep)
	}
	// Joins and departures balance: 4 joins, 4 leaves, 4 moves.
	if rep.Members != 3000 {
		t.Fatalf("the national council represents %d members, want 3000", rep.Members)
	}
	if rep.SeatTables != 1+2+6 {
		t.Fatalf("the first rebuild changed %d seat tables, want every one (9)", rep.SeatTables)
	}
	if rep.RebuildSame.Events != 0 {
		t.Fatalf("a rebuild with nothing out of date appended %d events", rep.RebuildSame.Events)
	}
	if rep.All.N != 12 || rep.All.P50 <= 0 {
		t.Fatalf("changes %+v", rep.All)
	}
	if flips := rep.Changes[len(rep.Changes)-1]; flips.N < 1 || flips.SeatTables < int64(flips.N) {
		t.Fatalf("moves that change seats: %+v", flips)
	}
	// Run again: the federation is found and reused.
	rep2, err := Federation(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Built || rep2.Federation != rep.Federation || rep2.LogSize <= rep.LogSize {
		t.Fatalf("second run %+v after %+v", rep2, rep)
	}
	db, err := store.OpenExisting(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() || v.Events != rep2.LogSize {
		t.Fatalf("verify: %d events of %d, %v", v.Events, rep2.LogSize, v.Problems)
	}
	if _, err := os.Stat(dsn); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkMembershipChange times one membership change (a member leaves
// a base council, or joins one by invitation), with the seats above
// apportioned again and the commit, in a federation of 20,000 members over
// four levels. soviet bench federation measures the same at a million.
func BenchmarkMembershipChange(b *testing.B) {
	ctx := context.Background()
	dsn := filepath.Join(b.TempDir(), "fed.db")
	if _, err := Federation(ctx, FederationConfig{DSN: dsn, Members: 20000, Base: 200, Districts: 8, Regions: 2, Changes: 3, Workers: 64}); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := soviet.NewService(db)
	fb, err := findFederation(ctx, db)
	if err != nil || fb == nil {
		b.Fatal(err)
	}
	ms, err := db.Members(ctx, fb.base[0])
	if err != nil || len(ms) == 0 {
		b.Fatal(err)
	}
	a, c := ms[0].Account.ID, fb.base[0]
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			if err := svc.Leave(ctx, a, c); err != nil {
				b.Fatal(err)
			}
			continue
		}
		b.StopTimer()
		_, tok, err := svc.IssueInvitation(ctx, fb.founder, c, "")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.AcceptInvitation(ctx, a, tok); err != nil {
			b.Fatal(err)
		}
	}
}
