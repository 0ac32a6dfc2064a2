package soviet_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"soviet"
	"soviet/tally"
)

// ballot returns a bulletin entry for a choice, with a receipt from a
// fixed nonce so that the test is repeatable.
func ballot(i int, c soviet.Choice) soviet.BallotEntry {
	content := []byte(`{"choice":"` + string(c) + `"}`)
	nonce := sha256.Sum256([]byte(fmt.Sprint(i)))
	return soviet.BallotEntry{Receipt: soviet.ReceiptCode(nonce[:], content), Content: content}
}

// bulletin returns a whole bulletin of the choices, counted.
func bulletin(choices ...soviet.Choice) *soviet.Bulletin {
	b := &soviet.Bulletin{Vote: 7, Kind: soviet.MotionVote, Title: "Land to the peasants", Eligible: 5,
		Participants: int64(len(choices)), Quorum: soviet.Ratio{Num: 1, Den: 2}, Majority: soviet.Simple, Ballots: []soviet.BallotEntry{}}
	for i, c := range choices {
		b.Ballots = append(b.Ballots, ballot(i, c))
	}
	soviet.SortBallots(b.Ballots)
	r, err := b.Recount()
	if err != nil {
		panic(err)
	}
	b.Result = &r
	return b
}

func TestBulletinCheck(t *testing.T) {
	y, n, a := soviet.Yes, soviet.No, soviet.Abstain
	tests := []struct {
		name string
		edit func(b *soviet.Bulletin)
		want string // "" means no problem
	}{
		{"whole", func(b *soviet.Bulletin) {}, ""},
		{"no ballots", func(b *soviet.Bulletin) {
			*b = *bulletin()
		}, ""},
		{"a ballot flipped", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"choice":"no"}`) }, "differs from the recount"},
		{"a ballot dropped", func(b *soviet.Bulletin) { b.Ballots = b.Ballots[1:] }, "3 ballots but 4 participants"},
		{"a ballot repeated", func(b *soviet.Bulletin) { b.Ballots[1] = b.Ballots[0] }, "strictly increasing"},
		{"reordered", func(b *soviet.Bulletin) { b.Ballots[0], b.Ballots[3] = b.Ballots[3], b.Ballots[0] }, "strictly increasing"},
		{"a malformed receipt", func(b *soviet.Bulletin) { b.Ballots[0].Receipt = "00" }, "64 hex digits"},
		{"an upper-case receipt", func(b *soviet.Bulletin) { b.Ballots[3].Receipt = strings.ToUpper(b.Ballots[3].Receipt) }, "digits 0-9 and a-f"},
		{"spacing in a ballot", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"choice": "yes"}`) }, "canonical"},
		{"an extra field in a ballot", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"choice":"yes","voter":12}`) }, "canonical"},
		{"an unknown choice", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"choice":"maybe"}`) }, "not a choice"},
		{"more participants than voters", func(b *soviet.Bulletin) { b.Eligible = 3 }, "only 3 eligible"},
		{"no result", func(b *soviet.Bulletin) { b.Result = nil }, "no result"},
		{"a forged result", func(b *soviet.Bulletin) { r := *b.Result; r.Adopted = !r.Adopted; b.Result = &r }, "differs from the recount"},
		{"an unknown kind", func(b *soviet.Bulletin) { b.Kind = "lottery" }, "cannot count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := bulletin(y, y, n, a)
			tc.edit(b)
			ps := strings.Join(b.Check(), "\n")
			switch {
			case tc.want == "" && ps != "":
				t.Fatalf("problems in a whole bulletin:\n%s", ps)
			case tc.want != "" && !strings.Contains(ps, tc.want):
				t.Fatalf("problems %q do not mention %q", ps, tc.want)
			}
		})
	}
}

