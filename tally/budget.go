package tally

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// The participatory-budgeting methods, as named on the command line.
const (
	// MethodGreedy selects projects by approval count, most approved first,
	// skipping any that no longer fits in what is left of the budget.
	MethodGreedy = "greedy"
	// MethodMES is the Method of Equal Shares with Add1 completion.
	MethodMES = "mes"
	// MethodMESRaw is the Method of Equal Shares without completion: every
	// voter's share is the budget divided by the number of voters.
	MethodMESRaw = "mes-raw"
)

// BudgetMethods lists the participatory-budgeting methods CountBudget knows.
var BudgetMethods = []string{MethodGreedy, MethodMES, MethodMESRaw}

// Budget is a participatory budget to count: projects with their costs,
// the voters' approval ballots and the money available.
//
// Amounts are exact integers in minor units: a currency with Decimals = 2
// counts in hundredths. The currency unit, 10^Decimals minor units, is the
// step by which the Add1 completion of the Method of Equal Shares raises
// every voter's share.
type Budget struct {
	Limit    int64 // the money available, in minor units
	Decimals int   // decimal places of the minor unit, 0 to 18
	Projects []BudgetProject
	Ballots  []BudgetBallot
}

// BudgetProject is a project that voters can approve.
type BudgetProject struct {
	ID   string // unique and not empty: what the results name
	Name string // optional, for people
	Cost int64  // in minor units, 0 or more
}

// BudgetBallot is one voter's approval ballot.
type BudgetBallot struct {
	Voter    string // optional identifier, for the explanation of shares
	Approved []int  // indices into Budget.Projects, each at most once
}

// BudgetOptions tunes a count.
type BudgetOptions struct {
	// Seed is the published seed of the lots that break ties the method's
	// own rule leaves open.
	Seed string
	// MaxSteps bounds the Add1 completion of MethodMES: the number of times
	// it may raise the voters' share. Zero means DefaultMaxSteps. The
	// completion stops long before on real budgets (Wieliczka 2023 needs
	// 162 steps); the bound only keeps a pathological input from running
	// for hours. CountBudget fails rather than return an outcome the rule
	// would not have reached.
	MaxSteps int
}

// DefaultMaxSteps is the bound on Add1 completion steps when
// BudgetOptions.MaxSteps is zero.
const DefaultMaxSteps = 100000

// BudgetResult is the outcome of a count and its explanation.
type BudgetResult struct {
	Method   string
	Selected []int // indices of the selected projects, in the order selected
	Cost     int64 // total cost of the selected projects
	Limit    int64 // the budget
	Decimals int   // as in Budget
	Voters   int

	// Rounds explains each step. For MethodGreedy there is one round per
	// project with at least one approval, in the order considered, selected
	// or skipped; for the Method of Equal Shares one round per selected
	// project, in order.
	Rounds []BudgetRound
	// NotSelected explains, for the Method of Equal Shares, why each
	// approved project was left out: how much its supporters had left at
	// the end, which is less than its cost. In project order.
	NotSelected []BudgetLeftOut
	Ties        []BudgetTie
	Seed        string

	// The Method of Equal Shares only.
	Endowment      *big.Rat // each voter's share used for the outcome, minor units
	StartEndowment *big.Rat // Limit / Voters, where completion starts
	Steps          int      // Add1 steps taken (the share rose Steps currency units)
	// NextCost is the cost of the outcome one currency unit further, which
	// went over the budget and stopped the completion; -1 when completion
	// stopped because every approved project was selected, or for mes-raw.
	NextCost int64

	shares *voterShares
}

// BudgetRound is one step of a count.
type BudgetRound struct {
	Project    int   // index into Budget.Projects
	Cost       int64 // minor units
	Supporters int   // voters who approve the project
	Selected   bool  // greedy: false when the project was skipped
	Spent      int64 // total cost selected so far, after this round
	// The Method of Equal Shares only.
	Rho            *big.Rat // per-voter payment: what each supporter pays, or all they have left if less
	EffectiveVotes *big.Rat // Cost / Rho: how many full payments the project is worth
	PaidInFull     int      // supporters who paid Rho
	PaidLess       int      // supporters who paid all they had left, less than Rho
}

// BudgetLeftOut explains a project the Method of Equal Shares did not select.
type BudgetLeftOut struct {
	Project    int
	Cost       int64
	Supporters int
	MoneyLeft  *big.Rat // what its supporters had left at the end, minor units
}

// BudgetTie records projects a method found equal, and how the tie was broken.
type BudgetTie struct {
	Round    int   // 1-based round of the count at which it arose
	Projects []int // the tied projects, in project order
	Chosen   int   // the project taken first
	Rule     string
}

// VoterPayment is one payment a voter made towards a selected project.
type VoterPayment struct {
	Round   int // 1-based round of the selection
	Project int
	Amount  *big.Rat // minor units
}

// VoterShare is the explanation of one voter's share under the Method of
// Equal Shares: the share, each payment, and what was left.
type VoterShare struct {
	Endowment *big.Rat
	Payments  []VoterPayment
	Remaining *big.Rat
}

// voterShares holds the ledgers of the final Equal Shares run, one per group
// of identical ballots (voters with the same ballot pay the same).
type voterShares struct {
	groupOf   []int32
	payments  [][]VoterPayment
	remaining []*big.Rat
	endowment *big.Rat
}

