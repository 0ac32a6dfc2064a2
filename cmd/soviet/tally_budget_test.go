package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wieliczka = "../../tally/testdata/pabulib/mes/Poland_Wieliczka_2023_Green_Budget.pb"

// budgetCount runs tallyBudget as `soviet tally` would after parsing its
// flags, and returns the exit code run() would give with its output.
func budgetCount(t *testing.T, a tallyArgs) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	err := tallyBudget(context.Background(), e, a)
	code := exitOK
	if err != nil {
		code = exitFailure
		if errors.As(err, new(usageError)) {
			code = exitUsage
		}
		stderr.WriteString("soviet tally: " + err.Error() + "\n")
	}
	return code, stdout.String(), stderr.String()
}

func TestTallyBudgetGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   tallyArgs
	}{
		{"small_mes.txt", tallyArgs{Method: "mes", Path: "testdata/small.pb"}},
		{"small_mes.json", tallyArgs{Method: "mes", Format: "json", Path: "testdata/small.pb"}},
		{"small_mes_raw.txt", tallyArgs{Method: "mes-raw", Path: "testdata/small.pb"}},
		{"small_greedy.txt", tallyArgs{Method: "greedy", Path: "testdata/small.pb", Seed: "published"}},
		{"small_greedy.json", tallyArgs{Method: "greedy", Format: "json", Path: "testdata/small.pb", Seed: "published"}},
		{"wieliczka_mes.txt", tallyArgs{Method: "mes", Path: wieliczka}},
		{"wieliczka_mes.json", tallyArgs{Method: "mes", Format: "json", Path: wieliczka}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, errOut := budgetCount(t, tc.args)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkCountGolden(t, tc.golden, []byte(out))
		})
	}
}

// TestTallyBudgetJSON checks the fields others rely on.
func TestTallyBudgetJSON(t *testing.T) {
	code, out, errOut := budgetCount(t, tallyArgs{Method: "mes", Format: "json", Path: wieliczka})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Method  string            `json:"method"`
		Seats   int               `json:"seats"`
		Elected []string          `json:"elected"`
		Rounds  []json.RawMessage `json:"rounds"`
		Ties    []json.RawMessage `json:"ties"`
		Budget  json.Number       `json:"budget"`
		Cost    json.Number       `json:"cost"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Method != "mes" || got.Seats != 30 || len(got.Elected) != 30 || len(got.Rounds) != 30 ||
		got.Ties == nil || got.Budget != "1000000" || got.Cost != "995079" || got.Elected[0] != "24" {
		t.Errorf("JSON: %+v", got)
	}
}

func TestTallyBudgetErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args tallyArgs
		code int
		want string
	}{
		{"malformed file", tallyArgs{Method: "mes", Path: "testdata/bad_vote.pb"}, exitUsage,
			`soviet tally: testdata/bad_vote.pb: line 10: voter "v2" approves project "Z", which is not in PROJECTS` + "\n"},
		{"missing file", tallyArgs{Method: "mes", Path: "testdata/nothing.pb"}, exitUsage, "no such file"},
		{"seats", tallyArgs{Method: "mes", Seats: 3, Path: "testdata/small.pb"}, exitUsage, "--seats does not apply"},
		{"format", tallyArgs{Method: "mes", Format: "xml", Path: "testdata/small.pb"}, exitUsage, `--format "xml"`},
		{"method", tallyArgs{Method: "meek", Path: "testdata/small.pb"}, exitUsage, "not a budgeting method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := budgetCount(t, tc.args)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.want)
			}
			if strings.Count(errOut, "\n") != 1 {
				t.Errorf("error is not one line: %q", errOut)
			}
		})
	}
}

// TestTallyBudgetThroughRun goes through run() and cmdTally, which parses
// the command line and hands budgets to tallyBudget. It is skipped until
// cmdTally is in place.
func TestTallyBudgetThroughRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"tally", "--method", "mes", "--format", "json", "testdata/small.pb"},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if strings.Contains(stderr.String(), "not yet implemented") {
		t.Skip("cmdTally is not wired yet")
	}
	if code != exitOK || !strings.Contains(stdout.String(), `"elected": [`) {
		t.Errorf("exit %d, stdout %s, stderr %s", code, stdout.String(), stderr.String())
	}
	code = run(context.Background(), []string{"tally", "--method", "mes", "testdata/bad_vote.pb"},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "line 10") {
		t.Errorf("malformed file: exit %d, stderr %s", code, stderr.String())
	}
}

// The -update flag rewrites the golden files. Another test file of this
// package may define it first; then this one uses that definition.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updatingCountGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkCountGolden compares got with testdata/name, or rewrites it with -update.
func checkCountGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updatingCountGoldens() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}
