package web

import (
	"context"
	"errors"
	"net/http"

	"soviet"
	"soviet/store"
)

// The JSON API of council democracy: seats, delegates, elections,
// factions, composition and delegates' records. Every command goes to the
// domain, which authorises it; the reads check ActViewFederation (and
// ActSeeVotes for roll-call ballots) as the motion reads do.

type delegatesResponse struct {
	// Delegates hold the council's seats now (a delegate council's or a
	// committee's), by constituency.
	Delegates []store.OfficeRow `json:"delegates"`
	// Sent hold seats for this council elsewhere now: its delegates in
	// the councils above and its committees' members.
	Sent []store.OfficeRow `json:"sent"`
	// Past are the offices in this council that have ended, with why.
	Past []store.OfficeRow `json:"past"`
}

type electionsResponse struct {
	Elections []store.ElectionRow `json:"elections"`
}

type callElectionRequest struct {
	Body int64 `json:"body"` // the council whose seats are to be filled
}

type electionResponse struct {
	// Election carries, once closed, its report: the count round by
	// round (the tally Result JSON: every candidate's votes per round,
	// transfers, exhausted ballots, quota).
	Election   soviet.Election      `json:"election"`
	Council    soviet.Council       `json:"council"` // the electing council
	Body       soviet.Council       `json:"body"`    // where the seats are
	Candidates []store.CandidateRow `json:"candidates"`
	Electorate int64                `json:"electorate"`
	Ballots    int64                `json:"ballots"`
	// YourRanking is your ballot, if you cast one.
	YourRanking []int64 `json:"your_ranking,omitempty"`
	// Rankings are the roll-call ballots, for those who may see votes.
	Rankings []store.RankingRow `json:"rankings,omitempty"`
	// For a secret election: whether you cast your ballot, and once it
	// closed, its bulletin (every ballot with its receipt).
	TookPart bool                `json:"took_part,omitempty"`
	Bulletin *store.BulletinInfo `json:"bulletin,omitempty"`
}

type nominateRequest struct {
	Account int64 `json:"account,omitempty"` // default: yourself
	Faction int64 `json:"faction,omitempty"` // default: none
}

type rankingRequest struct {
	Ranking []int64 `json:"ranking"` // candidates' accounts, most preferred first
}

type factionsResponse struct {
	Factions []store.FactionRow `json:"factions"`
	Yours    int64              `json:"yours"` // the faction you declared, 0 for none
}

type factionRequest struct {
	Name   string `json:"name"`
	Colour string `json:"colour"` // #rrggbb
}

type factionResponse struct {
	Faction soviet.Faction `json:"faction"`
}

type affiliationRequest struct {
	Faction int64 `json:"faction"` // 0 for none
}

type officeResponse struct {
	Office store.OfficeRow      `json:"office"`
	Record store.DelegateRecord `json:"record"` // the holder's record in the federation
}

// viewCouncil checks that the actor may see a council, and returns it
// with their roles in it.
func (s *Server) viewCouncil(r *http.Request, id int64) (soviet.Council, soviet.Role, error) {
	c, roles, err := s.svc.Roles(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return c, 0, err
	}
	return c, roles, soviet.Authorize(soviet.ActViewFederation, roles)
}

// viewFederation checks that the actor may see a federation, and returns
// it with their roles in it.
func (s *Server) viewFederation(r *http.Request, id int64) (soviet.Federation, soviet.Role, error) {
	f, roles, err := s.svc.FederationRolesOf(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return f, 0, err
	}
	return f, roles, soviet.Authorize(soviet.ActViewFederation, roles)
}

// councilRead answers a read about the council in the path, once the
// actor may see it.
func councilRead[T any](s *Server, w http.ResponseWriter, r *http.Request, read func(c soviet.Council) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, _, err := s.viewCouncil(r, id)
	if err != nil {
		return err
	}
	v, err := read(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiSeats(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (store.SeatTable, error) { return s.db.SeatTable(r.Context(), c.ID) })
}

func (s *Server) apiDelegates(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (delegatesResponse, error) { return s.delegates(r, c.ID) })
}

