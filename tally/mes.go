package tally

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// The Method of Equal Shares (MES) for approval ballots, as used by
// equalshares.net and the cities that adopted it (Wieliczka 2023, Świecie
// 2023):
//
//   - Every voter gets an equal share of the budget, the endowment e.
//   - A project c of cost C is affordable if its supporters have at least C
//     left between them. Its per-voter payment ρ is the least amount such
//     that, if every supporter pays ρ or all they have left when that is
//     less, the payments add up to C.
//   - Each round selects the affordable project with the most effective
//     votes C/ρ (the least payment per unit of cost, ρ/C: "cost
//     utilities", which is what equalshares.net computes) and charges its
//     supporters. Rounds go on until no project is affordable.
//   - Ties (equal ρ/C) go to the project with more supporters, then to the
//     cheaper one, then by lot from the published seed. A project of cost 0
//     that someone approves has ρ = 0 and is selected first.
//
// Add1 completion (MethodMES): MES usually leaves money unspent, so the
// endowment is raised by one currency unit at a time, from Limit/voters, as
// long as the outcome still costs no more than the budget; the last such
// outcome is the result. It stops at the first endowment whose outcome costs
// more than the budget, not at the first outcome that is "exhaustive": that
// variant differs on Wieliczka 2023 (it stops at 305 PLN, the official
// outcome is the one at 313 PLN). Completion also stops when every approved
// project is selected, since no further raise can add one.
//
// All decisions are exact. Each completion step runs a fast count in
// floating point that certifies every comparison it makes with a rigorous
// error bound, and reruns the step in exact rational arithmetic when a
// comparison is too close to call (mes_float.go). The reported outcome is
// replayed in exact arithmetic for its explanation.

// mesInstance is a budget prepared for MES: voters with identical ballots
// are grouped, since they always hold and pay the same amounts.
type mesInstance struct {
	voters  int
	limit   int64
	unit    int64
	cost    []int64
	weight  []int64   // voters in each group
	groupOf []int32   // group of each ballot
	supp    [][]int32 // groups approving each project, ascending
	support []int64   // voters approving each project
	active  []int     // projects approved by someone, ascending
	maxLen  int       // largest len(supp[c])
}

func newMESInstance(b *Budget) *mesInstance {
	m := &mesInstance{
		voters:  len(b.Ballots),
		limit:   b.Limit,
		unit:    b.unit(),
		cost:    make([]int64, len(b.Projects)),
		groupOf: make([]int32, len(b.Ballots)),
		supp:    make([][]int32, len(b.Projects)),
		support: make([]int64, len(b.Projects)),
	}
	for c, p := range b.Projects {
		m.cost[c] = p.Cost
	}
	groups := make(map[string]int32)
	var key []byte
	var sorted []int
	for i, bal := range b.Ballots {
		sorted = append(sorted[:0], bal.Approved...)
		slices.Sort(sorted)
		key = key[:0]
		for _, c := range sorted {
			key = strconv.AppendInt(key, int64(c), 36)
			key = append(key, ',')
		}
		g, ok := groups[string(key)]
		if !ok {
			g = int32(len(m.weight))
			groups[string(key)] = g
			m.weight = append(m.weight, 0)
			for _, c := range sorted {
				m.supp[c] = append(m.supp[c], g)
			}
		}
		m.weight[g]++
		m.groupOf[i] = g
	}
	for c := range m.supp {
		for _, g := range m.supp[c] {
			m.support[c] += m.weight[g]
		}
		if m.support[c] > 0 {
			m.active = append(m.active, c)
		}
		m.maxLen = max(m.maxLen, len(m.supp[c]))
	}
	return m
}

// endowment returns Limit/voters + k currency units, exactly.
func (m *mesInstance) endowment(k int64) *big.Rat {
	e := new(big.Rat).SetFrac64(m.limit, int64(m.voters))
	step := new(big.Rat).SetInt(new(big.Int).Mul(big.NewInt(k), big.NewInt(m.unit)))
	return e.Add(e, step)
}

// mesRun is the outcome of one MES count at one endowment.
type mesRun struct {
	selected []int
	ties     []BudgetTie
}

func (m *mesInstance) costOf(sel []int) int64 {
	total := int64(0)
	for _, c := range sel {
		total = addSatInt64(total, m.cost[c])
	}
	return total
}

