package tally

import (
	"runtime"
	"slices"
	"sync"
)

// pairwise returns d[x][y], the number of voters who rank x above y (a
// ranked candidate is above every unranked one; equally ranked candidates
// are above neither). It costs O(L²) per distinct ballot of length L, not
// O(candidates²): with R[x] the ballots ranking x and A[y][x] those ranking
// y above x, or equal (E), d[x][y] = R[x] − A[y][x] − E[x][y].
func (c *counter) pairwise() ([][]int64, int64) {
	n := c.n
	ballots := c.p.Ballots
	// Large profiles are split among the processors; each part has its own
	// tables, summed at the end, so the result does not depend on the split.
	parts := 1
	if len(ballots) >= 20000 {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	type tables struct {
		above, equal []int64 // [y*n+x]: y ranked above x; equal
		ranked       []int64
		wins         *bitCounts // strict ballots, when n ≤ 64
		total        int64
	}
	res := make([]tables, parts)
	var wg sync.WaitGroup
	for k := 0; k < parts; k++ {
		lo, hi := k*len(ballots)/parts, (k+1)*len(ballots)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := tables{above: make([]int64, n*n), equal: make([]int64, n*n), ranked: make([]int64, n)}
			if n <= 64 {
				t.wins = newBitCounts(n)
			}
			c.pairwisePart(ballots[lo:hi], t.above, t.equal, t.ranked, t.wins, &t.total)
			res[k] = t
		}()
	}
	wg.Wait()
	above, equal, ranked, total := res[0].above, res[0].equal, res[0].ranked, res[0].total
	for _, t := range res[1:] {
		for i := range above {
			above[i] += t.above[i]
			equal[i] += t.equal[i]
		}
		for i := range ranked {
			ranked[i] += t.ranked[i]
		}
		total += t.total
	}
	d := make([][]int64, n)
	for x := range d {
		d[x] = make([]int64, n)
		if !c.standing(x) {
			continue
		}
		for y := 0; y < n; y++ {
			if y != x && c.standing(y) {
				d[x][y] = ranked[x] - above[y*n+x] - equal[x*n+y]
			}
		}
	}
	for _, t := range res {
		if t.wins != nil {
			t.wins.addTo(d)
		}
	}
	return d, total
}

// bitCounts counts, for each candidate y, how many strict ballots put each
// other candidate x below y, as 64-lane bit-sliced counters: plane i of
// row y holds bit i of every lane's count. Adding a ballot costs a few word
// operations per ranked candidate instead of one addition per pair, which
// is what makes a million complete rankings of 50 cheap.
type bitCounts struct {
	n      int
	planes [][bitPlanes]uint64
}

// bitPlanes is enough for MaxBallots (< 2^37) in one lane.
const bitPlanes = 40

func newBitCounts(n int) *bitCounts {
	return &bitCounts{n: n, planes: make([][bitPlanes]uint64, n)}
}

// add adds w to the lanes of mask in row y.
func (b *bitCounts) add(y int, mask uint64, w int64) {
	p := &b.planes[y]
	for i := 0; w != 0 && i < bitPlanes; i, w = i+1, w>>1 {
		if w&1 == 0 {
			continue
		}
		carry := mask
		for j := i; carry != 0 && j < bitPlanes; j++ {
			carry, p[j] = p[j]&carry, p[j]^carry
		}
	}
}

// addTo adds the counts to d[y][x].
func (b *bitCounts) addTo(d [][]int64) {
	for y := range b.planes {
		p := &b.planes[y]
		for x := 0; x < b.n; x++ {
			var v int64
			for i := bitPlanes - 1; i >= 0; i-- {
				v = v<<1 | int64(p[i]>>uint(x)&1)
			}
			d[y][x] += v
		}
	}
}

