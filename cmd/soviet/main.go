// Command soviet is the one binary of the project: the web server, the
// counting engine's command line, the log verifier and the tools around them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what every subcommand receives instead of globals.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of the binary.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand. Each file of this package adds its own
// entry in an init-free way: the table is built here so that it can be read
// in one place.
func commands() map[string]command {
	return map[string]command{
		"serve":         {"run the web server", cmdServe},
		"migrate":       {"apply the database migrations and exit", cmdMigrate},
		"verify":        {"check the event log, its Merkle tree and every projection", cmdVerify},
		"verify-ballot": {"find your secret ballot in its published bulletin by its receipt", cmdVerifyBallot},
		"version":       {"print the version", cmdVersion},
		"tally":         {"count a ballot file (BLT, PrefLib, pabulib)", cmdTally},
		"apportion":     {"divide seats among rows name,count of a CSV file", cmdApportion},
		"bench":         {"measure: 'bench votes' loads the vote API, 'bench federation' a federation at scale", cmdBench},
	}
}

// Exit codes: 0 success, 1 a check failed or the command failed at run
// time, 2 the input or the command line was wrong.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error caused by the command line or the input file:
// the command exits with code 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run is the whole program, testable without a process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "soviet: unknown command %q\n", args[0])
		printUsage(stderr, cmds)
		return exitUsage
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "soviet %s: %v\n", args[0], err)
		return exitUsage
	case errors.Is(err, errCheckFailed):
		return exitFailure
	default:
		fmt.Fprintf(stderr, "soviet %s: %v\n", args[0], err)
		return exitFailure
	}
}

// errCheckFailed is returned by commands that already printed what failed.
var errCheckFailed = errors.New("check failed")

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: soviet <command> [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'soviet <command> -h' for the flags of a command.")
}

// newFlags returns a flag set that reports errors instead of exiting and
// prints its usage to the command's stderr.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("soviet "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: soviet %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns a flag error into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}
