package tally

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomProfile makes a profile with a popularity skew (so that counts have
// winners, losers and transfers) and truncated ballots (so that ballots
// exhaust).
func randomProfile(r *rand.Rand, ncand, nballots, seats int) *Profile {
	names := make([]string, ncand)
	pop := make([]float64, ncand)
	for i := range names {
		names[i] = fmt.Sprintf("C%d", i+1)
		pop[i] = r.Float64()*r.Float64() + 0.05
	}
	var ballots []Ballot
	for i := 0; i < nballots; i++ {
		ballots = append(ballots, Ballot{Weight: int64(1 + r.IntN(3)), Ranking: plackettLuce(r, pop, 1+r.IntN(ncand))})
	}
	p, err := NewProfile("random", names, nil, seats, ballots)
	if err != nil {
		panic(err)
	}
	return p
}

// plackettLuce draws a ranking of length k: each next preference is drawn
// with probability proportional to its popularity.
func plackettLuce(r *rand.Rand, pop []float64, k int) []int {
	left := make([]int, len(pop))
	for i := range left {
		left[i] = i
	}
	out := make([]int, 0, k)
	for len(out) < k {
		var sum float64
		for _, c := range left {
			sum += pop[c]
		}
		x := r.Float64() * sum
		j := 0
		for ; j < len(left)-1; j++ {
			x -= pop[left[j]]
			if x < 0 {
				break
			}
		}
		out = append(out, left[j])
		left = slices.Delete(left, j, j+1)
	}
	return out
}

var stvMethods = []string{"meek", "wigm", "scottish"}

// TestEveryVoteAccountedFor: in every round, the candidates' votes plus the
// exhausted votes make the total, less at most what truncation may lose
// (two units per ballot and transfer); never more.
func TestEveryVoteAccountedFor(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 60; i++ {
		p := randomProfile(r, 3+r.IntN(8), 10+r.IntN(300), 1)
		p.Seats = 1 + r.IntN(len(p.Candidates)-1)
		for _, m := range append(slices.Clone(stvMethods), "irv", "plurality") {
			res, err := Count(m, p, Options{Seed: "x"})
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			total := Value{n: i128From(res.Ballots)}
			for k, rd := range res.Rounds {
				sum := rd.Exhausted
				for c := range rd.Votes {
					if rd.Votes[c].n.sign() < 0 {
						t.Fatalf("profile %d %s round %d: %s has negative votes", i, m, k, p.Candidates[c])
					}
					sum = Value{n: sum.n.add(rd.Votes[c].n), scale: sum.scale, show: sum.show}
				}
				unit := Value{n: i128From(1), scale: sum.scale}
				lost := unitsBetween(total, sum)
				// Each transfer truncates twice per ballot at most.
				maxLoss := 2 * res.Ballots * int64(len(res.Rounds)) // units
				if lost < 0 || lost > maxLoss {
					t.Fatalf("profile %d %s round %d (%s): votes+exhausted = %s of %d ballots (lost %d units of %s)",
						i, m, k, rd.Action, sum, res.Ballots, lost, unit)
				}
			}
		}
	}
}

// unitsBetween returns a−b in units of b's scale (b.scale ≥ a.scale).
func unitsBetween(a, b Value) int64 {
	x := a.n.big()
	for i := a.scale; i < b.scale; i++ {
		x.Mul(x, big.NewInt(10))
	}
	x.Sub(x, b.n.big())
	return x.Int64()
}

// TestIndependentOfBallotOrder: shuffling the ballots changes nothing,
// not even a tie broken by lot (the lot depends on the seed only).
func TestIndependentOfBallotOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 30; i++ {
		p := randomProfile(r, 3+r.IntN(7), 20+r.IntN(200), 1)
		p.Seats = 1 + r.IntN(len(p.Candidates)-1)
		q := *p
		q.Ballots = slices.Clone(p.Ballots)
		r.Shuffle(len(q.Ballots), func(a, b int) { q.Ballots[a], q.Ballots[b] = q.Ballots[b], q.Ballots[a] })
		for _, m := range Methods() {
			a, err1 := Count(m, p, Options{Seed: "s"})
			b, err2 := Count(m, &q, Options{Seed: "s"})
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", m, err1, err2)
			}
			if !slices.Equal(a.Elected, b.Elected) || len(a.Rounds) != len(b.Rounds) {
				t.Fatalf("profile %d %s: elected %v / %v after shuffling", i, m, a.Elected, b.Elected)
			}
			for k := range a.Rounds {
				if !slices.Equal(a.Rounds[k].Votes, b.Rounds[k].Votes) {
					t.Fatalf("profile %d %s round %d differs after shuffling", i, m, k)
				}
			}
		}
	}
}

