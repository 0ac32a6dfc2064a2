package soviet

// Majority is the rule a motion must meet to be adopted.
type Majority string

const (
	// Simple: more yes than no votes.
	Simple Majority = "simple"
	// Absolute: yes votes are more than half of the eligible voters.
	Absolute Majority = "absolute"
	// TwoThirds: yes votes are at least two thirds of the votes cast
	// (yes and no; abstentions count for the quorum only).
	TwoThirds Majority = "two-thirds"
)

// Validate reports whether m is a known majority.
func (m Majority) Validate() error {
	switch m {
	case Simple, Absolute, TwoThirds:
		return nil
	}
	return Errorf(ErrInvalid, "majority must be simple, absolute or two-thirds, not %q", string(m))
}

// Describe says the rule in words.
func (m Majority) Describe() string {
	switch m {
	case Simple:
		return "more yes than no"
	case Absolute:
		return "yes from more than half of the eligible voters"
	case TwoThirds:
		return "yes from at least two thirds of the votes cast"
	}
	return string(m)
}

// Choice is a roll-call vote.
type Choice string

// The three choices of a roll-call vote.
const (
	Yes     Choice = "yes"
	No      Choice = "no"
	Abstain Choice = "abstain"
)

// Validate reports whether c is yes, no or abstain.
func (c Choice) Validate() error {
	switch c {
	case Yes, No, Abstain:
		return nil
	}
	return Errorf(ErrInvalid, "choice must be yes, no or abstain, not %q", string(c))
}

// Result is the outcome of a closed vote.
type Result struct {
	Yes       int64    `json:"yes"`
	No        int64    `json:"no"`
	Abstain   int64    `json:"abstain"`
	Eligible  int64    `json:"eligible"`
	Quorum    Ratio    `json:"quorum"`
	Majority  Majority `json:"majority"`
	QuorumMet bool     `json:"quorum_met"`
	Adopted   bool     `json:"adopted"`
}

// Decide computes whether a vote with these counts is adopted under the
// quorum and majority: abstentions count for the quorum, not for the
// majority.
func Decide(yes, no, abstain, eligible int64, quorum Ratio, m Majority) Result {
	r := Result{Yes: yes, No: no, Abstain: abstain, Eligible: eligible, Quorum: quorum, Majority: m}
	r.QuorumMet = eligible > 0 && quorum.AtLeast(yes+no+abstain, eligible)
	var majority bool
	switch m {
	case Simple:
		majority = yes > no
	case Absolute:
		majority = 2*yes > eligible
	case TwoThirds:
		majority = yes > 0 && 3*yes >= 2*(yes+no)
	}
	r.Adopted = r.QuorumMet && majority
	return r
}
