package tally

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func readPBFile(t testing.TB, path string) *PabulibFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := ReadPabulib(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pf
}

// officialSelected returns the ids of the projects with selected=1, sorted.
func officialSelected(t *testing.T, pf *PabulibFile) []string {
	t.Helper()
	var ids []string
	for i, p := range pf.Budget.Projects {
		v, ok := pf.ProjectField(i, "selected")
		if !ok {
			t.Fatal("no selected column")
		}
		if v == "1" {
			ids = append(ids, p.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func selectedIDs(b *Budget, sel []int) []string {
	ids := make([]string, len(sel))
	for i, c := range sel {
		ids[i] = b.Projects[c].ID
	}
	sort.Strings(ids)
	return ids
}

// TestMESOfficialOutcomes checks the two cities that used the Method of
// Equal Shares: the official winners, and for Wieliczka the endowment
// window recorded in testdata/pabulib/SOURCE.md.
func TestMESOfficialOutcomes(t *testing.T) {
	for _, tc := range []struct {
		file     string
		winners  int
		cost     int64
		minShare int64 // the final share must be in [minShare, maxShare)
		maxShare int64
	}{
		{"Poland_Wieliczka_2023_Green_Budget.pb", 30, 995079, 306, 316},
		{"Poland_Swiecie_2023.pb", 17, 1040337, 0, 1 << 40},
	} {
		t.Run(tc.file, func(t *testing.T) {
			pf := readPBFile(t, filepath.Join("testdata/pabulib/mes", tc.file))
			res, err := CountBudget(MethodMES, pf.Budget, BudgetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, want := selectedIDs(pf.Budget, res.Selected), officialSelected(t, pf)
			if !slices.Equal(got, want) {
				t.Errorf("selected %v, official %v", got, want)
			}
			if len(res.Selected) != tc.winners || res.Cost != tc.cost {
				t.Errorf("%d projects costing %d, want %d costing %d", len(res.Selected), res.Cost, tc.winners, tc.cost)
			}
			if res.Endowment.Cmp(big.NewRat(tc.minShare, 1)) < 0 || res.Endowment.Cmp(big.NewRat(tc.maxShare, 1)) >= 0 {
				t.Errorf("final share %s, want in [%d, %d)", res.Endowment.FloatString(2), tc.minShare, tc.maxShare)
			}
			if res.NextCost <= res.Limit {
				t.Errorf("completion stopped with next cost %d within the budget %d", res.NextCost, res.Limit)
			}
		})
	}
}

// TestMESWieliczkaEndowmentWindow pins the difference between Add1 as the
// city ran it and the "stop when exhaustive" variant: at 305 PLN per voter
// MES picks {66, 67} instead of {46} (31 projects, 984 579 PLN), and from 306
// to 315 PLN it gives the official outcome.
func TestMESWieliczkaEndowmentWindow(t *testing.T) {
	pf := readPBFile(t, "testdata/pabulib/mes/Poland_Wieliczka_2023_Green_Budget.pb")
	m := newMESInstance(pf.Budget)
	official := officialSelected(t, pf)
	at305 := m.runExact(big.NewRat(305, 1), "")
	got := selectedIDs(pf.Budget, at305.selected)
	if len(got) != 31 || m.costOf(at305.selected) != 984579 || !slices.Contains(got, "66") || !slices.Contains(got, "67") || slices.Contains(got, "46") {
		t.Errorf("at 305 PLN: %v costing %d, want 31 projects with 66 and 67, not 46, costing 984579", got, m.costOf(at305.selected))
	}
	for _, share := range []int64{306, 313, 315} {
		r := m.runExact(big.NewRat(share, 1), "")
		if got := selectedIDs(pf.Budget, r.selected); !slices.Equal(got, official) {
			t.Errorf("at %d PLN: %v, want the official %v", share, got, official)
		}
	}
}

// TestGreedyWarsaw checks greedy approval on eleven Warsaw district budgets
// against the official selection.
func TestGreedyWarsaw(t *testing.T) {
	files, err := filepath.Glob("testdata/pabulib/greedy/*.pb")
	if err != nil || len(files) != 11 {
		t.Fatalf("want 11 Warsaw files, have %d (%v)", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			pf := readPBFile(t, file)
			res, err := CountBudget(MethodGreedy, pf.Budget, BudgetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := selectedIDs(pf.Budget, res.Selected), officialSelected(t, pf); !slices.Equal(got, want) {
				t.Errorf("selected %v, official %v", got, want)
			}
			if res.Cost > res.Limit {
				t.Errorf("cost %d over budget %d", res.Cost, res.Limit)
			}
		})
	}
}

// handBudget is the example worked by hand in TestMESByHand.
func handBudget() *Budget {
	return &Budget{
		Limit: 40,
		Projects: []BudgetProject{
			{ID: "A", Cost: 24}, {ID: "B", Cost: 12}, {ID: "C", Cost: 9}, {ID: "D", Cost: 5},
		},
		Ballots: []BudgetBallot{
			{Voter: "v1", Approved: []int{0}},
			{Voter: "v2", Approved: []int{0}},
			{Voter: "v3", Approved: []int{0, 1}},
			{Voter: "v4", Approved: []int{1, 2}},
		},
	}
}

// TestMESByHand checks a count done by hand. Four voters, budget 40; A (24)
// approved by v1 v2 v3, B (12) by v3 v4, C (9) by v4, D (5) by nobody.
//
// mes-raw, share 10: A has ρ = 24/3 = 8, ρ/C = 1/3; B ρ = 6, 1/2; C ρ = 9, 1.
// A wins; v1..v3 keep 2. Then B: v3 can pay only 2, so v4 pays 10: ρ = 10,
// ρ/C = 5/6 < 1 for C. B wins; v3 and v4 are left with 0 and C is no longer
// affordable. Outcome A, B costing 36.
//
// mes, shares 11, 12, 13, 14: the same A, B (at 14, B costs 6 each and v4
// keeps 8 < 9). At 15, v4 keeps 9 after B and C is selected too: 45 > 40, so
// completion stops at 14 after 4 steps.
func TestMESByHand(t *testing.T) {
	raw, err := CountBudget(MethodMESRaw, handBudget(), BudgetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(raw.Selected, []int{0, 1}) || raw.Cost != 36 {
		t.Fatalf("mes-raw selected %v costing %d, want [0 1] costing 36", raw.Selected, raw.Cost)
	}
	r2 := raw.Rounds[1]
	if r2.Rho.Cmp(big.NewRat(10, 1)) != 0 || r2.PaidInFull != 1 || r2.PaidLess != 1 || r2.EffectiveVotes.Cmp(big.NewRat(6, 5)) != 0 {
		t.Errorf("mes-raw round 2: ρ %s, in full %d, less %d, effective %s; want 10, 1, 1, 6/5",
			r2.Rho, r2.PaidInFull, r2.PaidLess, r2.EffectiveVotes)
	}
	if len(raw.NotSelected) != 1 || raw.NotSelected[0].Project != 2 || raw.NotSelected[0].MoneyLeft.Sign() != 0 {
		t.Errorf("mes-raw left out %+v, want C with nothing left", raw.NotSelected)
	}
	v3, _ := raw.VoterShare(2)
	if len(v3.Payments) != 2 || v3.Payments[1].Amount.Cmp(big.NewRat(2, 1)) != 0 || v3.Remaining.Sign() != 0 {
		t.Errorf("v3's share: %+v", v3)
	}

	res, err := CountBudget(MethodMES, handBudget(), BudgetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Selected, []int{0, 1}) || res.Steps != 4 || res.Endowment.Cmp(big.NewRat(14, 1)) != 0 || res.NextCost != 45 {
		t.Errorf("mes: %v after %d steps at share %s, next cost %d; want [0 1] after 4 steps at 14, next 45",
			res.Selected, res.Steps, res.Endowment, res.NextCost)
	}
	if r := res.Rounds[1]; r.Rho.Cmp(big.NewRat(6, 1)) != 0 || r.PaidInFull != 2 {
		t.Errorf("mes round 2: ρ %s paid in full by %d, want 6 by 2", r.Rho, r.PaidInFull)
	}
	v4, _ := res.VoterShare(3)
	if v4.Remaining.Cmp(big.NewRat(8, 1)) != 0 {
		t.Errorf("v4 keeps %s, want 8", v4.Remaining)
	}
	sum, _ := res.Shares()
	// v1, v2, v3 keep 14-8 = 6, 6, 0; v4 keeps 8: total 20, one spent all.
	if sum.SpentAll != 1 || sum.TotalLeft.Cmp(big.NewRat(20, 1)) != 0 || sum.MostLeft.Cmp(big.NewRat(8, 1)) != 0 {
		t.Errorf("share summary %+v", sum)
	}
}

// TestGreedyByHand checks greedy's order, skipping and ties.
func TestGreedyByHand(t *testing.T) {
	b := &Budget{
		Limit: 100,
		Projects: []BudgetProject{
			{ID: "big", Cost: 80}, {ID: "mid", Cost: 30}, {ID: "cheap", Cost: 20}, {ID: "twin", Cost: 20}, {ID: "none", Cost: 1},
		},
		Ballots: []BudgetBallot{
			{Approved: []int{0, 1, 2, 3}}, {Approved: []int{0, 1, 2, 3}}, {Approved: []int{0, 1}}, {Approved: []int{0}},
		},
	}
	// Votes: big 4, mid 3, cheap 2, twin 2, none 0. big fits (20 left); mid
	// (30) does not; cheap and twin tie on votes and cost: lot picks one,
	// which fits; the other does not. "none" is never selected.
	res, err := CountBudget(MethodGreedy, b, BudgetOptions{Seed: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Selected) != 2 || res.Selected[0] != 0 || (res.Selected[1] != 2 && res.Selected[1] != 3) || res.Cost != 100 {
		t.Fatalf("selected %v costing %d", res.Selected, res.Cost)
	}
	if len(res.Ties) != 1 || res.Ties[0].Rule != "lot" || res.Ties[0].Chosen != res.Selected[1] {
		t.Errorf("ties %+v", res.Ties)
	}
	if len(res.Rounds) != 4 || res.Rounds[1].Selected {
		t.Errorf("rounds %+v", res.Rounds)
	}
	// The lot depends on the seed only: some seed picks the other twin.
	picks := map[int]bool{}
	for _, seed := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		r, _ := CountBudget(MethodGreedy, b, BudgetOptions{Seed: seed})
		again, _ := CountBudget(MethodGreedy, b, BudgetOptions{Seed: seed})
		if !slices.Equal(r.Selected, again.Selected) {
			t.Errorf("seed %q: %v then %v", seed, r.Selected, again.Selected)
		}
		picks[r.Selected[1]] = true
	}
	if len(picks) != 2 {
		t.Errorf("eight seeds always picked %v", picks)
	}
}

// randomBudget makes a small random budget; with few distinct costs and
// voters it has many ties, which exercise the exact path.
func randomBudget(r *rand.Rand, voters, projects int, tieProne bool) *Budget {
	b := &Budget{Decimals: r.IntN(2)}
	total := int64(0)
	for c := range projects {
		cost := int64(1 + r.IntN(1000))
		if tieProne {
			cost = int64(10 * (1 + r.IntN(3)))
		}
		if r.IntN(20) == 0 {
			cost = 0
		}
		total += cost
		b.Projects = append(b.Projects, BudgetProject{ID: string(rune('a'+c%26)) + strings.Repeat("x", c/26), Cost: cost})
	}
	b.Limit = total * int64(1+r.IntN(6)) / 10
	for range voters {
		var approved []int
		for c := range projects {
			if r.IntN(3) == 0 {
				approved = append(approved, c)
			}
		}
		b.Ballots = append(b.Ballots, BudgetBallot{Approved: approved})
	}
	return b
}

// TestMESFastMatchesExact compares the certified fast count with the exact
// one on random budgets, at several shares: whenever the fast count answers
// it must give the exact outcome, ties and lots included.
func TestMESFastMatchesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	answered, total := 0, 0
	for i := range 300 {
		b := randomBudget(r, 1+r.IntN(30), 1+r.IntN(12), i%2 == 0)
		m := newMESInstance(b)
		if m.voters == 0 {
			continue
		}
		st := m.newFloatState()
		for k := int64(0); k < 6; k++ {
			total++
			fast, ok := m.runFloat(k, "seed", st)
			if !ok {
				continue
			}
			answered++
			exact := m.runExact(m.endowment(k), "seed")
			if !slices.Equal(fast.selected, exact.selected) || len(fast.ties) != len(exact.ties) {
				t.Fatalf("budget %d, step %d: fast %v (ties %v), exact %v (ties %v)", i, k, fast.selected, fast.ties, exact.selected, exact.ties)
			}
		}
	}
	if answered < total/2 {
		t.Errorf("the fast count answered only %d of %d", answered, total)
	}
}

// TestBudgetProperties checks on random budgets that no method spends more
// than the budget, that the order of the ballots does not matter, and that
// the explanation adds up.
func TestBudgetProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 150 {
		b := randomBudget(r, r.IntN(40), 1+r.IntN(10), i%3 == 0)
		for _, method := range BudgetMethods {
			res, err := CountBudget(method, b, BudgetOptions{Seed: "x"})
			if err != nil {
				t.Fatalf("budget %d %s: %v", i, method, err)
			}
			if res.Cost > b.Limit {
				t.Fatalf("budget %d %s: cost %d over %d", i, method, res.Cost, b.Limit)
			}
			shuffled := *b
			shuffled.Ballots = slices.Clone(b.Ballots)
			r.Shuffle(len(shuffled.Ballots), func(x, y int) {
				shuffled.Ballots[x], shuffled.Ballots[y] = shuffled.Ballots[y], shuffled.Ballots[x]
			})
			again, err := CountBudget(method, &shuffled, BudgetOptions{Seed: "x"})
			if err != nil || !slices.Equal(res.Selected, again.Selected) {
				t.Fatalf("budget %d %s: %v, with ballots shuffled %v (%v)", i, method, res.Selected, again.Selected, err)
			}
			if method == MethodGreedy || len(b.Ballots) == 0 {
				continue
			}
			// Every selected project is paid in full by its supporters, and
			// no voter pays more than the share.
			for _, rd := range res.Rounds {
				paid := new(big.Rat)
				for v := range b.Ballots {
					s, _ := res.VoterShare(v)
					for _, p := range s.Payments {
						if p.Project == rd.Project {
							paid.Add(paid, p.Amount)
						}
					}
				}
				if paid.Cmp(new(big.Rat).SetInt64(rd.Cost)) != 0 {
					t.Fatalf("budget %d %s: project %d cost %d, paid %s", i, method, rd.Project, rd.Cost, paid)
				}
			}
			for v := range b.Ballots {
				s, _ := res.VoterShare(v)
				if s.Remaining.Sign() < 0 {
					t.Fatalf("budget %d %s: voter %d overspent", i, method, v)
				}
			}
		}
	}
}

// TestMESTiesByLot checks a round-one tie settled by lot: two projects with
// the same supporters count and cost.
func TestMESTiesByLot(t *testing.T) {
	b := &Budget{
		Limit:    10,
		Projects: []BudgetProject{{ID: "x", Cost: 10}, {ID: "y", Cost: 10}},
		Ballots:  []BudgetBallot{{Approved: []int{0}}, {Approved: []int{1}}},
	}
	seen := map[int]bool{}
	for _, seed := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
		res, err := CountBudget(MethodMESRaw, b, BudgetOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		// Each voter has 5: neither project is affordable at all.
		if len(res.Selected) != 0 {
			t.Fatalf("selected %v with shares of 5", res.Selected)
		}
		res, err = CountBudget(MethodMES, b, BudgetOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		// At share 10 each is affordable by its one supporter; only one
		// fits: at 10 both would be selected (cost 20 > 10), so completion
		// stops at 9 with nothing. That is the rule.
		if len(res.Selected) != 0 || res.NextCost != 20 {
			t.Fatalf("mes: %v, next cost %d", res.Selected, res.NextCost)
		}
	}
	b.Ballots = []BudgetBallot{{Approved: []int{0, 1}}, {Approved: []int{0, 1}}}
	for _, seed := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
		res, err := CountBudget(MethodMESRaw, b, BudgetOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Selected) != 1 || len(res.Ties) != 1 || res.Ties[0].Rule != "lot" {
			t.Fatalf("seed %s: selected %v, ties %+v", seed, res.Selected, res.Ties)
		}
		seen[res.Selected[0]] = true
	}
	if len(seen) != 2 {
		t.Errorf("eight seeds always chose %v", seen)
	}
}

func TestCountBudgetRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		b      Budget
		want   string
	}{
		{"unknown method", "borda", Budget{}, "unknown budgeting method"},
		{"negative budget", MethodMES, Budget{Limit: -1}, "negative"},
		{"negative cost", MethodMES, Budget{Projects: []BudgetProject{{ID: "a", Cost: -5}}}, "negative cost"},
		{"duplicate id", MethodGreedy, Budget{Projects: []BudgetProject{{ID: "a"}, {ID: "a"}}}, "same id"},
		{"missing id", MethodGreedy, Budget{Projects: []BudgetProject{{}}}, "no id"},
		{"unknown project", MethodMES, Budget{Projects: []BudgetProject{{ID: "a"}}, Ballots: []BudgetBallot{{Approved: []int{3}}}}, "does not exist"},
		{"approved twice", MethodMES, Budget{Projects: []BudgetProject{{ID: "a"}}, Ballots: []BudgetBallot{{Approved: []int{0, 0}}}}, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CountBudget(tc.method, &tc.b, BudgetOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("error %T is not an *InputError", err)
			}
		})
	}
}

func TestMESMaxSteps(t *testing.T) {
	// One voter, a project costing far more than the budget: the share
	// would have to rise 10^6 units before anything changes.
	b := &Budget{Limit: 1, Projects: []BudgetProject{{ID: "a", Cost: 1_000_000}}, Ballots: []BudgetBallot{{Approved: []int{0}}}}
	if _, err := CountBudget(MethodMES, b, BudgetOptions{MaxSteps: 1000}); err == nil || !strings.Contains(err.Error(), "1000 steps") {
		t.Fatalf("error %v, want the step bound", err)
	}
}

func TestMESEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    Budget
		want []int
	}{
		{"no voters", Budget{Limit: 10, Projects: []BudgetProject{{ID: "a", Cost: 1}}}, nil},
		{"no projects", Budget{Limit: 10, Ballots: []BudgetBallot{{}}}, nil},
		{"zero budget", Budget{Limit: 0, Projects: []BudgetProject{{ID: "a", Cost: 1}}, Ballots: []BudgetBallot{{Approved: []int{0}}}}, nil},
		{"free project first", Budget{Limit: 10, Projects: []BudgetProject{{ID: "a", Cost: 10}, {ID: "free", Cost: 0}},
			Ballots: []BudgetBallot{{Approved: []int{0, 1}}}}, []int{1, 0}},
		{"everything fits", Budget{Limit: 100, Projects: []BudgetProject{{ID: "a", Cost: 10}, {ID: "b", Cost: 20}},
			Ballots: []BudgetBallot{{Approved: []int{0}}, {Approved: []int{1}}}}, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{MethodMES, MethodMESRaw} {
				res, err := CountBudget(method, &tc.b, BudgetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if method == MethodMES && !slices.Equal(res.Selected, tc.want) {
					t.Errorf("%s: %v, want %v", method, res.Selected, tc.want)
				}
			}
		})
	}
}
