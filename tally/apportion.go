package tally

import (
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// The apportionment methods, as named on the command line.
const (
	// MethodDHondt gives seats by the highest quotients count/(s+1), s the
	// seats a party already has: the Jefferson method, which rounds down.
	MethodDHondt = "dhondt"
	// MethodSainteLague uses the quotients count/(s+0.5): the Webster
	// method, which rounds to the nearest.
	MethodSainteLague = "sainte-lague"
	// MethodHare is the largest-remainder method with the Hare quota
	// total/seats: each party gets the whole part of count/quota, and the
	// seats left go to the largest remainders.
	MethodHare = "hare"
	// MethodHuntingtonHill uses the quotients count/√(s(s+1)), which round
	// at the geometric mean (the method of the US House). Its first divisor
	// is 0, so every party with a positive count gets a seat before any
	// gets a second: with Min 0 it behaves as Min 1 for those parties
	// whenever the house is large enough. If it is not, the first seats go
	// to the largest counts.
	MethodHuntingtonHill = "huntington-hill"
)

// ApportionMethods lists the methods Apportion knows.
var ApportionMethods = []string{MethodDHondt, MethodSainteLague, MethodHare, MethodHuntingtonHill}

// MaxHouse bounds the house size Apportion accepts.
const MaxHouse = 10_000_000

// Party is one of the bodies that share the seats: a party with its votes,
// or a constituent council with its members.
type Party struct {
	Name  string
	Count int64
}

// ApportionOptions tunes an apportionment.
type ApportionOptions struct {
	// Min is the least number of seats each party gets, unless it is
	// excluded by the threshold.
	Min int
	// Threshold is a share of the total count (1/20 for 5%): a party with a
	// smaller share gets no seats. Nil or zero means no threshold.
	Threshold *big.Rat
	// Seed is the published seed of the lots that break ties the method's
	// own rule leaves open.
	Seed string
}

// Apportionment is the outcome of Apportion and how it was computed.
type Apportionment struct {
	Method    string
	House     int
	Min       int
	Threshold *big.Rat
	Total     *big.Int // the sum of all counts
	// Seats holds each party's seats, in input order; Parties explains them.
	Seats   []int
	Parties []ApportionedParty
	// Divisor methods: the last seat awarded by quotient and the first that
	// was not. Any divisor above Next's quotient and at most Last's gives
	// every party its seats (Min aside). Nil when no seat went by quotient
	// or nothing was left in line.
	Last, Next *SeatQuotient
	// Hare: the quota (total of the parties sharing by quota / QuotaSeats),
	// and the seats shared by quota (the house less the minimum seats of
	// parties held at the minimum).
	Quota      *big.Rat
	QuotaSeats int
	Ties       []ApportionTie
	Seed       string
}

// ApportionedParty explains one party's seats.
type ApportionedParty struct {
	Name     string
	Count    int64
	Seats    int
	Excluded bool // below the threshold: no seats
	AtMin    bool // holds only the minimum: its count alone would give it fewer
	// Divisor methods: the quotient of its last seat won by quotient (nil if
	// none) and of its next seat (nil if it cannot win one).
	Last, Next *SeatQuotient
	// Hare: whether a remainder seat went to it (Apportionment.Quotas
	// gives its count/quota).
	ByRemainder bool
	sharing     bool // hare: shared by quota
}

// SeatQuotient is a divisor method's claim of one party on one seat:
// count / divisor. Divisor and Value format it for people.
type SeatQuotient struct {
	Party  int // index into the parties
	Seat   int // which of the party's seats, from 1
	count  int64
	method string
}

// ApportionTie records parties with equal claims on the last seats.
type ApportionTie struct {
	Parties []int // tied parties, in input order
	Seats   int   // seats they shared
	Winners []int // those who got them, in input order
	Rule    string
}

// Apportion divides seats among parties by count with the named method.
//
// Ties at the last seats (equal quotients, or equal remainders for hare) go
// to the party with the larger count, then by lot from opts.Seed; a tie that
// does not decide a seat is not a tie. A party below the threshold gets no
// seats; every other party gets at least opts.Min, and the rest are shared
// by the method starting from there (for hare: parties whose share falls
// short of the minimum are held at it and the others share the rest by
// quota, until none falls short). Parties with a count of 0 get only the
// minimum. It returns an *InputError (errors.Is(err, ErrBadInput)) when the
// request cannot be met: an unknown method, negative counts or seats,
// duplicate names, more minimum seats than the house, or seats to share and
// no count to share them by.
func Apportion(method string, seats int, parties []Party, opts ApportionOptions) (*Apportionment, error) {
	if !slices.Contains(ApportionMethods, method) {
		return nil, badInputf("unknown apportionment method %q (want %s)", method, strings.Join(ApportionMethods, ", "))
	}
	if seats < 0 || seats > MaxHouse {
		return nil, badInputf("seats %d out of range 0 to %d", seats, MaxHouse)
	}
	if opts.Min < 0 {
		return nil, badInputf("the minimum %d is negative", opts.Min)
	}
	if t := opts.Threshold; t != nil && (t.Sign() < 0 || t.Cmp(big.NewRat(1, 1)) > 0) {
		return nil, badInputf("threshold %s is not a share between 0 and 1", t.RatString())
	}
	names := make(map[string]int, len(parties))
	var totalHi, totalLo uint64
	a := &Apportionment{
		Method: method, House: seats, Min: opts.Min, Seed: opts.Seed,
		Total:   new(big.Int),
		Seats:   make([]int, len(parties)),
		Parties: make([]ApportionedParty, len(parties)),
	}
	if opts.Threshold != nil {
		a.Threshold = new(big.Rat).Set(opts.Threshold)
	}
	for i, p := range parties {
		if p.Name == "" {
			return nil, badInputf("party %d has no name", i+1)
		}
		if j, dup := names[p.Name]; dup {
			return nil, badInputf("parties %d and %d have the same name %q", j+1, i+1, p.Name)
		}
		names[p.Name] = i
		if p.Count < 0 {
			return nil, badInputf("party %q has a negative count", p.Name)
		}
		var carry uint64
		totalLo, carry = bits.Add64(totalLo, uint64(p.Count), 0)
		totalHi += carry
		a.Parties[i] = ApportionedParty{Name: p.Name, Count: p.Count}
	}
	a.Total = uint128Big(totalHi, totalLo)
	var eligible []int
	for i, p := range parties {
		if t := opts.Threshold; t != nil && t.Sign() > 0 {
			// count/total >= num/den  <=>  count·den >= total·num
			lhs := new(big.Int).Mul(big.NewInt(p.Count), t.Denom())
			rhs := new(big.Int).Mul(a.Total, t.Num())
			if lhs.Cmp(rhs) < 0 {
				a.Parties[i].Excluded = true
				continue
			}
		}
		eligible = append(eligible, i)
	}
	if need := int64(opts.Min) * int64(len(eligible)); need > int64(seats) {
		return nil, badInputf("a minimum of %d seats for each of %d parties needs %d seats, more than the %d in the house",
			opts.Min, len(eligible), need, seats)
	}
	var err error
	if method == MethodHare {
		err = a.hare(eligible)
	} else {
		err = a.divisor(eligible)
	}
	if err != nil {
		return nil, err
	}
	for i := range a.Parties {
		a.Parties[i].Seats = a.Seats[i]
	}
	return a, nil
}

// seatEntry is a party's claim on its next seat: s seats held.
type seatEntry struct {
	party int
	count uint64
	s     uint64
	key   float64 // the quotient, rounded: decides when far from the other's
}

// newSeatEntry returns the claim of a party with count on its seat s+1.
func newSeatEntry(method string, party int, count, s uint64) seatEntry {
	e := seatEntry{party: party, count: count, s: s}
	switch method {
	case MethodHuntingtonHill:
		if s == 0 {
			e.key = math.Inf(1)
		} else {
			e.key = float64(count) / math.Sqrt(float64(s)*float64(s+1))
		}
	default:
		e.key = float64(count) / float64(divisorOf(method, s))
	}
	return e
}

// divisorOf returns the divisor for the seat after s, scaled so that only
// ratios matter: s+1 (D'Hondt), 2s+1 (Sainte-Laguë, for s+0.5).
func divisorOf(method string, s uint64) uint64 {
	if method == MethodSainteLague {
		return 2*s + 1
	}
	return s + 1
}

// comparePriority compares the quotients of two claims exactly: +1 if x's
// is larger.
func comparePriority(method string, x, y seatEntry) int {
	// The rounded quotients are within a few units in the last place of
	// the exact ones: when they differ by much more, they decide.
	if gap := x.key - y.key; gap > 1e-9*y.key {
		return 1
	} else if -gap > 1e-9*x.key {
		return -1
	}
	if method == MethodHuntingtonHill {
		switch {
		case x.s == 0 && y.s == 0:
			return 0
		case x.s == 0:
			return 1
		case y.s == 0:
			return -1
		}
		// count_x² · s_y(s_y+1)  vs  count_y² · s_x(s_x+1)
		return cmp192(mulSq(x.count, y.s*(y.s+1)), mulSq(y.count, x.s*(x.s+1)))
	}
	// count_x · d(s_y)  vs  count_y · d(s_x)
	xh, xl := bits.Mul64(x.count, divisorOf(method, y.s))
	yh, yl := bits.Mul64(y.count, divisorOf(method, x.s))
	return cmp192([3]uint64{0, xh, xl}, [3]uint64{0, yh, yl})
}

// mulSq returns v²·m as a 192-bit number, most significant word first.
func mulSq(v, m uint64) [3]uint64 {
	h, l := bits.Mul64(v, v)
	p1, p0 := bits.Mul64(l, m)
	q1, q0 := bits.Mul64(h, m)
	mid, carry := bits.Add64(q0, p1, 0)
	return [3]uint64{q1 + carry, mid, p0}
}

func cmp192(x, y [3]uint64) int {
	for i := range x {
		switch {
		case x[i] > y[i]:
			return 1
		case x[i] < y[i]:
			return -1
		}
	}
	return 0
}

// seatHeap is a max-heap of claims ordered by quotient, then count (the tie
// rule), then input order (only to be deterministic before a lot is drawn).
// It is typed, rather than container/heap, to avoid boxing every claim.
type seatHeap struct {
	method  string
	entries []seatEntry
}

func (h *seatHeap) before(x, y seatEntry) bool {
	if c := comparePriority(h.method, x, y); c != 0 {
		return c > 0
	}
	if x.count != y.count {
		return x.count > y.count
	}
	return x.party < y.party
}

func (h *seatHeap) init() {
	for i := len(h.entries)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *seatHeap) down(i int) {
	e := h.entries
	for {
		best, l := i, 2*i+1
		if l < len(e) && h.before(e[l], e[best]) {
			best = l
		}
		if r := l + 1; r < len(e) && h.before(e[r], e[best]) {
			best = r
		}
		if best == i {
			return
		}
		e[i], e[best] = e[best], e[i]
		i = best
	}
}

// pop removes and returns the first claim.
func (h *seatHeap) pop() seatEntry {
	top := h.entries[0]
	last := len(h.entries) - 1
	h.entries[0] = h.entries[last]
	h.entries = h.entries[:last]
	if last > 0 {
		h.down(0)
	}
	return top
}

// replaceTop replaces the first claim with e and restores the order.
func (h *seatHeap) replaceTop(e seatEntry) {
	h.entries[0] = e
	h.down(0)
}

// divisor shares the seats by a highest-quotients method.
func (a *Apportionment) divisor(eligible []int) error {
	h := &seatHeap{method: a.Method, entries: make([]seatEntry, 0, len(eligible))}
	for _, i := range eligible {
		a.Seats[i] = a.Min
		if c := a.Parties[i].Count; c > 0 {
			h.entries = append(h.entries, newSeatEntry(a.Method, i, uint64(c), uint64(a.Min)))
		}
	}
	left := a.House - a.Min*len(eligible)
	if left == 0 {
		a.explainDivisor(eligible, nil, nil)
		return nil
	}
	if len(h.entries) == 0 {
		return badInputf("no party with a positive count to share the %d seats left after the minimum", left)
	}
	h.init()
	awarded := make([]seatEntry, 0, left)
	for range left {
		e := h.entries[0]
		awarded = append(awarded, e)
		a.Seats[e.party]++
		h.replaceTop(newSeatEntry(a.Method, e.party, e.count, e.s+1))
	}
	last := awarded[len(awarded)-1]
	// Claims equal to the last seat's quotient that did not get a seat make
	// a tie at the boundary; settle it by count, then by lot.
	var waiting []seatEntry
	for len(h.entries) > 0 && comparePriority(a.Method, h.entries[0], last) == 0 {
		waiting = append(waiting, h.pop())
	}
	var next *seatEntry
	if len(waiting) > 0 {
		var tied []seatEntry
		for k := len(awarded) - 1; k >= 0 && comparePriority(a.Method, awarded[k], last) == 0; k-- {
			tied = append(tied, awarded[k])
		}
		slices.Reverse(tied)
		won := len(tied)
		group := append(tied, waiting...)
		winners, rule := a.settleTie(group, won)
		t := ApportionTie{Seats: won, Rule: rule}
		isWinner := map[int]bool{}
		for _, e := range winners {
			isWinner[e.party] = true
		}
		for _, e := range tied {
			if !isWinner[e.party] {
				a.Seats[e.party]--
			}
		}
		for _, e := range waiting {
			if isWinner[e.party] {
				a.Seats[e.party]++
			}
		}
		for _, e := range group {
			t.Parties = append(t.Parties, e.party)
			if isWinner[e.party] {
				t.Winners = append(t.Winners, e.party)
			} else if next == nil {
				n := e
				next = &n
			}
		}
		slices.Sort(t.Parties)
		slices.Sort(t.Winners)
		a.Ties = append(a.Ties, t)
		last = winners[len(winners)-1]
	} else if len(h.entries) > 0 {
		n := h.entries[0]
		next = &n
	}
	a.explainDivisor(eligible, &last, next)
	return nil
}

// byCount orders claims by the tie rule: larger count first, then input
// order.
func byCount(x, y seatEntry) int {
	switch {
	case x.count > y.count:
		return -1
	case x.count < y.count:
		return 1
	}
	return x.party - y.party
}

// settleTie picks won claims of a group with equal quotients (or
// remainders): larger count first, then by lot among equal counts. The
// group is sorted by count, largest first, then input order.
func (a *Apportionment) settleTie(group []seatEntry, won int) ([]seatEntry, string) {
	slices.SortFunc(group, byCount)
	edge := group[won-1].count
	lo := slices.IndexFunc(group, func(e seatEntry) bool { return e.count == edge })
	hi := lo
	for hi < len(group) && group[hi].count == edge {
		hi++
	}
	byCount := lo > 0 || hi < len(group)
	if hi-lo == 1 || hi <= won {
		return slices.Clone(group[:won]), "larger count"
	}
	class := slices.Clone(group[lo:hi])
	lot := NewLot(a.Seed)
	lot.Shuffle(len(class), func(i, j int) { class[i], class[j] = class[j], class[i] })
	winners := append(slices.Clone(group[:lo]), class[:won-lo]...)
	if byCount {
		return winners, "larger count, then lot"
	}
	return winners, "lot"
}

// explainDivisor fills the quotients of the explanation.
func (a *Apportionment) explainDivisor(eligible []int, last, next *seatEntry) {
	if last != nil {
		a.Last = a.quotient(last.party, last.s)
	}
	if next != nil {
		a.Next = a.quotient(next.party, next.s)
	}
	// One allocation for every party's two quotients.
	qs := make([]SeatQuotient, 2*len(eligible))
	for k, i := range eligible {
		p := &a.Parties[i]
		if p.Count == 0 {
			p.AtMin = a.Min > 0
			continue
		}
		if s := a.Seats[i]; s > a.Min {
			qs[2*k] = SeatQuotient{Party: i, Seat: s, count: p.Count, method: a.Method}
			p.Last = &qs[2*k]
		} else if a.Min > 0 {
			p.AtMin = true
		}
		qs[2*k+1] = SeatQuotient{Party: i, Seat: a.Seats[i] + 1, count: p.Count, method: a.Method}
		p.Next = &qs[2*k+1]
	}
}

// quotient describes the claim of party i on its seat s+1.
func (a *Apportionment) quotient(i int, s uint64) *SeatQuotient {
	return &SeatQuotient{Party: i, Seat: int(s) + 1, count: a.Parties[i].Count, method: a.Method}
}

// Divisor returns the divisor of the quotient: "3" (D'Hondt), "2.5"
// (Sainte-Laguë), "√12" or "0" (Huntington–Hill).
func (q *SeatQuotient) Divisor() string {
	s := uint64(q.Seat - 1)
	switch q.method {
	case MethodSainteLague:
		return new(big.Rat).SetFrac(new(big.Int).SetUint64(2*s+1), big.NewInt(2)).FloatString(1)
	case MethodHuntingtonHill:
		if s == 0 {
			return "0"
		}
		return "√" + new(big.Int).Mul(new(big.Int).SetUint64(s), new(big.Int).SetUint64(s+1)).String()
	}
	return strconv.FormatUint(s+1, 10)
}

// Value returns count/divisor to 4 decimal places, "∞" for a divisor of 0:
// for display; the count compares quotients exactly.
func (q *SeatQuotient) Value() string {
	s := uint64(q.Seat - 1)
	v := big.NewInt(q.count)
	switch q.method {
	case MethodSainteLague:
		return new(big.Rat).SetFrac(new(big.Int).Mul(v, big.NewInt(2)), new(big.Int).SetUint64(2*s+1)).FloatString(4)
	case MethodHuntingtonHill:
		if s == 0 {
			return "∞"
		}
		sq := new(big.Int).Mul(new(big.Int).SetUint64(s), new(big.Int).SetUint64(s+1))
		root := new(big.Float).SetPrec(200).SetInt(sq)
		root.Sqrt(root)
		val := new(big.Float).SetPrec(200).SetInt(v)
		return val.Quo(val, root).Text('f', 4)
	}
	return new(big.Rat).SetFrac(v, new(big.Int).SetUint64(s+1)).FloatString(4)
}

// hare shares the seats by largest remainders with the Hare quota.
func (a *Apportionment) hare(eligible []int) error {
	atMin := make([]bool, len(a.Parties))
	held := 0
	for {
		var sharing []int
		for _, i := range eligible {
			if !atMin[i] {
				sharing = append(sharing, i)
			}
		}
		quotaSeats := a.House - a.Min*held
		if err := a.hareOnce(sharing, quotaSeats); err != nil {
			return err
		}
		short := false
		for _, i := range sharing {
			if a.Seats[i] < a.Min {
				atMin[i] = true
				held++
				short = true
			}
		}
		if !short {
			for _, i := range eligible {
				if atMin[i] {
					a.Seats[i] = a.Min
					a.Parties[i].AtMin = true
					a.Parties[i].sharing = false
				}
			}
			return nil
		}
		a.Ties = nil
	}
}

// hareOnce gives seats to the sharing parties by quota and remainders.
func (a *Apportionment) hareOnce(sharing []int, seats int) error {
	a.QuotaSeats = seats
	a.Quota = nil
	var hi, lo uint64
	for _, i := range sharing {
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(a.Parties[i].Count), 0)
		hi += carry
		a.Seats[i] = 0
		a.Parties[i].ByRemainder = false
		a.Parties[i].sharing = true
	}
	if seats == 0 {
		return nil
	}
	if hi == 0 && lo == 0 {
		if seats > a.Min*len(sharing) {
			return badInputf("no party with a positive count to share the %d seats left after the minimum", seats-a.Min*len(sharing))
		}
		for _, i := range sharing {
			a.Seats[i] = a.Min
		}
		return nil
	}
	total := uint128Big(hi, lo)
	a.Quota = new(big.Rat).SetFrac(total, big.NewInt(int64(seats)))
	// count·seats = whole·total + rem: the whole number of quotas, and the
	// remainder (in units of 1/total, the same for every party).
	type claim struct {
		seatEntry
		rem [2]uint64
	}
	claims := make([]claim, 0, len(sharing))
	given := 0
	bigSeats := big.NewInt(int64(seats))
	num, whole, rem := new(big.Int), new(big.Int), new(big.Int)
	for _, i := range sharing {
		v := uint64(a.Parties[i].Count)
		var q uint64
		var r [2]uint64
		if hi == 0 {
			ph, pl := bits.Mul64(v, uint64(seats))
			q, r[1] = bits.Div64(ph, pl, lo) // ph < lo: count <= total
		} else {
			num.Mul(new(big.Int).SetUint64(v), bigSeats)
			whole.QuoRem(num, total, rem)
			q = whole.Uint64()
			r = uint128Of(rem)
		}
		a.Seats[i] = int(q)
		given += int(q)
		claims = append(claims, claim{seatEntry{party: i, count: v}, r})
	}
	left := seats - given
	if left == 0 {
		return nil
	}
	cmpRem := func(x, y [2]uint64) int { return cmp192([3]uint64{0, x[0], x[1]}, [3]uint64{0, y[0], y[1]}) }
	slices.SortFunc(claims, func(x, y claim) int {
		if c := cmpRem(x.rem, y.rem); c != 0 {
			return -c
		}
		return byCount(x.seatEntry, y.seatEntry)
	})
	edge := claims[left-1].rem
	lo2, hi2 := left-1, left
	for lo2 > 0 && cmpRem(claims[lo2-1].rem, edge) == 0 {
		lo2--
	}
	for hi2 < len(claims) && cmpRem(claims[hi2].rem, edge) == 0 {
		hi2++
	}
	winners := make([]int, 0, left)
	for _, c := range claims[:lo2] {
		winners = append(winners, c.party)
	}
	if hi2 > left {
		group := make([]seatEntry, 0, hi2-lo2)
		for _, c := range claims[lo2:hi2] {
			group = append(group, c.seatEntry)
		}
		won, rule := a.settleTie(group, left-lo2)
		t := ApportionTie{Seats: left - lo2, Rule: rule}
		for _, e := range group {
			t.Parties = append(t.Parties, e.party)
		}
		for _, e := range won {
			winners = append(winners, e.party)
			t.Winners = append(t.Winners, e.party)
		}
		slices.Sort(t.Parties)
		slices.Sort(t.Winners)
		a.Ties = append(a.Ties, t)
	} else {
		for _, c := range claims[lo2:left] {
			winners = append(winners, c.party)
		}
	}
	for _, i := range winners {
		a.Seats[i]++
		a.Parties[i].ByRemainder = true
	}
	return nil
}

