package tally

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestReadBLTDialects(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		names     []string
		title     string
		withdrawn []bool
		ballots   []Ballot
	}{
		{
			name:  "plain",
			in:    "3 1\n2 1 2 0\n1 3 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n",
			names: []string{"A", "B", "C"}, title: "T",
			ballots: []Ballot{{Weight: 2, Ranking: []int{0, 1}}, {Weight: 1, Ranking: []int{2}}},
		},
		{
			name:  "scot-elex: doubled quotes, unquoted title without newline, grouped weights",
			in:    "2 1\n3 2 1 0\n0\n\"Ann ROSS \"\"Party (P)\"\"\"\n\"Bob\"\nWard 1 - Almond",
			names: []string{`Ann ROSS "Party (P)"`, "Bob"}, title: "Ward 1 - Almond",
			ballots: []Ballot{{Weight: 3, Ranking: []int{1, 0}}},
		},
		{
			name:  "scot-elex: name and party as two strings",
			in:    "2 1\n1 1 0\n0\n\"Eddie ANDERSON\" \"Independent\"\n\"Bob\"\n\"Ward\"",
			names: []string{`Eddie ANDERSON "Independent"`, "Bob"}, title: "Ward",
			ballots: []Ballot{{Weight: 1, Ranking: []int{0}}},
		},
		{
			name:  "withdrawn on line 2, equal rankings, blank lines, CRLF",
			in:    "3 1\r\n-2\r\n\r\n1 1=3 2 0\r\n0\r\n\"A\"\r\n\"B\"\r\n\"C\"\r\n\"T\"\r\n",
			names: []string{"A", "B", "C"}, title: "T", withdrawn: []bool{false, true, false},
			ballots: []Ballot{{Weight: 1, Ranking: []int{0, 2, 1}, Tied: []bool{false, true, false}}},
		},
		{
			name:  "Droop options: nicknames and [withdrawn]",
			in:    "2 1\n[nick a b]\n[withdrawn b]\n4 b a 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
			names: []string{"A", "B"}, title: "T", withdrawn: []bool{false, true},
			ballots: []Ballot{{Weight: 4, Ranking: []int{1, 0}}},
		},
		{
			name:  "identical ballots grouped",
			in:    "2 1\n1 1 2 0\n1 2 0\n1 1 2 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
			names: []string{"A", "B"}, title: "T",
			ballots: []Ballot{{Weight: 2, Ranking: []int{0, 1}}, {Weight: 1, Ranking: []int{1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadBLT(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Candidates, tt.names) || p.Title != tt.title ||
				!reflect.DeepEqual(p.Withdrawn, tt.withdrawn) || !reflect.DeepEqual(p.Ballots, tt.ballots) {
				t.Errorf("got %q %q %v %+v", p.Candidates, p.Title, p.Withdrawn, p.Ballots)
			}
		})
	}
}

func TestReadBLTErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "empty file"},
		{"bad header", "three 1\n", "line 1: expected two whole numbers"},
		{"no seats", "3 0\n", "line 1: number of seats 0"},
		{"candidate out of range", "2 1\n1 1 3 0\n0\n", "line 2: candidate 3 does not exist"},
		{"ranked twice", "2 1\n1 1 1 0\n0\n", "line 2: candidate 1 is ranked twice"},
		{"no final zero", "2 1\n1 1 2\n0\n", "line 2: a ballot must end with 0"},
		{"bad weight", "2 1\nx 1 0\n0\n", "line 2: ballot weight"},
		{"no end of ballots", "2 1\n1 1 0\n", "end of file"},
		{"too few names", "2 1\n1 1 0\n0\n\"A\"\n", "names 1 candidates"},
		{"unterminated name", "2 1\n1 1 0\n0\n\"A\n", "line 4: unterminated"},
		{"bare name", "2 1\n1 1 0\n0\nA\n", "line 4: expected a quoted candidate name"},
		{"bad withdrawn", "2 1\n-3\n0\n", "line 2: withdrawn candidate 3 does not exist"},
		{"unknown option", "2 1\n[frob]\n0\n", "line 2: unknown option"},
		{"duplicate names", "2 1\n1 1 0\n0\n\"A\"\n\"A\"\n", "both named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadBLT(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestReadPrefLib(t *testing.T) {
	tests := []struct {
		name, kind, in string
		names          []string
		ballots        []Ballot
	}{
		{
			name: "toi with ties", kind: "toi",
			in:      "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n# ALTERNATIVE NAME 3: C\n3: 1,{2,3}\n2: {1,2},3\n",
			names:   []string{"A", "B", "C"},
			ballots: []Ballot{{Weight: 3, Ranking: []int{0, 1, 2}, Tied: []bool{false, false, true}}, {Weight: 2, Ranking: []int{0, 1, 2}, Tied: []bool{false, true, false}}},
		},
		{
			name: "soi, kind from the header", kind: "",
			in:      "# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n800: 2\n5: 1,2\n",
			names:   []string{"A", "B"},
			ballots: []Ballot{{Weight: 800, Ranking: []int{1}}, {Weight: 5, Ranking: []int{0, 1}}},
		},
		{
			name: "soc, older layout", kind: "soc",
			in:      "2\n1,A\n2,B\n7,7,2\n4,1,2\n3,2,1\n",
			names:   []string{"A", "B"},
			ballots: []Ballot{{Weight: 4, Ranking: []int{0, 1}}, {Weight: 3, Ranking: []int{1, 0}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadPrefLib(strings.NewReader(tt.in), tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Candidates, tt.names) || !reflect.DeepEqual(p.Ballots, tt.ballots) || p.Seats != 1 {
				t.Errorf("got %q %+v seats %d", p.Candidates, p.Ballots, p.Seats)
			}
		})
	}
	bad := []struct{ name, kind, in, want string }{
		{"tie in soi", "soi", "# NUMBER ALTERNATIVES: 2\n1: {1,2}\n", "line 2: a .soi file has strict orders"},
		{"incomplete soc", "soc", "# NUMBER ALTERNATIVES: 2\n1: 1\n", "line 2: a .soc file has complete orders"},
		{"out of range", "soi", "# NUMBER ALTERNATIVES: 2\n1: 3\n", "line 2: alternative \"3\""},
		{"unclosed brace", "toi", "# NUMBER ALTERNATIVES: 2\n1: {1,2\n", "line 2: { without }"},
		{"no header", "soi", "1: 1\n", "line 1: expected the header"},
		{"bad count", "soi", "# NUMBER ALTERNATIVES: 2\nx: 1\n", "line 2: count"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPrefLib(strings.NewReader(tt.in), tt.kind)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v; want one containing %q and wrapping ErrInvalid", err, tt.want)
			}
		})
	}
}

