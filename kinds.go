package soviet

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// MotionKind says what a motion does when it is adopted. Every act of
// council democracy that the base decides goes through a motion and its
// vote: recalls, mandates, charter changes, the overturning of a
// committee's decision.
type MotionKind string

const (
	// Ordinary motions decide what their text says.
	Ordinary MotionKind = "ordinary"
	// RecallMotion (Target: an office held for the council) gathers the
	// constituents' signatures; at the charter's threshold its vote opens
	// by itself, and if it passes the seat is vacated and a by-election
	// opens. With direct recall, a majority of the constituents signing
	// removes the delegate at once.
	RecallMotion MotionKind = "recall"
	// MandateMotion (Target: a motion pending in a council above;
	// Instruction: yes, no or abstain) instructs the council's delegates
	// how to vote on it.
	MandateMotion MotionKind = "mandate"
	// CharterMotion (Charter: the new rules) changes the charter: only in
	// the federation's top council, by two thirds, or by referendum.
	CharterMotion MotionKind = "charter"
	// OverturnMotion (Target: an adopted decision of one of the council's
	// committees) overturns it, by majority.
	OverturnMotion MotionKind = "overturn"
)

// SplitChoice is the choice of a roll-call vote split between options.
const SplitChoice Choice = "split"

// Split divides a delegate's weight between the options, in parts (7 yes
// and 3 no gives seven tenths of the weight to yes).
type Split struct {
	Yes     int64 `json:"yes"`
	No      int64 `json:"no"`
	Abstain int64 `json:"abstain"`
}

// Validate checks the parts.
func (s Split) Validate() error {
	if s.Yes < 0 || s.No < 0 || s.Abstain < 0 || s.Yes+s.No+s.Abstain <= 0 || s.Yes+s.No+s.Abstain > 1000000 {
		return Errorf(ErrInvalid, "a split gives each option a whole number of parts, at least one part in all")
	}
	return nil
}

