package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// member adds a new member to a council of the fixture.
func (cw *councilWeb) member(handle string, council int64) int64 {
	cw.t.Helper()
	id := cw.f.Account(handle)
	cw.f.Invite(council, id)
	return id
}

// TestElectionScenarioCouncil runs a delegate election through the API on
// every engine: factions and affiliations, nominations, the vote, the
// count, the delegates seated, the composition, and a delegate's record
// with a roll-call vote cast in the higher council.
func TestElectionScenarioCouncil(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		ivan, pavel, sonia := cw.member("ivan", f.Putilov), cw.member("pavel", f.Putilov), cw.member("sonia", f.Putilov)

		// Factions, and members' affiliations.
		var bol, men factionResponse
		cw.api(f.Alice, "POST", pathf("/api/v1/federations/%d/factions", f.Fed), map[string]string{"name": "Bolsheviks", "colour": "#B3261E"}).want(t, 201).decode(t, &bol)
		cw.api(f.Bob, "POST", pathf("/api/v1/federations/%d/factions", f.Fed), map[string]string{"name": "Mensheviks", "colour": "#1f4e8c"}).want(t, 201).decode(t, &men)
		if bol.Faction.Colour != "#b3261e" {
			t.Errorf("colour %q, want it in lower case", bol.Faction.Colour)
		}
		for actor, faction := range map[int64]int64{f.Alice: bol.Faction.ID, ivan: bol.Faction.ID, f.Bob: men.Faction.ID} {
			cw.api(actor, "PUT", pathf("/api/v1/federations/%d/affiliation", f.Fed), map[string]int64{"faction": faction}).want(t, 204)
		}
		var fs factionsResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/federations/%d/factions", f.Fed), nil).want(t, 200).decode(t, &fs)
		if len(fs.Factions) != 2 || fs.Factions[0].Members != 2 || fs.Factions[1].Members != 1 || fs.Yours != bol.Faction.ID {
			t.Errorf("factions %+v", fs)
		}
		var comp store.Composition
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/composition", f.Putilov), nil).want(t, 200).decode(t, &comp)
		if comp.Basis != "members" || comp.Total != 6 || len(comp.Groups) != 3 || comp.Groups[0].Count != 2 || comp.Groups[1].Count != 1 || comp.Groups[2].Count != 3 {
			t.Errorf("Putilov's composition %+v", comp)
		}

		// Putilov Works elects its two delegates to the Soviet.
		ev := cw.openElection(f.Alice, f.Putilov, f.Soviet)
		if ev.Election.Seats != 2 || ev.Election.State != soviet.Nominating || ev.Electorate != 6 {
			t.Fatalf("election %+v, electorate %d", ev.Election, ev.Electorate)
		}
		id := ev.Election.ID
		cands := pathf("/api/v1/elections/%d/candidates", id)
		cw.api(f.Alice, "POST", cands, map[string]int64{"faction": bol.Faction.ID}).want(t, 201)
		cw.api(f.Bob, "POST", cands, map[string]int64{"faction": men.Faction.ID}).want(t, 201)
		cw.api(f.Alice, "POST", cands, map[string]int64{"account": f.Founder}).want(t, 201)
		cw.api(pavel, "POST", cands, map[string]int64{}).want(t, 201)
		cw.api(pavel, "DELETE", cands+"/me", nil).want(t, 204)
		cw.api(f.Alice, "POST", pathf("/api/v1/elections/%d/polling", id), nil).refused(t, 403, "secretary")
		cw.api(f.Founder, "POST", pathf("/api/v1/elections/%d/polling", id), nil).want(t, 200).decode(t, &ev)
		if ev.Election.State != soviet.Polling || ev.Election.Seed == "" || len(ev.Candidates) != 4 {
			t.Fatalf("after polling opened: %+v", ev)
		}
		ballots := map[int64][]int64{
			f.Founder: {f.Alice, f.Founder},
			f.Alice:   {f.Alice, f.Bob},
			f.Bob:     {f.Founder}, // changed below
			ivan:      {f.Alice, f.Founder},
			pavel:     {f.Founder, f.Bob},
			sonia:     {f.Bob, f.Alice},
		}
		for voter, ranking := range ballots {
			cw.api(voter, "PUT", pathf("/api/v1/elections/%d/ballot", id), map[string][]int64{"ranking": ranking}).want(t, 204)
		}
		cw.api(f.Bob, "PUT", pathf("/api/v1/elections/%d/ballot", id), map[string][]int64{"ranking": {f.Bob}}).want(t, 204)
		cw.api(f.Olga, "GET", pathf("/api/v1/elections/%d", id), nil).refused(t, 403, "member of the federation")
		cw.api(0, "GET", pathf("/api/v1/elections/%d", id), nil).refused(t, 401, "sign in")
		cw.api(f.Bob, "GET", pathf("/api/v1/elections/%d", id), nil).want(t, 200).decode(t, &ev)
		if ev.Ballots != 6 || ev.Electorate != 6 || len(ev.Rankings) != 6 || !slices.Equal(ev.YourRanking, []int64{f.Bob}) {
			t.Errorf("during the vote: ballots %d of %d, %d rankings, yours %v", ev.Ballots, ev.Electorate, len(ev.Rankings), ev.YourRanking)
		}

		// The count, an hour later: Alice reaches the quota at once;
		// her surplus elects Bob.
		f.Clock.Advance(time.Hour)
		cw.api(f.Founder, "POST", pathf("/api/v1/elections/%d/close", id), nil).want(t, 200).decode(t, &ev)
		if ev.Election.State != soviet.Closed || !slices.Equal(ev.Election.Elected, []int64{f.Alice, f.Bob}) {
			t.Fatalf("closed election %+v", ev.Election)
		}
		v, _, rounds, err := decodeReport(ev.Election.Report, nil)
		if err != nil || v.Method != "meek" || v.Ballots != 6 || len(rounds) < 2 || v.Quota == "" {
			t.Fatalf("report %+v (%v)", v, err)
		}
		cw.api(f.Alice, "PUT", pathf("/api/v1/elections/%d/ballot", id), map[string][]int64{"ranking": {f.Bob}}).refused(t, 409, "closed")

		// The delegates are seated in the Soviet, for Putilov Works.
		var dl delegatesResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/delegates", f.Soviet), nil).want(t, 200).decode(t, &dl)
		if len(dl.Delegates) != 2 || dl.Delegates[0].Account != f.Alice || dl.Delegates[0].FactionName != "Bolsheviks" ||
			dl.Delegates[1].Account != f.Bob || dl.Delegates[0].ConstituencyName != "Putilov Works" || dl.Delegates[0].Election != id {
			t.Fatalf("the Soviet's delegates %+v", dl.Delegates)
		}
		var sent delegatesResponse
		cw.api(f.Bob, "GET", pathf("/api/v1/councils/%d/delegates", f.Putilov), nil).want(t, 200).decode(t, &sent)
		if len(sent.Sent) != 2 || sent.Sent[0].BodyName != "Petrograd Soviet" || len(sent.Delegates) != 0 {
			t.Errorf("Putilov's delegates %+v", sent)
		}
		var seats store.SeatTable
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/seats", f.Soviet), nil).want(t, 200).decode(t, &seats)
		if seats.Seats != 3 || seats.Held != 2 || len(seats.Rows) != 2 || seats.Report == "" || seats.Method != "sainte-lague" {
			t.Errorf("seat table %+v", seats)
		}
		for _, r := range seats.Rows {
			if r.Constituency == f.Putilov && (r.Seats != 2 || r.Held != 2 || r.Members != 6) {
				t.Errorf("Putilov's row %+v", r)
			}
		}
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/composition", f.Soviet), nil).want(t, 200).decode(t, &comp)
		if comp.Basis != "seats" || comp.Total != 3 || comp.Vacant != 1 || len(comp.Groups) != 2 ||
			comp.Groups[0].Name != "Bolsheviks" || comp.Groups[0].Count != 1 || comp.Groups[1].Count != 1 {
			t.Errorf("the Soviet's composition %+v", comp)
		}
		if n := len(comp.History); n < 2 || comp.History[0].Vacant != 3 || !slices.Equal(comp.History[n-1].Counts, []int{1, 1}) {
			t.Errorf("the Soviet's composition over time %+v", comp.History)
		}

		// Alice votes as a delegate in the Soviet: her record shows it.
		var mr motionResponse
		cw.api(f.Alice, "POST", pathf("/api/v1/councils/%d/motions", f.Soviet), map[string]string{"title": "All power to the soviets", "body": "Resolved."}).want(t, 201).decode(t, &mr)
		cw.api(f.Founder, "POST", pathf("/api/v1/motions/%d/vote/open", mr.Motion.ID), nil).want(t, 200)
		cw.api(f.Alice, "PUT", pathf("/api/v1/motions/%d/vote", mr.Motion.ID), map[string]string{"choice": "yes"}).want(t, 204)
		var rec officeResponse
		cw.api(sonia, "GET", pathf("/api/v1/offices/%d", dl.Delegates[0].ID), nil).want(t, 200).decode(t, &rec)
		if !rec.Office.Active() || rec.Record.Account.ID != f.Alice || len(rec.Record.Offices) != 1 ||
			len(rec.Record.Candidacies) != 1 || !rec.Record.Candidacies[0].Elected || rec.Record.Candidacies[0].FactionName != "Bolsheviks" ||
			len(rec.Record.Votes) != 1 || rec.Record.Votes[0].Choice != soviet.Yes || rec.Record.Votes[0].CouncilName != "Petrograd Soviet" {
			t.Errorf("Alice's record %+v", rec)
		}
		var founderRec officeResponse
		cw.api(f.Bob, "GET", pathf("/api/v1/offices/%d", dl.Delegates[1].ID), nil).want(t, 200).decode(t, &founderRec)
		if len(founderRec.Record.Votes) != 0 || len(founderRec.Record.Candidacies) != 1 {
			t.Errorf("Bob's record %+v", founderRec.Record)
		}
		cw.api(f.Olga, "GET", pathf("/api/v1/offices/%d", dl.Delegates[0].ID), nil).refused(t, 403, "member of the federation")

		// And the pages show it all.
		page := cw.page(f.Alice, pathf("/elections/%d", id)).want(t, 200).Body
		for _, want := range []string{`class="chart transfers"`, `<table class="rounds">`, "Elected, in order", "alice (@alice), bob (@bob)", `id="rankings"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the election page lacks %q", want)
			}
		}
		page = cw.page(f.Alice, pathf("/councils/%d", f.Soviet)).want(t, 200).Body
		if n := strings.Count(page, `<circle class="seat`); n != 3 {
			t.Errorf("the Soviet's hemicycle has %d seats, want 3", n)
		}
		for _, want := range []string{"Seats in Petrograd Soviet", `class="chart composition"`, pathf(`href="/offices/%d"`, dl.Delegates[0].ID)} {
			if !strings.Contains(page, want) {
				t.Errorf("the Soviet's page lacks %q", want)
			}
		}
		page = cw.page(sonia, pathf("/offices/%d", dl.Delegates[0].ID)).want(t, 200).Body
		if !strings.Contains(page, "All power to the soviets") || !strings.Contains(page, "Bolsheviks") {
			t.Errorf("Alice's record page lacks her vote or faction")
		}
	})
}

