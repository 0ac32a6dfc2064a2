package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"soviet"
	"soviet/store"
)

// Form bodies of the pages (the names are the form fields).
type (
	setupForm struct {
		Handle     string `json:"handle"`
		Name       string `json:"name"`
		Password   string `json:"password"`
		Federation string `json:"federation"`
	}
	loginForm struct {
		Handle   string `json:"handle"`
		Password string `json:"password"`
		Next     string `json:"next,omitempty"`
	}
	signupForm struct {
		Handle   string `json:"handle"`
		Name     string `json:"name"`
		Password string `json:"password"`
		Next     string `json:"next,omitempty"`
	}
	passwordForm struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	tokenForm struct {
		Name string `json:"name"`
	}
	federationForm struct {
		Name string `json:"name"`
	}
	councilForm struct {
		Name        string `json:"name"`
		Kind        string `json:"kind"`
		Description string `json:"description,omitempty"`
		Join        string `json:"join,omitempty"`
		SendsTo     string `json:"sends_to,omitempty"`
	}
	linkForm struct {
		To string `json:"to"`
	}
	invitationForm struct {
		Note string `json:"note,omitempty"`
	}
	joinForm struct {
		Message string `json:"message,omitempty"`
	}
	decisionForm struct {
		Admit string `json:"admit"`
	}
	motionForm struct {
		Title    string `json:"title,omitempty"` // required but for a recall, mandate or overturn
		Body     string `json:"body"`
		Majority string `json:"majority,omitempty"`
		// What the motion does: ordinary (the default), recall, mandate,
		// charter or overturn; what it acts on (an office, a motion above,
		// a committee decision); a mandate's instruction; the motion of
		// another council it takes up. A charter motion carries every
		// rule of the new charter (charterForm).
		Kind        string `json:"kind,omitempty"`
		Target      string `json:"target,omitempty"`
		Instruction string `json:"instruction,omitempty"`
		Origin      string `json:"origin,omitempty"`
		charterForm
	}
	openForm struct {
		Deadline string `json:"deadline,omitempty"`
		Secrecy  string `json:"secrecy,omitempty"` // roll-call or secret; empty: the charter's default
	}
	voteForm struct {
		Choice string `json:"choice"`
	}
	// splitVoteForm is a roll-call vote: a choice, or in a weighted vote
	// the choice "split" with the parts of the voter's weight.
	splitVoteForm struct {
		Choice  string `json:"choice"` // yes, no, abstain or split
		Yes     string `json:"yes,omitempty"`
		No      string `json:"no,omitempty"`
		Abstain string `json:"abstain,omitempty"`
	}
)

// form parses a form post within maxBody.
func form(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		return soviet.Errorf(soviet.ErrInvalid, "malformed form: %v", err)
	}
	return nil
}

// formError re-renders a form with the error of the failed post, keeping
// what was typed, when the error is the visitor's to fix. A refusal (403)
// is not: the page would not even show the form to them, nor the error.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, page string, data interface {
	pageData
	setError(string)
}, err error) error {
	status, _ := classify(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		return err
	}
	data.setError(message(err))
	s.render(w, r, status, page, data)
	return nil
}

type formBase struct {
	base
	Error string
}

func (f *formBase) setError(msg string) { f.Error = msg }

type homePage struct {
	base
	Founded     bool
	Memberships []soviet.Council
	Federations []soviet.Federation
	OpenVotes   []store.OpenVote
	Elections   []store.OpenElection // open elections in which the actor may stand or vote
	Head        store.Head
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	founded, err := s.db.Founded(ctx)
	if err != nil {
		return err
	}
	if !founded {
		return redirect(w, r, "/setup")
	}
	p := &homePage{base: base{Title: "Home"}, Founded: true}
	if p.Head, err = s.db.Head(ctx); err != nil {
		return err
	}
	if a := actorOf(r); a.ID != 0 {
		if p.Memberships, err = s.db.Memberships(ctx, a.ID); err != nil {
			return err
		}
		if p.Federations, err = s.db.FederationsOf(ctx, a.ID); err != nil {
			return err
		}
		if p.OpenVotes, err = s.db.OpenVotes(ctx, a.ID); err != nil {
			return err
		}
		if p.Elections, err = s.db.OpenElectionsFor(ctx, a.ID); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "home", p)
	return nil
}

type setupPage struct {
	formBase
	Form setupForm
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	if founded, err := s.db.Founded(r.Context()); err != nil {
		return err
	} else if founded {
		return soviet.Errorf(soviet.ErrConflict, "this instance already has its founder: sign in or ask for an invitation")
	}
	s.render(w, r, http.StatusOK, "setup", &setupPage{formBase: formBase{base: base{Title: "Found this instance"}}})
	return nil
}

