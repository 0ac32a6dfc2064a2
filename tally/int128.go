package tally

import (
	"math/big"
	"math/bits"
)

// i128 is a signed 128-bit integer in two's complement. The STV counts keep
// votes as fixed-point integers (units of 10^-27 for Meek and WIGM), which
// overflow 64 bits for any real election but fit easily in 128 bits: a
// billion votes is 10^36 units, below 2^127 ≈ 1.7×10^38.
type i128 struct {
	hi int64
	lo uint64
}

func i128From(v int64) i128 {
	if v < 0 {
		return i128{-1, uint64(v)}
	}
	return i128{0, uint64(v)}
}

func (a i128) add(b i128) i128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return i128{a.hi + b.hi + int64(c), lo}
}

func (a i128) sub(b i128) i128 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	return i128{a.hi - b.hi - int64(br), lo}
}

func (a i128) neg() i128 { return i128{}.sub(a) }

func (a i128) sign() int {
	switch {
	case a.hi < 0:
		return -1
	case a.hi == 0 && a.lo == 0:
		return 0
	}
	return 1
}

func (a i128) isZero() bool { return a.hi == 0 && a.lo == 0 }

func (a i128) cmp(b i128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a i128) abs() i128 {
	if a.hi < 0 {
		return a.neg()
	}
	return a
}

// mulU64 returns a×m for a ≥ 0; the callers keep the product below 2^127.
func (a i128) mulU64(m uint64) i128 {
	hi, lo := bits.Mul64(a.lo, m)
	return i128{int64(hi + uint64(a.hi)*m), lo}
}

// big returns a as a big.Int, for the arithmetic that is too rare to be
// worth hand-written multi-word code (quotas, keep factors, surplus weights).
func (a i128) big() *big.Int {
	n := a.abs()
	b := new(big.Int).SetUint64(uint64(n.hi))
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(n.lo))
	if a.hi < 0 {
		b.Neg(b)
	}
	return b
}

var maxI128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))

// i128FromBig converts b, which must fit in 128 bits; ok is false if not.
func i128FromBig(b *big.Int) (i128, bool) {
	if b.CmpAbs(maxI128) > 0 {
		return i128{}, false
	}
	var m big.Int
	m.Abs(b)
	lo := new(big.Int).And(&m, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(&m, 64).Uint64()
	v := i128{int64(hi), lo}
	if b.Sign() < 0 {
		v = v.neg()
	}
	return v, true
}

// mustI128 converts a big.Int known to fit (a value bounded by the total
// vote); a failure is a bug in the count, not a property of the input.
func mustI128(b *big.Int) i128 {
	v, ok := i128FromBig(b)
	if !ok {
		panic("tally: fixed-point value out of range")
	}
	return v
}

// pow10 values used by the fixed-point arithmetic.
var (
	scale27Big = new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil)
	scale27    = mustI128(scale27Big)
	// five27 is 5^27; 10^27 = 2^27 × 5^27 and 5^27 fits in 64 bits, so a
	// division by 10^27 is a shift and a short division.
	five27 = func() uint64 {
		v := uint64(1)
		for i := 0; i < 27; i++ {
			v *= 5
		}
		return v
	}()
)

// mulScale27 returns floor(a×b / 10^27) for 0 ≤ a, b < 2^127 whose product
// divided by 10^27 fits in 127 bits. It is the hot operation of the Meek
// count, so it avoids big.Int: a 256-bit product, a shift by 27 and a
// division by 5^27.
func mulScale27(a, b i128) i128 {
	// 128×128 → 256-bit product p3:p2:p1:p0.
	ahi, alo, bhi, blo := uint64(a.hi), a.lo, uint64(b.hi), b.lo
	h00, p0 := bits.Mul64(alo, blo)
	h01, l01 := bits.Mul64(alo, bhi)
	h10, l10 := bits.Mul64(ahi, blo)
	h11, l11 := bits.Mul64(ahi, bhi)
	p1, c1 := bits.Add64(h00, l01, 0)
	p1, c2 := bits.Add64(p1, l10, 0)
	p2, c3 := bits.Add64(h01, h10, c1)
	p2, c4 := bits.Add64(p2, l11, c2)
	p3 := h11 + c3 + c4
	// Shift right by 27.
	p0 = p0>>27 | p1<<37
	p1 = p1>>27 | p2<<37
	p2 = p2>>27 | p3<<37
	p3 >>= 27
	// Divide by 5^27, most significant word first.
	// p3 < 2^37 < 5^27, so it can stand as the first remainder.
	q2, r := bits.Div64(p3, p2, five27)
	q1, r := bits.Div64(r, p1, five27)
	q0, _ := bits.Div64(r, p0, five27)
	_ = q2 // q2 is 0 whenever the result fits in 128 bits
	return i128{int64(q1), q0}
}

// divU64 returns a/d and the remainder, for a ≥ 0 and d > 0.
func (a i128) divU64(d uint64) (i128, uint64) {
	qhi, r := uint64(a.hi)/d, uint64(a.hi)%d
	qlo, r := bits.Div64(r, a.lo, d)
	return i128{int64(qhi), qlo}, r
}
