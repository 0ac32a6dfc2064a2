package tally

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

func testParties(counts ...int64) []Party {
	ps := make([]Party, len(counts))
	for i, c := range counts {
		ps[i] = Party{Name: string(rune('A' + i)), Count: c}
	}
	return ps
}

// TestApportionHonikel checks the worked example in testdata/apportion.
func TestApportionHonikel(t *testing.T) {
	data, err := os.ReadFile("testdata/apportion/apportionment_honikel_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Seats    int                       `json:"seats"`
		Votes    map[string]int64          `json:"votes"`
		Expected map[string]map[string]int `json:"expected"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	ps := []Party{{"A", ex.Votes["A"]}, {"B", ex.Votes["B"]}, {"C", ex.Votes["C"]}}
	for key, method := range map[string]string{"sainte_lague": MethodSainteLague, "largest_remainder_hare": MethodHare, "dhondt": MethodDHondt} {
		a, err := Apportion(method, ex.Seats, ps, ApportionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{ex.Expected[key]["A"], ex.Expected[key]["B"], ex.Expected[key]["C"]}
		if !slices.Equal(a.Seats, want) {
			t.Errorf("%s: %v, want %v", method, a.Seats, want)
		}
	}
}

// TestApportionByHand checks cases computed by hand.
//
// Counts A 100, B 60, C 25, D 15 (total 200), house 10:
//
//   - D'Hondt, quotients v/1, v/2, …: 100A 60B 50A 33.3A 30B 25A 25C 20A 20B
//     16.67A, then 15B and 15D wait: A 6, B 3, C 1, D 0. Last seat A's 6th
//     at 16.6667, next B's 4th at 15 (D's 1st also 15; B's count is larger).
//   - Sainte-Laguë, v/0.5, v/1.5, …: 200A 120B 66.7A 50C 40A 40B 30D 28.6A
//     24B 22.2A; next 18.2A: A 5, B 3, C 1, D 1.
//   - Hare, quota 20: A 5.0, B 3.0, C 1.25, D 0.75; one seat left goes to the
//     larger remainder, D: A 5, B 3, C 1, D 1.
//   - Huntington–Hill (the US House method), everyone first gets a seat
//     (divisor √0 = 0), then v/√(s(s+1)): A/√2 70.71, B/√2 42.43, A/√6
//     40.82, A/√12 28.87, B/√6 24.49, A/√20 22.36; next A/√30 18.26 over
//     C/√2 17.68: A 5, B 3, C 1, D 1.
//   - D'Hondt with at least 1 each: from 1 each, 6 seats by v/2, v/3, …: 50A
//     33.3A 30B 25A 20A 20B; next 16.67A: A 5, B 3, C 1, D 1.
//   - Huntington–Hill, 3 seats, no minimum: the first three seats go to the
//     three largest counts, since every divisor-0 quotient is infinite: A, B,
//     C, with a tie on "∞" settled by the larger count.
func TestApportionByHand(t *testing.T) {
	ps := testParties(100, 60, 25, 15)
	for _, tc := range []struct {
		name   string
		method string
		seats  int
		opts   ApportionOptions
		want   []int
		last   string // value of the last seat's quotient
		next   string
		ties   int
	}{
		{"dhondt", MethodDHondt, 10, ApportionOptions{}, []int{6, 3, 1, 0}, "16.6667", "15.0000", 0},
		{"sainte-lague", MethodSainteLague, 10, ApportionOptions{}, []int{5, 3, 1, 1}, "22.2222", "18.1818", 0},
		{"hare", MethodHare, 10, ApportionOptions{}, []int{5, 3, 1, 1}, "", "", 0},
		{"huntington-hill min 1", MethodHuntingtonHill, 10, ApportionOptions{Min: 1}, []int{5, 3, 1, 1}, "22.3607", "18.2574", 0},
		{"huntington-hill min 0", MethodHuntingtonHill, 10, ApportionOptions{}, []int{5, 3, 1, 1}, "22.3607", "18.2574", 0},
		{"dhondt min 1", MethodDHondt, 10, ApportionOptions{Min: 1}, []int{5, 3, 1, 1}, "20.0000", "16.6667", 0},
		{"huntington-hill short house", MethodHuntingtonHill, 3, ApportionOptions{}, []int{1, 1, 1, 0}, "∞", "∞", 1},
		{"empty house", MethodDHondt, 0, ApportionOptions{}, []int{0, 0, 0, 0}, "", "", 0},
		{"minimum fills the house", MethodSainteLague, 8, ApportionOptions{Min: 2}, []int{2, 2, 2, 2}, "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Apportion(tc.method, tc.seats, ps, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Seats, tc.want) {
				t.Errorf("seats %v, want %v", a.Seats, tc.want)
			}
			if got := quotientValue(a.Last); got != tc.last {
				t.Errorf("last seat's quotient %q, want %q", got, tc.last)
			}
			if got := quotientValue(a.Next); got != tc.next {
				t.Errorf("next quotient %q, want %q", got, tc.next)
			}
			if len(a.Ties) != tc.ties {
				t.Errorf("ties %+v, want %d", a.Ties, tc.ties)
			}
		})
	}
}

func quotientValue(q *SeatQuotient) string {
	if q == nil {
		return ""
	}
	return q.Value()
}

// TestApportionThreshold: A 6100, B 5000, C 900 (7.5%), 10 seats.
// Sainte-Laguë gives 5/4/1; with a 10% threshold C is out and A, B share 10
// seats: 6100 5000 2033 1667 1220 1000 871 714 678 555.6(B), next 554.5(A):
// 5/5/0. A threshold of exactly 7.5% keeps C (a share equal to the threshold
// passes).
func TestApportionThreshold(t *testing.T) {
	ps := testParties(6100, 5000, 900)
	for _, tc := range []struct {
		threshold string
		want      []int
	}{
		{"10%", []int{5, 5, 0}},
		{"7.5%", []int{5, 4, 1}},
		{"0.075", []int{5, 4, 1}},
		{"7.6%", []int{5, 5, 0}},
		{"0%", []int{5, 4, 1}},
	} {
		th, err := ParseShare(tc.threshold)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Apportion(MethodSainteLague, 10, ps, ApportionOptions{Threshold: th, Min: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Seats, tc.want) {
			t.Errorf("threshold %s: %v, want %v", tc.threshold, a.Seats, tc.want)
		}
		if a.Parties[2].Excluded != (tc.want[2] == 0) {
			t.Errorf("threshold %s: C excluded %v", tc.threshold, a.Parties[2].Excluded)
		}
	}
}

// TestApportionHareMinimum: counts 90, 9, 1, house 10, at least 1 each.
// Hare alone: quota 10, 9.0 / 0.9 / 0.1, one seat left to B (0.9): 9/1/0.
// C falls short of the minimum, so it is held at 1 and A, B share 9 seats
// with quota 99/9 = 11: 8.18 / 0.82, one left to B (0.82 > 0.18): 8/1/1.
func TestApportionHareMinimum(t *testing.T) {
	a, err := Apportion(MethodHare, 10, testParties(90, 9, 1), ApportionOptions{Min: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Seats, []int{8, 1, 1}) || !a.Parties[2].AtMin || a.QuotaSeats != 9 || a.Quota.Cmp(big.NewRat(11, 1)) != 0 {
		t.Errorf("seats %v, C at minimum %v, quota %s over %d seats", a.Seats, a.Parties[2].AtMin, a.Quota, a.QuotaSeats)
	}
}

// TestApportionTiesByLot: two equal parties and one seat is a lot; a larger
// count wins a tie on quotient before any lot (6/3 = 4/2 for D'Hondt).
func TestApportionTiesByLot(t *testing.T) {
	won := map[int]bool{}
	for _, seed := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		a, err := Apportion(MethodDHondt, 1, testParties(100, 100), ApportionOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Apportion(MethodDHondt, 1, testParties(100, 100), ApportionOptions{Seed: seed})
		if !slices.Equal(a.Seats, again.Seats) {
			t.Fatalf("seed %s: %v then %v", seed, a.Seats, again.Seats)
		}
		if len(a.Ties) != 1 || a.Ties[0].Rule != "lot" || a.Ties[0].Seats != 1 {
			t.Fatalf("ties %+v", a.Ties)
		}
		won[slices.Index(a.Seats, 1)] = true
	}
	if len(won) != 2 {
		t.Errorf("eight seeds always gave the seat to %v", won)
	}
	// 6 and 4, four seats: 6 4 3 2(A's 3rd) 2(B's 2nd): a tie on 2 for the
	// 4th seat, won by the larger count.
	a, err := Apportion(MethodDHondt, 4, testParties(6, 4), ApportionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Seats, []int{3, 1}) || len(a.Ties) != 1 || a.Ties[0].Rule != "larger count" {
		t.Errorf("seats %v, ties %+v", a.Seats, a.Ties)
	}
	// Hare: 1, 1, 1 and 2 seats: equal remainders, lot picks two.
	h, err := Apportion(MethodHare, 2, testParties(1, 1, 1), ApportionOptions{Seed: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if sumSeats(h.Seats) != 2 || len(h.Ties) != 1 || h.Ties[0].Rule != "lot" || len(h.Ties[0].Winners) != 2 {
		t.Errorf("hare seats %v, ties %+v", h.Seats, h.Ties)
	}
}

func TestApportionHugeCounts(t *testing.T) {
	const M = math.MaxInt64
	for _, method := range ApportionMethods {
		a, err := Apportion(method, 3, testParties(M, M-1, 1), ApportionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{2, 1, 0}
		if method == MethodHuntingtonHill {
			want = []int{1, 1, 1} // every positive count gets a first seat
		}
		if !slices.Equal(a.Seats, want) {
			t.Errorf("%s: %v, want %v", method, a.Seats, want)
		}
		if a.Total.String() != "18446744073709551614" {
			t.Errorf("%s: total %s", method, a.Total)
		}
	}
}

func TestApportionRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		seats  int
		ps     []Party
		opts   ApportionOptions
		want   string
	}{
		{"unknown method", "borda", 3, testParties(1), ApportionOptions{}, "unknown apportionment method"},
		{"negative seats", MethodDHondt, -1, testParties(1), ApportionOptions{}, "out of range"},
		{"negative count", MethodDHondt, 3, testParties(-1), ApportionOptions{}, "negative count"},
		{"duplicate name", MethodDHondt, 3, []Party{{"A", 1}, {"A", 2}}, ApportionOptions{}, "same name"},
		{"minimum too large", MethodHare, 5, testParties(1, 2, 3), ApportionOptions{Min: 2}, "a minimum of 2 seats for each of 3 parties needs 6 seats, more than the 5 in the house"},
		{"nothing to share by", MethodDHondt, 3, testParties(0, 0), ApportionOptions{}, "no party with a positive count"},
		{"nothing to share by, hare", MethodHare, 3, testParties(0, 0), ApportionOptions{}, "no party with a positive count"},
		{"no parties", MethodSainteLague, 3, nil, ApportionOptions{}, "no party with a positive count"},
		{"threshold over 1", MethodDHondt, 3, testParties(1), ApportionOptions{Threshold: big.NewRat(3, 2)}, "not a share"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apportion(tc.method, tc.seats, tc.ps, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v, want a bad-input error mentioning %q", err, tc.want)
			}
		})
	}
}

func sumSeats(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// TestApportionProperties checks on random inputs that the seats add up to
// the house, that divisor methods are house-monotone (one more seat takes
// none away), and that the order of the parties does not matter (ties aside).
func TestApportionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 400 {
		n := 1 + r.IntN(8)
		counts := make([]int64, n)
		for j := range counts {
			counts[j] = r.Int64N(10000)
			if i%4 == 0 {
				counts[j] = r.Int64N(math.MaxInt64)
			}
		}
		counts[0]++ // at least one positive count
		ps := testParties(counts...)
		house := r.IntN(40)
		minSeats := r.IntN(2)
		if minSeats*n > house {
			minSeats = 0
		}
		for _, method := range ApportionMethods {
			a, err := Apportion(method, house, ps, ApportionOptions{Min: minSeats, Seed: "p"})
			if err != nil {
				t.Fatalf("%s %v house %d: %v", method, counts, house, err)
			}
			if sumSeats(a.Seats) != house {
				t.Fatalf("%s %v: seats %v add to %d, not %d", method, counts, a.Seats, sumSeats(a.Seats), house)
			}
			for j, s := range a.Seats {
				if s < minSeats {
					t.Fatalf("%s %v: party %d has %d < minimum %d", method, counts, j, s, minSeats)
				}
			}
			if method != MethodHare && len(a.Ties) == 0 {
				more, err := Apportion(method, house+1, ps, ApportionOptions{Min: minSeats})
				if err != nil {
					t.Fatal(err)
				}
				for j := range a.Seats {
					if more.Seats[j] < a.Seats[j] {
						t.Fatalf("%s %v: house %d gives %v, house %d gives %v", method, counts, house, a.Seats, house+1, more.Seats)
					}
				}
			}
			if len(a.Ties) == 0 {
				perm := r.Perm(n)
				shuffled := make([]Party, n)
				for j, p := range perm {
					shuffled[j] = ps[p]
				}
				b, err := Apportion(method, house, shuffled, ApportionOptions{Min: minSeats})
				if err != nil {
					t.Fatal(err)
				}
				for j, p := range perm {
					if b.Seats[j] != a.Seats[p] {
						t.Fatalf("%s %v: reordering the parties changed the seats: %v vs %v (perm %v)", method, counts, a.Seats, b.Seats, perm)
					}
				}
			}
		}
	}
}

func TestParseShare(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"5%", "1/20", false}, {"2.5%", "1/40", false}, {"0.05", "1/20", false}, {" 100% ", "1", false},
		{"101%", "", true}, {"-1%", "", true}, {"five", "", true}, {"1,5%", "", true}, {"", "", true},
	} {
		r, err := ParseShare(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: %s, want an error", tc.in, r.RatString())
			}
			continue
		}
		if err != nil || r.RatString() != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.in, r, err, tc.want)
		}
	}
}