func (s *Server) setupPost(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r); err != nil {
		return err
	}
	p := &setupPage{formBase: formBase{base: base{Title: "Found this instance"}}, Form: setupForm{
		Handle: r.PostFormValue("handle"), Name: r.PostFormValue("name"), Federation: r.PostFormValue("federation")}}
	err := func() error {
		hash, err := s.hashPassword(r.PostFormValue("password"))
		if err != nil {
			return err
		}
		in := soviet.AccountInput{Handle: p.Form.Handle, Name: p.Form.Name, PasswordHash: hash}
		if strings.TrimSpace(p.Form.Federation) == "" {
			a, err := s.svc.Found(r.Context(), in)
			if err != nil {
				return err
			}
			if err := s.startSession(w, r, a); err != nil {
				return err
			}
			return redirect(w, r, "/federations/new")
		}
		a, f, err := s.svc.FoundInstance(r.Context(), in, p.Form.Federation)
		if err != nil {
			return err
		}
		if err := s.startSession(w, r, a); err != nil {
			return err
		}
		s.flash(w, r, "Welcome. Your federation is founded: create its first councils.")
		return redirect(w, r, fmt.Sprintf("/federations/%d", f.ID))
	}()
	if err != nil {
		return s.formError(w, r, "setup", p, err)
	}
	return nil
}

type loginPage struct {
	formBase
	Form loginForm
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "login", &loginPage{formBase: formBase{base: base{Title: "Sign in"}}, Form: loginForm{Next: safeNext(r.URL.Query().Get("next"))}})
	return nil
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r); err != nil {
		return err
	}
	p := &loginPage{formBase: formBase{base: base{Title: "Sign in"}}, Form: loginForm{Handle: r.PostFormValue("handle"), Next: safeNext(r.PostFormValue("next"))}}
	if _, err := s.signIn(w, r, p.Form.Handle, r.PostFormValue("password")); err != nil {
		return s.formError(w, r, "login", p, err)
	}
	return redirect(w, r, p.Form.Next)
}

func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.signOut(w, r); err != nil {
		return err
	}
	return redirect(w, r, "/")
}

type signupPage struct {
	formBase
	Form signupForm
}

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "signup", &signupPage{formBase: formBase{base: base{Title: "Create an account"}}, Form: signupForm{Next: safeNext(r.URL.Query().Get("next"))}})
	return nil
}

func (s *Server) signupPost(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r); err != nil {
		return err
	}
	p := &signupPage{formBase: formBase{base: base{Title: "Create an account"}}, Form: signupForm{
		Handle: r.PostFormValue("handle"), Name: r.PostFormValue("name"), Next: safeNext(r.PostFormValue("next"))}}
	a, err := s.register(r, p.Form.Handle, p.Form.Name, r.PostFormValue("password"))
	if err == nil {
		err = s.startSession(w, r, a)
	}
	if err != nil {
		return s.formError(w, r, "signup", p, err)
	}
	return redirect(w, r, p.Form.Next)
}

type accountPage struct {
	formBase
	Tokens   []store.APIToken
	NewToken string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	p := &accountPage{formBase: formBase{base: base{Title: "Your account"}}}
	if p.Tokens, err = s.db.APITokens(r.Context(), a.ID); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account", p)
	return nil
}

func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r); err != nil {
		return err
	}
	if err := s.changePassword(w, r, r.PostFormValue("current"), r.PostFormValue("new")); err != nil {
		return err
	}
	s.flash(w, r, "Password changed. Every other session was signed out.")
	return redirect(w, r, "/account")
}

func (s *Server) tokenPost(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	token, _, err := s.newAPIToken(r.Context(), a.ID, r.PostFormValue("name"))
	if err != nil {
		return err
	}
	// The token is shown once, on this response.
	p := &accountPage{formBase: formBase{base: base{Title: "Your account"}}, NewToken: token}
	if p.Tokens, err = s.db.APITokens(r.Context(), a.ID); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account", p)
	return nil
}

func (s *Server) tokenDeletePost(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	s.auth.forgetAccount(a.ID)
	if err := s.db.DeleteAPIToken(r.Context(), a.ID, r.PathValue("id")); err != nil {
		return err
	}
	s.flash(w, r, "Token deleted.")
	return redirect(w, r, "/account")
}

type newFederationPage struct {
	formBase
	Name string
}

func (s *Server) newFederationPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireActor(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "federation_new", &newFederationPage{formBase: formBase{base: base{Title: "New federation"}}})
	return nil
}

