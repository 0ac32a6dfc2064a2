package store_test

import (
	"fmt"
	"testing"

	"soviet/store"
	"soviet/storetest"
)

// TestReplayBatches checks that the batch projections, which verify uses
// to replay runs of accounts and joins, rebuild exactly what the events'
// own projections wrote, runs with moves and repeated accounts included
// (which they hand back to be applied one by one).
func TestReplayBatches(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f := storetest.NewFixture(t, e.Open)
			ctx := f.Ctx
			var sailors []int64
			for i := range 70 {
				sailors = append(sailors, f.Account(fmt.Sprintf("sailor%d", i)))
			}
			if err := f.Svc.ImportMembers(ctx, f.Founder, f.Fleet, sailors[:40]); err != nil {
				t.Fatal(err)
			}
			// A run of joins that ends with a move: the import, then an
			// imported sailor accepting an invitation to the works.
			_, tok, err := f.Svc.IssueInvitation(ctx, f.Founder, f.Putilov, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Svc.ImportMembers(ctx, f.Founder, f.Putilov, sailors[40:]); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Svc.AcceptInvitation(ctx, sailors[0], tok); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Svc.RebalanceAll(ctx, f.Founder, f.Fed); err != nil {
				t.Fatal(err)
			}
			if err := f.Svc.Leave(ctx, sailors[1], f.Fleet); err != nil {
				t.Fatal(err)
			}
			var rows int64
			for _, oneByOne := range []bool{false, true} {
				if oneByOne {
					store.ReplayOneByOne(f.DB)
				}
				rep, err := f.DB.Verify(ctx, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				if !rep.OK() {
					t.Fatalf("one by one %v: %v", oneByOne, rep.Problems)
				}
				switch {
				case !oneByOne && rep.Batched < 100:
					t.Fatalf("only %d events replayed in batches", rep.Batched)
				case oneByOne && rep.Batched != 0:
					t.Fatalf("%d events replayed in batches one by one", rep.Batched)
				case oneByOne && rep.Rows != rows:
					t.Fatalf("%d rows compared one by one, %d in batches", rep.Rows, rows)
				}
				rows = rep.Rows
			}
		})
	}
}

// The replay in verify writes without enforcing foreign keys and checks
// them all at the end: that is the same only while no foreign key has an
// action of its own (ON DELETE CASCADE, SET NULL…).
func TestForeignKeysHaveNoActions(t *testing.T) {
	db := storetest.SQLite(t, store.Options{})
	rows, err := db.SQL().Query(`SELECT m.name, f."table", f.on_update, f.on_delete
		FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, parent, onUpdate, onDelete string
		if err := rows.Scan(&table, &parent, &onUpdate, &onDelete); err != nil {
			t.Fatal(err)
		}
		n++
		if onUpdate != "NO ACTION" || onDelete != "NO ACTION" {
			t.Errorf("%s → %s: ON UPDATE %s ON DELETE %s; verify's replay would not do it", table, parent, onUpdate, onDelete)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d foreign keys found", n)
	}
}
