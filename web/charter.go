package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"soviet"
)

// The charter as the pages show it: one table of its rules serves the
// federation page (the charter in force), the amendment form (prefilled
// with it), the reading of that form, and a charter motion's page (what
// would change).

// charterField is one rule of the charter.
type charterField struct {
	Name    string   // what it decides, in words
	Field   string   // the form field, as in the charter's JSON
	Input   string   // "number", "ratio", "select" or "check"
	Options []string // a select's choices
	get     func(soviet.Charter) string
	set     func(*soviet.Charter, string) error
}

// charterFields lists every rule of the charter but its version, which
// the procedure sets.
var charterFields = []charterField{
	intField("Supporters a motion needs before its vote", "supporter_threshold", func(c *soviet.Charter) *int { return &c.SupporterThreshold }),
	ratioField("Quorum: the share of the voters who must take part", "quorum", func(c *soviet.Charter) *soviet.Ratio { return &c.Quorum }),
	majorityField("Default majority of a motion", "majority", func(c *soviet.Charter) *soviet.Majority { return &c.Majority }),
	intField("Days a vote stays open", "vote_days", func(c *soviet.Charter) *int { return &c.VoteDays }),
	intField("Days an invitation is valid", "invitation_days", func(c *soviet.Charter) *int { return &c.InvitationDays }),
	selectField("Apportionment of a delegate council's seats", "apportionment", soviet.ApportionmentMethods,
		func(c *soviet.Charter) *string { return &c.Apportionment }),
	intField("House size: the seats divided (dhondt, sainte-lague, hare, huntington-hill)", "house_size", func(c *soviet.Charter) *int { return &c.HouseSize }),
	intField("Members per seat (per-members)", "members_per_seat", func(c *soviet.Charter) *int { return &c.MembersPerSeat }),
	intField("Seats of each constituent council (fixed)", "fixed_seats", func(c *soviet.Charter) *int { return &c.FixedSeats }),
	intField("Least seats of every constituent council", "min_seats", func(c *soviet.Charter) *int { return &c.MinSeats }),
	selectField("Election method for one seat", "single_seat_method", soviet.SingleSeatMethods, func(c *soviet.Charter) *string { return &c.SingleSeatMethod }),
	selectField("Election method for several seats", "multi_seat_method", soviet.MultiSeatMethods, func(c *soviet.Charter) *string { return &c.MultiSeatMethod }),
	selectField("Election method of a committee", "committee_method", soviet.MultiSeatMethods, func(c *soviet.Charter) *string { return &c.CommitteeMethod }),
	intField("Days nominations stay open, and then an election's vote", "election_days", func(c *soviet.Charter) *int { return &c.ElectionDays }),
	intField("Delegate term in days (0: until recalled or replaced)", "delegate_term_days", func(c *soviet.Charter) *int { return &c.DelegateTermDays }),
	ratioField("Signatures that open a recall vote: the share of the constituents", "recall_threshold", func(c *soviet.Charter) *soviet.Ratio { return &c.RecallThreshold }),
	ratioField("Quorum of a recall vote", "recall_quorum", func(c *soviet.Charter) *soviet.Ratio { return &c.RecallQuorum }),
	majorityField("Majority of a recall vote", "recall_majority", func(c *soviet.Charter) *soviet.Majority { return &c.RecallMajority }),
	boolField("Direct recall: a majority of the constituents signing removes the delegate at once", "direct_recall", func(c *soviet.Charter) *bool { return &c.DirectRecall }),
	boolField("Weighted delegate votes: each weighs the members they represent", "weighted_votes", func(c *soviet.Charter) *bool { return &c.WeightedVotes }),
	intField("Base councils whose adoption sends a motion up by itself (0: never)", "escalate_after", func(c *soviet.Charter) *int { return &c.EscalateAfter }),
	boolField("Double majority in referendums: also a majority of the base councils", "double_majority", func(c *soviet.Charter) *bool { return &c.DoubleMajority }),
	ballotField("Ballot of a motion's vote (the opener may choose)", "motion_ballot", soviet.MotionVote, func(c *soviet.Charter) *soviet.Secrecy { return &c.MotionBallot }),
	ballotField("Ballot of an election", "election_ballot", soviet.ElectionVote, func(c *soviet.Charter) *soviet.Secrecy { return &c.ElectionBallot }),
	ballotField("Ballot of a recall vote", "recall_ballot", soviet.RecallVote, func(c *soviet.Charter) *soviet.Secrecy { return &c.RecallBallot }),
}

func intField(name, field string, p func(*soviet.Charter) *int) charterField {
	return charterField{Name: name, Field: field, Input: "number",
		get: func(c soviet.Charter) string { return strconv.Itoa(*p(&c)) },
		set: func(c *soviet.Charter, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return soviet.Errorf(soviet.ErrInvalid, "%s: %q is not a whole number", name, v)
			}
			*p(c) = n
			return nil
		}}
}

func ratioField(name, field string, p func(*soviet.Charter) *soviet.Ratio) charterField {
	return charterField{Name: name, Field: field, Input: "ratio",
		get: func(c soviet.Charter) string { return p(&c).String() },
		set: func(c *soviet.Charter, v string) error {
			r, err := parseRatio(v)
			if err != nil {
				return soviet.Errorf(soviet.ErrInvalid, "%s: %v", name, err)
			}
			*p(c) = r
			return nil
		}}
}

