package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"soviet"
)

// Page queries of council democracy: seat tables, offices, elections,
// factions, composition and delegates' records. Like the other page
// queries they read the projections and never write.

// SeatTable is a body's seat table: the seats each constituency holds, and
// how they were computed.
type SeatTable struct {
	Body int64 `json:"body"`
	// Method and Report say how the seats were computed; both are empty
	// while no council sends delegates to the body.
	Method   string         `json:"method"`
	Report   string         `json:"report"`
	Computed time.Time      `json:"computed,omitzero"`
	Seats    int            `json:"seats"` // in all
	Held     int            `json:"held"`  // filled now
	Rows     []SeatTableRow `json:"rows"`
}

// SeatTableRow is one constituency's line of a seat table.
type SeatTableRow struct {
	Constituency int64  `json:"constituency"`
	Name         string `json:"name"`
	// Represented is the number of members the constituency represented
	// when the seats were computed (0 for a committee's parent); Members
	// the number it represents now. They differ when membership changed
	// without changing the seats.
	Represented int64 `json:"represented"`
	Members     int64 `json:"members"`
	Seats       int   `json:"seats"`
	Held        int   `json:"held"`
}

// SeatTable returns a body's seat table.
func (db *DB) SeatTable(ctx context.Context, body int64) (SeatTable, error) {
	t := SeatTable{Body: body, Rows: []SeatTableRow{}}
	var computed int64
	err := db.queryRow(ctx, "SELECT method, report, computed FROM seat_tables WHERE body = ?", body).Scan(&t.Method, &t.Report, &computed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("seat table of %d: %w", body, err)
	}
	t.Computed = micros(computed)
	rows, err := list(ctx, db, func(s scanner) (SeatTableRow, error) {
		var r SeatTableRow
		return r, s.Scan(&r.Constituency, &r.Name, &r.Represented, &r.Members, &r.Seats, &r.Held)
	}, `SELECT d.constituency, c.name, d.represented, c.represented, d.seats,
		(SELECT COUNT(*) FROM offices o WHERE o.body = d.body AND o.constituency = d.constituency AND o.until = 0)
		FROM delegations d JOIN councils c ON c.id = d.constituency WHERE d.body = ? ORDER BY c.name, c.id`, body)
	if err != nil {
		return t, fmt.Errorf("seat table of %d: %w", body, err)
	}
	t.Rows = nonNilRows(rows)
	for _, r := range t.Rows {
		t.Seats += r.Seats
		t.Held += r.Held
	}
	return t, nil
}