// TestElectionFormsCouncil runs a committee's election through the pages'
// forms, as a browser without JavaScript does: every post answers 303,
// and the committee, once elected, holds the council's secretary role.
func TestElectionFormsCouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	f := cw.f
	res := cw.post(f.Founder, pathf("/councils/%d/committees", f.Putilov), url.Values{"name": {"Factory committee"}, "role": {"secretariat"}, "seats": {"1"}}).want(t, 303)
	committee, err := strconv.ParseInt(strings.TrimPrefix(res.Location, "/councils/"), 10, 64)
	if err != nil {
		t.Fatalf("redirected to %q", res.Location)
	}
	page := cw.page(f.Alice, res.Location).want(t, 200).Body
	if !strings.Contains(page, "A committee (secretariat, 1 seat) elected by") || !strings.Contains(page, "Seats in Factory committee") {
		t.Errorf("the committee's page: %.2000s", page)
	}
	ev := cw.openElection(f.Alice, f.Putilov, committee)
	id := ev.Election.ID
	at := func(p string) string { return pathf("/elections/%d%s", id, p) }

	// Nominations: Alice herself, Bob by Alice, then Bob withdraws and
	// stands again; the founder stands.
	page = cw.page(f.Alice, at("")).want(t, 200).Body
	if !strings.Contains(page, `action="`+at("/candidates")+`"`) || !strings.Contains(page, `<option value="`+strconv.FormatInt(f.Bob, 10)+`"`) {
		t.Fatalf("the nomination form is missing or lacks Bob: %.3000s", page)
	}
	cw.post(f.Alice, at("/candidates"), nil).want(t, 303)
	cw.post(f.Alice, at("/candidates"), url.Values{"account": {strconv.FormatInt(f.Bob, 10)}, "faction": {""}}).want(t, 303)
	cw.post(f.Bob, at("/withdraw"), nil).want(t, 303)
	cw.post(f.Bob, at("/candidates"), url.Values{"account": {""}}).want(t, 303)
	cw.post(f.Founder, at("/candidates"), nil).want(t, 303)
	cw.post(f.Alice, at("/candidates"), nil).refused(t, 409, "already a candidate")
	cw.post(f.Alice, at("/candidates"), url.Values{"account": {"bob"}}).refused(t, 400, "not a valid choice")
	cw.post(f.Olga, at("/candidates"), nil).refused(t, 403, "may nominate")
	cw.post(f.Founder, at("/polling"), nil).want(t, 303)

	// The ballot form: one select per preference.
	page = cw.page(f.Alice, at("")).want(t, 200).Body
	if n := strings.Count(page, `<select name="rank">`); n != 3 {
		t.Fatalf("the ballot form has %d rank selects, want 3", n)
	}
	id2 := func(a int64) string { return strconv.FormatInt(a, 10) }
	cw.post(f.Alice, at("/ballot"), url.Values{"rank": {id2(f.Alice), id2(f.Alice)}}).refused(t, 400, "ranked only once")
	cw.post(f.Alice, at("/ballot"), url.Values{"rank": {"", "", ""}}).refused(t, 400, "at least one")
	cw.post(f.Alice, at("/ballot"), url.Values{"rank": {id2(f.Alice), "", id2(f.Bob)}}).want(t, 303)
	cw.post(f.Bob, at("/ballot"), url.Values{"rank": {id2(f.Bob), id2(f.Alice)}}).want(t, 303)
	cw.post(f.Founder, at("/ballot"), url.Values{"rank": {id2(f.Alice)}}).want(t, 303)
	page = cw.page(f.Alice, at("")).want(t, 200).Body
	if !strings.Contains(page, `<option value="`+id2(f.Bob)+`" selected>`) || !strings.Contains(page, "Change my ballot") {
		t.Errorf("the ballot form does not show Alice's ballot")
	}
	cw.post(f.Alice, at("/close"), nil).refused(t, 403, "secretary")
	cw.post(f.Founder, at("/close"), nil).want(t, 303)
	page = cw.page(f.Bob, at("")).want(t, 200).Body
	if !strings.Contains(page, "Elected, in order: <strong>alice (@alice)</strong>") {
		t.Errorf("the result: %.3000s", page[strings.Index(page, "<main>"):])
	}

	// The committee holds the secretary role now, not the founder.
	cw.post(f.Founder, pathf("/councils/%d/committees", f.Putilov), url.Values{"name": {"Another"}, "role": {"commission"}, "seats": {"1"}}).refused(t, 403, "secretary")
	cw.post(f.Alice, pathf("/councils/%d/committees", f.Putilov), url.Values{"name": {"Strike commission"}, "role": {"commission"}, "seats": {"2"}}).want(t, 303)
	cw.post(f.Alice, pathf("/councils/%d/committees", f.Putilov), url.Values{"name": {"Bad"}, "role": {"politburo"}, "seats": {"2"}}).refused(t, 400, "politburo")
	cw.post(f.Alice, pathf("/councils/%d/committees", f.Putilov), url.Values{"name": {"Bad"}, "role": {"commission"}, "seats": {"many"}}).refused(t, 400, "seats must be")

	// Calling a full election of Putilov's delegation to the Soviet
	// replaces nothing while one is open.
	cw.post(f.Alice, pathf("/councils/%d/elections", f.Putilov), url.Values{"body": {id2(f.Soviet)}}).refused(t, 409, "already open")
	cw.post(f.Alice, pathf("/councils/%d/elections", f.Putilov), url.Values{"body": {"x"}}).refused(t, 400, "not a valid choice")
}

