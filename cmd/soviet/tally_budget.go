package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"soviet/tally"
)

// tallyBudget counts a participatory budget (.pb file) for `soviet tally`
// with --method greedy, mes or mes-raw.
//
// The seed of the lots defaults to the SHA-256 of the file, in hex, so that
// anyone holding the file repeats every draw; the JSON form always prints
// it. In the JSON form, "seats" is the number of selected projects and
// "elected" their ids in the order selected. A malformed file is a usage
// error (exit 2) naming the line.
func tallyBudget(ctx context.Context, e *env, a tallyArgs) error {
	if !slices.Contains(tally.BudgetMethods, a.Method) {
		return usagef("method %q is not a budgeting method (want %s)", a.Method, strings.Join(tally.BudgetMethods, ", "))
	}
	if a.Seats != 0 {
		return usagef("--seats does not apply to a participatory budget")
	}
	format := a.Format
	if format == "" {
		format = "text"
	}
	if format != "text" && format != "json" {
		return usagef("--format %q: want text or json", a.Format)
	}
	data, err := readInput(e, a.Path)
	if err != nil {
		return err
	}
	pf, err := tally.ReadPabulib(bytes.NewReader(data))
	if err != nil {
		return usagef("%s: %v", a.Path, err)
	}
	seed := a.Seed
	if seed == "" {
		sum := sha256.Sum256(data)
		seed = hex.EncodeToString(sum[:])
	}
	res, err := tally.CountBudget(a.Method, pf.Budget, tally.BudgetOptions{Seed: seed})
	if err != nil {
		if errors.Is(err, tally.ErrBadInput) {
			return usagef("%s: %v", a.Path, err)
		}
		return fmt.Errorf("%s: %w", a.Path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep := budgetReport{file: pf, res: res, title: budgetTitle(pf, a.Path), currency: pf.Meta["currency"]}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep.json())
	}
	return rep.text(e.stdout)
}