func selectField(name, field string, options []string, p func(*soviet.Charter) *string) charterField {
	return charterField{Name: name, Field: field, Input: "select", Options: options,
		get: func(c soviet.Charter) string { return *p(&c) },
		set: func(c *soviet.Charter, v string) error { *p(c) = v; return nil }}
}

func majorityField(name, field string, p func(*soviet.Charter) *soviet.Majority) charterField {
	return charterField{Name: name, Field: field, Input: "select",
		Options: []string{string(soviet.Simple), string(soviet.Absolute), string(soviet.TwoThirds)},
		get:     func(c soviet.Charter) string { return string(*p(&c)) },
		set:     func(c *soviet.Charter, v string) error { *p(c) = soviet.Majority(v); return nil }}
}

func boolField(name, field string, p func(*soviet.Charter) *bool) charterField {
	return charterField{Name: name, Field: field, Input: "check",
		get: func(c soviet.Charter) string {
			if *p(&c) {
				return "yes"
			}
			return "no"
		},
		// An unchecked box is not sent at all.
		set: func(c *soviet.Charter, v string) error { *p(c) = v != ""; return nil }}
}

// ballotField reads the kind of ballot as the charter applies it: a rule
// left empty by an old charter means the default.
func ballotField(name, field string, kind soviet.VoteKind, p func(*soviet.Charter) *soviet.Secrecy) charterField {
	return charterField{Name: name, Field: field, Input: "select", Options: []string{string(soviet.RollCall), string(soviet.Secret)},
		get: func(c soviet.Charter) string { return string(c.Ballot(kind)) },
		set: func(c *soviet.Charter, v string) error { *p(c) = soviet.Secrecy(v); return nil }}
}

// parseRatio reads a share as "1/5" or "20%".
func parseRatio(v string) (soviet.Ratio, error) {
	v = strings.TrimSpace(v)
	if pc, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(pc), 10, 64)
		if err != nil {
			return soviet.Ratio{}, fmt.Errorf("%q is not a share like 1/5 or 20%%", v)
		}
		return soviet.Ratio{Num: n, Den: 100}, nil
	}
	a, b, ok := strings.Cut(v, "/")
	num, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	den, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return soviet.Ratio{}, fmt.Errorf("%q is not a share like 1/5 or 20%%", v)
	}
	return soviet.Ratio{Num: num, Den: den}, nil
}

// charterRule is a rule of a charter with its value, and beside it the
// value a charter motion proposes.
type charterRule struct {
	charterField
	Value    string
	Proposed string
	Changed  bool
}

// Checked reports whether a yes-or-no rule is on (for the form).
func (r charterRule) Checked() bool { return r.Value == "yes" }

// charterRules lists a charter's rules; with a proposed charter, each rule
// also carries its proposed value and whether it changes.
func charterRules(ch soviet.Charter, proposed *soviet.Charter) []charterRule {
	rules := make([]charterRule, len(charterFields))
	for i, f := range charterFields {
		rules[i] = charterRule{charterField: f, Value: f.get(ch)}
		if proposed != nil {
			rules[i].Proposed = f.get(*proposed)
			rules[i].Changed = rules[i].Proposed != rules[i].Value
		}
	}
	return rules
}

// changedRules counts the rules a proposal changes.
func changedRules(rules []charterRule) int {
	n := 0
	for _, r := range rules {
		if r.Changed {
			n++
		}
	}
	return n
}

// charterFromForm reads a proposed charter from the amendment form: every
// rule, starting from the charter in force (whose version the procedure
// replaces).
func charterFromForm(r *http.Request, inForce soviet.Charter) (soviet.Charter, error) {
	ch := inForce
	for _, f := range charterFields {
		if err := f.set(&ch, r.PostFormValue(f.Field)); err != nil {
			return inForce, err
		}
	}
	return ch, nil
}

// charterForm documents the amendment form's fields (one per rule of
// charterFields; a test keeps the two together).
type charterForm struct {
	SupporterThreshold string `json:"supporter_threshold,omitempty"`
	Quorum             string `json:"quorum,omitempty"` // a share: 1/2 or 50%
	Majority           string `json:"majority,omitempty"`
	VoteDays           string `json:"vote_days,omitempty"`
	InvitationDays     string `json:"invitation_days,omitempty"`
	Apportionment      string `json:"apportionment,omitempty"`
	HouseSize          string `json:"house_size,omitempty"`
	MembersPerSeat     string `json:"members_per_seat,omitempty"`
	FixedSeats         string `json:"fixed_seats,omitempty"`
	MinSeats           string `json:"min_seats,omitempty"`
	SingleSeatMethod   string `json:"single_seat_method,omitempty"`
	MultiSeatMethod    string `json:"multi_seat_method,omitempty"`
	CommitteeMethod    string `json:"committee_method,omitempty"`
	ElectionDays       string `json:"election_days,omitempty"`
	DelegateTermDays   string `json:"delegate_term_days,omitempty"`
	RecallThreshold    string `json:"recall_threshold,omitempty"`
	RecallQuorum       string `json:"recall_quorum,omitempty"`
	RecallMajority     string `json:"recall_majority,omitempty"`
	DirectRecall       string `json:"direct_recall,omitempty"` // present (any value) for yes
	WeightedVotes      string `json:"weighted_votes,omitempty"`
	EscalateAfter      string `json:"escalate_after,omitempty"`
	DoubleMajority     string `json:"double_majority,omitempty"`
	MotionBallot       string `json:"motion_ballot,omitempty"`
	ElectionBallot     string `json:"election_ballot,omitempty"`
	RecallBallot       string `json:"recall_ballot,omitempty"`
}
