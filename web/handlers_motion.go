package web

import (
	"fmt"
	"net/http"

	"soviet"
	"soviet/store"
)

type motionPage struct {
	formBase
	Motion     soviet.Motion
	Council    soviet.Council
	Proposer   soviet.Account
	Supporters []soviet.Account
	Tally      *store.Tally
	RollCall   []store.RollCallVote
	YourVote   soviet.Choice
	Turnout    *store.Turnout
	TookPart   bool
	Bulletin   *store.BulletinInfo
	Check      *receiptCheck  // the answer to ?receipt=
	Secrecy    soviet.Secrecy // the charter's default for motions
	Roles      soviet.Role
	Supported  bool
	CanVote    bool
	Open       bool
	Needed     int64 // supporters the charter asks for
}

func (s *Server) loadMotionPage(r *http.Request, id int64) (*motionPage, error) {
	mv, roles, err := s.motionView(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := s.db.Council(ctx, mv.Motion.Council)
	if err != nil {
		return nil, err
	}
	proposer, err := s.db.Account(ctx, mv.Motion.Proposer)
	if err != nil {
		return nil, err
	}
	ch, err := s.db.Charter(ctx, c.Federation)
	if err != nil {
		return nil, err
	}
	p := &motionPage{formBase: formBase{base: base{Title: mv.Motion.Title}}, Motion: mv.Motion, Council: c, Proposer: proposer,
		Supporters: mv.Supporters, Tally: mv.Tally, RollCall: mv.RollCall, YourVote: mv.YourVote, Roles: roles,
		Open: mv.Motion.Open(s.now()), Needed: int64(ch.SupporterThreshold),
		Turnout: mv.Turnout, TookPart: mv.TookPart, Bulletin: mv.Bulletin, Secrecy: ch.Ballot(soviet.MotionVote)}
	if mv.Motion.Secrecy == soviet.Secret {
		if err := s.secretPage(r, p); err != nil {
			return nil, err
		}
	}
	me := actorOf(r).ID
	for _, a := range mv.Supporters {
		if a.ID == me {
			p.Supported = true
		}
	}
	for _, v := range mv.RollCall {
		if v.Account.ID == me {
			p.CanVote = p.Open
		}
	}
	return p, nil
}

func (s *Server) motionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadMotionPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "motion", p)
	return nil
}

// motionLive streams the motion's tally and roll call as they change.
func (s *Server) motionLive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.loadMotionPage(r, id); err != nil {
		return err
	}
	ch, unsubscribe := s.live.subscribe(fmt.Sprintf("motion:%d", id))
	defer unsubscribe()
	return s.sse(w, r, ch, "tally", func() (string, error) {
		p, err := s.loadMotionPage(r, id)
		if err != nil {
			return "", err
		}
		return s.fragment("motion", "tally", p)
	})
}

// motionAction runs a command on the motion in the path from a form post
// and returns to the motion's page.
func (s *Server) motionAction(w http.ResponseWriter, r *http.Request, done string, cmd func(actor, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	if err := cmd(actorOf(r).ID, id); err != nil {
		return err
	}
	if done != "" {
		s.flash(w, r, done)
	}
	return redirect(w, r, fmt.Sprintf("/motions/%d", id))
}

func (s *Server) supportPost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "You support this motion.", func(actor, id int64) error { return s.svc.SupportMotion(r.Context(), actor, id) })
}

func (s *Server) withdrawPost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "Motion withdrawn.", func(actor, id int64) error { return s.svc.WithdrawMotion(r.Context(), actor, id) })
}

func (s *Server) openPost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "The vote is open.", func(actor, id int64) error {
		deadline, err := parseDeadline(r.PostFormValue("deadline"), s.now())
		if err != nil {
			return err
		}
		_, err = s.svc.OpenVoteWith(r.Context(), actor, id, soviet.VoteOptions{Deadline: deadline, Secrecy: soviet.Secrecy(r.PostFormValue("secrecy"))})
		return err
	})
}

func (s *Server) closePost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "The vote is closed.", func(actor, id int64) error {
		_, err := s.svc.CloseVote(r.Context(), actor, id)
		return err
	})
}

func (s *Server) votePost(w http.ResponseWriter, r *http.Request) error {
	return s.motionAction(w, r, "", func(actor, id int64) error {
		choice := soviet.Choice(r.PostFormValue("choice"))
		if err := s.svc.CastVote(r.Context(), actor, id, choice); err != nil {
			return err
		}
		s.metrics.votes.Inc()
		s.flash(w, r, fmt.Sprintf("Your vote: %s.", choice))
		return nil
	})
}

type logPage struct {
	base
	Head   store.Head
	Events []eventJSON
}

func (s *Server) logPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.db.Head(ctx)
	if err != nil {
		return err
	}
	p := &logPage{base: base{Title: "The log"}, Head: h}
	if actorOf(r).ID != 0 {
		from := h.Size - 49
		if from < 1 {
			from = 1
		}
		evs, err := s.db.Events(ctx, from, 50)
		if err != nil {
			return err
		}
		er := s.newEventReader(actorOf(r).ID)
		for i := len(evs) - 1; i >= 0; i-- {
			j, err := er.view(ctx, evs[i])
			if err != nil {
				return err
			}
			p.Events = append(p.Events, j)
		}
	}
	s.render(w, r, http.StatusOK, "log", p)
	return nil
}
