package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"soviet"
)

// Projections and reads of council democracy: seats, offices, elections,
// factions.

func init() {
	for _, p := range []projection{
		{"council_above", "council, above"},
		{"delegations", "body, constituency"},
		{"seat_tables", "body"},
		{"seat_history", "seq, body, constituency"},
		{"offices", "id"},
		{"elections", "id"},
		{"candidates", "election, account"},
		{"election_electorate", "election, account"},
		{"rankings", "election, account"},
		{"factions", "id"},
		{"affiliations", "federation, account"},
	} {
		addProjection(p.table, p.order)
	}

	onEvent(func(t *tx, ev soviet.Event, p soviet.SeatsApportioned) error {
		at := ev.Time.UnixMicro()
		if _, err := t.exec("DELETE FROM delegations WHERE body = ?", p.Body); err != nil {
			return err
		}
		delegations := make([][]any, len(p.Rows))
		history := make([][]any, len(p.Rows))
		for i, r := range p.Rows {
			delegations[i] = []any{p.Body, r.Constituency, r.Seats, r.Represented}
			history[i] = []any{ev.Seq, p.Body, r.Constituency, r.Seats, at}
		}
		if err := t.insertRows("delegations", "body, constituency, seats, represented", delegations); err != nil {
			return err
		}
		if err := t.insertRows("seat_history", "seq, body, constituency, seats, at", history); err != nil {
			return err
		}
		_, err := t.exec(`INSERT INTO seat_tables (body, method, report, computed, seq) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (body) DO UPDATE SET method = excluded.method, report = excluded.report,
			computed = excluded.computed, seq = excluded.seq`, p.Body, p.Method, p.Report, at, ev.Seq)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.OfficeTaken) error {
		_, err := t.exec(`INSERT INTO offices (id, body, constituency, account, faction, election, since)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.Seq, p.Body, p.Constituency, p.Account, p.Faction, p.Election, ev.Time.UnixMicro())
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.OfficeEnded) error {
		_, err := t.exec("UPDATE offices SET until = ?, reason = ? WHERE id = ?", ev.Time.UnixMicro(), p.Reason, p.Office)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.ElectionOpened) error {
		_, err := t.exec(`INSERT INTO elections (id, council, body, seats, kind, method, state, opened, deadline, secret)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.Seq, p.Council, p.Body, p.Seats, string(p.Kind), p.Method,
			string(soviet.Nominating), ev.Time.UnixMicro(), p.Deadline, boolInt(p.Secrecy == soviet.Secret))
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.ElectionCancelled) error {
		_, err := t.exec("UPDATE elections SET state = ?, closed = ? WHERE id = ?", string(soviet.Cancelled), ev.Time.UnixMicro(), p.Election)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.CandidateNominated) error {
		_, err := t.exec(`INSERT INTO candidates (election, account, faction, nominated_by, since, position)
			VALUES (?, ?, ?, ?, ?, (SELECT COUNT(*) FROM candidates WHERE election = ?))
			ON CONFLICT (election, account) DO UPDATE SET faction = excluded.faction, nominated_by = excluded.nominated_by,
			since = excluded.since, withdrawn = 0`, p.Election, p.Account, p.Faction, ev.Actor, ev.Time.UnixMicro(), p.Election)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.CandidacyWithdrawn) error {
		_, err := t.exec("UPDATE candidates SET withdrawn = 1 WHERE election = ? AND account = ?", p.Election, p.Account)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.NominationsExtended) error {
		_, err := t.exec("UPDATE elections SET deadline = ? WHERE id = ?", p.Deadline, p.Election)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.PollingOpened) error {
		// The electing council's voters: its members and the holders of
		// its seats (votersOf), each read by the council's index rather
		// than through the union of every council's voters.
		for _, q := range []string{
			`INSERT INTO election_electorate (election, account)
			SELECT e.id, m.account FROM elections e JOIN members m ON m.council = e.council WHERE e.id = ?
			ON CONFLICT (election, account) DO NOTHING`,
			`INSERT INTO election_electorate (election, account)
			SELECT e.id, o.account FROM elections e JOIN offices o ON o.body = e.council AND o.until = 0 WHERE e.id = ?
			ON CONFLICT (election, account) DO NOTHING`,
		} {
			if _, err := t.exec(q, p.Election); err != nil {
				return err
			}
		}
		if p.Secrecy != "" {
			if _, err := t.exec("UPDATE elections SET secret = ? WHERE id = ?", boolInt(p.Secrecy == soviet.Secret), p.Election); err != nil {
				return err
			}
		}
		_, err := t.exec("UPDATE elections SET state = ?, deadline = ?, seed = ? WHERE id = ?",
			string(soviet.Polling), p.Deadline, fmt.Sprintf("%x", ev.Hash), p.Election)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.RankingCast) error {
		r, err := json.Marshal(p.Ranking)
		if err != nil {
			return err
		}
		_, err = t.exec(`INSERT INTO rankings (election, account, ranking, cast_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (election, account) DO UPDATE SET ranking = excluded.ranking, cast_at = excluded.cast_at`,
			p.Election, ev.Actor, string(r), ev.Time.UnixMicro())
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.ElectionClosed) error {
		elected, err := json.Marshal(p.Elected)
		if err != nil {
			return err
		}
		_, err = t.exec("UPDATE elections SET state = ?, closed = ?, elected = ?, report = ? WHERE id = ?",
			string(soviet.Closed), ev.Time.UnixMicro(), string(elected), string(p.Report), p.Election)
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.FactionCreated) error {
		_, err := t.exec("INSERT INTO factions (id, federation, name, colour, created) VALUES (?, ?, ?, ?, ?)",
			ev.Seq, p.Federation, p.Name, p.Colour, ev.Time.UnixMicro())
		return err
	})
	onEvent(func(t *tx, ev soviet.Event, p soviet.AffiliationDeclared) error {
		if p.Faction == 0 {
			_, err := t.exec("DELETE FROM affiliations WHERE federation = ? AND account = ?", p.Federation, ev.Actor)
			return err
		}
		_, err := t.exec(`INSERT INTO affiliations (federation, account, faction, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (federation, account) DO UPDATE SET faction = excluded.faction, since = excluded.since`,
			p.Federation, ev.Actor, p.Faction, ev.Time.UnixMicro())
		return err
	})
}

