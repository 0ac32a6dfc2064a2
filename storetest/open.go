// Package storetest is the conformance suite of package store: one set of
// tests, run on a temporary SQLite file always and on a fresh PostgreSQL
// schema whenever SOVIET_TEST_POSTGRES holds a URL. Other packages use its
// openers to test against real stores.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"soviet/store"
)

// Opener opens a fresh, empty store for one test; it is closed and removed
// when the test ends.
type Opener func(t testing.TB, opts store.Options) *store.DB

// Engine is a named opener.
type Engine struct {
	Name string
	Open Opener
}

// Engines returns SQLite, and PostgreSQL when SOVIET_TEST_POSTGRES is set.
// In CI (CI=true) a missing PostgreSQL fails the test instead of skipping
// it: nothing may be skipped there.
func Engines(t testing.TB) []Engine {
	es := []Engine{{"sqlite", SQLite}}
	if os.Getenv("SOVIET_TEST_POSTGRES") != "" {
		es = append(es, Engine{"postgres", Postgres})
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but SOVIET_TEST_POSTGRES is not: the PostgreSQL tests cannot be skipped in CI")
	}
	return es
}

// SQLite opens a store on a new file in the test's temporary folder.
func SQLite(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	return openDSN(t, filepath.Join(t.TempDir(), "soviet.db"), opts)
}

// SQLiteAt opens a store on the given file, and closes it when the test
// ends.
func SQLiteAt(t testing.TB, path string, opts store.Options) *store.DB {
	t.Helper()
	return openDSN(t, path, opts)
}

// Postgres opens a store in a new schema of the database named by
// SOVIET_TEST_POSTGRES; the schema is dropped when the test ends.
func Postgres(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	return openDSN(t, dsn, opts)
}

// PostgresDSN creates a fresh schema and returns a URL whose connections use
// it; the schema is dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("SOVIET_TEST_POSTGRES")
	if base == "" {
		t.Fatal("SOVIET_TEST_POSTGRES is not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "soviet_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", base, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse SOVIET_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openDSN(t testing.TB, dsn string, opts store.Options) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := store.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Clock is a settable clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
