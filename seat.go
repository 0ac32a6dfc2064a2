package soviet

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"soviet/tally"
)

// Committee councils are elected by another council (their parent) to act
// for it: an executive, a secretariat, a commission with a mandate.
const Committee CouncilKind = "committee"

// Committee roles.
const (
	Executive   = "executive"
	Secretariat = "secretariat"
	Commission  = "commission"
)

// Delegation is the number of seats a constituency holds in a body: a
// constituent council's seats in a delegate council (apportioned by
// membership), or a council's seats in its committee.
type Delegation struct {
	Body         int64 `json:"body"`
	Constituency int64 `json:"constituency"`
	Seats        int   `json:"seats"`
}

// Office is a seat held: a delegate in a delegate council, or a member of
// a committee. It ends when its holder is recalled, replaced, leaves, or
// their term ends.
type Office struct {
	ID           int64     `json:"id"`
	Body         int64     `json:"body"`
	Constituency int64     `json:"constituency"`
	Account      int64     `json:"account"`
	Faction      int64     `json:"faction,omitempty"`
	Election     int64     `json:"election,omitempty"`
	Since        time.Time `json:"since"`
	Until        time.Time `json:"until,omitzero"`
	Reason       string    `json:"reason,omitempty"` // why it ended
}

// Active reports whether the office is held now.
func (o Office) Active() bool { return o.Until.IsZero() }

// Reasons an office ends.
const (
	EndRecalled = "recalled"
	EndReplaced = "replaced"
	EndTerm     = "term"
	EndLeft     = "left"
	EndResigned = "resigned"
)

// SeatRow is one constituency's line of a seat table.
type SeatRow struct {
	Constituency int64 `json:"constituency"`
	Represented  int64 `json:"represented"` // members it represents
	Seats        int   `json:"seats"`
}

// Constituent is a council that sends delegates to a body, with the members
// it represents.
type Constituent struct {
	Council
	Represented int64
}

// rebalanceAbove recomputes the seat tables of every delegate council above
// council c (c itself included if it is one), after a change of membership
// or links under it. It reads only the links above c, so its cost does not
// grow with the size of the federation.
func rebalanceAbove(ctx context.Context, tx Tx, actor int64, c Council) error {
	links, err := tx.LinksAbove(ctx, c.ID)
	if err != nil {
		return err
	}
	bodies := []int64{c.ID}
	seen := map[int64]bool{c.ID: true}
	for i := 0; i < len(bodies); i++ {
		for _, l := range links {
			if l.From == bodies[i] && !seen[l.To] {
				seen[l.To] = true
				bodies = append(bodies, l.To)
			}
		}
	}
	ch, err := tx.Charter(ctx, c.Federation)
	if err != nil {
		return err
	}
	for _, id := range bodies {
		body := c
		if id != c.ID {
			if body, err = tx.Council(ctx, id); err != nil {
				return err
			}
		}
		if body.Kind != Delegate {
			continue
		}
		if _, err := rebalance(ctx, tx, actor, ch, body); err != nil {
			return fmt.Errorf("seats of %q: %w", body.Name, err)
		}
	}
	return nil
}

// RebalanceAll apportions the seats of every delegate council of the
// federation again, from the current membership and charter, and opens or
// cancels the elections the changes need: after an import of members, or
// after a change of charter. It returns the number of seat tables that
// changed; when none is out of date it changes nothing. Any member of the
// federation, and its founder, may ask for it: it can only bring the seats
// to what the charter says.
func (s *Service) RebalanceAll(ctx context.Context, actor, federation int64) (int, error) {
	var changed int
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		f, err := tx.Federation(ctx, federation)
		if err != nil {
			return err
		}
		roles, err := federationRoles(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		if err := Authorize(ActRebalance, roles); err != nil {
			return err
		}
		changed, err = rebalanceAll(ctx, tx, actor, f.ID)
		return err
	})
	return changed, err
}

// rebalanceAll recomputes every seat table of a federation in tx.
func rebalanceAll(ctx context.Context, tx Tx, actor, federation int64) (int, error) {
	ch, err := tx.Charter(ctx, federation)
	if err != nil {
		return 0, err
	}
	councils, err := tx.CouncilsOf(ctx, federation)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, body := range councils {
		if body.Kind != Delegate {
			continue
		}
		changed, err := rebalance(ctx, tx, actor, ch, body)
		if err != nil {
			return n, fmt.Errorf("seats of %q: %w", body.Name, err)
		}
		if changed {
			n++
		}
	}
	return n, nil
}

