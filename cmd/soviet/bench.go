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

// cmdBench runs a load tool. The only one so far is "votes".
func cmdBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "votes" {
		return usagef("usage: soviet bench votes [--db DSN] [--voters N] [--motions N] [--duration D]")
	}
	fs := newFlags(e, "bench votes", "[flags]")
	dsn := fs.String("db", "", "database to load: a SQLite file or postgres:// URL; default a new SQLite file in a temporary folder")
	voters := fs.Int("voters", 256, "concurrent voters")
	motions := fs.Int("motions", 50, "open motions")
	duration := fs.Duration("duration", 10*time.Second, "measured time per phase")
	warmup := fs.Duration("warmup", 2*time.Second, "warm-up time per phase")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
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