func (s *Server) federationPost(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r); err != nil {
		return err
	}
	p := &newFederationPage{formBase: formBase{base: base{Title: "New federation"}}, Name: r.PostFormValue("name")}
	f, err := s.svc.CreateFederation(r.Context(), actorOf(r).ID, p.Name)
	if err != nil {
		return s.formError(w, r, "federation_new", p, err)
	}
	s.flash(w, r, "Federation created: now create its councils.")
	return redirect(w, r, fmt.Sprintf("/federations/%d", f.ID))
}

// treeNode is a council with the councils that send delegates to it.
type treeNode struct {
	Council  store.CouncilSummary
	Children []treeNode
}

// councilTree arranges councils as trees from the top: a council that
// sends delegates to no one is a root, and under each council are those that
// send delegates to it (a council sending to two appears under both).
func councilTree(cs []store.CouncilSummary) []treeNode {
	below := map[int64][]store.CouncilSummary{}
	for _, c := range cs {
		for _, to := range c.SendsTo {
			below[to] = append(below[to], c)
		}
		// A committee sends no delegates: it shows under the council
		// that elects it, not as a root.
		if c.Kind == soviet.Committee && c.Parent != 0 {
			below[c.Parent] = append(below[c.Parent], c)
		}
	}
	var build func(c store.CouncilSummary, depth int) treeNode
	build = func(c store.CouncilSummary, depth int) treeNode {
		n := treeNode{Council: c}
		if depth > 64 { // the graph is acyclic; this only guards a corrupt one
			return n
		}
		for _, child := range below[c.ID] {
			n.Children = append(n.Children, build(child, depth+1))
		}
		return n
	}
	var roots []treeNode
	for _, c := range cs {
		if len(c.SendsTo) == 0 && !(c.Kind == soviet.Committee && c.Parent != 0) {
			roots = append(roots, build(c, 0))
		}
	}
	return roots
}

type federationPage struct {
	formBase
	Federation soviet.Federation
	Charter    soviet.Charter
	Rules      []charterRule          // the charter in force, rule by rule
	History    []store.CharterVersion // every version, newest first
	Top        *store.CouncilSummary  // where the charter changes
	Councils   []store.CouncilSummary
	Tree       []treeNode
	Roles      soviet.Role
	Members    int64
	Form       councilForm
}

func (s *Server) loadFederationPage(r *http.Request, id int64) (*federationPage, error) {
	fv, err := s.federationView(r, id)
	if err != nil {
		return nil, err
	}
	_, roles, err := s.svc.FederationRolesOf(r.Context(), actorOf(r).ID, id)
	if err != nil {
		return nil, err
	}
	p := &federationPage{formBase: formBase{base: base{Title: fv.Federation.Name}}, Federation: fv.Federation, Charter: fv.Charter,
		Councils: fv.Councils, Tree: councilTree(fv.Councils), Roles: roles, Form: councilForm{Kind: "base"}}
	for _, c := range fv.Councils {
		p.Members += c.Members
	}
	p.Rules = charterRules(fv.Charter, nil)
	if p.History, err = s.db.CharterHistory(r.Context(), id); err != nil {
		return nil, err
	}
	if top, ok := topCouncil(fv.Councils); ok {
		p.Top = &top
	}
	return p, nil
}

func (s *Server) federationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadFederationPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "federation", p)
	return nil
}

func (s *Server) councilPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	f := councilForm{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Description: r.PostFormValue("description"),
		Join: r.PostFormValue("join"), SendsTo: r.PostFormValue("sends_to")}
	in := soviet.CouncilInput{Federation: id, Name: f.Name, Kind: soviet.CouncilKind(f.Kind), Description: f.Description, Join: f.Join != ""}
	for _, v := range r.PostForm["sends_to"] {
		if v == "" {
			continue
		}
		to, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return soviet.Errorf(soviet.ErrInvalid, "sends_to must be council ids")
		}
		in.SendsTo = append(in.SendsTo, to)
	}
	c, err := s.svc.CreateCouncil(r.Context(), actorOf(r).ID, in)
	if err != nil {
		p, perr := s.loadFederationPage(r, id)
		if perr != nil {
			return err
		}
		p.Form = f
		return s.formError(w, r, "federation", p, err)
	}
	s.flash(w, r, fmt.Sprintf("Council %q created.", c.Name))
	return redirect(w, r, fmt.Sprintf("/federations/%d", id))
}