// TestFactionPagesCouncil founds a faction and declares an affiliation
// through the factions page's forms.
func TestFactionPagesCouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	f := cw.f
	fp := pathf("/federations/%d/factions", f.Fed)
	page := cw.page(f.Alice, fp).want(t, 200).Body
	if !strings.Contains(page, "No faction yet") || !strings.Contains(page, `type="color"`) {
		t.Errorf("the empty factions page: %.2000s", page)
	}
	cw.post(f.Alice, fp, url.Values{"name": {"Left SRs"}, "colour": {"#2e7d32"}}).want(t, 303)
	cw.post(f.Bob, fp, url.Values{"name": {"left srs"}, "colour": {"#2e7d32"}}).refused(t, 409, "already a faction")
	cw.post(f.Bob, fp, url.Values{"name": {"<b>Anarchists</b>"}, "colour": {"black"}}).refused(t, 400, "colour must look like")
	cw.post(f.Olga, fp, url.Values{"name": {"Kadets"}, "colour": {"#000000"}}).refused(t, 403, "member of the federation")
	var fs factionsResponse
	cw.api(f.Alice, "GET", pathf("/api/v1/federations/%d/factions", f.Fed), nil).want(t, 200).decode(t, &fs)
	if len(fs.Factions) != 1 {
		t.Fatalf("factions %+v", fs)
	}
	sr := strconv.FormatInt(fs.Factions[0].ID, 10)
	cw.post(f.Bob, pathf("/federations/%d/affiliation", f.Fed), url.Values{"faction": {sr}}).want(t, 303)
	page = cw.page(f.Bob, fp).want(t, 200).Body
	if !strings.Contains(page, `<option value="`+sr+`" selected>`) || !strings.Contains(page, `<span class="badge">yours</span>`) {
		t.Errorf("the page does not show Bob's affiliation")
	}
	cw.post(f.Bob, pathf("/federations/%d/affiliation", f.Fed), url.Values{"faction": {"0"}}).want(t, 303)
	cw.post(f.Bob, pathf("/federations/%d/affiliation", f.Fed), url.Values{"faction": {"99999"}}).refused(t, 400, "no faction 99999")
	// The founder is a member of Putilov Works in the fixture: a member
	// may declare; an outsider may not.
	cw.post(f.Olga, pathf("/federations/%d/affiliation", f.Fed), url.Values{"faction": {sr}}).refused(t, 403, "member of the federation")
}