// checkKind validates what a new motion of a given kind acts on, and fills
// in what the kind decides (its majority, a title).
func checkKind(ctx context.Context, tx Tx, c Council, ch Charter, in *MotionInput) error {
	switch in.Kind {
	case "", Ordinary:
		in.Kind = Ordinary
		if in.Target != 0 || in.Instruction != "" || in.Charter != nil {
			return Errorf(ErrInvalid, "an ordinary motion has no target, instruction or charter")
		}
	case RecallMotion:
		o, err := tx.Office(ctx, in.Target)
		if errors.Is(err, ErrNotFound) || (err == nil && (o.Constituency != c.ID || !o.Active())) {
			return Errorf(ErrInvalid, "a recall targets a seat held now for %q: office %d is not one", c.Name, in.Target)
		} else if err != nil {
			return err
		}
		if open, err := tx.OpenMotionsOn(ctx, RecallMotion, o.ID); err != nil {
			return err
		} else if len(open) > 0 {
			return Errorf(ErrConflict, "a recall of this delegate is already under way: sign it (motion %d)", open[0])
		}
		in.Majority = ch.RecallMajority
		if strings.TrimSpace(in.Title) == "" {
			names, err := tx.CandidateNames(ctx, []int64{o.Account})
			if err != nil {
				return err
			}
			body, err := tx.Council(ctx, o.Body)
			if err != nil {
				return err
			}
			in.Title = fmt.Sprintf("Recall %s from %s", names[0], body.Name)
		}
	case MandateMotion:
		if err := in.Instruction.Validate(); err != nil {
			return Errorf(ErrInvalid, "a mandate instructs yes, no or abstain")
		}
		target, err := tx.Motion(ctx, in.Target)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ErrInvalid, "no motion %d to give a mandate on", in.Target)
		} else if err != nil {
			return err
		}
		links, err := tx.Links(ctx, c.Federation)
		if err != nil {
			return err
		}
		if !slices.Contains(links, Link{From: c.ID, To: target.Council}) {
			return Errorf(ErrInvalid, "a mandate is for a motion of a council this one sends delegates to")
		}
		switch target.State {
		case Submitted, Debate, Voting:
		default:
			return Errorf(ErrConflict, "the motion is %s: it is no longer pending", target.State)
		}
		if strings.TrimSpace(in.Title) == "" {
			in.Title = fmt.Sprintf("Mandate: our delegates vote %s on “%s”", in.Instruction, target.Title)
		}
	case CharterMotion:
		if in.Charter == nil {
			return Errorf(ErrInvalid, "a charter motion carries the new charter")
		}
		top, err := topCouncil(ctx, tx, c.Federation)
		if err != nil {
			return err
		}
		if top.ID != c.ID {
			return Errorf(ErrForbidden, "the charter changes only in the top council, %q, by two thirds or by referendum", top.Name)
		}
		proposed := *in.Charter
		proposed.Version = ch.Version + 1
		// Rules the secret-ballot charter leaves empty keep their meaning.
		if err := proposed.Validate(); err != nil {
			return err
		}
		in.Charter = &proposed
		in.Majority = TwoThirds
	case OverturnMotion:
		d, err := tx.Motion(ctx, in.Target)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ErrInvalid, "no decision %d to overturn", in.Target)
		} else if err != nil {
			return err
		}
		k, err := tx.Council(ctx, d.Council)
		if err != nil {
			return err
		}
		if k.Kind != Committee || k.Parent != c.ID {
			return Errorf(ErrInvalid, "only a decision of one of this council's committees can be overturned here")
		}
		if d.State != Adopted {
			return Errorf(ErrConflict, "the committee did not adopt motion %d: there is nothing to overturn", d.ID)
		}
		if d.OverturnedBy != 0 {
			return Errorf(ErrConflict, "the decision was already overturned")
		}
		in.Majority = Simple
		if strings.TrimSpace(in.Title) == "" {
			in.Title = fmt.Sprintf("Overturn the decision of %s: “%s”", k.Name, d.Title)
		}
	default:
		return Errorf(ErrInvalid, "unknown kind of motion %q", string(in.Kind))
	}
	if in.Origin != 0 {
		o, err := tx.Motion(ctx, in.Origin)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ErrInvalid, "no motion %d to take up", in.Origin)
		} else if err != nil {
			return err
		}
		oc, err := tx.Council(ctx, o.Council)
		if err != nil {
			return err
		}
		if oc.Federation != c.Federation || oc.ID == c.ID {
			return Errorf(ErrInvalid, "a council takes up a motion of another council of its federation")
		}
		if o.Origin != 0 {
			in.Origin = o.Origin // every copy counts towards the first
		}
	}
	return nil
}

// topCouncil returns the federation's one council that sends delegates to
// no one; a federation with several has no top council yet.
func topCouncil(ctx context.Context, tx Tx, federation int64) (Council, error) {
	cs, err := tx.CouncilsOf(ctx, federation)
	if err != nil {
		return Council{}, err
	}
	links, err := tx.Links(ctx, federation)
	if err != nil {
		return Council{}, err
	}
	var tops []Council
	for _, c := range cs {
		if c.Kind == Committee {
			continue
		}
		if !slices.ContainsFunc(links, func(l Link) bool { return l.From == c.ID }) {
			tops = append(tops, c)
		}
	}
	if len(tops) != 1 {
		return Council{}, Errorf(ErrConflict, "the federation has %d councils that send delegates to no one: the charter can change only when one council is at the top", len(tops))
	}
	return tops[0], nil
}

// SignaturesNeeded is the number of signatures that opens a recall vote:
// the charter's share of the council's voters, rounded up, at least one.
func SignaturesNeeded(ch Charter, voters int64) int64 {
	n := (voters*ch.RecallThreshold.Num + ch.RecallThreshold.Den - 1) / ch.RecallThreshold.Den
	return max(n, 1)
}

