package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"soviet"
	"soviet/store"
)

// The pages of council democracy: the council page's seats, delegates,
// committees, elections and composition; the election page with its
// ranked ballot and count; the delegate record; the factions page. Every
// form posts and redirects (303), so the pages work without JavaScript.

// Form bodies of these pages (the names are the form fields).
type (
	committeeForm struct {
		Name        string `json:"name"`
		Role        string `json:"role"`  // executive, secretariat or commission
		Seats       string `json:"seats"` // 1 to 100
		Description string `json:"description,omitempty"`
	}
	callElectionForm struct {
		Body string `json:"body"` // the council whose seats are to be filled
	}
	nominateForm struct {
		Account string `json:"account,omitempty"` // default: yourself
		Faction string `json:"faction,omitempty"` // default: none
	}
	rankingForm struct {
		// Rank holds one candidate's account per preference, most
		// preferred first; empty ranks are skipped.
		Rank []string `json:"rank"`
	}
	factionForm struct {
		Name   string `json:"name"`
		Colour string `json:"colour"` // #rrggbb
	}
	affiliationForm struct {
		Faction string `json:"faction"` // a faction's id, or 0 for none
	}
)

// formID reads an id from a form field: a positive integer, or 0 when the
// field is empty and optional.
func formID(r *http.Request, field string, optional bool) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" && optional {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 || (id == 0 && !optional) {
		return 0, soviet.Errorf(soviet.ErrInvalid, "%s %q is not a valid choice", field, v)
	}
	return id, nil
}

// momentFormat is how the charts label a moment: several changes may fall
// on one day.
const momentFormat = "2 Jan 2006 15:04"

// councilSeats is what a council page shows of council democracy.
type councilSeats struct {
	Table       store.SeatTable   // of a delegate council or committee
	Delegates   []store.OfficeRow // hold the council's seats
	Sent        []store.OfficeRow // hold seats for it elsewhere
	Past        []store.OfficeRow // ended offices in the council
	Committees  []soviet.Council
	Parent      soviet.Council // of a committee
	Open        []store.ElectionRow
	Closed      []store.ElectionRow // closed or cancelled
	Bodies      []store.BodySeats   // where it holds seats
	Composition store.Composition
	Hemicycle   template.HTML
	OverTime    template.HTML
}