type councilPage struct {
	formBase
	Council    soviet.Council
	Federation soviet.Federation
	Members    []store.MemberRow
	Motions    []soviet.Motion
	Roles      soviet.Role
	Higher     []store.CouncilSummary // councils this one sends delegates to
	Candidates []store.CouncilSummary // delegate councils it could send to
	Pending    bool                   // the actor has asked to join
	Form       motionForm
	Seats      *councilSeats // seats, delegates, committees, elections, composition
	Kinds      *councilKinds // recalls, mandates, committee decisions, the charter
}

func (s *Server) loadCouncilPage(r *http.Request, id int64) (*councilPage, error) {
	cv, roles, err := s.councilView(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	f, err := s.db.Federation(ctx, cv.Council.Federation)
	if err != nil {
		return nil, err
	}
	all, err := s.db.Councils(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	p := &councilPage{formBase: formBase{base: base{Title: cv.Council.Name}}, Council: cv.Council, Federation: f,
		Members: cv.Members, Motions: cv.Motions, Roles: roles}
	var sendsTo []int64
	for _, c := range all {
		if c.ID == id {
			sendsTo = c.SendsTo
		}
	}
	for _, c := range all {
		linked := false
		for _, to := range sendsTo {
			if to == c.ID {
				linked = true
			}
		}
		switch {
		case linked:
			p.Higher = append(p.Higher, c)
		case c.Kind == soviet.Delegate && c.ID != id:
			p.Candidates = append(p.Candidates, c)
		}
	}
	if p.Seats, err = s.loadCouncilSeats(ctx, cv.Council, all); err != nil {
		return nil, err
	}
	if p.Kinds, err = s.loadCouncilKinds(ctx, cv.Council, all, actorOf(r).ID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) councilPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadCouncilPage(r, id)
	if errors.Is(err, soviet.ErrForbidden) && actorOf(r).ID != 0 {
		// Someone outside the federation may still ask to join.
		return s.joinLanding(w, r, id)
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "council", p)
	return nil
}

type joinLandingPage struct {
	formBase
	Council soviet.Council
}

// joinLanding shows an outsider the council's name and a form to ask to
// join it, and nothing else.
func (s *Server) joinLanding(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := s.db.Council(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "join_landing", &joinLandingPage{formBase: formBase{base: base{Title: c.Name}}, Council: c})
	return nil
}

func (s *Server) linkPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	to, err := strconv.ParseInt(r.PostFormValue("to"), 10, 64)
	if err != nil {
		return soviet.Errorf(soviet.ErrInvalid, "choose a council to send delegates to")
	}
	if err := s.svc.LinkCouncils(r.Context(), actorOf(r).ID, id, to); err != nil {
		return err
	}
	s.flash(w, r, "The council now sends delegates there.")
	return redirect(w, r, fmt.Sprintf("/councils/%d", id))
}

type invitationsPage struct {
	formBase
	Council     soviet.Council
	Invitations []soviet.Invitation
	Requests    []store.JoinRequestRow
	Names       map[int64]string
	NewLink     string
	Now         time.Time
}

func (s *Server) loadInvitationsPage(r *http.Request, id int64) (*invitationsPage, error) {
	c, err := s.secretaryOf(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p := &invitationsPage{formBase: formBase{base: base{Title: "Invitations: " + c.Name}}, Council: c, Now: s.now()}
	if p.Invitations, err = s.db.Invitations(ctx, id); err != nil {
		return nil, err
	}
	if p.Requests, err = s.db.JoinRequests(ctx, id); err != nil {
		return nil, err
	}
	var ids []int64
	for _, inv := range p.Invitations {
		ids = append(ids, inv.AcceptedBy)
	}
	if p.Names, err = s.db.AccountNames(ctx, ids...); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadInvitationsPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "invitations", p)
	return nil
}

func (s *Server) invitationPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	_, token, err := s.svc.IssueInvitation(r.Context(), actorOf(r).ID, id, r.PostFormValue("note"))
	if err != nil {
		return err
	}
	// The link is shown once, on this response: only its hash is kept.
	p, err := s.loadInvitationsPage(r, id)
	if err != nil {
		return err
	}
	p.NewLink = absURL(r, "/join/"+token)
	s.render(w, r, http.StatusCreated, "invitations", p)
	return nil
}

func (s *Server) revokePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var council int64
	err = s.db.View(r.Context(), func(ctx context.Context, tx soviet.Tx) error {
		inv, err := tx.Invitation(ctx, id)
		council = inv.Council
		return err
	})
	if err != nil {
		return err
	}
	if err := s.svc.RevokeInvitation(r.Context(), actorOf(r).ID, id); err != nil {
		return err
	}
	s.flash(w, r, "Invitation revoked.")
	return redirect(w, r, fmt.Sprintf("/councils/%d/invitations", council))
}