// TestBLTRoundTrip writes random profiles and reads them back.
func TestBLTRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 200; i++ {
		p := randomProfile(r, 2+r.IntN(12), r.IntN(50), 1+r.IntN(3))
		p.Title = []string{"", `He said "no"`, "Ward 1 – Ürü"}[r.IntN(3)]
		p.Candidates[0] = `Ann "The Red" ROSS`
		if r.IntN(3) == 0 {
			p.Withdrawn = make([]bool, len(p.Candidates))
			p.Withdrawn[r.IntN(len(p.Candidates))] = true
		}
		if len(p.Ballots) > 0 && len(p.Ballots[0].Ranking) > 1 {
			p.Ballots[0].Tied = make([]bool, len(p.Ballots[0].Ranking))
			p.Ballots[0].Tied[1] = true
		}
		checkRoundTrip(t, p)
	}
}

func checkRoundTrip(t *testing.T, p *Profile) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteBLT(&buf, p); err != nil {
		t.Fatal(err)
	}
	q, err := ReadBLT(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip changed the profile:\n%+v\n%+v\n%s", p, q, buf.String())
	}
}

func FuzzReadBLT(f *testing.F) {
	for _, path := range []string{
		"testdata/condorcet-examples/tennessee_capital.blt",
		"testdata/blt-droop/blt/meek/eq1.blt",
		"testdata/blt-droop/blt/42t.blt",
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("2 1\n-1\n1 1=2 0\n0\n\"A\" \"x\"\n\"B\"\nWard"))
	f.Add([]byte("3 2\n[nick a b c]\n[withdrawn c]\n(id) 2 a b 0\n0\n\"Ann \"\"P\"\"\"\n\"B\"\n\"C\"\nWard 1 - Almond"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadBLT(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		checkRoundTrip(t, p)
		// Whatever reads must count without panicking.
		if p.Seats < len(p.Candidates) && len(p.Ballots) < 50 && len(p.Candidates) < 20 {
			for _, m := range Methods() {
				if _, err := Count(m, p, Options{Seed: "fuzz"}); err != nil && !errors.Is(err, ErrInvalid) {
					t.Fatalf("%s: %v", m, err)
				}
			}
		}
	})
}

func FuzzReadPrefLib(f *testing.F) {
	f.Add([]byte("# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n3: 1,{2,3}\n2: {1,2},3\n"), "toi")
	f.Add([]byte("2\n1,A\n2,B\n7,7,2\n4,1,2\n3,2,1\n"), "soc")
	f.Add([]byte("# NUMBER ALTERNATIVES: 2\n800: 2\n5: 1,2\n"), "soi")
	f.Fuzz(func(t *testing.T, data []byte, kind string) {
		p, err := ReadPrefLib(bytes.NewReader(data), kind)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("reader returned an invalid profile: %v", err)
		}
	})
}

// TestResultMarshalsByValueAndPointer: the domain may hold a Result or a
// *Result; both encode with names.
func TestResultMarshalsByValueAndPointer(t *testing.T) {
	p := readBLTFile(t, "testdata/condorcet-examples/tennessee_capital.blt")
	res, err := Count("irv", p, Options{Seed: "s"})
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := json.Marshal(res)
	b, err2 := json.Marshal(*res)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) || !bytes.Contains(a, []byte(`"elected":["Knoxville"]`)) {
		t.Errorf("%v %v\n%s\n%s", err1, err2, a, b)
	}
}

// TestValueFormat checks the fast formatting against big.Int's.
func TestValueFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for i := 0; i < 20000; i++ {
		n := i128{int64(r.Uint64() >> uint(1+r.IntN(64))), r.Uint64() >> uint(r.IntN(64))}
		if r.IntN(4) == 0 {
			n = i128{0, uint64(r.IntN(100000))}
		}
		v := Value{n: n, scale: uint8(r.IntN(28)), show: 0}
		v.show = uint8(r.IntN(int(v.scale) + 1))
		places := r.IntN(int(v.show) + 1)
		drop := int(v.scale) - places
		want := func() string {
			b := n.big()
			d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(drop)), nil)
			b.Add(b, new(big.Int).Rsh(d, 1))
			b.Div(b, d)
			s := b.String()
			if places > 0 {
				for len(s) <= places {
					s = "0" + s
				}
				s = s[:len(s)-places] + "." + s[len(s)-places:]
			}
			return s
		}()
		if got := v.format(places); got != want {
			t.Fatalf("%v scale %d places %d: %s; want %s", n.big(), v.scale, places, got, want)
		}
	}
}
