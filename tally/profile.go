package tally

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrInvalid is wrapped by every error caused by the input rather than by
// the engine: a malformed ballot file, an unknown method, too few
// candidates for the seats. Callers test for it with errors.Is.
var ErrInvalid = errors.New("invalid")

// SyntaxError reports a malformed ballot file: the line where the problem
// was found and what is wrong there. It wraps ErrInvalid.
type SyntaxError struct {
	Line int    // 1-based line number; 0 when the problem is the file as a whole
	Msg  string // what is wrong, for people
}

// Error returns "line N: what is wrong" (or only the message when the
// problem has no line).
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *SyntaxError) Unwrap() error { return ErrInvalid }

func syntaxErr(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// invalidf returns an error wrapping ErrInvalid.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Ballot is one ranking and the number of voters who cast it.
type Ballot struct {
	// Weight is how many identical ballots this one stands for (≥ 1).
	Weight int64
	// Ranking lists candidate indices (0-based, into Profile.Candidates)
	// from most to least preferred. A candidate appears at most once.
	Ranking []int
	// Tied is nil for a strict ranking. Otherwise it has one flag per
	// position, and Tied[i] means Ranking[i] is ranked equal to
	// Ranking[i-1] (Tied[0] is always false).
	Tied []bool
}

// strict reports whether the ballot ranks no two candidates equally.
func (b *Ballot) strict() bool {
	for _, t := range b.Tied {
		if t {
			return false
		}
	}
	return true
}

// prefix returns the ranking up to, not including, the first group of
// candidates ranked equally: how a method that needs one candidate per
// preference reads the ballot (like a paper ballot read until the first
// preference marked twice).
func (b *Ballot) prefix() []int {
	for i := 1; i < len(b.Tied); i++ {
		if b.Tied[i] {
			return b.Ranking[:i-1]
		}
	}
	return b.Ranking
}

// Profile is everything a count needs: the candidates, which of them
// withdrew, the number of seats and the ballots. Build one with NewProfile
// or a reader (ReadBLT, ReadPrefLib); count it with Count.
type Profile struct {
	// Title names the election; it may be empty.
	Title string
	// Candidates holds the candidates' names, in ballot-paper order.
	Candidates []string
	// Withdrawn is nil or has one flag per candidate; a withdrawn candidate
	// is skipped on every ballot, as if never ranked.
	Withdrawn []bool
	// Seats is the number of seats to fill.
	Seats int
	// Ballots holds the rankings, identical ones grouped by NewProfile.
	Ballots []Ballot
}

// NewProfile returns a profile for the given candidates and seats with the
// ballots grouped: identical rankings become one Ballot whose Weight is
// their sum, in the order of first appearance (so the profile, and every
// report made from it, is deterministic). The ballots' slices are copied.
// It returns an error wrapping ErrInvalid if a ballot is malformed.
func NewProfile(title string, candidates []string, withdrawn []bool, seats int, ballots []Ballot) (*Profile, error) {
	p := &Profile{Title: title, Candidates: candidates, Withdrawn: withdrawn, Seats: seats}
	if err := p.validateHeader(); err != nil {
		return nil, err
	}
	nranks := 0
	for i := range ballots {
		nranks += len(ballots[i].Ranking)
	}
	g := newGrouper(len(ballots), nranks)
	var total int64
	for i := range ballots {
		if err := p.validateBallot(&ballots[i]); err != nil {
			return nil, fmt.Errorf("ballot %d: %w", i+1, err)
		}
		total += ballots[i].Weight
		if total > MaxBallots {
			return nil, invalidf("more than %d ballots", int64(MaxBallots))
		}
		g.add(&ballots[i])
	}
	p.Ballots = g.ballots()
	return p, nil
}

// validateHeader checks what does not depend on the ballots.
func (p *Profile) validateHeader() error {
	if len(p.Candidates) == 0 {
		return invalidf("no candidates")
	}
	if p.Withdrawn != nil && len(p.Withdrawn) != len(p.Candidates) {
		return invalidf("%d withdrawn flags for %d candidates", len(p.Withdrawn), len(p.Candidates))
	}
	seen := make(map[string]int, len(p.Candidates))
	for i, name := range p.Candidates {
		if strings.TrimSpace(name) == "" {
			return invalidf("candidate %d has no name", i+1)
		}
		if j, ok := seen[name]; ok {
			return invalidf("candidates %d and %d are both named %q", j+1, i+1, name)
		}
		seen[name] = i
	}
	if p.Seats < 0 {
		return invalidf("negative number of seats (%d)", p.Seats)
	}
	return nil
}

// validateBallot checks one ballot against the candidates.
func (p *Profile) validateBallot(b *Ballot) error {
	if b.Weight < 1 || b.Weight > MaxBallots {
		return invalidf("weight %d; it must be between 1 and %d", b.Weight, int64(MaxBallots))
	}
	if b.Tied != nil && len(b.Tied) != len(b.Ranking) {
		return invalidf("%d tie flags for %d rankings", len(b.Tied), len(b.Ranking))
	}
	if len(b.Tied) > 0 && b.Tied[0] {
		return invalidf("the first preference cannot be tied with a previous one")
	}
	n := len(p.Candidates)
	var small [64]bool
	var seen []bool
	if n <= len(small) {
		seen = small[:n]
	} else {
		seen = make([]bool, n)
	}
	for _, c := range b.Ranking {
		if c < 0 || c >= n {
			return invalidf("candidate %d does not exist (there are %d)", c+1, n)
		}
		if seen[c] {
			return invalidf("candidate %d (%s) is ranked twice", c+1, p.Candidates[c])
		}
		seen[c] = true
	}
	return nil
}

// Validate checks the profile: names, flags and every ballot. NewProfile
// and the readers return valid profiles; Count validates again because a
// caller may have built or changed a Profile by hand.
func (p *Profile) Validate() error {
	if err := p.validateHeader(); err != nil {
		return err
	}
	var total int64
	for i := range p.Ballots {
		if err := p.validateBallot(&p.Ballots[i]); err != nil {
			return fmt.Errorf("ballot %d: %w", i+1, err)
		}
		total += p.Ballots[i].Weight
		if total > MaxBallots {
			return invalidf("more than %d ballots", int64(MaxBallots))
		}
	}
	return nil
}

// MaxBallots bounds the total weight of a profile: the STV counts keep
// votes in units of 10^-27 in 128-bit integers, which hold 1.7×10^11 votes.
const MaxBallots = 100_000_000_000

// TotalWeight returns the number of ballots: the sum of the weights.
func (p *Profile) TotalWeight() int64 {
	var t int64
	for i := range p.Ballots {
		t += p.Ballots[i].Weight
	}
	return t
}

// isWithdrawn reports whether candidate c withdrew.
func (p *Profile) isWithdrawn(c int) bool {
	return p.Withdrawn != nil && p.Withdrawn[c]
}

// grouper merges identical ballots, keeping the order of first appearance.
// Rankings are copied into one shared array so that a million ballots cost
// a few allocations, not a million. Identical ballots are found with an
// open-addressing hash table of group numbers (collisions are resolved by
// comparing the rankings), which is several times faster than a map keyed
// by strings on files of tens of thousands of ballots.
type grouper struct {
	// slots hold the top 32 bits of a group's hash and its number + 1 (0 is
	// empty), so that a probe rarely reads anything but the table.
	slots []uint64
	out   []Ballot
	cands []int
	ties  []bool
}

// newGrouper returns a grouper; hint estimates the number of ballots and
// ranks the number of preferences (0 when unknown), so that the arrays are
// allocated once, not regrown.
func newGrouper(hint, ranks int) *grouper {
	// Sized for half the ballots being distinct (tables double when needed):
	// every slot is touched, and untouched memory is what costs nothing.
	size := 64
	for size < min(hint, 1<<22) {
		size *= 2
	}
	return &grouper{
		slots: make([]uint64, size),
		out:   make([]Ballot, 0, hint),
		cands: make([]int, 0, ranks),
	}
}

func hashBallot(b *Ballot) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b.Ranking {
		h = (h ^ uint64(c)) * 1099511628211
	}
	if !b.strict() {
		h ^= 0x9e3779b97f4a7c15
		for i, t := range b.Tied {
			if t {
				h = (h ^ uint64(i+1)<<32) * 1099511628211
			}
		}
	}
	// splitmix64's finaliser spreads the bits over the whole word.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

func sameBallot(a, b *Ballot) bool {
	if !slices.Equal(a.Ranking, b.Ranking) {
		return false
	}
	as, bs := a.strict(), b.strict()
	if as || bs {
		return as == bs
	}
	return slices.Equal(a.Tied, b.Tied)
}

func (g *grouper) add(b *Ballot) {
	h := hashBallot(b)
	top := h >> 32 << 32
	mask := uint64(len(g.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := g.slots[i]
		if s == 0 {
			g.slots[i] = top | uint64(len(g.out)+1)
			break
		}
		if s&^0xffffffff == top {
			if k := uint32(s) - 1; sameBallot(&g.out[k], b) {
				g.out[k].Weight += b.Weight
				return
			}
		}
	}
	start := len(g.cands)
	g.cands = append(g.cands, b.Ranking...)
	nb := Ballot{Weight: b.Weight, Ranking: g.cands[start:len(g.cands):len(g.cands)]}
	if !b.strict() {
		ts := len(g.ties)
		g.ties = append(g.ties, b.Tied...)
		nb.Tied = g.ties[ts:len(g.ties):len(g.ties)]
	}
	g.out = append(g.out, nb)
	if 2*len(g.out) > len(g.slots) {
		g.grow()
	}
}

// grow doubles the table and reinserts every group.
func (g *grouper) grow() {
	g.slots = make([]uint64, 2*len(g.slots))
	mask := uint64(len(g.slots) - 1)
	for k := range g.out {
		h := hashBallot(&g.out[k])
		i := h & mask
		for g.slots[i] != 0 {
			i = (i + 1) & mask
		}
		g.slots[i] = h>>32<<32 | uint64(k+1)
	}
}

func (g *grouper) ballots() []Ballot { return g.out }