// afterSupport moves a motion on when its supporters reach the threshold:
// an ordinary motion is admitted for debate; a recall's vote opens by
// itself (or, with direct recall and a majority of constituents signing,
// the delegate is removed at once).
func afterSupport(ctx context.Context, tx Tx, m Motion, c Council, ch Charter, supporters int64) error {
	if m.State != Submitted {
		return nil
	}
	if m.Kind != RecallMotion {
		if supporters >= int64(ch.SupporterThreshold) {
			_, err := tx.Append(ctx, 0, MotionAdmitted{Motion: m.ID})
			return err
		}
		return nil
	}
	voters, err := tx.VoterCount(ctx, c.ID)
	if err != nil {
		return err
	}
	if ch.DirectRecall && 2*supporters > voters {
		r := Result{Yes: supporters, Eligible: voters, Quorum: ch.RecallQuorum, Majority: ch.RecallMajority, QuorumMet: true, Adopted: true, Direct: true}
		if _, err := tx.Append(ctx, 0, MotionCarried{Motion: m.ID, Result: r}); err != nil {
			return err
		}
		m.State = Adopted
		return carryOut(ctx, tx, m)
	}
	if supporters < SignaturesNeeded(ch, voters) {
		return nil
	}
	if _, err := tx.Append(ctx, 0, MotionAdmitted{Motion: m.ID}); err != nil {
		return err
	}
	deadline := tx.Now().Add(time.Duration(ch.VoteDays) * 24 * time.Hour)
	_, err = tx.Append(ctx, 0, VoteOpened{Motion: m.ID, Deadline: deadline.UnixMicro(), Quorum: ch.RecallQuorum,
		Majority: ch.RecallMajority, Secrecy: ch.Ballot(RecallVote)})
	return err
}

// carryOut does what an adopted motion decides.
func carryOut(ctx context.Context, tx Tx, m Motion) error {
	switch m.Kind {
	case RecallMotion:
		o, err := tx.Office(ctx, m.Target)
		if err != nil {
			return err
		}
		if !o.Active() {
			return nil // the delegate left meanwhile: nothing to recall
		}
		return vacate(ctx, tx, 0, o, EndRecalled)
	case MandateMotion:
		_, err := tx.Append(ctx, 0, MandateIssued{Council: m.Council, Motion: m.Target, Instruction: m.Instruction, By: m.ID})
		return err
	case CharterMotion:
		c, err := tx.Council(ctx, m.Council)
		if err != nil {
			return err
		}
		// The next version of the charter in force: another amendment may
		// have been adopted since this one was proposed, and this one then
		// replaces it.
		inForce, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		next := *m.Charter
		next.Version = inForce.Version + 1
		if _, err := tx.Append(ctx, 0, CharterAmended{Federation: c.Federation, Charter: next, Motion: m.ID}); err != nil {
			return err
		}
		return rebalanceFederation(ctx, tx, c.Federation)
	case OverturnMotion:
		_, err := tx.Append(ctx, 0, DecisionOverturned{Motion: m.Target, By: m.ID})
		return err
	}
	return escalate(ctx, tx, m)
}

// rebalanceFederation recomputes every delegate council's seats (after a
// charter change).
func rebalanceFederation(ctx context.Context, tx Tx, federation int64) error {
	_, err := rebalanceAll(ctx, tx, 0, federation)
	return err
}

// escalate forwards a motion by itself when the charter's number of base
// councils have adopted it (the first motion or copies that took it up):
// to the nearest council above all of them.
func escalate(ctx context.Context, tx Tx, m Motion) error {
	c, err := tx.Council(ctx, m.Council)
	if err != nil {
		return err
	}
	ch, err := tx.Charter(ctx, c.Federation)
	if err != nil {
		return err
	}
	if ch.EscalateAfter == 0 || c.Kind != Base {
		return nil
	}
	root := m.ID
	if m.Origin != 0 {
		root = m.Origin
	}
	councils, err := tx.AdoptedBy(ctx, root)
	if err != nil {
		return err
	}
	if len(councils) < ch.EscalateAfter {
		return nil
	}
	if fw, err := tx.Forwarded(ctx, root); err != nil {
		return err
	} else if len(fw) > 0 {
		return nil
	}
	links, err := tx.Links(ctx, c.Federation)
	if err != nil {
		return err
	}
	to, ok := nearestCommonAbove(links, councils)
	if !ok {
		return nil
	}
	_, err = tx.Append(ctx, 0, MotionForwarded{Motion: root, To: to})
	return err
}

