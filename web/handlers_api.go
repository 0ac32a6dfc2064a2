package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"soviet"
	"soviet/store"
)

// The JSON API's request and response bodies. Field names are the API's
// contract, documented in /api/v1/openapi.json.

type setupRequest struct {
	Handle     string `json:"handle"`
	Name       string `json:"name"`
	Password   string `json:"password"`
	Federation string `json:"federation,omitempty"` // optional: the first federation's name
}

type setupResponse struct {
	Account    soviet.Account     `json:"account"`
	Federation *soviet.Federation `json:"federation,omitempty"`
	Token      string             `json:"token"` // a personal API token, shown once
}

type accountRequest struct {
	Handle   string `json:"handle"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

type accountResponse struct {
	Account soviet.Account `json:"account"`
}

type loginRequest struct {
	Handle   string `json:"handle"`
	Password string `json:"password"`
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

type meResponse struct {
	Account     soviet.Account      `json:"account"`
	Memberships []soviet.Council    `json:"memberships"`
	Federations []soviet.Federation `json:"federations"`
}

type tokensResponse struct {
	Tokens []store.APIToken `json:"tokens"`
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenResponse struct {
	Token  string         `json:"token"` // shown once
	Detail store.APIToken `json:"detail"`
}

type federationsResponse struct {
	Federations []soviet.Federation `json:"federations"`
}

type federationRequest struct {
	Name string `json:"name"`
}

type federationResponse struct {
	Federation soviet.Federation      `json:"federation"`
	Charter    soviet.Charter         `json:"charter"`
	Councils   []store.CouncilSummary `json:"councils"`
}

type councilRequest struct {
	Name        string             `json:"name"`
	Kind        soviet.CouncilKind `json:"kind"`
	Description string             `json:"description,omitempty"`
	Join        bool               `json:"join,omitempty"`
	SendsTo     []int64            `json:"sends_to,omitempty"`
	// For a committee (kind "committee"): the council that elects it, its
	// role (executive, secretariat or commission) and its seats.
	Parent int64  `json:"parent,omitempty"`
	Role   string `json:"role,omitempty"`
	Seats  int    `json:"seats,omitempty"`
}

type councilResponse struct {
	Council soviet.Council    `json:"council"`
	Members []store.MemberRow `json:"members"`
	Motions []soviet.Motion   `json:"motions"`
	Roles   []string          `json:"roles"` // your roles in the council
}

type linkRequest struct {
	To int64 `json:"to"`
}

type invitationsResponse struct {
	Invitations []soviet.Invitation `json:"invitations"`
}

type invitationRequest struct {
	Note string `json:"note,omitempty"`
}

type invitationResponse struct {
	Invitation soviet.Invitation `json:"invitation"`
	Token      string            `json:"token"` // shown once
	URL        string            `json:"url"`   // the link to send
}

type acceptRequest struct {
	Token string `json:"token"`
}

type memberResponse struct {
	Member soviet.Member `json:"member"`
}

type joinRequestsResponse struct {
	Requests []store.JoinRequestRow `json:"requests"`
}

type joinRequest struct {
	Message string `json:"message,omitempty"`
}

type joinRequestResponse struct {
	Request soviet.JoinRequest `json:"request"`
}

type decisionRequest struct {
	Admit bool `json:"admit"`
}

type motionsResponse struct {
	Motions []soviet.Motion `json:"motions"`
}

type motionRequest struct {
	// Title is required but for a recall, mandate or overturn, whose
	// title is then written for it.
	Title    string          `json:"title,omitempty"`
	Body     string          `json:"body,omitempty"` // Markdown; may be empty
	Majority soviet.Majority `json:"majority,omitempty"`
	// Kind says what the motion does when adopted: ordinary (the
	// default), recall (target: an office held for the council), mandate
	// (target: a motion pending in a council above; instruction: yes, no
	// or abstain), charter (charter: the whole new charter; in the top
	// council only) or overturn (target: an adopted decision of one of the
	// council's committees).
	Kind        soviet.MotionKind `json:"kind,omitempty"`
	Target      int64             `json:"target,omitempty"`
	Instruction soviet.Choice     `json:"instruction,omitempty"`
	Charter     *soviet.Charter   `json:"charter,omitempty"`
	// Origin is a motion of another council that this one takes up.
	Origin int64 `json:"origin,omitempty"`
}

type motionResponse struct {
	Motion     soviet.Motion        `json:"motion"`
	Supporters []soviet.Account     `json:"supporters"`
	Tally      *store.Tally         `json:"tally,omitempty"`
	RollCall   []store.RollCallVote `json:"roll_call,omitempty"`
	YourVote   soviet.Choice        `json:"your_vote,omitempty"`
	// A secret vote shows only its turnout until it closes, and whether
	// you took part; once closed, its bulletin.
	Turnout  *store.Turnout      `json:"turnout,omitempty"`
	TookPart bool                `json:"took_part,omitempty"`
	Bulletin *store.BulletinInfo `json:"bulletin,omitempty"`
	// SoFar is the count so far of an open roll-call vote that is
	// weighted or a referendum: weights, or results per base council.
	SoFar *soviet.Result `json:"so_far,omitempty"`
	// Recall is a recall petition's target and the signatures it needs.
	Recall *store.RecallRow `json:"recall,omitempty"`
	// Mandates are those the constituent councils gave their delegates
	// on this motion.
	Mandates []store.MandateRow `json:"mandates,omitempty"`
	// Family is the motion's travels, first motion first: the copies
	// other councils took it up in and the motions forwarded from them.
	Family []store.FamilyMotion `json:"family,omitempty"`
}

type openRequest struct {
	Deadline *time.Time `json:"deadline,omitempty"` // default: the charter's number of days
	// Secrecy is "roll-call" or "secret"; default: the charter's for
	// motions.
	Secrecy soviet.Secrecy `json:"secrecy,omitempty"`
}

type voteRequest struct {
	Choice soviet.Choice `json:"choice,omitempty"` // yes, no or abstain
	// Split divides a delegate's weight between the options, in parts: a
	// weighted vote only (then leave choice out, or give "split").
	Split *soviet.Split `json:"split,omitempty"`
}

type rollCallResponse struct {
	Votes []store.RollCallVote `json:"votes"`
}

type openVotesResponse struct {
	Votes []store.OpenVote `json:"votes"`
}

type headResponse struct {
	Size int64     `json:"size"`
	Root string    `json:"root"` // hex
	Last string    `json:"last"` // hex hash of the last event
	Time time.Time `json:"time"`
}

type eventJSON struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time,omitzero"`
	Actor   int64     `json:"actor,omitempty"`
	Type    string    `json:"type,omitempty"`
	Payload any       `json:"payload,omitempty"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
	// Redacted: the event is not for this reader (another federation's,
	// or a roll-call choice they may not see); only its hashes are given,
	// enough to check the tree.
	Redacted bool `json:"redacted,omitempty"`
}

type eventsResponse struct {
	Events []eventJSON `json:"events"`
	Next   int64       `json:"next,omitempty"` // the from of the next page; 0 at the end
}

type proofResponse struct {
	Size   int64    `json:"size"`
	Root   string   `json:"root"`
	Hashes []string `json:"hashes"` // hex
	// For inclusion proofs: the leaf index and the RFC 6962 leaf hash.
	Index    *int64 `json:"index,omitempty"`
	LeafHash string `json:"leaf_hash,omitempty"`
	// For consistency proofs: the older size and root.
	First     int64  `json:"first,omitempty"`
	FirstRoot string `json:"first_root,omitempty"`
}

func (s *Server) apiSetup(w http.ResponseWriter, r *http.Request) error {
	var req setupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	hash, err := s.hashPassword(req.Password)
	if err != nil {
		return err
	}
	in := soviet.AccountInput{Handle: req.Handle, Name: req.Name, PasswordHash: hash}
	var resp setupResponse
	if strings.TrimSpace(req.Federation) == "" {
		resp.Account, err = s.svc.Found(r.Context(), in)
	} else {
		var f soviet.Federation
		resp.Account, f, err = s.svc.FoundInstance(r.Context(), in, req.Federation)
		resp.Federation = &f
	}
	if err != nil {
		return err
	}
	if resp.Token, _, err = s.newAPIToken(r.Context(), resp.Account.ID, "setup"); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var req accountRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	a, err := s.register(r, req.Handle, req.Name, req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, accountResponse{a})
	return nil
}

// register creates an account, under the per-address limit on attempts.
func (s *Server) register(r *http.Request, handle, name, password string) (soviet.Account, error) {
	now := s.now()
	key := "signup:" + clientIP(r)
	if wait := s.limiter.check(now, key); wait > 0 {
		return soviet.Account{}, soviet.Errorf(soviet.ErrTooManyRequests, "too many accounts created from your address: try again in %s", wait.Round(time.Second))
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return soviet.Account{}, err
	}
	a, err := s.svc.Register(r.Context(), soviet.AccountInput{Handle: handle, Name: name, PasswordHash: hash})
	if err == nil {
		s.limiter.fail(now, key) // counts creations, not failures
	}
	return a, err
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	a, err := s.signIn(w, r, req.Handle, req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountResponse{a})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.signOut(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	ms, err := s.db.Memberships(r.Context(), a.ID)
	if err != nil {
		return err
	}
	fs, err := s.db.FederationsOf(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meResponse{Account: a, Memberships: nonNil(ms), Federations: nonNil(fs)})
	return nil
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.changePassword(w, r, req.Current, req.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword checks the current password, stores the new one, ends
// every session and starts a new one for this browser.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, current, next string) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	old, err := s.db.PasswordHash(r.Context(), a.ID)
	if err != nil {
		return err
	}
	if !verifyPassword(current, old) {
		return soviet.Errorf(soviet.ErrForbidden, "the current password is wrong")
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	if err := s.db.SetPassword(r.Context(), a.ID, hash); err != nil {
		return err
	}
	s.auth.forgetAccount(a.ID)
	if err := s.db.DeleteSessions(r.Context(), a.ID); err != nil {
		return err
	}
	if r.Context().Value(viaTokenKey{}) == nil {
		return s.startSession(w, r, a)
	}
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	toks, err := s.db.APITokens(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokensResponse{nonNil(toks)})
	return nil
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	token, detail, err := s.newAPIToken(r.Context(), a.ID, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokenResponse{Token: token, Detail: detail.(store.APIToken)})
	return nil
}

func (s *Server) apiDeleteToken(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	s.auth.forgetAccount(a.ID)
	if err := s.db.DeleteAPIToken(r.Context(), a.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiFederations(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	fs, err := s.db.FederationsOf(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, federationsResponse{nonNil(fs)})
	return nil
}

func (s *Server) apiCreateFederation(w http.ResponseWriter, r *http.Request) error {
	var req federationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	f, err := s.svc.CreateFederation(r.Context(), actorOf(r).ID, req.Name)
	if err != nil {
		return err
	}
	resp, err := s.federationView(r, f.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// federationView loads a federation for an actor allowed to see it.
func (s *Server) federationView(r *http.Request, id int64) (federationResponse, error) {
	f, roles, err := s.svc.FederationRolesOf(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return federationResponse{}, err
	}
	if err := soviet.Authorize(soviet.ActViewFederation, roles); err != nil {
		return federationResponse{}, err
	}
	ch, err := s.db.Charter(r.Context(), id)
	if err != nil {
		return federationResponse{}, err
	}
	cs, err := s.db.Councils(r.Context(), id)
	if err != nil {
		return federationResponse{}, err
	}
	return federationResponse{Federation: f, Charter: ch, Councils: nonNil(cs)}, nil
}

func (s *Server) apiFederation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, err := s.federationView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) apiCreateCouncil(w http.ResponseWriter, r *http.Request) error {
	fed, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req councilRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.svc.CreateCouncil(r.Context(), actorOf(r).ID, soviet.CouncilInput{
		Federation: fed, Name: req.Name, Kind: req.Kind, Description: req.Description, Join: req.Join, SendsTo: req.SendsTo,
		Parent: req.Parent, Role: req.Role, Seats: req.Seats})
	if err != nil {
		return err
	}
	resp, _, err := s.councilView(r, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// councilView loads a council for an actor allowed to see it.
func (s *Server) councilView(r *http.Request, id int64) (councilResponse, soviet.Role, error) {
	c, roles, err := s.svc.Roles(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return councilResponse{}, 0, err
	}
	if err := soviet.Authorize(soviet.ActViewFederation, roles); err != nil {
		return councilResponse{}, 0, err
	}
	ms, err := s.db.Members(r.Context(), id)
	if err != nil {
		return councilResponse{}, 0, err
	}
	mo, err := s.db.Motions(r.Context(), id)
	if err != nil {
		return councilResponse{}, 0, err
	}
	return councilResponse{Council: c, Members: nonNil(ms), Motions: nonNil(mo), Roles: roleNames(roles)}, roles, nil
}

// roleNames names roles for the API.
func roleNames(r soviet.Role) []string {
	names := []string{}
	for _, x := range []struct {
		role soviet.Role
		name string
	}{{soviet.RoleMember, "member"}, {soviet.RoleSecretary, "secretary"}, {soviet.RoleFounder, "founder"}, {soviet.RoleFederationMember, "federation_member"},
		{soviet.RoleDelegate, "delegate"}, {soviet.RoleConstituent, "constituent"}} {
		if r&x.role != 0 {
			names = append(names, x.name)
		}
	}
	return names
}

func (s *Server) apiCouncil(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, _, err := s.councilView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) apiLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req linkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.svc.LinkCouncils(r.Context(), actorOf(r).ID, id, req.To); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// secretaryOf checks that the actor holds the secretary role of a council.
func (s *Server) secretaryOf(r *http.Request, council int64) (soviet.Council, error) {
	c, roles, err := s.svc.Roles(r.Context(), actorOf(r).ID, council)
	if err != nil {
		return c, err
	}
	return c, soviet.Authorize(soviet.ActInvite, roles)
}

func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.secretaryOf(r, id); err != nil {
		return err
	}
	invs, err := s.db.Invitations(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, invitationsResponse{nonNil(invs)})
	return nil
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req invitationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	inv, token, err := s.svc.IssueInvitation(r.Context(), actorOf(r).ID, id, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationResponse{Invitation: inv, Token: token, URL: absURL(r, "/join/"+token)})
	return nil
}

// absURL makes an absolute URL on the host the request came to.
func absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (s *Server) apiRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeInvitation(r.Context(), actorOf(r).ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiAccept(w http.ResponseWriter, r *http.Request) error {
	var req acceptRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.svc.AcceptInvitation(r.Context(), actorOf(r).ID, req.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberResponse{m})
	return nil
}

func (s *Server) apiJoinRequests(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.secretaryOf(r, id); err != nil {
		return err
	}
	rs, err := s.db.JoinRequests(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, joinRequestsResponse{nonNil(rs)})
	return nil
}

func (s *Server) apiRequestJoin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req joinRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	jr, err := s.svc.RequestJoin(r.Context(), actorOf(r).ID, id, req.Message)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, joinRequestResponse{jr})
	return nil
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req decisionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.svc.DecideJoin(r.Context(), actorOf(r).ID, id, req.Admit); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiLeave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Leave(r.Context(), actorOf(r).ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMotions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, _, err := s.councilView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, motionsResponse{resp.Motions})
	return nil
}

func (s *Server) apiPropose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req motionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.svc.ProposeMotion(r.Context(), actorOf(r).ID, soviet.MotionInput{Council: id, Title: req.Title, Body: req.Body, Majority: req.Majority,
		Kind: req.Kind, Target: req.Target, Instruction: req.Instruction, Charter: req.Charter, Origin: req.Origin})
	if err != nil {
		return err
	}
	resp, _, err := s.motionView(r, m.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// motionView loads a motion for an actor allowed to see it; the roll call
// only for those allowed to see votes.
func (s *Server) motionView(r *http.Request, id int64) (motionResponse, soviet.Role, error) {
	ctx := r.Context()
	m, err := s.db.Motion(ctx, id)
	if err != nil {
		return motionResponse{}, 0, err
	}
	_, roles, err := s.svc.Roles(ctx, actorOf(r).ID, m.Council)
	if err != nil {
		return motionResponse{}, 0, err
	}
	if err := soviet.Authorize(soviet.ActViewFederation, roles); err != nil {
		return motionResponse{}, 0, err
	}
	resp := motionResponse{Motion: m}
	if resp.Supporters, err = s.db.Supporters(ctx, id); err != nil {
		return resp, 0, err
	}
	resp.Supporters = nonNil(resp.Supporters)
	if err := s.motionTravels(ctx, &resp); err != nil {
		return resp, 0, err
	}
	if m.Secrecy == soviet.Secret {
		// Nothing of the count before the close, no roll call ever.
		return s.secretView(r, resp, roles)
	}
	if m.State == soviet.Voting {
		t, err := s.db.Tally(ctx, id)
		if err != nil {
			return resp, 0, err
		}
		resp.Tally = &t
		if m.Weighted || m.Referendum {
			r, err := s.db.WeightedTally(ctx, id)
			if err != nil {
				return resp, 0, err
			}
			resp.SoFar = &r
		}
	}
	if soviet.Allowed(soviet.ActSeeVotes, roles) && m.Opened.After(time.Time{}) {
		if resp.RollCall, err = s.db.RollCall(ctx, id); err != nil {
			return resp, 0, err
		}
	}
	if a := actorOf(r); a.ID != 0 {
		if resp.YourVote, err = s.db.VoteOf(ctx, id, a.ID); err != nil {
			return resp, 0, err
		}
	}
	return resp, roles, nil
}

func (s *Server) apiMotion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, _, err := s.motionView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// noContent runs a command on the motion in the path and answers 204.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request, cmd func(actor, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := cmd(actorOf(r).ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiSupport(w http.ResponseWriter, r *http.Request) error {
	return s.noContent(w, r, func(actor, id int64) error { return s.svc.SupportMotion(r.Context(), actor, id) })
}

func (s *Server) apiWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.noContent(w, r, func(actor, id int64) error { return s.svc.WithdrawMotion(r.Context(), actor, id) })
}

func (s *Server) apiOpen(w http.ResponseWriter, r *http.Request) error {
	return s.openVote(w, r, s.svc.OpenVoteWith)
}

// openVote opens the vote on the motion in the path with open (by its
// council, or by referendum) and the request's options, and answers with
// the motion.
func (s *Server) openVote(w http.ResponseWriter, r *http.Request, open func(ctx context.Context, actor, motion int64, opts soviet.VoteOptions) (soviet.Motion, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	opts, err := voteOptionsOf(w, r)
	if err != nil {
		return err
	}
	if _, err := open(r.Context(), actorOf(r).ID, id, opts); err != nil {
		return err
	}
	resp, _, err := s.motionView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// voteOptionsOf reads the options of a vote being opened (openRequest); an
// empty body takes the charter's defaults.
func voteOptionsOf(w http.ResponseWriter, r *http.Request) (soviet.VoteOptions, error) {
	var req openRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return soviet.VoteOptions{}, err
		}
	}
	opts := soviet.VoteOptions{Secrecy: req.Secrecy}
	if req.Deadline != nil {
		opts.Deadline = *req.Deadline
	}
	return opts, nil
}

func (s *Server) apiClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.svc.CloseVote(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) apiVote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req voteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.castVote(r, id, req.Choice, req.Split); err != nil {
		return err
	}
	s.metrics.votes.Inc()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRollCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	resp, roles, err := s.motionView(r, id)
	if err != nil {
		return err
	}
	if err := soviet.Authorize(soviet.ActSeeVotes, roles); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rollCallResponse{nonNil(resp.RollCall)})
	return nil
}

func (s *Server) apiOpenVotes(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	vs, err := s.db.OpenVotes(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, openVotesResponse{nonNil(vs)})
	return nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// castVote casts a roll-call vote: a choice, or a weighted vote's split.
func (s *Server) castVote(r *http.Request, motion int64, choice soviet.Choice, split *soviet.Split) error {
	if split == nil {
		return s.svc.CastVote(r.Context(), actorOf(r).ID, motion, choice)
	}
	if choice != "" && choice != soviet.SplitChoice {
		return soviet.Errorf(soviet.ErrInvalid, "give a choice or a split, not both")
	}
	return s.svc.CastSplitVote(r.Context(), actorOf(r).ID, motion, *split)
}

// motionTravels adds to a motion what it acts on and where it travelled:
// a recall's target and signatures, the mandates given on it, its family.
func (s *Server) motionTravels(ctx context.Context, resp *motionResponse) error {
	m := resp.Motion
	var err error
	if m.Kind == soviet.RecallMotion {
		rs, err := s.db.RecallsOf(ctx, m.Target)
		if err != nil {
			return err
		}
		for _, rc := range rs {
			if rc.Motion.ID == m.ID {
				resp.Recall = &rc
			}
		}
	}
	if resp.Mandates, err = s.db.MandatesOn(ctx, m.ID); err != nil {
		return err
	}
	resp.Family, err = s.db.MotionFamily(ctx, m.ID)
	return err
}
