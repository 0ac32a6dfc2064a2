package tally

import (
	"math"
	"slices"
)

// The fast MES count runs in float64 but never decides on a rounded value:
// every budget carries a rigorous bound on its distance to the exact
// rational budget, every payment ρ and every key ρ/C an interval that holds
// the exact value, and a comparison is made only when the intervals say
// which side the exact values are on. When they cannot (an exact tie
// between projects whose supporters are not all paying in full, or a
// project whose supporters have almost exactly its cost left), runFloat
// gives up and the step is counted again in exact arithmetic.
//
// Two cases are decided exactly without intervals. A project of cost 0 has
// ρ = 0. A project whose supporters can all certainly pay C/W (W voters
// approve it) has ρ = C/W exactly, whatever the rounding of the budgets, so
// its key is exactly 1/W: ties between such projects (common in the first
// round, where every budget is equal) are found by comparing W.
//
// Error model: an IEEE operation on non-negative operands has relative error
// at most u = 2^-53; a sum of n such terms at most (n+1)u of the sum. The
// bounds below use generous multiples of these.

const mesUlp = 0x1p-53

// mesFloatState holds the scratch space of the fast count, reused across
// completion steps.
type mesFloatState struct {
	budget []float64 // per group: the budget, rounded
	dev    []float64 // per group: bound on |budget - exact budget|
	lower  []float64 // per project: a lower bound on the exact ρ/C
	alive  []int
	poor   []bool // per supporter position of the evaluated project
	sorted []int32
}

func (m *mesInstance) newFloatState() *mesFloatState {
	return &mesFloatState{
		budget: make([]float64, len(m.weight)),
		dev:    make([]float64, len(m.weight)),
		lower:  make([]float64, len(m.cost)),
		poor:   make([]bool, m.maxLen),
	}
}

// floatEval is the fast evaluation of one project in one round.
type floatEval struct {
	status int     // evalOK, evalUnaffordable, evalUncertain
	exact  int     // 0: key known within [lo, hi]; keyZero: ρ = 0; keyInv: ρ/C = 1/W exactly
	rho    float64 // the rounded payment
	lo, hi float64 // bounds on the exact ρ/C
	err    float64 // bound on |rho - exact ρ| (cheap, not tight)
	// For tightening the bound on ρ when the project is selected.
	poorDev, rich float64
	resid         float64
}

const (
	evalOK = iota
	evalUnaffordable
	evalUncertain
)

const (
	keyZero = 1
	keyInv  = 2
)

// runFloat counts at endowment Limit/voters + k units; false means a
// comparison could not be certified and the step must be counted exactly.
func (m *mesInstance) runFloat(k int64, seed string, st *mesFloatState) (mesRun, bool) {
	n := float64(m.voters)
	e := (float64(m.limit) + n*float64(k)*float64(m.unit)) / n
	if math.IsInf(e, 0) || math.IsNaN(e) {
		return mesRun{}, false
	}
	for g := range st.budget {
		st.budget[g] = e
		st.dev[g] = 8 * mesUlp * e
	}
	st.alive = append(st.alive[:0], m.active...)
	for _, c := range st.alive {
		if m.cost[c] == 0 {
			st.lower[c] = 0
		} else {
			st.lower[c] = (1 / float64(m.support[c])) * (1 - 4*mesUlp)
		}
	}
	var run mesRun
	var lot *Lot
	evals := make([]floatEval, len(m.cost))
	for round := 1; len(st.alive) > 0; round++ {
		slices.SortStableFunc(st.alive, func(x, y int) int {
			switch {
			case st.lower[x] < st.lower[y]:
				return -1
			case st.lower[x] > st.lower[y]:
				return 1
			}
			return 0
		})
		best := -1
		var tied []int
		deadAny := false
		for _, c := range st.alive {
			if best >= 0 && st.lower[c] > evals[best].hi {
				break
			}
			ev := m.evalFloat(c, st)
			switch ev.status {
			case evalUncertain:
				return mesRun{}, false
			case evalUnaffordable:
				st.lower[c] = math.Inf(1) // marks it dead
				deadAny = true
				continue
			}
			evals[c] = ev
			st.lower[c] = max(st.lower[c], ev.lo)
			if best < 0 {
				best, tied = c, []int{c}
				continue
			}
			b := &evals[best]
			if ev.exact != 0 && b.exact != 0 {
				switch cmp := compareExactKeys(m, c, ev.exact, best, b.exact); {
				case cmp < 0:
					best, tied = c, []int{c}
				case cmp == 0:
					tied = append(tied, c)
				}
				continue
			}
			switch {
			case ev.hi < b.lo:
				best, tied = c, []int{c}
			case ev.lo > b.hi:
			default:
				return mesRun{}, false
			}
		}
		if deadAny {
			st.alive = slices.DeleteFunc(st.alive, func(c int) bool { return math.IsInf(st.lower[c], 1) })
		}
		if best < 0 {
			break
		}
		chosen := best
		if len(tied) > 1 {
			var t BudgetTie
			chosen, t = m.breakTie(round, tied, seed, &lot)
			run.ties = append(run.ties, t)
		}
		t, ok := m.tightRhoBound(chosen, evals[chosen], st)
		if !ok {
			return mesRun{}, false
		}
		m.payFloat(chosen, evals[chosen].rho, t, st)
		run.selected = append(run.selected, chosen)
		st.alive = slices.DeleteFunc(st.alive, func(c int) bool { return c == chosen })
	}
	return run, true
}

