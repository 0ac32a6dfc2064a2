package tally

import "slices"

// countGreedy selects projects by approval count, most approved first, and
// skips any project that no longer fits in what is left of the budget.
//
// Ties: projects with the same approval count are taken cheaper first (so
// that the money buys as many approved projects as it can), then in an order
// drawn by lot from opts.Seed. Projects nobody approves are never selected.
func countGreedy(b *Budget, opts BudgetOptions) *BudgetResult {
	votes := b.approvalCounts()
	order := make([]int, 0, len(b.Projects))
	for c := range b.Projects {
		if votes[c] > 0 {
			order = append(order, c)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int {
		if votes[x] != votes[y] {
			return votes[y] - votes[x]
		}
		switch {
		case b.Projects[x].Cost < b.Projects[y].Cost:
			return -1
		case b.Projects[x].Cost > b.Projects[y].Cost:
			return 1
		}
		return 0
	})
	res := &BudgetResult{
		Method:   MethodGreedy,
		Limit:    b.Limit,
		Decimals: b.Decimals,
		Voters:   len(b.Ballots),
		Seed:     opts.Seed,
		NextCost: -1,
	}
	// Break the remaining ties by lot, and record every group of projects
	// with equal approval counts with the rule that ordered it.
	var lot *Lot
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && votes[order[j]] == votes[order[i]] {
			j++
		}
		if j-i > 1 {
			rule := "lower cost"
			usedLot, costDiffers := false, false
			for k := i; k < j; {
				m := k + 1
				for m < j && b.Projects[order[m]].Cost == b.Projects[order[k]].Cost {
					m++
				}
				if m-k > 1 {
					if lot == nil {
						lot = NewLot(opts.Seed)
					}
					group := order[k:m]
					lot.Shuffle(len(group), func(x, y int) { group[x], group[y] = group[y], group[x] })
					usedLot = true
				}
				if k > i {
					costDiffers = true
				}
				k = m
			}
			switch {
			case usedLot && costDiffers:
				rule = "lower cost, then lot"
			case usedLot:
				rule = "lot"
			}
			tied := slices.Clone(order[i:j])
			slices.Sort(tied)
			res.Ties = append(res.Ties, BudgetTie{Round: i + 1, Projects: tied, Chosen: order[i], Rule: rule})
		}
		i = j
	}
	spent := int64(0)
	for _, c := range order {
		p := b.Projects[c]
		r := BudgetRound{Project: c, Cost: p.Cost, Supporters: votes[c]}
		if p.Cost <= b.Limit-spent {
			spent += p.Cost
			r.Selected = true
			res.Selected = append(res.Selected, c)
		}
		r.Spent = spent
		res.Rounds = append(res.Rounds, r)
	}
	res.Cost = spent
	return res
}
