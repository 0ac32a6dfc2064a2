package tally

import (
	"crypto/sha256"
	"encoding/binary"
)

// Lot draws lots deterministically from a seed published before the count,
// so that anyone holding the seed can repeat every draw. It is SHA-256 in
// counter mode: draw i uses SHA-256(seed || i).
type Lot struct {
	seed    []byte
	counter uint64
	buf     [sha256.Size]byte
	used    int
}

// NewLot returns a Lot for the given seed.
func NewLot(seed string) *Lot {
	return &Lot{seed: []byte(seed), used: sha256.Size}
}

// Seed returns the seed the Lot was made with.
func (l *Lot) Seed() string { return string(l.seed) }

func (l *Lot) uint64() uint64 {
	if l.used+8 > len(l.buf) {
		h := sha256.New()
		h.Write(l.seed)
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], l.counter)
		h.Write(c[:])
		h.Sum(l.buf[:0])
		l.counter++
		l.used = 0
	}
	v := binary.BigEndian.Uint64(l.buf[l.used:])
	l.used += 8
	return v
}

// Intn returns a uniformly drawn integer in [0, n). It panics if n <= 0,
// which is a programming error.
func (l *Lot) Intn(n int) int {
	if n <= 0 {
		panic("tally: Lot.Intn with n <= 0")
	}
	// Rejection sampling keeps the draw exactly uniform.
	max := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		v := l.uint64()
		if v < max {
			return int(v % uint64(n))
		}
	}
}

// Shuffle puts n items in an order drawn by lot (Fisher–Yates).
func (l *Lot) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, l.Intn(i+1))
	}
}
