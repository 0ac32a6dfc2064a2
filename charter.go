package soviet

// Charter is the federation's rules: every rule that DESIGN.md says the
// charter sets. It is versioned, and changes only through the recorded
// procedure (a qualified vote of the top council, or a referendum).
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
		MotionBallot:       RollCall,
		ElectionBallot:     Secret,
		RecallBallot:       Secret,
	}
}

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
	if err := c.Quorum.Validate(); err != nil {
		return err
	}
	if err := c.Majority.Validate(); err != nil {
		return err
	}
	if c.VoteDays < 1 || c.VoteDays > 366 {
		return Errorf(ErrInvalid, "vote days must be between 1 and 366")
	}
	if c.InvitationDays < 1 || c.InvitationDays > 366 {
		return Errorf(ErrInvalid, "invitation days must be between 1 and 366")
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
