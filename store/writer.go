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
	go db.writer()
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

// runBatch runs a batch, retrying it whole on a serialization failure, and
// then answers every caller.
func (db *DB) runBatch(batch []*job) {
	var evs []soviet.Event
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		evs, err = db.tryBatch(batch)
		if err == nil || !retryable(err) {
			break
		}
		db.log.Warn("batch retried", "attempt", attempt+1, "err", err)
	}
	if err != nil {
		db.log.Error("commit failed", "jobs", len(batch), "err", err)
		for _, j := range batch {
			if j.err == nil {
				j.err = fmt.Errorf("commit: %w", err)
			}
		}
		evs = nil
	}
	db.notify(evs)
	for _, j := range batch {
		close(j.done)
	}
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

func (db *DB) tryBatch(batch []*job) (evs []soviet.Event, err error) {
	ctx := context.Background()
	sqltx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			sqltx.Rollback()
		}
	}()
	t := &tx{db: db, sqltx: sqltx, ctx: ctx}
	if err := t.loadLog(); err != nil {
		return nil, err
	}
	// A lone job needs no savepoint: if it fails, the whole transaction
	// is rolled back.
	single := len(batch) == 1
	ok := 0
	for _, j := range batch {
		j.err = nil
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		mark := t.mark()
		if !single {
			if _, err := sqltx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
				return nil, fmt.Errorf("savepoint: %w", err)
			}
		}
		j.err = runJob(j, t)
		switch {
		case j.err != nil && single:
			sqltx.Rollback()
			return nil, nil
		case j.err != nil:
			t.reset(mark)
			if _, err := sqltx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT job"); err != nil {
				return nil, fmt.Errorf("rollback to savepoint: %w", err)
			}
			if _, err := sqltx.ExecContext(ctx, "RELEASE SAVEPOINT job"); err != nil {
				return nil, fmt.Errorf("release savepoint: %w", err)
			}
		default:
			ok++
			if !single {
				if _, err := sqltx.ExecContext(ctx, "RELEASE SAVEPOINT job"); err != nil {
					return nil, fmt.Errorf("release savepoint: %w", err)
				}
			}
		}
	}
	if ok == 0 {
		sqltx.Rollback()
		return nil, nil
	}
	if err := t.finishLog(); err != nil {
		return nil, err
	}
	if err := sqltx.Commit(); err != nil {
		return nil, err
	}
	return t.appended, nil
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
