package browsertest_test

import (
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

// TestFoundInviteProposeVote is the first thing a user can do end to end,
// in a real browser, on every engine: the founder founds the instance, a
// federation and a council, and invites a second member, who signs up,
// accepts and proposes a motion; both vote; the founder closes the vote and
// the motion is adopted. Each sees the other's vote arrive live, without a
// reload; and the pages fit a phone.
func TestFoundInviteProposeVote(t *testing.T) {
	// About 10 s an engine on an idle machine and 30 s with -race beside
	// the other packages' tests on two cores; the deadline only ends a
	// scenario that hangs.
	b := browsertest.Start(t, 90*time.Second)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, store.Options{})
			srv, err := web.New(web.Config{Service: soviet.NewService(db), Store: db,
				Password: web.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			// Close the live streams first: httptest's Close waits for
			// every request, and a stream lasts until it is closed.
			t.Cleanup(ts.Close)
			t.Cleanup(srv.Close)
			scenario(t, b, ts.URL)
		})
	}
}

func scenario(t *testing.T, b *browsertest.Browser, site string) {
	founder := b.NewPerson(t, "founder")
	comrade := b.NewPerson(t, "comrade")

	// The founder: a fresh instance sends its first visitor to /setup.
	founder.Do("found the instance",
		chromedp.Navigate(site+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/setup"]`)),
		browsertest.Type(`input[name=handle]`, "kollontai"),
		browsertest.Type(`input[name=name]`, "Alexandra Kollontai"),
		browsertest.Type(`input[name=password]`, "all power to the soviets"),
		browsertest.Type(`input[name=federation]`, "Petrograd Soviet"),
		browsertest.Click(`form[action="/setup"] button`),
	)
	founder.Do("create a base council and join it",
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/councils"]`)),
		browsertest.Type(`form[action$="/councils"] input[name=name]`, "Putilov Works"),
		browsertest.Click(`input[name=kind][value=base]`),
		browsertest.Click(`input[name=join]`),
		browsertest.Click(`form[action$="/councils"] button`),
		// The federation page again, now with the council in its tree.
		browsertest.Click(`ul.tree a[href^="/councils/"]`),
		browsertest.Click(`a[href$="/invitations"]`),
		browsertest.Click(`form[action$="/invitations"] button`),
	)
	link := founder.Text("read the invitation link", `#invitation-link`)
	if !strings.HasPrefix(link, site+"/join/") {
		t.Fatalf("invitation link %q is not under %s/join/", link, site)
	}

	// The comrade, in a browser of their own: sign up from the link, accept,
	// propose a motion.
	comrade.Do("sign up from the invitation",
		chromedp.Navigate(link),
		browsertest.Click(`a[href^="/signup?next=/join/"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signup"]`)),
		browsertest.Type(`input[name=handle]`, "shlyapnikov"),
		browsertest.Type(`input[name=name]`, "Alexander Shlyapnikov"),
		browsertest.Type(`input[name=password]`, "eight hours for work"),
		browsertest.Click(`form[action="/signup"] button`),
	)
	comrade.Do("accept the invitation and propose a motion",
		browsertest.Click(`form[action^="/join/"] button`),
		browsertest.Type(`form[action$="/motions"] input[name=title]`, "The eight-hour day"),
		browsertest.Type(`form[action$="/motions"] textarea[name=body]`, "The works introduce the **eight-hour day** at once."),
		browsertest.Click(`form[action$="/motions"] button`),
		chromedp.WaitVisible(chromedp.CSS(`#motion-state`)),
	)
	comrade.WaitText("see the Markdown rendered", `article.motion-text strong`, "eight-hour day")
	motion := browsertest.Run(comrade, "read the motion's address", chromedp.Location())
	// With one supporter needed (the charter's default), the proposer's own
	// support brings the motion straight to debate.
	comrade.WaitText("see the motion in debate", `#motion-state`, "debate")

	// The founder, as secretary, opens the vote and votes yes.
	founder.Do("open the vote and vote yes",
		chromedp.Navigate(motion),
		browsertest.Click(`#open-vote`),
		browsertest.Click(`button[name=choice][value=yes]`),
		chromedp.WaitVisible(chromedp.CSS(`button[name=choice][value=yes].chosen`)),
	)
	if got := founder.Text("read the tally", `#tally p`); !strings.HasPrefix(got, "1 of 2 voters") {
		t.Errorf("after one vote the tally says %q, want 1 of 2 voters", got)
	}
	// The founder now waits on the page, listening: a reload would wipe the
	// mark set here.
	founder.WaitLive("listen for the live tally")
	founder.Do("mark the page", chromedp.Evaluate[chromedp.Void](`window.sovietMark = 1`))

	comrade.Do("vote yes",
		chromedp.Navigate(motion),
		browsertest.Click(`button[name=choice][value=yes]`),
		chromedp.WaitVisible(chromedp.CSS(`button[name=choice][value=yes].chosen`)),
	)
	founder.WaitFor("see the comrade's vote live",
		`document.querySelector('#tally p') !== null && document.querySelector('#tally p').textContent.startsWith('2 of 2 voters')`)
	if got := browsertest.Run(founder, "check for a reload", chromedp.Evaluate[bool](`window.sovietMark === 1`)); !got {
		t.Errorf("the founder's page was reloaded: the tally should arrive over Server-Sent Events")
	}
	if got := founder.Text("read the roll call", `table.rollcall`); strings.Count(got, "yes") != 2 {
		t.Errorf("the roll call reads %q, want two yes votes", got)
	}

	// The comrade listens too, and sees the result arrive when the founder
	// closes the vote.
	comrade.WaitLive("listen for the result")
	founder.Do("close the vote", browsertest.Click(`#close-vote`))
	founder.WaitText("see the motion adopted", `#motion-state`, "adopted")
	founder.WaitText("see the verdict", `.verdict`, "Adopted")
	comrade.WaitText("see the verdict live", `.verdict`, "Adopted")

	// A phone: the pages a member uses must not scroll sideways at 375 px.
	phone := b.NewPerson(t, "phone")
	phone.Do("sign in on a phone",
		chromedp.EmulateViewport(375, 700, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(site+"/login?next="+strings.TrimPrefix(motion, site)),
		browsertest.Type(`input[name=handle]`, "kollontai"),
		browsertest.Type(`input[name=password]`, "all power to the soviets"),
		browsertest.Click(`form[action="/login"] button`),
		chromedp.WaitVisible(chromedp.CSS(`.verdict`)),
	)
	council := browsertest.Run(phone, "find the council", chromedp.AttributeValue(chromedp.CSS(`.crumbs a`), "href"))
	for _, path := range []string{
		strings.TrimPrefix(motion, site),
		council.Value,
		council.Value + "/invitations",
		"/",
		"/log",
	} {
		phone.Do("open "+path, chromedp.Navigate(site+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		w := browsertest.Run(phone, "measure "+path, chromedp.Evaluate[phoneWidth](measureWidth))
		if w.Inner != 375 || w.Scroll > w.Inner {
			t.Errorf("%s on a 375 px phone: document %d px wide in a %d px window, want no horizontal scroll; too wide: %s",
				path, w.Scroll, w.Inner, strings.Join(w.Wide, ", "))
		}
	}

	for _, p := range []*browsertest.Person{founder, comrade, phone} {
		for _, m := range p.ConsoleErrors() {
			t.Errorf("%s: the page printed an error: %s", p.Name, m)
		}
	}
}

// phoneWidth is what measureWidth reads off a page.
type phoneWidth struct {
	Scroll, Inner int
	Wide          []string
}

// measureWidth reads the document's width and the window's. A phone's
// browser widens its window to fit a page that overflows, so both are
// compared with 375. It names the innermost elements that reach past 375 px,
// which is where a fix starts.
const measureWidth = `(() => {
	const wide = [];
	for (const e of document.body.querySelectorAll('*')) {
		if (e.getBoundingClientRect().right <= 375.5) continue;
		if ([...e.children].some((c) => c.getBoundingClientRect().right > 375.5)) continue;
		wide.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : '') + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
	}
	return {Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Wide: wide.slice(0, 5)};
})()`
