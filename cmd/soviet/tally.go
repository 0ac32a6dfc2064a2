package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"soviet/tally"
)

const tallyUsage = "--method METHOD [--seats N] [--format text|json] [--seed S] FILE"

// budgetMethods are counted by tallyBudget (tally_budget.go), as are .pb
// files whatever the method.
var budgetMethods = []string{"greedy", "mes", "mes-raw"}

// cmdTally counts a ballot file: BLT (.blt), PrefLib (.soi, .toi, .soc)
// or, through tallyBudget, a participatory budget (.pb). "-" reads a BLT
// file from standard input. A malformed file, an unknown method or an
// impossible number of seats is a usage error (exit 2) with a one-line
// message naming the file and line.
func cmdTally(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tally", tallyUsage)
	var a tallyArgs
	fs.StringVar(&a.Method, "method", "", "counting method: "+strings.Join(append(tally.Methods(), budgetMethods...), ", "))
	fs.IntVar(&a.Seats, "seats", 0, "seats to fill (default: the file's own)")
	fs.StringVar(&a.Format, "format", "text", "output: text (the round-by-round report) or json")
	fs.StringVar(&a.Seed, "seed", "", "seed of the lot for ties (default: hex SHA-256 of the file, printed in the report)")
	// Flags may come before or after the file name.
	var files []string
	rest := args
	for {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return usagef("want one ballot file; got %d", len(files))
	}
	a.Path = files[0]
	if a.Method == "" {
		return usagef("--method is required (one of %s)", strings.Join(append(tally.Methods(), budgetMethods...), ", "))
	}
	if strings.EqualFold(filepath.Ext(a.Path), ".pb") || slices.Contains(budgetMethods, a.Method) {
		return tallyBudget(ctx, e, a)
	}
	if a.Format != "text" && a.Format != "json" {
		return usagef("--format %q: want text or json", a.Format)
	}
	if a.Seats < 0 {
		return usagef("--seats %d: want a positive number", a.Seats)
	}
	tuneGC(e)
	p, data, err := readBallots(e, a.Path)
	if err != nil {
		return err
	}
	if a.Seed == "" {
		// As for budgets: the SHA-256 of the file, which anyone holding the
		// file can recompute, and cheaper than re-encoding the ballots.
		sum := sha256.Sum256(data)
		a.Seed = hex.EncodeToString(sum[:])
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res, err := tally.Count(a.Method, p, tally.Options{Seats: a.Seats, Seed: a.Seed})
	if err != nil {
		if errors.Is(err, tally.ErrInvalid) {
			return usagef("%s: %v", a.Path, err)
		}
		return fmt.Errorf("%s: %w", a.Path, err)
	}
	if a.Format == "json" {
		return res.WriteJSON(e.stdout)
	}
	return res.WriteText(e.stdout)
}

// tuneGC makes the garbage collector lazier for this one-shot command,
// unless the user set GOGC or GOMEMLIMIT: a count keeps most of what it
// allocates, so collecting early only costs time (a quarter of a small
// count's), while the memory limit still bounds a count of millions of
// ballots.
func tuneGC(e *env) {
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(160 << 20)
}

// readBallots reads a ballot file by its extension; "-" is BLT on
// standard input. It returns the file's bytes too, for the default seed.
func readBallots(e *env, path string) (*tally.Profile, []byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(e.stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, nil, usageError{err} // the command line named a file that cannot be read
	}
	r := bytes.NewBuffer(data) // read in place, without a copy
	var p *tally.Profile
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".blt", "":
		p, err = tally.ReadBLT(r)
	case ".soi", ".toi", ".soc":
		p, err = tally.ReadPrefLib(r, ext[1:])
	default:
		return nil, nil, usagef("%s: unknown ballot file type %q (want .blt, .soi, .toi, .soc or .pb)", path, ext)
	}
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	return p, data, nil
}