// nearestCommonAbove returns the council above every one of councils that
// is closest to them (fewest steps in all), if there is one.
func nearestCommonAbove(links []Link, councils []int64) (int64, bool) {
	var common map[int64]int
	for _, c := range councils {
		dist := map[int64]int{}
		frontier := []int64{c}
		for d := 1; len(frontier) > 0; d++ {
			var next []int64
			for _, x := range frontier {
				for _, l := range links {
					if l.From == x {
						if _, seen := dist[l.To]; !seen {
							dist[l.To] = d
							next = append(next, l.To)
						}
					}
				}
			}
			frontier = next
		}
		if common == nil {
			common = dist
			continue
		}
		for k, v := range common {
			if dv, ok := dist[k]; ok {
				common[k] = v + dv
			} else {
				delete(common, k)
			}
		}
	}
	best, bestD := int64(0), -1
	for k, v := range common {
		if bestD < 0 || v < bestD || (v == bestD && k < best) {
			best, bestD = k, v
		}
	}
	return best, bestD >= 0
}

// ForwardMotion sends a motion of a council to a council it sends delegates
// to, with its history and supporters: there it is a new motion, in debate,
// that names its origin. The council's secretary forwards.
func (s *Service) ForwardMotion(ctx context.Context, actor, motion, to int64) (Motion, error) {
	var fwd Motion
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		m, c, roles, err := motionIn(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if err := Authorize(ActForward, roles); err != nil {
			return err
		}
		switch m.State {
		case Debate, Adopted:
		default:
			return Errorf(ErrConflict, "only a motion in debate or adopted can be forwarded; this one is %s", m.State)
		}
		if m.Kind != Ordinary {
			return Errorf(ErrInvalid, "a %s motion acts in its own council and cannot be forwarded", m.Kind)
		}
		links, err := tx.Links(ctx, c.Federation)
		if err != nil {
			return err
		}
		if !slices.Contains(links, Link{From: c.ID, To: to}) {
			return Errorf(ErrInvalid, "%q does not send delegates to council %d", c.Name, to)
		}
		root := m.ID
		if m.Origin != 0 {
			root = m.Origin
		}
		fw, err := tx.Forwarded(ctx, root)
		if err != nil {
			return err
		}
		if slices.Contains(fw, to) {
			return Errorf(ErrConflict, "the motion is already before that council")
		}
		ev, err := tx.Append(ctx, actor, MotionForwarded{Motion: m.ID, To: to})
		if err != nil {
			return err
		}
		fwd, err = tx.Motion(ctx, ev.Seq)
		return err
	})
	return fwd, err
}

// ReferToReferendum puts a motion of a delegate council to every member of
// the base councils below it. The council's secretary refers; the result is
// given overall and per council, and with the charter's double majority the
// motion also needs a majority of those councils.
func (s *Service) ReferToReferendum(ctx context.Context, actor, motion int64, opts VoteOptions) (Motion, error) {
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
		if err := Authorize(ActRefer, roles); err != nil {
			return err
		}
		if c.Kind != Delegate {
			return Errorf(ErrInvalid, "a referendum is held by a delegate council among the members of the base councils below it")
		}
		if m.State != Debate {
			return Errorf(ErrConflict, "the motion is %s: only a motion in debate can be referred", m.State)
		}
		if m.Kind != Ordinary && m.Kind != CharterMotion {
			return Errorf(ErrInvalid, "a %s motion is decided by its council, not by referendum", m.Kind)
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		deadline, secrecy, err := voteOptions(tx, ch, opts, MotionVote)
		if err != nil {
			return err
		}
		majority := m.Majority
		if m.Kind == CharterMotion {
			majority = ch.Majority // by referendum, the members' majority suffices
		}
		ev, err := tx.Append(ctx, actor, VoteOpened{Motion: motion, Deadline: deadline.UnixMicro(), Quorum: ch.Quorum, Majority: majority,
			Secrecy: secrecy, Referendum: true, DoubleMajority: ch.DoubleMajority})
		if err != nil {
			return err
		}
		m, err = tx.Motion(ctx, motion)
		_ = ev
		return err
	})
	return m, err
}

