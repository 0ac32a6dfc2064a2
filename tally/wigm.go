package tally

import (
	"fmt"
	"math/big"
	"slices"
)

// Weighted inclusive Gregory STV, in two variants that share this code:
//
// wigm, as Droop's "wigm" rule: fixed point in units of 10^-27 shown to
// 18 places (guarded: values within half a unit of the 18th place are
// equal); quota = ballots/(seats+1), not rounded; a candidate with more than
// the quota is elected. Each round elects every candidate over the quota,
// then transfers the largest pending surplus — every ballot the candidate
// holds, at weight × surplus / votes — or, if none is pending, excludes the
// candidate with fewest votes and transfers their ballots at their weight.
//
// scottish, as the Scottish Local Government Elections Order 2007 (SSI
// 2007/42) rules 45–52: 5 decimal places; quota = ballots/(seats+1) with
// the decimals ignored, plus one (46); a candidate with at least the quota
// is elected (47); the largest surplus is transferred first (49), every
// ballot of the candidate at the value surplus × value / votes calculated to
// five decimal places, any remainder ignored (48(3)); the candidate with
// fewest votes is excluded (50); ties go to the most recent preceding stage
// at which the candidates had unequal votes, then by lot (49(2), 51(2));
// when as many continuing candidates remain as vacancies, they are elected
// without further transfer (52).
type gregory struct {
	c         *counter
	b         stvBallots
	scottish  bool
	unit      i128 // one vote
	scale     uint8
	show      uint8
	pos       []int32 // next preference of each ballot (index into b.cand)
	w         []i128  // weight of one ballot of each group
	pile      [][]int32
	vote      []i128
	status    []Status
	pending   []bool
	exhausted i128
	total     i128
	quota     i128
	elected   int
	round     int
	history   [][]i128
}

func countWIGM(c *counter) error     { return countGregory(c, false) }
func countScottish(c *counter) error { return countGregory(c, true) }

func countGregory(c *counter, scottish bool) error {
	g := &gregory{c: c, b: c.stvBallots(), scottish: scottish}
	if scottish {
		g.unit, g.scale, g.show = i128From(100_000), 5, 5
	} else {
		g.unit, g.scale, g.show = scale27, meekScale, meekShow
	}
	n := g.b.len()
	g.pos = make([]int32, n)
	g.w = make([]i128, n)
	g.pile = make([][]int32, c.n)
	g.vote = make([]i128, c.n)
	g.status = c.initialStatus()
	g.pending = make([]bool, c.n)
	g.total = g.unit.mulU64(uint64(g.b.total))
	c.res.Ballots = g.b.total
	seats := c.res.Seats
	if scottish {
		g.quota = g.unit.mulU64(uint64(g.b.total/int64(seats+1) + 1))
	} else {
		g.quota = mustI128(new(big.Int).Quo(g.total.big(), big.NewInt(int64(seats+1))))
	}
	q := g.val(g.quota)
	c.res.Quota = &q
	for i := 0; i < n; i++ {
		g.pos[i] = g.b.off[i]
		g.w[i] = g.unit
		g.transfer(int32(i))
	}
	g.round = 1
	g.record(ActionCount, nil, "first preferences")
	g.history = append(g.history, slices.Clone(g.vote))
	if scottish {
		g.runScottish(seats)
	} else {
		g.runWIGM(seats)
	}
	g.finish(seats)
	return nil
}

func (g *gregory) val(v i128) Value { return Value{n: v, scale: g.scale, show: g.show} }

// cmp compares votes: with the guard for wigm, exactly for scottish.
func (g *gregory) cmp(a, b i128) int {
	if g.scottish {
		return a.cmp(b)
	}
	return gcmp(a, b)
}

func (g *gregory) hasQuota(x int) bool {
	if g.scottish {
		return g.vote[x].cmp(g.quota) >= 0
	}
	return gcmp(g.vote[x], g.quota) > 0
}

// transfer moves ballot i to its next hopeful preference, or to the
// exhausted pile.
func (g *gregory) transfer(i int32) {
	end := g.b.off[i+1]
	p := g.pos[i]
	for p < end && g.status[g.b.cand[p]] != Hopeful {
		p++
	}
	g.pos[i] = p
	v := g.w[i].mulU64(uint64(g.b.weight[i]))
	if p == end {
		g.exhausted = g.exhausted.add(v)
		return
	}
	x := g.b.cand[p]
	g.vote[x] = g.vote[x].add(v)
	g.pile[x] = append(g.pile[x], i)
}

func (g *gregory) hopefuls() []int {
	var h []int
	for x, s := range g.status {
		if s == Hopeful {
			h = append(h, x)
		}
	}
	return h
}

func (g *gregory) electQuotas() {
	// Most votes first; equal votes later candidate first, as Droop
	// records them (the order of these records decides nothing).
	h := g.hopefuls()
	slices.SortFunc(h, func(a, b int) int {
		if d := g.vote[b].cmp(g.vote[a]); d != 0 {
			return d
		}
		return b - a
	})
	for _, x := range h {
		if g.hasQuota(x) {
			g.status[x] = Elected
			g.pending[x] = true
			g.elected++
			g.c.res.Elected = append(g.c.res.Elected, x)
			g.record(ActionElect, []int{x}, "quota reached; surplus pending")
		}
	}
}

