package web

import (
	"bufio"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"soviet"
	"soviet/storetest"
)

// stream opens a Server-Sent Events stream as c's browser and returns its
// events (name and data) as they come.
func (c *client) stream(t *testing.T, path string) (*http.Response, <-chan [2]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", c.h.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	hc := *c.http
	hc.Timeout = 0 // the stream stays open
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	events := make(chan [2]string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		var name string
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name != "" || data != nil {
					events <- [2]string{name, strings.Join(data, "\n")}
				}
				name, data = "", nil
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	return res, events
}

// next waits for the next event.
func next(t *testing.T, events <-chan [2]string) (name, data string) {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev[0], ev[1]
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return "", ""
}

// TestLiveTally opens a motion's live stream and votes: a tally event
// with the new count arrives for each vote.
func TestLiveTally(t *testing.T) {
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		w := newWorld(t, open)
		m := w.motion(soviet.Voting)
		other := w.motion(soviet.Voting)
		path := "/motions/" + id(m) + "/live"

		res, events := w.founder.stream(t, path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// A vote on another motion sends nothing on this stream; the
		// vote on this one does.
		w.alice.api("PUT", "/api/v1/motions/"+id(other)+"/vote", map[string]string{"choice": "yes"}).want(t, 204)
		w.actors[member].api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "yes"}).want(t, 204)
		name, data := next(t, events)
		if name != "tally" || !strings.Contains(data, "Yes 1 · No 0") || !strings.Contains(data, `id="tally"`) {
			t.Fatalf("event %q: %s", name, data)
		}
		if !strings.Contains(data, `<span class="choice yes">yes</span>`) {
			t.Errorf("the secretary's tally lacks the roll call: %s", data)
		}
		w.actors[member].form("/motions/"+id(m)+"/vote", map[string][]string{"choice": {"no"}}).want(t, 303)
		if name, data := next(t, events); name != "tally" || !strings.Contains(data, "Yes 0 · No 1") {
			t.Fatalf("after the change of vote, event %q: %s", name, data)
		}
		w.founder.api("POST", "/api/v1/motions/"+id(m)+"/vote/close", nil).want(t, 200)
		if name, data := next(t, events); name != "tally" || !strings.Contains(data, "Rejected") {
			t.Fatalf("after the close, event %q: %s", name, data)
		}

		// A member of another council gets the tally without the roll call.
		_, events = w.actors[otherCouncil].stream(t, "/motions/"+id(other)+"/live")
		w.actors[member].api("PUT", "/api/v1/motions/"+id(other)+"/vote", map[string]string{"choice": "abstain"}).want(t, 204)
		if name, data := next(t, events); name != "tally" || !strings.Contains(data, "Abstain 1") || strings.Contains(data, "Roll call") {
			t.Fatalf("other council: event %q: %s", name, data)
		}

		// Who may not see the motion may not follow it.
		w.actors[anonymous].get(path).want(t, 303)
		w.actors[outsider].get(path).want(t, 403)
		w.actors[foreign].get(path).want(t, 403)
		w.actors[member].get("/motions/999999/live").want(t, 404)
		w.actors[member].get("/motions/x/live").want(t, 400)
	})
}

// metricValue returns the value of a sample in Prometheus text, or -1.
func metricValue(t *testing.T, text, sample string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", sample, err)
	}
	return v
}

// TestMetricsAndHealth checks /healthz and the metrics /metrics exposes:
// request counts and latencies by route, votes cast, the log's size.
func TestMetricsAndHealth(t *testing.T) {
	names := []string{"soviet_http_requests_total", "soviet_http_request_duration_seconds", "soviet_votes_cast_total", "soviet_log_events"}
	onEngines(t, func(t *testing.T, open storetest.Opener) {
		h := newHarness(t, open)
		// The first scrape of a fresh server already has every metric.
		first := string(h.anonymous().get("/metrics").want(t, 200).Body)
		for _, n := range names {
			if !strings.Contains(first, "# TYPE "+n+" ") {
				t.Errorf("a fresh server's metrics lack %s", n)
			}
		}
		w := worldOn(h)
		var health struct{ Status, Version string }
		w.anonymous().get("/healthz").want(t, 200).decode(t, &health)
		if health.Status != "ok" || health.Version != "test" {
			t.Errorf("healthz: %+v", health)
		}

		m := w.motion(soviet.Voting)
		w.actors[member].api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "yes"}).want(t, 204)
		w.actors[member].api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "yes"}).want(t, 409)
		w.alice.api("PUT", "/api/v1/motions/"+id(m)+"/vote", map[string]string{"choice": "no"}).want(t, 204)
		w.actors[member].form("/motions/"+id(m)+"/vote", map[string][]string{"choice": {"abstain"}}).want(t, 303)

		size := w.size()
		res := w.anonymous().get("/metrics").want(t, 200)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q", ct)
		}
		text := string(res.Body)
		for sample, want := range map[string]float64{
			`soviet_votes_cast_total`: 3,
			`soviet_log_events`:       float64(size),
			`soviet_http_requests_total{code="204",route="PUT /api/v1/motions/{id}/vote"}`:                 2,
			`soviet_http_requests_total{code="409",route="PUT /api/v1/motions/{id}/vote"}`:                 1,
			`soviet_http_requests_total{code="303",route="POST /motions/{id}/vote"}`:                       1,
			`soviet_http_requests_total{code="200",route="GET /healthz"}`:                                  1,
			`soviet_http_request_duration_seconds_count{route="PUT /api/v1/motions/{id}/vote"}`:            3,
			`soviet_http_request_duration_seconds_bucket{route="PUT /api/v1/motions/{id}/vote",le="+Inf"}`: 3,
		} {
			if got := metricValue(t, text, sample); got != want {
				t.Errorf("%s = %v, want %v", sample, got, want)
			}
		}
	})
}
