package tally

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadParties(t *testing.T) {
	in := "council,members\n# a comment\nVyborg district, 1200\n\"Putilov works, Petrograd\",31000\n\nKronstadt,0\n"
	ps, err := ReadParties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Party{{"Vyborg district", 1200}, {"Putilov works, Petrograd", 31000}, {"Kronstadt", 0}}
	if !slices.Equal(ps, want) {
		t.Errorf("%v, want %v", ps, want)
	}
	ps, err = ReadParties(strings.NewReader("A,5\nB,7"))
	if err != nil || len(ps) != 2 {
		t.Errorf("no header: %v %v", ps, err)
	}
}

func TestReadPartiesErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "no rows"},
		{"header only", "name,count\n", "no rows"},
		{"three fields", "A,1\nB,2,3\n", "line 2: 3 fields, want 2"},
		{"one field", "A,1\nB\n", "line 2: 1 fields, want 2"},
		{"not a number", "A,1\nB,lots\n", `line 2: count "lots" of "B" is not a whole number`},
		{"decimal", "A,1.5\n", `line 1: count "1.5" of "A" is not a whole number`},
		{"negative", "A,1\nB,-3\n", `line 2: count -3 of "B" is negative`},
		{"too large", "A,99999999999999999999\n", "line 1: count 99999999999999999999 of \"A\" is too large"},
		{"duplicate", "A,1\nB,2\nA,3\n", `line 3: "A" appears twice (first at line 1)`},
		{"empty name", "A,1\n,2\n", "line 2: the name is empty"},
		{"bad quote", "A,1\n\"B,2\n", "line 2:"},
		{"invalid utf8", "A,1\n\xff,2\n", "line 2: the name is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadParties(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v, want a bad-input error with %q", err, tc.want)
			}
		})
	}
}

// FuzzReadCSV feeds the reader arbitrary files: it must never panic, and
// what it accepts must apportion without error under every method.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("name,count\nA,6100\nB,5000\nC,900\n"))
	f.Add([]byte("\"x,y\",1\n#c\nz,0\n"))
	f.Add([]byte("A,9223372036854775807\nB,9223372036854775806\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ReadParties(strings.NewReader(string(data)))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		for _, p := range ps {
			if p.Name == "" || p.Count < 0 {
				t.Fatalf("accepted %+v", p)
			}
		}
		for _, method := range ApportionMethods {
			a, err := Apportion(method, 7, ps, ApportionOptions{})
			if err != nil {
				if !errors.Is(err, ErrBadInput) {
					t.Fatal(err)
				}
				continue
			}
			if sumSeats(a.Seats) != 7 {
				t.Fatalf("%s: %v", method, a.Seats)
			}
		}
	})
}
