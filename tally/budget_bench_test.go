package tally

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkMESWieliczka counts Wieliczka 2023 (6,586 voters, 64 projects)
// with the Method of Equal Shares and Add1 completion (165 counts), the
// explanation included. The target is under 100 ms.
func BenchmarkMESWieliczka(b *testing.B) {
	pf := readPBFile(b, "testdata/pabulib/mes/Poland_Wieliczka_2023_Green_Budget.pb")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CountBudget(MethodMES, pf.Budget, BudgetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGreedyWarsaw counts the largest Warsaw file (Bielany 2017, 7,477
// voters) with greedy approval.
func BenchmarkGreedyWarsaw(b *testing.B) {
	pf := readPBFile(b, "testdata/pabulib/greedy/Poland_Warszawa_2017_Bielany.pb")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CountBudget(MethodGreedy, pf.Budget, BudgetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticBudget makes a budget of the given size: project costs between
// 10,000 and 300,000, popularity falling like 1/(rank+10), each voter
// approving 1 to 10 projects, and a budget of a fifth of the total cost.
func syntheticBudget(voters, projects int) *Budget {
	r := rand.New(rand.NewPCG(2023, 1917))
	b := &Budget{}
	weights := make([]float64, projects)
	totalWeight, totalCost := 0.0, int64(0)
	for c := range projects {
		cost := 10_000 + r.Int64N(290_001)
		totalCost += cost
		b.Projects = append(b.Projects, BudgetProject{ID: "p" + strconv.Itoa(c), Cost: cost})
		weights[c] = 1 / float64(c+10)
		totalWeight += weights[c]
	}
	b.Limit = totalCost / 5
	chosen := make([]bool, projects)
	for v := range voters {
		k := 1 + r.IntN(10)
		var approved []int
		for len(approved) < k {
			x := r.Float64() * totalWeight
			c := 0
			for c < projects-1 && x >= weights[c] {
				x -= weights[c]
				c++
			}
			if !chosen[c] {
				chosen[c] = true
				approved = append(approved, c)
			}
		}
		for _, c := range approved {
			chosen[c] = false
		}
		b.Ballots = append(b.Ballots, BudgetBallot{Voter: strconv.Itoa(v), Approved: approved})
	}
	return b
}

// BenchmarkMESSynthetic counts a synthetic 100,000-voter, 200-project budget
// with the Method of Equal Shares and Add1 completion. The target is under
// 5 s.
func BenchmarkMESSynthetic(b *testing.B) {
	budget := syntheticBudget(100_000, 200)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := CountBudget(MethodMES, budget, BudgetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Steps), "steps")
		b.ReportMetric(float64(len(res.Selected)), "projects")
	}
}
