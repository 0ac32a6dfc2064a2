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
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"soviet/tally"
)

const apportionUsage = "--method dhondt|sainte-lague|hare|huntington-hill --seats N [--min N] [--threshold P%] [--format text|json] [--seed S] FILE.csv"

// cmdApportion divides seats among the rows name,count of a CSV file ("-"
// for standard input) and prints the seat table and how it was computed.
// The seed of the lots defaults to the SHA-256 of the file, in hex.
func cmdApportion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "apportion", apportionUsage)
	method := fs.String("method", "", "apportionment method: "+strings.Join(tally.ApportionMethods, ", "))
	seats := fs.Int("seats", -1, "house size: the number of seats to divide")
	minSeats := fs.Int("min", 0, "at least this many seats for each row above the threshold")
	threshold := fs.String("threshold", "", "rows with a smaller share of the total get no seats: 5% or 0.05")
	format := fs.String("format", "text", "output: text or json")
	seed := fs.String("seed", "", "seed of the lots that break ties (default: the SHA-256 of the file)")
	// Flags may come before or after the file name.
	var files []string
	for rest := args; ; {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		return usagef("want one CSV file, have %d (usage: soviet apportion %s)", len(files), apportionUsage)
	case *method == "":
		return usagef("--method is required (%s)", strings.Join(tally.ApportionMethods, ", "))
	case *seats < 0:
		return usagef("--seats is required: the number of seats to divide")
	case *format != "text" && *format != "json":
		return usagef("--format %q: want text or json", *format)
	}
	opts := tally.ApportionOptions{Min: *minSeats, Seed: *seed}
	if *threshold != "" {
		t, err := tally.ParseShare(*threshold)
		if err != nil {
			return usagef("--threshold: %v", err)
		}
		opts.Threshold = t
	}
	data, err := readInput(e, files[0])
	if err != nil {
		return err
	}
	parties, err := tally.ReadParties(bytes.NewReader(data))
	if err != nil {
		return usagef("%s: %v", files[0], err)
	}
	if opts.Seed == "" {
		sum := sha256.Sum256(data)
		opts.Seed = hex.EncodeToString(sum[:])
	}
	a, err := tally.Apportion(*method, *seats, parties, opts)
	if err != nil {
		if errors.Is(err, tally.ErrBadInput) {
			return usageError{err}
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(apportionJSONOf(a, *threshold))
	}
	_, err = io.WriteString(e.stdout, apportionText(a, *threshold))
	return err
}

var apportionNames = map[string]string{
	tally.MethodDHondt:         "D'Hondt: seats go to the highest quotients count/1, count/2, count/3 and so on",
	tally.MethodSainteLague:    "Sainte-Laguë: seats go to the highest quotients count/0.5, count/1.5, count/2.5 and so on",
	tally.MethodHare:           "largest remainder with the Hare quota",
	tally.MethodHuntingtonHill: "Huntington–Hill: seats go to the highest quotients count/√(s(s+1)), s the seats held",
}

var roundingNames = map[string]string{
	tally.MethodDHondt:         "rounded down",
	tally.MethodSainteLague:    "rounded to the nearest",
	tally.MethodHuntingtonHill: "rounded at the geometric mean √(s(s+1))",
}

// percentOf writes count/total as a percentage with 2 decimal places.
func percentOf(count int64, total *big.Int) string {
	if total.Sign() == 0 {
		return "-"
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(count), big.NewInt(100)), total)
	return r.FloatString(2) + "%"
}

