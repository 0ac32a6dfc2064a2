package web

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"soviet"
	"soviet/store"
)

// The pages of the motions that act: recalls on the council and office
// pages, mandates and how the delegates voted, the charter and its
// amendment, committee decisions and their overturning, forwarding and
// taking up motions, referendums, and weighted and split votes. Every form
// posts and redirects (303), so the pages work without JavaScript; every
// command goes to the domain, which authorises it.

// Form bodies of these pages (the names are the form fields).
type (
	forwardForm struct {
		To string `json:"to"` // a council the motion's council sends delegates to
	}
	referendumForm struct {
		Deadline string `json:"deadline,omitempty"`
		Secrecy  string `json:"secrecy,omitempty"` // roll-call or secret; empty: the charter's default
	}
)

// topCouncil returns the federation's top council: the one council (not
// a committee) that sends delegates to no one. The charter changes there.
func topCouncil(all []store.CouncilSummary) (store.CouncilSummary, bool) {
	var top []store.CouncilSummary
	for _, c := range all {
		if c.Kind != soviet.Committee && len(c.SendsTo) == 0 {
			top = append(top, c)
		}
	}
	if len(top) != 1 {
		return store.CouncilSummary{}, false
	}
	return top[0], true
}

// higherOf returns the councils that council sends delegates to.
func higherOf(all []store.CouncilSummary, council int64) []store.CouncilSummary {
	var out []store.CouncilSummary
	for _, c := range all {
		if c.ID != council {
			continue
		}
		for _, to := range c.SendsTo {
			for _, h := range all {
				if h.ID == to {
					out = append(out, h)
				}
			}
		}
	}
	return out
}

// councilKinds is what a council page shows of the motions that act.
type councilKinds struct {
	// Recalls maps each office held for the council to its undecided
	// recall petition; Signed says which the actor signed.
	Recalls map[int64]*store.RecallRow
	Signed  map[int64]bool
	// Pending are the motions pending in the councils above, on which the
	// council may mandate its delegates; Mandates those it gave.
	Pending  []store.PendingAbove
	Mandates []store.MandateRow
	// Decisions are its committees' adopted decisions.
	Decisions []store.DecisionRow
	// Top: the federation's top council, where the charter changes.
	Top bool
	// DirectRecall: the charter lets a majority of the constituents
	// signing remove a delegate at once.
	DirectRecall bool
}