// votersOf selects (council, account) for every voter of every council:
// the members of base councils and the holders of seats elsewhere.
const votersOf = `SELECT council, account FROM members
	UNION SELECT body AS council, account FROM offices WHERE until = 0`

// downward is a recursive query of a council and every council below it.
const downward = `WITH RECURSIVE down(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT l.from_council FROM council_links l JOIN down ON l.to_council = down.id) `

// countMember adds delta to a base council's members and to the members
// represented by it and every council above it, in one update that names
// them all (the councils above are known: councilsAbove).
func countMember(t *tx, council int64, delta int) error {
	above, err := t.councilsAbove(council)
	if err != nil {
		return err
	}
	args := make([]any, 0, 4+len(above))
	args = append(args, delta, council, delta, council)
	for _, id := range above {
		args = append(args, id)
	}
	_, err = t.exec(`UPDATE councils SET represented = represented + ?, members = members + CASE WHEN id = ? THEN ? ELSE 0 END
		WHERE id IN (?`+strings.Repeat(", ?", len(above))+")", args...)
	return err
}

// councilsAbove returns the councils council sends delegates to, directly
// or not. The transaction keeps what it read until a link changes them
// (aboveChanged): a bulk import or the replay of one counts thousands of
// members into the same council.
func (t *tx) councilsAbove(council int64) ([]int64, error) {
	if ids, ok := t.above[council]; ok {
		return ids, nil
	}
	ids, err := txList(t, scanID, "SELECT above FROM council_above WHERE council = ? ORDER BY above", council)
	if err != nil {
		return nil, err
	}
	if t.above == nil {
		t.above = map[int64][]int64{}
	}
	t.above[council] = ids
	return ids, nil
}

// aboveChanged forgets what councilsAbove read: every write to
// council_above calls it.
func (t *tx) aboveChanged() { t.above = nil }

// recountRepresented recomputes the members represented by council and by
// every council above it, after a link brought members under them.
func recountRepresented(t *tx, council int64) error {
	_, err := t.exec(`UPDATE councils SET represented =
		(SELECT COALESCE(SUM(c.members), 0) FROM council_above a JOIN councils c ON c.id = a.council
		WHERE a.above = councils.id AND c.kind = 'base')
		WHERE id IN (SELECT CAST(? AS BIGINT) UNION SELECT above FROM council_above WHERE council = ?)`, council, council)
	return err
}

// Represented implements soviet.Tx.
func (t *tx) Represented(ctx context.Context, council int64) (int64, error) {
	var n int64
	err := t.queryRow("SELECT represented FROM councils WHERE id = ?", council).Scan(&n)
	return n, notFound(err, "council", council)
}

// Constituents implements soviet.Tx.
func (t *tx) Constituents(ctx context.Context, body int64) ([]soviet.Constituent, error) {
	return txList(t, func(s scanner) (soviet.Constituent, error) {
		var c soviet.Constituent
		var err error
		c.Council, err = scanCouncil(withMore{s, []any{&c.Represented}})
		return c, err
	}, "SELECT "+prefix("c", councilCols)+`, c.represented FROM council_links l JOIN councils c ON c.id = l.from_council
		WHERE l.to_council = ? ORDER BY c.id`, body)
}

