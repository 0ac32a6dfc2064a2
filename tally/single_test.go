package tally

import (
	"slices"
	"strings"
	"testing"
)

func TestSchulzeWikipediaExample(t *testing.T) {
	p := readBLTFile(t, "testdata/condorcet-examples/schulze_wikipedia_45voters.blt")
	res, err := Count("schulze", p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Published matrices, rows and columns A..E; the diagonal is 0 here.
	wantD := [][]int64{
		{0, 20, 26, 30, 22},
		{25, 0, 16, 33, 18},
		{19, 29, 0, 17, 24},
		{15, 12, 28, 0, 14},
		{23, 27, 21, 31, 0},
	}
	wantP := [][]int64{
		{0, 28, 28, 30, 24},
		{25, 0, 28, 33, 24},
		{25, 29, 0, 29, 24},
		{25, 28, 28, 0, 24},
		{25, 28, 28, 31, 0},
	}
	for x := range wantD {
		if !slices.Equal(res.Pairwise[x], wantD[x]) {
			t.Errorf("pairwise row %s = %v; want %v", p.Candidates[x], res.Pairwise[x], wantD[x])
		}
		if !slices.Equal(res.Strongest[x], wantP[x]) {
			t.Errorf("strongest paths row %s = %v; want %v", p.Candidates[x], res.Strongest[x], wantP[x])
		}
	}
	if got := strings.Join(res.names(res.Ranking), ">"); got != "E>A>C>B>D" {
		t.Errorf("ranking %s; want E>A>C>B>D", got)
	}
	if got := res.ElectedNames(); !slices.Equal(got, []string{"E"}) {
		t.Errorf("elected %v; want E", got)
	}
	if len(res.Ties) != 0 {
		t.Errorf("ties %v; want none", res.Ties)
	}
}

func TestTennesseeEveryMethod(t *testing.T) {
	p := readBLTFile(t, "testdata/condorcet-examples/tennessee_capital.blt")
	tests := []struct {
		method string
		winner string
		votes  map[string]string // final totals, when the method has them
	}{
		{"plurality", "Memphis", map[string]string{"Memphis": "42", "Nashville": "26", "Chattanooga": "15", "Knoxville": "17"}},
		{"irv", "Knoxville", nil},
		{"borda", "Nashville", map[string]string{"Nashville": "194", "Chattanooga": "173", "Memphis": "126", "Knoxville": "107"}},
		{"schulze", "Nashville", nil},
		{"ranked-pairs", "Nashville", nil},
		{"copeland", "Nashville", map[string]string{"Nashville": "3", "Chattanooga": "1", "Knoxville": "-1", "Memphis": "-3"}},
		{"approval", "Memphis", nil}, // every ballot ranks all four: a four-way tie, drawn by lot
		{"meek", "Knoxville", nil},
		{"wigm", "Knoxville", nil},
		{"scottish", "Knoxville", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			res, err := Count(tt.method, p, Options{Seed: "tennessee"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.method == "approval" {
				if len(res.Ties) != 1 || !res.Ties[0].ByLot || len(res.Ties[0].Candidates) != 4 {
					t.Fatalf("ties %+v; want one four-way tie by lot", res.Ties)
				}
				return
			}
			if got := res.ElectedNames(); !slices.Equal(got, []string{tt.winner}) {
				t.Errorf("elected %v; want %s", got, tt.winner)
			}
			last := res.Rounds[len(res.Rounds)-1]
			for name, want := range tt.votes {
				c := slices.Index(p.Candidates, name)
				if got := last.Votes[c].String(); got != want {
					t.Errorf("%s: %s; want %s", name, got, want)
				}
			}
		})
	}
}

func TestIRVRounds(t *testing.T) {
	p := readBLTFile(t, "testdata/condorcet-examples/tennessee_capital.blt")
	res, err := Count("irv", p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rd := range res.Rounds {
		out = append(out, string(rd.Action)+" "+strings.Join(res.names(rd.Candidates), ","))
	}
	want := []string{"defeat Chattanooga", "defeat Nashville", "elect Knoxville"}
	if !slices.Equal(out, want) {
		t.Errorf("rounds %q; want %q", out, want)
	}
}
