package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"soviet"
)

// Page queries of the motions that act: recalls and their signatures,
// mandates and how delegates voted against them, the charter's history,
// committee decisions, and the family of a motion that travelled between
// councils. Like the other page queries they read the projections and
// never write.

// RecallRow is a recall petition against an office, with what its
// signatures must reach.
type RecallRow struct {
	Motion soviet.Motion `json:"motion"`
	Office OfficeRow     `json:"office"` // the seat it would vacate
	// Needed is the number of signatures that opens the recall's vote;
	// Direct, with the charter's direct recall, the number (a majority
	// of the constituents) that removes the delegate at once (0 without).
	Needed int64 `json:"needed"`
	Direct int64 `json:"direct,omitempty"`
}

// Pending reports whether the petition still gathers signatures.
func (r RecallRow) Pending() bool { return r.Motion.State == soviet.Submitted }

// recallSelect joins a recall motion to the office it targets.
var recallSelect = "SELECT " + prefix("m", motionCols) + `, o.id, o.body, o.constituency, o.account, o.faction, o.election, o.since, o.until, o.reason,
	a.name, a.handle, b.name, c.name, COALESCE(f.name, ''), COALESCE(f.colour, '')
	FROM motions m JOIN offices o ON o.id = m.target JOIN accounts a ON a.id = o.account JOIN councils b ON b.id = o.body
	JOIN councils c ON c.id = o.constituency LEFT JOIN factions f ON f.id = o.faction
	WHERE m.kind = 'recall' `

// recalls runs a recall query and computes each petition's thresholds
// from the charter in force and the council's voters now.
func (db *DB) recalls(ctx context.Context, q string, args ...any) ([]RecallRow, error) {
	var out []RecallRow
	err := db.View(ctx, func(ctx context.Context, t soviet.Tx) error {
		tx := t.(*tx)
		rows, err := txList(tx, func(s scanner) (RecallRow, error) {
			var r RecallRow
			var o OfficeRow
			var since, until int64
			var err error
			r.Motion, err = scanMotion(withMore{s, []any{&o.ID, &o.Body, &o.Constituency, &o.Account, &o.Faction, &o.Election,
				&since, &until, &o.Reason, &o.Name, &o.Handle, &o.BodyName, &o.ConstituencyName, &o.FactionName, &o.FactionColour}})
			o.Since, o.Until = micros(since), micros(until)
			r.Office = o
			return r, err
		}, recallSelect+q, args...)
		if err != nil {
			return err
		}
		charters := map[int64]soviet.Charter{}
		voters := map[int64]int64{}
		for i, r := range rows {
			c, err := tx.Council(ctx, r.Motion.Council)
			if err != nil {
				return err
			}
			ch, ok := charters[c.Federation]
			if !ok {
				if ch, err = tx.Charter(ctx, c.Federation); err != nil {
					return err
				}
				charters[c.Federation] = ch
			}
			n, ok := voters[c.ID]
			if !ok {
				if n, err = tx.VoterCount(ctx, c.ID); err != nil {
					return err
				}
				voters[c.ID] = n
			}
			rows[i].Needed = soviet.SignaturesNeeded(ch, n)
			if ch.DirectRecall {
				rows[i].Direct = n/2 + 1
			}
		}
		out = rows
		return nil
	})
	return nonNilRows(out), err
}

// Recalls returns the recall petitions of a council's constituents, the
// undecided first, then the newest.
func (db *DB) Recalls(ctx context.Context, council int64) ([]RecallRow, error) {
	return db.recalls(ctx, `AND m.council = ? ORDER BY CASE WHEN m.state IN ('submitted', 'debate', 'voting') THEN 0 ELSE 1 END, m.id DESC`, council)
}

// RecallsOf returns the recall petitions against an office, newest first.
func (db *DB) RecallsOf(ctx context.Context, office int64) ([]RecallRow, error) {
	return db.recalls(ctx, "AND m.target = ? ORDER BY m.id DESC", office)
}

// MandateRow is a council's instruction to its delegates on a motion of a
// council above.
type MandateRow struct {
	Council     int64              `json:"council"` // the council that gave it
	CouncilName string             `json:"council_name"`
	Motion      int64              `json:"motion"` // the motion above
	Title       string             `json:"title"`
	State       soviet.MotionState `json:"state"`
	Body        int64              `json:"body"` // the council the motion is before
	BodyName    string             `json:"body_name"`
	Instruction soviet.Choice      `json:"instruction"`
	By          int64              `json:"by"` // the mandate motion that adopted it
	Issued      time.Time          `json:"issued"`
}