// BodySeats is the number of seats a constituency holds in one body.
type BodySeats struct {
	Body  int64  `json:"body"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Seats int    `json:"seats"`
}

// SeatsOf returns the bodies where constituency holds seats: the delegate
// councils it sends delegates to and its committees.
func (db *DB) SeatsOf(ctx context.Context, constituency int64) ([]BodySeats, error) {
	return list(ctx, db, func(s scanner) (BodySeats, error) {
		var b BodySeats
		return b, s.Scan(&b.Body, &b.Name, &b.Kind, &b.Seats)
	}, `SELECT d.body, b.name, b.kind, d.seats FROM delegations d JOIN councils b ON b.id = d.body
		WHERE d.constituency = ? ORDER BY b.name, b.id`, constituency)
}

// OfficeRow is an office with the names a page shows beside it.
type OfficeRow struct {
	soviet.Office
	Name             string `json:"name"`   // the holder's
	Handle           string `json:"handle"` // the holder's
	BodyName         string `json:"body_name"`
	ConstituencyName string `json:"constituency_name"`
	FactionName      string `json:"faction_name,omitempty"`
	FactionColour    string `json:"faction_colour,omitempty"`
}

const officeRowSelect = `SELECT o.id, o.body, o.constituency, o.account, o.faction, o.election, o.since, o.until, o.reason,
	a.name, a.handle, b.name, c.name, COALESCE(f.name, ''), COALESCE(f.colour, '')
	FROM offices o JOIN accounts a ON a.id = o.account JOIN councils b ON b.id = o.body
	JOIN councils c ON c.id = o.constituency LEFT JOIN factions f ON f.id = o.faction `

func scanOfficeRow(s scanner) (OfficeRow, error) {
	var r OfficeRow
	o, err := scanOffice(withMore{s, []any{&r.Name, &r.Handle, &r.BodyName, &r.ConstituencyName, &r.FactionName, &r.FactionColour}})
	r.Office = o
	return r, err
}

// SeatHolders returns the offices held now in body, by constituency.
func (db *DB) SeatHolders(ctx context.Context, body int64) ([]OfficeRow, error) {
	return list(ctx, db, scanOfficeRow, officeRowSelect+"WHERE o.body = ? AND o.until = 0 ORDER BY c.name, o.constituency, a.name, o.id", body)
}

// OfficeHistory returns the offices in body that have ended, the latest
// ended first.
func (db *DB) OfficeHistory(ctx context.Context, body int64) ([]OfficeRow, error) {
	return list(ctx, db, scanOfficeRow, officeRowSelect+"WHERE o.body = ? AND o.until <> 0 ORDER BY o.until DESC, o.id DESC", body)
}

// SentDelegates returns the offices held now for constituency in other
// bodies: a council's delegates above it and its committee members.
func (db *DB) SentDelegates(ctx context.Context, constituency int64) ([]OfficeRow, error) {
	return list(ctx, db, scanOfficeRow, officeRowSelect+"WHERE o.constituency = ? AND o.until = 0 ORDER BY b.name, o.body, a.name, o.id", constituency)
}

// OfficeRowByID returns one office with its names.
func (db *DB) OfficeRowByID(ctx context.Context, id int64) (OfficeRow, error) {
	return one(ctx, db, scanOfficeRow, "office", id, officeRowSelect+"WHERE o.id = ?", id)
}

// CandidateRow is a candidate with their name and faction.
type CandidateRow struct {
	soviet.Candidate
	Name          string `json:"name"`
	Handle        string `json:"handle"`
	FactionName   string `json:"faction_name,omitempty"`
	FactionColour string `json:"faction_colour,omitempty"`
	Elected       bool   `json:"elected,omitempty"`
}

const candidateRowSelect = `SELECT c.election, c.account, c.faction, c.nominated_by, c.since, c.withdrawn,
	a.name, a.handle, COALESCE(f.name, ''), COALESCE(f.colour, '')
	FROM candidates c JOIN accounts a ON a.id = c.account LEFT JOIN factions f ON f.id = c.faction `

func scanCandidateRow(s scanner) (CandidateRow, error) {
	var r CandidateRow
	c, err := scanCandidate(withMore{s, []any{&r.Name, &r.Handle, &r.FactionName, &r.FactionColour}})
	r.Candidate = c
	return r, err
}

// ElectionRow is an election with the names of its councils and its
// candidates, for lists. Its report is left out (see ElectionDetail).
type ElectionRow struct {
	soviet.Election
	CouncilName string         `json:"council_name"`
	BodyName    string         `json:"body_name"`
	Candidates  []CandidateRow `json:"candidates"`
}

// Elections returns the elections a council holds (as the electing
// constituency) or whose seats are in it, newest first, with their
// candidates.
func (db *DB) Elections(ctx context.Context, council int64) ([]ElectionRow, error) {
	es, err := list(ctx, db, func(s scanner) (ElectionRow, error) {
		var r ElectionRow
		e, err := scanElection(withMore{s, []any{&r.CouncilName, &r.BodyName}})
		r.Election, r.Candidates = e, []CandidateRow{}
		r.Report = nil
		return r, err
	}, "SELECT "+prefix("e", electionCols)+`, c.name, b.name FROM elections e
		JOIN councils c ON c.id = e.council JOIN councils b ON b.id = e.body
		WHERE e.council = ? OR e.body = ? ORDER BY e.id DESC`, council, council)
	if err != nil {
		return nil, fmt.Errorf("elections of %d: %w", council, err)
	}
	cands, err := list(ctx, db, scanCandidateRow, candidateRowSelect+`JOIN elections e ON e.id = c.election
		WHERE e.council = ? OR e.body = ? ORDER BY c.election, c.position, c.account`, council, council)
	if err != nil {
		return nil, fmt.Errorf("candidates of %d: %w", council, err)
	}
	idx := map[int64]int{}
	for i, e := range es {
		idx[e.ID] = i
	}
	for _, c := range cands {
		i, ok := idx[c.Election]
		if !ok {
			continue
		}
		c.Elected = slices.Contains(es[i].Elected, c.Account)
		es[i].Candidates = append(es[i].Candidates, c)
	}
	return es, nil
}

// ElectionDetail is an election with what its page shows.
type ElectionDetail struct {
	Election   soviet.Election `json:"election"`
	Council    soviet.Council  `json:"council"` // the electing council
	Body       soviet.Council  `json:"body"`    // where the seats are
	Candidates []CandidateRow  `json:"candidates"`
	// Electorate is the number of voters: fixed when the vote opened, and
	// until then the electing council's voters now.
	Electorate int64 `json:"electorate"`
	Ballots    int64 `json:"ballots"` // cast so far
}

// ElectionDetail returns an election with its councils, candidates,
// electorate and the number of ballots cast.
func (db *DB) ElectionDetail(ctx context.Context, id int64) (ElectionDetail, error) {
	var d ElectionDetail
	e, err := one(ctx, db, scanElection, "election", id, "SELECT "+electionCols+" FROM elections WHERE id = ?", id)
	if err != nil {
		return d, err
	}
	d.Election = e
	if d.Council, err = db.Council(ctx, e.Council); err != nil {
		return d, err
	}
	if d.Body, err = db.Council(ctx, e.Body); err != nil {
		return d, err
	}
	if d.Candidates, err = list(ctx, db, scanCandidateRow, candidateRowSelect+"WHERE c.election = ? ORDER BY c.position, c.account", id); err != nil {
		return d, fmt.Errorf("candidates of election %d: %w", id, err)
	}
	d.Candidates = nonNilRows(d.Candidates)
	for i := range d.Candidates {
		d.Candidates[i].Elected = slices.Contains(e.Elected, d.Candidates[i].Account)
	}
	q := "SELECT COUNT(*) FROM election_electorate WHERE election = ?"
	arg := id
	if e.State == soviet.Nominating || (e.State == soviet.Cancelled && e.Seed == "") {
		q, arg = "SELECT COUNT(*) FROM ("+votersOf+") v WHERE v.council = ?", e.Council
	}
	if err := db.queryRow(ctx, q, arg).Scan(&d.Electorate); err != nil {
		return d, fmt.Errorf("electorate of election %d: %w", id, err)
	}
	// Roll-call ballots, or a secret election's participation: one of the
	// two is zero.
	if err := db.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM rankings WHERE election = ?)
		+ (SELECT COUNT(*) FROM participation WHERE vote = ?)`, id, id).Scan(&d.Ballots); err != nil {
		return d, fmt.Errorf("ballots of election %d: %w", id, err)
	}
	return d, nil
}