// pairwisePart adds the ballots' contributions to the tables; strict
// ballots go to wins when it is not nil.
func (c *counter) pairwisePart(ballots []Ballot, above, equal, ranked []int64, wins *bitCounts, total *int64) {
	n := c.n
	var standing uint64
	if wins != nil {
		for x := 0; x < n; x++ {
			if c.standing(x) {
				standing |= 1 << uint(x)
			}
		}
	}
	var r []int
	var grp []int32 // group number of each position in r
	for i := range ballots {
		b := &ballots[i]
		*total += b.Weight
		w := b.Weight
		if wins != nil && b.strict() {
			// Each ranked candidate beats every standing candidate not yet
			// passed: those ranked below it and the unranked.
			left := standing
			for _, y := range b.Ranking {
				if standing&(1<<uint(y)) == 0 {
					continue // withdrawn
				}
				left &^= 1 << uint(y)
				wins.add(y, left, w)
			}
			continue
		}
		if b.strict() && c.p.Withdrawn == nil {
			// Every pair of ranked candidates is ordered.
			r := b.Ranking
			for j, y := range r {
				ranked[y] += w
				row := above[y*n : y*n+n]
				for _, x := range r[j+1:] {
					row[x] += w
				}
			}
			continue
		}
		r, grp = r[:0], grp[:0]
		g := int32(0)
		for j, x := range b.Ranking {
			if j > 0 && !(b.Tied != nil && b.Tied[j]) {
				g++
			}
			if c.standing(x) {
				r = append(r, x)
				grp = append(grp, g)
			}
		}
		for j, y := range r {
			ranked[y] += w
			row := above[y*n : y*n+n]
			for k := j + 1; k < len(r); k++ {
				if grp[k] == grp[j] {
					equal[y*n+r[k]] += w
					equal[r[k]*n+y] += w
				} else {
					row[r[k]] += w
				}
			}
		}
	}
}

// pairRound records the pairwise step: each candidate's pairwise wins.
func (c *counter) pairRound(d [][]int64, scores []int64, note string) {
	st := c.initialStatus()
	for x := range st {
		if st[x] != Withdrawn {
			st[x] = Defeated
		}
	}
	for _, x := range c.res.Elected {
		st[x] = Elected
	}
	c.scoreRound(1, ActionElect, c.res.Elected, note, scores, st, 0)
}

func (c *counter) standingList() []int {
	var s []int
	for x := 0; x < c.n; x++ {
		if c.standing(x) {
			s = append(s, x)
		}
	}
	return s
}

// countSchulze: winning votes. d is the pairwise matrix; p[x][y] the
// strength of the strongest path from x to y (Floyd–Warshall over the
// links x→y with d[x][y] > d[y][x], of strength d[x][y]). x ranks above y
// when p[x][y] > p[y][x]; this relation is transitive (Schulze 2011), so
// ordering by the number of candidates each beats gives the full ranking.
func countSchulze(c *counter) error {
	d, total := c.pairwise()
	c.res.Ballots = total
	n := c.n
	s := c.standingList()
	p := make([][]int64, n)
	for x := range p {
		p[x] = make([]int64, n)
	}
	for _, x := range s {
		for _, y := range s {
			if x != y && d[x][y] > d[y][x] {
				p[x][y] = d[x][y]
			}
		}
	}
	for _, k := range s {
		for _, i := range s {
			if i == k || p[i][k] == 0 {
				continue
			}
			for _, j := range s {
				if j == i || j == k {
					continue
				}
				if m := min(p[i][k], p[k][j]); m > p[i][j] {
					p[i][j] = m
				}
			}
		}
	}
	wins := make([]int64, n)
	for _, x := range s {
		for _, y := range s {
			if p[x][y] > p[y][x] {
				wins[x]++
			}
		}
	}
	order := c.orderByScore(wins, 1, 1)
	c.res.Ranking = order
	c.res.Elected = []int{order[0]}
	c.res.Pairwise, c.res.Strongest = d, p
	c.pairRound(d, wins, "beats the most candidates by strongest paths (winning votes)")
	return nil
}

