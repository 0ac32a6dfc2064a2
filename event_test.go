package soviet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
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

// slowDecode is DecodePayload without the flat decoder.
func slowDecode(typ string, raw []byte) (Payload, error) {
	p := payloadTypes[typ]()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return p, dec.Decode(p)
}

var flatCases = []struct{ typ, raw string }{
	{"member.joined", `{"account":12,"council":3}`},
	{"member.joined", `{"account":12,"council":3,"invitation":7}`},
	{"member.joined", `{"council":3,"account":12}`},
	{"member.joined", `{"account":12,"account":13,"council":3}`},
	{"member.joined", `{"account":12,"council":3,"extra":1}`},
	{"member.joined", `{"Account":12,"council":3}`},
	{"member.joined", `{"account":1.5,"council":3}`},
	{"member.joined", `{"account":1e3,"council":3}`},
	{"member.joined", `{"account":-0,"council":3}`},
	{"member.joined", `{"account":01,"council":3}`},
	{"member.joined", `{"account":"12","council":3}`},
	{"member.joined", `{"account":null,"council":3}`},
	{"member.joined", `{"account":99999999999999999999,"council":3}`},
	{"member.joined", `{"account":12,"council":3} `},
	{"member.joined", `{"account":12,"council":3}{}`},
	{"member.joined", `{}`},
	{"member.joined", `{ "account":12}`},
	{"account.created", `{"founder":true,"handle":"alice","name":"Alice"}`},
	{"account.created", `{"founder":false,"handle":"alice","name":"Al\"ice"}`},
	{"account.created", `{"handle":"alice","name":"Alicé"}`},
	{"account.created", `{"founder":tru,"handle":"alice","name":"Alice"}`},
	{"account.created", `{"founder":1,"handle":"alice","name":"Alice"}`},
	{"council.created", `{"federation":2,"kind":"base","name":"Putilov Works"}`},
	{"council.created", `{"federation":2,"kind":"committee","name":"Ex","parent":4,"role":"executive","seats":5}`},
	{"vote.cast", `{"choice":"yes","motion":9}`},
	{"seats.apportioned", `{"body":3,"method":"x","report":"r","rows":[]}`},
}

func TestDecodeFlat(t *testing.T) {
	fast := 0
	for _, c := range flatCases {
		p, err := DecodePayload(c.typ, []byte(c.raw))
		q, slowErr := slowDecode(c.typ, []byte(c.raw))
		if (err == nil) != (slowErr == nil) {
			t.Errorf("%s %s: error %v, the general decoder says %v", c.typ, c.raw, err, slowErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(p, q) {
			t.Errorf("%s %s: %+v, the general decoder says %+v", c.typ, c.raw, p, q)
		}
		if decodeFlat(payloadTypes[c.typ](), []byte(c.raw)) {
			fast++
		}
	}
	if fast < 8 {
		t.Fatalf("the flat decoder took only %d cases", fast)
	}
	for _, typ := range []string{"member.joined", "account.created", "council.linked", "motion.supported", "office.ended"} {
		if _, ok := flatFields[reflect.TypeOf(payloadTypes[typ]()).Elem()]; !ok {
			t.Errorf("%s is not decoded as flat", typ)
		}
	}
	for _, typ := range []string{"seats.apportioned", "federation.created", "vote.opened", "election.closed"} {
		if _, ok := flatFields[reflect.TypeOf(payloadTypes[typ]()).Elem()]; ok {
			t.Errorf("%s is decoded as flat", typ)
		}
	}
}

func FuzzDecodeFlat(f *testing.F) {
	types := []string{"member.joined", "account.created", "council.created", "vote.cast"}
	for _, c := range flatCases {
		for i, typ := range types {
			if typ == c.typ {
				f.Add(uint8(i), []byte(c.raw))
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		typ := types[int(which)%len(types)]
		p := payloadTypes[typ]()
		if !decodeFlat(p, raw) {
			return
		}
		q, err := slowDecode(typ, raw)
		if err != nil {
			t.Fatalf("%s %q: the flat decoder took it, the general one says %v", typ, raw, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("%s %q: %+v, the general decoder says %+v", typ, raw, p, q)
		}
	})
}