// loadCouncilSeats loads a council's seats, delegates, committees,
// elections and composition, and draws its charts.
func (s *Server) loadCouncilSeats(ctx context.Context, c soviet.Council, all []store.CouncilSummary) (*councilSeats, error) {
	cs := &councilSeats{}
	var err error
	if c.Kind != soviet.Base {
		if cs.Table, err = s.db.SeatTable(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if cs.Delegates, err = s.db.SeatHolders(ctx, c.ID); err != nil {
		return nil, err
	}
	if cs.Sent, err = s.db.SentDelegates(ctx, c.ID); err != nil {
		return nil, err
	}
	if cs.Past, err = s.db.OfficeHistory(ctx, c.ID); err != nil {
		return nil, err
	}
	if cs.Bodies, err = s.db.SeatsOf(ctx, c.ID); err != nil {
		return nil, err
	}
	for _, k := range all {
		if k.Kind == soviet.Committee && k.Parent == c.ID {
			cs.Committees = append(cs.Committees, k.Council)
		}
		if c.Kind == soviet.Committee && k.ID == c.Parent {
			cs.Parent = k.Council
		}
	}
	es, err := s.db.Elections(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.State == soviet.Nominating || e.State == soviet.Polling {
			cs.Open = append(cs.Open, e)
		} else {
			cs.Closed = append(cs.Closed, e)
		}
	}
	if cs.Composition, err = s.db.Composition(ctx, c.ID); err != nil {
		return nil, err
	}
	cs.Hemicycle, cs.OverTime = compositionCharts(c, cs.Composition)
	return cs, nil
}

// compositionCharts draws a council's composition now (a hemicycle) and,
// for a body with seats, over time.
func compositionCharts(c soviet.Council, comp store.Composition) (now, overTime template.HTML) {
	groups := make([]chartGroup, len(comp.Groups))
	for i, g := range comp.Groups {
		groups[i] = chartGroup{Name: g.Name, Colour: g.Colour, Count: g.Count}
	}
	what := "seats"
	if comp.Basis == "members" {
		what = "members"
	}
	now = hemicycle(fmt.Sprintf("%s: %s by faction", c.Name, what), groups, comp.Vacant)
	if comp.Basis != "seats" || len(comp.History) == 0 {
		return now, ""
	}
	steps := make([]compositionStep, len(comp.History))
	for i, h := range comp.History {
		steps[i] = compositionStep{Label: h.At.UTC().Format(momentFormat), Counts: h.Counts, Vacant: h.Vacant}
	}
	return now, compositionChart(fmt.Sprintf("%s: seats by faction over time", c.Name), groups, steps)
}

func (s *Server) committeePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	// A council that does not exist is the first thing wrong with the
	// request, whatever the form says.
	parent, err := s.db.Council(r.Context(), id)
	if err != nil {
		return err
	}
	seats, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("seats")))
	if err != nil {
		return soviet.Errorf(soviet.ErrInvalid, "seats must be a number from 1 to 100")
	}
	c, err := s.svc.CreateCouncil(r.Context(), actorOf(r).ID, soviet.CouncilInput{Federation: parent.Federation, Name: r.PostFormValue("name"),
		Kind: soviet.Committee, Description: r.PostFormValue("description"), Parent: id, Role: r.PostFormValue("role"), Seats: seats})
	if err != nil {
		return err
	}
	s.flash(w, r, fmt.Sprintf("Committee %q created: its election is open for nominations.", c.Name))
	return redirect(w, r, fmt.Sprintf("/councils/%d", c.ID))
}

func (s *Server) callElectionPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	if _, err := s.db.Council(r.Context(), id); err != nil {
		return err
	}
	body, err := formID(r, "body", false)
	if err != nil {
		return err
	}
	e, err := s.svc.CallElection(r.Context(), actorOf(r).ID, id, body)
	if err != nil {
		return err
	}
	s.flash(w, r, "Election called: nominations are open.")
	return redirect(w, r, fmt.Sprintf("/elections/%d", e.ID))
}

// rankSlot is one preference of the ranked ballot form: a select of the
// candidates.
type rankSlot struct {
	N       int
	Options []rankOption
}

type rankOption struct {
	Account  int64
	Name     string
	Selected bool
}

type electionPage struct {
	formBase
	electionResponse
	Federation soviet.Federation
	Roles      soviet.Role
	Factions   []soviet.Faction
	Voters     []soviet.Account // whom the actor may nominate
	Standing   bool             // the actor is a candidate
	CanRank    bool             // the actor may cast a ballot now
	Ranks      []rankSlot
	Names      map[int64]string // candidates by account
	Report     *reportView
	Chart      template.HTML
	Form       nominateForm
}

// maxVoterChoices bounds the nomination form's list of voters: a large
// council's members are nominated through the API, or nominate themselves.
const maxVoterChoices = 1000