// transferSurplus transfers the largest pending surplus; it reports false
// when none is pending.
func (g *gregory) transferSurplus() bool {
	var pend []int
	for x, p := range g.pending {
		if p {
			pend = append(pend, x)
		}
	}
	if len(pend) == 0 {
		return false
	}
	x := g.c.breakSTVTie(g.round, "surplus", g.extreme(pend, false), g.history, false)
	g.pending[x] = false
	surplus := g.vote[x].sub(g.quota)
	votes := g.vote[x]
	sb, vb := surplus.big(), votes.big()
	memo := map[i128]i128{}
	pile := g.pile[x]
	g.pile[x] = nil
	for _, i := range pile {
		nw, ok := memo[g.w[i]]
		if !ok {
			t := new(big.Int).Mul(g.w[i].big(), sb)
			if !g.scottish {
				// Droop's guarded arithmetic truncates the product first.
				t.Quo(t, scale27Big)
				t.Mul(t, scale27Big)
			}
			t.Quo(t, vb)
			nw = mustI128(t)
			memo[g.w[i]] = nw
		}
		g.w[i] = nw
		g.transfer(i)
	}
	g.vote[x] = g.quota
	g.record(ActionSurplus, []int{x}, fmt.Sprintf("surplus %s transferred", g.val(surplus)))
	return true
}

// extreme returns the candidates of cands with the fewest (lowest) or most
// votes: several when they tie.
func (g *gregory) extreme(cands []int, lowest bool) []int {
	best := cands[0]
	for _, x := range cands[1:] {
		if d := g.vote[x].cmp(g.vote[best]); (lowest && d < 0) || (!lowest && d > 0) {
			best = x
		}
	}
	var tied []int
	for _, x := range cands {
		if g.cmp(g.vote[x], g.vote[best]) == 0 {
			tied = append(tied, x)
		}
	}
	return tied
}

// exclude defeats the candidate with fewest votes and transfers their
// ballots at their current weight.
func (g *gregory) exclude() {
	h := g.hopefuls()
	if len(h) == 0 {
		return
	}
	x := g.c.breakSTVTie(g.round, "defeat", g.extreme(h, true), g.history, true)
	g.status[x] = Defeated
	g.record(ActionDefeat, []int{x}, "fewest votes")
	pile := g.pile[x]
	g.pile[x] = nil
	for _, i := range pile {
		g.transfer(i)
	}
	g.vote[x] = i128{}
	g.record(ActionTransfer, []int{x}, "ballots transferred")
}

func (g *gregory) seatsLeft(seats int) int { return seats - g.elected }

func (g *gregory) runWIGM(seats int) {
	for len(g.hopefuls()) > g.seatsLeft(seats) && g.seatsLeft(seats) > 0 {
		g.round++
		g.electQuotas()
		if !g.transferSurplus() {
			g.exclude()
		}
		g.history = append(g.history, slices.Clone(g.vote))
	}
}

func (g *gregory) runScottish(seats int) {
	complete := func() bool {
		left := g.seatsLeft(seats)
		return left <= 0 || len(g.hopefuls()) <= left
	}
	for {
		g.electQuotas()
		if complete() {
			return
		}
		g.round++
		if g.transferSurplus() {
			g.history = append(g.history, slices.Clone(g.vote))
			continue
		}
		g.exclude()
		g.history = append(g.history, slices.Clone(g.vote))
		if complete() {
			return
		}
	}
}

// finish elects the last continuing candidates if they fit the seats left
// (Scottish rule 52, and the end of every STV count), and defeats any
// others.
func (g *gregory) finish(seats int) {
	for x := range g.pending {
		g.pending[x] = false
	}
	// In ballot-paper order, as Droop does, so that each step of the
	// report matches its own.
	for _, x := range g.hopefuls() {
		if g.elected < seats {
			g.status[x] = Elected
			g.elected++
			g.c.res.Elected = append(g.c.res.Elected, x)
			g.record(ActionRemaining, []int{x}, "elected: as many continuing candidates as seats left")
		} else {
			g.status[x] = Defeated
			g.record(ActionRemaining, []int{x}, "defeated: every seat filled")
		}
	}
	g.record(ActionComplete, nil, "")
}

func (g *gregory) record(a Action, cands []int, note string) {
	q := g.val(g.quota)
	var sur i128
	for x, p := range g.pending {
		if p {
			sur = sur.add(g.vote[x].sub(g.quota))
		}
	}
	s := g.val(sur)
	g.c.res.Rounds = append(g.c.res.Rounds, Round{
		Number: g.round, Action: a, Candidates: cands, Note: note,
		Votes: snapshot(g.vote, g.scale, g.show), Status: slices.Clone(g.status),
		Exhausted: g.val(g.exhausted), Quota: &q, Surplus: &s,
	})
}