// TestPagesByRoleCouncil fetches every new page as a member, an outsider
// and an anonymous visitor.
func TestPagesByRoleCouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	f := cw.f
	closed := f.Elect(f.Soviet, f.Putilov, []int64{f.Alice, f.Bob, f.Founder}, map[int64][]int64{f.Alice: {f.Alice}, f.Bob: {f.Bob}, f.Founder: {f.Alice, f.Bob}})
	var dl delegatesResponse
	cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/delegates", f.Soviet), nil).want(t, 200).decode(t, &dl)
	if len(dl.Delegates) != 2 {
		t.Fatalf("delegates %+v", dl)
	}
	pages := []string{
		pathf("/councils/%d", f.Soviet),
		pathf("/councils/%d", f.Putilov),
		pathf("/councils/%d", f.Fleet),
		pathf("/elections/%d", closed.ID),
		pathf("/elections/%d", cw.openElection(f.Alice, f.Fleet, f.Soviet).Election.ID),
		pathf("/offices/%d", dl.Delegates[0].ID),
		pathf("/federations/%d/factions", f.Fed),
	}
	for _, p := range pages {
		body := cw.page(f.Bob, p).want(t, 200).Body
		if !strings.Contains(body, "<main>") || strings.Contains(body, `role="alert"`) {
			t.Errorf("%s as a member: %.300s", p, body)
		}
		if res := cw.page(0, p); res.Status != 303 || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("%s as anonymous: %d to %q, want 303 to the sign-in page", p, res.Status, res.Location)
		}
		res := cw.page(f.Olga, p)
		if strings.HasPrefix(p, "/councils/") {
			// An outsider sees the council's name and may ask to join,
			// nothing more.
			if res.Status != 200 || strings.Contains(res.Body, "Seats in") || strings.Contains(res.Body, "chart") {
				t.Errorf("%s as an outsider: %d %.300s", p, res.Status, res.Body)
			}
			continue
		}
		res.refused(t, 403, "member of the federation")
	}
	for _, p := range []string{"/elections/999999", "/offices/999999", "/federations/999999/factions", "/elections/abc", "/offices/0"} {
		if res := cw.page(f.Bob, p); res.Status != 404 && res.Status != 400 {
			t.Errorf("%s: %d, want 404 or 400", p, res.Status)
		}
	}
}

