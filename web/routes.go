package web

import (
	"net/http"

	"soviet"
	"soviet/store"
)

// route describes one route, for the mux and for the OpenAPI document.
type route struct {
	Method  string
	Path    string
	Summary string
	Tag     string
	In      any          // the JSON (API) or form (page) body, nil for none
	Out     any          // the JSON response, nil for none (pages answer HTML)
	Status  int          // the success status; 0 means 200
	Query   []queryParam // query parameters
	Page    bool         // an HTML page or form post
	Stream  bool         // text/event-stream
}

type queryParam struct {
	Name, Type, Description string
}

// registerRoutes lists every route of the server.
func (s *Server) registerRoutes(mux *http.ServeMux) {
	// Pages.
	s.page(mux, route{Method: "GET", Path: "/{$}", Summary: "Home: your councils and open votes"}, s.homePage)
	s.page(mux, route{Method: "GET", Path: "/setup", Summary: "Found the instance (first visit only)"}, s.setupPage)
	s.page(mux, route{Method: "POST", Path: "/setup", Summary: "Create the founding account and first federation", In: setupForm{}}, s.setupPost)
	s.page(mux, route{Method: "GET", Path: "/login", Summary: "Sign-in form"}, s.loginPage)
	s.page(mux, route{Method: "POST", Path: "/login", Summary: "Sign in", In: loginForm{}}, s.loginPost)
	s.page(mux, route{Method: "POST", Path: "/logout", Summary: "Sign out"}, s.logoutPost)
	s.page(mux, route{Method: "GET", Path: "/signup", Summary: "Account creation form"}, s.signupPage)
	s.page(mux, route{Method: "POST", Path: "/signup", Summary: "Create an account", In: signupForm{}}, s.signupPost)
	s.page(mux, route{Method: "GET", Path: "/account", Summary: "Your account, API tokens and password"}, s.accountPage)
	s.page(mux, route{Method: "POST", Path: "/account/password", Summary: "Change your password", In: passwordForm{}}, s.passwordPost)
	s.page(mux, route{Method: "POST", Path: "/account/tokens", Summary: "Create an API token (the page shows it once)", In: tokenForm{}, Status: 200}, s.tokenPost)
	s.page(mux, route{Method: "POST", Path: "/account/tokens/{id}/delete", Summary: "Delete an API token"}, s.tokenDeletePost)
	s.page(mux, route{Method: "GET", Path: "/federations/new", Summary: "New federation form"}, s.newFederationPage)
	s.page(mux, route{Method: "POST", Path: "/federations", Summary: "Create a federation", In: federationForm{}}, s.federationPost)
	s.page(mux, route{Method: "GET", Path: "/federations/{id}", Summary: "A federation: its councils as a tree"}, s.federationPage)
	s.page(mux, route{Method: "POST", Path: "/federations/{id}/councils", Summary: "Create a council", In: councilForm{}}, s.councilPost)
	s.page(mux, route{Method: "GET", Path: "/councils/{id}", Summary: "A council: members, seats, delegates, committees, elections, composition, motions"}, s.councilPage)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/committees", Summary: "Create a committee of the council (its secretary)", In: committeeForm{}}, s.committeePost)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/elections", Summary: "Call an election of the council's delegation to a body (its secretary)", In: callElectionForm{}}, s.callElectionPost)
	s.page(mux, route{Method: "GET", Path: "/elections/{id}", Summary: "An election: candidates, nominations, ranked ballot, result round by round with the transfer chart"}, s.electionPage)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/candidates", Summary: "Nominate a candidate (yourself by default)", In: nominateForm{}}, s.nominatePost)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/withdraw", Summary: "Withdraw your candidacy"}, s.withdrawCandidacyPost)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/polling", Summary: "Close nominations and open the vote (secretary), secret or roll-call", In: pollingForm{}}, s.pollingPost)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/ballot", Summary: "Cast or change your roll-call ranked ballot: one rank field per preference, in order", In: rankingForm{}}, s.electionBallotPost)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/secret-ballot", Summary: "Cast your secret ranked ballot (final); shows the receipt once", In: rankingForm{}, Status: 200}, s.electionSecretBallotPost)
	s.page(mux, route{Method: "POST", Path: "/elections/{id}/close", Summary: "Close the vote and count it (secretary)"}, s.closeElectionPost)
	s.page(mux, route{Method: "GET", Path: "/federations/{id}/factions", Summary: "A federation's factions: found one, declare your affiliation"}, s.factionsPage)
	s.page(mux, route{Method: "POST", Path: "/federations/{id}/factions", Summary: "Found a faction", In: factionForm{}}, s.factionPost)
	s.page(mux, route{Method: "POST", Path: "/federations/{id}/affiliation", Summary: "Declare your faction (or none)", In: affiliationForm{}}, s.affiliationPost)
	s.page(mux, route{Method: "GET", Path: "/offices/{id}", Summary: "An office and its holder's public record: offices, elections, roll-call votes"}, s.officePage)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/links", Summary: "Send delegates to a higher council", In: linkForm{}}, s.linkPost)
	s.page(mux, route{Method: "GET", Path: "/councils/{id}/invitations", Summary: "Invitations and join requests of a council"}, s.invitationsPage)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/invitations", Summary: "Issue an invitation (the page shows its link once)", In: invitationForm{}, Status: 201}, s.invitationPost)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/join", Summary: "Ask to join a council", In: joinForm{}}, s.joinPost)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/leave", Summary: "Leave a council"}, s.leavePost)
	s.page(mux, route{Method: "POST", Path: "/councils/{id}/motions", Summary: "Propose a motion", In: motionForm{}}, s.motionPost)
	s.page(mux, route{Method: "POST", Path: "/invitations/{id}/revoke", Summary: "Revoke an invitation"}, s.revokePost)
	s.page(mux, route{Method: "GET", Path: "/join/{token}", Summary: "An invitation: accept it"}, s.acceptPage)
	s.page(mux, route{Method: "POST", Path: "/join/{token}", Summary: "Accept an invitation"}, s.acceptPost)
	s.page(mux, route{Method: "POST", Path: "/join-requests/{id}/decision", Summary: "Admit or refuse a join request", In: decisionForm{}}, s.decisionPost)
	s.page(mux, route{Method: "GET", Path: "/motions/{id}", Summary: "A motion: text, supporters, vote and tally"}, s.motionPage)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/support", Summary: "Support a motion"}, s.supportPost)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/withdraw", Summary: "Withdraw your motion"}, s.withdrawPost)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/open", Summary: "Open the vote", In: openForm{}}, s.openPost)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/close", Summary: "Close the vote"}, s.closePost)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/vote", Summary: "Vote yes, no or abstain", In: voteForm{}}, s.votePost)
	s.page(mux, route{Method: "POST", Path: "/motions/{id}/ballot", Summary: "Cast your secret ballot (final); shows the receipt once", In: voteForm{}, Status: 200}, s.ballotPost)
	s.page(mux, route{Method: "GET", Path: "/motions/{id}/live", Summary: "Live tally of a motion (Server-Sent Events)", Stream: true}, s.motionLive)
	s.page(mux, route{Method: "GET", Path: "/log", Summary: "The log head and recent events"}, s.logPage)
	s.page(mux, route{Method: "GET", Path: "/static/{file...}", Summary: "Static files (CSS, htmx)"}, s.staticFile)

	// Operations.
	s.page(mux, route{Method: "GET", Path: "/healthz", Summary: "Health check", Tag: "operations"}, s.healthz)
	s.page(mux, route{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Tag: "operations"}, s.metricsHandler)

	// The JSON API.
	s.api(mux, route{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This document", Tag: "meta"}, s.openAPIHandler)
	s.api(mux, route{Method: "POST", Path: "/api/v1/setup", Summary: "Found the instance: the first account (and optionally the first federation); returns an API token", Tag: "accounts", In: setupRequest{}, Out: setupResponse{}, Status: 201}, s.apiSetup)
	s.api(mux, route{Method: "POST", Path: "/api/v1/accounts", Summary: "Create an account", Tag: "accounts", In: accountRequest{}, Out: accountResponse{}, Status: 201}, s.apiRegister)
	s.api(mux, route{Method: "POST", Path: "/api/v1/session", Summary: "Sign in (sets the session cookie)", Tag: "accounts", In: loginRequest{}, Out: accountResponse{}}, s.apiLogin)
	s.api(mux, route{Method: "DELETE", Path: "/api/v1/session", Summary: "Sign out", Tag: "accounts", Status: 204}, s.apiLogout)
	s.api(mux, route{Method: "GET", Path: "/api/v1/me", Summary: "The signed-in account and its memberships", Tag: "accounts", Out: meResponse{}}, s.apiMe)
	s.api(mux, route{Method: "PUT", Path: "/api/v1/me/password", Summary: "Change your password", Tag: "accounts", In: passwordRequest{}, Status: 204}, s.apiPassword)
	s.api(mux, route{Method: "GET", Path: "/api/v1/tokens", Summary: "Your API tokens", Tag: "accounts", Out: tokensResponse{}}, s.apiTokens)
	s.api(mux, route{Method: "POST", Path: "/api/v1/tokens", Summary: "Create an API token (shown once)", Tag: "accounts", In: tokenRequest{}, Out: tokenResponse{}, Status: 201}, s.apiCreateToken)
	s.api(mux, route{Method: "DELETE", Path: "/api/v1/tokens/{id}", Summary: "Delete an API token", Tag: "accounts", Status: 204}, s.apiDeleteToken)
	s.api(mux, route{Method: "GET", Path: "/api/v1/federations", Summary: "Federations you founded or belong to", Tag: "federations", Out: federationsResponse{}}, s.apiFederations)
	s.api(mux, route{Method: "POST", Path: "/api/v1/federations", Summary: "Create a federation", Tag: "federations", In: federationRequest{}, Out: federationResponse{}, Status: 201}, s.apiCreateFederation)
	s.api(mux, route{Method: "GET", Path: "/api/v1/federations/{id}", Summary: "A federation with its charter and councils", Tag: "federations", Out: federationResponse{}}, s.apiFederation)
	s.api(mux, route{Method: "POST", Path: "/api/v1/federations/{id}/councils", Summary: "Create a council; a committee (kind committee, with parent, role and seats) is created by its parent's secretary", Tag: "councils", In: councilRequest{}, Out: councilResponse{}, Status: 201}, s.apiCreateCouncil)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}", Summary: "A council with its members and motions", Tag: "councils", Out: councilResponse{}}, s.apiCouncil)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/links", Summary: "Send delegates to a higher council", Tag: "councils", In: linkRequest{}, Status: 204}, s.apiLink)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/invitations", Summary: "A council's invitations (secretary)", Tag: "membership", Out: invitationsResponse{}}, s.apiInvitations)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/invitations", Summary: "Issue an invitation; its token is shown once", Tag: "membership", In: invitationRequest{}, Out: invitationResponse{}, Status: 201}, s.apiInvite)
	s.api(mux, route{Method: "DELETE", Path: "/api/v1/invitations/{id}", Summary: "Revoke an invitation", Tag: "membership", Status: 204}, s.apiRevoke)
	s.api(mux, route{Method: "POST", Path: "/api/v1/invitations/accept", Summary: "Accept an invitation", Tag: "membership", In: acceptRequest{}, Out: memberResponse{}}, s.apiAccept)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/join-requests", Summary: "Pending join requests (secretary)", Tag: "membership", Out: joinRequestsResponse{}}, s.apiJoinRequests)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/join-requests", Summary: "Ask to join a council", Tag: "membership", In: joinRequest{}, Out: joinRequestResponse{}, Status: 201}, s.apiRequestJoin)
	s.api(mux, route{Method: "POST", Path: "/api/v1/join-requests/{id}/decision", Summary: "Admit or refuse a join request", Tag: "membership", In: decisionRequest{}, Status: 204}, s.apiDecide)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/leave", Summary: "Leave a council", Tag: "membership", Status: 204}, s.apiLeave)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/motions", Summary: "A council's motions", Tag: "motions", Out: motionsResponse{}}, s.apiMotions)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/motions", Summary: "Propose a motion", Tag: "motions", In: motionRequest{}, Out: motionResponse{}, Status: 201}, s.apiPropose)
	s.api(mux, route{Method: "GET", Path: "/api/v1/motions/{id}", Summary: "A motion with its supporters, tally and (for members) roll call", Tag: "motions", Out: motionResponse{}}, s.apiMotion)
	s.api(mux, route{Method: "POST", Path: "/api/v1/motions/{id}/support", Summary: "Support a motion", Tag: "motions", Status: 204}, s.apiSupport)
	s.api(mux, route{Method: "POST", Path: "/api/v1/motions/{id}/withdraw", Summary: "Withdraw your motion", Tag: "motions", Status: 204}, s.apiWithdraw)
	s.api(mux, route{Method: "POST", Path: "/api/v1/motions/{id}/vote/open", Summary: "Open the vote (secretary)", Tag: "votes", In: openRequest{}, Out: motionResponse{}}, s.apiOpen)
	s.api(mux, route{Method: "POST", Path: "/api/v1/motions/{id}/vote/close", Summary: "Close the vote (secretary)", Tag: "votes", Out: soviet.Result{}}, s.apiClose)
	s.api(mux, route{Method: "PUT", Path: "/api/v1/motions/{id}/vote", Summary: "Cast or change your roll-call vote", Tag: "votes", In: voteRequest{}, Status: 204}, s.apiVote)
	s.api(mux, route{Method: "GET", Path: "/api/v1/motions/{id}/votes", Summary: "The roll call (council members)", Tag: "votes", Out: rollCallResponse{}}, s.apiRollCall)
	s.api(mux, route{Method: "POST", Path: "/api/v1/motions/{id}/ballot", Summary: "Cast your secret ballot (final); the receipt is returned once", Tag: "votes", In: voteRequest{}, Out: soviet.Receipt{}, Status: 201}, s.apiBallot)
	s.api(mux, route{Method: "GET", Path: "/api/v1/elections/{id}/bulletin", Summary: "The bulletin of a closed secret election: every ranked ballot with its receipt, the count, as canonical JSON", Tag: "elections", Out: soviet.Bulletin{}}, s.apiElectionBulletin)
	s.api(mux, route{Method: "GET", Path: "/api/v1/motions/{id}/bulletin", Summary: "The bulletin of a closed secret vote: every ballot with its receipt, as the canonical JSON whose SHA-256 the log records", Tag: "votes", Out: soviet.Bulletin{}}, s.apiBulletin)
	s.api(mux, route{Method: "GET", Path: "/api/v1/motions/{id}/bulletin/receipts/{code}", Summary: "Find a receipt in the bulletin of a closed secret vote", Tag: "votes", Out: receiptCheck{}}, s.apiReceiptCheck)
	s.api(mux, route{Method: "GET", Path: "/api/v1/votes/open", Summary: "Open votes in which you may vote", Tag: "votes", Out: openVotesResponse{}}, s.apiOpenVotes)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/seats", Summary: "A council's seat table: seats per constituency and how they were computed", Tag: "seats", Out: store.SeatTable{}}, s.apiSeats)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/delegates", Summary: "Who holds the council's seats, who holds seats for it elsewhere, and past offices", Tag: "seats", Out: delegatesResponse{}}, s.apiDelegates)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/composition", Summary: "A council's composition by faction, now and over time", Tag: "seats", Out: store.Composition{}}, s.apiComposition)
	s.api(mux, route{Method: "GET", Path: "/api/v1/councils/{id}/elections", Summary: "Elections the council holds or whose seats are in it, newest first", Tag: "elections", Out: electionsResponse{}}, s.apiElections)
	s.api(mux, route{Method: "POST", Path: "/api/v1/councils/{id}/elections", Summary: "Call a full election of the council's delegation to a body (secretary)", Tag: "elections", In: callElectionRequest{}, Out: electionResponse{}, Status: 201}, s.apiCallElection)
	s.api(mux, route{Method: "GET", Path: "/api/v1/elections/{id}", Summary: "An election with its candidates, turnout, report and (for its voters) roll-call ballots", Tag: "elections", Out: electionResponse{}}, s.apiElection)
	s.api(mux, route{Method: "POST", Path: "/api/v1/elections/{id}/candidates", Summary: "Nominate a candidate (yourself by default), optionally for a faction", Tag: "elections", In: nominateRequest{}, Out: electionResponse{}, Status: 201}, s.apiNominate)
	s.api(mux, route{Method: "DELETE", Path: "/api/v1/elections/{id}/candidates/me", Summary: "Withdraw your candidacy", Tag: "elections", Status: 204}, s.apiWithdrawCandidacy)
	s.api(mux, route{Method: "POST", Path: "/api/v1/elections/{id}/polling", Summary: "Close nominations and open the vote (secretary); the body may choose secret or roll-call", Tag: "elections", In: pollingRequest{}, Out: electionResponse{}}, s.apiOpenPolling)
	s.api(mux, route{Method: "PUT", Path: "/api/v1/elections/{id}/ballot", Summary: "Cast or change your roll-call ranked ballot", Tag: "elections", In: rankingRequest{}, Status: 204}, s.apiElectionBallot)
	s.api(mux, route{Method: "POST", Path: "/api/v1/elections/{id}/secret-ballot", Summary: "Cast your secret ranked ballot (final); the receipt is returned once", Tag: "elections", In: rankingRequest{}, Out: soviet.Receipt{}, Status: 201}, s.apiElectionSecretBallot)
	s.api(mux, route{Method: "POST", Path: "/api/v1/elections/{id}/close", Summary: "Close the vote, count it and seat the winners (secretary)", Tag: "elections", Out: electionResponse{}}, s.apiCloseElection)
	s.api(mux, route{Method: "GET", Path: "/api/v1/offices/{id}", Summary: "An office and its holder's public record in the federation", Tag: "seats", Out: officeResponse{}}, s.apiOffice)
	s.api(mux, route{Method: "GET", Path: "/api/v1/federations/{id}/factions", Summary: "A federation's factions with their members and seats, and yours", Tag: "factions", Out: factionsResponse{}}, s.apiFactions)
	s.api(mux, route{Method: "POST", Path: "/api/v1/federations/{id}/factions", Summary: "Found a faction", Tag: "factions", In: factionRequest{}, Out: factionResponse{}, Status: 201}, s.apiCreateFaction)
	s.api(mux, route{Method: "PUT", Path: "/api/v1/federations/{id}/affiliation", Summary: "Declare your faction (0 for none)", Tag: "factions", In: affiliationRequest{}, Status: 204}, s.apiAffiliation)
	s.api(mux, route{Method: "GET", Path: "/api/v1/log/head", Summary: "The Merkle tree head of the log", Tag: "log", Out: headResponse{}}, s.apiHead)
	s.api(mux, route{Method: "GET", Path: "/api/v1/log/events", Summary: "Events in order (signed-in accounts)", Tag: "log", Out: eventsResponse{},
		Query: []queryParam{{"from", "integer", "first sequence number (default 1)"}, {"limit", "integer", "at most this many (default 100, at most 1000)"}}}, s.apiEvents)
	s.api(mux, route{Method: "GET", Path: "/api/v1/log/proof/inclusion", Summary: "Proof that an event is in the tree of a size", Tag: "log", Out: proofResponse{},
		Query: []queryParam{{"seq", "integer", "the event's sequence number"}, {"size", "integer", "the tree size (default: current)"}}}, s.apiInclusion)
	s.api(mux, route{Method: "GET", Path: "/api/v1/log/proof/consistency", Summary: "Proof that the tree of one size extends the tree of a smaller one", Tag: "log", Out: proofResponse{},
		Query: []queryParam{{"first", "integer", "the older tree size"}, {"second", "integer", "the newer tree size (default: current)"}}}, s.apiConsistency)

	// Anything else is a 405 or 404: under /api/ as JSON, not an HTML page.
	mux.HandleFunc("/api/", s.noRoute)
	mux.HandleFunc("/", s.noRoute)
}

// api registers a JSON route.
func (s *Server) api(mux *http.ServeMux, rt route, h func(http.ResponseWriter, *http.Request) error) {
	if rt.Tag == "" {
		rt.Tag = "api"
	}
	s.routes = append(s.routes, rt)
	mux.Handle(rt.Method+" "+rt.Path, s.instrument(rt, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.apiError(w, r, err)
		}
	}))
}

// page registers an HTML route.
func (s *Server) page(mux *http.ServeMux, rt route, h func(http.ResponseWriter, *http.Request) error) {
	rt.Page = true
	if rt.Tag == "" {
		rt.Tag = "pages"
	}
	s.routes = append(s.routes, rt)
	mux.Handle(rt.Method+" "+rt.Path, s.instrument(rt, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.pageError(w, r, err)
		}
	}))
}
