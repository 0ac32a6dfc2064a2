package demo

import (
	"context"
	"slices"
	"testing"

	"soviet"
	"soviet/password"
	"soviet/store"
	"soviet/storetest"
)

// TestPetrograd builds the demo on each engine and checks the story it
// tells: delegates seated, a recall carried and the seat filled again,
// motions decided, and a log that verifies.
func TestPetrograd(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			db := e.Open(t, store.Options{})
			svc := soviet.NewService(db)
			hash, err := password.Hash(password.Params{Memory: 64, Time: 1, Threads: 1}, Password)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			s, err := Build(ctx, svc, hash)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(s.Accounts, "lenin") || len(s.Accounts) < 50 {
				t.Fatalf("accounts %v", s.Accounts)
			}
			var recalled, delegates int
			var adopted int
			err = db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
				os, err := tx.Offices(ctx, s.Soviet, 0)
				delegates = len(os)
				if err != nil {
					return err
				}
				for seq := int64(1); seq < 100000; seq++ {
					m, err := tx.Motion(ctx, seq)
					if err != nil {
						continue
					}
					if m.Kind == soviet.RecallMotion && m.State == soviet.Adopted {
						recalled++
					}
					if m.State == soviet.Adopted {
						adopted++
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if delegates != 15 || recalled != 1 || adopted < 4 {
				t.Fatalf("%d delegates in the Soviet (want 15), %d recalls carried (want 1), %d motions adopted", delegates, recalled, adopted)
			}
			rep, err := db.Verify(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("the demo's log does not verify: %v", rep.Problems)
			}
		})
	}
}
