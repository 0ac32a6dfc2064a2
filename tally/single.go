package tally

import (
	"fmt"
	"slices"
)

// The single-winner and simple methods. How each reads a ranking with
// candidates ranked equally (PrefLib .toi files, "=" in BLT):
//
//   - plurality and irv read a ballot up to its first group of equal
//     preferences, as a paper ballot is read up to the first preference
//     marked twice: a ballot whose first preference is shared counts for no
//     one (in irv, it counts from the round where every candidate before the
//     tie is out, no more);
//   - approval approves every candidate the ballot ranks, tied or not;
//   - borda gives a candidate one point for each candidate ranked strictly
//     below it (unranked candidates are below every ranked one), so equally
//     ranked candidates get equal points and nothing between them;
//   - schulze, ranked-pairs and copeland use the pairwise contests, where
//     equally ranked candidates prefer neither to the other, and a ranked
//     candidate is preferred to every unranked one.
//
// Withdrawn candidates are skipped on every ballot.

// standing reports whether candidate x did not withdraw.
func (c *counter) standing(x int) bool { return !c.p.isWithdrawn(x) }

// orderByScore orders the standing candidates by score, highest first.
// Equal scores keep ballot-paper order, except a tie across the last seat,
// which is drawn by lot (and recorded): only there does the order decide
// something.
func (c *counter) orderByScore(scores []int64, seats int, round int) []int {
	var order []int
	for x := 0; x < c.n; x++ {
		if c.standing(x) {
			order = append(order, x)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	if seats >= len(order) {
		return order
	}
	// The group tied with the candidate in the last seat.
	cut := scores[order[seats-1]]
	lo, hi := seats-1, seats
	for lo > 0 && scores[order[lo-1]] == cut {
		lo--
	}
	for hi < len(order) && scores[order[hi]] == cut {
		hi++
	}
	if hi-lo > 1 && hi > seats {
		group := slices.Clone(order[lo:hi])
		// Draw the seats in the group one at a time.
		for k := lo; k < seats; k++ {
			pick := c.drawLot(round, "winner", group)
			i := slices.Index(group, pick)
			group = slices.Delete(group, i, i+1)
			order[k] = pick
		}
		copy(order[seats:hi], group)
	}
	return order
}

// scoreRound records one round with whole-number scores.
func (c *counter) scoreRound(number int, a Action, cands []int, note string, scores []int64, status []Status, exhausted int64) {
	v := make([]Value, c.n)
	for x := range v {
		v[x] = wholeValue(scores[x])
	}
	c.res.Rounds = append(c.res.Rounds, Round{Number: number, Action: a, Candidates: cands, Note: note,
		Votes: v, Status: slices.Clone(status), Exhausted: wholeValue(exhausted)})
}

// electTop elects the first seats of the order and records the final round.
func (c *counter) electTop(order []int, scores []int64, exhausted int64, note string) {
	seats := c.res.Seats
	c.res.Ranking = order
	c.res.Elected = slices.Clone(order[:seats])
	st := c.initialStatus()
	for i, x := range order {
		if i < seats {
			st[x] = Elected
		} else {
			st[x] = Defeated
		}
	}
	c.scoreRound(1, ActionElect, c.res.Elected, note, scores, st, exhausted)
}

// countScores counts the methods that add up points per ballot: score
// gives the ballot's points (times its weight) and reports whether it gave
// any; the standing candidates are then ordered by their totals.
func countScores(c *counter, note string, score func(b *Ballot, scores []int64) bool) {
	scores := make([]int64, c.n)
	var total, none int64
	for i := range c.p.Ballots {
		b := &c.p.Ballots[i]
		total += b.Weight
		if !score(b, scores) {
			none += b.Weight
		}
	}
	c.res.Ballots = total
	order := c.orderByScore(scores, c.res.Seats, 1)
	c.electTop(order, scores, none, note)
}

func countPlurality(c *counter) error {
	countScores(c, "most first preferences", func(b *Ballot, scores []int64) bool {
		for _, x := range b.prefix() {
			if c.standing(x) {
				scores[x] += b.Weight
				return true
			}
		}
		return false
	})
	return nil
}

func countApproval(c *counter) error {
	countScores(c, "most approvals", func(b *Ballot, scores []int64) bool {
		any := false
		for _, x := range b.Ranking {
			if c.standing(x) {
				scores[x] += b.Weight
				any = true
			}
		}
		return any
	})
	return nil
}

func countBorda(c *counter) error {
	standing := len(c.standingList())
	group := make([]int, 0, c.n)
	countScores(c, "most Borda points", func(b *Ballot, scores []int64) bool {
		below := standing // candidates not yet passed
		for j := 0; j < len(b.Ranking); {
			group = group[:0]
			k := j
			for ; k < len(b.Ranking) && (k == j || (b.Tied != nil && b.Tied[k])); k++ {
				if c.standing(b.Ranking[k]) {
					group = append(group, b.Ranking[k])
				}
			}
			below -= len(group)
			for _, x := range group {
				scores[x] += int64(below) * b.Weight
			}
			j = k
		}
		return below < standing
	})
	return nil
}

func countIRV(c *counter) error {
	status := c.initialStatus()
	var total int64
	for i := range c.p.Ballots {
		total += c.p.Ballots[i].Weight
	}
	c.res.Ballots = total
	var history [][]i128
	for round := 1; ; round++ {
		scores := make([]int64, c.n)
		var exhausted, live int64
		for i := range c.p.Ballots {
			b := &c.p.Ballots[i]
			top := -1
			for _, x := range b.prefix() {
				if status[x] == Hopeful {
					top = x
					break
				}
			}
			if top < 0 {
				exhausted += b.Weight
				continue
			}
			scores[top] += b.Weight
			live += b.Weight
		}
		var hopeful []int
		for x, s := range status {
			if s == Hopeful {
				hopeful = append(hopeful, x)
			}
		}
		best := hopeful[0]
		for _, x := range hopeful {
			if scores[x] > scores[best] {
				best = x
			}
		}
		if 2*scores[best] > live || len(hopeful) == 1 {
			status[best] = Elected
			for _, x := range hopeful {
				if x != best {
					status[x] = Defeated
				}
			}
			c.res.Elected = []int{best}
			c.scoreRound(round, ActionElect, []int{best}, fmt.Sprintf("majority of %d continuing votes", live), scores, status, exhausted)
			return nil
		}
		low := hopeful[0]
		for _, x := range hopeful {
			if scores[x] < scores[low] {
				low = x
			}
		}
		var tied []int
		for _, x := range hopeful {
			if scores[x] == scores[low] {
				tied = append(tied, x)
			}
		}
		cur := make([]i128, c.n)
		for x := range cur {
			cur[x] = i128From(scores[x])
		}
		history = append(history, cur)
		loser := c.breakSTVTie(round, "defeat", tied, history, true)
		status[loser] = Defeated
		c.scoreRound(round, ActionDefeat, []int{loser}, "fewest votes", scores, status, exhausted)
	}
}
