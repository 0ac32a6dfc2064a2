package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag rewrites the golden files; another test file of this
// package may define it first, and then this one uses that definition.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

// tallyGolden compares got with testdata/tally/name, or rewrites it with
// -update.
func tallyGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "tally", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

// runTally runs `soviet tally args...` in process.
func runTally(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"tally"}, args...), func(string) string { return "" },
		strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTallyGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"tennessee_irv.txt.golden", []string{"--method", "irv", "testdata/tally/tennessee_capital.blt"}},
		{"tennessee_schulze.json.golden", []string{"--method", "schulze", "--format", "json", "testdata/tally/tennessee_capital.blt"}},
		{"dublin_west_meek.txt.golden", []string{"--method", "meek", "testdata/tally/dublin_west_2002.blt"}},
		{"govan_scottish.txt.golden", []string{"testdata/tally/Govan-2007.blt", "--method", "scottish"}},
		{"govan_wigm.json.golden", []string{"--method=wigm", "--format=json", "testdata/tally/Govan-2007.blt"}},
		{"schulze_wikipedia.txt.golden", []string{"--method", "schulze", "testdata/tally/schulze_wikipedia_45voters.blt"}},
		{"sample_borda.txt.golden", []string{"--method", "borda", "--seed", "published", "testdata/tally/sample.toi"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errs := runTally(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			tallyGolden(t, tt.golden, []byte(out))
		})
	}
}

func TestTallyJSONFields(t *testing.T) {
	code, out, errs := runTally("--method", "meek", "--format", "json", "testdata/tally/dublin_west_2002.blt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Method  string   `json:"method"`
		Seats   int      `json:"seats"`
		Quota   *float64 `json:"quota"`
		Elected []string `json:"elected"`
		Seed    string   `json:"seed"`
		Ties    []any    `json:"ties"`
		Rounds  []struct {
			Action    string             `json:"action"`
			Exhausted *float64           `json:"exhausted"`
			Transfers map[string]float64 `json:"transfers"`
			Votes     []struct {
				Name  string   `json:"name"`
				Votes *float64 `json:"votes"`
			} `json:"votes"`
		} `json:"rounds"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"Brian Lenihan F.F.", "Joe Higgins S.P.", "Joan Burton Lab"}
	if got.Method != "meek" || got.Seats != 3 || got.Quota == nil || len(got.Seed) != 64 || got.Ties == nil {
		t.Errorf("method %q seats %d quota %v seed %q ties %v", got.Method, got.Seats, got.Quota, got.Seed, got.Ties)
	}
	if strings.Join(got.Elected, "|") != strings.Join(want, "|") {
		t.Errorf("elected %q; want %q", got.Elected, want)
	}
	if len(got.Rounds) < 5 {
		t.Fatalf("%d rounds", len(got.Rounds))
	}
	transfers := 0
	for _, r := range got.Rounds {
		if r.Action == "" || r.Exhausted == nil || r.Transfers == nil || len(r.Votes) != 9 {
			t.Fatalf("round %+v lacks its action, exhausted votes, transfers or a candidate", r)
		}
		for _, v := range r.Votes {
			if v.Votes == nil {
				t.Fatalf("round %s: %s has no votes", r.Action, v.Name)
			}
		}
		transfers += len(r.Transfers)
	}
	if transfers == 0 {
		t.Error("no round shows a transfer")
	}
}

func TestTallyErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the one-line message
	}{
		{"malformed file", []string{"--method", "meek", "testdata/tally/bad.blt"}, "bad.blt: line 3: candidate 4 does not exist"},
		{"unknown method", []string{"--method", "dhondt-ish", "testdata/tally/tennessee_capital.blt"}, "unknown method"},
		{"no method", []string{"testdata/tally/tennessee_capital.blt"}, "--method is required"},
		{"too many seats", []string{"--method", "meek", "--seats", "4", "testdata/tally/tennessee_capital.blt"}, "more candidates than seats"},
		{"seats for a single-winner method", []string{"--method", "irv", "--seats", "2", "testdata/tally/tennessee_capital.blt"}, "elects one candidate"},
		{"missing file", []string{"--method", "meek", "testdata/tally/nope.blt"}, "no such file"},
		{"unknown extension", []string{"--method", "meek", "tally_test.go"}, "unknown ballot file type"},
		{"bad format", []string{"--method", "meek", "--format", "xml", "testdata/tally/tennessee_capital.blt"}, "want text or json"},
		{"two files", []string{"--method", "meek", "a.blt", "b.blt"}, "want one ballot file"},
		{"bad flag", []string{"--frobnicate"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runTally(tt.args...)
			if code != 2 {
				t.Fatalf("exit %d; want 2 (stderr %q)", code, errs)
			}
			if out != "" {
				t.Errorf("stdout %q; want nothing", out)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr %q; want it to contain %q", errs, tt.want)
			}
			last := strings.TrimSpace(errs)
			if i := strings.LastIndex(last, "\n"); i >= 0 && tt.name != "bad flag" && tt.name != "two files" {
				t.Errorf("stderr has several lines: %q", errs)
			}
		})
	}
}

func TestTallyReadsStandardInput(t *testing.T) {
	data, err := os.ReadFile("testdata/tally/tennessee_capital.blt")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"tally", "--method", "plurality", "-"}, func(string) string { return "" },
		bytes.NewReader(data), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "Elected: Memphis") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
