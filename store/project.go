package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"soviet"
)

// projectors holds the projections of the event types added after the
// foundation: each capability registers its own, in its own file, from an
// init function (see onEvent).
var projectors = map[string]func(t *tx, ev soviet.Event, p soviet.Payload) error{}

// onEvent registers the projection of the event type of P.
func onEvent[P soviet.Payload](f func(t *tx, ev soviet.Event, p P) error) {
	var zero P
	typ := zero.EventType()
	if _, dup := projectors[typ]; dup {
		panic("store: two projections for " + typ)
	}
	projectors[typ] = func(t *tx, ev soviet.Event, p soviet.Payload) error {
		v, ok := p.(P)
		if !ok {
			return fmt.Errorf("event %s carries %T", typ, p)
		}
		return f(t, ev, v)
	}
}

// apply writes one event into the projections. It is the only code that
// writes projection tables, and it is used both live (in the transaction
// that appends the event) and on replay (soviet verify), so the two cannot
// drift apart. It must depend on nothing but the event and the
// projections as earlier events left them.
func apply(t *tx, ev soviet.Event, p soviet.Payload) error {
	// Replay decodes payloads into pointers; the live path passes values.
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer {
		p = v.Elem().Interface().(soviet.Payload)
	}
	if f, ok := projectors[ev.Type]; ok {
		return f(t, ev, p)
	}
	at := ev.Time.UnixMicro()
	var err error
	switch p := p.(type) {
	case soviet.InstanceCreated:
		_, err = t.exec("INSERT INTO instance (id, software, version, created) VALUES (1, ?, ?, ?)", p.Software, p.Version, at)
	case soviet.AccountCreated:
		_, err = t.exec("INSERT INTO accounts ("+accountRowCols+") VALUES (?, ?, ?, ?, ?)", accountRow(ev, p)...)
	case soviet.FederationCreated:
		if _, err = t.exec("INSERT INTO federations (id, name, founder, created) VALUES (?, ?, ?, ?)",
			ev.Seq, p.Name, ev.Actor, at); err != nil {
			return err
		}
		var body []byte
		if body, err = json.Marshal(p.Charter); err != nil {
			return err
		}
		_, err = t.exec("INSERT INTO charters (federation, version, body, adopted) VALUES (?, ?, ?, ?)",
			ev.Seq, p.Charter.Version, string(body), ev.Seq)
	case soviet.CouncilCreated:
		_, err = t.exec(`INSERT INTO councils (id, federation, name, kind, description, created, parent, role, seats)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ev.Seq, p.Federation, p.Name, string(p.Kind), p.Description, at, p.Parent, p.Role, p.Seats)
	case soviet.CouncilLinked:
		if _, err = t.exec("INSERT INTO council_links (from_council, to_council, created) VALUES (?, ?, ?)", p.From, p.To, at); err != nil {
			return err
		}
		// From and every council below it now reach To and every
		// council above it.
		if _, err = t.exec(`INSERT INTO council_above (council, above)
			SELECT b.council, a.above FROM
			(SELECT CAST(? AS BIGINT) AS council UNION SELECT council FROM council_above WHERE above = ?) b CROSS JOIN
			(SELECT CAST(? AS BIGINT) AS above UNION SELECT above FROM council_above WHERE council = ?) a
			WHERE b.council <> a.above
			ON CONFLICT (council, above) DO NOTHING`, p.From, p.From, p.To, p.To); err != nil {
			return err
		}
		t.aboveChanged()
		// A council that represents no one adds no one above it (every
		// base council below it is empty): the common case of a new
		// council, which needs no recount.
		var n int64
		if err = t.queryRow("SELECT represented FROM councils WHERE id = ?", p.From).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			err = recountRepresented(t, p.To)
		}
	case soviet.InvitationIssued:
		_, err = t.exec("INSERT INTO invitations (id, council, token_hash, issued_by, expires, note) VALUES (?, ?, ?, ?, ?, ?)",
			ev.Seq, p.Council, p.TokenHash, ev.Actor, p.Expires, p.Note)
	case soviet.InvitationRevoked:
		_, err = t.exec("UPDATE invitations SET revoked = 1 WHERE id = ?", p.Invitation)
	case soviet.JoinRequested:
		_, err = t.exec("INSERT INTO join_requests (id, council, account, message, state, created) VALUES (?, ?, ?, ?, ?, ?)",
			ev.Seq, p.Council, ev.Actor, p.Message, soviet.RequestPending, at)
	case soviet.JoinRequestDecided:
		state := soviet.RequestRefused
		if p.Admit {
			state = soviet.RequestAdmitted
		}
		_, err = t.exec("UPDATE join_requests SET state = ?, decided_by = ?, decided = ? WHERE id = ?", state, ev.Actor, at, p.Request)
	case soviet.MemberJoined:
		// A new member of the federation is the common case: one insert.
		// A member of another base council of the federation moves.
		var res sql.Result
		if res, err = t.exec(`INSERT INTO members (federation, account, council, since)
			SELECT federation, ?, id, ? FROM councils WHERE id = ?
			ON CONFLICT (federation, account) DO NOTHING`, p.Account, at, p.Council); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var from int64
			err = t.queryRow(`SELECT m.council FROM members m JOIN councils c ON c.federation = m.federation
				WHERE c.id = ? AND m.account = ?`, p.Council, p.Account).Scan(&from)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // no such council: nothing to record
			} else if err != nil {
				return err
			}
			if err = countMember(t, from, -1); err != nil {
				return err
			}
			if _, err = t.exec(`UPDATE members SET council = ?, since = ?
				WHERE account = ? AND federation = (SELECT federation FROM councils WHERE id = ?)`,
				p.Council, at, p.Account, p.Council); err != nil {
				return err
			}
		}
		if err = countMember(t, p.Council, 1); err != nil {
			return err
		}
		err = invitationAccepted(t, ev, p)
	case soviet.MemberLeft:
		var res sql.Result
		if res, err = t.exec("DELETE FROM members WHERE account = ? AND council = ?", p.Account, p.Council); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			err = countMember(t, p.Council, -1)
		}
	case soviet.MotionProposed:
		kind := p.Kind
		if kind == "" {
			kind = soviet.Ordinary
		}
		var charter []byte
		if p.Charter != nil {
			if charter, err = json.Marshal(p.Charter); err != nil {
				return err
			}
		}
		if _, err = t.exec(`INSERT INTO motions (id, council, proposer, title, body, majority, state, supporters, created,
			kind, target, instruction, charter, origin)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
			ev.Seq, p.Council, ev.Actor, p.Title, p.Body, string(p.Majority), string(soviet.Submitted), at,
			string(kind), p.Target, string(p.Instruction), string(charter), p.Origin); err != nil {
			return err
		}
		_, err = t.exec("INSERT INTO motion_supporters (motion, account, since) VALUES (?, ?, ?)", ev.Seq, ev.Actor, at)
	case soviet.MotionSupported:
		if _, err = t.exec("INSERT INTO motion_supporters (motion, account, since) VALUES (?, ?, ?)", p.Motion, ev.Actor, at); err != nil {
			return err
		}
		_, err = t.exec("UPDATE motions SET supporters = supporters + 1 WHERE id = ?", p.Motion)
	case soviet.MotionAdmitted:
		_, err = t.exec("UPDATE motions SET state = ? WHERE id = ?", string(soviet.Debate), p.Motion)
	case soviet.MotionWithdrawn:
		_, err = t.exec("UPDATE motions SET state = ?, closed = ? WHERE id = ?", string(soviet.Withdrawn), at, p.Motion)
	case soviet.VoteOpened:
		// The electorate is the council's voters at this moment: its
		// members, or the holders of its seats, each with the weight of
		// the members they represent over their constituency's seats; in
		// a referendum, the members of every base council below it.
		if p.Referendum {
			if _, err = t.exec(downward+`INSERT INTO electorate (motion, account, constituency, weight_num, weight_den)
				SELECT ?, mb.account, mb.council, 1, 1 FROM members mb JOIN councils c ON c.id = mb.council
				WHERE c.kind = 'base' AND mb.council IN (SELECT id FROM down)
				ON CONFLICT (motion, account) DO NOTHING`, councilOf(t, p.Motion), p.Motion); err != nil {
				return err
			}
		}
		if _, err = t.exec(`INSERT INTO electorate (motion, account, constituency, weight_num, weight_den)
			SELECT m.id, mb.account, mb.council, 1, 1 FROM motions m JOIN members mb ON mb.council = m.council WHERE m.id = ?
			ON CONFLICT (motion, account) DO NOTHING`, p.Motion); err != nil {
			return err
		}
		if _, err = t.exec(`INSERT INTO electorate (motion, account, constituency, weight_num, weight_den)
			SELECT m.id, o.account, o.constituency, c.represented, d.seats
			FROM motions m JOIN offices o ON o.body = m.council AND o.until = 0
			JOIN councils c ON c.id = o.constituency
			JOIN delegations d ON d.body = o.body AND d.constituency = o.constituency
			WHERE m.id = ? ORDER BY o.id
			ON CONFLICT (motion, account) DO NOTHING`, p.Motion); err != nil {
			return err
		}
		secrecy := p.Secrecy
		if secrecy == "" { // written before secret ballots existed
			secrecy = soviet.RollCall
		}
		_, err = t.exec(`UPDATE motions SET state = ?, opened = ?, deadline = ?, quorum_num = ?, quorum_den = ?, majority = ?,
			secrecy = ?, referendum = ?, double_majority = ?, weighted = ?,
			eligible = (SELECT COUNT(*) FROM electorate WHERE motion = ?) WHERE id = ?`,
			string(soviet.Voting), at, p.Deadline, p.Quorum.Num, p.Quorum.Den, string(p.Majority), string(secrecy),
			boolInt(p.Referendum), boolInt(p.DoubleMajority), boolInt(p.Weighted), p.Motion, p.Motion)
	case soviet.VoteCast:
		var split soviet.Split
		if p.Split != nil {
			split = *p.Split
		}
		row := []any{p.Motion, ev.Actor, string(p.Choice), at, split.Yes, split.No, split.Abstain}
		if t.deferVotes {
			t.deferVote(row)
			return nil
		}
		_, err = t.exec(`INSERT INTO rollcall (`+voteCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (motion, account) DO UPDATE SET choice = excluded.choice, cast_at = excluded.cast_at,
			split_yes = excluded.split_yes, split_no = excluded.split_no, split_abstain = excluded.split_abstain`, row...)
	case soviet.VoteClosed:
		r := p.Result
		state := soviet.Rejected
		if r.Adopted {
			state = soviet.Adopted
		}
		var res []byte
		if res, err = soviet.Canonical(r); err != nil {
			return err
		}
		_, err = t.exec(`UPDATE motions SET state = ?, closed = ?, yes_votes = ?, no_votes = ?, abstentions = ?,
			eligible = ?, quorum_met = ?, adopted = ?, result = ? WHERE id = ?`,
			string(state), at, r.Yes, r.No, r.Abstain, r.Eligible, boolInt(r.QuorumMet), boolInt(r.Adopted), string(res), p.Motion)
	default:
		return fmt.Errorf("no projection for event type %s", ev.Type)
	}
	return err
}

// councilOf returns the council of a motion (0 if there is none, which
// makes the query that uses it select nothing).
func councilOf(t *tx, motion int64) int64 {
	var c int64
	t.queryRow("SELECT council FROM motions WHERE id = ?", motion).Scan(&c)
	return c
}
