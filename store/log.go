package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"soviet"
)

// Head is a Merkle tree head of the log in the style of RFC 6962: anyone who
// keeps one can later check that the log only grew from it.
type Head struct {
	Size int64     `json:"size"`
	Root []byte    `json:"root"`
	Last []byte    `json:"last"` // the hash of the last event
	Time time.Time `json:"time"` // the time of the last event
}

// Head returns the current tree head.
func (db *DB) Head(ctx context.Context) (Head, error) {
	var h Head
	var last int64
	err := db.queryRow(ctx, "SELECT size, root, head, last_time FROM log_state WHERE id = 1").Scan(&h.Size, &h.Root, &h.Last, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{Root: hasher.EmptyRoot()}, nil
	}
	h.Time = micros(last)
	return h, err
}

// Events returns up to limit events from seq from on, in order.
func (db *DB) Events(ctx context.Context, from int64, limit int) ([]soviet.Event, error) {
	rows, err := db.query(ctx, "SELECT seq, time, actor, type, payload, prev, hash FROM events WHERE seq >= ? ORDER BY seq LIMIT ?", from, limit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var evs []soviet.Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// Event returns the event with sequence number seq.
func (db *DB) Event(ctx context.Context, seq int64) (soviet.Event, error) {
	ev, err := scanEvent(db.queryRow(ctx, "SELECT seq, time, actor, type, payload, prev, hash FROM events WHERE seq = ?", seq))
	return ev, notFound(err, "event", seq)
}

func scanEvent(s scanner) (soviet.Event, error) {
	var ev soviet.Event
	var at int64
	var payload string
	err := s.Scan(&ev.Seq, &at, &ev.Actor, &ev.Type, &payload, &ev.Prev, &ev.Hash)
	ev.Time, ev.Payload = time.UnixMicro(at), []byte(payload)
	return ev, err
}

// LeafHash returns the Merkle leaf hash of an event: the RFC 6962 leaf hash
// of its own hash.
func LeafHash(ev soviet.Event) []byte { return hasher.HashLeaf(ev.Hash) }

// InclusionProof returns the proof that the event with sequence number seq
// is in the tree of the given size (leaf index seq-1).
func (db *DB) InclusionProof(ctx context.Context, seq, size int64) ([][]byte, error) {
	if seq < 1 || size < seq {
		return nil, soviet.Errorf(soviet.ErrInvalid, "need 1 ≤ seq ≤ size, got seq %d and size %d", seq, size)
	}
	if err := db.checkSize(ctx, size); err != nil {
		return nil, err
	}
	nodes, err := proof.Inclusion(uint64(seq-1), uint64(size))
	if err != nil {
		return nil, soviet.Errorf(soviet.ErrInvalid, "%v", err)
	}
	return db.rehash(ctx, nodes)
}

// ConsistencyProof returns the proof that the tree of size2 extends the tree
// of size1.
func (db *DB) ConsistencyProof(ctx context.Context, size1, size2 int64) ([][]byte, error) {
	if size1 < 1 || size2 < size1 {
		return nil, soviet.Errorf(soviet.ErrInvalid, "need 1 ≤ first ≤ second, got %d and %d", size1, size2)
	}
	if err := db.checkSize(ctx, size2); err != nil {
		return nil, err
	}
	nodes, err := proof.Consistency(uint64(size1), uint64(size2))
	if err != nil {
		return nil, soviet.Errorf(soviet.ErrInvalid, "%v", err)
	}
	return db.rehash(ctx, nodes)
}

// RootAt returns the root of the tree of the given size, computed from the
// stored perfect subtrees.
func (db *DB) RootAt(ctx context.Context, size int64) ([]byte, error) {
	if size < 1 {
		return hasher.EmptyRoot(), nil
	}
	if err := db.checkSize(ctx, size); err != nil {
		return nil, err
	}
	ids := compact.RangeNodes(0, uint64(size), nil)
	hashes, err := db.nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r, err := rf.NewRange(0, uint64(size), hashes)
	if err != nil {
		return nil, err
	}
	return r.GetRootHash(nil)
}

func (db *DB) checkSize(ctx context.Context, size int64) error {
	h, err := db.Head(ctx)
	if err != nil {
		return err
	}
	if size > h.Size {
		return soviet.Errorf(soviet.ErrInvalid, "the log has %d events, not %d", h.Size, size)
	}
	return nil
}

func (db *DB) rehash(ctx context.Context, n proof.Nodes) ([][]byte, error) {
	hashes, err := db.nodes(ctx, n.IDs)
	if err != nil {
		return nil, err
	}
	return n.Rehash(hashes, hasher.HashChildren)
}

// nodes reads the stored hashes of perfect subtrees.
func (db *DB) nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		err := db.queryRow(ctx, "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?",
			int64(id.Level), int64(id.Index)).Scan(&hashes[i])
		if err != nil {
			return nil, fmt.Errorf("tree node %d/%d: %w", id.Level, id.Index, err)
		}
	}
	return hashes, nil
}
