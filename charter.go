package soviet

import (
	"slices"

	"soviet/tally"
)

// Charter is the federation's rules: every rule that DESIGN.md says the
// charter sets. It is versioned, and changes only through the recorded
// procedure: a charter motion adopted by a two-thirds majority in the top
// council, or by referendum. No account can change it any other way.
type Charter struct {
	Version int `json:"version"`

	// SupporterThreshold is the number of supporters (the proposer
	// included) a motion needs before a vote may be opened on it.
	SupporterThreshold int `json:"supporter_threshold"`
	// Quorum is the share of eligible voters who must take part.
	Quorum Ratio `json:"quorum"`
	// Majority is the default majority a motion needs.
	Majority Majority `json:"majority"`
	// VoteDays is the default time a vote stays open.
	VoteDays int `json:"vote_days"`
	// InvitationDays is how long an invitation stays valid.
	InvitationDays int `json:"invitation_days"`

	// Apportionment divides a delegate council's seats among its
	// constituent councils by the members they represent: "dhondt",
	// "sainte-lague", "hare" or "huntington-hill" share HouseSize seats;
	// "per-members" gives one seat per MembersPerSeat members (rounded
	// up); "fixed" gives each constituent FixedSeats.
	Apportionment  string `json:"apportionment"`
	HouseSize      int    `json:"house_size"`
	MembersPerSeat int    `json:"members_per_seat"`
	FixedSeats     int    `json:"fixed_seats"`
	// MinSeats is the least number of seats every constituent council
	// gets (0 or more).
	MinSeats int `json:"min_seats"`

	// SingleSeatMethod counts an election for one seat ("irv" by
	// default); MultiSeatMethod one for several ("meek" by default;
	// "scottish" or "wigm" as options); CommitteeMethod a committee's
	// election.
	SingleSeatMethod string `json:"single_seat_method"`
	MultiSeatMethod  string `json:"multi_seat_method"`
	CommitteeMethod  string `json:"committee_method"`
	// ElectionDays is how long an election's nominations and its vote
	// stay open, each.
	ElectionDays int `json:"election_days"`
	// DelegateTermDays is how long a delegate serves before a new
	// election; 0 means until recalled or replaced.
	DelegateTermDays int `json:"delegate_term_days"`

	// RecallThreshold is the share of a delegate's constituents whose
	// signatures open a recall vote (default one fifth).
	RecallThreshold Ratio `json:"recall_threshold"`
	// RecallQuorum is the share of constituents who must take part in a
	// recall vote; the recall passes by RecallMajority.
	RecallQuorum   Ratio    `json:"recall_quorum"`
	RecallMajority Majority `json:"recall_majority"`
	// DirectRecall: a majority of the constituents signing a petition
	// removes the delegate at once, without a vote.
	DirectRecall bool `json:"direct_recall"`

	// WeightedVotes: a delegate's vote weighs the members they represent
	// divided by their constituency's seats, instead of one each.
	WeightedVotes bool `json:"weighted_votes"`
	// EscalateAfter: when this many base councils adopt the same motion,
	// it goes to the council above them by itself (0: never).
	EscalateAfter int `json:"escalate_after"`
	// DoubleMajority: a referendum needs a majority of the members who
	// vote and a majority of the base councils.
	DoubleMajority bool `json:"double_majority"`

	// MotionBallot, ElectionBallot and RecallBallot say whether each kind
	// of vote is roll-call or secret. For a motion it is the default the
	// opener of the vote may change; elections and recalls follow it, so
	// that no one has to recall a powerful delegate in the open. Empty (a
	// charter written before these rules existed) means the default of
	// DefaultCharter; omitempty keeps such a charter's stored form as it
	// was, so that replaying an old log gives the same rows.
	MotionBallot   Secrecy `json:"motion_ballot,omitempty"`
	ElectionBallot Secrecy `json:"election_ballot,omitempty"`
	RecallBallot   Secrecy `json:"recall_ballot,omitempty"`
}

