package tally

import (
	"fmt"
	"math/big"
	"slices"
)

// Meek STV, as the reference rule of Hill, Wichmann and Woodall and as
// Droop's "meek" rule counts it, so that our reports agree with Droop's to
// every printed digit:
//
//   - Arithmetic: fixed point in units of 10^-27 (18 digits and 9 guard
//     digits), every product and quotient truncated; two values closer than
//     half a unit of the 18th place (5×10^8 units) compare equal.
//   - Each ballot passes down its ranking: a candidate with keep value k
//     keeps weight×k of it and passes on weight×(1−k); defeated candidates
//     (k = 0) pass everything on.
//   - The quota is the votes still held by candidates divided by seats+1;
//     a candidate with more than the quota is elected.
//   - Keep values of the elected are multiplied by quota/votes until the
//     total surplus is at most 10^-9 of a vote, stops falling, or a batch
//     of candidates is certain to lose.
//   - Defeat the lowest candidate (ties: the candidates within the surplus
//     of the lowest are tied; the one lower at the most recent earlier round
//     goes, then by lot).
//
// The ballots are held in a trie of their rankings: every ballot sharing a
// prefix gets the same weight there, so one multiplication serves them
// all, and the result is exactly what ballot-by-ballot arithmetic gives.

const (
	meekScale = 27
	meekShow  = 18
)

var (
	// gEps is half a unit of the 18th decimal place, in units of 10^-27.
	gEps = i128From(500_000_000)
	// meekOmega is 10^-9 of a vote.
	meekOmega = i128From(1_000_000_000_000_000_000)
)

// iterateNotes explains why an iteration stopped.
var iterateNotes = map[string]string{
	"omega":  "keep values converged: total surplus at most 10^-9",
	"stable": "total surplus stopped falling",
	"batch":  "candidates certain to lose found",
}

// maxMeekIterations bounds one round's iterations.
const maxMeekIterations = 1_000_000

// gcmp compares with the guard: values within gEps are equal.
func gcmp(a, b i128) int {
	d := a.sub(b)
	if d.abs().cmp(gEps) < 0 {
		return 0
	}
	return d.sign()
}

// trie holds the rankings in preorder: node i ranks cand[i] at depth
// depth[i]; count[i] ballots pass through it; its subtree ends before
// end[i].
type trie struct {
	cand     []int32
	count    []uint64
	depth    []int32
	end      []int32
	maxDepth int
}

func buildTrie(b *stvBallots, ncand int) (*trie, error) {
	// The trie is built in preorder directly, like an MSD radix sort: the
	// ballots sharing a prefix are sorted by their next preference (a
	// counting sort), each run of equal preferences becomes a node, and the
	// run's longer ballots are built below it. Each ballot is carried as its
	// position in the ranking array, its remaining length and its weight,
	// moved together, so that only reading the next preference is a random
	// access.
	//
	// At most one node per preference; usually far fewer, but capacity
	// never touched costs no memory, while regrowing would copy.
	n := len(b.cand)
	t := &trie{cand: make([]int32, 0, n), count: make([]uint64, 0, n), depth: make([]int32, 0, n), end: make([]int32, 0, n)}
	s := trieSet{pos: make([]int32, 0, b.len()), rem: make([]int32, 0, b.len()), w: make([]uint64, 0, b.len())}
	for i := 0; i < b.len(); i++ {
		if l := b.off[i+1] - b.off[i]; l > 0 {
			s.pos = append(s.pos, b.off[i])
			s.rem = append(s.rem, l)
			s.w = append(s.w, uint64(b.weight[i]))
		}
	}
	m := len(s.pos)
	tb := trieBuilder{cand: b.cand, t: t, ncand: ncand, keys: make([]int32, m),
		tmp: trieSet{pos: make([]int32, m), rem: make([]int32, m), w: make([]uint64, m)}, tmpKeys: make([]int32, m)}
	tb.build(s, tb.keys, 0)
	for _, d := range t.depth {
		t.maxDepth = max(t.maxDepth, int(d)+1)
	}
	return t, nil
}

// trieSet is a set of ballots being placed in the trie: each one's
// position of its next preference, remaining preferences, and weight.
type trieSet struct {
	pos, rem []int32
	w        []uint64
}

