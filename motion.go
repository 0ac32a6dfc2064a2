package soviet

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// MotionState is where a motion is in its life.
type MotionState string

// The states of a motion: submitted (gathering supporters) → debate (a
// vote may be opened) → voting → adopted or rejected; or withdrawn.
const (
	Submitted MotionState = "submitted"
	Debate    MotionState = "debate"
	Voting    MotionState = "voting"
	Adopted   MotionState = "adopted"
	Rejected  MotionState = "rejected"
	Withdrawn MotionState = "withdrawn"
)

// Motion is a proposal put to a council.
type Motion struct {
	ID         int64       `json:"id"`
	Council    int64       `json:"council"`
	Proposer   int64       `json:"proposer"`
	Title      string      `json:"title"`
	Body       string      `json:"body"`
	Majority   Majority    `json:"majority"`
	State      MotionState `json:"state"`
	Supporters int64       `json:"supporters"`
	Created    time.Time   `json:"created"`
	// Set once the vote opens.
	Opened   time.Time `json:"opened,omitzero"`
	Deadline time.Time `json:"deadline,omitzero"`
	Quorum   Ratio     `json:"quorum,omitzero"`
	// Secrecy is roll-call unless the vote was opened secret.
	Secrecy Secrecy `json:"secrecy,omitempty"`
	// Referendum: referred to every member of the base councils below;
	// Weighted: delegates' votes weighed by the members they represent.
	Referendum     bool `json:"referendum,omitempty"`
	DoubleMajority bool `json:"double_majority,omitempty"`
	Weighted       bool `json:"weighted,omitempty"`
	// Set once the vote closes.
	Closed time.Time `json:"closed,omitzero"`
	Result *Result   `json:"result,omitempty"`
	// What the motion does (see MotionKind).
	Kind        MotionKind `json:"kind"`
	Target      int64      `json:"target,omitempty"`
	Instruction Choice     `json:"instruction,omitempty"`
	Charter     *Charter   `json:"charter,omitempty"`
	// Origin is the motion this one was forwarded from or takes up.
	Origin int64 `json:"origin,omitempty"`
	// OverturnedBy is the motion of the parent council that overturned
	// this committee decision.
	OverturnedBy int64 `json:"overturned_by,omitempty"`
}

// Open reports whether votes may be cast on the motion at time now.
func (m Motion) Open(now time.Time) bool {
	return m.State == Voting && now.Before(m.Deadline)
}

// Voter is where an account stands in a motion's vote.
type Voter struct {
	// Motion holds what casting needs: ID, Council, State, Deadline,
	// Secrecy, Referendum, Weighted (not the text).
	Motion       Motion
	Member       bool   // a member of the motion's council now
	InElectorate bool   // among the voters fixed when the vote opened
	Constituency int64  // the council the voter votes for (their base council in a referendum)
	Choice       Choice // the current vote, "" if none
}

// MotionInput is a new motion.
type MotionInput struct {
	Council  int64
	Title    string   // may be empty for a recall, mandate or overturn: it is then written for it
	Body     string   // Markdown
	Majority Majority // "" means the charter's default; acting kinds set their own
	// Kind and what it acts on; see MotionKind.
	Kind        MotionKind
	Target      int64
	Instruction Choice
	Charter     *Charter
	// Origin is a motion of another council that this one takes up
	// (counted for the charter's automatic escalation).
	Origin int64
}