// DefaultCharter returns the rules a new federation starts with.
func DefaultCharter() Charter {
	return Charter{
		Version:            1,
		SupporterThreshold: 1,
		Quorum:             Ratio{1, 2},
		Majority:           Simple,
		VoteDays:           7,
		InvitationDays:     14,
		Apportionment:      "sainte-lague",
		HouseSize:          30,
		MembersPerSeat:     100,
		FixedSeats:         1,
		MinSeats:           1,
		SingleSeatMethod:   "irv",
		MultiSeatMethod:    "meek",
		CommitteeMethod:    "meek",
		ElectionDays:       7,
		RecallThreshold:    Ratio{1, 5},
		RecallQuorum:       Ratio{1, 2},
		RecallMajority:     Simple,
		MotionBallot:       RollCall,
		ElectionBallot:     Secret,
		RecallBallot:       Secret,
	}
}

// ApportionmentMethods are the charter's choices for dividing seats.
var ApportionmentMethods = []string{"dhondt", "sainte-lague", "hare", "huntington-hill", "per-members", "fixed"}

// SingleSeatMethods and MultiSeatMethods are the charter's choices for
// counting elections.
var (
	SingleSeatMethods = []string{"irv", "schulze", "ranked-pairs", "plurality"}
	MultiSeatMethods  = []string{"meek", "scottish", "wigm"}
)

// Ballot returns whether votes of kind k are roll-call or secret under the
// charter.
func (c Charter) Ballot(k VoteKind) Secrecy {
	var s Secrecy
	switch k {
	case MotionVote:
		s = c.MotionBallot
	case ElectionVote:
		s = c.ElectionBallot
	case RecallVote:
		s = c.RecallBallot
	}
	if s == "" {
		d := DefaultCharter()
		return d.Ballot(k)
	}
	return s
}

// Validate checks that the charter's rules make sense together.
func (c Charter) Validate() error {
	if c.Version < 1 {
		return Errorf(ErrInvalid, "charter version must be at least 1")
	}
	if c.SupporterThreshold < 1 || c.SupporterThreshold > 1000000 {
		return Errorf(ErrInvalid, "supporter threshold must be between 1 and 1000000")
	}
	for _, r := range []Ratio{c.Quorum, c.RecallThreshold, c.RecallQuorum} {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	if err := c.Majority.Validate(); err != nil {
		return err
	}
	if err := c.RecallMajority.Validate(); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"vote days", c.VoteDays}, {"invitation days", c.InvitationDays}, {"election days", c.ElectionDays}} {
		if d.v < 1 || d.v > 366 {
			return Errorf(ErrInvalid, "%s must be between 1 and 366", d.name)
		}
	}
	if c.DelegateTermDays < 0 || c.DelegateTermDays > 3660 {
		return Errorf(ErrInvalid, "delegate term must be between 0 (none) and 3660 days")
	}
	if !slices.Contains(ApportionmentMethods, c.Apportionment) {
		return Errorf(ErrInvalid, "apportionment must be one of %v", ApportionmentMethods)
	}
	if c.HouseSize < 1 || c.HouseSize > tally.MaxHouse {
		return Errorf(ErrInvalid, "house size must be between 1 and %d", tally.MaxHouse)
	}
	if c.MembersPerSeat < 1 {
		return Errorf(ErrInvalid, "members per seat must be at least 1")
	}
	if c.FixedSeats < 1 || c.FixedSeats > 1000 {
		return Errorf(ErrInvalid, "fixed seats must be between 1 and 1000")
	}
	if c.MinSeats < 0 || c.MinSeats > 1000 {
		return Errorf(ErrInvalid, "minimum seats must be between 0 and 1000")
	}
	if !slices.Contains(SingleSeatMethods, c.SingleSeatMethod) {
		return Errorf(ErrInvalid, "the single-seat method must be one of %v", SingleSeatMethods)
	}
	if !slices.Contains(MultiSeatMethods, c.MultiSeatMethod) || !slices.Contains(MultiSeatMethods, c.CommitteeMethod) {
		return Errorf(ErrInvalid, "the multi-seat and committee methods must be one of %v", MultiSeatMethods)
	}
	if c.EscalateAfter < 0 {
		return Errorf(ErrInvalid, "escalate after must be 0 (never) or more")
	}
	for _, s := range []Secrecy{c.MotionBallot, c.ElectionBallot, c.RecallBallot} {
		if s == "" {
			continue
		}
		if err := s.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ElectionMethod returns the method that counts an election for seats.
func (c Charter) ElectionMethod(seats int, committee bool) string {
	switch {
	case seats == 1:
		return c.SingleSeatMethod
	case committee:
		return c.CommitteeMethod
	}
	return c.MultiSeatMethod
}