// TestCouncilTreeCouncil: a committee shows under the council that elects
// it, not as a council of its own at the top of the federation.
func TestCouncilTreeCouncil(t *testing.T) {
	cs := []store.CouncilSummary{
		{Council: soviet.Council{ID: 1, Name: "Soviet", Kind: soviet.Delegate}, SendsTo: []int64{}},
		{Council: soviet.Council{ID: 2, Name: "Works", Kind: soviet.Base}, SendsTo: []int64{1}},
		{Council: soviet.Council{ID: 3, Name: "Executive", Kind: soviet.Committee, Parent: 1}, SendsTo: []int64{}},
		{Council: soviet.Council{ID: 4, Name: "Factory committee", Kind: soviet.Committee, Parent: 2}, SendsTo: []int64{}},
	}
	roots := councilTree(cs)
	if len(roots) != 1 || roots[0].Council.ID != 1 {
		t.Fatalf("roots %+v", roots)
	}
	kids := roots[0].Children
	if len(kids) != 2 || kids[0].Council.ID != 2 || kids[1].Council.ID != 3 || len(kids[0].Children) != 1 || kids[0].Children[0].Council.ID != 4 {
		t.Errorf("tree %+v", roots)
	}
}

// TestOpenAPICouncil: the council-democracy routes are in the OpenAPI
// document with their bodies' schemas.
func TestOpenAPICouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	cw.api(0, "GET", "/api/v1/openapi.json", nil).want(t, 200).decode(t, &doc)
	for path, methods := range map[string][]string{
		"/api/v1/councils/{id}/seats":          {"get"},
		"/api/v1/councils/{id}/delegates":      {"get"},
		"/api/v1/councils/{id}/composition":    {"get"},
		"/api/v1/councils/{id}/elections":      {"get", "post"},
		"/api/v1/elections/{id}":               {"get"},
		"/api/v1/elections/{id}/candidates":    {"post"},
		"/api/v1/elections/{id}/candidates/me": {"delete"},
		"/api/v1/elections/{id}/polling":       {"post"},
		"/api/v1/elections/{id}/ballot":        {"put"},
		"/api/v1/elections/{id}/close":         {"post"},
		"/api/v1/offices/{id}":                 {"get"},
		"/api/v1/federations/{id}/factions":    {"get", "post"},
		"/api/v1/federations/{id}/affiliation": {"put"},
		"/elections/{id}":                      {"get"},
		"/elections/{id}/ballot":               {"post"},
		"/offices/{id}":                        {"get"},
		"/federations/{id}/factions":           {"get", "post"},
		"/councils/{id}/committees":            {"post"},
		"/councils/{id}/elections":             {"post"},
	} {
		for _, m := range methods {
			if doc.Paths[path][m] == nil {
				t.Errorf("the OpenAPI document has no %s %s", m, path)
			}
		}
	}
	for _, s := range []string{"SeatTable", "Composition", "OfficeRow", "DelegateRecord", "electionResponse", "rankingRequest", "nominateRequest"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("the OpenAPI document has no schema %s", s)
		}
	}
}

