package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"soviet/internal/bench"
	"soviet/store"
)

const benchUsage = "usage: soviet bench votes|federation [flags]"

// cmdBench runs a load tool: "votes" (vote ingestion over HTTP) or
// "federation" (council democracy at scale).
func cmdBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef(benchUsage)
	}
	switch args[0] {
	case "votes":
		return benchVotes(ctx, e, args[1:])
	case "federation":
		return benchFederation(ctx, e, args[1:])
	}
	return usagef(benchUsage)
}

// profile starts a CPU profile into path if it is not empty; the returned
// function stops it.
func profile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func benchVotes(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench votes", "[flags]")
	dsn := fs.String("db", "", "database to load: a SQLite file or postgres:// URL; default a new SQLite file in a temporary folder")
	voters := fs.Int("voters", 256, "concurrent voters")
	motions := fs.Int("motions", 50, "open motions")
	duration := fs.Duration("duration", 10*time.Second, "measured time per phase")
	warmup := fs.Duration("warmup", 2*time.Second, "warm-up time per phase")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	stop, err := profile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	engine := "SQLite (synchronous=FULL, group commit)"
	if store.EngineOf(*dsn) == store.Postgres {
		engine = "PostgreSQL (synchronous_commit as configured, group commit)"
	}
	fmt.Fprintf(e.stdout, "vote ingestion: %d voters, %d motions, %s per phase, %s\n", *voters, *motions, *duration, engine)
	ceiling, votes, err := bench.Votes(ctx, bench.VotesConfig{DSN: *dsn, Voters: *voters, Motions: *motions, Duration: *duration, Warmup: *warmup})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, ceiling)
	fmt.Fprintln(e.stdout, votes)
	fmt.Fprintf(e.stdout, "votes reach %.0f%% of the trivial handler's rate\n", 100*votes.Rate()/ceiling.Rate())
	if votes.Errors > 0 {
		return fmt.Errorf("%d of %d votes failed", votes.Errors, votes.Requests)
	}
	return nil
}

func benchFederation(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench federation", "--db FILE [flags]")
	dsn := fs.String("db", "", "the database: a SQLite file or postgres:// URL; built if it does not hold the bench federation yet, reused if it does")
	members := fs.Int("members", 1_000_000, "members")
	base := fs.Int("base", 10_000, "base councils")
	districts := fs.Int("districts", 0, "district councils (default base/25)")
	regions := fs.Int("regions", 0, "regional councils (default districts/20)")
	changes := fs.Int("changes", 200, "single membership changes measured")
	workers := fs.Int("workers", 256, "commands submitted at once while building")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		return usagef("bench federation: --db is required (the federation is kept there to be reused)")
	}
	stop, err := profile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	rep, err := bench.Federation(ctx, bench.FederationConfig{DSN: *dsn, Members: *members, Base: *base, Districts: *districts,
		Regions: *regions, Changes: *changes, Workers: *workers, Progress: e.stderr})
	if err != nil {
		return err
	}
	engine := "SQLite (synchronous=FULL)"
	if store.EngineOf(*dsn) == store.Postgres {
		engine = "PostgreSQL"
	}
	fmt.Fprintf(e.stdout, "federation %d: %d councils, %d members, %d events in the log, %s\n", rep.Federation, rep.Councils, rep.Members, rep.LogSize, engine)
	if rep.Built {
		var total time.Duration
		for _, p := range rep.Build {
			fmt.Fprintln(e.stdout, "build:", p)
			total += p.Elapsed
		}
		fmt.Fprintf(e.stdout, "build: total %s\n", total.Round(time.Second))
	}
	fmt.Fprintln(e.stdout, rep.Rebuild)
	fmt.Fprintln(e.stdout, rep.RebuildSame)
	for _, l := range rep.Changes {
		fmt.Fprintln(e.stdout, l)
	}
	fmt.Fprintln(e.stdout, rep.All)
	fmt.Fprintf(e.stdout, "targets: change p99 %s of 100ms (%.2f×), full rebuild %s of 30s (%.2f×)\n",
		rep.All.P99.Round(10*time.Microsecond), rep.All.P99.Seconds()/0.1, rep.Rebuild.Elapsed.Round(time.Millisecond), rep.Rebuild.Elapsed.Seconds()/30)
	return nil
}