// ProposeMotion puts a motion to a council. The proposer is its first
// supporter; if that meets the charter's threshold, the motion is admitted
// for debate at once.
func (s *Service) ProposeMotion(ctx context.Context, actor int64, in MotionInput) (Motion, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Kind == "" || in.Kind == Ordinary || in.Kind == CharterMotion {
		if err := validText("title", in.Title, 1, 300); err != nil {
			return Motion{}, err
		}
	} else if err := validText("title", in.Title, 0, 300); err != nil {
		return Motion{}, err
	}
	if err := validText("body", in.Body, 0, 100000); err != nil {
		return Motion{}, err
	}
	var m Motion
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Council(ctx, in.Council)
		if err != nil {
			return err
		}
		roles, err := CouncilRoles(ctx, tx, actor, c)
		if err != nil {
			return err
		}
		if err := Authorize(ActPropose, roles); err != nil {
			return err
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		if in.Majority == "" {
			in.Majority = ch.Majority
		}
		if err := in.Majority.Validate(); err != nil {
			return err
		}
		if err := checkKind(ctx, tx, c, ch, &in); err != nil {
			return err
		}
		kind := in.Kind
		if kind == Ordinary {
			kind = "" // the event leaves out what an ordinary motion need not say
		}
		ev, err := tx.Append(ctx, actor, MotionProposed{Council: c.ID, Title: in.Title, Body: in.Body, Majority: in.Majority,
			Kind: kind, Target: in.Target, Instruction: in.Instruction, Charter: in.Charter, Origin: in.Origin})
		if err != nil {
			return err
		}
		m = Motion{ID: ev.Seq, Council: c.ID, Proposer: actor, Title: in.Title, Body: in.Body, Majority: in.Majority,
			State: Submitted, Supporters: 1, Created: ev.Time, Kind: in.Kind, Target: in.Target, Instruction: in.Instruction,
			Charter: in.Charter, Origin: in.Origin}
		if err := afterSupport(ctx, tx, m, c, ch, 1); err != nil {
			return err
		}
		m, err = tx.Motion(ctx, m.ID)
		return err
	})
	return m, err
}

// motionIn loads a motion, its council and the actor's roles there.
func motionIn(ctx context.Context, tx Tx, actor, id int64) (Motion, Council, Role, error) {
	m, err := tx.Motion(ctx, id)
	if err != nil {
		return Motion{}, Council{}, 0, err
	}
	c, err := tx.Council(ctx, m.Council)
	if err != nil {
		return Motion{}, Council{}, 0, err
	}
	roles, err := CouncilRoles(ctx, tx, actor, c)
	return m, c, roles, err
}

// SupportMotion adds actor to a motion's supporters, and admits the motion
// when it reaches the charter's threshold.
func (s *Service) SupportMotion(ctx context.Context, actor, motion int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		m, c, roles, err := motionIn(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if err := Authorize(ActSupport, roles); err != nil {
			return err
		}
		if m.State != Submitted && m.State != Debate {
			return Errorf(ErrConflict, "the motion is %s: support is closed", m.State)
		}
		if ok, err := tx.Supports(ctx, motion, actor); err != nil {
			return err
		} else if ok {
			return Errorf(ErrConflict, "you already support this motion")
		}
		if _, err := tx.Append(ctx, actor, MotionSupported{Motion: motion}); err != nil {
			return err
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		return afterSupport(ctx, tx, m, c, ch, m.Supporters+1)
	})
}

// WithdrawMotion lets the proposer withdraw a motion before its vote.
func (s *Service) WithdrawMotion(ctx context.Context, actor, motion int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		m, _, roles, err := motionIn(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if err := Authorize(ActWithdraw, roles); err != nil {
			return err
		}
		if m.Proposer != actor {
			return Errorf(ErrForbidden, "only the proposer may withdraw a motion")
		}
		if m.State != Submitted && m.State != Debate {
			return Errorf(ErrConflict, "the motion is %s: it can no longer be withdrawn", m.State)
		}
		_, err = tx.Append(ctx, actor, MotionWithdrawn{Motion: motion})
		return err
	})
}

// VoteOptions are the choices of whoever opens a vote.
type VoteOptions struct {
	// Deadline is when the vote closes; zero means the charter's number
	// of days from now.
	Deadline time.Time
	// Secrecy is roll-call or secret; empty means the charter's default
	// for motions.
	Secrecy Secrecy
}

// OpenVote opens the vote on an admitted motion, until deadline (zero: the
// charter's number of days from now), roll-call or secret as the charter
// says for motions. The electorate is fixed now.
func (s *Service) OpenVote(ctx context.Context, actor, motion int64, deadline time.Time) (Motion, error) {
	return s.OpenVoteWith(ctx, actor, motion, VoteOptions{Deadline: deadline})
}

