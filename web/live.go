package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"soviet"
)

// broker fans committed events out to the pages that show them, as topics
// such as "motion:42". Publishing never blocks the writer: a subscriber
// that is behind only misses signals it would have coalesced anyway,
// because a signal means "render the current state again".
type broker struct {
	mu     sync.Mutex
	subs   map[string]map[chan struct{}]struct{}
	closed bool
}

func newBroker() *broker { return &broker{subs: map[string]map[chan struct{}]struct{}{}} }

// topics returns the topics an event touches.
func topics(ev soviet.Event) []string {
	var ref struct {
		Motion int64 `json:"motion"`
		// Vote names a secret vote by the id of what it decides: a
		// participation event moves its motion's turnout.
		Vote int64 `json:"vote"`
	}
	json.Unmarshal(ev.Payload, &ref)
	ts := []string{"log"}
	if ref.Motion != 0 {
		ts = append(ts, fmt.Sprintf("motion:%d", ref.Motion))
	}
	if ref.Vote != 0 && ref.Vote != ref.Motion {
		ts = append(ts, fmt.Sprintf("motion:%d", ref.Vote))
	}
	return ts
}

func (b *broker) publish(evs []soviet.Event) {
	seen := map[string]bool{}
	for _, ev := range evs {
		for _, t := range topics(ev) {
			seen[t] = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for t := range seen {
		for ch := range b.subs[t] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// subscribe returns a channel signalled when topic changes, and a function
// to unsubscribe.
func (b *broker) subscribe(topic string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan struct{}]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[topic][ch]; ok {
			delete(b.subs[topic], ch)
			close(ch)
		}
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, subs := range b.subs {
		for ch := range subs {
			close(ch)
		}
	}
	b.subs = map[string]map[chan struct{}]struct{}{}
}

// sse streams Server-Sent Events: each signal on ch renders an HTML
// fragment and sends it as one event named name. A comment every 25 s keeps
// proxies from closing the stream.
func (s *Server) sse(w http.ResponseWriter, r *http.Request, ch <-chan struct{}, name string, render func() (string, error)) error {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func() error {
		html, err := render()
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\n", name); err != nil {
			return err
		}
		for _, line := range splitLines(html) {
			if _, err := fmt.Fprintf(w, "data: %s\n", line); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprint(w, "\n"); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case _, ok := <-ch:
			if !ok {
				return nil
			}
			if err := send(); err != nil {
				s.log.Debug("sse ended", "err", err)
				return nil
			}
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