// run counts at endowment Limit/voters + k units: fast and certified when it
// can, exactly otherwise.
func (m *mesInstance) run(k int64, seed string, fs *mesFloatState) mesRun {
	if r, ok := m.runFloat(k, seed, fs); ok {
		return r
	}
	return m.runExact(m.endowment(k), seed)
}

// breakTie picks among projects with equal ρ/C: more supporters, then lower
// cost, then by lot. It draws from *lot, created on first use, so that the
// fast and the exact counts draw the same lots at the same ties.
func (m *mesInstance) breakTie(round int, tied []int, seed string, lot **Lot) (int, BudgetTie) {
	slices.Sort(tied)
	t := BudgetTie{Round: round, Projects: slices.Clone(tied)}
	most := int64(-1)
	for _, c := range tied {
		most = max(most, m.support[c])
	}
	left := slices.DeleteFunc(slices.Clone(tied), func(c int) bool { return m.support[c] != most })
	t.Rule = "more supporters"
	if len(left) > 1 {
		least := m.cost[left[0]]
		for _, c := range left {
			least = min(least, m.cost[c])
		}
		left = slices.DeleteFunc(left, func(c int) bool { return m.cost[c] != least })
		t.Rule = "lower cost"
	}
	if len(left) > 1 {
		if *lot == nil {
			*lot = NewLot(seed)
		}
		left = left[(*lot).Intn(len(left)):][:1]
		t.Rule = "lot"
	}
	t.Chosen = left[0]
	return left[0], t
}

// runExact is the reference count in exact rational arithmetic.
func (m *mesInstance) runExact(e *big.Rat, seed string) mesRun {
	budget := make([]*big.Rat, len(m.weight))
	for g := range budget {
		budget[g] = new(big.Rat).Set(e)
	}
	alive := slices.Clone(m.active)
	// lower[c] bounds ρ/C from below: budgets only shrink, so ρ only grows.
	lower := make([]*big.Rat, len(m.cost))
	for _, c := range alive {
		if m.cost[c] == 0 {
			lower[c] = new(big.Rat)
		} else {
			lower[c] = big.NewRat(1, m.support[c])
		}
	}
	var run mesRun
	var lot *Lot
	key := make([]*big.Rat, len(m.cost))
	rho := make([]*big.Rat, len(m.cost))
	for round := 1; len(alive) > 0; round++ {
		slices.SortStableFunc(alive, func(x, y int) int { return lower[x].Cmp(lower[y]) })
		var best *big.Rat
		var tied []int
		dead := map[int]bool{}
		for _, c := range alive {
			if best != nil && lower[c].Cmp(best) > 0 {
				break
			}
			r, ok := m.exactRho(c, budget)
			if !ok {
				dead[c] = true
				continue
			}
			rho[c] = r
			if m.cost[c] == 0 {
				key[c] = new(big.Rat)
			} else {
				key[c] = new(big.Rat).Quo(r, new(big.Rat).SetInt64(m.cost[c]))
			}
			lower[c] = key[c]
			switch {
			case best == nil || key[c].Cmp(best) < 0:
				best, tied = key[c], []int{c}
			case key[c].Cmp(best) == 0:
				tied = append(tied, c)
			}
		}
		alive = slices.DeleteFunc(alive, func(c int) bool { return dead[c] })
		if best == nil {
			break
		}
		chosen := tied[0]
		if len(tied) > 1 {
			var t BudgetTie
			chosen, t = m.breakTie(round, tied, seed, &lot)
			run.ties = append(run.ties, t)
		}
		run.selected = append(run.selected, chosen)
		for _, g := range m.supp[chosen] {
			if budget[g].Cmp(rho[chosen]) <= 0 {
				budget[g].SetInt64(0)
			} else {
				budget[g].Sub(budget[g], rho[chosen])
			}
		}
		alive = slices.DeleteFunc(alive, func(c int) bool { return c == chosen })
	}
	return run
}

// exactRho returns project c's per-voter payment, or false if its
// supporters cannot afford it.
func (m *mesInstance) exactRho(c int, budget []*big.Rat) (*big.Rat, bool) {
	if m.cost[c] == 0 {
		return new(big.Rat), true
	}
	total := new(big.Rat)
	tmp := new(big.Rat)
	for _, g := range m.supp[c] {
		total.Add(total, tmp.Mul(budget[g], tmp.SetInt64(m.weight[g])))
	}
	if total.Cmp(new(big.Rat).SetInt64(m.cost[c])) < 0 {
		return nil, false
	}
	return m.payment(c, budget, nil), true
}