// delegates loads the offices held in and for a council.
func (s *Server) delegates(r *http.Request, council int64) (delegatesResponse, error) {
	var d delegatesResponse
	var err error
	ctx := r.Context()
	if d.Delegates, err = s.db.SeatHolders(ctx, council); err != nil {
		return d, err
	}
	if d.Sent, err = s.db.SentDelegates(ctx, council); err != nil {
		return d, err
	}
	if d.Past, err = s.db.OfficeHistory(ctx, council); err != nil {
		return d, err
	}
	return delegatesResponse{nonNil(d.Delegates), nonNil(d.Sent), nonNil(d.Past)}, nil
}

func (s *Server) apiElections(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (electionsResponse, error) {
		es, err := s.db.Elections(r.Context(), c.ID)
		return electionsResponse{nonNil(es)}, err
	})
}

func (s *Server) apiComposition(w http.ResponseWriter, r *http.Request) error {
	return councilRead(s, w, r, func(c soviet.Council) (store.Composition, error) { return s.db.Composition(r.Context(), c.ID) })
}

func (s *Server) apiCallElection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req callElectionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	e, err := s.svc.CallElection(r.Context(), actorOf(r).ID, id, req.Body)
	if err != nil {
		return err
	}
	return s.writeElection(w, r, http.StatusCreated, e.ID)
}

// electionView loads an election for an actor allowed to see it: the
// roll-call ballots only for those allowed to see votes (the electing
// council's voters, and its secretary), and never for a secret ballot.
func (s *Server) electionView(r *http.Request, id int64) (electionResponse, soviet.Role, error) {
	ctx := r.Context()
	d, err := s.db.ElectionDetail(ctx, id)
	if err != nil {
		return electionResponse{}, 0, err
	}
	_, roles, err := s.viewCouncil(r, d.Election.Council)
	if err != nil {
		return electionResponse{}, 0, err
	}
	resp := electionResponse{Election: d.Election, Council: d.Council, Body: d.Body, Candidates: d.Candidates,
		Electorate: d.Electorate, Ballots: d.Ballots}
	if soviet.Allowed(soviet.ActSeeVotes, roles) && !d.Election.Secret && d.Election.State != soviet.Nominating {
		if resp.Rankings, err = s.db.ElectionRankings(ctx, id); err != nil {
			return resp, 0, err
		}
	}
	if a := actorOf(r); a.ID != 0 {
		if resp.YourRanking, err = s.db.RankingOf(ctx, id, a.ID); err != nil {
			return resp, 0, err
		}
		if d.Election.Secret {
			if resp.TookPart, err = s.db.TookPart(ctx, id, a.ID); err != nil {
				return resp, 0, err
			}
		}
	}
	if d.Election.Secret && d.Election.State == soviet.Closed {
		info, err := s.db.BulletinInfoOf(ctx, id)
		if err != nil && !errors.Is(err, soviet.ErrNotFound) { // an unopposed election has no vote, no bulletin
			return resp, 0, err
		}
		if err == nil {
			resp.Bulletin = &info
		}
	}
	return resp, roles, nil
}

// writeElection answers with an election as the actor may see it.
func (s *Server) writeElection(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	resp, _, err := s.electionView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, status, resp)
	return nil
}

func (s *Server) apiElection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeElection(w, r, http.StatusOK, id)
}

func (s *Server) apiNominate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req nominateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.nominate(r, id, req.Account, req.Faction); err != nil {
		return err
	}
	return s.writeElection(w, r, http.StatusCreated, id)
}

// nominate puts account (the actor if 0) forward in an election.
func (s *Server) nominate(r *http.Request, election, account, faction int64) error {
	actor := actorOf(r).ID
	if account == 0 {
		account = actor
	}
	if account < 0 || faction < 0 {
		return soviet.Errorf(soviet.ErrInvalid, "account and faction must be positive ids")
	}
	return s.svc.Nominate(r.Context(), actor, election, account, faction)
}

