package store

import (
	"context"
	"database/sql"
	"errors"
)

// scopeQueries find the federation and council an id of each kind belongs
// to. The kinds are the keys an event payload names its subject by.
var scopeQueries = map[string]string{
	"federation": "SELECT id, 0 FROM federations WHERE id = ?",
	"council":    "SELECT federation, id FROM councils WHERE id = ?",
	"body":       "SELECT federation, id FROM councils WHERE id = ?",
	"from":       "SELECT federation, id FROM councils WHERE id = ?",
	"motion":     "SELECT c.federation, c.id FROM motions m JOIN councils c ON c.id = m.council WHERE m.id = ?",
	"election":   "SELECT c.federation, c.id FROM elections e JOIN councils c ON c.id = e.council WHERE e.id = ?",
	"office":     "SELECT c.federation, c.id FROM offices o JOIN councils c ON c.id = o.body WHERE o.id = ?",
	"invitation": "SELECT c.federation, c.id FROM invitations i JOIN councils c ON c.id = i.council WHERE i.id = ?",
	"request":    "SELECT c.federation, c.id FROM join_requests j JOIN councils c ON c.id = j.council WHERE j.id = ?",
	// A secret vote's id is a motion's or an election's.
	"vote": `SELECT c.federation, c.id FROM motions m JOIN councils c ON c.id = m.council WHERE m.id = ?
		UNION SELECT c.federation, c.id FROM elections e JOIN councils c ON c.id = e.council WHERE e.id = ?`,
}

// ScopeOf returns the federation and council (0 when the subject is the
// federation itself) of the thing of a kind with an id. ok is false for a
// kind that names no scope.
func (db *DB) ScopeOf(ctx context.Context, kind string, id int64) (federation, council int64, ok bool, err error) {
	q, known := scopeQueries[kind]
	if !known {
		return 0, 0, false, nil
	}
	args := []any{id}
	if kind == "vote" {
		args = append(args, id)
	}
	err = db.queryRow(ctx, q, args...).Scan(&federation, &council)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	return federation, council, err == nil, err
}
