// Package store is the one database/sql implementation of the domain's
// storage: the event log with its Merkle tree, the projections written
// from the events in the same transaction, and the private tables
// (credentials, sessions, API tokens). It runs on SQLite (modernc.org/sqlite,
// no cgo) and PostgreSQL (pgx) with one behaviour.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"soviet"
)

// Engine names a database engine.
type Engine string

// The two engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Options tune a DB. The zero value is ready for production.
type Options struct {
	// Logger receives the store's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBatch is the most transactions committed together (group
	// commit); 0 means 512.
	MaxBatch int
	// MixSample is how many other ballots of a box each batch rewrites
	// with its new ballots on PostgreSQL, so that a new ballot hides among
	// them (see mixBoxes); 0 means 256.
	MixSample int
	// Software and Version are recorded in the first event of a new log.
	Software, Version string
}

// DB is a soviet store. It implements soviet.Store.
type DB struct {
	engine Engine
	dsn    string
	w      *sql.DB // the writer: one connection on SQLite
	r      *sql.DB // readers: the same pool as w on PostgreSQL
	log    *slog.Logger
	now    func() time.Time

	maxBatch  int
	mixSample int
	noBatches bool // verify replays every event alone (tests)
	jobs      chan *job
	quit      chan struct{}
	stopped   chan struct{}
	rstmts    sync.Map     // query → *sql.Stmt on the reader pool (SQLite)
	closeMu   sync.RWMutex // held to queue a job; Close takes it to stop queuing
	// writerConn is the SQLite writer goroutine's own connection.
	writerConn *writerConn
	closed     bool

	mu        sync.Mutex
	listeners map[int]func([]soviet.Event)
	nextID    int
}

// EngineOf returns the engine a DSN names: PostgreSQL for postgres:// and
// postgresql:// URLs, SQLite for anything else (a file path).
func EngineOf(dsn string) Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open opens the database dsn (a SQLite file path or a postgres:// URL),
// applies pending migrations, writes the log's first event if the log is
// new, and starts the writer.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db, err := open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db.w, db.engine, db.log); err != nil {
		db.closePools()
		return nil, err
	}
	db.start()
	if err := db.initLog(ctx, opts); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenExisting opens a database to read it, as verify does: it applies no
// migration, writes nothing, and its Transact fails.
func OpenExisting(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, Options{})
}

// Migrate applies pending migrations to dsn and returns.
func Migrate(ctx context.Context, dsn string, log *slog.Logger) error {
	db, err := open(ctx, dsn, Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.closePools()
	return migrate(ctx, db.w, db.engine, db.log)
}

func open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("open store: empty database name")
	}
	db := &DB{
		engine:    EngineOf(dsn),
		dsn:       dsn,
		log:       opts.Logger,
		now:       opts.Now,
		maxBatch:  opts.MaxBatch,
		listeners: map[int]func([]soviet.Event){},
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.maxBatch <= 0 {
		db.maxBatch = 512
	}
	if db.mixSample = opts.MixSample; db.mixSample <= 0 {
		db.mixSample = defaultMixSample
	}
	var err error
	switch db.engine {
	case Postgres:
		db.w, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
		}
		db.w.SetMaxOpenConns(16)
		db.w.SetMaxIdleConns(16)
		db.w.SetConnMaxIdleTime(5 * time.Minute)
		db.r = db.w
	default:
		if db.w, err = sql.Open("sqlite", sqliteDSN(dsn, false)); err != nil {
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		// SQLite has one writer at a time: one connection, used by the
		// writer goroutine alone, keeps its statements prepared.
		db.w.SetMaxOpenConns(1)
		db.w.SetConnMaxIdleTime(0)
		db.w.SetConnMaxLifetime(0)
		if db.r, err = sql.Open("sqlite", sqliteDSN(dsn, true)); err != nil {
			db.w.Close()
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		db.r.SetMaxOpenConns(8)
		db.r.SetMaxIdleConns(8)
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.closePools()
		return nil, fmt.Errorf("connect to %s: %w", redact(dsn), err)
	}
	return db, nil
}

// sqliteDSN builds the driver's DSN for a file, with deliberate pragmas:
// WAL so readers do not block the writer, a busy timeout, foreign keys, and
// synchronous=FULL so that a commit is durable when it returns (group
// commit makes that affordable).
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	}
	name := path
	if strings.HasPrefix(name, "file:") {
		name = strings.TrimPrefix(name, "file:")
		if i := strings.IndexByte(name, '?'); i >= 0 {
			name = name[:i]
		}
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return "file:" + name + "?" + q.Encode()
}

// redact hides a password in a PostgreSQL URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Engine returns the engine of the database.
func (db *DB) Engine() Engine { return db.engine }

// Close stops the writer after the transactions already queued and closes
// the database.
func (db *DB) Close() error {
	if db.quit != nil {
		select {
		case <-db.quit:
		default:
			close(db.quit)
		}
		<-db.stopped
	}
	return db.closePools()
}

func (db *DB) closePools() error {
	db.rstmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// OnCommit registers f to be called, in the writer's goroutine after each
// commit, with the events it made durable. f must not block. The returned
// function removes it.
func (db *DB) OnCommit(f func([]soviet.Event)) (remove func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	id := db.nextID
	db.nextID++
	db.listeners[id] = f
	return func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		delete(db.listeners, id)
	}
}

func (db *DB) notify(evs []soviet.Event) {
	if len(evs) == 0 {
		return
	}
	db.mu.Lock()
	fs := make([]func([]soviet.Event), 0, len(db.listeners))
	for _, f := range db.listeners {
		fs = append(fs, f)
	}
	db.mu.Unlock()
	for _, f := range fs {
		f(evs)
	}
}

// SQL returns the database handle that writes. It is for tests and tools
// that must reach under the domain (to show that tampering is detected):
// anything written through it bypasses the log, and verify will say so.
func (db *DB) SQL() *sql.DB { return db.w }
