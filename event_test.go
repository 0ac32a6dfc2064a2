package soviet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
)

// slowCanonical is IsCanonical by its definition.
func slowCanonical(raw []byte) bool {
	c, err := CanonicalizeJSON(raw)
	return err == nil && bytes.Equal(c, raw)
}

var canonicalCases = []string{
	`{}`, `[]`, `{"a":1}`, `{"a":1,"b":2}`, `{"b":1,"a":2}`, `{"a":1,"a":2}`, `{"a":1 }`, ` {"a":1}`, `{"a":1}x`, `{"a":1}{"b":2}`,
	`{"a":[1,2,{"c":null,"d":true}],"b":false}`, `{"a":"x<y&z>"}`, `{"a":"\"quoted\""}`, `{"a":"line\nbreak"}`, `{"a":"\u00e9"}`,
	`{"a":"é"}`, `{"a":"\u2028"}`, "{\"a\":\"\u2028\"}", `{"a":"\/"}`, `{"a":-0}`, `{"a":1.50}`, `{"a":1e5}`, `{"a":1E+5}`, `{"a":01}`,
	`{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":tru}`, `{"a":nul}`, `{"a":"unterminated}`, `{"a"}`, `{"a":1,}`, `[1,]`, `[1 ,2]`, `"s"`, `12`,
	`null`, ``, `{"é":1}`, `{"b":1,"é":2}`, `{"a\"":1}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{"A":1,"a":2}`, `{"a":1,"A":2}`,
	`{"ab":1,"a":2}`, `{"a":1,"ab":2}`, `{"a":{"b":{"c":{"d":[[[[]]]]}}}}`, `[{"z":1,"y":2}]`,
}

func TestIsCanonical(t *testing.T) {
	for _, c := range canonicalCases {
		if got, want := IsCanonical([]byte(c)), slowCanonical([]byte(c)); got != want {
			t.Errorf("IsCanonical(%q) = %v, CanonicalizeJSON says %v", c, got, want)
		}
	}
	// Every payload the domain writes is canonical.
	p, err := Canonical(SeatsApportioned{Body: 3, Method: "sainte-lague", Rows: []SeatRow{{Constituency: 4, Represented: 10, Seats: 2}}, Report: "a <b> & c"})
	if err != nil {
		t.Fatal(err)
	}
	if !IsCanonical(p) {
		t.Fatalf("%s is not canonical", p)
	}
}

func FuzzIsCanonical(f *testing.F) {
	for _, c := range canonicalCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := IsCanonical(raw), slowCanonical(raw); got != want {
			t.Fatalf("IsCanonical(%q) = %v, CanonicalizeJSON says %v", raw, got, want)
		}
	})
}

// The envelope is the canonical JSON of its fields, whatever the type
// string holds.
func TestEnvelope(t *testing.T) {
	for _, typ := range []string{"member.joined", "a<b>&c", `quote"and\back`, "é", "tab\t"} {
		ev := Event{Seq: 42, Time: time.UnixMicro(1510048800000001), Actor: 7, Type: typ, Payload: json.RawMessage(`{"a":1}`),
			Prev: bytes.Repeat([]byte{0xab}, HashSize)}
		tj, _ := json.Marshal(typ)
		want := `{"actor":7,"payload":{"a":1},"prev":"` + hex.EncodeToString(ev.Prev) + `","seq":42,"time":1510048800000001,"type":` + string(tj) + `}`
		if got := string(ev.Envelope()); got != want {
			t.Errorf("envelope\n got %s\nwant %s", got, want)
		}
		if h := sha256.Sum256([]byte(want)); !bytes.Equal(ev.ComputeHash(), h[:]) {
			t.Errorf("hash of %q", typ)
		}
		var v map[string]any
		if err := json.Unmarshal(ev.Envelope(), &v); err != nil || v["type"] != typ || v["seq"] != float64(42) {
			t.Errorf("envelope of %q does not decode: %v %v", typ, v, err)
		}
	}
}