func (s *Server) loadElectionPage(r *http.Request, id int64) (*electionPage, error) {
	ev, roles, err := s.electionView(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	e := ev.Election
	p := &electionPage{electionResponse: ev, Roles: roles, Names: map[int64]string{}}
	p.Title = fmt.Sprintf("Election: %s to %s", ev.Council.Name, ev.Body.Name)
	if p.Federation, err = s.db.Federation(ctx, ev.Council.Federation); err != nil {
		return nil, err
	}
	me := actorOf(r).ID
	var standing []store.CandidateRow
	for _, c := range ev.Candidates {
		p.Names[c.Account] = c.Name
		if !c.Withdrawn {
			standing = append(standing, c)
			p.Standing = p.Standing || c.Account == me
		}
	}
	if e.State == soviet.Nominating && soviet.Allowed(soviet.ActNominate, roles) {
		fs, err := s.db.FactionRows(ctx, p.Federation.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			p.Factions = append(p.Factions, f.Faction)
		}
		if p.Voters, err = s.db.Voters(ctx, ev.Council.ID); err != nil {
			return nil, err
		}
		if len(p.Voters) > maxVoterChoices {
			p.Voters = nil
		}
	}
	if e.State == soviet.Polling && s.now().Before(e.Deadline) && soviet.Allowed(soviet.ActCastVote, roles) {
		err := s.db.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
			var err error
			p.CanRank, err = tx.InElectionElectorate(ctx, id, me)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if p.CanRank {
		for i := range standing {
			slot := rankSlot{N: i + 1}
			for _, c := range standing {
				slot.Options = append(slot.Options, rankOption{Account: c.Account, Name: c.Name,
					Selected: i < len(ev.YourRanking) && ev.YourRanking[i] == c.Account})
			}
			p.Ranks = append(p.Ranks, slot)
		}
	}
	if e.State == soviet.Closed && len(e.Report) > 0 {
		colours := map[string]string{}
		for _, c := range ev.Candidates {
			colours[fmt.Sprintf("%s (@%s)", c.Name, c.Handle)] = c.FactionColour
		}
		rv, candidates, rounds, err := decodeReport(e.Report, colours)
		if err != nil {
			return nil, fmt.Errorf("election %d: report: %w", id, err)
		}
		p.Report = rv
		if len(rounds) > 0 {
			p.Chart = transferChart(fmt.Sprintf("The count of election %d, round by round", id), candidates, rounds)
		}
	}
	return p, nil
}

func (s *Server) electionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadElectionPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "election", p)
	return nil
}

// pageLoadError chooses between the error of a failed post and the error
// of loading the page to show it on: a page that does not exist (the post
// named nothing) is what the visitor must hear first, before anything
// wrong with the form.
func pageLoadError(load, post error) error {
	if errors.Is(load, soviet.ErrNotFound) {
		return load
	}
	return post
}

// electionFormError shows the election page again with the error of a
// failed post and what was typed.
func (s *Server) electionFormError(w http.ResponseWriter, r *http.Request, id int64, f nominateForm, err error) error {
	p, perr := s.loadElectionPage(r, id)
	if perr != nil {
		return pageLoadError(perr, err)
	}
	p.Form = f
	return s.formError(w, r, "election", p, err)
}

func (s *Server) nominatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	f := nominateForm{Account: r.PostFormValue("account"), Faction: r.PostFormValue("faction")}
	err = func() error {
		account, err := formID(r, "account", true)
		if err != nil {
			return err
		}
		faction, err := formID(r, "faction", true)
		if err != nil {
			return err
		}
		return s.nominate(r, id, account, faction)
	}()
	if err != nil {
		return s.electionFormError(w, r, id, f, err)
	}
	s.flash(w, r, "Nominated.")
	return redirect(w, r, fmt.Sprintf("/elections/%d", id))
}

