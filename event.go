package soviet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event is one entry of the federation's log. Every state change is an
// event; the state tables are projections of the log, written in the same
// transaction.
type Event struct {
	Seq     int64           // 1, 2, 3, … with no gap
	Time    time.Time       // when the transaction that appended it ran (µs)
	Actor   int64           // the account that caused it; 0 for the system
	Type    string          // e.g. "motion.proposed"
	Payload json.RawMessage // canonical JSON
	Prev    []byte          // the previous event's Hash; 32 zero bytes for the first
	Hash    []byte          // SHA-256 of the canonical envelope, see Envelope
}

// Payload is the body of an event of one type.
type Payload interface {
	EventType() string
}

// HashSize is the size of event hashes.
const HashSize = sha256.Size

// Envelope returns the canonical encoding the event's hash is computed over:
// a JSON object with sorted keys, the time in Unix microseconds and the
// previous hash in hex.
func (e *Event) Envelope() []byte {
	var b bytes.Buffer
	b.Grow(len(e.Payload) + 160)
	b.WriteString(`{"actor":`)
	b.WriteString(strconv.FormatInt(e.Actor, 10))
	b.WriteString(`,"payload":`)
	b.Write(e.Payload)
	b.WriteString(`,"prev":"`)
	b.WriteString(hex.EncodeToString(e.Prev))
	b.WriteString(`","seq":`)
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteString(`,"time":`)
	b.WriteString(strconv.FormatInt(e.Time.UnixMicro(), 10))
	b.WriteString(`,"type":`)
	t, _ := json.Marshal(e.Type) // a string always marshals
	b.Write(t)
	b.WriteByte('}')
	return b.Bytes()
}

// ComputeHash returns the hash the event should carry.
func (e *Event) ComputeHash() []byte {
	h := sha256.Sum256(e.Envelope())
	return h[:]
}

// Canonical returns the canonical JSON encoding of v: objects with sorted
// keys, no insignificant space, numbers as written, no HTML escaping.
func Canonical(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes JSON text in canonical form.
func CanonicalizeJSON(raw []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// payloadTypes maps every event type to a constructor of its payload, so
// that a stored event can be decoded into its typed form.
var payloadTypes = map[string]func() Payload{}

// register adds payload types to payloadTypes; called from init only.
func register(ctors ...func() Payload) {
	for _, c := range ctors {
		t := c().EventType()
		if _, dup := payloadTypes[t]; dup {
			panic("soviet: event type registered twice: " + t)
		}
		payloadTypes[t] = c
	}
}

// DecodePayload returns the typed payload of a stored event.
func DecodePayload(typ string, raw []byte) (Payload, error) {
	c, ok := payloadTypes[typ]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	p := c()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", typ, err)
	}
	return p, nil
}

// EventTypes returns every registered event type.
func EventTypes() []string {
	ts := make([]string, 0, len(payloadTypes))
	for t := range payloadTypes {
		ts = append(ts, t)
	}
	return ts
}
