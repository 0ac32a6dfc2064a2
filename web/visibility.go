package web

import (
	"context"
	"encoding/json"
	"fmt"

	"soviet"
)

// Who may read an event of the log. The log is the instance's, but its
// events are not all for everyone: a federation's events are for its
// members, and a roll-call choice only for those who may see that
// council's votes. An event the actor may not read is shown redacted: its
// sequence number, previous hash and hash only. With every hash, anyone
// can still recompute the Merkle root of the whole log and check it
// against the published head; with the events they may read, they can
// recompute those events' hashes too.

// scopeKeys are the payload fields that name an event's subject, most
// specific first.
var scopeKeys = []string{"motion", "election", "vote", "office", "invitation", "request", "council", "body", "from", "federation"}

// choiceEvents carry a named (roll-call) choice.
var choiceEvents = map[string]bool{"vote.cast": true, "ranking.cast": true}

// eventReader decides, for one actor, which events they may read; it
// caches what it looked up.
type eventReader struct {
	s      *Server
	actor  int64
	fedOK  map[int64]bool
	seeOK  map[int64]bool // council → may see its votes
	scopes map[string][2]int64
}

func (s *Server) newEventReader(actor int64) *eventReader {
	return &eventReader{s: s, actor: actor, fedOK: map[int64]bool{}, seeOK: map[int64]bool{}, scopes: map[string][2]int64{}}
}

// scope returns the federation and council of an event, from the first
// field of its payload that names one; ok is false for an event of the
// instance as a whole (accounts, the instance's creation).
func (er *eventReader) scope(ctx context.Context, ev soviet.Event) (federation, council int64, ok bool, err error) {
	if ev.Type == "federation.created" {
		return ev.Seq, 0, true, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(ev.Payload, &fields); err != nil {
		return 0, 0, false, fmt.Errorf("event %d: %w", ev.Seq, err)
	}
	for _, k := range scopeKeys {
		raw, present := fields[k]
		if !present {
			continue
		}
		var id int64
		if json.Unmarshal(raw, &id) != nil || id <= 0 {
			continue
		}
		key := fmt.Sprintf("%s:%d", k, id)
		if sc, cached := er.scopes[key]; cached {
			return sc[0], sc[1], sc[0] != 0, nil
		}
		f, c, found, err := er.s.db.ScopeOf(ctx, k, id)
		if err != nil {
			return 0, 0, false, err
		}
		if !found {
			continue
		}
		er.scopes[key] = [2]int64{f, c}
		return f, c, true, nil
	}
	return 0, 0, false, nil
}

// may reports whether the actor may read the event.
func (er *eventReader) may(ctx context.Context, ev soviet.Event) (bool, error) {
	federation, council, scoped, err := er.scope(ctx, ev)
	if err != nil || !scoped {
		return !scoped && err == nil, err
	}
	ok, seen := er.fedOK[federation]
	if !seen {
		_, roles, err := er.s.svc.FederationRolesOf(ctx, er.actor, federation)
		if err != nil {
			return false, err
		}
		ok = soviet.Allowed(soviet.ActViewFederation, roles)
		er.fedOK[federation] = ok
	}
	if !ok || !choiceEvents[ev.Type] || council == 0 {
		return ok, nil
	}
	see, seen := er.seeOK[council]
	if !seen {
		_, roles, err := er.s.svc.Roles(ctx, er.actor, council)
		if err != nil {
			return false, err
		}
		see = soviet.Allowed(soviet.ActSeeVotes, roles)
		er.seeOK[council] = see
	}
	return see, nil
}

// view returns the event as the actor may see it.
func (er *eventReader) view(ctx context.Context, ev soviet.Event) (eventJSON, error) {
	j := eventToJSON(ev)
	ok, err := er.may(ctx, ev)
	if err != nil {
		return j, err
	}
	if !ok {
		j = eventJSON{Seq: ev.Seq, Prev: j.Prev, Hash: j.Hash, Redacted: true}
	}
	return j, nil
}
