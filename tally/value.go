package tally

import (
	"math/big"
	"strconv"
	"strings"
)

// Value is an exact decimal number of votes: an integer count of units of
// 10^-Scale, shown with a fixed number of decimal places. Meek and WIGM
// count in units of 10^-27 and show 18 places (Droop's guarded arithmetic,
// 18 digits and 9 guard digits); Scottish STV counts and shows 5 places, as
// the Order requires; the single-winner methods count whole votes.
type Value struct {
	n     i128
	scale uint8 // decimal places of the unit
	show  uint8 // decimal places printed
}

func wholeValue(v int64) Value { return Value{n: i128From(v)} }

// String formats the value with its shown decimal places, rounding the
// hidden guard digits half up (as Droop prints them).
func (v Value) String() string { return v.format(int(v.show)) }

// Places returns the number of decimal places String shows.
func (v Value) Places() int { return int(v.show) }

// format prints v with at most places decimals (never more than shown).
func (v Value) format(places int) string {
	if places > int(v.show) {
		places = int(v.show)
	}
	drop := int(v.scale) - places
	if v.n.hi == 0 && drop == 0 && places == 0 {
		return strconv.FormatUint(v.n.lo, 10)
	}
	if v.n.sign() >= 0 && drop >= 0 {
		return formatUnsigned(v.n, drop, places)
	}
	b := v.n.big()
	if drop > 0 {
		d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(drop)), nil)
		half := new(big.Int).Rsh(d, 1)
		b.Add(b, half)
		// Floor division, as Python's // (Droop's display rounding).
		m := new(big.Int)
		b.DivMod(b, d, m)
	}
	neg := b.Sign() < 0
	s := new(big.Int).Abs(b).String()
	if places > 0 {
		for len(s) <= places {
			s = "0" + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Float64 returns the value as a float64, for display and charts; counts
// never use it.
func (v Value) Float64() float64 {
	f, _ := new(big.Rat).SetFrac(v.n.big(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.scale)), nil)).Float64()
	return f
}

// Cmp compares two values of the same method exactly: -1, 0 or +1.
func (v Value) Cmp(w Value) int {
	if v.scale == w.scale {
		return v.n.cmp(w.n)
	}
	a, b := v.n.big(), w.n.big()
	if v.scale < w.scale {
		a.Mul(a, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(w.scale-v.scale)), nil))
	} else {
		b.Mul(b, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.scale-w.scale)), nil))
	}
	return a.Cmp(b)
}

// IsZero reports whether the value is exactly zero.
func (v Value) IsZero() bool { return v.n.isZero() }

// MarshalJSON writes the value as a JSON number with its shown places, so
// that no precision is lost to binary floating point on the way.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(v.String()), nil }

func (v Value) sub(w Value) Value { return Value{n: v.n.sub(w.n), scale: v.scale, show: v.show} }

// formatUnsigned is format for n ≥ 0 without big.Int (reports print
// thousands of values): round half up at drop digits, then place the point.
func formatUnsigned(n i128, drop, places int) string {
	if drop > 0 {
		half := i128From(5)
		for i := 1; i < drop; i++ {
			half = half.mulU64(10)
		}
		n = n.add(half)
		for drop > 0 {
			k := min(drop, 19)
			n, _ = n.divU64(pow10u64[k])
			drop -= k
		}
	}
	var s string
	if n.hi == 0 {
		s = strconv.FormatUint(n.lo, 10)
	} else {
		q, r := n.divU64(pow10u64[19])
		lo := strconv.FormatUint(r, 10)
		s = strconv.FormatUint(q.lo, 10) + strings.Repeat("0", 19-len(lo)) + lo
	}
	if places > 0 {
		if len(s) <= places {
			s = strings.Repeat("0", places-len(s)+1) + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
	}
	return s
}

// pow10u64[k] is 10^k, for k ≤ 19.
var pow10u64 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()
