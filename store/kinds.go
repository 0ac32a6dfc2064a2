package store

import (
	"context"
	"encoding/json"

	"soviet"
)

// Projections and reads of motions that act, forwarded motions,
// referendums and weighted votes.

func init() {
	addProjection("mandates", "council, motion")

	onEvent(func(t *tx, ev soviet.Event, p soviet.MotionCarried) error {
		res, err := soviet.Canonical(p.Result)
		if err != nil {
			return err
		}
		r := p.Result
		_, err = t.exec(`UPDATE motions SET state = ?, closed = ?, yes_votes = ?, no_votes = ?, abstentions = ?,
			eligible = ?, quorum_met = ?, adopted = ?, result = ? WHERE id = ?`,
			string(soviet.Adopted), ev.Time.UnixMicro(), r.Yes, r.No, r.Abstain, r.Eligible, boolInt(r.QuorumMet), boolInt(r.Adopted),
			string(res), p.Motion)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.MandateIssued) error {
		_, err := t.exec(`INSERT INTO mandates (council, motion, instruction, by_motion, issued) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (council, motion) DO UPDATE SET instruction = excluded.instruction, by_motion = excluded.by_motion,
			issued = excluded.issued`, p.Council, p.Motion, string(p.Instruction), p.By, ev.Time.UnixMicro())
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.CharterAmended) error {
		body, err := json.Marshal(p.Charter)
		if err != nil {
			return err
		}
		_, err = t.exec("INSERT INTO charters (federation, version, body, adopted) VALUES (?, ?, ?, ?)",
			p.Federation, p.Charter.Version, string(body), ev.Seq)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.DecisionOverturned) error {
		_, err := t.exec("UPDATE motions SET overturned_by = ? WHERE id = ?", p.By, p.Motion)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.MotionForwarded) error {
		at := ev.Time.UnixMicro()
		// The motion arrives in debate, with the text, majority and
		// supporters of the one it comes from, and names it as its origin.
		if _, err := t.exec(`INSERT INTO motions (id, council, proposer, title, body, majority, state, supporters, created, origin)
			SELECT ?, ?, proposer, title, body, majority, ?, supporters, ?, ? FROM motions WHERE id = ?`,
			ev.Seq, p.To, string(soviet.Debate), at, p.Motion, p.Motion); err != nil {
			return err
		}
		_, err := t.exec(`INSERT INTO motion_supporters (motion, account, since)
			SELECT ?, account, since FROM motion_supporters WHERE motion = ?`, ev.Seq, p.Motion)
		return err
	})
}

// CouncilsOf implements soviet.Tx.
func (t *tx) CouncilsOf(ctx context.Context, federation int64) ([]soviet.Council, error) {
	return txList(t, scanCouncil, "SELECT "+councilCols+" FROM councils WHERE federation = ? ORDER BY id", federation)
}

// VoterCount implements soviet.Tx.
func (t *tx) VoterCount(ctx context.Context, council int64) (int64, error) {
	var n int64
	err := t.queryRow(`SELECT (SELECT COUNT(*) FROM members WHERE council = ?)
		+ (SELECT COUNT(DISTINCT account) FROM offices WHERE body = ? AND until = 0)`, council, council).Scan(&n)
	return n, err
}

// OpenMotionsOn implements soviet.Tx.
func (t *tx) OpenMotionsOn(ctx context.Context, kind soviet.MotionKind, target int64) ([]int64, error) {
	return txList(t, scanID, "SELECT id FROM motions WHERE kind = ? AND target = ? AND state IN (?, ?, ?) ORDER BY id",
		string(kind), target, string(soviet.Submitted), string(soviet.Debate), string(soviet.Voting))
}

// AdoptedBy implements soviet.Tx.
func (t *tx) AdoptedBy(ctx context.Context, root int64) ([]int64, error) {
	return txList(t, scanID, `SELECT DISTINCT m.council FROM motions m JOIN councils c ON c.id = m.council
		WHERE (m.id = ? OR m.origin = ?) AND m.state = ? AND c.kind = 'base' ORDER BY m.council`,
		root, root, string(soviet.Adopted))
}

// Forwarded implements soviet.Tx: the councils above the base where the
// motion or a copy of it stands.
func (t *tx) Forwarded(ctx context.Context, root int64) ([]int64, error) {
	return txList(t, scanID, `SELECT DISTINCT m.council FROM motions m JOIN councils c ON c.id = m.council
		WHERE m.origin = ? AND c.kind <> 'base' ORDER BY m.council`, root)
}

// VoteRows implements soviet.Tx.
func (t *tx) VoteRows(ctx context.Context, motion int64) ([]soviet.VoteRow, error) {
	return txList(t, func(s scanner) (soviet.VoteRow, error) {
		var v soviet.VoteRow
		var choice string
		var sy, sn, sa int64
		err := s.Scan(&v.Account, &v.Constituency, &v.WeightNum, &v.WeightDen, &choice, &sy, &sn, &sa)
		v.Choice = soviet.Choice(choice)
		if v.Choice == soviet.SplitChoice {
			v.Split = &soviet.Split{Yes: sy, No: sn, Abstain: sa}
		}
		return v, err
	}, `SELECT e.account, e.constituency, e.weight_num, e.weight_den, COALESCE(r.choice, ''),
		COALESCE(r.split_yes, 0), COALESCE(r.split_no, 0), COALESCE(r.split_abstain, 0)
		FROM electorate e LEFT JOIN rollcall r ON r.motion = e.motion AND r.account = e.account
		WHERE e.motion = ? ORDER BY e.account`, motion)
}

// ElectorateByCouncil implements soviet.Tx.
func (t *tx) ElectorateByCouncil(ctx context.Context, motion int64) ([]soviet.CouncilVoters, error) {
	return txList(t, func(s scanner) (soviet.CouncilVoters, error) {
		var c soviet.CouncilVoters
		return c, s.Scan(&c.Council, &c.Eligible)
	}, "SELECT constituency, COUNT(*) FROM electorate WHERE motion = ? GROUP BY constituency ORDER BY constituency", motion)
}

func scanID(s scanner) (int64, error) {
	var id int64
	return id, s.Scan(&id)
}
