package tally

import "testing"

func TestLotRepeatsForSameSeed(t *testing.T) {
	a, b := NewLot("published seed"), NewLot("published seed")
	for i := 0; i < 1000; i++ {
		if x, y := a.Intn(7), b.Intn(7); x != y {
			t.Fatalf("draw %d: %d != %d", i, x, y)
		}
	}
}

func TestLotIsRoughlyUniform(t *testing.T) {
	l := NewLot("uniform")
	counts := make([]int, 5)
	const n = 50000
	for i := 0; i < n; i++ {
		counts[l.Intn(5)]++
	}
	for i, c := range counts {
		if c < n/5-600 || c > n/5+600 {
			t.Errorf("value %d drawn %d times of %d", i, c, n)
		}
	}
}

func TestLotDiffersBySeed(t *testing.T) {
	a, b := NewLot("one"), NewLot("two")
	same := 0
	for i := 0; i < 100; i++ {
		if a.Intn(1000) == b.Intn(1000) {
			same++
		}
	}
	if same > 5 {
		t.Errorf("%d of 100 draws equal for different seeds", same)
	}
}