// payment returns the per-voter payment of project c, which its supporters
// can afford: with the supporters in ascending order of budget, those who
// cannot pay an equal share of what is left pay all they have.
//
// approx, if not nil, holds each budget rounded to float64 (correctly, as
// big.Rat.Float64 does); the sort then compares exactly only budgets whose
// rounded values are too close to order, which is much faster and gives the
// same order. Groups may share one *big.Rat when their budgets are equal.
func (m *mesInstance) payment(c int, budget []*big.Rat, approx []float64) *big.Rat {
	cost := new(big.Rat).SetInt64(m.cost[c])
	if m.cost[c] == 0 {
		return new(big.Rat)
	}
	order := slices.Clone(m.supp[c])
	slices.SortFunc(order, func(x, y int32) int {
		if budget[x] == budget[y] {
			return 0
		}
		if approx != nil {
			ax, ay := approx[x], approx[y]
			if gap := ax - ay; gap > 1e-9*ay || -gap > 1e-9*ax {
				if gap < 0 {
					return -1
				}
				return 1
			}
		}
		return budget[x].Cmp(budget[y])
	})
	tmp := new(big.Rat)
	paid := new(big.Rat)
	payers := m.support[c]
	for i := 0; i < len(order); {
		// Take the groups sharing this budget value together.
		b := budget[order[i]]
		w := int64(0)
		for ; i < len(order) && budget[order[i]] == b; i++ {
			w += m.weight[order[i]]
		}
		share := new(big.Rat).Sub(cost, paid)
		share.Quo(share, tmp.SetInt64(payers))
		if share.Cmp(b) <= 0 {
			return share
		}
		paid.Add(paid, new(big.Rat).Mul(b, tmp.SetInt64(w)))
		payers -= w
	}
	// Unreachable for an affordable project: the richest supporters can pay
	// what is left.
	panic("tally: MES payment not found for an affordable project")
}

// explain replays the selections at endowment e in exact arithmetic and
// fills the rounds, the left-out projects and every voter's ledger.
func (m *mesInstance) explain(res *BudgetResult, e *big.Rat, sel []int) {
	// Budgets are shared, immutable values: groups that paid the same hold
	// the same *big.Rat, so each payment is subtracted once per value.
	start := new(big.Rat).Set(e)
	ef, _ := start.Float64()
	budget := make([]*big.Rat, len(m.weight))
	approx := make([]float64, len(m.weight))
	for g := range budget {
		budget[g], approx[g] = start, ef
	}
	zero := new(big.Rat)
	payments := make([][]VoterPayment, len(m.weight))
	spent := int64(0)
	type after struct {
		value  *big.Rat
		approx float64
		paid   *big.Rat
	}
	for i, c := range sel {
		// The selections come from a certified count: affordable.
		rho := m.payment(c, budget, approx)
		r := BudgetRound{Project: c, Cost: m.cost[c], Supporters: int(m.support[c]), Selected: true, Rho: rho}
		if rho.Sign() > 0 {
			r.EffectiveVotes = new(big.Rat).Quo(new(big.Rat).SetInt64(m.cost[c]), rho)
		}
		next := map[*big.Rat]after{}
		for _, g := range m.supp[c] {
			old := budget[g]
			nb, ok := next[old]
			if !ok {
				if old.Cmp(rho) <= 0 {
					nb = after{zero, 0, old}
				} else {
					v := new(big.Rat).Sub(old, rho)
					f, _ := v.Float64()
					nb = after{v, f, rho}
				}
				next[old] = nb
			}
			if nb.paid == old && old.Cmp(rho) < 0 {
				r.PaidLess += int(m.weight[g])
			} else {
				r.PaidInFull += int(m.weight[g])
			}
			budget[g], approx[g] = nb.value, nb.approx
			if nb.paid.Sign() > 0 || rho.Sign() == 0 {
				payments[g] = append(payments[g], VoterPayment{Round: i + 1, Project: c, Amount: nb.paid})
			}
		}
		spent = addSatInt64(spent, m.cost[c])
		r.Spent = spent
		res.Rounds = append(res.Rounds, r)
	}
	chosen := make([]bool, len(m.cost))
	for _, c := range sel {
		chosen[c] = true
	}
	sum := newDenomSummer(budget)
	for _, c := range m.active {
		if chosen[c] {
			continue
		}
		res.NotSelected = append(res.NotSelected, BudgetLeftOut{Project: c, Cost: m.cost[c], Supporters: int(m.support[c]),
			MoneyLeft: sum.total(m.supp[c], m.weight)})
	}
	res.shares = &voterShares{groupOf: m.groupOf, payments: payments, remaining: budget, endowment: e}
}

