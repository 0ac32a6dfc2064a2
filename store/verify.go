package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/transparency-dev/merkle/compact"

	"soviet"
)

// projection is a table written only from events, with the columns that
// order its rows.
type projection struct {
	table, order string
}

// projections lists every projection table; verify compares each with its
// replayed copy. A test checks that every table of the schema is here or in
// privateTables or logTables.
var projections = []projection{
	{"instance", "id"},
	{"accounts", "id"},
	{"federations", "id"},
	{"charters", "federation, version"},
	{"councils", "id"},
	{"council_links", "from_council, to_council"},
	{"members", "federation, account"},
	{"invitations", "id"},
	{"join_requests", "id"},
	{"motions", "id"},
	{"motion_supporters", "motion, account"},
	{"electorate", "motion, account"},
	{"rollcall", "motion, account"},
}

// addProjection registers a projection table of a later capability; call
// it from an init function beside the table's projector.
func addProjection(table, order string) {
	projections = append(projections, projection{table, order})
}

// privateTables are not projections of the log: secrets and operational
// state.
var privateTables = []string{"credentials", "sessions", "api_tokens"}

// logTables hold the log itself.
var logTables = []string{"events", "log_state", "log_nodes"}

// boxTables hold the ballots of open secret votes. They are neither
// projections nor private: no event names a ballot while its vote is open
// (that is the point), so replay cannot rebuild them; at close the box is
// emptied into a bulletin, which is in the log. Verify checks instead that
// each open box holds one ballot per participant and that no box outlives
// its bulletin (checkBoxes).
var boxTables = []string{"ballot_box"}

// Report is what Verify found.
type Report struct {
	Events   int64    // events checked
	Root     []byte   // the Merkle root recomputed from the events
	Tables   int      // projection tables compared
	Rows     int64    // projection rows compared
	Problems []string // every difference found; empty when all is well
}

// OK reports whether nothing was wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

const maxProblemsPerCheck = 20

// problems collects problems, keeping at most maxProblemsPerCheck per
// check and counting the rest.
type problems struct {
	list    []string
	perKey  map[string]int
	dropped map[string]int
}

func (p *problems) add(key, format string, args ...any) {
	if p.perKey == nil {
		p.perKey, p.dropped = map[string]int{}, map[string]int{}
	}
	if p.perKey[key] >= maxProblemsPerCheck {
		p.dropped[key]++
		return
	}
	p.perKey[key]++
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *problems) done() []string {
	for k, n := range p.dropped {
		p.list = append(p.list, fmt.Sprintf("%s: %d more differences not shown", k, n))
	}
	return p.list
}

// Verify checks the whole database: the hash chain of the events, the
// Merkle tree and head, and every projection, by replaying the log into an
// empty store (a temporary SQLite file in tmpDir, "" for the system's) and
// comparing table by table. It returns an error only if it could not check;
// what it found is in the report.
func (db *DB) Verify(ctx context.Context, tmpDir string) (*Report, error) {
	rep := &Report{}
	var pr problems

	dir, err := os.MkdirTemp(tmpDir, "soviet-verify-")
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer os.RemoveAll(dir)
	replay, err := open(ctx, filepath.Join(dir, "replay.db"), Options{})
	if err != nil {
		return nil, err
	}
	defer replay.closePools()
	if err := migrate(ctx, replay.w, SQLite, replay.log); err != nil {
		return nil, err
	}
	// The replayed copy is thrown away: it needs no durability.
	if _, err := replay.w.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return nil, err
	}

	tree, err := db.checkChainAndReplay(ctx, replay, rep, &pr)
	if err != nil {
		return nil, err
	}
	if err := db.checkTree(ctx, tree, rep, &pr); err != nil {
		return nil, err
	}
	for _, p := range projections {
		n, err := compareTable(ctx, db, replay, p, &pr)
		if err != nil {
			return nil, err
		}
		rep.Tables++
		rep.Rows += n
	}
	if err := db.checkBoxes(ctx, &pr); err != nil {
		return nil, err
	}
	rep.Problems = pr.done()
	return rep, nil
}

// merkleTree is the tree recomputed from the events: every perfect subtree,
// level by level.
type merkleTree struct {
	levels [][][]byte
	rng    *compact.Range
}

func (m *merkleTree) visit(id compact.NodeID, hash []byte) {
	for int(id.Level) >= len(m.levels) {
		m.levels = append(m.levels, nil)
	}
	m.levels[id.Level] = append(m.levels[id.Level], hash)
}