// voteOptions applies the opener's choices and the charter's defaults.
func voteOptions(tx Tx, ch Charter, opts VoteOptions, kind VoteKind) (time.Time, Secrecy, error) {
	now := tx.Now()
	deadline := opts.Deadline
	if deadline.IsZero() {
		deadline = now.Add(time.Duration(ch.VoteDays) * 24 * time.Hour)
	}
	if !deadline.After(now.Add(time.Minute)) {
		return time.Time{}, "", Errorf(ErrInvalid, "the deadline must be at least a minute from now")
	}
	if deadline.After(now.Add(366 * 24 * time.Hour)) {
		return time.Time{}, "", Errorf(ErrInvalid, "the deadline must be within a year")
	}
	secrecy := opts.Secrecy
	if secrecy == "" {
		secrecy = ch.Ballot(kind)
	}
	return deadline, secrecy, nil
}

// TallyRollCall counts a roll-call vote from every voter's row: weighted,
// per base council for a referendum, or plainly. The close of the vote
// records its result; before, it gives the count so far.
func TallyRollCall(m Motion, rows []VoteRow) Result {
	var r Result
	yes, no, abstain, eligible := new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat)
	per := map[int64]*CouncilResult{}
	for _, v := range rows {
		w := big.NewRat(1, 1)
		if m.Weighted && v.WeightDen > 0 {
			w = big.NewRat(v.WeightNum, v.WeightDen)
		}
		eligible.Add(eligible, w)
		cr := per[v.Constituency]
		if cr == nil {
			cr = &CouncilResult{Council: v.Constituency}
			per[v.Constituency] = cr
		}
		cr.Eligible++
		switch v.Choice {
		case Yes:
			r.Yes++
			cr.Yes++
			yes.Add(yes, w)
		case No:
			r.No++
			cr.No++
			no.Add(no, w)
		case Abstain:
			r.Abstain++
			cr.Abstain++
			abstain.Add(abstain, w)
		case SplitChoice:
			r.Split++
			if v.Split != nil {
				total := big.NewRat(v.Split.Yes+v.Split.No+v.Split.Abstain, 1)
				part := func(n int64) *big.Rat { return new(big.Rat).Mul(w, new(big.Rat).Quo(big.NewRat(n, 1), total)) }
				yes.Add(yes, part(v.Split.Yes))
				no.Add(no, part(v.Split.No))
				abstain.Add(abstain, part(v.Split.Abstain))
			}
		}
	}
	r.Eligible = int64(len(rows))
	r.Quorum, r.Majority = m.Quorum, m.Majority
	if m.Weighted {
		r.QuorumMet, r.Adopted = decides(yes, no, abstain, eligible, m.Quorum, m.Majority)
		r.Weights = &Weights{Yes: yes.RatString(), No: no.RatString(), Abstain: abstain.RatString(), Eligible: eligible.RatString()}
	} else {
		r = Decide(r.Yes, r.No, r.Abstain, r.Eligible, m.Quorum, m.Majority)
	}
	if m.Referendum {
		finishReferendum(&r, per, m.DoubleMajority)
	}
	return r
}

// finishReferendum adds a referendum's per-council results, in council
// order, and applies the double majority: a majority of the base councils
// must also have voted yes more than no.
func finishReferendum(r *Result, per map[int64]*CouncilResult, double bool) {
	ids := make([]int64, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r.Councils, r.CouncilsFor = nil, 0
	for _, id := range ids {
		cr := per[id]
		cr.For = cr.Yes > cr.No
		if cr.For {
			r.CouncilsFor++
		}
		r.Councils = append(r.Councils, *cr)
	}
	if double {
		r.DoubleMajority = true
		r.Adopted = r.Adopted && 2*r.CouncilsFor > len(r.Councils)
	}
}

// VoteRow is one voter of a motion's electorate and their roll-call vote.
type VoteRow struct {
	Account      int64
	Constituency int64
	WeightNum    int64
	WeightDen    int64
	Choice       Choice // "" if they did not vote
	Split        *Split
}