const mandateSelect = `SELECT md.council, k.name, md.motion, m.title, m.state, m.council, b.name, md.instruction, md.by_motion, md.issued
	FROM mandates md JOIN councils k ON k.id = md.council JOIN motions m ON m.id = md.motion JOIN councils b ON b.id = m.council `

func scanMandate(s scanner) (MandateRow, error) {
	var r MandateRow
	var state, instruction string
	var issued int64
	err := s.Scan(&r.Council, &r.CouncilName, &r.Motion, &r.Title, &state, &r.Body, &r.BodyName, &instruction, &r.By, &issued)
	r.State, r.Instruction, r.Issued = soviet.MotionState(state), soviet.Choice(instruction), micros(issued)
	return r, err
}

// MandatesGiven returns the mandates a council gave its delegates, the
// newest first.
func (db *DB) MandatesGiven(ctx context.Context, council int64) ([]MandateRow, error) {
	rows, err := list(ctx, db, scanMandate, mandateSelect+"WHERE md.council = ? ORDER BY md.issued DESC, md.motion DESC", council)
	return nonNilRows(rows), err
}

// MandatesOn returns the mandates the constituent councils gave on a
// motion, by council.
func (db *DB) MandatesOn(ctx context.Context, motion int64) ([]MandateRow, error) {
	rows, err := list(ctx, db, scanMandate, mandateSelect+"WHERE md.motion = ? ORDER BY k.name, md.council", motion)
	return nonNilRows(rows), err
}

// MandatesReceived returns the mandates given on the motions of a council,
// the newest first.
func (db *DB) MandatesReceived(ctx context.Context, council int64) ([]MandateRow, error) {
	rows, err := list(ctx, db, scanMandate, mandateSelect+"WHERE m.council = ? ORDER BY md.issued DESC, md.motion DESC, md.council", council)
	return nonNilRows(rows), err
}

// PendingAbove is a motion pending in a council that a council sends
// delegates to: one it may give its delegates a mandate on.
type PendingAbove struct {
	Motion   soviet.Motion `json:"motion"`
	BodyName string        `json:"body_name"`
	// Mandate is the council's mandate on it so far ("" for none);
	// Proposed a mandate motion on it not yet decided (0 for none).
	Mandate  soviet.Choice `json:"mandate,omitempty"`
	Proposed int64         `json:"proposed,omitempty"`
}

// PendingAbove returns the motions pending (gathering supporters, in
// debate or in their vote) in the councils a council sends delegates to.
func (db *DB) PendingAbove(ctx context.Context, council int64) ([]PendingAbove, error) {
	rows, err := list(ctx, db, func(s scanner) (PendingAbove, error) {
		var p PendingAbove
		var mandate string
		m, err := scanMotion(withMore{s, []any{&p.BodyName, &mandate, &p.Proposed}})
		p.Motion, p.Mandate = m, soviet.Choice(mandate)
		return p, err
	}, "SELECT "+prefix("m", motionCols)+`, b.name, COALESCE(md.instruction, ''),
		COALESCE((SELECT MIN(x.id) FROM motions x WHERE x.kind = 'mandate' AND x.target = m.id AND x.council = l.from_council
			AND x.state IN ('submitted', 'debate', 'voting')), 0)
		FROM council_links l JOIN motions m ON m.council = l.to_council JOIN councils b ON b.id = m.council
		LEFT JOIN mandates md ON md.council = l.from_council AND md.motion = m.id
		WHERE l.from_council = ? AND m.state IN ('submitted', 'debate', 'voting') ORDER BY b.name, m.id DESC`, council)
	return nonNilRows(rows), err
}

// DelegateVote is how one of a council's delegates voted by roll call on a
// motion of a council above, beside the council's mandate on it.
type DelegateVote struct {
	Motion   int64              `json:"motion"`
	Title    string             `json:"title"`
	State    soviet.MotionState `json:"state"`
	Body     int64              `json:"body"`
	BodyName string             `json:"body_name"`
	Opened   time.Time          `json:"opened"`
	Weighted bool               `json:"weighted,omitempty"`
	Account  int64              `json:"account"`
	Name     string             `json:"name"`
	Handle   string             `json:"handle"`
	// Choice is the delegate's vote, "" if they did not vote; Split the
	// parts of a split vote.
	Choice soviet.Choice `json:"choice,omitempty"`
	Split  *soviet.Split `json:"split,omitempty"`
	Cast   time.Time     `json:"cast,omitzero"`
	// Mandate is the council's instruction on the motion ("" for none),
	// adopted by motion MandateBy.
	Mandate   soviet.Choice `json:"mandate,omitempty"`
	MandateBy int64         `json:"mandate_by,omitempty"`
	Issued    time.Time     `json:"issued,omitzero"`
	// Against: the delegate voted otherwise than the mandate (a split
	// vote that gives any part to another option is against it).
	Against bool `json:"against"`
	// BeforeMandate: the vote was cast before the mandate was given.
	BeforeMandate bool `json:"before_mandate,omitempty"`
}