// OpenElection is an election taking nominations or votes in which an
// account is a voter.
type OpenElection struct {
	ElectionRow
	Voted bool `json:"voted"` // the account has cast a ballot
}

// OpenElectionsFor returns the elections not yet closed in which account
// may stand or vote (it is a voter of the electing council), soonest
// deadline first.
func (db *DB) OpenElectionsFor(ctx context.Context, account int64) ([]OpenElection, error) {
	return list(ctx, db, func(s scanner) (OpenElection, error) {
		var o OpenElection
		var voted int64
		e, err := scanElection(withMore{s, []any{&o.CouncilName, &o.BodyName, &voted}})
		e.Report = nil
		o.Election, o.Candidates, o.Voted = e, []CandidateRow{}, voted == 1
		return o, err
	}, "SELECT "+prefix("e", electionCols)+`, c.name, b.name,
		(SELECT COUNT(*) FROM rankings r WHERE r.election = e.id AND r.account = v.account)
		+ (SELECT COUNT(*) FROM participation p WHERE p.vote = e.id AND p.account = v.account)
		FROM (`+votersOf+`) v JOIN elections e ON e.council = v.council
		JOIN councils c ON c.id = e.council JOIN councils b ON b.id = e.body
		WHERE v.account = ? AND e.state IN (?, ?) ORDER BY e.deadline, e.id`,
		account, string(soviet.Nominating), string(soviet.Polling))
}

// RankingRow is one voter's roll-call ballot in an election.
type RankingRow struct {
	Account int64     `json:"account"`
	Name    string    `json:"name"`
	Handle  string    `json:"handle"`
	Ranking []int64   `json:"ranking"`
	Cast    time.Time `json:"cast"`
}

