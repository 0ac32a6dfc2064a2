package tally

import "slices"

// Shared by the STV methods (meek, wigm, scottish).

// stvBallots are the ballots as STV reads them: each ranking cut before its
// first group of equal preferences (a paper ballot is read up to the first
// preference marked twice), withdrawn candidates removed, empty ballots
// dropped. Rankings are stored in one array: no allocation per ballot.
type stvBallots struct {
	off    []int32 // ballot i ranks cand[off[i]:off[i+1]]
	cand   []int32
	weight []int64
	total  int64 // number of valid ballots (sum of weights)
}

func (c *counter) stvBallots() stvBallots {
	p := c.p
	var s stvBallots
	n := 0
	for i := range p.Ballots {
		n += len(p.Ballots[i].Ranking)
	}
	s.off = make([]int32, 1, len(p.Ballots)+1)
	s.weight = make([]int64, 0, len(p.Ballots))
	s.cand = make([]int32, 0, n)
	for i := range p.Ballots {
		b := &p.Ballots[i]
		r := b.prefix()
		if len(r) == 0 {
			continue
		}
		// A ballot that ranks only withdrawn candidates still counts in the
		// total (it was a valid vote); it is exhausted from the start.
		s.total += b.Weight
		for _, x := range r {
			if !p.isWithdrawn(x) {
				s.cand = append(s.cand, int32(x))
			}
		}
		s.off = append(s.off, int32(len(s.cand)))
		s.weight = append(s.weight, b.Weight)
	}
	return s
}

func (s *stvBallots) len() int { return len(s.weight) }

// initialStatus returns every candidate hopeful except the withdrawn.
func (c *counter) initialStatus() []Status {
	st := make([]Status, c.n)
	for i := range st {
		if c.p.isWithdrawn(i) {
			st[i] = Withdrawn
		}
	}
	return st
}

// priorRoundTie applies the STV tie rule: among the tied candidates, look
// at the most recent earlier round where their votes differed and take the
// lowest (lowest true) or highest; history holds the vote vectors of the
// earlier rounds, oldest first. It returns the remaining candidates (one
// when the rule decided).
func priorRoundTie(tied []int, history [][]i128, lowest bool) []int {
	cur := tied
	for h := len(history) - 1; h >= 0 && len(cur) > 1; h-- {
		v := history[h]
		best := v[cur[0]]
		for _, x := range cur[1:] {
			if d := v[x].cmp(best); (lowest && d < 0) || (!lowest && d > 0) {
				best = v[x]
			}
		}
		var next []int
		for _, x := range cur {
			if v[x].cmp(best) == 0 {
				next = append(next, x)
			}
		}
		cur = next
	}
	return cur
}

// breakSTVTie picks one of tied by the prior-round rule, then by lot, and
// records the tie.
func (c *counter) breakSTVTie(round int, purpose string, tied []int, history [][]i128, lowest bool) int {
	if len(tied) == 1 {
		return tied[0]
	}
	rest := priorRoundTie(tied, history, lowest)
	if len(rest) == 1 {
		c.recordTie(round, purpose, tied, rest[0])
		return rest[0]
	}
	chosen := c.drawLotAmong(round, purpose, tied, rest)
	return chosen
}

// drawLotAmong draws among rest (a subset of tied) and records the tie as
// one between all of tied.
func (c *counter) drawLotAmong(round int, purpose string, tied, rest []int) int {
	chosen := c.drawLot(round, purpose, rest)
	c.res.Ties[len(c.res.Ties)-1].Candidates = slices.Sorted(slices.Values(tied))
	return chosen
}

// snapshot converts fixed-point votes to Values for a Round.
func snapshot(votes []i128, scale, show uint8) []Value {
	out := make([]Value, len(votes))
	for i, v := range votes {
		out[i] = Value{n: v, scale: scale, show: show}
	}
	return out
}

func sumI128(vs []i128) i128 {
	var t i128
	for _, v := range vs {
		t = t.add(v)
	}
	return t
}
