package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"time"

	"soviet"
)

// The read queries behind the pages and the API. They read a consistent
// snapshot of the projections from the reader pool and never write.

// list runs q and scans every row with scan.
func list[T any](ctx context.Context, db *DB, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func one[T any](ctx context.Context, db *DB, scan func(scanner) (T, error), what string, id any, q string, args ...any) (T, error) {
	v, err := scan(db.queryRow(ctx, q, args...))
	return v, notFound(err, what, id)
}

// Account returns an account.
func (db *DB) Account(ctx context.Context, id int64) (soviet.Account, error) {
	return one(ctx, db, scanAccount, "account", id, "SELECT "+accountCols+" FROM accounts WHERE id = ?", id)
}

// Founded reports whether the instance has its founding account.
func (db *DB) Founded(ctx context.Context) (bool, error) {
	var n int64
	err := db.queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE founder = 1 LIMIT 1) f").Scan(&n)
	return n > 0, err
}

// Federation returns a federation.
func (db *DB) Federation(ctx context.Context, id int64) (soviet.Federation, error) {
	return one(ctx, db, scanFederation, "federation", id, "SELECT "+federationCols+" FROM federations WHERE id = ?", id)
}

// Charter returns a federation's current charter.
func (db *DB) Charter(ctx context.Context, federation int64) (soviet.Charter, error) {
	var c soviet.Charter
	err := db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		var err error
		c, err = tx.Charter(ctx, federation)
		return err
	})
	return c, err
}

// FederationsOf returns the federations an account founded or belongs to.
func (db *DB) FederationsOf(ctx context.Context, account int64) ([]soviet.Federation, error) {
	return list(ctx, db, scanFederation, "SELECT "+federationCols+` FROM federations
		WHERE founder = ? OR id IN (SELECT federation FROM members WHERE account = ?) ORDER BY id`, account, account)
}

// CouncilSummary is a council with its size and links, for the federation
// tree.
type CouncilSummary struct {
	soviet.Council
	Members     int64   `json:"members"`     // of a base council
	Represented int64   `json:"represented"` // members of the base councils it stands for
	SendsTo     []int64 `json:"sends_to"`
}

// Councils returns a federation's councils with their member counts and
// links.
func (db *DB) Councils(ctx context.Context, federation int64) ([]CouncilSummary, error) {
	cs, err := list(ctx, db, func(s scanner) (CouncilSummary, error) {
		var cs CouncilSummary
		c, err := scanCouncil(withMore{s, []any{&cs.Members, &cs.Represented}})
		cs.Council, cs.SendsTo = c, []int64{}
		return cs, err
	}, "SELECT "+prefix("c", councilCols)+", c.members, c.represented FROM councils c WHERE c.federation = ? ORDER BY c.id", federation)
	if err != nil {
		return nil, fmt.Errorf("councils of federation %d: %w", federation, err)
	}
	links, err := list(ctx, db, func(s scanner) (soviet.Link, error) {
		var l soviet.Link
		return l, s.Scan(&l.From, &l.To)
	}, `SELECT l.from_council, l.to_council FROM council_links l JOIN councils c ON c.id = l.from_council
		WHERE c.federation = ? ORDER BY l.from_council, l.to_council`, federation)
	if err != nil {
		return nil, fmt.Errorf("links of federation %d: %w", federation, err)
	}
	idx := map[int64]int{}
	for i, c := range cs {
		idx[c.ID] = i
	}
	for _, l := range links {
		if i, ok := idx[l.From]; ok {
			cs[i].SendsTo = append(cs[i].SendsTo, l.To)
		}
	}
	return cs, nil
}

// Council returns a council.
func (db *DB) Council(ctx context.Context, id int64) (soviet.Council, error) {
	return one(ctx, db, scanCouncil, "council", id, "SELECT "+councilCols+" FROM councils WHERE id = ?", id)
}

// MemberRow is a member of a council with their account.
type MemberRow struct {
	Account soviet.Account `json:"account"`
	Since   time.Time      `json:"since"`
}

// Members returns a base council's members by name.
func (db *DB) Members(ctx context.Context, council int64) ([]MemberRow, error) {
	return list(ctx, db, func(s scanner) (MemberRow, error) {
		var m MemberRow
		var founder, created, since int64
		err := s.Scan(&m.Account.ID, &m.Account.Handle, &m.Account.Name, &founder, &created, &since)
		m.Account.Founder, m.Account.Created, m.Since = founder == 1, micros(created), micros(since)
		return m, err
	}, `SELECT a.id, a.handle, a.name, a.founder, a.created, m.since FROM members m JOIN accounts a ON a.id = m.account
		WHERE m.council = ? ORDER BY a.name, a.id`, council)
}

