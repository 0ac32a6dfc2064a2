package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgconn"

	"soviet"
)

// ErrClosed is returned by Transact after Close.
var ErrClosed = errors.New("store is closed")

// job is one caller's transaction function waiting for the writer.
type job struct {
	ctx  context.Context
	fn   func(context.Context, soviet.Tx) error
	err  error
	done chan struct{}
}

func (db *DB) start() {
	db.jobs = make(chan *job, 4096)
	db.quit = make(chan struct{})
	db.stopped = make(chan struct{})
	if db.engine == SQLite {
		// The writer keeps a connection of its own, so that its prepared
		// statements last from one batch to the next; the pool keeps
		// another for migrations and tools.
		db.w.SetMaxOpenConns(2)
		if c, err := db.w.Conn(context.Background()); err == nil {
			db.writerConn = &writerConn{db: db.w, conn: c, stmts: map[string]*sql.Stmt{}}
		} else {
			db.log.Warn("writer connection", "err", err)
		}
	}
	go db.writer()
}

// writerConn is the SQLite writer's own connection and its statements.
// Only the writer goroutine uses it. The statements are the pool's (a
// statement prepared on a *sql.Conn is prepared again by every
// transaction that uses it; a pool's is prepared once per connection and
// kept).
type writerConn struct {
	db    *sql.DB
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func (w *writerConn) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := w.stmts[q]; ok {
		return s, nil
	}
	s, err := w.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = s
	return s, nil
}

func (w *writerConn) close() {
	for _, s := range w.stmts {
		s.Close()
	}
	w.conn.Close()
}

// Transact implements soviet.Store. Concurrent callers are gathered by one
// writer goroutine into a single database transaction (group commit): each
// caller's fn runs under its own savepoint, so it succeeds or fails alone,
// and one durable commit acknowledges them all. This is how a vote is
// durable when acknowledged and still thousands of votes a second fit on
// two cores.
func (db *DB) Transact(ctx context.Context, fn func(context.Context, soviet.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.jobs == nil {
		return ErrClosed
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	db.jobs <- j
	db.closeMu.RUnlock()
	// Once queued, the job runs to its end (or is skipped if ctx is done
	// before it starts): waiting for it keeps the answer truthful.
	<-j.done
	return j.err
}

// View implements soviet.Store: fn reads a consistent snapshot.
func (db *DB) View(ctx context.Context, fn func(context.Context, soviet.Tx) error) error {
	var opts *sql.TxOptions
	if db.engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	sqltx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer sqltx.Rollback()
	t := &tx{db: db, sqltx: sqltx, ctx: ctx, readOnly: true, now: db.clock()}
	return fn(ctx, t)
}

func (db *DB) writer() {
	defer close(db.stopped)
	if db.writerConn != nil {
		defer db.writerConn.close()
	}
	for {
		var first *job
		select {
		case first = <-db.jobs:
		case <-db.quit:
			db.closeMu.Lock()
			db.closed = true
			db.closeMu.Unlock()
			// Every job queued before closed was set is run.
			for {
				select {
				case j := <-db.jobs:
					db.runBatch([]*job{j})
				default:
					return
				}
			}
		}
		batch := []*job{first}
	gather:
		for len(batch) < db.maxBatch {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			default:
				break gather
			}
		}
		db.runBatch(batch)
	}
}

// runBatch runs a batch and answers every caller. A job that fails
// without having written anything simply fails. A job that fails after
// writing (or with an internal error, which on PostgreSQL aborts the
// transaction) leaves writes that must not stay: the batch is rolled back
// and run again without it. Domain commands check before they write, so
// reruns are rare, and no job pays for a savepoint.
func (db *DB) runBatch(batch []*job) {
	var evs []soviet.Event
	var err error
	pending := batch
	for attempt := 0; ; attempt++ {
		var failed *job
		evs, failed, err = db.tryBatch(pending)
		if failed != nil {
			pending = without(pending, failed)
			continue
		}
		if err == nil || !retryable(err) || attempt >= 5 {
			break
		}
		db.log.Warn("batch retried", "attempt", attempt+1, "err", err)
	}
	if err != nil {
		db.log.Error("commit failed", "jobs", len(pending), "err", err)
		for _, j := range pending {
			if j.err == nil {
				j.err = fmt.Errorf("commit: %w", err)
			}
		}
		evs = nil
	}
	// A close is answered once what the engine kept of the box is gone:
	// the caller may then rely on it (and tests check it).
	for _, ev := range evs {
		if ev.Type == (soviet.BulletinPublished{}).EventType() {
			db.scrubAfterPublish()
			break
		}
	}
	db.notify(evs)
	for _, j := range batch {
		close(j.done)
	}
}

func without(batch []*job, j *job) []*job {
	out := make([]*job, 0, len(batch)-1)
	for _, b := range batch {
		if b != j {
			out = append(out, b)
		}
	}
	return out
}

// retryable reports whether a PostgreSQL error asks for the transaction to
// be run again (serialization failure, deadlock).
func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

// tryBatch runs the jobs in one transaction and commits it. If a job fails
// in a way that taints the transaction, it rolls back and returns that job
// as failed (with its error set) so that the caller runs the rest again.
func (db *DB) tryBatch(batch []*job) (evs []soviet.Event, failed *job, err error) {
	if len(batch) == 0 {
		return nil, nil, nil
	}
	ctx := context.Background()
	var sqltx *sql.Tx
	if db.writerConn != nil {
		sqltx, err = db.writerConn.conn.BeginTx(ctx, nil)
	} else {
		sqltx, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil || failed != nil || evs == nil {
			sqltx.Rollback()
		}
	}()
	t := &tx{db: db, sqltx: sqltx, ctx: ctx, onWriterConn: db.writerConn != nil, deferVotes: true}
	if err := t.loadLog(); err != nil {
		return nil, nil, err
	}
	// Read the voters of the batch's votes at once.
	var voters [][2]int64
	for _, j := range batch {
		if m, a, ok := soviet.VoterOf(j.ctx); ok {
			voters = append(voters, [2]int64{m, a})
		}
	}
	if len(voters) > 1 {
		if err := t.prefetchVoters(voters); err != nil {
			return nil, nil, err
		}
	}
	ok := 0
	for _, j := range batch {
		j.err = nil
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		mark := t.mark()
		t.wrote = false
		j.err = runJob(j, t)
		switch {
		case j.err == nil:
			ok++
		case t.wrote || soviet.KindOf(j.err) == nil:
			return nil, j, nil
		default:
			t.reset(mark)
		}
	}
	if ok == 0 {
		return nil, nil, nil
	}
	if err := t.mixBoxes(); err != nil {
		return nil, nil, err
	}
	if err := t.finishLog(); err != nil {
		return nil, nil, err
	}
	if err := sqltx.Commit(); err != nil {
		return nil, nil, err
	}
	if t.appended == nil {
		t.appended = []soviet.Event{}
	}
	return t.appended, nil, nil
}

// runJob runs one job's fn, turning a panic into an error so that one bad
// request cannot stop the writer.
func runJob(j *job, t *tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in transaction: %v\n%s", r, debug.Stack())
		}
	}()
	return j.fn(j.ctx, t)
}