// TestIndependentOfCandidateNumbering: renumbering the candidates elects
// the same people, unless a tie was drawn by lot.
func TestIndependentOfCandidateNumbering(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 30; i++ {
		p := randomProfile(r, 3+r.IntN(7), 20+r.IntN(200), 1)
		p.Seats = 1 + r.IntN(len(p.Candidates)-1)
		perm := r.Perm(len(p.Candidates)) // old index → new index
		names := make([]string, len(p.Candidates))
		for old, nw := range perm {
			names[nw] = p.Candidates[old]
		}
		var ballots []Ballot
		for _, b := range p.Ballots {
			nr := make([]int, len(b.Ranking))
			for k, c := range b.Ranking {
				nr[k] = perm[c]
			}
			ballots = append(ballots, Ballot{Weight: b.Weight, Ranking: nr})
		}
		q, err := NewProfile(p.Title, names, nil, p.Seats, ballots)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range Methods() {
			a, _ := Count(m, p, Options{Seed: "s"})
			b, _ := Count(m, q, Options{Seed: "s"})
			if hasLot(a) || hasLot(b) {
				continue
			}
			an, bn := a.ElectedNames(), b.ElectedNames()
			slices.Sort(an)
			slices.Sort(bn)
			if !slices.Equal(an, bn) {
				t.Fatalf("profile %d %s: elected %v, renumbered %v", i, m, an, bn)
			}
		}
	}
}

func hasLot(r *Result) bool {
	for _, t := range r.Ties {
		if t.ByLot {
			return true
		}
	}
	return false
}

// TestOneSeatSTVIsIRV: with one seat, every STV method elects the IRV
// winner.
func TestOneSeatSTVIsIRV(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	checked := 0
	for i := 0; i < 80; i++ {
		p := randomProfile(r, 3+r.IntN(8), 10+r.IntN(300), 1)
		irv, err := Count("irv", p, Options{Seed: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if hasLot(irv) {
			continue
		}
		for _, m := range stvMethods {
			res, err := Count(m, p, Options{Seed: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if hasLot(res) {
				continue
			}
			checked++
			if !slices.Equal(res.Elected, irv.Elected) {
				t.Errorf("profile %d: %s elects %v, irv %v", i, m, res.ElectedNames(), irv.ElectedNames())
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d comparisons without a lot", checked)
	}
}

// TestCondorcetWinnerWins: a candidate who beats every other pairwise wins
// under schulze, ranked-pairs and copeland.
func TestCondorcetWinnerWins(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	found := 0
	for i := 0; i < 200; i++ {
		p := randomProfile(r, 3+r.IntN(8), 5+r.IntN(60), 1)
		c := &counter{p: p, n: len(p.Candidates)}
		d, _ := c.pairwise()
		winner := -1
		for x := range d {
			beats := true
			for y := range d {
				if y != x && d[x][y] <= d[y][x] {
					beats = false
				}
			}
			if beats {
				winner = x
			}
		}
		if winner < 0 {
			continue
		}
		found++
		for _, m := range []string{"schulze", "ranked-pairs", "copeland"} {
			res, err := Count(m, p, Options{Seed: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Elected, []int{winner}) {
				t.Errorf("profile %d: %s elects %v; Condorcet winner %s", i, m, res.ElectedNames(), p.Candidates[winner])
			}
		}
	}
	if found < 50 {
		t.Errorf("only %d profiles with a Condorcet winner", found)
	}
}

// TestPairwiseMatchesNaive checks the pairwise counts (bit-sliced for
// strict ballots, tables for ties, split among processors for large
// profiles) against a direct count of every pair on every ballot.
func TestPairwiseMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for i, tc := range []struct{ ncand, nballots int }{{5, 50}, {12, 300}, {70, 200}, {8, 25000}} {
		p := randomProfile(r, tc.ncand, tc.nballots, 1)
		for k := range p.Ballots {
			if k%3 == 0 && len(p.Ballots[k].Ranking) > 2 {
				p.Ballots[k].Tied = make([]bool, len(p.Ballots[k].Ranking))
				p.Ballots[k].Tied[1+r.IntN(len(p.Ballots[k].Ranking)-1)] = true
			}
		}
		p.Withdrawn = make([]bool, tc.ncand)
		p.Withdrawn[r.IntN(tc.ncand)] = true
		c := &counter{p: p, n: tc.ncand}
		got, _ := c.pairwise()
		want := make([][]int64, tc.ncand)
		for x := range want {
			want[x] = make([]int64, tc.ncand)
		}
		for _, b := range p.Ballots {
			level := make([]int, tc.ncand) // 0: unranked; else 1 + group number
			g := 0
			for j, x := range b.Ranking {
				if j == 0 || b.Tied == nil || !b.Tied[j] {
					g++
				}
				level[x] = g
			}
			for x := range level {
				for y := range level {
					if x == y || p.Withdrawn[x] || p.Withdrawn[y] || level[x] == 0 {
						continue
					}
					if level[y] == 0 || level[x] < level[y] {
						want[x][y] += b.Weight
					}
				}
			}
		}
		for x := range want {
			if !slices.Equal(got[x], want[x]) {
				t.Fatalf("case %d (%d candidates): row %d = %v; want %v", i, tc.ncand, x, got[x], want[x])
			}
		}
	}
}