const replayBatch = 20000

// checkChainAndReplay reads every event once: it checks the chain and
// hashes, rebuilds the Merkle tree and applies the event to the replay
// store.
func (db *DB) checkChainAndReplay(ctx context.Context, replay *DB, rep *Report, pr *problems) (*merkleTree, error) {
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	tree := &merkleTree{rng: rf.NewEmptyRange(0)}
	prev := make([]byte, soviet.HashSize)
	want := int64(1)

	rtx, err := newReplayTx(ctx, replay)
	if err != nil {
		return nil, err
	}
	defer func() { rtx.sqltx.Rollback() }()

	rows, err := db.r.QueryContext(ctx, "SELECT seq, time, actor, type, payload, prev, hash FROM events ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("read event: %w", err)
		}
		rep.Events++
		if ev.Seq != want {
			pr.add("chain", "event %d: expected sequence number %d (an event is missing, inserted or reordered)", ev.Seq, want)
			want = ev.Seq
		}
		want++
		if !bytes.Equal(ev.Prev, prev) {
			pr.add("chain", "event %d: its previous hash %x is not the hash %x of the event before it", ev.Seq, short(ev.Prev), short(prev))
		}
		if h := ev.ComputeHash(); !bytes.Equal(h, ev.Hash) {
			pr.add("chain", "event %d: stored hash %x, but its content hashes to %x (the event was edited)", ev.Seq, short(ev.Hash), short(h))
		}
		if c, err := soviet.CanonicalizeJSON(ev.Payload); err != nil || !bytes.Equal(c, ev.Payload) {
			pr.add("chain", "event %d: payload is not canonical JSON", ev.Seq)
		}
		prev = ev.Hash
		if err := tree.rng.Append(hasher.HashLeaf(ev.Hash), tree.visit); err != nil {
			return nil, fmt.Errorf("rebuild tree: %w", err)
		}
		p, err := soviet.DecodePayload(ev.Type, ev.Payload)
		if err != nil {
			pr.add("replay", "event %d: %v", ev.Seq, err)
			continue
		}
		if err := rtx.replay(ev, p); err != nil {
			pr.add("replay", "event %d (%s) cannot be replayed: %v", ev.Seq, ev.Type, err)
		}
		if rep.Events%replayBatch == 0 {
			if err := rtx.commit(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if err := rtx.commit(); err != nil {
		return nil, err
	}
	if rep.Events == 0 {
		pr.add("chain", "the log is empty: a log always starts with the instance's creation")
	}
	return tree, nil
}

// replayTx applies events to the replay store in large transactions, each
// event under a savepoint so that one that fails leaves no half.
type replayTx struct {
	db *DB
	*tx
}

func newReplayTx(ctx context.Context, db *DB) (*replayTx, error) {
	sqltx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &replayTx{db: db, tx: &tx{db: db, sqltx: sqltx, ctx: ctx}}, nil
}

func (r *replayTx) replay(ev soviet.Event, p soviet.Payload) error {
	if _, err := r.exec("SAVEPOINT ev"); err != nil {
		return err
	}
	if err := apply(r.tx, ev, p); err != nil {
		r.exec("ROLLBACK TO SAVEPOINT ev")
		r.exec("RELEASE SAVEPOINT ev")
		return err
	}
	_, err := r.exec("RELEASE SAVEPOINT ev")
	return err
}

func (r *replayTx) commit() error {
	if err := r.sqltx.Commit(); err != nil {
		return fmt.Errorf("replay commit: %w", err)
	}
	sqltx, err := r.db.w.BeginTx(r.ctx, nil)
	if err != nil {
		return err
	}
	r.tx.sqltx, r.tx.stmts = sqltx, nil
	return nil
}

// checkTree compares the stored tree nodes and head with the recomputed
// tree.
func (db *DB) checkTree(ctx context.Context, tree *merkleTree, rep *Report, pr *problems) error {
	root, err := tree.rng.GetRootHash(nil)
	if err != nil {
		return err
	}
	if root == nil {
		root = hasher.EmptyRoot()
	}
	rep.Root = root
	h, err := db.Head(ctx)
	if err != nil {
		return fmt.Errorf("read head: %w", err)
	}
	if h.Size != rep.Events {
		pr.add("head", "the published head says %d events; the log has %d", h.Size, rep.Events)
	}
	if !bytes.Equal(h.Root, root) {
		pr.add("head", "the published root %x is not the root %x of the events", short(h.Root), short(root))
	}
	rows, err := db.r.QueryContext(ctx, "SELECT level, idx, hash FROM log_nodes ORDER BY level, idx")
	if err != nil {
		return fmt.Errorf("read tree: %w", err)
	}
	defer rows.Close()
	seen := make([]int64, len(tree.levels))
	for rows.Next() {
		var level, idx int64
		var hash []byte
		if err := rows.Scan(&level, &idx, &hash); err != nil {
			return err
		}
		if level < 0 || int(level) >= len(tree.levels) || idx < 0 || idx >= int64(len(tree.levels[level])) {
			pr.add("tree", "stored tree node %d/%d is not in the tree of the events", level, idx)
			continue
		}
		if !bytes.Equal(tree.levels[level][idx], hash) {
			pr.add("tree", "stored tree node %d/%d differs from the tree of the events", level, idx)
		}
		seen[level]++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for l, n := range seen {
		if want := int64(len(tree.levels[l])); n != want {
			pr.add("tree", "tree level %d: %d nodes stored, %d in the tree of the events", l, n, want)
		}
	}
	return nil
}

// compareTable compares a projection table in db with its replayed copy.
func compareTable(ctx context.Context, db, replay *DB, p projection, pr *problems) (int64, error) {
	q := fmt.Sprintf("SELECT * FROM %s ORDER BY %s", p.table, p.order)
	live, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", p.table, err)
	}
	defer live.Close()
	want, err := replay.r.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("read replayed %s: %w", p.table, err)
	}
	defer want.Close()
	cols, err := live.Columns()
	if err != nil {
		return 0, err
	}
	keyCols := len(strings.Split(p.order, ","))
	var n int64
	var a, b []string
	nextA, nextB := true, true
	for {
		if nextA {
			a, err = readRow(live, len(cols))
			if err != nil {
				return n, fmt.Errorf("read %s: %w", p.table, err)
			}
		}
		if nextB {
			b, err = readRow(want, len(cols))
			if err != nil {
				return n, fmt.Errorf("read replayed %s: %w", p.table, err)
			}
		}
		if a == nil && b == nil {
			return n, nil
		}
		n++
		switch c := compareKeys(a, b, keyCols); {
		case c < 0: // a row the log does not explain
			pr.add(p.table, "%s: row %s is not explained by the log", p.table, describe(cols, a, keyCols))
			nextA, nextB = true, false
		case c > 0: // a row the log made that is missing
			pr.add(p.table, "%s: row %s made by the log is missing", p.table, describe(cols, b, keyCols))
			nextA, nextB = false, true
		default:
			for i := range cols {
				if a[i] != b[i] {
					pr.add(p.table, "%s: row %s: %s is %s, the log says %s", p.table, describe(cols, a, keyCols), cols[i], a[i], b[i])
				}
			}
			nextA, nextB = true, true
		}
	}
}

type rowsScanner interface {
	Next() bool
	Scan(...any) error
	Err() error
}

// readRow returns the next row as comparable strings, or nil at the end.
func readRow(rows rowsScanner, n int) ([]string, error) {
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			out[i] = "NULL"
		case []byte:
			out[i] = "x'" + hex.EncodeToString(v) + "'"
		case string:
			out[i] = fmt.Sprintf("%q", v)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// compareKeys orders two rows by their key columns; a nil row (the end)
// sorts last.
func compareKeys(a, b []string, k int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	for i := 0; i < k; i++ {
		if a[i] == b[i] {
			continue
		}
		// Keys are integers: compare them as numbers.
		var x, y int64
		_, errX := fmt.Sscan(a[i], &x)
		_, errY := fmt.Sscan(b[i], &y)
		if errX == nil && errY == nil {
			if x < y {
				return -1
			}
			return 1
		}
		return strings.Compare(a[i], b[i])
	}
	return 0
}

func describe(cols, row []string, k int) string {
	parts := make([]string, k)
	for i := 0; i < k; i++ {
		parts[i] = cols[i] + "=" + row[i]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func short(b []byte) []byte {
	if len(b) > 8 {
		return b[:8]
	}
	return b
}

// Projection names a projection table and the columns that order its rows.
type Projection struct {
	Table string
	Key   []string
}

// Projections returns every projection table, for tools and tests.
func Projections() []Projection {
	ps := make([]Projection, len(projections))
	for i, p := range projections {
		keys := strings.Split(p.order, ",")
		for j := range keys {
			keys[j] = strings.TrimSpace(keys[j])
		}
		ps[i] = Projection{Table: p.table, Key: keys}
	}
	return ps
}