func (s trieSet) slice(lo, hi int) trieSet {
	return trieSet{pos: s.pos[lo:hi], rem: s.rem[lo:hi], w: s.w[lo:hi]}
}

type trieBuilder struct {
	cand    []int32
	t       *trie
	keys    []int32 // the next preference of each ballot of the set
	tmp     trieSet
	tmpKeys []int32
	counts  [][]int32 // one bucket table per depth, for the counting sort
	ncand   int
}

// build adds the nodes for the ballots of s, which share their first d
// preferences and all have more; keys (as long as s) is scratch.
func (tb *trieBuilder) build(s trieSet, keys []int32, d int32) {
	cand := tb.cand
	for k, p := range s.pos {
		keys[k] = cand[p]
	}
	m := len(s.pos)
	if m > 1 {
		if m >= tb.ncand/2 {
			for int(d) >= len(tb.counts) {
				tb.counts = append(tb.counts, make([]int32, tb.ncand+1))
			}
			cnt := tb.counts[d]
			clear(cnt)
			for _, c := range keys {
				cnt[c+1]++
			}
			for c := 1; c <= tb.ncand; c++ {
				cnt[c] += cnt[c-1]
			}
			tmp, tk := tb.tmp.slice(0, m), tb.tmpKeys[:m]
			for k, c := range keys {
				j := cnt[c]
				cnt[c]++
				tmp.pos[j], tmp.rem[j], tmp.w[j], tk[j] = s.pos[k], s.rem[k], s.w[k], c
			}
			copy(s.pos, tmp.pos)
			copy(s.rem, tmp.rem)
			copy(s.w, tmp.w)
			copy(keys, tk)
		} else {
			// Few ballots: an insertion sort.
			for k := 1; k < m; k++ {
				for j := k; j > 0 && keys[j] < keys[j-1]; j-- {
					keys[j], keys[j-1] = keys[j-1], keys[j]
					s.pos[j], s.pos[j-1] = s.pos[j-1], s.pos[j]
					s.rem[j], s.rem[j-1] = s.rem[j-1], s.rem[j]
					s.w[j], s.w[j-1] = s.w[j-1], s.w[j]
				}
			}
		}
	}
	t := tb.t
	for lo := 0; lo < m; {
		c := keys[lo]
		hi := lo
		var count uint64
		for hi < m && keys[hi] == c {
			count += s.w[hi]
			hi++
		}
		node := len(t.cand)
		t.cand = append(t.cand, c)
		t.count = append(t.count, count)
		t.depth = append(t.depth, d)
		t.end = append(t.end, 0)
		// The run's ballots that go on, advanced and moved to its front.
		n := lo
		for k := lo; k < hi; k++ {
			if s.rem[k] > 1 {
				s.pos[n], s.rem[n], s.w[n] = s.pos[k]+1, s.rem[k]-1, s.w[k]
				n++
			}
		}
		if n > lo {
			tb.build(s.slice(lo, n), keys[lo:n], d+1)
		}
		t.end[node] = int32(len(t.cand))
		lo = hi
	}
}

type meekCount struct {
	c       *counter
	t       *trie
	kf      []i128 // keep values
	omk     []i128 // 1 − keep values
	vote    []i128
	status  []Status
	ws      []i128
	total   i128 // valid ballots, in units
	quota   i128
	surplus i128
	round   int
	history [][]i128
	elected int
}