func (s *Server) joinPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	if _, err := s.svc.RequestJoin(r.Context(), actorOf(r).ID, id, r.PostFormValue("message")); err != nil {
		return err
	}
	s.flash(w, r, "Your request was sent to the council's secretary.")
	return redirect(w, r, "/")
}

func (s *Server) leavePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Leave(r.Context(), actorOf(r).ID, id); err != nil {
		return err
	}
	s.flash(w, r, "You left the council.")
	return redirect(w, r, "/")
}

func (s *Server) motionPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	f := motionForm{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Majority: r.PostFormValue("majority"),
		Kind: r.PostFormValue("kind"), Target: r.PostFormValue("target"), Instruction: r.PostFormValue("instruction"), Origin: r.PostFormValue("origin")}
	m, err := func() (soviet.Motion, error) {
		in, err := s.motionFromForm(r, id)
		if err != nil {
			return soviet.Motion{}, err
		}
		return s.svc.ProposeMotion(r.Context(), actorOf(r).ID, in)
	}()
	if err != nil {
		if f.Kind == string(soviet.CharterMotion) {
			if shown, ferr := s.charterFormError(w, r, id, f, err); shown {
				return ferr
			}
		}
		p, perr := s.loadCouncilPage(r, id)
		if perr != nil {
			return pageLoadError(perr, err)
		}
		if f.Kind == "" || f.Kind == string(soviet.Ordinary) {
			p.Form = f // what was typed, back in the form
		}
		return s.formError(w, r, "council", p, err)
	}
	switch {
	case m.Kind == soviet.RecallMotion && m.State == soviet.Submitted:
		s.flash(w, r, "Recall petition started: you signed it first.")
	case m.Kind == soviet.RecallMotion && m.State == soviet.Voting:
		s.flash(w, r, "Recall petition started: it already has the signatures it needs, and its vote is open.")
	}
	return redirect(w, r, fmt.Sprintf("/motions/%d", m.ID))
}

type acceptPage struct {
	formBase
	Token      string
	Invitation soviet.Invitation
	Council    soviet.Council
	Federation soviet.Federation
	Problem    string
}

func (s *Server) acceptPage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	inv, c, err := s.db.InvitationByToken(r.Context(), soviet.HashToken(token))
	if errors.Is(err, soviet.ErrNotFound) {
		return soviet.Errorf(soviet.ErrNotFound, "no such invitation: check the link")
	} else if err != nil {
		return err
	}
	f, err := s.db.Federation(r.Context(), c.Federation)
	if err != nil {
		return err
	}
	p := &acceptPage{formBase: formBase{base: base{Title: "Invitation to " + c.Name}}, Token: token, Invitation: inv, Council: c, Federation: f}
	switch {
	case inv.AcceptedBy != 0:
		p.Problem = "This invitation has already been used."
	case inv.Revoked:
		p.Problem = "This invitation was revoked."
	case !s.now().Before(inv.Expires):
		p.Problem = "This invitation has expired. Ask the council's secretary for a new one."
	}
	s.render(w, r, http.StatusOK, "accept", p)
	return nil
}

func (s *Server) acceptPost(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireActor(r); err != nil {
		return redirect(w, r, "/signup?next="+urlQueryEscape(r.URL.Path))
	}
	m, err := s.svc.AcceptInvitation(r.Context(), actorOf(r).ID, r.PathValue("token"))
	if err != nil {
		return err
	}
	s.flash(w, r, "Welcome: you are now a member of this council.")
	return redirect(w, r, fmt.Sprintf("/councils/%d", m.Council))
}

func (s *Server) decisionPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	var admit bool
	switch r.PostFormValue("admit") {
	case "yes", "true", "1":
		admit = true
	case "no", "false", "0":
	default:
		return soviet.Errorf(soviet.ErrInvalid, "admit must be yes or no")
	}
	var council int64
	err = s.db.View(r.Context(), func(ctx context.Context, tx soviet.Tx) error {
		jr, err := tx.JoinRequest(ctx, id)
		council = jr.Council
		return err
	})
	if err != nil {
		return err
	}
	if err := s.svc.DecideJoin(r.Context(), actorOf(r).ID, id, admit); err != nil {
		return err
	}
	if admit {
		s.flash(w, r, "Admitted.")
	} else {
		s.flash(w, r, "Refused.")
	}
	return redirect(w, r, fmt.Sprintf("/councils/%d/invitations", council))
}