// ElectionRankings returns the roll-call ballots of an election by the
// voters' names.
func (db *DB) ElectionRankings(ctx context.Context, election int64) ([]RankingRow, error) {
	return list(ctx, db, func(s scanner) (RankingRow, error) {
		var r RankingRow
		var raw string
		var cast int64
		if err := s.Scan(&r.Account, &r.Name, &r.Handle, &raw, &cast); err != nil {
			return r, err
		}
		r.Cast = micros(cast)
		return r, json.Unmarshal([]byte(raw), &r.Ranking)
	}, `SELECT r.account, a.name, a.handle, r.ranking, r.cast_at FROM rankings r JOIN accounts a ON a.id = r.account
		WHERE r.election = ? ORDER BY a.name, a.id`, election)
}

// RankingOf returns an account's ranking in an election, or nil if they
// cast none.
func (db *DB) RankingOf(ctx context.Context, election, account int64) ([]int64, error) {
	var raw string
	err := db.queryRow(ctx, "SELECT ranking FROM rankings WHERE election = ? AND account = ?", election, account).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var r []int64
	return r, json.Unmarshal([]byte(raw), &r)
}

// Voters returns a council's voters by name: the members of a base
// council, the seat holders of any other.
func (db *DB) Voters(ctx context.Context, council int64) ([]soviet.Account, error) {
	return list(ctx, db, scanAccount, "SELECT "+prefix("a", accountCols)+" FROM accounts a WHERE a.id IN (SELECT v.account FROM ("+
		votersOf+") v WHERE v.council = ?) ORDER BY a.name, a.id", council)
}

// FactionRow is a faction with its size.
type FactionRow struct {
	soviet.Faction
	Members int64 `json:"members"` // members of the federation affiliated with it
	Seats   int64 `json:"seats"`   // seats held now by those elected for it
}

// FactionRows returns a federation's factions with their members and
// seats, oldest first.
func (db *DB) FactionRows(ctx context.Context, federation int64) ([]FactionRow, error) {
	return list(ctx, db, func(s scanner) (FactionRow, error) {
		var r FactionRow
		f, err := scanFaction(withMore{s, []any{&r.Members, &r.Seats}})
		r.Faction = f
		return r, err
	}, "SELECT "+prefix("f", factionCols)+`,
		(SELECT COUNT(*) FROM affiliations af JOIN members m ON m.federation = af.federation AND m.account = af.account WHERE af.faction = f.id),
		(SELECT COUNT(*) FROM offices o WHERE o.faction = f.id AND o.until = 0)
		FROM factions f WHERE f.federation = ? ORDER BY f.id`, federation)
}

// Affiliation returns the faction an account declared in a federation, 0
// for none.
func (db *DB) Affiliation(ctx context.Context, federation, account int64) (int64, error) {
	var f int64
	err := db.queryRow(ctx, "SELECT faction FROM affiliations WHERE federation = ? AND account = ?", federation, account).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return f, err
}

// Composition is a council's make-up by faction, now and over time.
type Composition struct {
	Council int64 `json:"council"`
	// Basis says what is counted: "members" (a base council's members, by
	// the faction they declared) or "seats" (a delegate council's or a
	// committee's seats, by the faction their holders were elected for).
	Basis  string `json:"basis"`
	Total  int    `json:"total"`  // members, or seats
	Vacant int    `json:"vacant"` // seats not filled now
	// Groups are the factions seen now or in the history, oldest first,
	// then those of no faction (Faction 0), with their count now.
	Groups []CompositionGroup `json:"groups"`
	// History is the composition after each change, oldest first: seats
	// only (affiliations keep no history).
	History []CompositionStep `json:"history"`
}

// CompositionGroup is one faction's part of a composition.
type CompositionGroup struct {
	Faction int64  `json:"faction"` // 0: no faction
	Name    string `json:"name"`
	Colour  string `json:"colour,omitempty"`
	Count   int    `json:"count"`
}

// CompositionStep is a composition from a moment on.
type CompositionStep struct {
	At     time.Time `json:"at"`
	Counts []int     `json:"counts"` // in the order of Groups
	Vacant int       `json:"vacant"`
}

// NoFaction is the name a composition gives to those of no faction.
const NoFaction = "no faction"