// OpenVoteWith opens the vote on an admitted motion with the opener's
// choices. The council's secretary may; the electorate is fixed now.
//
// Errors: ErrInvalid (a deadline not between a minute and a year away, an
// unknown secrecy), ErrUnauthenticated, ErrForbidden, ErrNotFound,
// ErrConflict (the motion is not in debate).
func (s *Service) OpenVoteWith(ctx context.Context, actor, motion int64, opts VoteOptions) (Motion, error) {
	if opts.Secrecy != "" {
		if err := opts.Secrecy.Validate(); err != nil {
			return Motion{}, err
		}
	}
	var m Motion
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var c Council
		var roles Role
		var err error
		m, c, roles, err = motionIn(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if err := Authorize(ActOpenVote, roles); err != nil {
			return err
		}
		switch m.State {
		case Debate:
		case Submitted:
			return Errorf(ErrConflict, "the motion needs more supporters before a vote")
		default:
			return Errorf(ErrConflict, "the motion is %s: a vote cannot be opened", m.State)
		}
		if m.Kind == RecallMotion {
			return Errorf(ErrConflict, "a recall's vote opens by itself when enough constituents have signed")
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		deadline, secrecy, err := voteOptions(tx, ch, opts, MotionVote)
		if err != nil {
			return err
		}
		weighted := ch.WeightedVotes && c.Kind == Delegate
		if weighted && secrecy == Secret {
			return Errorf(ErrInvalid, "this council's votes are weighted by the members each delegate represents, which a secret ballot cannot carry: open it by roll call")
		}
		ev, err := tx.Append(ctx, actor, VoteOpened{Motion: motion, Deadline: deadline.UnixMicro(), Quorum: ch.Quorum, Majority: m.Majority,
			Secrecy: secrecy, Weighted: weighted})
		if err != nil {
			return err
		}
		m.State, m.Opened, m.Deadline, m.Quorum, m.Secrecy, m.Weighted = Voting, ev.Time, time.UnixMicro(deadline.UnixMicro()), ch.Quorum, secrecy, weighted
		return nil
	})
	return m, err
}

// CastVote records actor's roll-call vote on an open motion, or changes it.
// Casting the same choice again is a conflict: nothing changes. A secret
// vote takes ballots instead (CastBallot).
func (s *Service) CastVote(ctx context.Context, actor, motion int64, choice Choice) error {
	if err := choice.Validate(); err != nil {
		return err
	}
	return s.store.Transact(WithVoter(ctx, motion, actor), func(ctx context.Context, tx Tx) error {
		v, err := mayVote(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if v.Motion.Secrecy == Secret {
			return Errorf(ErrConflict, "this vote is secret: cast a secret ballot")
		}
		if v.Choice == choice && choice != SplitChoice {
			return Errorf(ErrConflict, "you have already voted %s", choice)
		}
		_, err = tx.Append(ctx, actor, VoteCast{Motion: motion, Choice: choice})
		return err
	})
}

// CastSplitVote records a delegate's roll-call vote in a weighted vote that
// divides their weight between the options (7 parts yes, 3 no: seven tenths
// of their weight for yes). It may be changed until the vote closes.
func (s *Service) CastSplitVote(ctx context.Context, actor, motion int64, split Split) error {
	if err := split.Validate(); err != nil {
		return err
	}
	return s.store.Transact(WithVoter(ctx, motion, actor), func(ctx context.Context, tx Tx) error {
		v, err := mayVote(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if !v.Motion.Weighted {
			return Errorf(ErrInvalid, "only a weighted delegate vote can be split: vote yes, no or abstain")
		}
		_, err = tx.Append(ctx, actor, VoteCast{Motion: motion, Choice: SplitChoice, Split: &split})
		return err
	})
}

// mayVote loads a motion and checks that actor may vote on it now, by roll
// call or secret ballot: a member, with the vote open, in its electorate.
func mayVote(ctx context.Context, tx Tx, actor, motion int64) (Voter, error) {
	// One read: this is the hot path of vote ingestion.
	v, err := tx.Voter(ctx, motion, actor)
	if err != nil {
		return Voter{}, err
	}
	var roles Role
	if actor != 0 {
		roles = RoleAccount
	}
	if v.Member {
		roles |= RoleMember
	}
	if err := Authorize(ActCastVote, roles); err != nil {
		return Voter{}, err
	}
	m := v.Motion
	if m.State != Voting {
		return Voter{}, Errorf(ErrConflict, "the motion is %s: there is no open vote", m.State)
	}
	if !m.Open(tx.Now()) {
		return Voter{}, Errorf(ErrConflict, "the vote closed at %s", m.Deadline.UTC().Format(time.RFC3339))
	}
	if !v.InElectorate {
		return Voter{}, Errorf(ErrForbidden, "you joined the council after this vote opened: you are not among its voters")
	}
	return v, nil
}

// CloseVote closes the vote on a motion and records its result: the
// council's secretary may close it early. (Votes close at their deadline
// through CloseDueVotes.)
func (s *Service) CloseVote(ctx context.Context, actor, motion int64) (Result, error) {
	if actor == 0 {
		// Actor 0 is the system in closeVote: a visitor who is not signed
		// in must not act as it.
		return Result{}, Errorf(ErrUnauthenticated, "sign in to %s", ActCloseVote)
	}
	var r Result
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		r, err = closeVote(ctx, tx, actor, motion)
		return err
	})
	return r, err
}