func (s *Server) apiWithdrawCandidacy(w http.ResponseWriter, r *http.Request) error {
	return s.noContent(w, r, func(actor, id int64) error { return s.svc.WithdrawCandidacy(r.Context(), actor, id) })
}

// pollingRequest optionally chooses a secret or roll-call vote; empty (or
// no body) keeps the charter's default for elections.
type pollingRequest struct {
	Secrecy soviet.Secrecy `json:"secrecy,omitempty"`
}

func (s *Server) apiOpenPolling(w http.ResponseWriter, r *http.Request) error {
	var req pollingRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	return s.electionStep(w, r, func(ctx context.Context, actor, id int64) (soviet.Election, error) {
		return s.svc.OpenPollingWith(ctx, actor, id, req.Secrecy)
	})
}

func (s *Server) apiCloseElection(w http.ResponseWriter, r *http.Request) error {
	return s.electionStep(w, r, s.svc.CloseElection)
}

// electionStep moves the election in the path on (opens its vote, or
// closes and counts it) and answers with the election.
func (s *Server) electionStep(w http.ResponseWriter, r *http.Request, step func(ctx context.Context, actor, id int64) (soviet.Election, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := step(r.Context(), actorOf(r).ID, id); err != nil {
		return err
	}
	return s.writeElection(w, r, http.StatusOK, id)
}

func (s *Server) apiElectionBallot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req rankingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.svc.CastRanking(r.Context(), actorOf(r).ID, id, req.Ranking); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiElectionSecretBallot casts a secret ranked ballot; the receipt is
// returned once.
func (s *Server) apiElectionSecretBallot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req rankingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	rc, err := s.svc.CastRankedBallot(r.Context(), actorOf(r).ID, id, req.Ranking)
	if err != nil {
		return err
	}
	s.metrics.votes.Inc()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, rc)
	return nil
}

// apiElectionBulletin serves a secret election's bulletin as its
// canonical JSON.
func (s *Server) apiElectionBulletin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ev, _, err := s.electionView(r, id)
	if err != nil {
		return err
	}
	if ev.Bulletin == nil {
		return soviet.Errorf(soviet.ErrNotFound, "election %d has no bulletin: a secret election's ballots are published when it closes", id)
	}
	return s.serveBulletin(w, r, id)
}

func (s *Server) apiFactions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, err := s.factions(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// factions loads a federation's factions and the actor's affiliation.
func (s *Server) factions(r *http.Request, federation int64) (factionsResponse, error) {
	if _, _, err := s.viewFederation(r, federation); err != nil {
		return factionsResponse{}, err
	}
	fs, err := s.db.FactionRows(r.Context(), federation)
	if err != nil {
		return factionsResponse{}, err
	}
	resp := factionsResponse{Factions: nonNil(fs)}
	if a := actorOf(r); a.ID != 0 {
		if resp.Yours, err = s.db.Affiliation(r.Context(), federation, a.ID); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

func (s *Server) apiCreateFaction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req factionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	f, err := s.svc.CreateFaction(r.Context(), actorOf(r).ID, id, req.Name, req.Colour)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, factionResponse{f})
	return nil
}

func (s *Server) apiAffiliation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req affiliationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Faction < 0 {
		return soviet.Errorf(soviet.ErrInvalid, "faction must be a faction's id, or 0 for none")
	}
	if err := s.svc.DeclareAffiliation(r.Context(), actorOf(r).ID, id, req.Faction); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// officeView loads an office and its holder's record in the office's
// federation, for an actor allowed to see that federation.
func (s *Server) officeView(r *http.Request, id int64) (officeResponse, error) {
	o, err := s.db.OfficeRowByID(r.Context(), id)
	if err != nil {
		return officeResponse{}, err
	}
	body, _, err := s.viewCouncil(r, o.Body)
	if err != nil {
		return officeResponse{}, err
	}
	rec, err := s.db.DelegateRecord(r.Context(), o.Account, body.Federation)
	if err != nil {
		return officeResponse{}, err
	}
	return officeResponse{Office: o, Record: rec}, nil
}

func (s *Server) apiOffice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, err := s.officeView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