// TestRolesCouncil: a council's API answer names the delegate and
// constituent roles too.
func TestRolesCouncil(t *testing.T) {
	cw := newCouncilWeb(t, storetest.SQLite)
	f := cw.f
	f.Elect(f.Soviet, f.Putilov, []int64{f.Alice, f.Bob, f.Founder}, map[int64][]int64{f.Alice: {f.Alice}, f.Bob: {f.Alice}, f.Founder: {f.Bob}})
	for actor, want := range map[int64][]string{
		f.Alice: {"federation_member", "delegate", "constituent"},
		f.Bob:   {"federation_member", "delegate", "constituent"},
		f.Olga:  {},
	} {
		var c councilResponse
		res := cw.api(actor, "GET", pathf("/api/v1/councils/%d", f.Soviet), nil)
		if actor == f.Olga {
			res.refused(t, 403, "member of the federation")
			continue
		}
		res.want(t, 200).decode(t, &c)
		if !slices.Equal(c.Roles, want) {
			t.Errorf("account %d: roles %v, want %v", actor, c.Roles, want)
		}
	}
}

// TestHomeElectionsCouncil: the home page lists the open elections in
// which one may stand or vote, and whether one has voted.
func TestHomeElectionsCouncil(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		e := cw.openElection(f.Alice, f.Putilov, f.Soviet).Election.ID
		for _, c := range []int64{f.Alice, f.Bob, f.Founder} {
			if err := f.Svc.Nominate(t.Context(), c, e, c, 0); err != nil {
				t.Fatal(err)
			}
		}
		page := cw.page(f.Alice, "/").want(t, 200).Body
		if !strings.Contains(page, pathf(`href="/elections/%d"`, e)) || !strings.Contains(page, "nominations open") {
			t.Errorf("the home page does not list the election taking nominations")
		}
		if strings.Contains(cw.page(f.Olga, "/").want(t, 200).Body, pathf(`href="/elections/%d"`, e)) {
			t.Errorf("an outsider's home page lists the election")
		}
		cw.post(f.Founder, pathf("/elections/%d/polling", e), nil).want(t, 303)
		cw.post(f.Alice, pathf("/elections/%d/ballot", e), url.Values{"rank": {strconv.FormatInt(f.Bob, 10)}}).want(t, 303)
		if page := cw.page(f.Alice, "/").want(t, 200).Body; !strings.Contains(page, "you voted") {
			t.Errorf("the home page does not say Alice voted")
		}
		if page := cw.page(f.Bob, "/").want(t, 200).Body; !strings.Contains(page, "not voted yet") {
			t.Errorf("the home page does not say Bob has not voted")
		}
	})
}

