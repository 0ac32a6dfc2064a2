package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"soviet"
)

// Secret ballots over HTTP: casting (page and API) with the receipt shown
// once, the bulletin of a closed vote, and the check of a receipt. Nothing
// here logs or stores a ballot or a receipt.

// receiptCheck is the answer to "is my receipt in the bulletin?".
type receiptCheck struct {
	Receipt string          `json:"receipt"`
	Found   bool            `json:"found"`
	Content json.RawMessage `json:"content,omitempty"` // the published ballot
	Ballots int64           `json:"ballots"`           // in the bulletin
}

// secretView fills in what a secret vote shows: its turnout, whether the
// actor took part and, once closed, where its bulletin is. Never a count
// before the close, never a roll call.
func (s *Server) secretView(r *http.Request, resp motionResponse, roles soviet.Role) (motionResponse, soviet.Role, error) {
	ctx := r.Context()
	m := resp.Motion
	t, err := s.db.SecretTurnout(ctx, m.ID)
	if err != nil {
		return resp, 0, err
	}
	resp.Turnout = &t
	if a := actorOf(r); a.ID != 0 {
		if resp.TookPart, err = s.db.TookPart(ctx, m.ID, a.ID); err != nil {
			return resp, 0, err
		}
	}
	if m.Result != nil {
		info, err := s.db.BulletinInfoOf(ctx, m.ID)
		if err != nil {
			return resp, 0, err
		}
		resp.Bulletin = &info
	}
	return resp, roles, nil
}

// secretPage adds to a secret vote's page whether the actor may still cast
// a ballot, and the answer to a receipt entered on it (?receipt=).
func (s *Server) secretPage(r *http.Request, p *motionPage) error {
	ctx := r.Context()
	p.CanVote = false
	if me := actorOf(r).ID; me != 0 && p.Open && !p.TookPart {
		err := s.db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
			v, err := tx.Voter(ctx, p.Motion.ID, me)
			p.CanVote = v.Member && v.InElectorate
			return err
		})
		if err != nil {
			return err
		}
	}
	if code := r.URL.Query().Get("receipt"); code != "" && p.Bulletin != nil {
		c, err := s.checkReceipt(ctx, p.Motion.ID, p.Bulletin.Ballots, code)
		if err != nil {
			return err
		}
		p.Check = &c
	}
	return nil
}

func (s *Server) checkReceipt(ctx context.Context, vote, ballots int64, code string) (receiptCheck, error) {
	c := receiptCheck{Receipt: strings.ToLower(strings.TrimSpace(code)), Ballots: ballots}
	content, err := s.db.PublishedBallot(ctx, vote, c.Receipt)
	switch {
	case errors.Is(err, soviet.ErrNotFound):
		return c, nil
	case err != nil:
		return c, err
	}
	c.Found, c.Content = true, content
	return c, nil
}

// receiptPage shows a receipt, once, right after the ballot is cast.
type receiptPage struct {
	base
	Back      string // the page of the vote
	BackTitle string
	Receipt   soviet.Receipt
	File      template.URL // the receipt file as a data: URL, to download
	FileName  string
}

func (s *Server) ballotPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	rc, err := s.svc.CastBallot(r.Context(), actorOf(r).ID, id, soviet.Choice(r.PostFormValue("choice")))
	if err != nil {
		return err
	}
	s.metrics.votes.Inc()
	m, err := s.db.Motion(r.Context(), id)
	if err != nil {
		return err
	}
	s.showReceipt(w, r, fmt.Sprintf("/motions/%d", id), m.Title, rc)
	return nil
}

// showReceipt renders a receipt in the answer to the post that cast the
// ballot, not after a redirect: the receipt exists nowhere else to be
// shown again.
func (s *Server) showReceipt(w http.ResponseWriter, r *http.Request, back, backTitle string, rc soviet.Receipt) {
	file, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "receipt", &receiptPage{base: base{Title: "Your receipt"}, Back: back, BackTitle: backTitle, Receipt: rc,
		File:     template.URL("data:application/json;base64," + base64.StdEncoding.EncodeToString(append(file, '\n'))),
		FileName: fmt.Sprintf("receipt-vote-%d.json", rc.Vote)})
}

func (s *Server) apiBallot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req voteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	rc, err := s.svc.CastBallot(r.Context(), actorOf(r).ID, id, req.Choice)
	if err != nil {
		return err
	}
	s.metrics.votes.Inc()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, rc)
	return nil
}

// bulletinFor returns the bulletin of a motion the actor may see.
func (s *Server) bulletinFor(r *http.Request) (*soviet.Bulletin, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	mv, _, err := s.motionView(r, id)
	if err != nil {
		return nil, err
	}
	if mv.Bulletin == nil {
		return nil, soviet.Errorf(soviet.ErrNotFound, "motion %d has no bulletin: a secret vote's ballots are published when it closes", id)
	}
	return s.db.Bulletin(r.Context(), id)
}

// apiBulletin serves the bulletin as its canonical JSON, the very bytes
// whose SHA-256 the log records.
func (s *Server) apiBulletin(w http.ResponseWriter, r *http.Request) error {
	b, err := s.bulletinFor(r)
	if err != nil {
		return err
	}
	return s.writeBulletin(w, b)
}

// serveBulletin writes the bulletin of a vote the caller checked the actor
// may see.
func (s *Server) serveBulletin(w http.ResponseWriter, r *http.Request, vote int64) error {
	b, err := s.db.Bulletin(r.Context(), vote)
	if err != nil {
		return err
	}
	return s.writeBulletin(w, b)
}

func (s *Server) writeBulletin(w http.ResponseWriter, b *soviet.Bulletin) error {
	j, err := b.JSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bulletin-vote-%d.json"`, b.Vote))
	w.Write(append(j, '\n'))
	return nil
}

func (s *Server) apiReceiptCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	mv, _, err := s.motionView(r, id)
	if err != nil {
		return err
	}
	if mv.Bulletin == nil {
		return soviet.Errorf(soviet.ErrNotFound, "motion %d has no bulletin: a secret vote's ballots are published when it closes", id)
	}
	c, err := s.checkReceipt(r.Context(), id, mv.Bulletin.Ballots, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
