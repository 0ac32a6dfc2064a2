package tally

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// Options adjust a count.
type Options struct {
	// Seats overrides the profile's number of seats when above 0. The
	// single-winner methods (irv, schulze, ranked-pairs, copeland) fill one
	// seat and refuse more.
	Seats int
	// Seed seeds the lot that breaks the ties the method's own rule cannot.
	// Empty means DefaultSeed(profile).
	Seed string
}

type methodInfo struct {
	name, desc   string
	singleWinner bool
	count        func(c *counter) error
}

var methods = []methodInfo{
	{"plurality", "plurality: most first preferences win (top N for N seats)", false, countPlurality},
	{"approval", "approval: a ranked ballot approves every candidate it ranks; most approvals win", false, countApproval},
	{"irv", "instant-runoff voting: the candidate with fewest votes is excluded until one has a majority", true, countIRV},
	{"borda", "Borda count: one point for each candidate ranked below (n-1, n-2, …, 0)", false, countBorda},
	{"schulze", "Schulze method (winning votes), with its full ranking", true, countSchulze},
	{"ranked-pairs", "ranked pairs (Tideman, winning votes)", true, countRankedPairs},
	{"copeland", "Copeland: pairwise wins minus pairwise losses", true, countCopeland},
	{"meek", "Meek STV (Hill, Wichmann & Woodall; Droop's reference rule: omega 10^-9, 18+9 digits, batch defeat)", false, countMeek},
	{"wigm", "weighted inclusive Gregory STV, Droop quota (Droop's wigm rule, 18+9 digits)", false, countWIGM},
	{"scottish", "Scottish STV (Scottish Local Government Elections Order 2007: 5 decimal places, truncated)", false, countScottish},
}

// Methods returns the names of the methods Count knows, in a fixed order.
func Methods() []string {
	out := make([]string, len(methods))
	for i, m := range methods {
		out[i] = m.name
	}
	return out
}

func lookupMethod(name string) (*methodInfo, bool) {
	for i := range methods {
		if methods[i].name == name {
			return &methods[i], true
		}
	}
	return nil, false
}

func describeMethod(name string) string {
	if m, ok := lookupMethod(name); ok {
		return m.desc
	}
	return name
}

// Count counts the profile by the named method (see Methods) and explains
// the count in the Result. It returns an error wrapping ErrInvalid for an
// unknown method, an invalid profile, fewer than one seat, or at least as
// many seats as standing candidates. Ties are broken first by the method's
// rule, then by lot from opts.Seed (see Lot); the seed used is in the
// result.
func Count(method string, p *Profile, opts Options) (*Result, error) {
	m, ok := lookupMethod(method)
	if !ok {
		return nil, invalidf("unknown method %q (known: %v)", method, Methods())
	}
	if p == nil {
		return nil, invalidf("no ballot profile")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	seats := p.Seats
	if opts.Seats != 0 {
		seats = opts.Seats
	}
	if m.singleWinner {
		if opts.Seats > 1 {
			return nil, invalidf("%s elects one candidate; %d seats asked", method, opts.Seats)
		}
		seats = 1
	}
	if seats < 1 {
		return nil, invalidf("%d seats; there must be at least 1", seats)
	}
	standing := 0
	for c := range p.Candidates {
		if !p.isWithdrawn(c) {
			standing++
		}
	}
	if seats >= standing {
		return nil, invalidf("%d seats for %d standing candidates: there must be more candidates than seats", seats, standing)
	}
	seed := opts.Seed
	if seed == "" {
		seed = DefaultSeed(p)
	}
	c := &counter{
		p:    p,
		n:    len(p.Candidates),
		seed: seed,
		res: &Result{
			Method:     method,
			Title:      p.Title,
			Candidates: slices.Clone(p.Candidates),
			Seats:      seats,
			Seed:       seed,
			Ties:       []Tie{},
		},
	}
	if err := m.count(c); err != nil {
		return nil, fmt.Errorf("%s count: %w", method, err)
	}
	c.res.fillTransfers()
	return c.res, nil
}

// DefaultSeed returns the seed used when none is given: the hexadecimal
// SHA-256 of the profile written in BLT by WriteBLT. It depends only on the
// ballots, names and seats, so anyone holding the ballot file can
// recompute it, and no one can choose it after seeing the count.
func DefaultSeed(p *Profile) string {
	h := sha256.New()
	_ = WriteBLT(h, p) // a hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
}

// counter is the state shared by every method during one count.
type counter struct {
	p    *Profile
	n    int
	seed string
	lot  *Lot
	res  *Result
}

// drawLot picks one of the candidates by lot and records the tie.
func (c *counter) drawLot(round int, purpose string, tied []int) int {
	if c.lot == nil {
		c.lot = NewLot(c.seed)
	}
	s := slices.Clone(tied)
	slices.Sort(s)
	chosen := s[c.lot.Intn(len(s))]
	c.res.Ties = append(c.res.Ties, Tie{Round: round, Purpose: purpose, Candidates: s, Chosen: chosen, ByLot: true})
	return chosen
}

// recordTie records a tie the method's own rule broke.
func (c *counter) recordTie(round int, purpose string, tied []int, chosen int) {
	s := slices.Clone(tied)
	slices.Sort(s)
	c.res.Ties = append(c.res.Ties, Tie{Round: round, Purpose: purpose, Candidates: s, Chosen: chosen})
}

// fillTransfers sets each round's Transfers to the change of every
// candidate's votes since the previous round.
func (r *Result) fillTransfers() {
	for i := range r.Rounds {
		rd := &r.Rounds[i]
		if rd.Transfers != nil || i == 0 {
			continue
		}
		prev := r.Rounds[i-1].Votes
		if len(prev) != len(rd.Votes) {
			continue
		}
		rd.Transfers = make([]Value, len(rd.Votes))
		for c := range rd.Votes {
			rd.Transfers[c] = rd.Votes[c].sub(prev[c])
		}
	}
}