func TestBulletinRecount(t *testing.T) {
	y, n, a := soviet.Yes, soviet.No, soviet.Abstain
	tests := []struct {
		choices []soviet.Choice
		want    soviet.Result
	}{
		{[]soviet.Choice{y, y, n, a}, soviet.Result{Yes: 2, No: 1, Abstain: 1, Eligible: 5, QuorumMet: true, Adopted: true}},
		{[]soviet.Choice{y, n}, soviet.Result{Yes: 1, No: 1, Eligible: 5}},
		{[]soviet.Choice{a, a, a}, soviet.Result{Abstain: 3, Eligible: 5, QuorumMet: true}},
		{nil, soviet.Result{Eligible: 5}},
	}
	for _, tc := range tests {
		b := bulletin(tc.choices...)
		tc.want.Quorum, tc.want.Majority = b.Quorum, b.Majority
		if got, err := b.Recount(); err != nil || !got.Equal(tc.want) {
			t.Errorf("recount of %v: %+v, %v; want %+v", tc.choices, got, err, tc.want)
		}
	}
}

func TestBulletinJSONRoundTrip(t *testing.T) {
	b := bulletin(soviet.Yes, soviet.No)
	j, err := b.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := soviet.ReadBulletin(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := b.Hash()
	h2, _ := back.Hash()
	sum := sha256.Sum256(j)
	if h1 != h2 || h1 != hex.EncodeToString(sum[:]) {
		t.Fatalf("hashes %s, %s and file %x differ", h1, h2, sum)
	}
	// No ballots: built (nil) and read ([]) hash alike.
	empty := bulletin()
	empty.Ballots = nil
	j, _ = empty.JSON()
	if !bytes.Contains(j, []byte(`"ballots":[]`)) {
		t.Fatalf("empty bulletin: %s", j)
	}
	for _, bad := range []string{
		string(j[:len(j)-1]),
		strings.Replace(string(j), `"kind"`, `"voter":3,"kind"`, 1),
		string(j) + " {}",
	} {
		if _, err := soviet.ReadBulletin(strings.NewReader(bad)); !errors.Is(err, soviet.ErrInvalid) {
			t.Errorf("read %q: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestReceipt(t *testing.T) {
	content := []byte(`{"choice":"yes"}`)
	nonce := bytes.Repeat([]byte{7}, soviet.NonceSize)
	good := soviet.Receipt{Vote: 3, Code: soviet.ReceiptCode(nonce, content), Nonce: hex.EncodeToString(nonce), Content: content}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(r *soviet.Receipt)
	}{
		{"another content", func(r *soviet.Receipt) { r.Content = []byte(`{"choice":"no"}`) }},
		{"another nonce", func(r *soviet.Receipt) { r.Nonce = strings.Repeat("08", soviet.NonceSize) }},
		{"short nonce", func(r *soviet.Receipt) { r.Nonce = "0707" }},
		{"nonce not hex", func(r *soviet.Receipt) { r.Nonce = strings.Repeat("zz", soviet.NonceSize) }},
		{"short code", func(r *soviet.Receipt) { r.Code = r.Code[:10] }},
		{"content not JSON", func(r *soviet.Receipt) { r.Content = []byte(`{"choice":`) }},
		{"code over the content as spaced", func(r *soviet.Receipt) {
			r.Content = []byte(`{ "choice":"yes"}`)
			r.Code = soviet.ReceiptCode(nonce, r.Content)
		}},
	}
	for _, tc := range tests {
		r := good
		tc.edit(&r)
		if err := r.Check(); !errors.Is(err, soviet.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
	file := fmt.Sprintf(`{"vote":3,"receipt":%q,"nonce":%q,"content":{"choice":"yes"}}`, good.Code, good.Nonce)
	if r, err := soviet.ReadReceipt(strings.NewReader(file)); err != nil || r.Code != good.Code {
		t.Fatalf("read receipt: %+v, %v", r, err)
	}
	// Indented, as the server answers and the page's download is.
	indented := fmt.Sprintf("{\n  \"vote\": 3,\n  \"receipt\": %q,\n  \"nonce\": %q,\n  \"content\": {\n    \"choice\": \"yes\"\n  }\n}\n", good.Code, good.Nonce)
	if r, err := soviet.ReadReceipt(strings.NewReader(indented)); err != nil || string(r.Content) != `{"choice":"yes"}` {
		t.Fatalf("read an indented receipt: %+v, %v", r, err)
	}
	if _, err := soviet.ReadReceipt(strings.NewReader(strings.Replace(file, "yes", "no", 1))); !errors.Is(err, soviet.ErrInvalid) {
		t.Fatalf("altered receipt file: %v", err)
	}
}

func TestWriteBLT(t *testing.T) {
	b := &soviet.Bulletin{Vote: 9, Kind: soviet.ElectionVote, Title: "Factory committee", Candidates: []string{"Alexandra", "Boris", "Vera"}, Seats: 2}
	for i, r := range []string{`[0,2]`, `[1]`, `[2,1,0]`} {
		content := []byte(`{"ranking":` + r + `}`)
		b.Ballots = append(b.Ballots, soviet.BallotEntry{Receipt: fmt.Sprintf("%064d", i), Content: content})
	}
	var out bytes.Buffer
	if err := b.WriteBLT(&out); err != nil {
		t.Fatal(err)
	}
	want := "3 2\n1 1 3 0\n1 2 0\n1 3 2 1 0\n0\n\"Alexandra\"\n\"Boris\"\n\"Vera\"\n\"Factory committee\"\n"
	if out.String() != want {
		t.Fatalf("BLT:\n%s\nwant:\n%s", out.String(), want)
	}
	// What is written reads back: names with quotes too.
	b.Candidates[2] = `Vera "the Red"`
	out.Reset()
	if err := b.WriteBLT(&out); err != nil {
		t.Fatal(err)
	}
	p, err := tally.ReadBLT(&out)
	if err != nil || p.Candidates[2] != b.Candidates[2] || p.TotalWeight() != 3 || p.Seats != 2 {
		t.Fatalf("read back: %+v, %v", p, err)
	}
	bad := []struct {
		name string
		edit func(b *soviet.Bulletin)
	}{
		{"a motion", func(b *soviet.Bulletin) { b.Candidates, b.Seats = nil, 0 }},
		{"a candidate out of range", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"ranking":[3]}`) }},
		{"a candidate twice", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"ranking":[1,1]}`) }},
		{"a choice ballot", func(b *soviet.Bulletin) { b.Ballots[0].Content = []byte(`{"choice":"yes"}`) }},
	}
	for _, tc := range bad {
		c := *b
		c.Ballots = append([]soviet.BallotEntry(nil), b.Ballots...)
		tc.edit(&c)
		if err := c.WriteBLT(&bytes.Buffer{}); !errors.Is(err, soviet.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
}

func TestCharterBallot(t *testing.T) {
	tests := []struct {
		name    string
		charter soviet.Charter
		kind    soviet.VoteKind
		want    soviet.Secrecy
	}{
		{"default motion", soviet.DefaultCharter(), soviet.MotionVote, soviet.RollCall},
		{"default election", soviet.DefaultCharter(), soviet.ElectionVote, soviet.Secret},
		{"default recall", soviet.DefaultCharter(), soviet.RecallVote, soviet.Secret},
		{"old charter motion", soviet.Charter{}, soviet.MotionVote, soviet.RollCall},
		{"old charter recall", soviet.Charter{}, soviet.RecallVote, soviet.Secret},
		{"secret motions", soviet.Charter{MotionBallot: soviet.Secret}, soviet.MotionVote, soviet.Secret},
	}
	for _, tc := range tests {
		if got := tc.charter.Ballot(tc.kind); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	c := soviet.DefaultCharter()
	c.RecallBallot = "show of hands"
	if err := c.Validate(); !errors.Is(err, soviet.ErrInvalid) {
		t.Fatalf("charter with an unknown secrecy: %v", err)
	}
	if err := soviet.DefaultCharter().Validate(); err != nil {
		t.Fatal(err)
	}
}
