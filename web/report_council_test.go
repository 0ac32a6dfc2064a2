package web

import (
	"strings"
	"testing"
)

func TestDecodeReportCouncil(t *testing.T) {
	// The form tally writes, with the change in each candidate's votes,
	// and the newer form with the changes beside them: both read alike.
	older := `{"method":"meek","seats":1,"ballots":3,"candidates":["A (@a)","B (@b)"],"quota":1.500001,"elected":["A (@a)"],
		"rounds":[{"number":1,"action":"count","votes":[{"name":"A (@a)","votes":2,"status":"hopeful"},{"name":"B (@b)","votes":1,"status":"hopeful"}],"exhausted":0,"quota":1.500001},
		{"number":2,"action":"elect","candidates":["A (@a)"],"votes":[{"name":"A (@a)","votes":2.5,"transfer":0.5,"status":"elected"},{"name":"B (@b)","votes":0.5,"transfer":-0.5,"status":"defeated"}],"exhausted":0,"quota":1.500001}],
		"ties":[],"seed":"abc"}`
	newer := strings.Replace(strings.Replace(older, `,"transfer":0.5`, "", 1), `,"transfer":-0.5`, "", 1)
	newer = strings.Replace(newer, `"exhausted":0,"quota":1.500001}]`, `"transfers":{"A (@a)":0.5,"B (@b)":-0.5},"exhausted":0,"quota":1.500001}]`, 1)
	computed := strings.Replace(strings.Replace(older, `,"transfer":0.5`, "", 1), `,"transfer":-0.5`, "", 1)
	for name, raw := range map[string]string{"older": older, "newer": newer, "computed": computed} {
		v, cands, rounds, err := decodeReport([]byte(raw), map[string]string{"A (@a)": "#b3261e"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(v.Rounds) != 2 || v.Rounds[1].Cells[0].Change != "+0.5" || v.Rounds[1].Cells[1].Change != "-0.5" || v.Rounds[0].Cells[0].Change != "" {
			t.Errorf("%s: rounds %+v", name, v.Rounds)
		}
		if v.Quota != "1.5" || v.ExactQuota != "1.500001" || v.Rounds[1].Cells[0].Votes != "2.5" {
			t.Errorf("%s: published digits lost: quota %q, votes %q", name, v.Quota, v.Rounds[1].Cells[0].Votes)
		}
		if len(cands) != 2 || cands[0].Colour != "#b3261e" || len(rounds) != 2 || rounds[1].Votes[0] != 2.5 {
			t.Errorf("%s: chart input %v %v", name, cands, rounds)
		}
	}
	v, _, rounds, err := decodeReport([]byte(`{"candidates":1,"seats":2,"unopposed":true}`), nil)
	if err != nil || !v.Unopposed || rounds != nil {
		t.Errorf("unopposed: %+v %v %v", v, rounds, err)
	}
	if d := difference("2.500000", "2"); d != "0.500000" {
		t.Errorf("difference = %q", d)
	}
}

func TestRoundedCouncil(t *testing.T) {
	for in, want := range map[string]string{
		"2.333333333333333333": "2.33333", "-1.000000000000000000": "-1", "0.5": "0.5", "3": "3",
		"-0.000000000000000001": "0", "1.999999999999": "2", "": "",
	} {
		if got := rounded(in); got != want {
			t.Errorf("rounded(%q) = %q, want %q", in, got, want)
		}
	}
	if got := signed(rounded("0.333333333")); got != "+0.33333" {
		t.Errorf("a gain reads %q", got)
	}
	if got := signed(rounded("0.000000001")); got != "" {
		t.Errorf("a change that rounds to nothing reads %q", got)
	}
}
