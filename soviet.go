// Package soviet is the domain of council democracy: federations of
// councils, members, motions and votes, and the rules that govern them.
//
// Every state change is an Event appended to a verifiable log in the same
// transaction as the state it changes. The domain decides what may happen
// and which events record it; package store keeps the log and its
// projections; package web and cmd/soviet are the interfaces. The domain
// imports only the standard library and package tally.
package soviet

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Account is a person who can sign in.
type Account struct {
	ID      int64     `json:"id"`
	Handle  string    `json:"handle"`
	Name    string    `json:"name"`
	Founder bool      `json:"founder"`
	Created time.Time `json:"created"`
}

// Federation is one organisation: the root of a graph of councils.
type Federation struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Founder int64     `json:"founder"`
	Created time.Time `json:"created"`
}

// CouncilKind says who votes in a council.
type CouncilKind string

const (
	// Base councils are made of members (a workplace, a unit, a district).
	Base CouncilKind = "base"
	// Delegate councils are made of the delegates their constituent
	// councils elect.
	Delegate CouncilKind = "delegate"
)

// Council is a body that decides.
type Council struct {
	ID          int64       `json:"id"`
	Federation  int64       `json:"federation"`
	Name        string      `json:"name"`
	Kind        CouncilKind `json:"kind"`
	Description string      `json:"description,omitempty"`
	Created     time.Time   `json:"created"`
	// For a committee: the council that elects it, its role (executive,
	// secretariat or commission) and its number of seats.
	Parent int64  `json:"parent,omitempty"`
	Role   string `json:"role,omitempty"`
	Seats  int    `json:"seats,omitempty"`
}

// Link records that council From sends delegates to council To.
type Link struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// Member is an account's membership of a base council.
type Member struct {
	Federation int64     `json:"federation"`
	Account    int64     `json:"account"`
	Council    int64     `json:"council"`
	Since      time.Time `json:"since"`
}

// Invitation lets one person join a base council.
type Invitation struct {
	ID         int64     `json:"id"`
	Council    int64     `json:"council"`
	IssuedBy   int64     `json:"issued_by"`
	Expires    time.Time `json:"expires"`
	Note       string    `json:"note,omitempty"`
	AcceptedBy int64     `json:"accepted_by,omitempty"`
	Revoked    bool      `json:"revoked,omitempty"`
}

// JoinRequest is an account's request to join a base council.
type JoinRequest struct {
	ID      int64     `json:"id"`
	Council int64     `json:"council"`
	Account int64     `json:"account"`
	Message string    `json:"message,omitempty"`
	State   string    `json:"state"` // pending, admitted, refused
	Created time.Time `json:"created"`
}

// Join request states.
const (
	RequestPending  = "pending"
	RequestAdmitted = "admitted"
	RequestRefused  = "refused"
)

// Ratio is an exact fraction, used for quorums and thresholds.
type Ratio struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

func (r Ratio) String() string {
	if r.Den == 100 {
		return fmt.Sprintf("%d%%", r.Num)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// Validate reports whether r is a fraction between 0 and 1.
func (r Ratio) Validate() error {
	if r.Den <= 0 || r.Num < 0 || r.Num > r.Den {
		return Errorf(ErrInvalid, "a ratio must be between 0 and 1, got %d/%d", r.Num, r.Den)
	}
	return nil
}

// AtLeast reports whether part/whole ≥ r, exactly.
func (r Ratio) AtLeast(part, whole int64) bool {
	return part*r.Den >= r.Num*whole
}

// ValidText is validText for the text the interfaces keep outside the
// domain (the names of API tokens).
func ValidText(field, s string, min, max int) error { return validText(field, s, min, max) }

// validText checks a required or optional piece of text a person typed:
// valid UTF-8, no control characters but tabs and line breaks (PostgreSQL
// cannot store NUL, and both engines must keep the same text), from min to
// max characters not counting spaces around it.
func validText(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if !utf8.ValidString(s) {
		return Errorf(ErrInvalid, "%s is not valid UTF-8", field)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }); i >= 0 {
		return Errorf(ErrInvalid, "%s may not contain the control character %U", field, []rune(s[i:])[0])
	}
	if n < min {
		if min == 1 {
			return Errorf(ErrInvalid, "%s is required", field)
		}
		return Errorf(ErrInvalid, "%s must have at least %d characters", field, min)
	}
	if n > max {
		return Errorf(ErrInvalid, "%s must have at most %d characters", field, max)
	}
	return nil
}
