package web

import (
	"net/http"

	"soviet"
	"soviet/store"
)

// The JSON API of the motions that act. Proposing one is POST
// /api/v1/councils/{id}/motions with its kind; voting a split is PUT
// /api/v1/motions/{id}/vote with a split. Here: forwarding, referendums,
// and the reads of recalls, mandates, delegates' votes, committee
// decisions and the charter's history. Every command goes to the domain,
// which authorises it; the reads check ActViewFederation.

type forwardRequest struct {
	To int64 `json:"to"` // a council the motion's council sends delegates to
}

type recallsResponse struct {
	Recalls []store.RecallRow `json:"recalls"`
}

type mandatesResponse struct {
	// Given are the mandates the council gave its delegates; Received
	// those its constituent councils gave on its motions; Pending the
	// motions above on which it may give one.
	Given    []store.MandateRow   `json:"given"`
	Received []store.MandateRow   `json:"received"`
	Pending  []store.PendingAbove `json:"pending"`
}

type delegateVotesResponse struct {
	Votes []store.DelegateVote `json:"votes"`
}

type decisionsResponse struct {
	Decisions []store.DecisionRow `json:"decisions"`
}

type chartersResponse struct {
	Charters []store.CharterVersion `json:"charters"`
}

func (s *Server) apiForward(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req forwardRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	fw, err := s.svc.ForwardMotion(r.Context(), actorOf(r).ID, id, req.To)
	if err != nil {
		return err
	}
	resp, _, err := s.motionView(r, fw.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) apiReferendum(w http.ResponseWriter, r *http.Request) error {
	return s.openVote(w, r, s.svc.ReferToReferendum)
}

func (s *Server) apiRecalls(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (recallsResponse, error) {
		rs, err := s.db.Recalls(r.Context(), c.ID)
		return recallsResponse{rs}, err
	})
}

func (s *Server) apiMandates(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (mandatesResponse, error) {
		var resp mandatesResponse
		var err error
		ctx := r.Context()
		if resp.Given, err = s.db.MandatesGiven(ctx, c.ID); err != nil {
			return resp, err
		}
		if resp.Received, err = s.db.MandatesReceived(ctx, c.ID); err != nil {
			return resp, err
		}
		resp.Pending, err = s.db.PendingAbove(ctx, c.ID)
		return resp, err
	})
}

func (s *Server) apiDelegateVotes(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (delegateVotesResponse, error) {
		vs, err := s.db.DelegateVotes(r.Context(), c.ID)
		return delegateVotesResponse{vs}, err
	})
}

func (s *Server) apiDecisions(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (decisionsResponse, error) {
		ds, err := s.db.Decisions(r.Context(), c.ID)
		return decisionsResponse{ds}, err
	})
}

func (s *Server) apiCharters(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, _, err := s.viewFederation(r, id); err != nil {
		return err
	}
	cs, err := s.db.CharterHistory(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, chartersResponse{cs})
	return nil
}
