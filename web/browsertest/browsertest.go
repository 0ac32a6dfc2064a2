// Package browsertest drives soviet's pages in a real headless Chromium
// (github.com/chromedp/chromedp over Debian's chromium), for tests that must
// see what a person sees: forms posted by a browser, htmx swaps, live
// updates over Server-Sent Events, layout on a phone.
//
// Locally a missing Chromium skips the test. With CI set it fails it, because
// nothing may be skipped in CI.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// waitTimeout bounds a wait for what the page should show by itself, such
// as a live update: a few milliseconds when all is well, so a missing one
// fails the step soon rather than at the test's deadline.
const waitTimeout = 15 * time.Second

// startTimeout bounds Chromium's start: a browser that never answers would
// otherwise hold the test until go test's own ten-minute timeout.
const startTimeout = 30 * time.Second

// ExecPath returns the Chromium binary: $SOVIET_CHROMIUM if set, else the
// first of chromium, chromium-browser, google-chrome and
// google-chrome-stable on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("SOVIET_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: install it (apt-get install -y chromium) or set SOVIET_CHROMIUM")
}

// Browser is one headless Chromium shared by the people of a test.
type Browser struct {
	ctx     context.Context
	timeout time.Duration
}

// Start starts a headless Chromium that ends with the test. The actions of
// each person it opens must finish within timeout of the opening (or by the
// test's own deadline, if sooner), so that a page that never shows what is
// awaited fails the test quickly instead of hanging it.
func Start(t *testing.T, timeout time.Duration) *Browser {
	t.Helper()
	path, err := ExecPath()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, so the browser test cannot be skipped: %v", err)
		}
		t.Skip(err)
	}
	// The flags of the machine notes: headless as root in a container (so no
	// sandbox and no GPU), and nothing that reaches for Google's hosts, which
	// the closed network refuses.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	// The cancels stop Chromium, which must happen before t.TempDir removes
	// its profile: Cleanup runs last registered first, after TempDir's.
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first action starts the browser and binds its life to ctx, so it
	// runs on ctx itself; a timer, not a deadline, bounds the start.
	stop := time.AfterFunc(startTimeout, cancel)
	err = chromedp.Do(ctx)
	if !stop.Stop() {
		err = fmt.Errorf("no answer within %s: %w", startTimeout, err)
	}
	if err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return &Browser{ctx: ctx, timeout: timeout}
}

// marks is run in every document before its own scripts. It records the
// element whose Server-Sent Events stream opened last, so that a test can
// wait until the page is really listening before it changes what the page
// shows: a change made earlier would never reach the page, and the test
// would fail by chance. A listener on the document outlives htmx's swaps of
// the body, and the event bubbles up to it.
const marks = `document.addEventListener('htmx:sseOpen', (e) => { window.sovietLive = e.target; });`

// Person is one tab in a browser context of its own: its own cookies, as
// another person's browser would have.
type Person struct {
	Name string
	t    *testing.T
	tab  context.Context // no deadline: for the screenshot of a failure
	ctx  context.Context // the tab, with the test's deadline

	mu      sync.Mutex
	console []string
}

// NewPerson opens a tab in a new browser context. When the test fails, a
// screenshot and the HTML of the tab's page are saved in the test's
// artifact directory (kept with go test -artifacts), and the page's console
// errors are logged.
func (b *Browser) NewPerson(t *testing.T, name string) *Person {
	t.Helper()
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &Person{Name: name, t: t, tab: tab}
	// The first action opens the tab and binds its life to the context it
	// runs on: the tab itself, so that the tab outlives the deadline and can
	// still be photographed when the test fails for want of time.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("%s: open a tab: %v", name, err)
	}
	deadline := time.Now().Add(b.timeout)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var cancelDeadline context.CancelFunc
	p.ctx, cancelDeadline = context.WithDeadline(tab, deadline)
	t.Cleanup(cancelDeadline)
	if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: marks}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// Console subscribes as it returns, so nothing the pages print is lost.
	msgs := chromedp.Console(tab)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// Every browser asks for /favicon.ico, and soviet has none:
			// that 404 says nothing about the page.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.HasSuffix(m.URL, "/favicon.ico") {
				p.mu.Lock()
				p.console = append(p.console, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m))
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			p.saveFailure()
		}
	})
	return p
}

