package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"soviet"
)

// tx implements soviet.Tx over one database transaction.
type tx struct {
	db       *DB
	sqltx    *sql.Tx
	ctx      context.Context // statements use it, not the caller's: one caller's cancellation must not break a shared batch
	readOnly bool
	stmts    map[string]*sql.Stmt
	// Roll-call votes are the bulk of a busy log: their rows are written
	// with the batch, in one statement, rather than one round trip each
	// (see deferVote).
	deferVotes bool
	votes      map[[2]int64]int // (motion, account) → index in voteRows
	voteRows   [][]any
	flushErr   error
	// voters holds the batch's voters, read at once (prefetchVoters).
	voters map[[2]int64]soviet.Voter
	// onWriterConn: the transaction runs on the writer's own connection,
	// whose prepared statements it may use.
	onWriterConn bool
	above        map[int64][]int64 // councilsAbove, read in this transaction
	wrote        bool              // the current job has written
	now          time.Time

	// The log as this transaction has it.
	size     int64
	head     []byte
	compact  [][]byte
	lastTime int64
	appended []soviet.Event

	// deposits are the ballots put into boxes in this transaction and
	// not yet written (PostgreSQL: mixBoxes writes them).
	deposits []deposit
}

var hasher = rfc6962.DefaultHasher