// DelegateVotes returns, for every roll-call vote in a delegate council
// where the council's delegates held seats when it opened, each delegate's
// vote and the council's mandate: the newest vote first, the delegates by
// name. Secret votes and referendums are left out: they have no delegate's
// vote to show.
func (db *DB) DelegateVotes(ctx context.Context, council int64) ([]DelegateVote, error) {
	rows, err := list(ctx, db, func(s scanner) (DelegateVote, error) {
		var v DelegateVote
		var state, choice, mandate string
		var opened, cast, issued, weighted, sy, sn, sa int64
		err := s.Scan(&v.Motion, &v.Title, &state, &v.Body, &v.BodyName, &opened, &weighted, &v.Account, &v.Name, &v.Handle,
			&choice, &cast, &sy, &sn, &sa, &mandate, &v.MandateBy, &issued)
		v.State, v.Choice, v.Mandate = soviet.MotionState(state), soviet.Choice(choice), soviet.Choice(mandate)
		v.Opened, v.Cast, v.Issued, v.Weighted = micros(opened), micros(cast), micros(issued), weighted == 1
		if v.Choice == soviet.SplitChoice {
			v.Split = &soviet.Split{Yes: sy, No: sn, Abstain: sa}
		}
		v.Against = against(v.Mandate, v.Choice, v.Split)
		v.BeforeMandate = v.Against && v.Cast.Before(v.Issued)
		return v, err
	}, `SELECT m.id, m.title, m.state, m.council, b.name, m.opened, m.weighted, a.id, a.name, a.handle,
		COALESCE(r.choice, ''), COALESCE(r.cast_at, 0), COALESCE(r.split_yes, 0), COALESCE(r.split_no, 0), COALESCE(r.split_abstain, 0),
		COALESCE(md.instruction, ''), COALESCE(md.by_motion, 0), COALESCE(md.issued, 0)
		FROM electorate e JOIN motions m ON m.id = e.motion JOIN councils b ON b.id = m.council JOIN accounts a ON a.id = e.account
		LEFT JOIN rollcall r ON r.motion = e.motion AND r.account = e.account
		LEFT JOIN mandates md ON md.council = e.constituency AND md.motion = m.id
		WHERE e.constituency = ? AND b.kind = 'delegate' AND m.secrecy <> 'secret' AND m.referendum = 0
		ORDER BY m.opened DESC, m.id DESC, a.name, a.id`, council)
	return nonNilRows(rows), err
}

// against reports whether a vote departs from a mandate: a different
// choice, or a split that gives a part to an option the mandate did not
// name. No vote, or no mandate, is not against it.
func against(mandate, choice soviet.Choice, split *soviet.Split) bool {
	if mandate == "" || choice == "" {
		return false
	}
	if choice != soviet.SplitChoice || split == nil {
		return choice != mandate
	}
	parts := map[soviet.Choice]int64{soviet.Yes: split.Yes, soviet.No: split.No, soviet.Abstain: split.Abstain}
	for c, n := range parts {
		if c != mandate && n > 0 {
			return true
		}
	}
	return false
}

// CharterVersion is one version of a federation's charter and how it came
// into force.
type CharterVersion struct {
	Version int            `json:"version"`
	Charter soviet.Charter `json:"charter"`
	// Since is when it came into force, by the event Seq; Motion is the
	// charter motion that adopted it (0 for the founding charter).
	Since       time.Time `json:"since"`
	Seq         int64     `json:"seq"`
	Motion      int64     `json:"motion,omitempty"`
	MotionTitle string    `json:"motion_title,omitempty"`
	// Referendum: the motion was adopted by the members in a referendum.
	Referendum bool `json:"referendum,omitempty"`
}

// CharterHistory returns every version of a federation's charter, the
// newest first, each with the motion that adopted it: the log's event of
// the version names it.
func (db *DB) CharterHistory(ctx context.Context, federation int64) ([]CharterVersion, error) {
	vs, err := list(ctx, db, func(s scanner) (CharterVersion, error) {
		var v CharterVersion
		var body string
		if err := s.Scan(&v.Version, &body, &v.Seq); err != nil {
			return v, err
		}
		return v, json.Unmarshal([]byte(body), &v.Charter)
	}, "SELECT version, body, adopted FROM charters WHERE federation = ? ORDER BY version DESC", federation)
	if err != nil {
		return nil, fmt.Errorf("charters of federation %d: %w", federation, err)
	}
	for i, v := range vs {
		ev, err := db.Event(ctx, v.Seq)
		if err != nil {
			return nil, err
		}
		vs[i].Since = ev.Time
		if ev.Type != (soviet.CharterAmended{}).EventType() {
			continue
		}
		p, err := soviet.DecodePayload(ev.Type, ev.Payload)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.Seq, err)
		}
		vs[i].Motion = p.(*soviet.CharterAmended).Motion
		m, err := db.Motion(ctx, vs[i].Motion)
		if err != nil {
			return nil, err
		}
		vs[i].MotionTitle, vs[i].Referendum = m.Title, m.Referendum
	}
	return nonNilRows(vs), nil
}

