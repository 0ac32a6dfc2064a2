package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	Events  int64  // events checked
	Root    []byte // the Merkle root recomputed from the events
	Tables  int    // projection tables compared
	Rows    int64  // projection rows compared
	Batched int64  // events replayed in runs by batch projections
	// How long reading, checking and replaying the log took, and then
	// comparing the tables.
	Replay, Compare time.Duration
	Problems        []string // every difference found; empty when all is well
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
//
// Reading and checking the events and applying them to the replay run side
// by side; so do the comparisons of the tree and of the tables, which read
// the two databases in order of their keys.
func (db *DB) Verify(ctx context.Context, tmpDir string) (*Report, error) {
	rep := &Report{}
	var pr problems

	dir, err := os.MkdirTemp(tmpDir, "soviet-verify-")
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer os.RemoveAll(dir)
	replay, err := openScratch(ctx, filepath.Join(dir, "replay.db"))
	if err != nil {
		return nil, err
	}
	defer replay.closePools()

	start := time.Now()
	stopped, err := db.checkChainAndReplay(ctx, replay, rep, &pr)
	if err != nil {
		return nil, err
	}
	rep.Replay = time.Since(start)
	start = time.Now()
	// The comparisons only read, and run at once.
	var checks []func(pr *problems) (int64, error)
	if !stopped {
		checks = append(checks, func(pr *problems) (int64, error) { return 0, checkForeignKeys(ctx, replay, pr) })
		for _, p := range projections {
			checks = append(checks, func(pr *problems) (int64, error) { return compareTable(ctx, db, replay, p, pr) })
		}
		rep.Tables = len(projections)
	}
	found := make([]problems, len(checks))
	rows := make([]int64, len(checks))
	errs := make([]error, len(checks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(verifyWorkers, len(checks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(checks); i = int(next.Add(1) - 1) {
				rows[i], errs[i] = checks[i](&found[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range checks {
		pr.merge(&found[i])
		rep.Rows += rows[i]
	}
	if err := db.checkBoxes(ctx, &pr); err != nil {
		return nil, err
	}
	rep.Compare = time.Since(start)
	rep.Problems = pr.done()
	return rep, nil
}

// verifyWorkers is how many comparisons run at once.
const verifyWorkers = 2

// merge adds the problems q found to p.
func (p *problems) merge(q *problems) {
	if p.perKey == nil {
		p.perKey, p.dropped = map[string]int{}, map[string]int{}
	}
	p.list = append(p.list, q.list...)
	for k, n := range q.perKey {
		p.perKey[k] += n
	}
	for k, n := range q.dropped {
		p.dropped[k] += n
	}
}

// openScratch opens the throwaway SQLite database verify replays into: no
// journal, no syncs, a large cache. It is deleted afterwards, so nothing
// needs to survive a crash.
func openScratch(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	// Foreign keys are checked once, after the replay (checkForeignKeys):
	// no key has an action (cascade, set null), so they change nothing but
	// the time each write takes.
	for _, p := range []string{"journal_mode(OFF)", "synchronous(OFF)", "foreign_keys(0)", "temp_store(MEMORY)",
		"cache_size(-131072)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	db := &DB{engine: SQLite, dsn: path, log: slog.New(slog.DiscardHandler), now: time.Now, maxBatch: 1,
		listeners: map[int]func([]soviet.Event){}}
	var err error
	if db.w, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
		return nil, err
	}
	// The replay writes on one connection; the comparisons read on
	// several at once, afterwards.
	db.w.SetMaxOpenConns(verifyWorkers + 1)
	db.w.SetMaxIdleConns(verifyWorkers + 1)
	db.r = db.w
	if err := migrate(ctx, db.w, SQLite, db.log); err != nil {
		db.w.Close()
		return nil, err
	}
	return db, nil
}

// checkForeignKeys reports every row of the replay that refers to a row
// that does not exist: a log that names what it never created.
func checkForeignKeys(ctx context.Context, replay *DB, pr *problems) error {
	rows, err := replay.r.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		pr.add("references", "%s: a row the log made (rowid %d) refers to a row of %s that the log never made", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// merkleTree is the tree recomputed from the events: the hash of every
// perfect subtree, level by level, each level's hashes end to end (no
// pointer per node for the garbage collector to follow).
type merkleTree struct {
	levels [][]byte
	rng    *compact.Range
}

func (m *merkleTree) visit(id compact.NodeID, hash []byte) {
	for int(id.Level) >= len(m.levels) {
		m.levels = append(m.levels, nil)
	}
	m.levels[id.Level] = append(m.levels[id.Level], hash...)
}

// nodes returns the number of nodes of a level.
func (m *merkleTree) nodes(level int) int64 { return int64(len(m.levels[level]) / soviet.HashSize) }

// node returns a node's hash.
func (m *merkleTree) node(level, idx int64) []byte {
	return m.levels[level][idx*soviet.HashSize : (idx+1)*soviet.HashSize]
}

// replayCommit is how many events the replay applies per transaction.
const replayCommit = 100000

// eventBatch is how many events travel together from the reader to the
// checker and on to the replay.
const eventBatch = 512

// replayItem is a checked event on its way to the replay, with its decoded
// payload, or the reason it could not be decoded.
type replayItem struct {
	ev  soviet.Event
	p   soviet.Payload
	err error
}

// checkChainAndReplay reads every event once: it checks the chain and
// hashes, rebuilds the Merkle tree and applies the event to the replay
// store. Three goroutines share the work: one reads the events, one checks
// and decodes them (this one), one applies them. The replay stops at the
// first event it cannot apply (stopped): what follows would differ anyway,
// and the projections are then not compared.
func (db *DB) checkChainAndReplay(ctx context.Context, replay *DB, rep *Report, pr *problems) (stopped bool, err error) {
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	tree := &merkleTree{rng: rf.NewEmptyRange(0)}
	prev := make([]byte, soviet.HashSize)
	want := int64(1)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []soviet.Event, 8)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- db.readEvents(ctx, batches)
	}()
	items := make(chan []replayItem, 8)
	itemsOpen := true
	defer func() {
		if itemsOpen {
			close(items)
		}
	}()
	type replayResult struct {
		problem string
		batched int64
		err     error
	}
	replayed := make(chan replayResult, 1)
	// The stored tree is compared with the recomputed one as it grows.
	stored, err := db.r.QueryContext(ctx, "SELECT level, idx, hash FROM log_nodes")
	if err != nil {
		cancel()
		for range batches {
		}
		return false, fmt.Errorf("read tree: %w", err)
	}
	defer stored.Close()
	tc := &treeCheck{rows: stored, tree: tree, pr: pr}
	go func() {
		problem, batched, err := db.applyAll(ctx, replay, items)
		replayed <- replayResult{problem, batched, err}
	}()

	var buf []byte
	for evs := range batches {
		out := make([]replayItem, len(evs))
		for i, ev := range evs {
			rep.Events++
			if ev.Seq != want {
				pr.add("chain", "event %d: expected sequence number %d (an event is missing, inserted or reordered)", ev.Seq, want)
				want = ev.Seq
			}
			want++
			if !bytes.Equal(ev.Prev, prev) {
				pr.add("chain", "event %d: its previous hash %x is not the hash %x of the event before it", ev.Seq, short(ev.Prev), short(prev))
			}
			buf = ev.AppendEnvelope(buf[:0])
			if h := sha256.Sum256(buf); !bytes.Equal(h[:], ev.Hash) {
				pr.add("chain", "event %d: stored hash %x, but its content hashes to %x (the event was edited)", ev.Seq, short(ev.Hash), h[:8])
			}
			if !soviet.IsCanonical(ev.Payload) {
				pr.add("chain", "event %d: payload is not canonical JSON", ev.Seq)
			}
			prev = ev.Hash
			if err := tree.rng.Append(hasher.HashLeaf(ev.Hash), tree.visit); err != nil {
				cancel()
				for range batches {
				}
				return false, fmt.Errorf("rebuild tree: %w", err)
			}
			p, err := soviet.DecodePayload(ev.Type, ev.Payload)
			out[i] = replayItem{ev: ev, p: p, err: err}
		}
		select {
		case items <- out:
		case <-ctx.Done():
		}
		if err := tc.advance(false); err != nil {
			cancel()
			for range batches {
			}
			return false, err
		}
	}
	close(items)
	itemsOpen = false
	if err := <-readErr; err != nil {
		cancel()
		<-replayed
		return false, err
	}
	if err := tc.advance(true); err != nil {
		cancel()
		<-replayed
		return false, err
	}
	tc.counts()
	if err := db.checkHead(ctx, tree, rep, pr); err != nil {
		cancel()
		<-replayed
		return false, err
	}
	r := <-replayed
	if r.err != nil {
		return false, r.err
	}
	rep.Batched = r.batched
	if r.problem != "" {
		pr.add("replay", "%s", r.problem)
		stopped = true
	}
	if rep.Events == 0 {
		pr.add("chain", "the log is empty: a log always starts with the instance's creation")
	}
	return stopped, nil
}

// readEvents sends every event, in order of seq, in batches. The bytes of a
// batch's events share one allocation.
func (db *DB) readEvents(ctx context.Context, out chan<- []soviet.Event) error {
	rows, err := db.r.QueryContext(ctx, "SELECT seq, time, actor, type, payload, prev, hash FROM events ORDER BY seq")
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	types := map[string]string{}
	var typ, payload, prev, hash sql.RawBytes
	var evs []soviet.Event
	var arena []byte
	for rows.Next() {
		var ev soviet.Event
		var at int64
		if err := rows.Scan(&ev.Seq, &at, &ev.Actor, &typ, &payload, &prev, &hash); err != nil {
			return fmt.Errorf("read event: %w", err)
		}
		ev.Time = time.UnixMicro(at)
		t, ok := types[string(typ)]
		if !ok {
			t = string(typ)
			types[t] = t
		}
		ev.Type = t
		n := len(payload) + len(prev) + len(hash)
		if cap(arena)-len(arena) < n {
			arena = make([]byte, 0, max(n, eventBatch*(n+32)))
		}
		off := len(arena)
		arena = append(arena, payload...)
		arena = append(arena, prev...)
		arena = append(arena, hash...)
		b := arena[off:len(arena):len(arena)]
		ev.Payload = b[:len(payload):len(payload)]
		ev.Prev = b[len(payload) : len(payload)+len(prev) : len(payload)+len(prev)]
		ev.Hash = b[len(payload)+len(prev):]
		evs = append(evs, ev)
		if len(evs) == eventBatch {
			select {
			case out <- evs:
			case <-ctx.Done():
				return ctx.Err()
			}
			evs = make([]soviet.Event, 0, eventBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	if len(evs) > 0 {
		select {
		case out <- evs:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// applyAll applies the events to the replay store in large transactions,
// with the same projection code as the live store. It stops applying at the
// first event that cannot be decoded or applied, and says which (problem);
// it still drains its input. err is a failure of the replay store itself.
func (db *DB) applyAll(ctx context.Context, replay *DB, in <-chan []replayItem) (problem string, batched int64, err error) {
	// Statements run without the caller's cancellation: the driver would
	// otherwise watch it with a goroutine per statement. The loop checks
	// for it between batches.
	sctx := context.WithoutCancel(ctx)
	sqltx, err := replay.w.BeginTx(sctx, nil)
	if err != nil {
		for range in {
		}
		return "", 0, err
	}
	t := &tx{db: replay, sqltx: sqltx, ctx: sctx}
	defer func() {
		if t.sqltx != nil {
			t.sqltx.Rollback()
		}
	}()
	n := 0
	for items := range in {
		if problem != "" || err != nil {
			continue
		}
		if err = ctx.Err(); err != nil {
			continue
		}
		for i := 0; i < len(items); {
			it := items[i]
			if it.err != nil {
				problem = fmt.Sprintf("event %d: %v; the replay stopped there, and the projections were not compared", it.ev.Seq, it.err)
				break
			}
			// A run of events of one type with a batch projection is
			// applied together.
			j := i + 1
			if batch := batchProjections[it.ev.Type]; batch != nil && !db.noBatches {
				for j < len(items) && items[j].err == nil && items[j].ev.Type == it.ev.Type {
					j++
				}
				if j-i > 1 {
					evs := make([]soviet.Event, j-i)
					ps := make([]soviet.Payload, j-i)
					for k := range evs {
						evs[k], ps[k] = items[i+k].ev, items[i+k].p
					}
					done, e := batch(t, evs, ps)
					if e != nil {
						problem = fmt.Sprintf("events %d to %d (%s) cannot be replayed: %v; the replay stopped there, and the projections were not compared",
							evs[0].Seq, evs[len(evs)-1].Seq, it.ev.Type, e)
						break
					}
					if done {
						batched += int64(j - i)
						n += j - i
						i = j
						if n >= replayCommit {
							if err = commitReplay(t, sctx); err != nil {
								break
							}
							n = 0
						}
						continue
					}
				}
				j = i + 1
			}
			if e := apply(t, it.ev, it.p); e != nil {
				problem = fmt.Sprintf("event %d (%s) cannot be replayed: %v; the replay stopped there, and the projections were not compared",
					it.ev.Seq, it.ev.Type, e)
				break
			}
			i = j
			if n++; n >= replayCommit {
				if err = commitReplay(t, sctx); err != nil {
					break
				}
				n = 0
			}
		}
	}
	if err != nil {
		return "", 0, err
	}
	err = t.sqltx.Commit()
	t.sqltx = nil
	if err != nil {
		return "", 0, fmt.Errorf("replay commit: %w", err)
	}
	return problem, batched, nil
}

// commitReplay commits the replay's transaction and begins the next.
func commitReplay(t *tx, ctx context.Context) error {
	err := t.sqltx.Commit()
	t.sqltx = nil
	if err != nil {
		return fmt.Errorf("replay commit: %w", err)
	}
	if t.sqltx, err = t.db.w.BeginTx(ctx, nil); err != nil {
		return err
	}
	t.stmts = nil
	return nil
}

// treeCheck compares the stored tree nodes with the recomputed tree as the
// events are checked. It reads the stored nodes in the table's order, the
// order in which they were written, which is the order in which they are
// computed: each is compared as soon as its node is known, and whatever is
// left at the end (a node out of place, or one that is not in the tree of
// the events) is compared then.
type treeCheck struct {
	rows    *sql.Rows
	tree    *merkleTree
	pr      *problems
	pending bool // a stored node is read and waits for its node
	level   int64
	idx     int64
	hash    []byte
	seen    []int64 // stored nodes per level
}

// advance compares the stored nodes whose nodes are computed; at the end
// (final) it compares every stored node left.
func (c *treeCheck) advance(final bool) error {
	for {
		if !c.pending {
			if !c.rows.Next() {
				return c.rows.Err()
			}
			var hash sql.RawBytes
			if err := c.rows.Scan(&c.level, &c.idx, &hash); err != nil {
				return fmt.Errorf("read tree: %w", err)
			}
			c.hash = append(c.hash[:0], hash...)
			c.pending = true
		}
		t := c.tree
		known := c.level >= 0 && c.level < int64(len(t.levels)) && c.idx >= 0 && c.idx < t.nodes(int(c.level))
		if !known && !final {
			return nil
		}
		c.pending = false
		if !known {
			c.pr.add("tree", "stored tree node %d/%d is not in the tree of the events", c.level, c.idx)
			continue
		}
		if !bytes.Equal(t.node(c.level, c.idx), c.hash) {
			c.pr.add("tree", "stored tree node %d/%d differs from the tree of the events", c.level, c.idx)
		}
		for int64(len(c.seen)) <= c.level {
			c.seen = append(c.seen, 0)
		}
		c.seen[c.level]++
	}
}

// counts compares the number of stored nodes of each level with the
// tree's, once every stored node is read.
func (c *treeCheck) counts() {
	for l := range c.tree.levels {
		var n int64
		if l < len(c.seen) {
			n = c.seen[l]
		}
		if want := c.tree.nodes(l); n != want {
			c.pr.add("tree", "tree level %d: %d nodes stored, %d in the tree of the events", l, n, want)
		}
	}
}

// checkHead compares the published head with the recomputed tree.
func (db *DB) checkHead(ctx context.Context, tree *merkleTree, rep *Report, pr *problems) error {
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
	return nil
}

// compareTable compares a projection table in db with its replayed copy,
// reading both in order of the table's key: rows are compared value by
// value, and turned into text only to describe a difference.
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
	ra, rb := newRowReader(live, len(cols)), newRowReader(want, len(cols))
	var n int64
	var a, b []any
	nextA, nextB := true, true
	for {
		if nextA {
			if a, err = ra.next(); err != nil {
				return n, fmt.Errorf("read %s: %w", p.table, err)
			}
		}
		if nextB {
			if b, err = rb.next(); err != nil {
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
				if !equalValue(a[i], b[i]) {
					pr.add(p.table, "%s: row %s: %s is %s, the log says %s", p.table, describe(cols, a, keyCols), cols[i],
						formatValue(a[i]), formatValue(b[i]))
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

// rowReader reads rows as driver values into one buffer: a row is valid
// until the next is read.
type rowReader struct {
	rows rowsScanner
	vals []any
	ptrs []any
}

func newRowReader(rows rowsScanner, n int) *rowReader {
	r := &rowReader{rows: rows, vals: make([]any, n), ptrs: make([]any, n)}
	for i := range n {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

// next returns the next row, or nil at the end.
func (r *rowReader) next() ([]any, error) {
	if !r.rows.Next() {
		return nil, r.rows.Err()
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, err
	}
	return r.vals, nil
}

// formatValue writes a column's value as the reports show it.
func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return "x'" + hex.EncodeToString(v) + "'"
	case string:
		return strconv.Quote(v)
	default:
		return fmt.Sprint(v)
	}
}

// equalValue reports whether two values read the same (formatValue).
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return x == y
		}
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Equal(x, y)
		}
	case nil:
		return b == nil
	}
	return formatValue(a) == formatValue(b)
}

// compareKeys orders two rows by their key columns; a nil row (the end)
// sorts last. Keys are integers, compared as numbers; any other key is
// compared as the reports show it.
func compareKeys(a, b []any, k int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	for i := 0; i < k; i++ {
		if x, ok := a[i].(int64); ok {
			if y, ok := b[i].(int64); ok {
				if c := cmp.Compare(x, y); c != 0 {
					return c
				}
				continue
			}
		}
		fa, fb := formatValue(a[i]), formatValue(b[i])
		if fa == fb {
			continue
		}
		var x, y int64
		_, errX := fmt.Sscan(fa, &x)
		_, errY := fmt.Sscan(fb, &y)
		if errX == nil && errY == nil {
			return cmp.Compare(x, y)
		}
		return strings.Compare(fa, fb)
	}
	return 0
}

func describe(cols []string, row []any, k int) string {
	parts := make([]string, k)
	for i := 0; i < k; i++ {
		parts[i] = cols[i] + "=" + formatValue(row[i])
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
