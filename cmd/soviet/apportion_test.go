package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runApportion runs the binary's run() with args and returns the exit code and
// the two outputs.
func runApportion(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestApportionGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"honikel_dhondt.txt", []string{"--method", "dhondt", "--seats", "10", "testdata/honikel.csv"}},
		{"honikel_sainte-lague.txt", []string{"--method", "sainte-lague", "--seats", "10", "testdata/honikel.csv"}},
		{"honikel_hare.txt", []string{"--method", "hare", "--seats", "10", "testdata/honikel.csv"}},
		{"honikel_huntington-hill.txt", []string{"--method", "huntington-hill", "--seats", "10", "testdata/honikel.csv"}},
		{"honikel_dhondt.json", []string{"--method", "dhondt", "--seats", "10", "--format", "json", "testdata/honikel.csv"}},
		{"councils_min_threshold.txt", []string{"testdata/councils.csv", "--method", "sainte-lague", "--seats", "25", "--min", "2", "--threshold", "2%"}},
		{"councils_hare_min.json", []string{"--method", "hare", "--seats", "12", "--min", "1", "--format", "json", "testdata/councils.csv"}},
		{"tied_lot.txt", []string{"--method", "dhondt", "--seats", "3", "--seed", "Petrograd 1917", "testdata/tied.csv"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, errOut := runApportion(append([]string{"apportion"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkCountGolden(t, tc.golden, []byte(out))
		})
	}
}

// TestApportionJSON checks the fields others rely on: seats per name.
func TestApportionJSON(t *testing.T) {
	for method, want := range map[string]map[string]int{
		"dhondt":       {"A": 6, "B": 4, "C": 0},
		"sainte-lague": {"A": 5, "B": 4, "C": 1},
		"hare":         {"A": 5, "B": 4, "C": 1},
	} {
		code, out, errOut := runApportion("apportion", "--method", method, "--seats", "10", "--format", "json", "testdata/honikel.csv")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", method, code, errOut)
		}
		var got struct {
			Method string         `json:"method"`
			Seats  map[string]int `json:"seats"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if got.Method != method || len(got.Seats) != 3 || got.Seats["A"] != want["A"] || got.Seats["B"] != want["B"] || got.Seats["C"] != want["C"] {
			t.Errorf("%s: %+v, want %v", method, got, want)
		}
	}
}

func TestApportionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad row", []string{"--method", "dhondt", "--seats", "3", "testdata/bad.csv"}, exitUsage,
			"soviet apportion: testdata/bad.csv: line 3: count \"many\" of \"B\" is not a whole number\n"},
		{"no method", []string{"--seats", "3", "testdata/honikel.csv"}, exitUsage, "--method is required"},
		{"no seats", []string{"--method", "hare", "testdata/honikel.csv"}, exitUsage, "--seats is required"},
		{"unknown method", []string{"--method", "borda", "--seats", "3", "testdata/honikel.csv"}, exitUsage, "unknown apportionment method"},
		{"minimum too large", []string{"--method", "hare", "--seats", "5", "--min", "2", "testdata/honikel.csv"}, exitUsage,
			"a minimum of 2 seats for each of 3 parties needs 6 seats, more than the 5 in the house"},
		{"bad threshold", []string{"--method", "hare", "--seats", "5", "--threshold", "lots", "testdata/honikel.csv"}, exitUsage, "--threshold"},
		{"no file", []string{"--method", "hare", "--seats", "5"}, exitUsage, "want one CSV file"},
		{"two files", []string{"--method", "hare", "--seats", "5", "a.csv", "b.csv"}, exitUsage, "want one CSV file, have 2"},
		{"missing file", []string{"--method", "hare", "--seats", "5", "testdata/none.csv"}, exitUsage, "no such file"},
		{"format", []string{"--method", "hare", "--seats", "5", "--format", "xml", "testdata/honikel.csv"}, exitUsage, "--format"},
		{"unknown flag", []string{"--method", "hare", "--seats", "5", "--house", "3", "testdata/honikel.csv"}, exitUsage, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runApportion(append([]string{"apportion"}, tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestApportionStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"apportion", "--method", "dhondt", "--seats", "10", "--format", "json", "-"},
		func(string) string { return "" }, strings.NewReader("A,6100\nB,5000\nC,900\n"), &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), `"A": 6`) {
		t.Errorf("exit %d, stdout %s, stderr %s", code, stdout.String(), stderr.String())
	}
}