// DecisionRow is an adopted decision of a committee, posted to the
// council that elected the committee.
type DecisionRow struct {
	Motion        soviet.Motion `json:"motion"`
	CommitteeName string        `json:"committee_name"`
	// Overturning is an overturn motion on it not yet decided (0 for
	// none); Motion.OverturnedBy the one that overturned it.
	Overturning int64 `json:"overturning,omitempty"`
}

// Decisions returns the adopted decisions of a council's committees, the
// newest first.
func (db *DB) Decisions(ctx context.Context, council int64) ([]DecisionRow, error) {
	rows, err := list(ctx, db, func(s scanner) (DecisionRow, error) {
		var d DecisionRow
		m, err := scanMotion(withMore{s, []any{&d.CommitteeName, &d.Overturning}})
		d.Motion = m
		return d, err
	}, "SELECT "+prefix("m", motionCols)+`, k.name,
		COALESCE((SELECT MIN(o.id) FROM motions o WHERE o.kind = 'overturn' AND o.target = m.id AND o.state IN ('submitted', 'debate', 'voting')), 0)
		FROM motions m JOIN councils k ON k.id = m.council
		WHERE k.parent = ? AND k.kind = 'committee' AND m.state = 'adopted' ORDER BY m.closed DESC, m.id DESC`, council)
	return nonNilRows(rows), err
}

// FamilyMotion is one motion of a family: a motion, the copies other
// councils took it up in, and the motions forwarded from them.
type FamilyMotion struct {
	ID          int64              `json:"id"`
	Council     int64              `json:"council"`
	CouncilName string             `json:"council_name"`
	Title       string             `json:"title"`
	State       soviet.MotionState `json:"state"`
	// Origin is the motion it was forwarded from or takes up (0 for the
	// first); Forwarded tells which.
	Origin    int64 `json:"origin,omitempty"`
	Forwarded bool  `json:"forwarded,omitempty"`
}

// MotionFamily returns the family of a motion, first motion first, or
// nothing for a motion that never travelled.
func (db *DB) MotionFamily(ctx context.Context, motion int64) ([]FamilyMotion, error) {
	var root int64
	err := db.queryRow(ctx, `WITH RECURSIVE up(id, origin) AS (SELECT id, origin FROM motions WHERE id = CAST(? AS BIGINT)
		UNION SELECT m.id, m.origin FROM motions m JOIN up ON m.id = up.origin) SELECT id FROM up WHERE origin = 0`, motion).Scan(&root)
	if err != nil {
		return nil, notFound(err, "motion", motion)
	}
	fs, err := list(ctx, db, func(s scanner) (FamilyMotion, error) {
		var f FamilyMotion
		var state string
		var forwarded int64
		err := s.Scan(&f.ID, &f.Council, &f.CouncilName, &f.Title, &state, &f.Origin, &forwarded)
		f.State, f.Forwarded = soviet.MotionState(state), forwarded == 1
		return f, err
	}, family+`SELECT m.id, m.council, c.name, m.title, m.state, m.origin,
		CASE WHEN EXISTS (SELECT 1 FROM events ev WHERE ev.seq = m.id AND ev.type = ?) THEN 1 ELSE 0 END
		FROM motions m JOIN councils c ON c.id = m.council WHERE m.id IN (SELECT id FROM family) ORDER BY m.id`,
		root, soviet.MotionForwarded{}.EventType())
	if err != nil || len(fs) < 2 {
		return nil, err
	}
	return fs, nil
}

// WeightedTally counts a roll-call vote as it stands, as its close would:
// weighted, and per base council in a referendum.
func (db *DB) WeightedTally(ctx context.Context, motion int64) (soviet.Result, error) {
	var r soviet.Result
	err := db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		m, err := tx.Motion(ctx, motion)
		if err != nil {
			return err
		}
		rows, err := tx.VoteRows(ctx, motion)
		if err != nil {
			return err
		}
		r = soviet.TallyRollCall(m, rows)
		return nil
	})
	return r, err
}
