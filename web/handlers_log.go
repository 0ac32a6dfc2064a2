package web

import (
	"encoding/hex"
	"encoding/json"
	"net/http"

	"soviet"
	"soviet/store"
)

func headJSON(h store.Head) headResponse {
	return headResponse{Size: h.Size, Root: hex.EncodeToString(h.Root), Last: hex.EncodeToString(h.Last), Time: h.Time}
}

func (s *Server) apiHead(w http.ResponseWriter, r *http.Request) error {
	h, err := s.db.Head(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, headJSON(h))
	return nil
}

func eventToJSON(ev soviet.Event) eventJSON {
	return eventJSON{Seq: ev.Seq, Time: ev.Time.UTC(), Actor: ev.Actor, Type: ev.Type, Payload: json.RawMessage(ev.Payload),
		Prev: hex.EncodeToString(ev.Prev), Hash: hex.EncodeToString(ev.Hash)}
}

// apiEvents serves the log to signed-in accounts: every event's hashes, so
// that anyone may check the log against the head; and the content of the
// events they may read (see visibility.go).
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	from, err := queryInt(r, "from", 1, 1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	evs, err := s.db.Events(r.Context(), from, int(limit))
	if err != nil {
		return err
	}
	resp := eventsResponse{Events: make([]eventJSON, len(evs))}
	er := s.newEventReader(a.ID)
	for i, ev := range evs {
		if resp.Events[i], err = er.view(r.Context(), ev); err != nil {
			return err
		}
	}
	if len(evs) == int(limit) {
		resp.Next = evs[len(evs)-1].Seq + 1
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func hexAll(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h)
	}
	return out
}

func (s *Server) apiInclusion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.db.Head(ctx)
	if err != nil {
		return err
	}
	seq, err := queryInt(r, "seq", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	if seq == 0 {
		return soviet.Errorf(soviet.ErrInvalid, "query parameter seq is required")
	}
	size, err := queryInt(r, "size", h.Size, 1, 1<<62)
	if err != nil {
		return err
	}
	p, err := s.db.InclusionProof(ctx, seq, size)
	if err != nil {
		return err
	}
	root, err := s.db.RootAt(ctx, size)
	if err != nil {
		return err
	}
	ev, err := s.db.Event(ctx, seq)
	if err != nil {
		return err
	}
	index := seq - 1
	writeJSON(w, http.StatusOK, proofResponse{Size: size, Root: hex.EncodeToString(root), Hashes: hexAll(p),
		Index: &index, LeafHash: hex.EncodeToString(store.LeafHash(ev))})
	return nil
}

func (s *Server) apiConsistency(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.db.Head(ctx)
	if err != nil {
		return err
	}
	first, err := queryInt(r, "first", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	if first == 0 {
		return soviet.Errorf(soviet.ErrInvalid, "query parameter first is required")
	}
	second, err := queryInt(r, "second", h.Size, 1, 1<<62)
	if err != nil {
		return err
	}
	p, err := s.db.ConsistencyProof(ctx, first, second)
	if err != nil {
		return err
	}
	root1, err := s.db.RootAt(ctx, first)
	if err != nil {
		return err
	}
	root2, err := s.db.RootAt(ctx, second)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, proofResponse{Size: second, Root: hex.EncodeToString(root2), Hashes: hexAll(p),
		First: first, FirstRoot: hex.EncodeToString(root1)})
	return nil
}