// electionCommand runs a command on the election in the path and returns
// to its page with the message the command gives.
func (s *Server) electionCommand(w http.ResponseWriter, r *http.Request, cmd func(actor, id int64) (string, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	done, err := cmd(actorOf(r).ID, id)
	if err != nil {
		return err
	}
	s.flash(w, r, done)
	return redirect(w, r, fmt.Sprintf("/elections/%d", id))
}

func (s *Server) withdrawCandidacyPost(w http.ResponseWriter, r *http.Request) error {
	return s.electionCommand(w, r, func(actor, id int64) (string, error) {
		return "You withdrew your candidacy.", s.svc.WithdrawCandidacy(r.Context(), actor, id)
	})
}

// pollingForm chooses the vote's secrecy ("" for the charter's default).
type pollingForm struct {
	Secrecy string `json:"secrecy,omitempty"`
}

func (s *Server) pollingPost(w http.ResponseWriter, r *http.Request) error {
	return s.electionCommand(w, r, func(actor, id int64) (string, error) {
		e, err := s.svc.OpenPollingWith(r.Context(), actor, id, soviet.Secrecy(r.PostFormValue("secrecy")))
		if e.State == soviet.Closed {
			return "No more candidates than seats: they are elected unopposed.", err
		}
		return "Nominations are closed: the vote is open.", err
	})
}

func (s *Server) closeElectionPost(w http.ResponseWriter, r *http.Request) error {
	return s.electionCommand(w, r, func(actor, id int64) (string, error) {
		_, err := s.svc.CloseElection(r.Context(), actor, id)
		return "The vote is closed and counted.", err
	})
}

// rankingFrom reads the ranked ballot form: one rank field per preference.
func rankingFrom(r *http.Request) ([]int64, error) {
	var ranking []int64
	for _, v := range r.PostForm["rank"] {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		a, err := strconv.ParseInt(v, 10, 64)
		if err != nil || a <= 0 {
			return nil, soviet.Errorf(soviet.ErrInvalid, "rank %q is not a candidate", v)
		}
		ranking = append(ranking, a)
	}
	return ranking, nil
}

func (s *Server) electionBallotPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	ranking, err := rankingFrom(r)
	if err == nil {
		err = s.svc.CastRanking(r.Context(), actorOf(r).ID, id, ranking)
	}
	if err != nil {
		return s.electionFormError(w, r, id, nominateForm{}, err)
	}
	s.flash(w, r, "Your ballot is recorded; you may change it until the vote closes.")
	return redirect(w, r, fmt.Sprintf("/elections/%d", id))
}

// electionSecretBallotPost casts a secret ranked ballot and answers with
// the receipt, shown this once.
func (s *Server) electionSecretBallotPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	ranking, err := rankingFrom(r)
	var rc soviet.Receipt
	if err == nil {
		rc, err = s.svc.CastRankedBallot(r.Context(), actorOf(r).ID, id, ranking)
	}
	if err != nil {
		return s.electionFormError(w, r, id, nominateForm{}, err)
	}
	s.metrics.votes.Inc()
	s.showReceipt(w, r, fmt.Sprintf("/elections/%d", id), fmt.Sprintf("Election %d", id), rc)
	return nil
}

// reportView is an election's count as the page shows it.
type reportView struct {
	Unopposed  bool
	Method     string
	Seats      int
	Ballots    int64
	Quota      string
	ExactQuota string
	Candidates []string
	Elected    []string
	Rounds     []roundView
	Ties       []tieView
	Seed       string
}

type roundView struct {
	Number    int
	Action    string
	Concerns  string // the candidates the round concerns
	Note      string
	Cells     []cellView // by candidate
	Exhausted cellView
	Quota     string
}

type cellView struct {
	Votes  string // rounded for reading
	Exact  string // as published
	Change string // signed and rounded, "" when none
	Status string
}

// shownPlaces is how many decimals the round table shows, as the text
// report does; the exact published value is the cell's title.
const shownPlaces = 5