// Composition returns a council's composition by faction now and, for a
// body with seats, over time: from its offices' start and end and its seat
// tables' history.
func (db *DB) Composition(ctx context.Context, council int64) (Composition, error) {
	c, err := db.Council(ctx, council)
	if err != nil {
		return Composition{}, err
	}
	factions, err := list(ctx, db, scanFaction, "SELECT "+factionCols+" FROM factions WHERE federation = ? ORDER BY id", c.Federation)
	if err != nil {
		return Composition{}, fmt.Errorf("factions of %d: %w", c.Federation, err)
	}
	comp := Composition{Council: council, Groups: []CompositionGroup{}, History: []CompositionStep{}}
	if c.Kind == soviet.Base {
		comp.Basis = "members"
		counts, err := list(ctx, db, func(s scanner) ([2]int64, error) {
			var v [2]int64
			return v, s.Scan(&v[0], &v[1])
		}, `SELECT COALESCE(af.faction, 0), COUNT(*) FROM members m
			LEFT JOIN affiliations af ON af.federation = m.federation AND af.account = m.account
			WHERE m.council = ? GROUP BY COALESCE(af.faction, 0)`, council)
		if err != nil {
			return comp, fmt.Errorf("composition of %d: %w", council, err)
		}
		now := map[int64]int{}
		for _, v := range counts {
			now[v[0]] = int(v[1])
			comp.Total += int(v[1])
		}
		comp.Groups = compositionGroups(factions, now, nil)
		return comp, nil
	}

	comp.Basis = "seats"
	type change struct {
		at      int64
		faction int64
		delta   int
		total   int // a new seat table's total, -1 for an office change
	}
	var changes []change
	offices, err := list(ctx, db, func(s scanner) ([3]int64, error) {
		var v [3]int64
		return v, s.Scan(&v[0], &v[1], &v[2])
	}, "SELECT faction, since, until FROM offices WHERE body = ? ORDER BY id", council)
	if err != nil {
		return comp, fmt.Errorf("offices of %d: %w", council, err)
	}
	seen := map[int64]bool{}
	for _, o := range offices {
		seen[o[0]] = true
		changes = append(changes, change{at: o[1], faction: o[0], delta: 1, total: -1})
		if o[2] != 0 {
			changes = append(changes, change{at: o[2], faction: o[0], delta: -1, total: -1})
		}
	}
	tables, err := list(ctx, db, func(s scanner) ([2]int64, error) {
		var v [2]int64
		return v, s.Scan(&v[0], &v[1])
	}, "SELECT at, SUM(seats) FROM seat_history WHERE body = ? GROUP BY seq, at ORDER BY seq", council)
	if err != nil {
		return comp, fmt.Errorf("seat history of %d: %w", council, err)
	}
	for _, t := range tables {
		changes = append(changes, change{at: t[0], total: int(t[1])})
	}
	// Stable, so that of two seat tables at the same moment the later
	// one wins.
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].at < changes[j].at })

	groups := compositionGroups(factions, nil, seen)
	index := map[int64]int{}
	for i, g := range groups {
		index[g.Faction] = i
	}
	counts := make([]int, len(groups))
	total := 0
	for i := 0; i < len(changes); {
		at := changes[i].at
		for ; i < len(changes) && changes[i].at == at; i++ {
			ch := changes[i]
			if ch.total >= 0 {
				total = ch.total
			} else {
				counts[index[ch.faction]] += ch.delta
			}
		}
		step := CompositionStep{At: micros(at), Counts: slices.Clone(counts), Vacant: max(total-sum(counts), 0)}
		comp.History = append(comp.History, step)
	}
	for i := range groups {
		groups[i].Count = counts[i]
	}
	comp.Groups = groups
	comp.Total = total
	comp.Vacant = max(total-sum(counts), 0)
	return comp, nil
}

