package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"soviet"
	"soviet/store"
)

// soviet verify-ballot, and the bulletin check behind soviet verify
// --bulletin: what a voter and anyone else can check of a secret vote
// without trusting the server.

func cmdVerifyBallot(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify-ballot", "[--db DSN | --bulletin FILE] RECEIPT\n\n"+
		"RECEIPT is the receipt code shown when you voted (64 hex digits) or the receipt file you downloaded.\n"+
		"The bulletin is read from the database, or from a bulletin file downloaded after the close.")
	dsn := dbFlag(e, fs)
	bulletinPath := fs.String("bulletin", "", "a bulletin file (JSON) to look in instead of the database")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("give one receipt code or receipt file")
	}
	rc, err := readReceiptArg(fs.Arg(0))
	if err != nil {
		return err
	}
	var b *soviet.Bulletin
	if *bulletinPath != "" {
		if b, err = readBulletinFile(*bulletinPath); err != nil {
			return err
		}
	} else {
		db, err := openForReading(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		vote := rc.Vote
		if vote == 0 {
			if vote, err = db.FindReceipt(ctx, rc.Code); errors.Is(err, soviet.ErrNotFound) {
				fmt.Fprintf(e.stdout, "NOT FOUND: no published bulletin holds a ballot with receipt %s\n", rc.Code)
				return errCheckFailed
			} else if err != nil {
				return err
			}
		}
		if b, err = db.Bulletin(ctx, vote); errors.Is(err, soviet.ErrNotFound) {
			fmt.Fprintf(e.stdout, "NOT YET: vote %d has published no bulletin (a secret vote's ballots are published when it closes)\n", vote)
			return errCheckFailed
		} else if err != nil {
			return err
		}
	}
	if rc.Vote != 0 && rc.Vote != b.Vote {
		return usagef("the receipt is for vote %d; the bulletin is of vote %d", rc.Vote, b.Vote)
	}
	entry, i, ok := b.Find(rc.Code)
	if !ok {
		fmt.Fprintf(e.stdout, "NOT FOUND: the bulletin of vote %d (%q, %d ballots) holds no ballot with receipt %s\n", b.Vote, b.Title, len(b.Ballots), rc.Code)
		return errCheckFailed
	}
	fmt.Fprintf(e.stdout, "found:   ballot %d of %d in the bulletin of vote %d (%q)\n", i+1, len(b.Ballots), b.Vote, b.Title)
	fmt.Fprintf(e.stdout, "content: %s\n", entry.Content)
	if rc.Content == nil {
		fmt.Fprintln(e.stdout, "OK: your receipt is in the bulletin; check that the content is what you voted")
		return nil
	}
	if string(entry.Content) != string(rc.Content) {
		fmt.Fprintf(e.stdout, "ALTERED: your receipt file says %s, and its nonce proves it\n", rc.Content)
		return errCheckFailed
	}
	fmt.Fprintln(e.stdout, "OK: your ballot is in the bulletin, unchanged")
	return nil
}

// readReceiptArg reads a receipt code, or a receipt file (which is checked
// whole and also gives the vote and the content).
func readReceiptArg(arg string) (soviet.Receipt, error) {
	code := strings.ToLower(strings.TrimSpace(arg))
	if len(code) == 64 && strings.Trim(code, "0123456789abcdef") == "" {
		return soviet.Receipt{Code: code}, nil
	}
	f, err := os.Open(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return soviet.Receipt{}, usagef("%q is neither a receipt code (64 hex digits) nor a file", arg)
	} else if err != nil {
		return soviet.Receipt{}, err
	}
	defer f.Close()
	rc, err := soviet.ReadReceipt(f)
	if err != nil {
		return soviet.Receipt{}, usagef("%s: %s", arg, soviet.Message(err))
	}
	return rc, nil
}

func readBulletinFile(path string) (*soviet.Bulletin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	defer f.Close()
	b, err := soviet.ReadBulletin(f)
	if err != nil {
		return nil, usagef("%s: %s", path, soviet.Message(err))
	}
	return b, nil
}

// openForReading opens an existing database without migrating or writing.
func openForReading(ctx context.Context, dsn string) (*store.DB, error) {
	if store.EngineOf(dsn) == store.SQLite {
		if err := mustExist(dsn); err != nil {
			return nil, err
		}
	}
	return store.OpenExisting(ctx, dsn)
}

// verifyBulletin is soviet verify --bulletin FILE: it recounts the
// bulletin on its own and, when the database is there (always when --db is
// given), checks it against the log: the published hash and result and the
// number of participation events. Without a database the number of
// participants is the file's own claim, and the output says so.
func verifyBulletin(ctx context.Context, e *env, path, dsn string, dbGiven bool) error {
	b, err := readBulletinFile(path)
	if err != nil {
		return err
	}
	hash, err := b.Hash()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "bulletin:  vote %d (%s %q): %d ballots, %d participants of %d eligible\n",
		b.Vote, b.Kind, b.Title, len(b.Ballots), b.Participants, b.Eligible)
	fmt.Fprintf(e.stdout, "sha256:    %s\n", hash)
	problems := b.Check()
	if r, err := b.Recount(); err == nil {
		fmt.Fprintf(e.stdout, "recount:   %s\n", r)
	}
	offline := false
	if _, statErr := os.Stat(dsn); store.EngineOf(dsn) == store.SQLite && errors.Is(statErr, fs.ErrNotExist) && !dbGiven {
		offline = true
	} else {
		db, err := openForReading(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		more, err := b.CheckLog(db.Log(ctx))
		if err != nil {
			return err
		}
		problems = append(problems, more...)
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stdout, "\nFAILED: %d problems\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(e.stdout, "  "+p)
		}
		return errCheckFailed
	}
	if offline {
		fmt.Fprintln(e.stdout, "OK: the bulletin holds together and its result is the recount of its ballots")
		fmt.Fprintln(e.stdout, "(no database: give --db to check it against the log, which holds the published hash and the participation events)")
		return nil
	}
	fmt.Fprintln(e.stdout, "OK: this is the published bulletin, its result is the recount of its ballots, and the log holds one participation event per ballot")
	return nil
}

// flagGiven reports whether the flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
