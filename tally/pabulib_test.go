package tally

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const pbHead = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n"

func TestReadPabulibSmall(t *testing.T) {
	in := "\ufeffMETA\r\nkey; value\r\ndescription; \"A; quoted \"\"name\"\"\"\r\nbudget; 1000,5\r\nnum_projects;2\r\nnum_votes;3\r\n\r\n" +
		"PROJECTS\r\nproject_id;cost;name;selected\r\n1;250.25;\"Park; benches\";1\r\n2;100;Trees;0\r\n" +
		"VOTES\r\nvoter_id;vote\r\nv1;1,2\r\nv2; 2 \r\nv3;\r\n"
	pf, err := ReadPabulib(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b := pf.Budget
	if b.Decimals != 2 || b.Limit != 100050 || b.Projects[0].Cost != 25025 || b.Projects[1].Cost != 10000 {
		t.Errorf("decimals %d, limit %d, costs %d %d", b.Decimals, b.Limit, b.Projects[0].Cost, b.Projects[1].Cost)
	}
	if pf.Meta["description"] != `A; quoted "name"` || b.Projects[0].Name != "Park; benches" {
		t.Errorf("description %q, name %q", pf.Meta["description"], b.Projects[0].Name)
	}
	if len(b.Ballots) != 3 || len(b.Ballots[0].Approved) != 2 || b.Ballots[1].Approved[0] != 1 || len(b.Ballots[2].Approved) != 0 {
		t.Errorf("ballots %+v", b.Ballots)
	}
	if v, _ := pf.ProjectField(0, "selected"); v != "1" {
		t.Errorf("selected %q", v)
	}
}

// TestReadPabulibErrors checks that each malformed file is rejected with the
// line and what is wrong.
func TestReadPabulibErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "no META section"},
		{"no title", "key;value\n", "line 1: expected the section title META"},
		{"projects first", "PROJECTS\n", "line 1: PROJECTS section out of order"},
		{"no budget", "META\nkey;value\nvote_type;approval\nPROJECTS\n", "line 4: META has no budget"},
		{"bad budget", "META\nkey;value\nbudget;lots\nPROJECTS\n", "line 3: META budget: not a decimal number"},
		{"negative budget", "META\nkey;value\nbudget;-5\nPROJECTS\n", "line 3: META budget: negative"},
		{"ordinal", "META\nkey;value\nbudget;5\nvote_type;ordinal\nPROJECTS\n", `line 5: META vote_type "ordinal" is not supported`},
		{"meta header", "META\nkey;val\n", "line 2: META header must be key;value"},
		{"duplicate meta", "META\nkey;value\nbudget;1\nbudget;2\n", `line 4: META key "budget" appears twice`},
		{"meta fields", "META\nkey;value\nbudget;1;2\n", "line 3: META row has 3 fields"},
		{"projects header", "META\nkey;value\nbudget;1\nPROJECTS\nid;cost\n", "line 5: PROJECTS header must have the columns project_id and cost"},
		{"short project row", pbHead + "1;5\n", "line 7: project row has 2 fields, the header has 3"},
		{"bad cost", pbHead + "1;5x;a\n", `line 7: cost of project "1": not a decimal number`},
		{"negative cost", pbHead + "1;-5;a\n", `line 7: cost of project "1": negative`},
		{"duplicate project", pbHead + "1;5;a\n1;6;b\n", `line 8: project_id "1" appears twice (first at line 7)`},
		{"unterminated quote", pbHead + "1;5;\"a\n", "line 7: quoted field has no closing quote"},
		{"text after quote", pbHead + "1;5;\"a\"b\n", "line 7: text after a closing quote"},
		{"unknown project in vote", pbHead + "1;5;a\nVOTES\nvoter_id;vote\nv1;1,9\n", `line 10: voter "v1" approves project "9", which is not in PROJECTS`},
		{"approved twice", pbHead + "1;5;a\nVOTES\nvoter_id;vote\nv1;1,1\n", `line 10: voter "v1" approves project "1" twice`},
		{"duplicate voter", pbHead + "1;5;a\nVOTES\nvoter_id;vote\nv1;1\nv1;1\n", `line 11: voter_id "v1" appears twice (first at line 10)`},
		{"votes header", pbHead + "1;5;a\nVOTES\nvoter;vote\n", "line 9: VOTES header must have the columns voter_id and vote"},
		{"no votes section", pbHead + "1;5;a\n", "no VOTES section"},
		{"num_votes", "META\nkey;value\nbudget;10\nnum_votes;2\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv1;1\n", "line 4: META num_votes is 2, but the file has 1"},
		{"second votes", pbHead + "1;5;a\nVOTES\nvoter_id;vote\nVOTES\n", "line 10: second VOTES section (the first is at line 8)"},
		{"huge cost", pbHead + "1;99999999999999999999;a\nVOTES\nvoter_id;vote\n", "line 7: cost 99999999999999999999 is too large"},
		{"invalid utf8", "META\nkey;value\nbudget;\xff\n", "line 3: not valid UTF-8"},
		{"choose-1 with two", "META\nkey;value\nbudget;10\nvote_type;choose-1\nPROJECTS\nproject_id;cost\n1;5\n2;5\nVOTES\nvoter_id;vote\nv;1,2\n", `line 11: voter "v" chose 2 projects in a choose-1 vote`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPabulib(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v is not ErrBadInput", err)
			}
		})
	}
}

// TestReadPabulibRealFiles reads every stored file and checks the counts
// the files state for themselves.
func TestReadPabulibRealFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/pabulib/*/*.pb")
	if len(files) != 13 {
		t.Fatalf("%d files, want 13", len(files))
	}
	for _, file := range files {
		pf := readPBFile(t, file)
		votes := pf.Budget.approvalCounts()
		for i := range pf.Budget.Projects {
			if v, ok := pf.ProjectField(i, "votes"); ok && v != strconv.Itoa(votes[i]) {
				t.Errorf("%s: project %s: votes column %s, ballots %d", file, pf.Budget.Projects[i].ID, v, votes[i])
			}
		}
	}
}

// FuzzReadPabulib feeds the reader arbitrary files: it must never panic, and
// what it accepts must be a valid budget that every method can count.
func FuzzReadPabulib(f *testing.F) {
	f.Add([]byte(pbHead + "1;5;a\n2;7.5;b\nVOTES\nvoter_id;vote\nv1;1,2\nv2;2\n"))
	f.Add([]byte("META\nkey;value\nbudget;1,5\nvote_type;choose-1\nPROJECTS\nproject_id;cost\n\"x;y\";1\nVOTES\nvoter_id;vote\n1;\"x;y\"\n"))
	if data, err := os.ReadFile("testdata/pabulib/mes/Poland_Swiecie_2023.pb"); err == nil {
		f.Add(data[:2000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := ReadPabulib(bytes.NewReader(data))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		if err := pf.Budget.Validate(); err != nil {
			t.Fatalf("accepted an invalid budget: %v", err)
		}
		if len(pf.Budget.Ballots) > 50 || len(pf.Budget.Projects) > 20 {
			return
		}
		for _, method := range []string{MethodGreedy, MethodMESRaw} {
			res, err := CountBudget(method, pf.Budget, BudgetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Cost > pf.Budget.Limit {
				t.Fatalf("%s spent %d of %d", method, res.Cost, pf.Budget.Limit)
			}
		}
	})
}