// LinksAbove implements soviet.Tx.
func (t *tx) LinksAbove(ctx context.Context, council int64) ([]soviet.Link, error) {
	return txList(t, func(s scanner) (soviet.Link, error) {
		var l soviet.Link
		return l, s.Scan(&l.From, &l.To)
	}, `SELECT from_council, to_council FROM council_links
		WHERE from_council IN (SELECT CAST(? AS BIGINT) UNION SELECT above FROM council_above WHERE council = ?)
		ORDER BY from_council, to_council`, council, council)
}

// Delegations implements soviet.Tx.
func (t *tx) Delegations(ctx context.Context, body int64) ([]soviet.Delegation, error) {
	return txList(t, func(s scanner) (soviet.Delegation, error) {
		var d soviet.Delegation
		return d, s.Scan(&d.Body, &d.Constituency, &d.Seats)
	}, "SELECT body, constituency, seats FROM delegations WHERE body = ? ORDER BY constituency", body)
}

const officeCols = "id, body, constituency, account, faction, election, since, until, reason"

func scanOffice(s scanner) (soviet.Office, error) {
	var o soviet.Office
	var since, until int64
	err := s.Scan(&o.ID, &o.Body, &o.Constituency, &o.Account, &o.Faction, &o.Election, &since, &until, &o.Reason)
	o.Since, o.Until = micros(since), micros(until)
	return o, err
}

// Offices implements soviet.Tx.
func (t *tx) Offices(ctx context.Context, body, constituency int64) ([]soviet.Office, error) {
	if constituency == 0 {
		return txList(t, scanOffice, "SELECT "+officeCols+" FROM offices WHERE body = ? AND until = 0 ORDER BY id", body)
	}
	return txList(t, scanOffice, "SELECT "+officeCols+" FROM offices WHERE body = ? AND constituency = ? AND until = 0 ORDER BY id", body, constituency)
}

// Office implements soviet.Tx.
func (t *tx) Office(ctx context.Context, id int64) (soviet.Office, error) {
	o, err := scanOffice(t.queryRow("SELECT "+officeCols+" FROM offices WHERE id = ?", id))
	return o, notFound(err, "office", id)
}

// OfficesOf implements soviet.Tx.
func (t *tx) OfficesOf(ctx context.Context, account int64) ([]soviet.Office, error) {
	return txList(t, scanOffice, "SELECT "+officeCols+" FROM offices WHERE account = ? AND until = 0 ORDER BY id", account)
}

// HoldsOffice implements soviet.Tx.
func (t *tx) HoldsOffice(ctx context.Context, body, account int64) (bool, error) {
	return t.exists("SELECT 1 FROM offices WHERE body = ? AND account = ? AND until = 0", body, account)
}

// IsConstituent implements soviet.Tx.
func (t *tx) IsConstituent(ctx context.Context, council, account int64) (bool, error) {
	return t.exists(`SELECT 1 FROM members m JOIN councils c ON c.federation = m.federation
		WHERE c.id = ? AND m.account = ? AND (m.council = c.id
		OR EXISTS (SELECT 1 FROM council_above a WHERE a.council = m.council AND a.above = c.id))`, council, account)
}

// Secretaries implements soviet.Tx.
func (t *tx) Secretaries(ctx context.Context, council int64) ([]int64, error) {
	return txList(t, func(s scanner) (int64, error) {
		var a int64
		return a, s.Scan(&a)
	}, `SELECT DISTINCT o.account FROM councils k JOIN offices o ON o.body = k.id AND o.until = 0
		WHERE k.parent = ? AND k.kind = 'committee' AND k.role IN ('secretariat', 'executive') ORDER BY o.account`, council)
}

// Committees implements soviet.Tx.
func (t *tx) Committees(ctx context.Context, council int64) ([]soviet.Council, error) {
	return txList(t, scanCouncil, "SELECT "+councilCols+" FROM councils WHERE parent = ? AND kind = 'committee' ORDER BY id", council)
}

const electionCols = "id, council, body, seats, kind, method, state, secret, opened, deadline, seed, closed, elected, report"

func scanElection(s scanner) (soviet.Election, error) {
	var e soviet.Election
	var kind, state, elected, report string
	var secret, opened, deadline, closed int64
	err := s.Scan(&e.ID, &e.Council, &e.Body, &e.Seats, &kind, &e.Method, &state, &secret, &opened, &deadline, &e.Seed, &closed, &elected, &report)
	if err != nil {
		return e, err
	}
	e.Kind, e.State, e.Secret = soviet.ElectionKind(kind), soviet.ElectionState(state), secret == 1
	e.Opened, e.Deadline, e.Closed = micros(opened), micros(deadline), micros(closed)
	if elected != "" {
		if err := json.Unmarshal([]byte(elected), &e.Elected); err != nil {
			return e, err
		}
	}
	if report != "" {
		e.Report = json.RawMessage(report)
	}
	return e, nil
}