// loadCouncilKinds loads the recalls, mandates, committee decisions and
// the charter's place of a council page.
func (s *Server) loadCouncilKinds(ctx context.Context, c soviet.Council, all []store.CouncilSummary, actor int64) (*councilKinds, error) {
	k := &councilKinds{Recalls: map[int64]*store.RecallRow{}}
	if c.Kind == soviet.Base {
		rs, err := s.db.Recalls(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		var open []store.RecallRow
		for _, r := range rs {
			if undecided(r.Motion.State) {
				k.Recalls[r.Office.ID] = &r
				open = append(open, r)
			}
		}
		if k.Signed, err = s.signed(ctx, actor, open); err != nil {
			return nil, err
		}
	}
	var err error
	if len(higherOf(all, c.ID)) > 0 {
		if k.Pending, err = s.db.PendingAbove(ctx, c.ID); err != nil {
			return nil, err
		}
		if k.Mandates, err = s.db.MandatesGiven(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if c.Kind != soviet.Committee {
		if k.Decisions, err = s.db.Decisions(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	top, ok := topCouncil(all)
	k.Top = ok && top.ID == c.ID
	ch, err := s.db.Charter(ctx, c.Federation)
	if err != nil {
		return nil, err
	}
	k.DirectRecall = ch.DirectRecall
	return k, nil
}

// undecided reports whether a motion may still be adopted or rejected.
func undecided(st soviet.MotionState) bool {
	return st == soviet.Submitted || st == soviet.Debate || st == soviet.Voting
}

// signed returns which of the recall petitions actor signed.
func (s *Server) signed(ctx context.Context, actor int64, rs []store.RecallRow) (map[int64]bool, error) {
	out := map[int64]bool{}
	if actor == 0 || len(rs) == 0 {
		return out, nil
	}
	err := s.db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		for _, r := range rs {
			ok, err := tx.Supports(ctx, r.Motion.ID, actor)
			if err != nil {
				return err
			}
			out[r.Motion.ID] = ok
		}
		return nil
	})
	return out, err
}

// officeKinds is what an office page shows of its recalls.
type officeKinds struct {
	Recalls []store.RecallRow
	Signed  map[int64]bool
	// CanRecall: the actor may start a recall of this office now;
	// CanSign: the actor may sign its petitions.
	CanRecall bool
	CanSign   bool
	// DirectRecall: the charter lets a majority of the constituents
	// signing remove the delegate at once.
	DirectRecall bool
}

func (s *Server) loadOfficeKinds(r *http.Request, o store.OfficeRow) (*officeKinds, error) {
	ctx := r.Context()
	k := &officeKinds{}
	var err error
	if k.Recalls, err = s.db.RecallsOf(ctx, o.ID); err != nil {
		return nil, err
	}
	var open []store.RecallRow
	for _, rc := range k.Recalls {
		if undecided(rc.Motion.State) {
			open = append(open, rc)
		}
	}
	if k.Signed, err = s.signed(ctx, actorOf(r).ID, open); err != nil {
		return nil, err
	}
	_, roles, err := s.svc.Roles(ctx, actorOf(r).ID, o.Constituency)
	if err != nil {
		return nil, err
	}
	k.CanSign = soviet.Allowed(soviet.ActSupport, roles)
	body, err := s.db.Council(ctx, o.Body)
	if err != nil {
		return nil, err
	}
	ch, err := s.db.Charter(ctx, body.Federation)
	if err != nil {
		return nil, err
	}
	k.DirectRecall = ch.DirectRecall
	k.CanRecall = o.Active() && len(open) == 0 && soviet.Allowed(soviet.ActPropose, roles)
	return k, nil
}

// motionKinds is what a motion page shows of what the motion does and
// where it travelled.
type motionKinds struct {
	// Target is what a mandate or an overturn acts on, in its council.
	Target        *soviet.Motion
	TargetCouncil soviet.Council
	// Rules compares a charter motion's charter with the one in force.
	Rules   []charterRule
	Changes int
	// Higher are the councils the secretary may forward it to; TakeUp
	// the actor's own base council, where they may take it up.
	Higher []store.CouncilSummary
	TakeUp *soviet.Council
	// CanForward and CanRefer: the actor may forward it, or refer it to
	// a referendum, now.
	CanForward bool
	CanRefer   bool
	// Origin is the motion this one was forwarded from (Forwarded) or
	// takes up.
	Origin    *store.FamilyMotion
	Forwarded bool
	// Names of the councils in a referendum's result.
	CouncilNames map[int64]string
}

func (s *Server) loadMotionKinds(r *http.Request, p *motionPage) (*motionKinds, error) {
	ctx := r.Context()
	m := p.Motion
	k := &motionKinds{CouncilNames: map[int64]string{}}
	all, err := s.db.Councils(ctx, p.Council.Federation)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		k.CouncilNames[c.ID] = c.Name
	}
	switch m.Kind {
	case soviet.MandateMotion, soviet.OverturnMotion:
		t, err := s.db.Motion(ctx, m.Target)
		if err != nil {
			return nil, err
		}
		k.Target = &t
		if k.TargetCouncil, err = s.db.Council(ctx, t.Council); err != nil {
			return nil, err
		}
	case soviet.CharterMotion:
		if m.Charter != nil {
			ch, err := s.db.Charter(ctx, p.Council.Federation)
			if err != nil {
				return nil, err
			}
			k.Rules = charterRules(ch, m.Charter)
			k.Changes = changedRules(k.Rules)
		}
	}
	for _, f := range p.Family {
		if f.ID == m.Origin {
			k.Origin = &f
		}
		if f.ID == m.ID {
			k.Forwarded = f.Forwarded
		}
	}
	if m.Kind == soviet.Ordinary {
		before := map[int64]bool{}
		for _, f := range p.Family {
			before[f.Council] = true
		}
		for _, h := range higherOf(all, m.Council) {
			if !before[h.ID] {
				k.Higher = append(k.Higher, h)
			}
		}
		k.CanForward = len(k.Higher) > 0 && (m.State == soviet.Debate || m.State == soviet.Adopted) && soviet.Allowed(soviet.ActForward, p.Roles)
		if me := actorOf(r).ID; me != 0 && p.Council.Kind == soviet.Base && m.State != soviet.Withdrawn {
			ms, err := s.db.Memberships(ctx, me)
			if err != nil {
				return nil, err
			}
			for _, c := range ms {
				if c.Federation == p.Council.Federation && c.ID != m.Council {
					k.TakeUp = &c
				}
			}
		}
	}
	k.CanRefer = p.Council.Kind == soviet.Delegate && m.State == soviet.Debate && (m.Kind == soviet.Ordinary || m.Kind == soviet.CharterMotion) &&
		soviet.Allowed(soviet.ActRefer, p.Roles)
	return k, nil
}

// motionFromForm reads a proposed motion from a form: an ordinary one, or
// one that acts (kind, target, instruction, origin; a charter motion's
// rules, laid over the charter in force).
func (s *Server) motionFromForm(r *http.Request, council int64) (soviet.MotionInput, error) {
	in := soviet.MotionInput{Council: council, Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Majority: soviet.Majority(r.PostFormValue("majority")), Kind: soviet.MotionKind(r.PostFormValue("kind")),
		Instruction: soviet.Choice(r.PostFormValue("instruction"))}
	var err error
	if in.Target, err = formID(r, "target", true); err != nil {
		return in, err
	}
	if in.Origin, err = formID(r, "origin", true); err != nil {
		return in, err
	}
	if in.Kind == soviet.CharterMotion {
		c, err := s.db.Council(r.Context(), council)
		if err != nil {
			return in, err
		}
		inForce, err := s.db.Charter(r.Context(), c.Federation)
		if err != nil {
			return in, err
		}
		ch, err := charterFromForm(r, inForce)
		if err != nil {
			return in, err
		}
		in.Charter = &ch
	}
	return in, nil
}

// charterPage is the form of a charter amendment, in the top council.
type charterPage struct {
	formBase
	Council    soviet.Council
	Federation soviet.Federation
	Rules      []charterRule
	Form       motionForm
}

// loadCharterPage loads the amendment form for an actor who may propose
// in the federation's top council, prefilled with the charter in force.
func (s *Server) loadCharterPage(r *http.Request, id int64) (*charterPage, error) {
	c, roles, err := s.viewCouncil(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	all, err := s.db.Councils(ctx, c.Federation)
	if err != nil {
		return nil, err
	}
	if top, ok := topCouncil(all); !ok || top.ID != c.ID {
		return nil, soviet.Errorf(soviet.ErrNotFound, "the charter changes only in the federation's top council, by two thirds or by referendum")
	}
	if err := soviet.Authorize(soviet.ActPropose, roles); err != nil {
		return nil, err
	}
	p := &charterPage{Council: c}
	p.Title = "Propose a charter amendment"
	if p.Federation, err = s.db.Federation(ctx, c.Federation); err != nil {
		return nil, err
	}
	ch, err := s.db.Charter(ctx, c.Federation)
	if err != nil {
		return nil, err
	}
	p.Rules = charterRules(ch, nil)
	return p, nil
}

func (s *Server) charterAmendmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadCharterPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "charter", p)
	return nil
}

// charterFormError shows the amendment form again with the error of a
// failed post and what was typed. It reports false when the form cannot
// be shown to the actor (outside the top council, say): the council page
// then shows the error.
func (s *Server) charterFormError(w http.ResponseWriter, r *http.Request, id int64, f motionForm, err error) (bool, error) {
	p, perr := s.loadCharterPage(r, id)
	if perr != nil {
		return false, nil
	}
	p.Form = f
	for i, rule := range p.Rules {
		if v, ok := r.PostForm[rule.Field]; ok {
			p.Rules[i].Value = v[0]
		} else if rule.Input == "check" {
			p.Rules[i].Value = "no"
		}
	}
	return true, s.formError(w, r, "charter", p, err)
}

// delegateVotesPage is "how our delegates voted": every roll-call vote in
// the councils above, by motion.
type delegateVotesPage struct {
	base
	Council    soviet.Council
	Federation soviet.Federation
	Motions    []delegateVoteGroup
	Against    int // votes against a mandate
}

// delegateVoteGroup is one motion above and how each delegate voted on it.
type delegateVoteGroup struct {
	Motion   int64
	Title    string
	State    soviet.MotionState
	Body     int64
	BodyName string
	Mandate  soviet.Choice
	By       int64
	Votes    []store.DelegateVote
}

func (s *Server) delegateVotesPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, _, err := s.viewCouncil(r, id)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := &delegateVotesPage{Council: c}
	p.Title = "How the delegates of " + c.Name + " voted"
	if p.Federation, err = s.db.Federation(ctx, c.Federation); err != nil {
		return err
	}
	vs, err := s.db.DelegateVotes(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if n := len(p.Motions); n == 0 || p.Motions[n-1].Motion != v.Motion {
			p.Motions = append(p.Motions, delegateVoteGroup{Motion: v.Motion, Title: v.Title, State: v.State, Body: v.Body,
				BodyName: v.BodyName, Mandate: v.Mandate, By: v.MandateBy})
		}
		g := &p.Motions[len(p.Motions)-1]
		g.Votes = append(g.Votes, v)
		if v.Against {
			p.Against++
		}
	}
	s.render(w, r, http.StatusOK, "delegate_votes", p)
	return nil
}

