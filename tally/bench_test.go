package tally

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
)

// syntheticBallots draws n ballots over ncand candidates: preferences by
// Plackett–Luce with Zipf-like popularity (candidate i has weight
// 1/(i+1)^0.8), ballot lengths 1 + a geometric number with mean 3.5 (real
// STV ballots are short: Dublin North's average 5.0 preferences of 12),
// capped at ncand. Deterministic for a given seed.
func syntheticBallots(seed uint64, n, ncand int) []Ballot {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pop := make([]float64, ncand)
	for i := range pop {
		pop[i] = 1 / math.Pow(float64(i+1), 0.8)
	}
	// Shuffle which candidate is popular, so index order means nothing.
	r.Shuffle(ncand, func(i, j int) { pop[i], pop[j] = pop[j], pop[i] })
	store := make([]int, 0, n*5)
	ballots := make([]Ballot, n)
	left := make([]int, ncand)
	for b := range ballots {
		k := 1
		for k < ncand && r.Float64() < 0.72 {
			k++
		}
		for i := range left {
			left[i] = i
		}
		sum := 0.0
		for _, p := range pop {
			sum += p
		}
		start := len(store)
		m := ncand
		for len(store)-start < k {
			x := r.Float64() * sum
			j := 0
			for ; j < m-1; j++ {
				x -= pop[left[j]]
				if x < 0 {
					break
				}
			}
			c := left[j]
			store = append(store, c)
			sum -= pop[c]
			left[j] = left[m-1]
			m--
		}
		ballots[b] = Ballot{Weight: 1, Ranking: store[start:len(store):len(store)]}
	}
	return ballots
}

func syntheticNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Candidate %02d", i+1)
	}
	return names
}

// BenchmarkMeekDublinNorth is the whole of `soviet tally --method meek`
// but starting the process: read the BLT file's bytes, count, print the
// text report.
func BenchmarkMeekDublinNorth(b *testing.B) {
	data, err := os.ReadFile("testdata/preflib-irish/dublin_north_2002.blt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := ReadBLT(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		res, err := Count("meek", p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := res.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeekSynthetic1M groups a million ballots (20 candidates) into a
// profile and counts 7 seats by Meek.
func BenchmarkMeekSynthetic1M(b *testing.B) {
	ballots := syntheticBallots(1, 1_000_000, 20)
	names := syntheticNames(20)
	b.ReportAllocs()
	var distinct int
	for b.Loop() {
		p, err := NewProfile("synthetic", names, nil, 7, ballots)
		if err != nil {
			b.Fatal(err)
		}
		distinct = len(p.Ballots)
		if _, err := Count("meek", p, Options{Seed: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(distinct), "distinct-ballots")
}

// BenchmarkMeekSynthetic1MCountOnly counts an already grouped profile.
func BenchmarkMeekSynthetic1MCountOnly(b *testing.B) {
	p, err := NewProfile("synthetic", syntheticNames(20), nil, 7, syntheticBallots(1, 1_000_000, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Count("meek", p, Options{Seed: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchulze1M: a million ballots over 50 candidates, grouped and
// counted by Schulze.
func BenchmarkSchulze1M(b *testing.B) {
	ballots := syntheticBallots(2, 1_000_000, 50)
	names := syntheticNames(50)
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewProfile("synthetic", names, nil, 1, ballots)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Count("schulze", p, Options{Seed: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchulze1MFullRankings: the worst case, every ballot ranking all
// 50 candidates (a million distinct ballots, 1225 pairs each).
func BenchmarkSchulze1MFullRankings(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	ballots := make([]Ballot, 1_000_000)
	for i := range ballots {
		ballots[i] = Ballot{Weight: 1, Ranking: r.Perm(50)}
	}
	names := syntheticNames(50)
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewProfile("synthetic", names, nil, 1, ballots)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Count("schulze", p, Options{Seed: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteSyntheticBLT writes the synthetic million-ballot election as a
// BLT file for measuring the whole command (time and peak memory) when
// SOVIET_SYNTHETIC_BLT names the file; otherwise it checks the generator is
// deterministic on a small sample.
func TestWriteSyntheticBLT(t *testing.T) {
	out := os.Getenv("SOVIET_SYNTHETIC_BLT")
	if out == "" {
		a, b := syntheticBallots(1, 100, 20), syntheticBallots(1, 100, 20)
		for i := range a {
			if fmt.Sprint(a[i]) != fmt.Sprint(b[i]) {
				t.Fatal("synthetic ballots differ between runs")
			}
		}
		return
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	// Ungrouped, one ballot a line, as a returning officer would export them.
	p := &Profile{Title: "synthetic 1,000,000 ballots", Candidates: syntheticNames(20), Seats: 7,
		Ballots: syntheticBallots(1, 1_000_000, 20)}
	if err := WriteBLT(w, p); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
}

// BenchmarkSchulze1MFullRankingsCountOnly counts the full-ranking profile
// already built.
func BenchmarkSchulze1MFullRankingsCountOnly(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	ballots := make([]Ballot, 1_000_000)
	for i := range ballots {
		ballots[i] = Ballot{Weight: 1, Ranking: r.Perm(50)}
	}
	p, err := NewProfile("synthetic", syntheticNames(50), nil, 1, ballots)
	if err != nil {
		b.Fatal(err)
	}
	ballots = nil
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Count("schulze", p, Options{Seed: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