// Election implements soviet.Tx.
func (t *tx) Election(ctx context.Context, id int64) (soviet.Election, error) {
	e, err := scanElection(t.queryRow("SELECT "+electionCols+" FROM elections WHERE id = ?", id))
	return e, notFound(err, "election", id)
}

// OpenElections implements soviet.Tx.
func (t *tx) OpenElections(ctx context.Context, body, constituency int64) ([]soviet.Election, error) {
	return txList(t, scanElection, "SELECT "+electionCols+" FROM elections WHERE body = ? AND council = ? AND state IN (?, ?) ORDER BY id",
		body, constituency, string(soviet.Nominating), string(soviet.Polling))
}

const candidateCols = "election, account, faction, nominated_by, since, withdrawn"

func scanCandidate(s scanner) (soviet.Candidate, error) {
	var c soviet.Candidate
	var since, withdrawn int64
	err := s.Scan(&c.Election, &c.Account, &c.Faction, &c.NominatedBy, &since, &withdrawn)
	c.Since, c.Withdrawn = micros(since), withdrawn == 1
	return c, err
}

// Candidates implements soviet.Tx.
func (t *tx) Candidates(ctx context.Context, election int64) ([]soviet.Candidate, error) {
	return txList(t, scanCandidate, "SELECT "+candidateCols+" FROM candidates WHERE election = ? ORDER BY position, account", election)
}

// CandidateNames implements soviet.Tx: "Name (@handle)", distinct because
// handles are.
func (t *tx) CandidateNames(ctx context.Context, accounts []int64) ([]string, error) {
	names := make([]string, len(accounts))
	for i, id := range accounts {
		a, err := t.Account(ctx, id)
		if err != nil {
			return nil, err
		}
		names[i] = fmt.Sprintf("%s (@%s)", a.Name, a.Handle)
	}
	return names, nil
}

// InElectionElectorate implements soviet.Tx.
func (t *tx) InElectionElectorate(ctx context.Context, election, account int64) (bool, error) {
	return t.exists("SELECT 1 FROM election_electorate WHERE election = ? AND account = ?", election, account)
}

// ElectionElectorateSize implements soviet.Tx.
func (t *tx) ElectionElectorateSize(ctx context.Context, election int64) (int64, error) {
	var n int64
	err := t.queryRow("SELECT COUNT(*) FROM election_electorate WHERE election = ?", election).Scan(&n)
	return n, err
}

// Rankings implements soviet.Tx: in the order of the voters' accounts, so
// that the count never depends on when a ballot was cast.
func (t *tx) Rankings(ctx context.Context, election int64) ([][]int64, error) {
	return txList(t, func(s scanner) ([]int64, error) {
		var raw string
		if err := s.Scan(&raw); err != nil {
			return nil, err
		}
		var r []int64
		return r, json.Unmarshal([]byte(raw), &r)
	}, "SELECT ranking FROM rankings WHERE election = ? ORDER BY account", election)
}

// DueElections implements soviet.Tx.
func (t *tx) DueElections(ctx context.Context, now time.Time) ([]soviet.Election, error) {
	return txList(t, scanElection, "SELECT "+electionCols+" FROM elections WHERE state IN (?, ?) AND deadline <= ? ORDER BY id",
		string(soviet.Nominating), string(soviet.Polling), now.UnixMicro())
}

const factionCols = "id, federation, name, colour, created"

func scanFaction(s scanner) (soviet.Faction, error) {
	var f soviet.Faction
	var created int64
	err := s.Scan(&f.ID, &f.Federation, &f.Name, &f.Colour, &created)
	f.Created = micros(created)
	return f, err
}

// Faction implements soviet.Tx.
func (t *tx) Faction(ctx context.Context, id int64) (soviet.Faction, error) {
	f, err := scanFaction(t.queryRow("SELECT "+factionCols+" FROM factions WHERE id = ?", id))
	return f, notFound(err, "faction", id)
}

// Factions implements soviet.Tx.
func (t *tx) Factions(ctx context.Context, federation int64) ([]soviet.Faction, error) {
	return txList(t, scanFaction, "SELECT "+factionCols+" FROM factions WHERE federation = ? ORDER BY id", federation)
}

// txList runs a query in the transaction and scans every row.
func txList[T any](t *tx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Fields(q)[0], err)
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
