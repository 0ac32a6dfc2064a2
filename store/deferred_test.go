package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"soviet"
)

// TestDeferredVotesInOneBatch checks that roll-call rows written with the
// batch are seen within it as if written one by one: a voter's own read,
// the count, and the table after commit.
func TestDeferredVotesInOneBatch(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := soviet.NewService(db)
	a, _ := svc.Found(ctx, soviet.AccountInput{Handle: "founder", Name: "F", PasswordHash: "x"})
	f, _ := svc.CreateFederation(ctx, a.ID, "F")
	c, err := svc.CreateCouncil(ctx, a.ID, soviet.CouncilInput{Federation: f.ID, Name: "C", Kind: soviet.Base, Join: true})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := svc.ProposeMotion(ctx, a.ID, soviet.MotionInput{Council: c.ID, Title: "M"})
	if _, err := svc.OpenVote(ctx, a.ID, m.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	err = db.Transact(ctx, func(ctx context.Context, stx soviet.Tx) error {
		t1 := stx.(*tx)
		if !t1.deferVotes {
			t.Error("the writer's transaction does not defer votes")
		}
		for _, c := range []soviet.Choice{soviet.Yes, soviet.No} {
			if _, err := stx.Append(ctx, a.ID, soviet.VoteCast{Motion: m.ID, Choice: c}); err != nil {
				return err
			}
		}
		if len(t1.voteRows) != 1 {
			t.Errorf("%d deferred rows for one voter, want 1", len(t1.voteRows))
		}
		v, err := stx.Voter(ctx, m.ID, a.ID)
		if err != nil {
			return err
		}
		if v.Choice != soviet.No {
			t.Errorf("the voter reads %q, want the latest vote, no", v.Choice)
		}
		yes, no, _, _, err := stx.Count(ctx, m.ID)
		if err != nil {
			return err
		}
		if yes != 0 || no != 1 || len(t1.voteRows) != 0 {
			t.Errorf("count yes %d no %d with %d rows still deferred; want 0, 1, 0", yes, no, len(t1.voteRows))
		}
		_, err = stx.Append(ctx, a.ID, soviet.VoteCast{Motion: m.ID, Choice: soviet.Abstain})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.VoteOf(ctx, m.ID, a.ID)
	if err != nil || got != soviet.Abstain {
		t.Fatalf("after commit the table holds %q (%v), want abstain", got, err)
	}
	rep, err := db.Verify(ctx, t.TempDir())
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}