// quiet waits until the page is loaded and htmx has no request, swap or
// settle under way. htmx scrolls a boosted page to the top when it settles,
// after the new content is already there: a click aimed before that lands
// wherever the scroll moved the element from.
var quiet = chromedp.Poll[chromedp.Void](`document.readyState === 'complete' &&
	document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') === null`)

// Click waits until the element that css selects is visible and the page is
// quiet, then clicks it with the mouse, as a person would.
func Click(css string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(css)), quiet, chromedp.Click(chromedp.CSS(css)))
}

// Type waits like Click, then types text into the element that css selects.
func Type(css, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(css)), quiet, chromedp.SendKeys(chromedp.CSS(css), text))
}

// ConsoleErrors returns the errors and uncaught exceptions that the pages
// of the tab printed so far.
func (p *Person) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

// saveFailure keeps what the tab showed when the test failed.
func (p *Person) saveFailure() {
	ctx, cancel := context.WithTimeout(p.tab, 10*time.Second)
	defer cancel()
	base := filepath.Join(p.t.ArtifactDir(), strings.ReplaceAll(p.Name, " ", "-"))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		p.t.Logf("%s was at %s", p.Name, loc)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err != nil {
		p.t.Logf("%s: no screenshot: %v", p.Name, err)
	} else if err := os.WriteFile(base+".png", png, 0o644); err != nil {
		p.t.Logf("%s: %v", p.Name, err)
	} else {
		p.t.Logf("%s: screenshot %s.png", p.Name, base)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		if err := os.WriteFile(base+".html", []byte(html), 0o644); err == nil {
			p.t.Logf("%s: page %s.html", p.Name, base)
		}
	}
	for _, m := range p.ConsoleErrors() {
		p.t.Logf("%s: console: %s", p.Name, m)
	}
}

// Do runs the actions in the person's tab and fails the test at the first
// error, naming the step.
func (p *Person) Do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.Name, step, err)
	}
}

// Run runs one action that returns a value.
func Run[T any](p *Person, step string, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %s: %v", p.Name, step, err)
	}
	return v
}

// textOf is the text of the first element a selector finds, as the
// document has it (textContent, before CSS changes its case), with its
// spaces collapsed; null while there is none. It reads in one evaluation,
// because a live update may replace the element between a query and a
// read.
const textOf = `(css) => {
	const e = document.querySelector(css);
	return e === null ? null : {text: e.textContent.replace(/\s+/g, ' ').trim()};
}`

// Text waits for an element that css selects and returns its text.
func (p *Person) Text(step, css string) string {
	p.t.Helper()
	v := Run(p, step, chromedp.PollFunction[struct {
		Text string `json:"text"`
	}](textOf, chromedp.WithPollingArgs(css), chromedp.WithPollingTimeout(waitTimeout)))
	return v.Text
}

// WaitText waits until the element that css selects reads want, and fails
// the test with what it reads instead if it does not within waitTimeout.
func (p *Person) WaitText(step, css, want string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.PollFunction[bool](`(css, want) => { const v = (`+textOf+`)(css); return v !== null && v.text === want; }`,
		chromedp.WithPollingArgs(css, want), chromedp.WithPollingTimeout(waitTimeout)))
	if err != nil {
		got := "(no such element)"
		if v, err := chromedp.Run(p.ctx, chromedp.Evaluate[*string](`(`+textOf+`)(`+jsString(css)+`)?.text ?? null`)); err == nil && v != nil {
			got = fmt.Sprintf("%q", *v)
		}
		p.t.Fatalf("%s: %s: %s reads %s, want %q (%v)", p.Name, step, css, got, want, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// WaitFor waits until the JavaScript expression is true in the page. A
// full navigation of the page while it waits fails the step.
func (p *Person) WaitFor(step, expr string) {
	p.t.Helper()
	Run(p, step, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(waitTimeout)))
}

// WaitLive waits until the page's Server-Sent Events stream is open, so
// that a change made after it returns reaches the page.
func (p *Person) WaitLive(step string) {
	p.t.Helper()
	p.WaitFor(step, `window.sovietLive !== undefined && window.sovietLive.isConnected`)
}