// Memberships returns the base councils an account belongs to, one per
// federation.
func (db *DB) Memberships(ctx context.Context, account int64) ([]soviet.Council, error) {
	return list(ctx, db, scanCouncil, "SELECT "+prefix("c", councilCols)+`
		FROM members m JOIN councils c ON c.id = m.council WHERE m.account = ? ORDER BY c.federation, c.id`, account)
}

// Motions returns a council's motions, newest first.
func (db *DB) Motions(ctx context.Context, council int64) ([]soviet.Motion, error) {
	return list(ctx, db, scanMotion, "SELECT "+motionCols+" FROM motions WHERE council = ? ORDER BY id DESC", council)
}

// Motion returns a motion.
func (db *DB) Motion(ctx context.Context, id int64) (soviet.Motion, error) {
	return one(ctx, db, scanMotion, "motion", id, "SELECT "+motionCols+" FROM motions WHERE id = ?", id)
}

// Supporters returns the accounts supporting a motion, in the order they
// gave their support.
func (db *DB) Supporters(ctx context.Context, motion int64) ([]soviet.Account, error) {
	return list(ctx, db, scanAccount, `SELECT a.id, a.handle, a.name, a.founder, a.created
		FROM motion_supporters s JOIN accounts a ON a.id = s.account WHERE s.motion = ? ORDER BY s.since, a.id`, motion)
}

// Tally is the running count of a vote.
type Tally struct {
	Yes      int64 `json:"yes"`
	No       int64 `json:"no"`
	Abstain  int64 `json:"abstain"`
	Eligible int64 `json:"eligible"`
}

// Voted returns how many took part.
func (t Tally) Voted() int64 { return t.Yes + t.No + t.Abstain }

// Tally counts a motion's votes as they stand.
func (db *DB) Tally(ctx context.Context, motion int64) (Tally, error) {
	var t Tally
	err := db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		var err error
		t.Yes, t.No, t.Abstain, t.Eligible, err = tx.Count(ctx, motion)
		return err
	})
	return t, err
}

// RollCallVote is one named vote.
type RollCallVote struct {
	Account soviet.Account `json:"account"`
	Choice  soviet.Choice  `json:"choice"` // "" for a voter who has not voted
	Cast    time.Time      `json:"cast,omitzero"`
	// In a weighted vote: the voter's weight as an exact fraction ("9/2"),
	// and the parts of a split vote (choice "split").
	Weight string        `json:"weight,omitempty"`
	Split  *soviet.Split `json:"split,omitempty"`
}

// RollCall returns every voter of a motion's electorate with their vote, by
// name.
func (db *DB) RollCall(ctx context.Context, motion int64) ([]RollCallVote, error) {
	return list(ctx, db, func(s scanner) (RollCallVote, error) {
		var v RollCallVote
		var founder, created, weighted, num, den, sy, sn, sa int64
		var choice sql.NullString
		var cast sql.NullInt64
		err := s.Scan(&v.Account.ID, &v.Account.Handle, &v.Account.Name, &founder, &created, &choice, &cast,
			&weighted, &num, &den, &sy, &sn, &sa)
		v.Account.Founder, v.Account.Created = founder == 1, micros(created)
		v.Choice, v.Cast = soviet.Choice(choice.String), micros(cast.Int64)
		if weighted == 1 && den > 0 {
			v.Weight = big.NewRat(num, den).RatString()
		}
		if v.Choice == soviet.SplitChoice {
			v.Split = &soviet.Split{Yes: sy, No: sn, Abstain: sa}
		}
		return v, err
	}, `SELECT a.id, a.handle, a.name, a.founder, a.created, r.choice, r.cast_at,
		m.weighted, e.weight_num, e.weight_den, COALESCE(r.split_yes, 0), COALESCE(r.split_no, 0), COALESCE(r.split_abstain, 0)
		FROM electorate e JOIN accounts a ON a.id = e.account JOIN motions m ON m.id = e.motion
		LEFT JOIN rollcall r ON r.motion = e.motion AND r.account = e.account
		WHERE e.motion = ? ORDER BY a.name, a.id`, motion)
}