// rounded shortens a published decimal to shownPlaces, without trailing
// zeros; what is not a number is shown as it is.
func rounded(s string) string {
	if decimals(s) <= shownPlaces {
		return s
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	out := strings.TrimRight(strings.TrimRight(r.FloatString(shownPlaces), "0"), ".")
	if out == "-0" {
		return "0"
	}
	return out
}

type tieView struct {
	Round      int
	Purpose    string
	Candidates string
	Chosen     string
	ByLot      bool
}

// countReport is the published count (tally's JSON form) as the page
// reads it. Numbers are kept as written: the page shows the published
// digits, not a float's.
type countReport struct {
	Method     string        `json:"method"`
	Seats      int           `json:"seats"`
	Ballots    int64         `json:"ballots"`
	Candidates []string      `json:"candidates"`
	Quota      *json.Number  `json:"quota"`
	Elected    []string      `json:"elected"`
	Rounds     []reportRound `json:"rounds"`
	Ties       []reportTie   `json:"ties"`
	Seed       string        `json:"seed"`
}

type reportRound struct {
	Number     int          `json:"number"`
	Action     string       `json:"action"`
	Candidates []string     `json:"candidates"`
	Note       string       `json:"note"`
	Votes      []reportVote `json:"votes"`
	// Transfers is the newer form of the changes: by candidate's name,
	// beside the votes rather than in them.
	Transfers map[string]json.Number `json:"transfers"`
	Exhausted json.Number            `json:"exhausted"`
	Quota     json.Number            `json:"quota"`
}

type reportVote struct {
	Name     string      `json:"name"`
	Votes    json.Number `json:"votes"`
	Transfer json.Number `json:"transfer"`
	Status   string      `json:"status"`
}

type reportTie struct {
	Round      int      `json:"round"`
	Purpose    string   `json:"purpose"`
	Candidates []string `json:"candidates"`
	Chosen     string   `json:"chosen"`
	ByLot      bool     `json:"by_lot"`
}

// votesOf returns a candidate's votes in the round as written, "" if the
// round does not list them.
func (rd reportRound) votesOf(name string) string {
	for _, v := range rd.Votes {
		if v.Name == name {
			return v.Votes.String()
		}
	}
	return ""
}

// difference returns a - b exactly, with as many decimals as the more
// precise of the two, or "" if either is not a number or they are equal.
func difference(a, b string) string {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 {
		return ""
	}
	d := x.Sub(x, y)
	if d.Sign() == 0 {
		return ""
	}
	return d.FloatString(max(decimals(a), decimals(b)))
}

func decimals(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// signed puts a + before a positive change; zero is no change.
func signed(change string) string {
	if change == "" {
		return ""
	}
	if r, ok := new(big.Rat).SetString(change); ok && r.Sign() == 0 {
		return ""
	}
	if !strings.HasPrefix(change, "-") {
		return "+" + change
	}
	return change
}

// maxChartRounds is the number of steps above which the transfer chart
// shows only the last step of each stage (the table shows every step).
const maxChartRounds = 24

// decodeReport reads an election's report for the page: the round table,
// and the candidates and rounds of the transfer chart (colours maps a
// candidate's name in the report to their faction's colour).
func decodeReport(raw json.RawMessage, colours map[string]string) (*reportView, []chartGroup, []transferRound, error) {
	var probe struct {
		Unopposed bool `json:"unopposed"`
		Seats     int  `json:"seats"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, nil, nil, err
	}
	if probe.Unopposed {
		return &reportView{Unopposed: true, Seats: probe.Seats}, nil, nil, nil
	}
	var rep countReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, nil, nil, err
	}
	v := &reportView{Method: rep.Method, Seats: rep.Seats, Ballots: rep.Ballots, Candidates: rep.Candidates, Elected: rep.Elected, Seed: rep.Seed}
	if rep.Quota != nil {
		v.Quota, v.ExactQuota = rounded(rep.Quota.String()), rep.Quota.String()
	}
	candidates := make([]chartGroup, len(rep.Candidates))
	index := map[string]int{}
	for i, n := range rep.Candidates {
		candidates[i] = chartGroup{Name: n, Colour: colours[n]}
		index[n] = i
	}
	var chart []transferRound
	for ri, rd := range rep.Rounds {
		rv := roundView{Number: rd.Number, Action: rd.Action, Concerns: strings.Join(rd.Candidates, ", "), Note: rd.Note,
			Cells: make([]cellView, len(rep.Candidates)), Quota: rounded(rd.Quota.String())}
		tr := transferRound{Label: fmt.Sprintf("%d %s", rd.Number, rd.Action), Votes: make([]float64, len(rep.Candidates)),
			Status: make([]string, len(rep.Candidates))}
		for _, c := range rd.Votes {
			i, ok := index[c.Name]
			if !ok {
				continue
			}
			change := c.Transfer.String()
			if t, ok := rd.Transfers[c.Name]; ok {
				change = t.String()
			}
			if change == "" && ri > 0 {
				change = difference(c.Votes.String(), rep.Rounds[ri-1].votesOf(c.Name))
			}
			rv.Cells[i] = cellView{Votes: rounded(c.Votes.String()), Exact: c.Votes.String(), Change: signed(rounded(change)), Status: c.Status}
			tr.Votes[i], _ = c.Votes.Float64()
			tr.Status[i] = c.Status
		}
		rv.Exhausted = cellView{Votes: rounded(rd.Exhausted.String()), Exact: rd.Exhausted.String()}
		if ri > 0 {
			rv.Exhausted.Change = signed(rounded(difference(rd.Exhausted.String(), rep.Rounds[ri-1].Exhausted.String())))
		}
		tr.Exhausted, _ = rd.Exhausted.Float64()
		tr.Quota, _ = rd.Quota.Float64()
		v.Rounds = append(v.Rounds, rv)
		chart = append(chart, tr)
	}
	if len(chart) > maxChartRounds {
		var last []transferRound
		for i, tr := range chart {
			if i+1 == len(chart) || rep.Rounds[i+1].Number != rep.Rounds[i].Number {
				last = append(last, tr)
			}
		}
		chart = last
	}
	for _, t := range rep.Ties {
		v.Ties = append(v.Ties, tieView{Round: t.Round, Purpose: t.Purpose, Candidates: strings.Join(t.Candidates, ", "), Chosen: t.Chosen, ByLot: t.ByLot})
	}
	return v, candidates, chart, nil
}

type factionsPage struct {
	formBase
	Federation soviet.Federation
	Roles      soviet.Role
	Factions   []store.FactionRow
	Yours      int64
	Form       factionForm
}

func (s *Server) loadFactionsPage(r *http.Request, id int64) (*factionsPage, error) {
	f, roles, err := s.viewFederation(r, id)
	if err != nil {
		return nil, err
	}
	fv, err := s.factions(r, id)
	if err != nil {
		return nil, err
	}
	p := &factionsPage{Federation: f, Roles: roles, Factions: fv.Factions, Yours: fv.Yours, Form: factionForm{Colour: palette[len(fv.Factions)%len(palette)]}}
	p.Title = "Factions of " + f.Name
	return p, nil
}

func (s *Server) factionsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadFactionsPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "factions", p)
	return nil
}

// factionsFormError shows the factions page again with the error of a
// failed post and what was typed.
func (s *Server) factionsFormError(w http.ResponseWriter, r *http.Request, id int64, f *factionForm, err error) error {
	p, perr := s.loadFactionsPage(r, id)
	if perr != nil {
		return pageLoadError(perr, err)
	}
	if f != nil {
		p.Form = *f
	}
	return s.formError(w, r, "factions", p, err)
}

func (s *Server) factionPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	f := factionForm{Name: r.PostFormValue("name"), Colour: r.PostFormValue("colour")}
	fa, err := s.svc.CreateFaction(r.Context(), actorOf(r).ID, id, f.Name, f.Colour)
	if err != nil {
		return s.factionsFormError(w, r, id, &f, err)
	}
	s.flash(w, r, fmt.Sprintf("Faction %q founded.", fa.Name))
	return redirect(w, r, fmt.Sprintf("/federations/%d/factions", id))
}

func (s *Server) affiliationPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := form(w, r); err != nil {
		return err
	}
	err = func() error {
		faction, err := formID(r, "faction", true)
		if err != nil {
			return err
		}
		return s.svc.DeclareAffiliation(r.Context(), actorOf(r).ID, id, faction)
	}()
	if err != nil {
		return s.factionsFormError(w, r, id, nil, err)
	}
	s.flash(w, r, "Your affiliation is recorded.")
	return redirect(w, r, fmt.Sprintf("/federations/%d/factions", id))
}

type officePage struct {
	base
	officeResponse
	Federation soviet.Federation
}

func (s *Server) officePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ov, err := s.officeView(r, id)
	if err != nil {
		return err
	}
	p := &officePage{officeResponse: ov}
	p.Title = fmt.Sprintf("%s, %s", ov.Office.Name, ov.Office.BodyName)
	body, err := s.db.Council(r.Context(), ov.Office.Body)
	if err != nil {
		return err
	}
	if p.Federation, err = s.db.Federation(r.Context(), body.Federation); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "office", p)
	return nil
}