// compareExactKeys compares two exactly known keys: 0 < 1/W, and 1/W falls
// as W grows.
func compareExactKeys(m *mesInstance, a, ka, b, kb int) int {
	switch {
	case ka == keyZero && kb == keyZero:
		return 0
	case ka == keyZero:
		return -1
	case kb == keyZero:
		return 1
	}
	switch wa, wb := m.support[a], m.support[b]; {
	case wa > wb:
		return -1
	case wa < wb:
		return 1
	}
	return 0
}

// evalFloat decides whether project c is affordable and bounds its key.
func (m *mesInstance) evalFloat(c int, st *mesFloatState) floatEval {
	if m.cost[c] == 0 {
		return floatEval{status: evalOK, exact: keyZero}
	}
	C := float64(m.cost[c]) // within u·C of the exact cost
	W := float64(m.support[c])
	supp := m.supp[c]
	var total, sumDev, maxDev float64
	minLow := math.Inf(1)
	for _, g := range supp {
		w := float64(m.weight[g])
		b, d := st.budget[g], st.dev[g]
		total += w * b
		sumDev += w * d
		maxDev = max(maxDev, d)
		minLow = min(minLow, b-d)
	}
	nterms := float64(len(supp) + 4)
	errTotal := sumDev + 2*nterms*mesUlp*total
	switch {
	case total+errTotal < C*(1-4*mesUlp):
		return floatEval{status: evalUnaffordable}
	case total-errTotal < C*(1+4*mesUlp):
		return floatEval{status: evalUncertain}
	}
	rho0 := C / W
	if minLow*(1-4*mesUlp) >= rho0*(1+8*mesUlp) {
		// Everyone pays C/W: exact, whatever the rounding of the budgets.
		inv := 1 / W
		return floatEval{status: evalOK, exact: keyInv, rho: rho0,
			lo: inv * (1 - 4*mesUlp), hi: inv * (1 + 4*mesUlp), err: 8 * mesUlp * rho0}
	}
	rho, paidPoor, poorDev, rich, ok := waterLevel(C, W, supp, m.weight, st)
	if !ok {
		return floatEval{status: evalUncertain}
	}
	_ = paidPoor
	resid := 4 * nterms * mesUlp * C
	errRho := resid + sumDev + maxDev
	return floatEval{
		status: evalOK, rho: rho, err: errRho,
		lo:      (rho - errRho) / C * (1 - 8*mesUlp),
		hi:      (rho + errRho) / C * (1 + 8*mesUlp),
		poorDev: poorDev, rich: rich, resid: resid,
	}
}

