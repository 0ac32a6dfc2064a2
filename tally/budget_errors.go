package tally

import "fmt"

// ErrBadInput is ErrInvalid under the name the apportionment and budget
// functions first used; every error they return for bad input wraps it.
var ErrBadInput = ErrInvalid

// InputError is the error of bad input to the apportionment and budget
// functions and their readers: the same as the ballot readers' SyntaxError
// (a line counted from 1 for a file, 0 for a library call).
type InputError = SyntaxError

// lineErrorf returns an InputError for a line of a file.
func lineErrorf(line int, format string, args ...any) error {
	return &InputError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// badInputf returns an InputError that names no line.
func badInputf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
