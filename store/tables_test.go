package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestEveryTableIsClassified checks that verify knows every table of the
// schema: a projection (compared with the replay), a ballot box (checked
// against participation), or a private or log table. A new table that is
// none of these would escape verify unnoticed.
func TestEveryTableIsClassified(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.r.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	known := slices.Concat(privateTables, logTables, boxTables)
	for _, p := range projections {
		known = append(known, p.table)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(known, name) {
			t.Errorf("table %s is not listed in store/verify.go (projections, boxTables, privateTables or logTables)", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
