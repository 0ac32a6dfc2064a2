package soviet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
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
	return e.AppendEnvelope(make([]byte, 0, len(e.Payload)+160))
}

// AppendEnvelope appends the event's Envelope to b, so that a caller that
// hashes many events can reuse one buffer.
func (e *Event) AppendEnvelope(b []byte) []byte {
	b = append(b, `{"actor":`...)
	b = strconv.AppendInt(b, e.Actor, 10)
	b = append(b, `,"payload":`...)
	b = append(b, e.Payload...)
	b = append(b, `,"prev":"`...)
	b = hex.AppendEncode(b, e.Prev)
	b = append(b, `","seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"time":`...)
	b = strconv.AppendInt(b, e.Time.UnixMicro(), 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, e.Type)
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			t, _ := json.Marshal(s) // a string always marshals
			return append(b, t...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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

// IsCanonical reports whether raw is canonical JSON: what CanonicalizeJSON
// makes of it. A scan without allocation decides the common case (no
// whitespace, ASCII strings without escapes, keys in order); anything
// else is decided by CanonicalizeJSON itself.
func IsCanonical(raw []byte) bool {
	c := canonScan{b: raw}
	switch c.value(0) {
	case canonYes:
		if c.i == len(raw) {
			return true
		}
		return false // trailing bytes: the canonical form drops them
	case canonNo:
		return false
	}
	out, err := CanonicalizeJSON(raw)
	return err == nil && bytes.Equal(out, raw)
}

type canonResult int

const (
	canonYes canonResult = iota
	canonNo
	canonUnsure
)

// canonScan checks canonical JSON in one pass. It answers canonNo only when
// the text is surely not canonical (whitespace, keys out of order, a
// malformed token) and canonUnsure for what it does not decide.
type canonScan struct {
	b []byte
	i int
}

func (c *canonScan) value(depth int) canonResult {
	if c.i >= len(c.b) {
		return canonNo
	}
	if depth > 64 {
		return canonUnsure
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		c.i++
		if c.i < len(c.b) && c.b[c.i] == '}' {
			c.i++
			return canonYes
		}
		var prev []byte
		for first := true; ; first = false {
			start := c.i
			if r := c.str(); r != canonYes {
				return r
			}
			key := c.b[start+1 : c.i-1]
			if !first && bytes.Compare(prev, key) >= 0 {
				return canonNo // out of order, or twice
			}
			prev = key
			if c.i >= len(c.b) || c.b[c.i] != ':' {
				return canonNo
			}
			c.i++
			if r := c.value(depth + 1); r != canonYes {
				return r
			}
			if c.i >= len(c.b) {
				return canonNo
			}
			switch c.b[c.i] {
			case ',':
				c.i++
			case '}':
				c.i++
				return canonYes
			default:
				return canonNo
			}
		}
	case ch == '[':
		c.i++
		if c.i < len(c.b) && c.b[c.i] == ']' {
			c.i++
			return canonYes
		}
		for {
			if r := c.value(depth + 1); r != canonYes {
				return r
			}
			if c.i >= len(c.b) {
				return canonNo
			}
			switch c.b[c.i] {
			case ',':
				c.i++
			case ']':
				c.i++
				return canonYes
			default:
				return canonNo
			}
		}
	case ch == '"':
		return c.str()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return canonNo
}

// str checks a string of printable ASCII without escapes, which is
// written as it is; an escape or a byte beyond ASCII leaves it unsure.
func (c *canonScan) str() canonResult {
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return canonNo
	}
	for j := c.i + 1; j < len(c.b); j++ {
		switch ch := c.b[j]; {
		case ch == '"':
			c.i = j + 1
			return canonYes
		case ch < 0x20:
			return canonNo // not JSON
		case ch == '\\' || ch >= 0x80:
			return canonUnsure
		}
	}
	return canonNo
}

// number checks the JSON number grammar; a valid number is written as it
// was read (json.Number).
func (c *canonScan) number() canonResult {
	b, i := c.b, c.i
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return canonNo
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return canonNo
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return canonNo
		}
	}
	c.i = i
	return canonYes
}

func (c *canonScan) literal(w string) canonResult {
	if !bytes.HasPrefix(c.b[c.i:], []byte(w)) {
		return canonNo
	}
	c.i += len(w)
	return canonYes
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
		addFlat(reflect.TypeOf(c()).Elem())
	}
}

// DecodePayload returns the typed payload of a stored event.
func DecodePayload(typ string, raw []byte) (Payload, error) {
	c, ok := payloadTypes[typ]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	if p := c(); decodeFlat(p, raw) {
		return p, nil
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
