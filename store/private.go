package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"soviet"
)

// The private tables hold secrets and operational state: they are not part
// of the log, not replayed and not compared by verify. Their writes go
// through the same writer as everything else, without an event.

// private runs fn as a write outside the log.
func (db *DB) private(ctx context.Context, fn func(t *tx) error) error {
	return db.Transact(ctx, func(ctx context.Context, stx soviet.Tx) error {
		return fn(stx.(*tx))
	})
}

// findable reports whether text a visitor sent can name a stored row.
// Text PostgreSQL cannot hold (invalid UTF-8, NUL) names nothing, on
// either engine, rather than failing the query.
func findable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// Credentials returns the account with the given handle and its password
// hash.
func (db *DB) Credentials(ctx context.Context, handle string) (soviet.Account, string, error) {
	if !findable(handle) {
		return soviet.Account{}, "", soviet.Errorf(soviet.ErrNotFound, "no account %q", handle)
	}
	row := db.queryRow(ctx, `SELECT a.id, a.handle, a.name, a.founder, a.created, c.password_hash
		FROM accounts a JOIN credentials c ON c.account = a.id WHERE a.handle = ?`, handle)
	var a soviet.Account
	var founder, created int64
	var hash string
	err := row.Scan(&a.ID, &a.Handle, &a.Name, &founder, &created, &hash)
	a.Founder, a.Created = founder == 1, micros(created)
	return a, hash, notFound(err, "account", handle)
}

// SetPassword replaces an account's password hash.
func (db *DB) SetPassword(ctx context.Context, account int64, hash string) error {
	return db.private(ctx, func(t *tx) error { return t.SetPassword(ctx, account, hash) })
}

// PasswordHash returns an account's password hash.
func (db *DB) PasswordHash(ctx context.Context, account int64) (string, error) {
	var hash string
	err := db.queryRow(ctx, "SELECT password_hash FROM credentials WHERE account = ?", account).Scan(&hash)
	return hash, notFound(err, "credentials of account", account)
}

// CreateSession stores a session by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, account int64, expires time.Time) error {
	return db.private(ctx, func(t *tx) error {
		_, err := t.exec("INSERT INTO sessions (token_hash, account, created, expires) VALUES (?, ?, ?, ?)",
			tokenHash, account, t.now.UnixMicro(), expires.UnixMicro())
		return err
	})
}

// SessionAccount returns the account of a live session.
func (db *DB) SessionAccount(ctx context.Context, tokenHash string) (soviet.Account, error) {
	row := db.queryRow(ctx, `SELECT a.id, a.handle, a.name, a.founder, a.created
		FROM sessions s JOIN accounts a ON a.id = s.account WHERE s.token_hash = ? AND s.expires > ?`,
		tokenHash, db.clock().UnixMicro())
	a, err := scanAccount(row)
	return a, notFound(err, "session", "")
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.private(ctx, func(t *tx) error {
		_, err := t.exec("DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}

// DeleteSessions ends every session of an account (after a password change).
func (db *DB) DeleteSessions(ctx context.Context, account int64) error {
	return db.private(ctx, func(t *tx) error {
		_, err := t.exec("DELETE FROM sessions WHERE account = ?", account)
		return err
	})
}

// PruneSessions deletes expired sessions.
func (db *DB) PruneSessions(ctx context.Context) error {
	return db.private(ctx, func(t *tx) error {
		_, err := t.exec("DELETE FROM sessions WHERE expires <= ?", t.now.UnixMicro())
		return err
	})
}

// APIToken describes a personal API token; the token itself is never
// stored, only its hash.
type APIToken struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// CreateAPIToken stores a personal API token by its hash.
func (db *DB) CreateAPIToken(ctx context.Context, account int64, id, name, tokenHash string) (APIToken, error) {
	var tok APIToken
	err := db.private(ctx, func(t *tx) error {
		var n int64
		if err := t.queryRow("SELECT COUNT(*) FROM api_tokens WHERE account = ?", account).Scan(&n); err != nil {
			return err
		}
		if n >= 50 {
			return soviet.Errorf(soviet.ErrConflict, "an account may hold at most 50 API tokens: delete one first")
		}
		_, err := t.exec("INSERT INTO api_tokens (id, account, name, token_hash, created) VALUES (?, ?, ?, ?, ?)",
			id, account, name, tokenHash, t.now.UnixMicro())
		tok = APIToken{ID: id, Name: name, Created: t.now}
		return err
	})
	return tok, err
}

// APITokenAccount returns the account a token belongs to.
func (db *DB) APITokenAccount(ctx context.Context, tokenHash string) (soviet.Account, error) {
	row := db.queryRow(ctx, `SELECT a.id, a.handle, a.name, a.founder, a.created
		FROM api_tokens k JOIN accounts a ON a.id = k.account WHERE k.token_hash = ?`, tokenHash)
	a, err := scanAccount(row)
	return a, notFound(err, "API token", "")
}

// APITokens lists an account's tokens.
func (db *DB) APITokens(ctx context.Context, account int64) ([]APIToken, error) {
	rows, err := db.query(ctx, "SELECT id, name, created, last_used FROM api_tokens WHERE account = ? ORDER BY created, id", account)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	var toks []APIToken
	for rows.Next() {
		var t APIToken
		var created, used int64
		if err := rows.Scan(&t.ID, &t.Name, &created, &used); err != nil {
			return nil, err
		}
		t.Created, t.LastUsed = micros(created), micros(used)
		toks = append(toks, t)
	}
	return toks, rows.Err()
}

// DeleteAPIToken deletes one of an account's tokens.
func (db *DB) DeleteAPIToken(ctx context.Context, account int64, id string) error {
	if !findable(id) {
		return soviet.Errorf(soviet.ErrNotFound, "no API token %q", id)
	}
	return db.private(ctx, func(t *tx) error {
		res, err := t.exec("DELETE FROM api_tokens WHERE account = ? AND id = ?", account, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return soviet.Errorf(soviet.ErrNotFound, "no API token %q", id)
		}
		return nil
	})
}