// Apportion computes the seat table of a delegate council under a
// charter, from the members its constituent councils represent.
func Apportion(ch Charter, body Council, constituents []Council, represented []int64) ([]SeatRow, string, error) {
	rows := make([]SeatRow, len(constituents))
	for i, c := range constituents {
		rows[i] = SeatRow{Constituency: c.ID, Represented: represented[i]}
	}
	if len(rows) == 0 {
		return rows, "no council sends delegates here yet", nil
	}
	switch ch.Apportionment {
	case "fixed":
		for i := range rows {
			rows[i].Seats = ch.FixedSeats
		}
		return rows, fmt.Sprintf("fixed: %d seats for each constituent council", ch.FixedSeats), nil
	case "per-members":
		for i := range rows {
			n := int((rows[i].Represented + int64(ch.MembersPerSeat) - 1) / int64(ch.MembersPerSeat))
			rows[i].Seats = max(n, ch.MinSeats)
		}
		return rows, fmt.Sprintf("one seat per %d members or part of it, at least %d", ch.MembersPerSeat, ch.MinSeats), nil
	}
	var total int64
	for _, r := range rows {
		total += r.Represented
	}
	if total == 0 {
		for i := range rows {
			rows[i].Seats = ch.MinSeats
		}
		return rows, fmt.Sprintf("no members yet: each council has its minimum of %d seats", ch.MinSeats), nil
	}
	parties := make([]tally.Party, len(rows))
	for i, c := range constituents {
		parties[i] = tally.Party{Name: fmt.Sprintf("%d %s", c.ID, c.Name), Count: rows[i].Represented}
	}
	house := ch.HouseSize
	if need := ch.MinSeats * len(rows); need > house {
		// A minimum for every council must fit in the house: the house
		// grows rather than a council going unrepresented.
		house = need
	}
	a, err := tally.Apportion(ch.Apportionment, house, parties, tally.ApportionOptions{Min: ch.MinSeats, Seed: fmt.Sprintf("seats of council %d", body.ID)})
	if err != nil {
		return nil, "", Errorf(ErrInvalid, "apportionment: %v", err)
	}
	for i := range rows {
		rows[i].Seats = a.Seats[i]
	}
	return rows, describeApportionment(ch, house, a), nil
}

func describeApportionment(ch Charter, house int, a *tally.Apportionment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d seats divided by %s among %d councils by the members they represent", house, ch.Apportionment, len(a.Seats))
	if ch.MinSeats > 0 {
		fmt.Fprintf(&b, ", at least %d each", ch.MinSeats)
	}
	if a.Last != nil {
		fmt.Fprintf(&b, "; the last seat went at quotient %s", a.Last.Value())
	}
	if a.Next != nil {
		fmt.Fprintf(&b, ", the next would go at %s", a.Next.Value())
	}
	if len(a.Ties) > 0 {
		fmt.Fprintf(&b, "; %d tie(s) broken by lot (seed %q)", len(a.Ties), a.Seed)
	}
	return b.String()
}

// rebalance recomputes one delegate council's seat table and, where a
// constituency's seats changed, opens or cancels the elections it needs. It
// reports whether the table changed.
func rebalance(ctx context.Context, tx Tx, actor int64, ch Charter, body Council) (bool, error) {
	cs, err := tx.Constituents(ctx, body.ID)
	if err != nil {
		return false, err
	}
	slices.SortFunc(cs, func(a, b Constituent) int { return cmp.Compare(a.ID, b.ID) })
	constituents := make([]Council, len(cs))
	represented := make([]int64, len(cs))
	for i, c := range cs {
		constituents[i], represented[i] = c.Council, c.Represented
	}
	rows, report, err := Apportion(ch, body, constituents, represented)
	if err != nil {
		return false, err
	}
	current, err := tx.Delegations(ctx, body.ID)
	if err != nil {
		return false, err
	}
	old := make(map[int64]int, len(current))
	for _, d := range current {
		old[d.Constituency] = d.Seats
	}
	changed := len(current) != len(rows)
	for _, r := range rows {
		if s, ok := old[r.Constituency]; !ok || s != r.Seats {
			changed = true
		}
	}
	if !changed {
		return false, nil
	}
	if _, err := tx.Append(ctx, actor, SeatsApportioned{Body: body.ID, Method: ch.Apportionment, Rows: rows, Report: report}); err != nil {
		return false, err
	}
	for _, r := range rows {
		if s, ok := old[r.Constituency]; ok && s == r.Seats {
			continue
		}
		if err := fillSeats(ctx, tx, actor, ch, body, r.Constituency, r.Seats); err != nil {
			return false, err
		}
	}
	return true, nil
}

// fillSeats opens the election a constituency needs after its number of
// seats in body changed, or after a seat fell vacant: a by-election for
// the vacant seats, or a full election when it holds more seats than it
// may (the delegation is then elected anew, and serves until then).
// An election already open for the delegation is cancelled first: the new
// one replaces it.
func fillSeats(ctx context.Context, tx Tx, actor int64, ch Charter, body Council, constituency int64, seats int) error {
	open, err := tx.OpenElections(ctx, body.ID, constituency)
	if err != nil {
		return err
	}
	for _, e := range open {
		if _, err := tx.Append(ctx, actor, ElectionCancelled{Election: e.ID, Reason: "the number of seats changed"}); err != nil {
			return err
		}
	}
	held, err := tx.Offices(ctx, body.ID, constituency)
	if err != nil {
		return err
	}
	kind, n := ByElection, seats-len(held)
	if len(held) > seats {
		kind, n = FullElection, seats
	}
	if n <= 0 {
		return nil
	}
	c, err := tx.Council(ctx, constituency)
	if err != nil {
		return err
	}
	_, err = openElection(ctx, tx, actor, ch, c, body, kind, n)
	return err
}
