package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"soviet"
)

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// micros turns stored Unix microseconds into a time; 0 is the zero time.
func micros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v)
}

// notFound turns sql.ErrNoRows into a domain ErrNotFound naming what.
func notFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return soviet.Errorf(soviet.ErrNotFound, "no %s %v", what, id)
	}
	if err != nil {
		return fmt.Errorf("read %s %v: %w", what, id, err)
	}
	return nil
}

const accountCols = "id, handle, name, founder, created"

func scanAccount(s scanner) (soviet.Account, error) {
	var a soviet.Account
	var founder, created int64
	err := s.Scan(&a.ID, &a.Handle, &a.Name, &founder, &created)
	a.Founder, a.Created = founder == 1, micros(created)
	return a, err
}

const federationCols = "id, name, founder, created"

func scanFederation(s scanner) (soviet.Federation, error) {
	var f soviet.Federation
	var created int64
	err := s.Scan(&f.ID, &f.Name, &f.Founder, &created)
	f.Created = micros(created)
	return f, err
}

const councilCols = "id, federation, name, kind, description, created, parent, role, seats"

func scanCouncil(s scanner) (soviet.Council, error) {
	var c soviet.Council
	var kind string
	var created int64
	err := s.Scan(&c.ID, &c.Federation, &c.Name, &kind, &c.Description, &created, &c.Parent, &c.Role, &c.Seats)
	c.Kind, c.Created = soviet.CouncilKind(kind), micros(created)
	return c, err
}

const invitationCols = "id, council, issued_by, expires, note, accepted_by, revoked"

func scanInvitation(s scanner) (soviet.Invitation, error) {
	var i soviet.Invitation
	var expires, revoked int64
	err := s.Scan(&i.ID, &i.Council, &i.IssuedBy, &expires, &i.Note, &i.AcceptedBy, &revoked)
	i.Expires, i.Revoked = micros(expires), revoked == 1
	return i, err
}

const joinRequestCols = "id, council, account, message, state, created"

func scanJoinRequest(s scanner) (soviet.JoinRequest, error) {
	var r soviet.JoinRequest
	var created int64
	err := s.Scan(&r.ID, &r.Council, &r.Account, &r.Message, &r.State, &created)
	r.Created = micros(created)
	return r, err
}

const motionCols = `id, council, proposer, title, body, majority, state, supporters, created, opened, deadline,
	quorum_num, quorum_den, eligible, closed, yes_votes, no_votes, abstentions, quorum_met, adopted, secrecy,
	kind, target, instruction, charter, origin, referendum, overturned_by, double_majority, weighted, result`

func scanMotion(s scanner) (soviet.Motion, error) {
	var m soviet.Motion
	var majority, state, secrecy, kind, instruction, charter, result string
	var created, opened, deadline, closed, quorumMet, adopted, referendum, double, weighted int64
	var r soviet.Result
	err := s.Scan(&m.ID, &m.Council, &m.Proposer, &m.Title, &m.Body, &majority, &state, &m.Supporters, &created,
		&opened, &deadline, &m.Quorum.Num, &m.Quorum.Den, &r.Eligible, &closed, &r.Yes, &r.No, &r.Abstain, &quorumMet, &adopted, &secrecy,
		&kind, &m.Target, &instruction, &charter, &m.Origin, &referendum, &m.OverturnedBy, &double, &weighted, &result)
	if err != nil {
		return m, err
	}
	m.Majority, m.State, m.Secrecy = soviet.Majority(majority), soviet.MotionState(state), soviet.Secrecy(secrecy)
	m.Created, m.Opened, m.Deadline, m.Closed = micros(created), micros(opened), micros(deadline), micros(closed)
	m.Kind, m.Instruction = soviet.MotionKind(kind), soviet.Choice(instruction)
	m.Referendum, m.DoubleMajority, m.Weighted = referendum == 1, double == 1, weighted == 1
	if charter != "" {
		m.Charter = new(soviet.Charter)
		if err := json.Unmarshal([]byte(charter), m.Charter); err != nil {
			return m, fmt.Errorf("charter of motion %d: %w", m.ID, err)
		}
	}
	switch {
	case result != "":
		if err := json.Unmarshal([]byte(result), &r); err != nil {
			return m, fmt.Errorf("result of motion %d: %w", m.ID, err)
		}
		m.Result = &r
	case m.State == soviet.Adopted || m.State == soviet.Rejected:
		r.Quorum, r.Majority, r.QuorumMet, r.Adopted = m.Quorum, m.Majority, quorumMet == 1, adopted == 1
		m.Result = &r
	}
	return m, nil
}

// Founded implements soviet.Tx.
func (t *tx) Founded(ctx context.Context) (bool, error) {
	var n int64
	err := t.queryRow("SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE founder = 1 LIMIT 1) f").Scan(&n)
	return n > 0, err
}

// Account implements soviet.Tx.
func (t *tx) Account(ctx context.Context, id int64) (soviet.Account, error) {
	a, err := scanAccount(t.queryRow("SELECT "+accountCols+" FROM accounts WHERE id = ?", id))
	return a, notFound(err, "account", id)
}