// VoteOf returns an account's vote on a motion, or "" if none.
func (db *DB) VoteOf(ctx context.Context, motion, account int64) (soviet.Choice, error) {
	var c string
	err := db.queryRow(ctx, "SELECT choice FROM rollcall WHERE motion = ? AND account = ?", motion, account).Scan(&c)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return soviet.Choice(c), err
}

// OpenVote is a vote an account may cast.
type OpenVote struct {
	Motion  soviet.Motion  `json:"motion"`
	Council soviet.Council `json:"council"`
	Voted   soviet.Choice  `json:"voted,omitempty"`
	// TookPart: the account has cast its ballot in this secret vote.
	TookPart bool `json:"took_part,omitempty"`
}

// prefix qualifies a list of columns with a table alias.
func prefix(alias, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + "." + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// withMore is a scanner that scans extra columns after the ones its
// caller asks for, so row scanners compose over joins.
type withMore struct {
	s    scanner
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.s.Scan(append(dest, w.more...)...) }

// OpenVotes returns the open votes in which account is a voter, soonest
// deadline first.
func (db *DB) OpenVotes(ctx context.Context, account int64) ([]OpenVote, error) {
	return list(ctx, db, func(s scanner) (OpenVote, error) {
		var ov OpenVote
		var kind string
		var created int64
		var voted sql.NullString
		var took int64
		m, err := scanMotion(withMore{s, []any{&ov.Council.ID, &ov.Council.Federation, &ov.Council.Name, &kind, &ov.Council.Description, &created, &voted, &took}})
		ov.Motion, ov.Council.Kind, ov.Council.Created, ov.Voted = m, soviet.CouncilKind(kind), micros(created), soviet.Choice(voted.String)
		ov.TookPart = took == 1
		return ov, err
	}, "SELECT "+prefix("m", motionCols)+`, c.id, c.federation, c.name, c.kind, c.description, c.created, r.choice,
		CASE WHEN EXISTS (SELECT 1 FROM participation p WHERE p.vote = e.motion AND p.account = e.account) THEN 1 ELSE 0 END
		FROM electorate e JOIN motions m ON m.id = e.motion JOIN councils c ON c.id = m.council
		LEFT JOIN rollcall r ON r.motion = e.motion AND r.account = e.account
		WHERE e.account = ? AND m.state = ? ORDER BY m.deadline, m.id`, account, string(soviet.Voting))
}

// Invitations returns a council's invitations, newest first.
func (db *DB) Invitations(ctx context.Context, council int64) ([]soviet.Invitation, error) {
	return list(ctx, db, scanInvitation, "SELECT "+invitationCols+" FROM invitations WHERE council = ? ORDER BY id DESC", council)
}

// InvitationByToken returns the invitation with the token's hash, and its
// council.
func (db *DB) InvitationByToken(ctx context.Context, tokenHash string) (soviet.Invitation, soviet.Council, error) {
	var inv soviet.Invitation
	var c soviet.Council
	err := db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		var err error
		if inv, err = tx.InvitationByToken(ctx, tokenHash); err != nil {
			return err
		}
		c, err = tx.Council(ctx, inv.Council)
		return err
	})
	return inv, c, err
}

// JoinRequestRow is a join request with the account that made it.
type JoinRequestRow struct {
	soviet.JoinRequest
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// JoinRequests returns a council's pending join requests, oldest first.
func (db *DB) JoinRequests(ctx context.Context, council int64) ([]JoinRequestRow, error) {
	return list(ctx, db, func(s scanner) (JoinRequestRow, error) {
		var r JoinRequestRow
		jr, err := scanJoinRequest(withMore{s, []any{&r.Name, &r.Handle}})
		r.JoinRequest = jr
		return r, err
	}, `SELECT j.id, j.council, j.account, j.message, j.state, j.created, a.name, a.handle
		FROM join_requests j JOIN accounts a ON a.id = j.account WHERE j.council = ? AND j.state = ? ORDER BY j.id`,
		council, soviet.RequestPending)
}

// AccountNames returns the names of the given accounts.
func (db *DB) AccountNames(ctx context.Context, ids ...int64) (map[int64]string, error) {
	names := map[int64]string{}
	for _, id := range ids {
		if _, ok := names[id]; ok || id == 0 {
			continue
		}
		a, err := db.Account(ctx, id)
		if err != nil {
			return nil, err
		}
		names[id] = a.Name
	}
	return names, nil
}