// TestCompositionOverTimeCouncil follows the Soviet's composition through
// an election, a delegate leaving and a new apportionment, on every
// engine.
func TestCompositionOverTimeCouncil(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		ctx := t.Context()
		bol := f.Must(f.Svc.CreateFaction(ctx, f.Alice, f.Fed, "Bolsheviks", "#b3261e")).ID()
		men := f.Must(f.Svc.CreateFaction(ctx, f.Bob, f.Fed, "Mensheviks", "#1f4e8c")).ID()
		f.Clock.Advance(time.Hour)
		e := cw.openElection(f.Alice, f.Putilov, f.Soviet).Election.ID
		for c, faction := range map[int64]int64{f.Alice: bol, f.Bob: men, f.Founder: 0} {
			if err := f.Svc.Nominate(ctx, c, e, c, faction); err != nil {
				t.Fatal(err)
			}
		}
		f.Must(f.Svc.OpenPolling(ctx, f.Founder, e))
		for voter, r := range map[int64][]int64{f.Alice: {f.Alice}, f.Bob: {f.Bob}, f.Founder: {f.Alice, f.Bob}} {
			if err := f.Svc.CastRanking(ctx, voter, e, r); err != nil {
				t.Fatal(err)
			}
		}
		f.Must(f.Svc.CloseElection(ctx, f.Founder, e))
		// Bob leaves the works: his seat falls vacant.
		f.Clock.Advance(time.Hour)
		if err := f.Svc.Leave(ctx, f.Bob, f.Putilov); err != nil {
			t.Fatal(err)
		}
		// Sailors join the fleet: the seats are apportioned again.
		f.Clock.Advance(time.Hour)
		for i := range 6 {
			f.Invite(f.Fleet, f.Account(pathf("sailor%d", i)))
		}
		var comp store.Composition
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/composition", f.Soviet), nil).want(t, 200).decode(t, &comp)
		if len(comp.Groups) != 2 || comp.Groups[0].Faction != bol || comp.Groups[1].Faction != men {
			t.Fatalf("groups %+v", comp.Groups)
		}
		type step struct {
			counts []int
			vacant int
		}
		var got []step
		for _, h := range comp.History {
			got = append(got, step{h.Counts, h.Vacant})
		}
		want := []step{{[]int{0, 0}, 3}, {[]int{1, 1}, 1}, {[]int{1, 0}, 2}, {[]int{1, 0}, 2}}
		if len(got) != len(want) {
			t.Fatalf("history %+v, want %+v", got, want)
		}
		for i := range want {
			if !slices.Equal(got[i].counts, want[i].counts) || got[i].vacant != want[i].vacant {
				t.Errorf("step %d: %+v, want %+v", i, got[i], want[i])
			}
		}
		if comp.Total != 3 || comp.Vacant != 2 || comp.Groups[0].Count != 1 || comp.Groups[1].Count != 0 {
			t.Errorf("now: %+v", comp)
		}
		var dl delegatesResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/delegates", f.Soviet), nil).want(t, 200).decode(t, &dl)
		if len(dl.Delegates) != 1 || len(dl.Past) != 1 || dl.Past[0].Account != f.Bob || dl.Past[0].Reason != soviet.EndLeft {
			t.Errorf("delegates %+v, past %+v", dl.Delegates, dl.Past)
		}
		var seats store.SeatTable
		cw.api(f.Alice, "GET", pathf("/api/v1/councils/%d/seats", f.Soviet), nil).want(t, 200).decode(t, &seats)
		for _, r := range seats.Rows {
			if (r.Constituency == f.Fleet && (r.Seats != 2 || r.Members != 6)) || (r.Constituency == f.Putilov && r.Seats != 1) {
				t.Errorf("seat row %+v", r)
			}
		}
		// Bob's record keeps the office he left.
		var rec officeResponse
		cw.api(f.Alice, "GET", pathf("/api/v1/offices/%d", dl.Past[0].ID), nil).want(t, 200).decode(t, &rec)
		if rec.Office.Active() || len(rec.Record.Offices) != 1 || rec.Record.Offices[0].Reason != soviet.EndLeft {
			t.Errorf("Bob's record %+v", rec)
		}
	})
}