// compositionGroups lists the factions counted now (now) or seen in a
// history (seen), in the federation's order, then those of no faction.
func compositionGroups(factions []soviet.Faction, now map[int64]int, seen map[int64]bool) []CompositionGroup {
	var gs []CompositionGroup
	for _, f := range factions {
		if _, ok := now[f.ID]; ok || seen[f.ID] {
			gs = append(gs, CompositionGroup{Faction: f.ID, Name: f.Name, Colour: f.Colour, Count: now[f.ID]})
		}
	}
	if _, ok := now[0]; ok || seen[0] {
		gs = append(gs, CompositionGroup{Name: NoFaction, Count: now[0]})
	}
	if gs == nil {
		gs = []CompositionGroup{}
	}
	return gs
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// Candidacy is an election someone stood in.
type Candidacy struct {
	Election    soviet.Election `json:"election"` // without its report
	CouncilName string          `json:"council_name"`
	BodyName    string          `json:"body_name"`
	Faction     int64           `json:"faction,omitempty"`
	FactionName string          `json:"faction_name,omitempty"`
	Withdrawn   bool            `json:"withdrawn,omitempty"`
	Elected     bool            `json:"elected,omitempty"`
}

// RecordVote is a roll-call vote a delegate cast while holding a seat.
type RecordVote struct {
	Motion      int64              `json:"motion"`
	Title       string             `json:"title"`
	State       soviet.MotionState `json:"state"`
	Council     int64              `json:"council"`
	CouncilName string             `json:"council_name"`
	Choice      soviet.Choice      `json:"choice"`
	Cast        time.Time          `json:"cast"`
}

// DelegateRecord is what a delegate did in one federation, in public: the
// offices they held, the elections they stood in and the roll-call votes
// they cast in the bodies where they held a seat.
type DelegateRecord struct {
	Account     soviet.Account `json:"account"`
	Federation  int64          `json:"federation"`
	Offices     []OfficeRow    `json:"offices"`
	Candidacies []Candidacy    `json:"candidacies"`
	Votes       []RecordVote   `json:"votes"`
}

// DelegateRecord returns an account's record in a federation, newest
// first.
func (db *DB) DelegateRecord(ctx context.Context, account, federation int64) (DelegateRecord, error) {
	rec := DelegateRecord{Federation: federation}
	var err error
	if rec.Account, err = db.Account(ctx, account); err != nil {
		return rec, err
	}
	if rec.Offices, err = list(ctx, db, scanOfficeRow, officeRowSelect+"WHERE o.account = ? AND b.federation = ? ORDER BY o.since DESC, o.id DESC",
		account, federation); err != nil {
		return rec, fmt.Errorf("offices of %d: %w", account, err)
	}
	if rec.Candidacies, err = list(ctx, db, func(s scanner) (Candidacy, error) {
		var c Candidacy
		var withdrawn int64
		e, err := scanElection(withMore{s, []any{&c.CouncilName, &c.BodyName, &c.Faction, &c.FactionName, &withdrawn}})
		e.Report = nil
		c.Election, c.Withdrawn, c.Elected = e, withdrawn == 1, slices.Contains(e.Elected, account)
		return c, err
	}, "SELECT "+prefix("e", electionCols)+`, k.name, b.name, c.faction, COALESCE(f.name, ''), c.withdrawn
		FROM candidates c JOIN elections e ON e.id = c.election JOIN councils k ON k.id = e.council
		JOIN councils b ON b.id = e.body LEFT JOIN factions f ON f.id = c.faction
		WHERE c.account = ? AND k.federation = ? ORDER BY e.id DESC`, account, federation); err != nil {
		return rec, fmt.Errorf("candidacies of %d: %w", account, err)
	}
	// Only the votes cast while the voter held a seat in the body: the
	// record is of what they did as a delegate, not as a member.
	if rec.Votes, err = list(ctx, db, func(s scanner) (RecordVote, error) {
		var v RecordVote
		var state, choice string
		var cast int64
		err := s.Scan(&v.Motion, &v.Title, &state, &v.Council, &v.CouncilName, &choice, &cast)
		v.State, v.Choice, v.Cast = soviet.MotionState(state), soviet.Choice(choice), micros(cast)
		return v, err
	}, `SELECT m.id, m.title, m.state, m.council, k.name, r.choice, r.cast_at
		FROM rollcall r JOIN motions m ON m.id = r.motion JOIN councils k ON k.id = m.council
		WHERE r.account = ? AND k.federation = ? AND EXISTS (SELECT 1 FROM offices o WHERE o.account = r.account
			AND o.body = m.council AND o.since <= r.cast_at AND (o.until = 0 OR o.until >= r.cast_at))
		ORDER BY r.cast_at DESC, m.id DESC`, account, federation); err != nil {
		return rec, fmt.Errorf("votes of %d: %w", account, err)
	}
	rec.Offices, rec.Candidacies, rec.Votes = nonNilRows(rec.Offices), nonNilRows(rec.Candidacies), nonNilRows(rec.Votes)
	return rec, nil
}

// nonNilRows makes an empty list encode as [] rather than null.
func nonNilRows[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Election returns an election.
func (db *DB) Election(ctx context.Context, id int64) (soviet.Election, error) {
	return one(ctx, db, scanElection, "election", id, "SELECT "+electionCols+" FROM elections WHERE id = ?", id)
}