// Quotas returns party i's count divided by the Hare quota, exactly: the
// seats it would have if seats were divisible. Nil for other methods and
// for parties that did not share by quota.
func (a *Apportionment) Quotas(i int) *big.Rat {
	if a.Quota == nil || i < 0 || i >= len(a.Parties) || !a.Parties[i].sharing {
		return nil
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt64(a.Parties[i].Count), a.Quota)
}

// uint128Big returns hi·2^64 + lo.
func uint128Big(hi, lo uint64) *big.Int {
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

// uint128Of returns a non-negative big.Int below 2^128 as two words.
func uint128Of(x *big.Int) [2]uint64 {
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0))).Uint64()
	return [2]uint64{new(big.Int).Rsh(x, 64).Uint64(), lo}
}

// ParseShare reads a threshold as a share: "5%", "2.5%" or "0.05" (a
// number with no % sign is a fraction of 1).
func ParseShare(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if _, err := parsePBDecimal(t); err != nil || strings.Contains(t, ",") {
		return nil, badInputf("threshold %q is not a share such as 5%% or 0.05", s)
	}
	r, _ := new(big.Rat).SetString(t)
	if percent {
		r.Quo(r, big.NewRat(100, 1))
	}
	if r.Cmp(big.NewRat(1, 1)) > 0 {
		return nil, badInputf("threshold %q is more than the whole", s)
	}
	return r, nil
}
