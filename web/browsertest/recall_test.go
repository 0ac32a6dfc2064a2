package browsertest_test

import (
	"fmt"
	"maps"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"soviet"
	"soviet/store"
	"soviet/storetest"
	"soviet/web"
	"soviet/web/browsertest"
)

// Faction colours of the recall scenario.
const (
	menshevik = "#1f4e8c"
	bolshevik = "#b3261e"
)

// TestRecallCycle is the full cycle of council democracy in a real
// browser, on every engine, with five people each in their own browser:
// Putilov Works elects its delegate to the Petrograd Soviet through the
// election page (a Menshevik, by secret ballot); its members petition to
// recall her from the council page and sign; the recall vote opens by
// itself, secret, and passes; the by-election seats a Bolshevik; and the
// Soviet's hemicycle, one Menshevik and one Bolshevik before, is two
// Bolsheviks after.
func TestRecallCycle(t *testing.T) {
	// About 10 s an engine on an idle machine; the deadline only ends a
	// scenario that hangs.
	b := browsertest.Start(t, 120*time.Second)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			// One seat for each base council; two of five signatures open
			// a recall's vote.
			f := storetest.NewFixtureWith(t, e.Open, store.Options{}, func(ch *soviet.Charter) {
				ch.Apportionment, ch.FixedSeats = "fixed", 1
				ch.RecallThreshold = soviet.Ratio{Num: 2, Den: 5}
			})
			srv, err := web.New(web.Config{Service: f.Svc, Store: f.DB, Now: f.Clock.Now,
				Password: web.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			t.Cleanup(srv.Close)
			recallScenario(t, b, f, ts.URL)
		})
	}
}

