package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Queries are written once with ? placeholders; rebind turns them into
// PostgreSQL's $1, $2… The result is cached per query text.
var rebound sync.Map // string → string

func rebind(e Engine, q string) string {
	if e != Postgres {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	inString := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	r := b.String()
	rebound.Store(q, r)
	return r
}

// boolInt stores a boolean as 0 or 1, alike on both engines.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// readStmt returns a statement prepared on the reader pool, kept for the
// life of the DB: on SQLite preparing costs more than running a small
// query. (database/sql prepares it again on each connection that runs it,
// once.) PostgreSQL's driver caches prepared statements itself.
func (db *DB) readStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := db.rstmts.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.r.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	if prev, loaded := db.rstmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// query runs a read on the reader pool.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.engine == SQLite {
		s, err := db.readStmt(ctx, q)
		if err != nil {
			return nil, err
		}
		return s.QueryContext(ctx, args...)
	}
	return db.r.QueryContext(ctx, rebind(db.engine, q), args...)
}

// queryRow runs a one-row read on the reader pool.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if db.engine == SQLite {
		if s, err := db.readStmt(ctx, q); err == nil {
			return s.QueryRowContext(ctx, args...)
		}
	}
	return db.r.QueryRowContext(ctx, rebind(db.engine, q), args...)
}