// TestSecretElectionCouncil runs a secret election (the charter's default)
// through the API and the pages: receipts once, no ballots shown, the
// bulletin published at the close with every receipt in it.
func TestSecretElectionCouncil(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			cw := newCouncilWebWith(t, e.Open, nil)
			f := cw.f
			var ev electionResponse
			id := cw.openElection(f.Alice, f.Putilov, f.Soviet).Election.ID
			at := func(p string) string { return pathf("/elections/%d%s", id, p) }
			for _, c := range []int64{f.Founder, f.Alice, f.Bob} {
				cw.api(c, "POST", pathf("/api/v1/elections/%d/candidates", id), map[string]int64{}).want(t, 201)
			}
			cw.api(f.Founder, "POST", pathf("/api/v1/elections/%d/polling", id), nil).want(t, 200).decode(t, &ev)
			if !ev.Election.Secret {
				t.Fatalf("election %+v is not secret", ev.Election)
			}
			var rc soviet.Receipt
			cw.api(f.Alice, "PUT", pathf("/api/v1/elections/%d/ballot", id), map[string][]int64{"ranking": {f.Alice, f.Bob}}).refused(t, 409, "secret")
			cw.api(f.Alice, "POST", pathf("/api/v1/elections/%d/secret-ballot", id), map[string][]int64{"ranking": {f.Alice, f.Bob}}).want(t, 201).decode(t, &rc)
			if rc.Code == "" || rc.Vote != id {
				t.Fatalf("receipt %+v", rc)
			}
			cw.api(f.Alice, "POST", pathf("/api/v1/elections/%d/secret-ballot", id), map[string][]int64{"ranking": {f.Bob}}).refused(t, 409, "final")
			page := cw.post(f.Bob, at("/secret-ballot"), url.Values{"rank": {strconv.FormatInt(f.Bob, 10)}}).want(t, 200).Body
			if !strings.Contains(page, `id="receipt-code"`) {
				t.Fatalf("the ballot form did not answer with the receipt: %.2000s", page)
			}
			cw.api(f.Founder, "GET", pathf("/api/v1/elections/%d", id), nil).want(t, 200).decode(t, &ev)
			if ev.Ballots != 2 || len(ev.Rankings) != 0 || len(ev.YourRanking) != 0 || ev.TookPart {
				t.Fatalf("a secret election shows %d ballots, rankings %v, yours %v, took part %v", ev.Ballots, ev.Rankings, ev.YourRanking, ev.TookPart)
			}
			if page := cw.page(f.Alice, at("")).want(t, 200).Body; !strings.Contains(page, "You have cast your secret ballot") {
				t.Errorf("the election page does not say Alice voted")
			}
			cw.api(f.Alice, "GET", pathf("/api/v1/elections/%d/bulletin", id), nil).refused(t, 404, "when it closes")
			cw.api(f.Founder, "POST", pathf("/api/v1/elections/%d/close", id), nil).want(t, 200).decode(t, &ev)
			if ev.Election.State != soviet.Closed || ev.Bulletin == nil || ev.Bulletin.Ballots != 2 {
				t.Fatalf("closed secret election %+v bulletin %+v", ev.Election, ev.Bulletin)
			}
			var b soviet.Bulletin
			cw.api(f.Alice, "GET", pathf("/api/v1/elections/%d/bulletin", id), nil).want(t, 200).decode(t, &b)
			if _, _, ok := b.Find(rc.Code); !ok || len(b.Check()) > 0 {
				t.Fatalf("Alice's receipt in the bulletin: %v; check: %v", ok, b.Check())
			}
			cw.api(f.Olga, "GET", pathf("/api/v1/elections/%d/bulletin", id), nil).refused(t, 403, "member of the federation")
		})
	}
}