// AccountByHandle implements soviet.Tx.
func (t *tx) AccountByHandle(ctx context.Context, handle string) (soviet.Account, error) {
	a, err := scanAccount(t.queryRow("SELECT "+accountCols+" FROM accounts WHERE handle = ?", handle))
	return a, notFound(err, "account", handle)
}

// Federation implements soviet.Tx.
func (t *tx) Federation(ctx context.Context, id int64) (soviet.Federation, error) {
	f, err := scanFederation(t.queryRow("SELECT "+federationCols+" FROM federations WHERE id = ?", id))
	return f, notFound(err, "federation", id)
}

// Charter implements soviet.Tx: the federation's current charter.
func (t *tx) Charter(ctx context.Context, federation int64) (soviet.Charter, error) {
	var body string
	err := t.queryRow("SELECT body FROM charters WHERE federation = ? ORDER BY version DESC LIMIT 1", federation).Scan(&body)
	if err := notFound(err, "charter of federation", federation); err != nil {
		return soviet.Charter{}, err
	}
	var c soviet.Charter
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return soviet.Charter{}, fmt.Errorf("charter of federation %d: %w", federation, err)
	}
	return c, nil
}

// Council implements soviet.Tx.
func (t *tx) Council(ctx context.Context, id int64) (soviet.Council, error) {
	c, err := scanCouncil(t.queryRow("SELECT "+councilCols+" FROM councils WHERE id = ?", id))
	return c, notFound(err, "council", id)
}

