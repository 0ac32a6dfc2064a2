package soviet

import (
	"errors"
	"fmt"
)

// Error kinds. Every error the domain returns to a caller wraps exactly one
// of them (or is an internal failure); the interfaces map kinds to statuses.
var (
	// ErrInvalid: the request is malformed or breaks a rule.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: the thing asked for does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request collides with the current state (a second
	// vote, a closed motion, an invitation already used).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the actor is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: the actor must sign in first.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrTooManyRequests: the actor must wait before trying again.
	ErrTooManyRequests = errors.New("too many requests")
)

// Error is a domain error: a kind and a message that is safe to show to
// people. Context added by callers with fmt.Errorf("...: %w", err) is for
// logs; Message returns the part for people.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrNotFound) work through an *Error.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, or nil for an internal error.
func KindOf(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	for _, k := range []error{ErrInvalid, ErrNotFound, ErrConflict, ErrForbidden, ErrUnauthenticated, ErrTooManyRequests} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// Message returns the message of err that is safe to show to people:
// the domain's own message, or "internal error" for anything else.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	if k := KindOf(err); k != nil {
		return k.Error()
	}
	return "internal error"
}
