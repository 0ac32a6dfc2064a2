package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the migrations rewritten for one engine: a single
// source keeps the two schemas identical but for the types each engine
// spells differently and the few blocks marked for one engine only.
func migrations(e Engine) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(migrationFiles, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrationFiles.ReadFile(path)
		if err != nil {
			return err
		}
		out[d.Name()] = &fstest.MapFile{Data: forEngine(b, e), Mode: 0o444}
		return nil
	})
	return out, err
}

var (
	engineBlock = regexp.MustCompile(`(?ms)^-- \+soviet (\w+)\n(.*?)^-- \+soviet end\n`)
	integerType = regexp.MustCompile(`\bINTEGER\b`)
	blobType    = regexp.MustCompile(`\bBLOB\b`)
)

// forEngine rewrites one migration for engine e.
func forEngine(src []byte, e Engine) []byte {
	src = engineBlock.ReplaceAllFunc(src, func(m []byte) []byte {
		sub := engineBlock.FindSubmatch(m)
		if string(sub[1]) == string(e) {
			return sub[2]
		}
		return nil
	})
	if e == Postgres {
		src = integerType.ReplaceAll(src, []byte("BIGINT"))
		src = blobType.ReplaceAll(src, []byte("BYTEA"))
	}
	return bytes.Clone(src)
}

// migrate applies every pending migration, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB, e Engine, log *slog.Logger) error {
	fsys, err := migrations(e)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if e == Postgres {
		dialect = goose.DialectPostgres
		// Several servers may start at once against one database: they
		// take turns on an advisory lock. Its id is drawn from the
		// schema, so that stores in other schemas of the same database
		// (tests, other instances) do not wait for each other, and it is
		// probed every second rather than goose's five.
		var schema string
		if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("soviet migrations " + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}