// Links implements soviet.Tx.
func (t *tx) Links(ctx context.Context, federation int64) ([]soviet.Link, error) {
	rows, err := t.query(`SELECT l.from_council, l.to_council FROM council_links l
		JOIN councils c ON c.id = l.from_council WHERE c.federation = ? ORDER BY l.from_council, l.to_council`, federation)
	if err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	defer rows.Close()
	var ls []soviet.Link
	for rows.Next() {
		var l soviet.Link
		if err := rows.Scan(&l.From, &l.To); err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

// Membership implements soviet.Tx.
func (t *tx) Membership(ctx context.Context, federation, account int64) (soviet.Member, error) {
	m := soviet.Member{Federation: federation, Account: account}
	var since int64
	err := t.queryRow("SELECT council, since FROM members WHERE federation = ? AND account = ?", federation, account).Scan(&m.Council, &since)
	m.Since = micros(since)
	return m, notFound(err, "membership of account", account)
}

// Invitation implements soviet.Tx.
func (t *tx) Invitation(ctx context.Context, id int64) (soviet.Invitation, error) {
	i, err := scanInvitation(t.queryRow("SELECT "+invitationCols+" FROM invitations WHERE id = ?", id))
	return i, notFound(err, "invitation", id)
}

// InvitationByToken implements soviet.Tx.
func (t *tx) InvitationByToken(ctx context.Context, tokenHash string) (soviet.Invitation, error) {
	i, err := scanInvitation(t.queryRow("SELECT "+invitationCols+" FROM invitations WHERE token_hash = ?", tokenHash))
	return i, notFound(err, "invitation", "with this token")
}

// JoinRequest implements soviet.Tx.
func (t *tx) JoinRequest(ctx context.Context, id int64) (soviet.JoinRequest, error) {
	r, err := scanJoinRequest(t.queryRow("SELECT "+joinRequestCols+" FROM join_requests WHERE id = ?", id))
	return r, notFound(err, "join request", id)
}

// PendingJoinRequest implements soviet.Tx.
func (t *tx) PendingJoinRequest(ctx context.Context, council, account int64) (soviet.JoinRequest, error) {
	r, err := scanJoinRequest(t.queryRow("SELECT "+joinRequestCols+" FROM join_requests WHERE council = ? AND account = ? AND state = ?",
		council, account, soviet.RequestPending))
	return r, notFound(err, "pending join request of account", account)
}

// Motion implements soviet.Tx.
func (t *tx) Motion(ctx context.Context, id int64) (soviet.Motion, error) {
	m, err := scanMotion(t.queryRow("SELECT "+motionCols+" FROM motions WHERE id = ?", id))
	return m, notFound(err, "motion", id)
}

// Supports implements soviet.Tx.
func (t *tx) Supports(ctx context.Context, motion, account int64) (bool, error) {
	return t.exists("SELECT 1 FROM motion_supporters WHERE motion = ? AND account = ?", motion, account)
}

// InElectorate implements soviet.Tx.
func (t *tx) InElectorate(ctx context.Context, motion, account int64) (bool, error) {
	return t.exists("SELECT 1 FROM electorate WHERE motion = ? AND account = ?", motion, account)
}

func (t *tx) exists(q string, args ...any) (bool, error) {
	var one int
	err := t.queryRow(q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Voter implements soviet.Tx. Only what casting needs, in one statement:
// this is the hot path of vote ingestion, and a whole motion (its text,
// its charter) would cost more to read than the vote costs to write. The
// writer reads the voters of a whole batch at once (prefetchVoters).
func (t *tx) Voter(ctx context.Context, motion, account int64) (soviet.Voter, error) {
	key := [2]int64{motion, account}
	v, ok := t.voters[key]
	if !ok {
		var err error
		v, err = scanVoter(t.queryRow(voterQuery, account, account, account, account, account, motion))
		if err != nil {
			return v, notFound(err, "motion", motion)
		}
		v.Motion.ID = motion
	}
	if c, ok := t.pendingChoice(motion, account); ok {
		v.Choice = soviet.Choice(c)
	}
	return v, nil
}

// voterQuery reads where an account stands in a motion's vote.
var voterQuery = "SELECT " + voterColumns("?") + " FROM motions m WHERE m.id = ?"

// voterColumns selects where account (an expression: a parameter, or a
// column) stands in the vote of motions m. It names account five times.
func voterColumns(account string) string {
	return strings.NewReplacer("$A", account).Replace(`m.council, m.state, m.deadline, m.secrecy, m.referendum, m.weighted,
		EXISTS (SELECT 1 FROM members mb WHERE mb.council = m.council AND mb.account = $A)
		OR EXISTS (SELECT 1 FROM offices o WHERE o.body = m.council AND o.account = $A AND o.until = 0)
		OR (m.referendum = 1 AND EXISTS (SELECT 1 FROM electorate e JOIN members mb ON mb.council = e.constituency AND mb.account = e.account
			WHERE e.motion = m.id AND e.account = $A)),
		COALESCE((SELECT e.constituency FROM electorate e WHERE e.motion = m.id AND e.account = $A), -1),
		COALESCE((SELECT r.choice FROM rollcall r WHERE r.motion = m.id AND r.account = $A), '')`)
}

func scanVoter(s scanner) (soviet.Voter, error) {
	var v soviet.Voter
	var state, secrecy, choice string
	var deadline, referendum, weighted int64
	if err := s.Scan(&v.Motion.Council, &state, &deadline, &secrecy, &referendum, &weighted, &v.Member, &v.Constituency, &choice); err != nil {
		return v, err
	}
	v.Motion.State, v.Motion.Deadline = soviet.MotionState(state), micros(deadline)
	v.Motion.Secrecy, v.Motion.Referendum, v.Motion.Weighted = soviet.Secrecy(secrecy), referendum == 1, weighted == 1
	v.InElectorate = v.Constituency >= 0
	v.Constituency = max(v.Constituency, 0)
	v.Choice = soviet.Choice(choice)
	return v, nil
}

// prefetchVoters reads, in one statement, where each (motion, account)
// stands: the voters of a batch's votes. The answers hold until the batch
// writes anything they depend on (see exec).
func (t *tx) prefetchVoters(keys [][2]int64) error {
	for len(keys) > 0 {
		n := min(len(keys), 256)
		args := make([]any, 0, 2*n)
		for _, k := range keys[:n] {
			args = append(args, k[0], k[1])
		}
		q := "WITH k(motion, account) AS (VALUES " +
			strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT)), ", n), ", ") + ")\n" +
			"SELECT k.motion, k.account, " + voterColumns("k.account") + " FROM k JOIN motions m ON m.id = k.motion"
		rows, err := t.query(q, args...)
		if err != nil {
			return fmt.Errorf("read the batch's voters: %w", err)
		}
		for rows.Next() {
			var key [2]int64
			v, err := scanVoter(withMore{s: prefixScanner{rows, []any{&key[0], &key[1]}}})
			if err != nil {
				rows.Close()
				return err
			}
			v.Motion.ID = key[0]
			if t.voters == nil {
				t.voters = map[[2]int64]soviet.Voter{}
			}
			t.voters[key] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// prefixScanner scans columns before the ones its caller asks for.
type prefixScanner struct {
	s      scanner
	before []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.s.Scan(append(p.before, dest...)...) }

// VoteOf implements soviet.Tx.
func (t *tx) VoteOf(ctx context.Context, motion, account int64) (soviet.Choice, error) {
	var c string
	err := t.queryRow("SELECT choice FROM rollcall WHERE motion = ? AND account = ?", motion, account).Scan(&c)
	return soviet.Choice(c), notFound(err, "vote of account", account)
}

// Count implements soviet.Tx.
func (t *tx) Count(ctx context.Context, motion int64) (yes, no, abstain, eligible int64, err error) {
	rows, err := t.query("SELECT choice, COUNT(*) FROM rollcall WHERE motion = ? GROUP BY choice", motion)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("count votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			return 0, 0, 0, 0, err
		}
		switch soviet.Choice(c) {
		case soviet.Yes:
			yes = n
		case soviet.No:
			no = n
		case soviet.Abstain:
			abstain = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, 0, err
	}
	err = t.queryRow("SELECT eligible FROM motions WHERE id = ?", motion).Scan(&eligible)
	return yes, no, abstain, eligible, notFound(err, "motion", motion)
}

// DueVotes implements soviet.Tx.
func (t *tx) DueVotes(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := t.query("SELECT id FROM motions WHERE state = ? AND deadline <= ? ORDER BY id", string(soviet.Voting), now.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("due votes: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

var _ soviet.Tx = (*tx)(nil)
var _ soviet.Store = (*DB)(nil)