func recallScenario(t *testing.T, b *browsertest.Browser, f *storetest.Fixture, site string) {
	ctx := f.Ctx
	mensheviks := f.Must(f.Svc.CreateFaction(ctx, f.Founder, f.Fed, "Mensheviks", menshevik)).ID()
	bolsheviks := f.Must(f.Svc.CreateFaction(ctx, f.Founder, f.Fed, "Bolsheviks", bolshevik)).ID()
	vera, petr := f.Account("vera"), f.Account("petr")
	f.Invite(f.Putilov, vera)
	f.Invite(f.Putilov, petr)
	// The Fleet's seat: a Bolshevik sailor, elected unopposed.
	sailor := f.Account("dybenko")
	f.Invite(f.Fleet, sailor)
	fleet := f.OpenElection(f.Soviet, f.Fleet)
	if err := f.Svc.Nominate(ctx, sailor, fleet.ID, sailor, bolsheviks); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.OpenPolling(ctx, f.Founder, fleet.ID); err != nil {
		t.Fatal(err)
	}
	election := fmt.Sprintf("%s/elections/%d", site, f.OpenElection(f.Soviet, f.Putilov).ID)
	putilov := fmt.Sprintf("%s/councils/%d", site, f.Putilov)
	sovietPage := fmt.Sprintf("%s/councils/%d", site, f.Soviet)

	secretary := b.NewPerson(t, "secretary")
	alice := b.NewPerson(t, "alice")
	bob := b.NewPerson(t, "bob")
	veraTab := b.NewPerson(t, "vera")
	petrTab := b.NewPerson(t, "petr")
	signIn(t, secretary, f, site, f.Founder)
	signIn(t, alice, f, site, f.Alice)
	signIn(t, bob, f, site, f.Bob)
	signIn(t, veraTab, f, site, vera)
	signIn(t, petrTab, f, site, petr)

	// Putilov Works elects its delegate.
	nominate := func(p *browsertest.Person, faction int64, name string) {
		p.Do("stand for "+name,
			chromedp.Navigate(election),
			chromedp.SetValue(chromedp.CSS(`form[action$="/candidates"] select[name=faction]`), fmt.Sprint(faction)),
			browsertest.Click(`form[action$="/candidates"] button`),
		)
		p.WaitFor("see the candidacy", fmt.Sprintf(`document.querySelector('#candidates').textContent.includes(%q)`, "@"+p.Name))
	}
	nominate(alice, mensheviks, "the Mensheviks")
	nominate(bob, bolsheviks, "the Bolsheviks")
	secretary.Do("open the vote", chromedp.Navigate(election), browsertest.Click(`#open-polling`))
	secretary.WaitText("the vote is open", `#election-state`, "voting")
	rank := func(p *browsertest.Person, first int64) {
		p.Do("cast a secret ranked ballot",
			chromedp.Navigate(election),
			chromedp.SetValue(chromedp.CSS(`form.ranks select[name=rank]`), fmt.Sprint(first)),
			browsertest.Click(`form.ranks button`),
			chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)),
		)
	}
	rank(alice, f.Alice)
	rank(veraTab, f.Alice)
	rank(petrTab, f.Alice)
	rank(bob, f.Bob)
	secretary.Do("close and count the election", chromedp.Navigate(election), browsertest.Click(`#close-election`))
	secretary.WaitText("the election is counted", `#election-state`, "closed")
	if got := secretary.Text("read the result", `#result`); !strings.Contains(got, "Elected, in order: alice") {
		t.Fatalf("election result %q", got)
	}
	before := seatColours(t, secretary, sovietPage)
	if want := map[string]int{menshevik: 1, bolshevik: 1}; !maps.Equal(before, want) {
		t.Fatalf("the Soviet's hemicycle after the election %v, want %v", before, want)
	}

	// The constituents petition: Vera starts the recall from the council
	// page, Petr signs it there, and the recall's vote opens by itself.
	veraTab.Do("start a recall of the delegate",
		chromedp.Navigate(putilov),
		browsertest.Click(`#our-delegates .start-recall`),
		chromedp.WaitVisible(chromedp.CSS(`#recall`)),
	)
	veraTab.WaitText("one signature of two", `#signatures strong`, "1 of 2")
	recall := browsertest.Run(veraTab, "read the recall's address", chromedp.Location())
	petrTab.Do("sign the petition",
		chromedp.Navigate(putilov),
		browsertest.Click(`#our-delegates .sign-petition`),
	)
	petrTab.WaitText("the recall vote is open", `#motion-state`, "voting")
	ballot := func(p *browsertest.Person, choice string) {
		p.Do("cast a secret ballot on the recall",
			chromedp.Navigate(recall),
			browsertest.Click(`#ballot button[value=`+choice+`]`),
			chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)),
		)
	}
	ballot(veraTab, "yes")
	ballot(petrTab, "yes")
	ballot(bob, "yes")
	ballot(alice, "no")
	secretary.Do("close the recall vote", chromedp.Navigate(recall), browsertest.Click(`#close-vote`))
	secretary.WaitText("the recall passes", `.verdict`, "Adopted")
	secretary.WaitFor("the seat is vacated", `document.querySelector('#recalled') !== null`)

	// The by-election: Bob stands for the Bolsheviks, unopposed.
	byElection := fmt.Sprintf("%s/elections/%d", site, f.OpenElection(f.Soviet, f.Putilov).ID)
	secretary.Do("find the by-election on the council page",
		chromedp.Navigate(putilov),
		chromedp.WaitVisible(chromedp.CSS(`#elections a[href="`+strings.TrimPrefix(byElection, site)+`"]`)),
	)
	election = byElection
	nominate(bob, bolsheviks, "the Bolsheviks in the by-election")
	secretary.Do("close nominations", chromedp.Navigate(byElection), browsertest.Click(`#open-polling`))
	secretary.WaitText("elected unopposed", `#election-state`, "closed")

	after := seatColours(t, secretary, sovietPage)
	if want := map[string]int{bolshevik: 2}; !maps.Equal(after, want) {
		t.Fatalf("the Soviet's hemicycle after the by-election %v, want %v (before %v)", after, want, before)
	}
	if legend := secretary.Text("read the hemicycle's legend", `#composition svg.hemicycle`); !strings.Contains(legend, "Bolsheviks: 2") || strings.Contains(legend, "Mensheviks: 1") {
		t.Errorf("the hemicycle's legend reads %q", legend)
	}
	for _, p := range []*browsertest.Person{secretary, alice, bob, veraTab, petrTab} {
		if errs := p.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("%s: console errors %v", p.Name, errs)
		}
	}
}

// seatColours opens a council page and counts the hemicycle's filled
// seats by colour.
func seatColours(t *testing.T, p *browsertest.Person, page string) map[string]int {
	t.Helper()
	p.Do("open the council page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#composition svg.hemicycle`)))
	fills := browsertest.Run(p, "read the hemicycle", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#composition svg.hemicycle circle.seat:not(.vacant)')].map(c => c.getAttribute('fill'))`))
	out := map[string]int{}
	for _, c := range fills {
		out[c]++
	}
	return out
}
