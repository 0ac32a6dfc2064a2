package main

import (
	"errors"
	"io/fs"
	"os"
)

// mustExist refuses a database file that is not there: verifying it would
// otherwise create an empty one.
func mustExist(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return usagef("no database at %s", path)
	} else if err != nil {
		return err
	}
	return nil
}