// denomSummer adds weighted budgets exactly and fast: it adds the
// numerators of budgets with the same denominator as integers, and only then
// adds the sums as fractions, which saves a GCD per term.
type denomSummer struct {
	budget []*big.Rat
	class  []int32 // per group: index of its budget's denominator in dens
	dens   []*big.Int
	sums   []*big.Int
}

func newDenomSummer(budget []*big.Rat) *denomSummer {
	s := &denomSummer{budget: budget, class: make([]int32, len(budget))}
	byValue := map[*big.Rat]int32{}
	byDenom := map[string]int32{}
	for g, b := range budget {
		i, ok := byValue[b]
		if !ok {
			key := string(b.Denom().Bytes())
			if i, ok = byDenom[key]; !ok {
				i = int32(len(s.dens))
				byDenom[key] = i
				s.dens = append(s.dens, new(big.Int).Set(b.Denom()))
				s.sums = append(s.sums, new(big.Int))
			}
			byValue[b] = i
		}
		s.class[g] = i
	}
	return s
}

// total returns Σ weight[g]·budget[g] over the groups.
func (s *denomSummer) total(groups []int32, weight []int64) *big.Rat {
	for _, x := range s.sums {
		x.SetInt64(0)
	}
	term, w := new(big.Int), new(big.Int)
	for _, g := range groups {
		sum := s.sums[s.class[g]]
		sum.Add(sum, term.Mul(s.budget[g].Num(), w.SetInt64(weight[g])))
	}
	total, frac := new(big.Rat), new(big.Rat)
	for i, x := range s.sums {
		if x.Sign() != 0 {
			total.Add(total, frac.SetFrac(x, s.dens[i]))
		}
	}
	return total
}

// countMES counts with the Method of Equal Shares, with Add1 completion if
// completion is set.
func countMES(b *Budget, opts BudgetOptions, completion bool) (*BudgetResult, error) {
	method := MethodMESRaw
	if completion {
		method = MethodMES
	}
	res := &BudgetResult{
		Method:   method,
		Limit:    b.Limit,
		Decimals: b.Decimals,
		Voters:   len(b.Ballots),
		Seed:     opts.Seed,
		NextCost: -1,
	}
	if len(b.Ballots) == 0 {
		// Nobody to share the budget among: nothing can be paid for.
		return res, nil
	}
	m := newMESInstance(b)
	fs := m.newFloatState()
	k := int64(0)
	cur := m.run(0, opts.Seed, fs)
	if completion {
		maxSteps := opts.MaxSteps
		if maxSteps <= 0 {
			maxSteps = DefaultMaxSteps
		}
		for len(cur.selected) < len(m.active) {
			if k >= int64(maxSteps) {
				return nil, fmt.Errorf("mes: completion did not end within %d steps (share %s); raise BudgetOptions.MaxSteps",
					maxSteps, FormatRat(m.endowment(k), b.Decimals, 2))
			}
			next := m.run(k+1, opts.Seed, fs)
			if cost := m.costOf(next.selected); cost > b.Limit {
				res.NextCost = cost
				break
			}
			k++
			cur = next
		}
	}
	res.Selected = cur.selected
	res.Cost = m.costOf(cur.selected)
	res.Ties = cur.ties
	res.Steps = int(k)
	res.StartEndowment = m.endowment(0)
	res.Endowment = m.endowment(k)
	m.explain(res, res.Endowment, cur.selected)
	return res, nil
}

// String names the tie for reports: "projects 3, 7: lot".
func (t BudgetTie) String() string {
	ids := make([]string, len(t.Projects))
	for i, c := range t.Projects {
		ids[i] = strconv.Itoa(c)
	}
	return "projects " + strings.Join(ids, ", ") + ": " + t.Rule
}