// stmt returns the transaction's prepared statement for q, preparing it on
// first use. On SQLite preparing is a large part of a small statement's
// cost, and a group-committed batch runs the same few statements many
// times; PostgreSQL's driver caches prepared statements itself.
func (t *tx) stmt(q string) (*sql.Stmt, error) {
	if s, ok := t.stmts[q]; ok {
		return s, nil
	}
	var s *sql.Stmt
	var err error
	if w := t.db.writerConn; w != nil && !t.readOnly && t.onWriterConn {
		// The writer's statements outlive its transactions: prepared once
		// on its connection, bound to each transaction for free.
		if s, err = w.prepared(t.ctx, q); err == nil {
			s = t.sqltx.StmtContext(t.ctx, s)
		}
	} else {
		s, err = t.sqltx.PrepareContext(t.ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = s
	return s, nil
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	t.wrote = true
	if err := t.flushVotes(q); err != nil {
		return nil, err
	}
	if t.voters != nil && affectsVoters(q) {
		t.voters = nil // a prefetched voter may no longer stand where it stood
	}
	if t.db.engine == SQLite {
		s, err := t.stmt(q)
		if err != nil {
			return nil, err
		}
		return s.ExecContext(t.ctx, args...)
	}
	return t.sqltx.ExecContext(t.ctx, rebind(t.db.engine, q), args...)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	if err := t.flushVotes(q); err != nil {
		return nil, err
	}
	if t.db.engine == SQLite {
		s, err := t.stmt(q)
		if err != nil {
			return nil, err
		}
		return s.QueryContext(t.ctx, args...)
	}
	return t.sqltx.QueryContext(t.ctx, rebind(t.db.engine, q), args...)
}

func (t *tx) queryRow(q string, args ...any) *sql.Row {
	if err := t.flushVotes(q); err != nil {
		// A *sql.Row cannot carry the error: it is kept, and the batch
		// fails at its end (finishLog).
		t.flushErr = err
	}
	if t.db.engine == SQLite {
		if s, err := t.stmt(q); err == nil {
			return s.QueryRowContext(t.ctx, args...)
		}
	}
	return t.sqltx.QueryRowContext(t.ctx, rebind(t.db.engine, q), args...)
}

// Now implements soviet.Tx.
func (t *tx) Now() time.Time { return t.now }

func (db *DB) clock() time.Time {
	return time.UnixMicro(db.now().UnixMicro())
}

// loadLog reads the head of the log and locks it: on PostgreSQL several
// servers may write, and the row lock orders their batches.
func (t *tx) loadLog() error {
	q := "SELECT size, head, compact, last_time FROM log_state WHERE id = 1"
	if t.db.engine == Postgres {
		q += " FOR UPDATE"
	}
	var packed []byte
	err := t.sqltx.QueryRowContext(t.ctx, q).Scan(&t.size, &t.head, &packed, &t.lastTime)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.size, t.head, t.compact, t.lastTime = 0, make([]byte, soviet.HashSize), nil, 0
	case err != nil:
		return fmt.Errorf("read log state: %w", err)
	default:
		if t.compact, err = unpackHashes(packed); err != nil {
			return fmt.Errorf("log state: %w", err)
		}
	}
	// Event times never go backwards, even if the clock does.
	now := t.db.clock()
	if t.size > 0 && now.UnixMicro() < t.lastTime {
		now = time.UnixMicro(t.lastTime)
	}
	t.now = now
	return nil
}

func unpackHashes(b []byte) ([][]byte, error) {
	if len(b)%soviet.HashSize != 0 {
		return nil, fmt.Errorf("compact range of %d bytes", len(b))
	}
	hs := make([][]byte, 0, len(b)/soviet.HashSize)
	for i := 0; i < len(b); i += soviet.HashSize {
		hs = append(hs, b[i:i+soviet.HashSize:i+soviet.HashSize])
	}
	return hs, nil
}

// logMark is the log's state before a job, to undo the job if it fails.
type logMark struct {
	size     int64
	head     []byte
	appended int
	deposits int
}

func (t *tx) mark() logMark { return logMark{t.size, t.head, len(t.appended), len(t.deposits)} }

func (t *tx) reset(m logMark) {
	t.size, t.head, t.appended = m.size, m.head, t.appended[:m.appended]
	// Only a job that wrote nothing is reset, and emptying a box writes:
	// the deposits can only have grown since the mark.
	if m.deposits < len(t.deposits) {
		t.deposits = t.deposits[:m.deposits]
	}
}

// Append implements soviet.Tx.
func (t *tx) Append(ctx context.Context, actor int64, p soviet.Payload) (soviet.Event, error) {
	if t.readOnly {
		return soviet.Event{}, errors.New("append in a read-only transaction")
	}
	payload, err := soviet.Canonical(p)
	if err != nil {
		return soviet.Event{}, fmt.Errorf("encode %s: %w", p.EventType(), err)
	}
	ev := soviet.Event{Seq: t.size + 1, Time: t.now, Actor: actor, Type: p.EventType(), Payload: payload, Prev: t.head}
	ev.Hash = ev.ComputeHash()
	// The event row itself is written with the others of the batch, in
	// finishLog; the projection is written now, so that what follows in
	// the transaction sees it.
	t.wrote = true
	if err := apply(t, ev, p); err != nil {
		return soviet.Event{}, fmt.Errorf("project %s %d: %w", ev.Type, ev.Seq, err)
	}
	t.size, t.head = ev.Seq, ev.Hash
	t.appended = append(t.appended, ev)
	return ev, nil
}

// finishLog writes the transaction's events, adds them to the Merkle tree,
// storing every new perfect subtree, and writes the new head: a few
// multi-row statements for the whole batch.
func (t *tx) finishLog() error {
	if t.flushErr != nil {
		return t.flushErr
	}
	if err := t.flushVotes(""); err != nil {
		return err
	}
	if len(t.appended) == 0 {
		return nil
	}
	rows := make([][]any, len(t.appended))
	for i, ev := range t.appended {
		rows[i] = []any{ev.Seq, ev.Time.UnixMicro(), ev.Actor, ev.Type, string(ev.Payload), ev.Prev, ev.Hash}
	}
	if err := t.insertRows("events", "seq, time, actor, type, payload, prev, hash", rows); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	first := t.appended[0].Seq - 1 // the leaf index of the first new event
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r, err := rf.NewRange(0, uint64(first), t.compact)
	if err != nil {
		return fmt.Errorf("log compact range: %w", err)
	}
	var nodes [][]any
	visit := func(id compact.NodeID, hash []byte) {
		nodes = append(nodes, []any{int64(id.Level), int64(id.Index), hash})
	}
	for _, ev := range t.appended {
		if err := r.Append(hasher.HashLeaf(ev.Hash), visit); err != nil {
			return fmt.Errorf("log tree: %w", err)
		}
	}
	if err := t.insertRows("log_nodes", "level, idx, hash", nodes); err != nil {
		return fmt.Errorf("log tree nodes: %w", err)
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return fmt.Errorf("log root: %w", err)
	}
	packed := bytes.Join(r.Hashes(), nil)
	last := t.appended[len(t.appended)-1]
	if _, err := t.exec(`INSERT INTO log_state (id, size, head, root, compact, last_time) VALUES (1, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET size = excluded.size, head = excluded.head, root = excluded.root,
		compact = excluded.compact, last_time = excluded.last_time`,
		last.Seq, last.Hash, root, packed, last.Time.UnixMicro()); err != nil {
		return fmt.Errorf("write log state: %w", err)
	}
	t.compact = r.Hashes()
	return nil
}

// insertChunk is the most rows one INSERT carries: few enough for any
// engine's limit on parameters, and few distinct statements to prepare.
const insertChunk = 64

// insertRows inserts rows into table in multi-row statements.
func (t *tx) insertRows(table, cols string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), insertChunk)
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := t.exec(q, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// SetPassword implements soviet.Tx.
func (t *tx) SetPassword(ctx context.Context, account int64, hash string) error {
	if t.readOnly {
		return errors.New("write in a read-only transaction")
	}
	_, err := t.exec(`INSERT INTO credentials (account, password_hash, updated) VALUES (?, ?, ?)
		ON CONFLICT (account) DO UPDATE SET password_hash = excluded.password_hash, updated = excluded.updated`,
		account, hash, t.now.UnixMicro())
	return err
}

// initLog writes the first event of a new log.
func (db *DB) initLog(ctx context.Context, opts Options) error {
	return db.Transact(ctx, func(ctx context.Context, stx soviet.Tx) error {
		t := stx.(*tx)
		if t.size > 0 {
			return nil
		}
		sw, v := opts.Software, opts.Version
		if sw == "" {
			sw = "soviet"
		}
		_, err := t.Append(ctx, 0, soviet.InstanceCreated{Software: sw, Version: v})
		return err
	})
}

// voteCols are the columns of a deferred roll-call row.
const voteCols = "motion, account, choice, cast_at, split_yes, split_no, split_abstain"

// deferVote keeps a roll-call row to write with the batch. Only the
// latest vote of a voter on a motion is kept: it is the one the table
// must hold.
func (t *tx) deferVote(row []any) {
	key := [2]int64{row[0].(int64), row[1].(int64)}
	if i, ok := t.votes[key]; ok {
		t.voteRows[i] = row
		return
	}
	if t.votes == nil {
		t.votes = map[[2]int64]int{}
	}
	t.votes[key] = len(t.voteRows)
	t.voteRows = append(t.voteRows, row)
}

// pendingChoice returns a deferred vote of account on motion.
func (t *tx) pendingChoice(motion, account int64) (string, bool) {
	i, ok := t.votes[[2]int64{motion, account}]
	if !ok {
		return "", false
	}
	return t.voteRows[i][2].(string), true
}

// flushVotes writes the deferred roll-call rows before any statement
// other than the voter's read (voterQuery consults them itself), so that
// every other read and write sees the table as if they had been written
// one by one.
func (t *tx) flushVotes(q string) error {
	if len(t.voteRows) == 0 || q == voterQuery {
		return nil
	}
	rows := t.voteRows
	t.voteRows, t.votes = nil, nil
	for len(rows) > 0 {
		n := min(len(rows), insertChunk)
		one := "(?, ?, ?, ?, ?, ?, ?)"
		stmt := "INSERT INTO rollcall (" + voteCols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + `
			ON CONFLICT (motion, account) DO UPDATE SET choice = excluded.choice, cast_at = excluded.cast_at,
			split_yes = excluded.split_yes, split_no = excluded.split_no, split_abstain = excluded.split_abstain`
		args := make([]any, 0, n*7)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := t.exec(stmt, args...); err != nil {
			return fmt.Errorf("write roll-call votes: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// voterTables are the tables a Voter read depends on.
var voterTables = []string{"motions", "members", "offices", "electorate", "rollcall"}

// affectsVoters reports whether a statement writes a table a Voter read
// depends on.
func affectsVoters(q string) bool {
	for _, t := range voterTables {
		if strings.Contains(q, " "+t+" ") || strings.Contains(q, " "+t+"\n") || strings.HasSuffix(q, " "+t) {
			return true
		}
	}
	return false
}
