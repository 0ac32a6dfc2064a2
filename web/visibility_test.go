package web

import (
	"context"
	"testing"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// TestEventVisibility checks that the log shows each reader only what is
// theirs to read, and every event's hashes to all.
func TestEventVisibility(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			cw := newCouncilWebWith(t, e.Open, nil)
			f := cw.f
			ctx := context.Background()
			m := f.OpenMotion(f.Putilov, f.Alice, "Named vote", soviet.Simple)
			if err := f.Svc.CastVote(ctx, f.Alice, m, soviet.Yes); err != nil {
				t.Fatal(err)
			}
			// Olga founds a federation of her own.
			other := f.Must(f.Svc.CreateFederation(ctx, f.Olga, "Elsewhere")).ID()
			var resp eventsResponse
			cw.api(f.Olga, "GET", "/api/v1/log/events?limit=1000", nil).want(t, 200).decode(t, &resp)
			var head store.Head
			if head, _ = f.DB.Head(ctx); int64(len(resp.Events)) != head.Size {
				t.Fatalf("%d events listed, the log has %d", len(resp.Events), head.Size)
			}
			sawOwn, sawRedactedVote := false, false
			for _, ev := range resp.Events {
				if ev.Hash == "" || ev.Prev == "" {
					t.Fatalf("event %d lacks its hashes", ev.Seq)
				}
				switch {
				case ev.Seq == other:
					sawOwn = !ev.Redacted && ev.Type == "federation.created"
				case ev.Redacted && ev.Type == "" && ev.Payload == nil:
					sawRedactedVote = sawRedactedVote || ev.Seq > m
				case ev.Type == "vote.cast" || ev.Type == "motion.proposed":
					t.Fatalf("an outsider reads event %d (%s) of another federation", ev.Seq, ev.Type)
				}
			}
			if !sawOwn || !sawRedactedVote {
				t.Fatalf("own federation shown: %v; the other federation's vote redacted: %v", sawOwn, sawRedactedVote)
			}
			// A member of Putilov reads the vote. (A fresh value: decoding
			// into the old one would keep its fields.)
			resp = eventsResponse{}
			cw.api(f.Bob, "GET", "/api/v1/log/events?limit=1000", nil).want(t, 200).decode(t, &resp)
			found := false
			for _, ev := range resp.Events {
				found = found || (ev.Type == "vote.cast" && !ev.Redacted)
			}
			if !found {
				t.Fatal("a member of the council does not read its roll-call vote")
			}
		})
	}
}