func countMeek(c *counter) error {
	b := c.stvBallots()
	t, err := buildTrie(&b, c.n)
	if err != nil {
		return err
	}
	m := &meekCount{
		c: c, t: t,
		kf: make([]i128, c.n), omk: make([]i128, c.n), vote: make([]i128, c.n),
		status: c.initialStatus(), ws: make([]i128, t.maxDepth+1),
		total: scale27.mulU64(uint64(b.total)),
	}
	for i := range m.kf {
		if m.status[i] == Hopeful {
			m.setKF(i, scale27)
		}
	}
	m.quota = m.calcQuota(m.total)
	q := m.val(m.quota)
	c.res.Quota = &q
	c.res.Ballots = b.total
	// First preferences, for the first round of the report.
	for i, cand := range t.cand {
		if t.depth[i] == 0 {
			m.vote[cand] = m.vote[cand].add(scale27.mulU64(t.count[i]))
		}
	}
	m.round = 1
	m.record(ActionCount, nil, "first preferences")
	seats := c.res.Seats
	for !m.complete(seats) {
		m.round++
		status, batch := m.iterate(seats)
		m.history = append(m.history, slices.Clone(m.vote))
		if status == "elected" {
			continue // the election was recorded with the votes of the moment
		}
		m.record(ActionIterate, nil, iterateNotes[status])
		switch status {
		case "batch":
			slices.Sort(batch)
			for _, x := range batch {
				m.defeat(x, "certain loser")
			}
			continue
		}
		var hopeful []int
		low := i128{}
		first := true
		for x, s := range m.status {
			if s == Hopeful && (first || m.vote[x].cmp(low) < 0) {
				low, first = m.vote[x], false
			}
		}
		if first {
			break
		}
		lim := low.add(m.surplus)
		for x, s := range m.status {
			if s == Hopeful && gcmp(lim, m.vote[x]) >= 0 {
				hopeful = append(hopeful, x)
			}
		}
		loser := m.pickLoser(hopeful)
		note := fmt.Sprintf("surplus %s < omega", m.val(m.surplus))
		if status == "stable" {
			note = fmt.Sprintf("stable surplus %s", m.val(m.surplus))
		}
		m.defeat(loser, note)
	}
	// Fill the last seats, or defeat the last hopefuls.
	var rest []int
	for x, s := range m.status {
		if s == Hopeful {
			rest = append(rest, x)
		}
	}
	for _, x := range rest {
		if m.elected < seats {
			m.elect(x, ActionRemaining)
		} else {
			m.status[x] = Defeated
			m.record(ActionRemaining, []int{x}, "defeated")
			m.setKF(x, i128{})
			m.vote[x] = i128{}
			m.distribute()
		}
	}
	m.record(ActionComplete, nil, "")
	return nil
}

func (m *meekCount) val(v i128) Value { return Value{n: v, scale: meekScale, show: meekShow} }

func (m *meekCount) setKF(x int, k i128) {
	m.kf[x] = k
	m.omk[x] = scale27.sub(k)
}

// calcQuota is votes/(seats+1), truncated.
func (m *meekCount) calcQuota(votes i128) i128 {
	q := new(big.Int).Quo(votes.big(), big.NewInt(int64(m.c.res.Seats+1)))
	return mustI128(q)
}

func (m *meekCount) complete(seats int) bool {
	h := 0
	for _, s := range m.status {
		if s == Hopeful {
			h++
		}
	}
	left := seats - m.elected
	return h <= left || left <= 0
}

// distribute passes every ballot down its ranking (see the trie).
func (m *meekCount) distribute() {
	for i := range m.vote {
		if m.status[i] == Hopeful || m.status[i] == Elected {
			m.vote[i] = i128{}
		}
	}
	t := m.t
	ws := m.ws
	ws[0] = scale27
	for i := 0; i < len(t.cand); {
		d := t.depth[i]
		w := ws[d]
		c := t.cand[i]
		kf := m.kf[c]
		switch {
		case kf.isZero():
			ws[d+1] = w
			i++
			continue
		case kf == scale27:
			// A hopeful candidate keeps the whole weight: exactly what
			// w×1 and w×0 give, without the arithmetic.
			m.vote[c] = m.vote[c].add(w.mulU64(t.count[i]))
			i = int(t.end[i])
			continue
		}
		keep := mulScale27(w, kf)
		m.vote[c] = m.vote[c].add(keep.mulU64(t.count[i]))
		rest := mulScale27(w, m.omk[c])
		if rest.sign() <= 0 {
			i = int(t.end[i])
			continue
		}
		ws[d+1] = rest
		i++
	}
}

func (m *meekCount) held() i128 {
	var t i128
	for x, s := range m.status {
		if s == Hopeful || s == Elected {
			t = t.add(m.vote[x])
		}
	}
	return t
}

