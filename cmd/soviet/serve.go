package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"soviet"
	"soviet/demo"
	"soviet/password"
	"soviet/store"
	"soviet/web"
)

// version is the release; builds from a checkout say "dev".
const version = "0.1.0-dev"

func versionString() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return version + "+" + s.Value[:12]
			}
		}
	}
	return version
}

// dbFlag adds the --db flag with its SOVIET_DB fallback.
func dbFlag(e *env, fs interface {
	StringVar(*string, string, string, string)
}) *string {
	dsn := new(string)
	def := e.getenv("SOVIET_DB")
	if def == "" {
		def = "soviet.db"
	}
	fs.StringVar(dsn, "db", def, "SQLite file or postgres:// URL (env SOVIET_DB)")
	return dsn
}

// newLogger builds the one logger of the process.
func newLogger(e *env, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: l})), nil
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[flags]")
	dsn := dbFlag(e, fs)
	addr := fs.String("addr", envOr(e, "SOVIET_ADDR", "127.0.0.1:8080"), "address to listen on (env SOVIET_ADDR)")
	level := fs.String("log-level", envOr(e, "SOVIET_LOG_LEVEL", "info"), "debug, info, warn or error (env SOVIET_LOG_LEVEL)")
	secure := fs.Bool("secure-cookies", e.getenv("SOVIET_SECURE_COOKIES") == "true", "mark cookies Secure: set when served over HTTPS (env SOVIET_SECURE_COOKIES=true)")
	withDemo := fs.Bool("demo", e.getenv("SOVIET_DEMO") != "false", "on a new database, build the \"Petrograd, 1917\" demo federation (env SOVIET_DEMO=false to start empty, as a real instance does)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	log, err := newLogger(e, *level)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{Logger: log, Software: "soviet", Version: versionString()})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := soviet.NewService(db)
	if *withDemo {
		if err := buildDemo(ctx, e, svc, db, log); err != nil {
			return err
		}
	}
	srv, err := web.New(web.Config{Service: svc, Store: db, Logger: log, Version: versionString(), SecureCookies: *secure})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go srv.Run(runCtx, 10*time.Second)

	where := *dsn
	if store.EngineOf(*dsn) == store.Postgres {
		where = "PostgreSQL"
	}
	log.Info("soviet is serving", "url", "http://"+ln.Addr().String(), "db", where, "version", versionString())
	fmt.Fprintf(e.stdout, "soviet %s serving on http://%s (database: %s)\n", versionString(), ln.Addr(), where)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Close() // ends the live streams, which would hold Shutdown
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "[flags]")
	dsn := dbFlag(e, fs)
	level := fs.String("log-level", envOr(e, "SOVIET_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(e, *level)
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx, *dsn, log); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "migrations applied")
	return nil
}

func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "[flags]")
	dsn := dbFlag(e, fs)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the check to this file")
	bulletin := fs.String("bulletin", "", "recount this bulletin file (JSON) of a secret vote and check it against the log")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	stop, err := profile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *bulletin != "" {
		return verifyBulletin(ctx, e, *bulletin, *dsn, flagGiven(fs, "db"))
	}
	// A one-shot check that keeps what it builds (the recomputed tree):
	// a lazier collector, unless the user tuned it.
	if e.getenv("GOGC") == "" && e.getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
	}
	if store.EngineOf(*dsn) == store.SQLite {
		if err := mustExist(*dsn); err != nil {
			return err
		}
	}
	db, err := store.OpenExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rep, err := db.Verify(ctx, "")
	if err != nil {
		return err
	}
	took := time.Since(start)
	rate := float64(rep.Events) / took.Seconds()
	fmt.Fprintf(e.stdout, "events:      %d (hash chain and Merkle tree checked)\n", rep.Events)
	fmt.Fprintf(e.stdout, "root:        %x\n", rep.Root)
	fmt.Fprintf(e.stdout, "projections: %d tables, %d rows compared with a replay of the log\n", rep.Tables, rep.Rows)
	fmt.Fprintf(e.stdout, "time:        %s (%.0f events/s): log read, checked and replayed in %s, tables compared in %s\n",
		took.Round(time.Millisecond), rate, rep.Replay.Round(time.Millisecond), rep.Compare.Round(time.Millisecond))
	if !rep.OK() {
		fmt.Fprintf(e.stdout, "\nFAILED: %d problems\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintln(e.stdout, "  "+p)
		}
		return errCheckFailed
	}
	fmt.Fprintln(e.stdout, "OK: the log is intact and every projection matches it")
	return nil
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "soviet", versionString())
	return nil
}

// buildDemo builds the demo federation on a database that has no account
// yet, and says how to sign in.
func buildDemo(ctx context.Context, e *env, svc *soviet.Service, db *store.DB, log *slog.Logger) error {
	founded, err := db.Founded(ctx)
	if err != nil || founded {
		return err
	}
	start := time.Now()
	hash, err := password.Hash(password.Params{}, demo.Password)
	if err != nil {
		return err
	}
	s, err := demo.Build(ctx, svc, hash)
	if err != nil {
		return err
	}
	log.Info("demo federation built", "federation", s.Federation, "accounts", len(s.Accounts), "took", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "demo: the \"Petrograd, 1917\" federation is built. Sign in as lenin, trotsky, kollontai, martov\n"+
		"      or any of %d accounts with the password %q. (Start with --demo=false for a real instance.)\n", len(s.Accounts), demo.Password)
	return nil
}