func (s *Server) forwardPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	if _, err := s.db.Motion(r.Context(), id); err != nil {
		return err
	}
	to, err := formID(r, "to", false)
	if err != nil {
		return err
	}
	fw, err := s.svc.ForwardMotion(r.Context(), actorOf(r).ID, id, to)
	if err != nil {
		return err
	}
	s.flash(w, r, "Forwarded: the motion is now in debate there.")
	return redirect(w, r, fmt.Sprintf("/motions/%d", fw.ID))
}

func (s *Server) referendumPost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "Referred to a referendum: every member of the councils below may vote.", func(actor, id int64) error {
		deadline, err := parseDeadline(r.PostFormValue("deadline"), s.now())
		if err != nil {
			return err
		}
		_, err = s.svc.ReferToReferendum(r.Context(), actor, id, soviet.VoteOptions{Deadline: deadline, Secrecy: soviet.Secrecy(r.PostFormValue("secrecy"))})
		return err
	})
}

// splitFromForm reads a split vote's parts (yes, no, abstain; an empty
// part is none).
func splitFromForm(r *http.Request) (soviet.Split, error) {
	var sp soviet.Split
	for _, p := range []struct {
		field string
		n     *int64
	}{{"yes", &sp.Yes}, {"no", &sp.No}, {"abstain", &sp.Abstain}} {
		v := strings.TrimSpace(r.PostFormValue(p.field))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return sp, soviet.Errorf(soviet.ErrInvalid, "the %s part %q is not a whole number", p.field, v)
		}
		*p.n = n
	}
	return sp, nil
}

