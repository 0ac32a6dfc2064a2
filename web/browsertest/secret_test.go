package browsertest_test

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"soviet"
	"soviet/storetest"
	"soviet/web"
	"soviet/web/browsertest"
)

// TestSecretBallot is a secret vote in a real browser, on every engine: the
// secretary opens the vote as secret from the motion's form; a member casts
// a ballot by a plain form post and sees the receipt once, with a download
// that holds the receipt file; the secretary's page shows the turnout live
// and never a count; after the close the member finds their ballot in the
// bulletin by entering the receipt.
func TestSecretBallot(t *testing.T) {
	b := browsertest.Start(t, 90*time.Second)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := storetest.NewFixture(t, e.Open)
			srv, err := web.New(web.Config{Service: f.Svc, Store: f.DB, Now: f.Clock.Now,
				Password: web.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			t.Cleanup(srv.Close)
			m, err := f.Svc.ProposeMotion(f.Ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Recall the commissar"})
			if err != nil {
				t.Fatal(err)
			}
			secretScenario(t, b, f, ts.URL, fmt.Sprintf("%s/motions/%d", ts.URL, m.ID))
		})
	}
}

// signIn gives a person a session of account, as the sign-in form would.
func signIn(t *testing.T, p *browsertest.Person, f *storetest.Fixture, site string, account int64) {
	token := fmt.Sprintf("session-%d-%d", account, time.Now().UnixNano())
	if err := f.DB.CreateSession(f.Ctx, soviet.HashToken(token), account, storetest.Epoch.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	p.Do("sign in",
		chromedp.Navigate(site+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "soviet_session=`+token+`; path=/"`),
	)
}

func secretScenario(t *testing.T, b *browsertest.Browser, f *storetest.Fixture, site, motion string) {
	secretary := b.NewPerson(t, "secretary")
	member := b.NewPerson(t, "member")
	signIn(t, secretary, f, site, f.Founder)
	signIn(t, member, f, site, f.Alice)

	secretary.Do("open the vote as secret",
		chromedp.Navigate(motion),
		chromedp.SetValue(chromedp.CSS(`#secrecy`), "secret"),
		browsertest.Click(`#open-vote`),
		chromedp.WaitVisible(chromedp.CSS(`#ballot`)),
	)
	secretary.WaitLive("listen for the turnout")

	member.Do("cast a secret ballot",
		chromedp.Navigate(motion),
		browsertest.Click(`#ballot button[value=yes]`),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)),
	)
	code := member.Text("read the receipt", `#receipt-code`)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(code) {
		t.Fatalf("receipt code %q", code)
	}
	file := browsertest.Run(member, "read the receipt file behind the download link", chromedp.Evaluate[string](
		`(() => { const a = document.querySelector('#receipt-download'); return a.getAttribute('download') + '\n' + atob(a.href.split(',')[1]); })()`))
	name, body, _ := strings.Cut(file, "\n")
	rc, err := soviet.ReadReceipt(strings.NewReader(body))
	if err != nil || rc.Code != code || string(rc.Content) != `{"choice":"yes"}` || !strings.HasSuffix(name, ".json") {
		t.Fatalf("downloaded receipt %q (%s): %+v, %v", name, body, rc, err)
	}

	secretary.WaitText("see the turnout live", `#turnout`, "1")
	if got := secretary.Text("read the turnout section", `#tally`); strings.Contains(got, "Yes") || strings.Contains(got, "yes") {
		t.Errorf("an open secret vote shows a count: %q", got)
	}
	member.Do("come back to the motion", chromedp.Navigate(motion), chromedp.WaitVisible(chromedp.CSS(`#took-part`)))
	if n := browsertest.Run(member, "look for a second ballot form", chromedp.Evaluate[int](`document.querySelectorAll('#ballot').length`)); n != 0 {
		t.Error("the ballot form is offered again after the ballot was cast")
	}

	secretary.Do("cast a ballot and close the vote",
		chromedp.Navigate(motion),
		browsertest.Click(`#ballot button[value=yes]`),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)),
		chromedp.Navigate(motion),
		browsertest.Click(`#close-vote`),
	)
	secretary.WaitText("see the verdict", `.verdict`, "Adopted")

	member.Do("check the receipt in the bulletin",
		chromedp.Navigate(motion),
		browsertest.Type(`input[name=receipt]`, code),
		browsertest.Click(`#bulletin button`),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-found`)),
	)
	if got := member.Text("read the check", `#receipt-found`); !strings.Contains(got, `{"choice":"yes"}`) {
		t.Errorf("the receipt check reads %q", got)
	}
	href := browsertest.Run(member, "find the bulletin", chromedp.Evaluate[string](`document.querySelector('#bulletin-download').href`))
	if !strings.HasSuffix(href, "/bulletin") {
		t.Errorf("bulletin link %q", href)
	}
	for _, p := range []*browsertest.Person{secretary, member} {
		if errs := p.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("%s: console errors: %s", p.Name, strings.Join(errs, "; "))
		}
	}
}
