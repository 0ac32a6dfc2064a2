package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The replay database does not enforce foreign keys while it is written;
// checkForeignKeys finds what they would have refused.
func TestCheckForeignKeys(t *testing.T) {
	ctx := context.Background()
	db, err := openScratch(ctx, filepath.Join(t.TempDir(), "replay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.closePools()
	var pr problems
	if err := checkForeignKeys(ctx, db, &pr); err != nil || len(pr.done()) != 0 {
		t.Fatalf("an empty replay: %v %v", pr.list, err)
	}
	if _, err := db.w.ExecContext(ctx, "INSERT INTO members (federation, account, council, since) VALUES (1, 2, 3, 0)"); err != nil {
		t.Fatalf("the replay refused a row: %v", err)
	}
	if err := checkForeignKeys(ctx, db, &pr); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pr.done(), "\n"); !strings.Contains(got, "members") || !strings.Contains(got, "never made") {
		t.Fatalf("problems: %q", got)
	}
}