// VoterShare returns the explanation of the share of the voter of ballot i
// (in Budget.Ballots order). It returns false for greedy results or an index
// out of range.
func (r *BudgetResult) VoterShare(i int) (VoterShare, bool) {
	if r.shares == nil || i < 0 || i >= len(r.shares.groupOf) {
		return VoterShare{}, false
	}
	g := r.shares.groupOf[i]
	return VoterShare{
		Endowment: new(big.Rat).Set(r.shares.endowment),
		Payments:  slices.Clone(r.shares.payments[g]),
		Remaining: new(big.Rat).Set(r.shares.remaining[g]),
	}, true
}

// ShareSummary sums up the voters' remaining shares after the Method of
// Equal Shares: how many spent all of it, and the least, most and total left.
type ShareSummary struct {
	SpentAll  int
	LeastLeft *big.Rat
	MostLeft  *big.Rat
	TotalLeft *big.Rat
}

// Shares sums up the remaining shares; false for greedy results.
func (r *BudgetResult) Shares() (ShareSummary, bool) {
	s := r.shares
	if s == nil || len(s.groupOf) == 0 {
		return ShareSummary{}, false
	}
	count := make([]int64, len(s.remaining))
	for _, g := range s.groupOf {
		count[g]++
	}
	sum := ShareSummary{TotalLeft: new(big.Rat)}
	tmp := new(big.Rat)
	for g, left := range s.remaining {
		if count[g] == 0 {
			continue
		}
		if left.Sign() == 0 {
			sum.SpentAll += int(count[g])
		}
		if sum.LeastLeft == nil || left.Cmp(sum.LeastLeft) < 0 {
			sum.LeastLeft = left
		}
		if sum.MostLeft == nil || left.Cmp(sum.MostLeft) > 0 {
			sum.MostLeft = left
		}
		sum.TotalLeft.Add(sum.TotalLeft, tmp.Mul(left, new(big.Rat).SetInt64(count[g])))
	}
	sum.LeastLeft = new(big.Rat).Set(sum.LeastLeft)
	sum.MostLeft = new(big.Rat).Set(sum.MostLeft)
	return sum, true
}

// CountBudget counts a participatory budget with the named method
// (MethodGreedy, MethodMES or MethodMESRaw). It returns an *InputError
// (errors.Is(err, ErrBadInput)) when the budget is invalid or the method
// unknown. It does not modify b.
func CountBudget(method string, b *Budget, opts BudgetOptions) (*BudgetResult, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	switch method {
	case MethodGreedy:
		return countGreedy(b, opts), nil
	case MethodMES:
		return countMES(b, opts, true)
	case MethodMESRaw:
		return countMES(b, opts, false)
	}
	return nil, badInputf("unknown budgeting method %q (want %s)", method, strings.Join(BudgetMethods, ", "))
}

// Validate reports whether b can be counted.
func (b *Budget) Validate() error {
	if b.Limit < 0 {
		return badInputf("the budget is negative")
	}
	if b.Decimals < 0 || b.Decimals > 18 {
		return badInputf("decimal places %d out of range 0 to 18", b.Decimals)
	}
	ids := make(map[string]int, len(b.Projects))
	for i, p := range b.Projects {
		if p.ID == "" {
			return badInputf("project %d has no id", i+1)
		}
		if j, dup := ids[p.ID]; dup {
			return badInputf("projects %d and %d have the same id %q", j+1, i+1, p.ID)
		}
		ids[p.ID] = i
		if p.Cost < 0 {
			return badInputf("project %q has a negative cost", p.ID)
		}
	}
	seen := make([]int, len(b.Projects))
	for i, bal := range b.Ballots {
		for _, c := range bal.Approved {
			if c < 0 || c >= len(b.Projects) {
				return badInputf("ballot %d approves project %d, which does not exist", i+1, c)
			}
			if seen[c] == i+1 {
				return badInputf("ballot %d approves project %q twice", i+1, b.Projects[c].ID)
			}
			seen[c] = i + 1
		}
	}
	return nil
}

// approvalCounts returns the number of voters approving each project.
func (b *Budget) approvalCounts() []int {
	n := make([]int, len(b.Projects))
	for _, bal := range b.Ballots {
		for _, c := range bal.Approved {
			n[c]++
		}
	}
	return n
}

// unit returns the currency unit in minor units, 10^Decimals, or false if it
// does not fit in an int64.
func (b *Budget) unit() int64 {
	u := int64(1)
	for range b.Decimals {
		u *= 10
	}
	return u
}

// FormatAmount writes an amount of minor units in currency units with the
// given decimal places, exactly: 123456 with 2 decimals is "1234.56".
func FormatAmount(v int64, decimals int) string {
	s := strconv.FormatInt(v, 10)
	if decimals <= 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	if neg {
		s = "-" + s
	}
	return s
}

// FormatRat writes an exact amount of minor units in currency units, rounded
// to places decimal places (halves away from zero): for display only.
func FormatRat(v *big.Rat, decimals, places int) string {
	if v == nil {
		return ""
	}
	x := new(big.Rat).Set(v)
	if decimals > 0 {
		x.Quo(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
	}
	return x.FloatString(places)
}

// addSat adds two non-negative int64 values, saturating at math.MaxInt64:
// a total that large is over any budget anyway.
func addSatInt64(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