func closeVote(ctx context.Context, tx Tx, actor, motion int64) (Result, error) {
	m, _, roles, err := motionIn(ctx, tx, actor, motion)
	if err != nil {
		return Result{}, err
	}
	if actor != 0 {
		if err := Authorize(ActCloseVote, roles); err != nil {
			return Result{}, err
		}
	} else if m.Open(tx.Now()) {
		return Result{}, Errorf(ErrConflict, "the vote is open until its deadline")
	}
	if m.State != Voting {
		return Result{}, Errorf(ErrConflict, "the motion is %s: there is no open vote", m.State)
	}
	_, _, _, eligible, err := tx.Count(ctx, motion)
	if err != nil {
		return Result{}, err
	}
	var r Result
	if m.Secrecy == Secret {
		b, err := publishBulletin(ctx, tx, actor, m, eligible)
		if err != nil {
			return Result{}, err
		}
		r = *b.Result
	} else {
		rows, err := tx.VoteRows(ctx, motion)
		if err != nil {
			return Result{}, err
		}
		r = TallyRollCall(m, rows)
	}
	if _, err := tx.Append(ctx, actor, VoteClosed{Motion: motion, Result: r}); err != nil {
		return Result{}, err
	}
	if r.Adopted {
		m.State = Adopted
		if err := carryOut(ctx, tx, m); err != nil {
			return Result{}, err
		}
	}
	return r, nil
}

// publishBulletin empties a secret vote's ballot box into its bulletin,
// counts exactly the bulletin's list and appends it to the log. A box that
// does not hold one ballot per participant stops the close: that is not a
// result anyone should publish.
func publishBulletin(ctx context.Context, tx Tx, actor int64, m Motion, eligible int64) (*Bulletin, error) {
	ballots, err := tx.EmptyBox(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	participants, err := tx.Participants(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	SortBallots(ballots)
	b := &Bulletin{Vote: m.ID, Kind: MotionVote, Title: m.Title, Eligible: eligible, Participants: participants,
		Quorum: m.Quorum, Majority: m.Majority, Ballots: ballots}
	if m.Referendum {
		b.Referendum, b.DoubleMajority = true, m.DoubleMajority
		if b.Councils, err = tx.ElectorateByCouncil(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	r, err := b.Recount()
	if err != nil {
		return nil, fmt.Errorf("count the ballot box of motion %d: %w", m.ID, err)
	}
	b.Result = &r
	if ps := b.Check(); len(ps) > 0 {
		return nil, fmt.Errorf("the ballot box of motion %d does not hold together: %s", m.ID, strings.Join(ps, "; "))
	}
	hash, err := b.Hash()
	if err != nil {
		return nil, err
	}
	_, err = tx.Append(ctx, actor, BulletinPublished{Bulletin: *b, Hash: hash})
	return b, err
}

// CloseDueVotes closes every vote whose deadline has passed. The server
// calls it periodically.
func (s *Service) CloseDueVotes(ctx context.Context) (int, error) {
	n := 0
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		due, err := tx.DueVotes(ctx, tx.Now())
		if err != nil {
			return err
		}
		for _, id := range due {
			if _, err := closeVote(ctx, tx, 0, id); err != nil {
				return fmt.Errorf("close vote on motion %d: %w", id, err)
			}
			n++
		}
		return nil
	})
	return n, err
}