func countCopeland(c *counter) error {
	d, total := c.pairwise()
	c.res.Ballots = total
	s := c.standingList()
	score := make([]int64, c.n)
	for _, x := range s {
		for _, y := range s {
			switch {
			case d[x][y] > d[y][x]:
				score[x]++
			case d[x][y] < d[y][x]:
				score[x]--
			}
		}
	}
	order := c.orderByScore(score, 1, 1)
	c.res.Ranking = order
	c.res.Elected = []int{order[0]}
	c.res.Pairwise = d
	c.pairRound(d, score, "pairwise wins minus pairwise losses")
	return nil
}

// countRankedPairs: Tideman's ranked pairs with winning votes. Majorities
// are taken strongest first (more winning votes, then fewer losing votes);
// majorities equal on both are ordered by a tie-breaking ranking of the
// candidates drawn by lot (Tideman's TBRC), and the draw is recorded. A
// majority is locked unless it would close a cycle; the ranking is the
// order of the locked graph (candidates it leaves unordered follow the
// tie-breaking ranking, or ballot-paper order when no draw was needed).
func countRankedPairs(c *counter) error {
	d, total := c.pairwise()
	c.res.Ballots = total
	n := c.n
	s := c.standingList()
	type pair struct{ x, y int }
	var pairs []pair
	for _, x := range s {
		for _, y := range s {
			if d[x][y] > d[y][x] {
				pairs = append(pairs, pair{x, y})
			}
		}
	}
	cmpStrength := func(a, b pair) int {
		switch {
		case d[a.x][a.y] != d[b.x][b.y]:
			if d[a.x][a.y] > d[b.x][b.y] {
				return -1
			}
			return 1
		case d[a.y][a.x] != d[b.y][b.x]:
			if d[a.y][a.x] < d[b.y][b.x] {
				return -1
			}
			return 1
		}
		return 0
	}
	slices.SortStableFunc(pairs, cmpStrength)
	// Tie-breaking ranking: ballot order unless equal majorities exist.
	tbrc := make([]int, n)
	for x := range tbrc {
		tbrc[x] = x
	}
	for i := 1; i < len(pairs); i++ {
		if cmpStrength(pairs[i-1], pairs[i]) == 0 {
			rest := slices.Clone(s)
			for k := 0; len(rest) > 0; k++ {
				pick := rest[0]
				if len(rest) > 1 {
					pick = c.drawLot(1, "pair order", rest)
				}
				tbrc[pick] = k
				rest = slices.DeleteFunc(rest, func(v int) bool { return v == pick })
			}
			slices.SortStableFunc(pairs, func(a, b pair) int {
				if r := cmpStrength(a, b); r != 0 {
					return r
				}
				if a.x != b.x {
					return tbrc[a.x] - tbrc[b.x]
				}
				return tbrc[b.y] - tbrc[a.y]
			})
			break
		}
	}
	locked := make([][]bool, n)
	for x := range locked {
		locked[x] = make([]bool, n)
	}
	reach := func(from, to int) bool {
		seen := make([]bool, n)
		stack := []int{from}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if v == to {
				return true
			}
			if seen[v] {
				continue
			}
			seen[v] = true
			for w := 0; w < n; w++ {
				if locked[v][w] {
					stack = append(stack, w)
				}
			}
		}
		return false
	}
	for _, pr := range pairs {
		if !reach(pr.y, pr.x) {
			locked[pr.x][pr.y] = true
		}
	}
	// Order: repeatedly take the unbeaten candidate (first in TBRC order).
	rest := slices.Clone(s)
	slices.SortStableFunc(rest, func(a, b int) int { return tbrc[a] - tbrc[b] })
	var order []int
	score := make([]int64, n)
	for len(rest) > 0 {
		pick := -1
		for _, x := range rest {
			beaten := false
			for _, y := range rest {
				if locked[y][x] {
					beaten = true
					break
				}
			}
			if !beaten {
				pick = x
				break
			}
		}
		score[pick] = int64(len(rest) - 1)
		order = append(order, pick)
		rest = slices.DeleteFunc(rest, func(v int) bool { return v == pick })
	}
	c.res.Ranking = order
	c.res.Elected = []int{order[0]}
	c.res.Pairwise = d
	c.pairRound(d, score, "first in the order of the locked majorities")
	return nil
}