// iterate updates keep values until one of Droop's stopping conditions:
// "elected", "omega", "stable" or "batch" (with the batch to defeat).
func (m *meekCount) iterate(seats int) (string, []int) {
	last := m.total
	for it := 0; ; it++ {
		if it == maxMeekIterations {
			// Never reached by real ballots (they converge geometrically);
			// a bound keeps a pathological profile from running forever.
			return "stable", nil
		}
		m.distribute()
		m.quota = m.calcQuota(m.held())
		var newly []int
		for x, s := range m.status {
			if s == Hopeful && gcmp(m.vote[x], m.quota) > 0 {
				newly = append(newly, x)
			}
		}
		// Candidates elected together are recorded in ballot-paper order.
		for _, x := range newly {
			m.elect(x, ActionElect)
		}
		m.surplus = i128{}
		for x, s := range m.status {
			if s == Elected {
				m.surplus = m.surplus.add(m.vote[x].sub(m.quota))
			}
		}
		if len(newly) > 0 {
			return "elected", nil
		}
		if gcmp(m.surplus, meekOmega) <= 0 {
			return "omega", nil
		}
		if gcmp(m.surplus, last) >= 0 {
			return "stable", nil
		}
		if batch := m.batchDefeat(seats); len(batch) > 0 {
			return "batch", batch
		}
		last = m.surplus
		qb := m.quota.big()
		for x, s := range m.status {
			if s != Elected || m.vote[x].sign() <= 0 {
				continue // (no votes: nothing to scale, and no division by zero)
			}
			// kf ← (kf×quota, truncated) / votes, truncated.
			k := new(big.Int).Mul(m.kf[x].big(), qb)
			k.Quo(k, scale27Big)
			k.Mul(k, scale27Big)
			k.Quo(k, m.vote[x].big())
			m.setKF(x, mustI128(k))
		}
	}
}

// batchDefeat finds the largest group of lowest candidates whose votes
// together with the surplus cannot reach the next candidate, without
// splitting candidates within the surplus of each other and leaving
// enough hopefuls for the seats.
func (m *meekCount) batchDefeat(seats int) []int {
	var sorted []int
	for x, s := range m.status {
		if s == Hopeful {
			sorted = append(sorted, x)
		}
	}
	slices.SortStableFunc(sorted, func(a, b int) int { return m.vote[a].cmp(m.vote[b]) })
	var groups [][]int
	var group []int
	vote := i128{}
	for _, x := range sorted {
		if gcmp(vote.add(m.surplus), m.vote[x]) >= 0 {
			group = append(group, x)
		} else {
			if len(group) > 0 {
				groups = append(groups, group)
			}
			group = []int{x}
			vote = m.vote[x]
		}
	}
	if len(group) > 0 {
		groups = append(groups, group)
	}
	maxDefeat := len(sorted) - (seats - m.elected)
	maxg := -1
	n := 0
	vote = i128{}
	for g := 0; g < len(groups)-1; g++ {
		n += len(groups[g])
		if n > maxDefeat {
			break
		}
		for _, x := range groups[g] {
			vote = vote.add(m.vote[x])
		}
		if gcmp(vote.add(m.surplus), m.vote[groups[g+1][0]]) < 0 {
			maxg = g
		}
	}
	var batch []int
	for g := 0; g <= maxg; g++ {
		batch = append(batch, groups[g]...)
	}
	return batch
}

// pickLoser applies the tie rule to the candidates within the surplus of
// the lowest: the lowest now, then at the most recent earlier round where
// they differed, then by lot.
func (m *meekCount) pickLoser(tied []int) int {
	if len(tied) == 1 {
		return tied[0]
	}
	hist := append(slices.Clone(m.history), m.vote)
	return m.c.breakSTVTie(m.round, "defeat", tied, hist, true)
}

func (m *meekCount) elect(x int, a Action) {
	m.status[x] = Elected
	m.elected++
	m.c.res.Elected = append(m.c.res.Elected, x)
	m.record(a, []int{x}, "")
}

func (m *meekCount) defeat(x int, note string) {
	m.status[x] = Defeated
	m.record(ActionDefeat, []int{x}, note)
	m.setKF(x, i128{})
	m.vote[x] = i128{}
	m.distribute()
}

func (m *meekCount) record(a Action, cands []int, note string) {
	votes := snapshot(m.vote, meekScale, meekShow)
	held := sumI128(m.vote)
	ex := m.val(m.total.sub(held))
	q := m.val(m.quota)
	s := m.val(m.surplus)
	m.c.res.Rounds = append(m.c.res.Rounds, Round{
		Number: m.round, Action: a, Candidates: cands, Note: note,
		Votes: votes, Status: slices.Clone(m.status), Exhausted: ex, Quota: &q, Surplus: &s,
	})
}