// readInput reads the named file, or standard input for "-". A file that
// cannot be read is a usage error: the command line named it.
func readInput(e *env, path string) ([]byte, error) {
	if path == "" {
		return nil, usagef("no input file")
	}
	if path == "-" {
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	return data, nil
}

func budgetTitle(pf *tally.PabulibFile, path string) string {
	if d := pf.Meta["description"]; d != "" {
		return d
	}
	return filepath.Base(path)
}

var budgetMethodNames = map[string]string{
	tally.MethodGreedy: "greedy approval: most approved first, skipping projects that no longer fit",
	tally.MethodMES:    "Method of Equal Shares with Add1 completion",
	tally.MethodMESRaw: "Method of Equal Shares, without completion",
}

// budgetReport writes a count as the text a city would publish, or as JSON.
type budgetReport struct {
	file     *tally.PabulibFile
	res      *tally.BudgetResult
	title    string
	currency string
}

func (r budgetReport) amount(v int64) string {
	return tally.FormatAmount(v, r.res.Decimals)
}

// rat writes an exact amount rounded to the cent (or to the file's own
// decimal places if it has more), for display.
func (r budgetReport) rat(v *big.Rat) string {
	return tally.FormatRat(v, r.res.Decimals, max(2, r.res.Decimals))
}

func (r budgetReport) withCurrency(s string) string {
	if r.currency == "" {
		return s
	}
	return s + " " + r.currency
}

func (r budgetReport) text(w io.Writer) error {
	b := r.file.Budget
	res := r.res
	var out strings.Builder
	fmt.Fprintf(&out, "Participatory budget: %s\n", r.title)
	fmt.Fprintf(&out, "Method: %s (%s)\n", budgetMethodNames[res.Method], res.Method)
	fmt.Fprintf(&out, "Budget: %s; %d projects; %d voters\n", r.withCurrency(r.amount(res.Limit)), len(b.Projects), res.Voters)
	if res.Endowment != nil {
		fmt.Fprintf(&out, "Share of each voter: %s", r.withCurrency(r.rat(res.Endowment)))
		if res.Method == tally.MethodMES {
			fmt.Fprintf(&out, " (the budget divided equally is %s; completion raised it %d times by 1", r.rat(res.StartEndowment), res.Steps)
			if res.NextCost >= 0 {
				fmt.Fprintf(&out, "; one more would select projects costing %s, over the budget)", r.withCurrency(r.amount(res.NextCost)))
			} else {
				out.WriteString("; every approved project is selected)")
			}
		}
		out.WriteString("\n")
	}
	out.WriteString("\n")
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', tabwriter.AlignRight)
	if res.Method == tally.MethodGreedy {
		out.WriteString("Projects by number of votes:\n")
		fmt.Fprintln(tw, "#\tproject\tvotes\tcost\t result\tspent so far\t \tname")
		for i, rd := range res.Rounds {
			result := " selected"
			if !rd.Selected {
				result = " skipped: does not fit"
			}
			p := b.Projects[rd.Project]
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t \t%s\n", i+1, p.ID, rd.Supporters, r.amount(rd.Cost), result, r.amount(rd.Spent), clipName(p.Name))
		}
	} else {
		out.WriteString("Selected projects, in the order chosen. Each supporter pays the same amount, or all they have\nleft if that is less; effective votes = cost / payment.\n")
		fmt.Fprintln(tw, "#\tproject\tcost\tvotes\tpayment per voter\teffective votes\tpaid less\tspent so far\t \tname")
		for i, rd := range res.Rounds {
			p := b.Projects[rd.Project]
			eff := "-"
			if rd.EffectiveVotes != nil {
				eff = rd.EffectiveVotes.FloatString(2)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t \t%s\n", i+1, p.ID, r.amount(rd.Cost), rd.Supporters,
				r.rat(rd.Rho), eff, rd.PaidLess, r.amount(rd.Spent), clipName(p.Name))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&out, "\nSelected: %d projects costing %s; %s left unspent.\n", len(res.Selected),
		r.withCurrency(r.amount(res.Cost)), r.withCurrency(r.amount(res.Limit-res.Cost)))
	if len(res.NotSelected) > 0 {
		out.WriteString("\nNot selected: its supporters did not have its cost left between them.\n")
		tw = tabwriter.NewWriter(&out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "project\tcost\tvotes\tsupporters had left\t \tname")
		for _, lo := range res.NotSelected {
			p := b.Projects[lo.Project]
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t \t%s\n", p.ID, r.amount(lo.Cost), lo.Supporters, r.rat(lo.MoneyLeft), clipName(p.Name))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if sum, ok := res.Shares(); ok {
		fmt.Fprintf(&out, "\nVoters' shares: %d of %d voters spent all of their share; what a voter has left ranges from %s to %s, %s in all.\n",
			sum.SpentAll, res.Voters, r.rat(sum.LeastLeft), r.rat(sum.MostLeft), r.withCurrency(r.rat(sum.TotalLeft)))
	}
	if len(res.Ties) == 0 {
		out.WriteString("\nTies: none.\n")
	} else {
		fmt.Fprintf(&out, "\nTies (lots drawn from the seed %s):\n", res.Seed)
		for _, t := range res.Ties {
			fmt.Fprintf(&out, "  round %d: projects %s tied; %s went first, by %s\n", t.Round, r.ids(t.Projects), b.Projects[t.Chosen].ID, t.Rule)
		}
	}
	_, err := io.WriteString(w, trimLines(out.String()))
	return err
}

func (r budgetReport) ids(projects []int) string {
	ids := make([]string, len(projects))
	for i, c := range projects {
		ids[i] = r.file.Budget.Projects[c].ID
	}
	return strings.Join(ids, ", ")
}

// clipName shortens a project name for the text table.
func clipName(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:59]) + "…"
}

type budgetJSON struct {
	Method          string            `json:"method"`
	Seats           int               `json:"seats"`
	Elected         []string          `json:"elected"`
	Rounds          []budgetRoundJSON `json:"rounds"`
	Ties            []budgetTieJSON   `json:"ties"`
	Seed            string            `json:"seed"`
	Budget          json.Number       `json:"budget"`
	Cost            json.Number       `json:"cost"`
	Currency        string            `json:"currency,omitempty"`
	Voters          int               `json:"voters"`
	Endowment       json.Number       `json:"endowment,omitempty"`
	StartEndowment  json.Number       `json:"start_endowment,omitempty"`
	CompletionSteps int               `json:"completion_steps,omitempty"`
	NextCost        json.Number       `json:"next_cost,omitempty"`
	NotSelected     []leftOutJSON     `json:"not_selected,omitempty"`
	VoterShares     *sharesJSON       `json:"voter_shares,omitempty"`
}

type budgetRoundJSON struct {
	Round          int         `json:"round"`
	Project        string      `json:"project"`
	Name           string      `json:"name,omitempty"`
	Cost           json.Number `json:"cost"`
	Supporters     int         `json:"supporters"`
	Selected       bool        `json:"selected"`
	Spent          json.Number `json:"spent"`
	Rho            json.Number `json:"rho,omitempty"`
	EffectiveVotes json.Number `json:"effective_votes,omitempty"`
	PaidInFull     *int        `json:"paid_in_full,omitempty"`
	PaidLess       *int        `json:"paid_less,omitempty"`
}

type budgetTieJSON struct {
	Round    int      `json:"round"`
	Projects []string `json:"projects"`
	Chosen   string   `json:"chosen"`
	Rule     string   `json:"rule"`
}

type leftOutJSON struct {
	Project    string      `json:"project"`
	Cost       json.Number `json:"cost"`
	Supporters int         `json:"supporters"`
	MoneyLeft  json.Number `json:"money_left"`
}

type sharesJSON struct {
	SpentAll  int         `json:"spent_all"`
	LeastLeft json.Number `json:"least_left"`
	MostLeft  json.Number `json:"most_left"`
	TotalLeft json.Number `json:"total_left"`
}

// exact6 writes an exact amount in currency units rounded to 6 decimal
// places: JSON amounts that are not whole minor units are for display.
func (r budgetReport) exact6(v *big.Rat) json.Number {
	return json.Number(tally.FormatRat(v, r.res.Decimals, 6))
}

func (r budgetReport) json() budgetJSON {
	b := r.file.Budget
	res := r.res
	out := budgetJSON{
		Method:   res.Method,
		Seats:    len(res.Selected),
		Elected:  []string{},
		Rounds:   []budgetRoundJSON{},
		Ties:     []budgetTieJSON{},
		Seed:     res.Seed,
		Budget:   json.Number(r.amount(res.Limit)),
		Cost:     json.Number(r.amount(res.Cost)),
		Currency: r.currency,
		Voters:   res.Voters,
	}
	for _, c := range res.Selected {
		out.Elected = append(out.Elected, b.Projects[c].ID)
	}
	for i, rd := range res.Rounds {
		j := budgetRoundJSON{
			Round: i + 1, Project: b.Projects[rd.Project].ID, Name: b.Projects[rd.Project].Name,
			Cost: json.Number(r.amount(rd.Cost)), Supporters: rd.Supporters, Selected: rd.Selected,
			Spent: json.Number(r.amount(rd.Spent)),
		}
		if rd.Rho != nil {
			j.Rho = r.exact6(rd.Rho)
			full, less := rd.PaidInFull, rd.PaidLess
			j.PaidInFull, j.PaidLess = &full, &less
		}
		if rd.EffectiveVotes != nil {
			j.EffectiveVotes = json.Number(rd.EffectiveVotes.FloatString(6))
		}
		out.Rounds = append(out.Rounds, j)
	}
	for _, t := range res.Ties {
		tj := budgetTieJSON{Round: t.Round, Chosen: b.Projects[t.Chosen].ID, Rule: t.Rule}
		for _, c := range t.Projects {
			tj.Projects = append(tj.Projects, b.Projects[c].ID)
		}
		out.Ties = append(out.Ties, tj)
	}
	if res.Endowment != nil {
		out.Endowment = r.exact6(res.Endowment)
		out.StartEndowment = r.exact6(res.StartEndowment)
		out.CompletionSteps = res.Steps
		if res.NextCost >= 0 {
			out.NextCost = json.Number(r.amount(res.NextCost))
		}
	}
	for _, lo := range res.NotSelected {
		out.NotSelected = append(out.NotSelected, leftOutJSON{
			Project: b.Projects[lo.Project].ID, Cost: json.Number(r.amount(lo.Cost)),
			Supporters: lo.Supporters, MoneyLeft: r.exact6(lo.MoneyLeft),
		})
	}
	if sum, ok := res.Shares(); ok {
		out.VoterShares = &sharesJSON{
			SpentAll: sum.SpentAll, LeastLeft: r.exact6(sum.LeastLeft),
			MostLeft: r.exact6(sum.MostLeft), TotalLeft: r.exact6(sum.TotalLeft),
		}
	}
	return out
}