// decimal shows an exact fraction ("9/2") as a decimal with two places
// ("4.50"); what is not a fraction is shown as it is.
func decimal(frac string) string {
	r, ok := new(big.Rat).SetString(frac)
	if !ok {
		return frac
	}
	return r.FloatString(2)
}

// splitParts describes a split vote's parts ("7 yes, 3 no").
func splitParts(sp *soviet.Split) string {
	if sp == nil {
		return ""
	}
	var parts []string
	for _, p := range []struct {
		n    int64
		name string
	}{{sp.Yes, "yes"}, {sp.No, "no"}, {sp.Abstain, "abstain"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	return strings.Join(parts, ", ")
}

// resultView is a result as the motion page shows it: the final one, or
// the count so far of an open vote.
type resultView struct {
	R     *soviet.Result
	Final bool
	Names map[int64]string // of the base councils of a referendum
}

// Voted is how many took part, those who split their weight included.
func (v resultView) Voted() int64 { return v.R.Yes + v.R.No + v.R.Abstain + v.R.Split }

// CouncilsMajority reports whether more than half of a referendum's base
// councils voted yes more than no.
func (v resultView) CouncilsMajority() bool { return 2*v.R.CouncilsFor > len(v.R.Councils) }

// FinalView is the motion's result.
func (p *motionPage) FinalView() resultView {
	return resultView{R: p.Motion.Result, Final: true, Names: p.Kinds.CouncilNames}
}

// SoFarView is the count so far of an open weighted or referendum vote.
func (p *motionPage) SoFarView() resultView {
	return resultView{R: p.SoFar, Names: p.Kinds.CouncilNames}
}

// recallCell is a recall petition as a list shows it: its signatures, and
// a button to sign for those who may and have not.
type recallCell struct {
	Recall  store.RecallRow
	Signed  bool
	CanSign bool
}

func newRecallCell(r store.RecallRow, signed map[int64]bool, canSign bool) recallCell {
	return recallCell{Recall: r, Signed: signed[r.Motion.ID], CanSign: canSign}
}
