package tally

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestScotland2022 counts all 347 wards of the Scottish local elections of
// 2022 (scot-elex BLT files, with their dialect) under the Scottish rules
// and compares the winners with Droop's reference count. Droop ran on
// copies where the doubled quotes inside names became single quotes.
func TestScotland2022(t *testing.T) {
	f, err := os.Open("testdata/scotland-mggg/droop_scotland_2022_winners.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			t.Fatalf("bad line %q", sc.Text())
		}
		file, want := cols[0], strings.Split(cols[3], "|")
		seats, _ := strconv.Atoi(cols[1])
		ncand, _ := strconv.Atoi(cols[2])
		n++
		t.Run(strings.TrimSuffix(file, ".blt"), func(t *testing.T) {
			p := readBLTFile(t, filepath.Join("testdata/scotland-mggg/blt_2022", file))
			if p.Seats != seats || len(p.Candidates) != ncand {
				t.Fatalf("read %d seats, %d candidates; want %d, %d", p.Seats, len(p.Candidates), seats, ncand)
			}
			if strings.TrimSpace(p.Title) == "" {
				t.Errorf("title %q: the last line was not read as the title", p.Title)
			}
			res, err := Count("scottish", p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, name := range res.ElectedNames() {
				got = append(got, unquoted(name))
			}
			slices.Sort(got)
			var w []string
			for _, name := range want {
				w = append(w, unquoted(name))
			}
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("elected %q\nDroop     %q", got, w)
			}
		})
	}
	if n != 347 {
		t.Errorf("%d wards in the table; want 347", n)
	}
}

// unquoted drops quotes and spaces: Droop's run turned the quotes of the
// scot-elex names into apostrophes in its own way ("A" "B" became A' 'B).
func unquoted(s string) string {
	return strings.NewReplacer(`"`, "", "'", "", " ", "").Replace(s)
}
