package soviet

import (
	"math/big"
	"reflect"
)

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
	// Split counts the voters who split their weight between options (a
	// weighted delegate vote); they are not in Yes, No or Abstain.
	Split int64 `json:"split,omitempty"`
	// Weights is set for a weighted delegate vote, which is decided by
	// them: each delegate weighs the members they represent.
	Weights *Weights `json:"weights,omitempty"`
	// Councils is a referendum's result in each base council.
	Councils []CouncilResult `json:"councils,omitempty"`
	// DoubleMajority: the referendum also needed a majority of its base
	// councils; CouncilsFor is how many voted yes more than no.
	DoubleMajority bool `json:"double_majority,omitempty"`
	CouncilsFor    int  `json:"councils_for,omitempty"`
	// Direct: carried without a vote, by signatures (a direct recall).
	Direct bool `json:"direct,omitempty"`
}

// Weights are the exact sums of a weighted vote's weights, as fractions
// ("1250/3").
type Weights struct {
	Yes      string `json:"yes"`
	No       string `json:"no"`
	Abstain  string `json:"abstain"`
	Eligible string `json:"eligible"`
}

// CouncilResult is a referendum's count in one base council.
type CouncilResult struct {
	Council  int64 `json:"council"`
	Yes      int64 `json:"yes"`
	No       int64 `json:"no"`
	Abstain  int64 `json:"abstain"`
	Eligible int64 `json:"eligible"`
	For      bool  `json:"for"` // more yes than no
}

// Equal reports whether two results are the same.
func (r Result) Equal(o Result) bool { return reflect.DeepEqual(r, o) }

// decides applies a majority rule to exact quantities: abstentions count
// for the quorum, not for the majority.
func decides(yes, no, abstain, eligible *big.Rat, quorum Ratio, m Majority) (quorumMet, adopted bool) {
	took := new(big.Rat).Add(yes, no)
	took.Add(took, abstain)
	need := new(big.Rat).Mul(eligible, big.NewRat(quorum.Num, quorum.Den))
	quorumMet = eligible.Sign() > 0 && took.Cmp(need) >= 0
	var majority bool
	switch m {
	case Simple:
		majority = yes.Cmp(no) > 0
	case Absolute:
		majority = new(big.Rat).Mul(yes, big.NewRat(2, 1)).Cmp(eligible) > 0
	case TwoThirds:
		cast := new(big.Rat).Add(yes, no)
		majority = yes.Sign() > 0 && new(big.Rat).Mul(yes, big.NewRat(3, 1)).Cmp(new(big.Rat).Mul(cast, big.NewRat(2, 1))) >= 0
	}
	return quorumMet, quorumMet && majority
}

// Decide computes whether a vote with these counts is adopted under the
// quorum and majority: abstentions count for the quorum, not for the
// majority.
func Decide(yes, no, abstain, eligible int64, quorum Ratio, m Majority) Result {
	r := Result{Yes: yes, No: no, Abstain: abstain, Eligible: eligible, Quorum: quorum, Majority: m}
	r.QuorumMet, r.Adopted = decides(big.NewRat(yes, 1), big.NewRat(no, 1), big.NewRat(abstain, 1), big.NewRat(eligible, 1), quorum, m)
	return r
}