// waterLevel finds ρ with Σ min(budget, ρ) = C over the supporters, on the
// rounded budgets: the supporters who cannot pay the current level pay all
// they have, and the level is recomputed for the rest until it settles. The
// level never falls, so those already found poor stay poor.
func waterLevel(C, W float64, supp []int32, weight []int64, st *mesFloatState) (rho, paid, poorDev, rich float64, ok bool) {
	poor := st.poor[:len(supp)]
	clear(poor)
	rich = W
	rho = C / W
	for iter := 0; ; iter++ {
		if iter == 12 {
			return waterLevelSorted(C, W, supp, weight, st)
		}
		changed := false
		for i, g := range supp {
			if !poor[i] && st.budget[g] < rho {
				poor[i] = true
				w := float64(weight[g])
				paid += w * st.budget[g]
				poorDev += w * st.dev[g]
				rich -= w
				changed = true
			}
		}
		if !changed {
			return rho, paid, poorDev, rich, true
		}
		if rich <= 0 {
			return 0, 0, 0, 0, false
		}
		rho = max(rho, (C-paid)/rich)
	}
}

// waterLevelSorted is waterLevel by sorting, for the rare project whose
// level takes many rounds to settle.
func waterLevelSorted(C, W float64, supp []int32, weight []int64, st *mesFloatState) (rho, paid, poorDev, rich float64, ok bool) {
	order := append(st.sorted[:0], supp...)
	st.sorted = order
	slices.SortFunc(order, func(x, y int32) int {
		switch bx, by := st.budget[x], st.budget[y]; {
		case bx < by:
			return -1
		case bx > by:
			return 1
		}
		return 0
	})
	rich = W
	for _, g := range order {
		level := (C - paid) / rich
		if level <= st.budget[g] {
			return level, paid, poorDev, rich, true
		}
		w := float64(weight[g])
		paid += w * st.budget[g]
		poorDev += w * st.dev[g]
		rich -= w
		if rich <= 0 {
			break
		}
	}
	return 0, 0, 0, 0, false
}

// tightRhoBound returns t with |ρ - exact ρ| ≤ t for the selected project,
// as tight as it can certify, so that the budgets' error bounds grow slowly
// from round to round. It checks candidate bounds directly: with F(x) the
// exact Σ min(budget, x) over the supporters, F(ρ+t) ≥ C proves ρ* ≤ ρ+t
// and F(ρ-t) < C proves ρ* > ρ-t, and F is bounded below and above from the
// rounded budgets and their error bounds.
func (m *mesInstance) tightRhoBound(c int, ev floatEval, st *mesFloatState) (float64, bool) {
	switch ev.exact {
	case keyZero:
		return 0, true
	case keyInv:
		return ev.err, true
	}
	C := float64(m.cost[c])
	supp := m.supp[c]
	nterms := float64(len(supp) + 4)
	rho := ev.rho
	t := 8*mesUlp*rho + (ev.resid+ev.poorDev)/max(ev.rich, 1)
	for range 64 {
		if t >= ev.err {
			return ev.err, true
		}
		hi, lo := rho+t, rho-t
		var fHi, fLo float64
		for _, g := range supp {
			w := float64(m.weight[g])
			b, d := st.budget[g], st.dev[g]
			fHi += w * min(max(b-d, 0), hi)
			fLo += w * min(b+d, max(lo, 0))
		}
		if fHi*(1-4*nterms*mesUlp) >= C*(1+4*mesUlp) && fLo*(1+4*nterms*mesUlp) < C*(1-4*mesUlp) {
			return t, true
		}
		t *= 2
	}
	return ev.err, true
}

// payFloat charges the supporters of c: each pays ρ or all they have left.
// The exact new budget max(b-ρ, 0) lies within dev + t + rounding of the
// rounded one; when it is certainly 0 it is exactly 0.
func (m *mesInstance) payFloat(c int, rho, t float64, st *mesFloatState) {
	for _, g := range m.supp[c] {
		b, d := st.budget[g], st.dev[g]
		if b+d-(rho-t) < -4*mesUlp*(b+d+rho) {
			st.budget[g], st.dev[g] = 0, 0
			continue
		}
		st.budget[g] = max(b-rho, 0)
		st.dev[g] = d + t + 4*mesUlp*(b+rho)
	}
}