func apportionText(a *tally.Apportionment, threshold string) string {
	var out strings.Builder
	fmt.Fprintf(&out, "Apportionment of %d seats by %s.\n", a.House, apportionNames[a.Method])
	if a.Min > 0 {
		fmt.Fprintf(&out, "Each row above the threshold gets at least %s.\n", plural(a.Min, "seat"))
	}
	if threshold != "" {
		var out2 []string
		for _, p := range a.Parties {
			if p.Excluded {
				out2 = append(out2, p.Name)
			}
		}
		fmt.Fprintf(&out, "Rows with less than %s of the total get no seats", threshold)
		if len(out2) > 0 {
			fmt.Fprintf(&out, ": %s", strings.Join(out2, ", "))
		}
		out.WriteString(".\n")
	}
	out.WriteString("\n")
	// Names align left, numbers right: pad the names to one width.
	width := utf8.RuneCountInString("total")
	for _, p := range a.Parties {
		width = max(width, utf8.RuneCountInString(p.Name))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', tabwriter.AlignRight)
	hare := a.Method == tally.MethodHare
	if hare {
		fmt.Fprintln(tw, pad("name")+"\tcount\tshare\tquotas\tseats\t \tnote")
	} else {
		fmt.Fprintln(tw, pad("name")+"\tcount\tshare\tseats\t \tnote")
	}
	for i, p := range a.Parties {
		note := ""
		switch {
		case p.Excluded:
			note = "below the threshold"
		case p.AtMin:
			note = "held at the minimum"
		case p.ByRemainder:
			note = "one seat by remainder"
		}
		if hare {
			q := "-"
			if quotas := a.Quotas(i); quotas != nil {
				q = quotas.FloatString(4)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t \t%s\n", pad(p.Name), p.Count, percentOf(p.Count, a.Total), q, p.Seats, note)
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t \t%s\n", pad(p.Name), p.Count, percentOf(p.Count, a.Total), p.Seats, note)
		}
	}
	if hare {
		fmt.Fprintf(tw, "%s\t%s\t\t\t%d\t \t\n", pad("total"), a.Total, a.House)
	} else {
		fmt.Fprintf(tw, "%s\t%s\t\t%d\t \t\n", pad("total"), a.Total, a.House)
	}
	tw.Flush()
	out.WriteString("\n")
	name := func(i int) string { return a.Parties[i].Name }
	if hare {
		if a.Quota != nil {
			shared := new(big.Rat).Mul(a.Quota, big.NewRat(int64(a.QuotaSeats), 1))
			fmt.Fprintf(&out, "Quota: %s / %d seats = %s per seat. Each row gets the whole number of quotas in its\n"+
				"count; the seats left go to the largest remainders.\n", shared.RatString(), a.QuotaSeats, a.Quota.FloatString(4))
		}
	} else if a.Last != nil {
		fmt.Fprintf(&out, "The last seat went to %s (its seat %d) at quotient %d/%s = %s.\n",
			name(a.Last.Party), a.Last.Seat, a.Parties[a.Last.Party].Count, a.Last.Divisor(), a.Last.Value())
		if a.Next != nil {
			fmt.Fprintf(&out, "Next in line was %s (its seat %d) at quotient %d/%s = %s.\n",
				name(a.Next.Party), a.Next.Seat, a.Parties[a.Next.Party].Count, a.Next.Divisor(), a.Next.Value())
			if a.Last.Value() != a.Next.Value() {
				fmt.Fprintf(&out, "Any divisor above %s and at most %s gives each row its count divided by the divisor, %s",
					a.Next.Value(), a.Last.Value(), roundingNames[a.Method])
				if a.Min > 0 {
					fmt.Fprintf(&out, ", and at least %d", a.Min)
				}
				out.WriteString(".\n")
			}
		}
	}
	for _, t := range a.Ties {
		fmt.Fprintf(&out, "Tie: %s had equal claims on %s; %s won, by %s", names(a, t.Parties), plural(t.Seats, "seat"), names(a, t.Winners), t.Rule)
		if strings.Contains(t.Rule, "lot") {
			fmt.Fprintf(&out, " (seed %s)", a.Seed)
		}
		out.WriteString(".\n")
	}
	return trimLines(out.String())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// trimLines drops the spaces the tables leave at the ends of lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func names(a *tally.Apportionment, idx []int) string {
	s := make([]string, len(idx))
	for i, j := range idx {
		s[i] = a.Parties[j].Name
	}
	return strings.Join(s, ", ")
}

type apportionJSON struct {
	Method      string               `json:"method"`
	House       int                  `json:"house"`
	Seats       map[string]int       `json:"seats"`
	Min         int                  `json:"min"`
	Threshold   string               `json:"threshold,omitempty"`
	Total       json.Number          `json:"total"`
	Parties     []apportionPartyJSON `json:"parties"`
	Explanation apportionExplainJSON `json:"explanation"`
	Ties        []apportionTieJSON   `json:"ties"`
	Seed        string               `json:"seed"`
}

type apportionPartyJSON struct {
	Name         string        `json:"name"`
	Count        int64         `json:"count"`
	Seats        int           `json:"seats"`
	Excluded     bool          `json:"excluded,omitempty"`
	AtMin        bool          `json:"at_min,omitempty"`
	LastQuotient *quotientJSON `json:"last_quotient,omitempty"`
	NextQuotient *quotientJSON `json:"next_quotient,omitempty"`
	Quotas       json.Number   `json:"quotas,omitempty"`
	ByRemainder  bool          `json:"by_remainder,omitempty"`
}

type quotientJSON struct {
	Name    string `json:"name,omitempty"`
	Seat    int    `json:"seat"`
	Divisor string `json:"divisor"`
	Value   string `json:"value"`
}

type apportionExplainJSON struct {
	Text       string        `json:"text"`
	LastSeat   *quotientJSON `json:"last_seat,omitempty"`
	NextSeat   *quotientJSON `json:"next_seat,omitempty"`
	Quota      json.Number   `json:"quota,omitempty"`
	QuotaSeats int           `json:"quota_seats,omitempty"`
}

type apportionTieJSON struct {
	Parties []string `json:"parties"`
	Seats   int      `json:"seats"`
	Winners []string `json:"winners"`
	Rule    string   `json:"rule"`
}

func quotientJSONOf(a *tally.Apportionment, q *tally.SeatQuotient, withName bool) *quotientJSON {
	if q == nil {
		return nil
	}
	j := &quotientJSON{Seat: q.Seat, Divisor: q.Divisor(), Value: q.Value()}
	if withName {
		j.Name = a.Parties[q.Party].Name
	}
	return j
}

func apportionJSONOf(a *tally.Apportionment, threshold string) apportionJSON {
	out := apportionJSON{
		Method: a.Method, House: a.House, Min: a.Min, Threshold: threshold,
		Seats: map[string]int{}, Total: json.Number(a.Total.String()), Seed: a.Seed,
		Ties: []apportionTieJSON{},
		Explanation: apportionExplainJSON{
			Text:     apportionNames[a.Method],
			LastSeat: quotientJSONOf(a, a.Last, true),
			NextSeat: quotientJSONOf(a, a.Next, true),
		},
	}
	if a.Quota != nil {
		out.Explanation.Quota = json.Number(a.Quota.FloatString(6))
		out.Explanation.QuotaSeats = a.QuotaSeats
	}
	for i, p := range a.Parties {
		out.Seats[p.Name] = p.Seats
		pj := apportionPartyJSON{
			Name: p.Name, Count: p.Count, Seats: p.Seats, Excluded: p.Excluded, AtMin: p.AtMin,
			LastQuotient: quotientJSONOf(a, p.Last, false), NextQuotient: quotientJSONOf(a, p.Next, false),
			ByRemainder: p.ByRemainder,
		}
		if quotas := a.Quotas(i); quotas != nil {
			pj.Quotas = json.Number(quotas.FloatString(6))
		}
		out.Parties = append(out.Parties, pj)
	}
	for _, t := range a.Ties {
		tj := apportionTieJSON{Seats: t.Seats, Rule: t.Rule}
		for _, i := range t.Parties {
			tj.Parties = append(tj.Parties, a.Parties[i].Name)
		}
		for _, i := range t.Winners {
			tj.Winners = append(tj.Winners, a.Parties[i].Name)
		}
		out.Ties = append(out.Ties, tj)
	}
	return out
}
