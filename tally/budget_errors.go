package tally

import (
	"errors"
	"fmt"
)

// errBadInput is the kind shared by every InputError, so that callers can
// tell bad input (a malformed file, an impossible request) from a failure of
// the count itself with errors.Is(err, ErrBadInput).
var errBadInput = errors.New("bad input")

// ErrBadInput is the kind of the errors that the apportionment and
// participatory-budgeting functions and their readers return for bad input.
// Every such error is an *InputError.
var ErrBadInput = errBadInput

// InputError reports bad input: for a file, the line (counted from 1) and
// what is wrong with it; for a library call, Line is 0.
type InputError struct {
	Line int
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Unwrap lets errors.Is(err, ErrBadInput) recognise every InputError.
func (e *InputError) Unwrap() error { return errBadInput }

// lineErrorf returns an InputError for a line of a file.
func lineErrorf(line int, format string, args ...any) error {
	return &InputError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// badInputf returns an InputError that names no line.
func badInputf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
