package soviet

import (
	"reflect"
	"strconv"
	"strings"
)

// Most payloads are flat: an object of integers, strings and booleans.
// Replaying a log decodes millions of them, so DecodePayload first tries a
// decoder for flat payloads written canonically (keys as the struct names
// them, ASCII strings without escapes, integers). It answers only when the
// general decoder would give the same payload; anything else (an escape,
// an unknown or repeated key, a number that is not a plain integer, null,
// trailing bytes) is left to the general decoder, which also says what is
// wrong.

// flatField is a field of a flat payload struct.
type flatField struct {
	index int
	kind  reflect.Kind
}

// flatFields maps a flat payload type to its fields by JSON name; a type
// that is not flat is absent.
var flatFields = map[reflect.Type]map[string]flatField{}

// addFlat records the fields of payload type t if it is flat.
func addFlat(t reflect.Type) {
	if t.Kind() != reflect.Struct {
		return
	}
	fields := map[string]flatField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		switch k := f.Type.Kind(); k {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.String, reflect.Bool:
			fields[name] = flatField{index: i, kind: k}
		default:
			return
		}
	}
	flatFields[t] = fields
}

// decodeFlat decodes raw into p (a pointer to a flat payload struct) and
// reports whether it could; when it could not, p may be half written.
func decodeFlat(p Payload, raw []byte) bool {
	v := reflect.ValueOf(p).Elem()
	fields, ok := flatFields[v.Type()]
	if !ok || len(raw) < 2 || raw[0] != '{' {
		return false
	}
	var seen uint64
	i := 1
	if raw[i] == '}' {
		return i+1 == len(raw)
	}
	for {
		key, next, ok := plainString(raw, i)
		if !ok || next >= len(raw) || raw[next] != ':' {
			return false
		}
		f, ok := fields[key]
		if !ok || f.index >= 64 || seen&(1<<f.index) != 0 {
			return false
		}
		seen |= 1 << f.index
		i = next + 1
		fv := v.Field(f.index)
		switch f.kind {
		case reflect.String:
			s, next, ok := plainString(raw, i)
			if !ok {
				return false
			}
			fv.SetString(s)
			i = next
		case reflect.Bool:
			switch {
			case strings.HasPrefix(string(raw[i:min(i+5, len(raw))]), "true"):
				fv.SetBool(true)
				i += 4
			case strings.HasPrefix(string(raw[i:min(i+5, len(raw))]), "false"):
				fv.SetBool(false)
				i += 5
			default:
				return false
			}
		default:
			j := i
			if j < len(raw) && raw[j] == '-' {
				j++
			}
			start := j
			for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
				j++
			}
			if j == start || raw[start] == '0' && j-start > 1 {
				return false
			}
			n, err := strconv.ParseInt(string(raw[i:j]), 10, 64)
			if err != nil || fv.OverflowInt(n) {
				return false
			}
			fv.SetInt(n)
			i = j
		}
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i++
		case '}':
			return i+1 == len(raw)
		default:
			return false
		}
	}
}

// plainString reads a JSON string of printable ASCII without escapes at
// raw[i] and returns it and the index after it.
func plainString(raw []byte, i int) (string, int, bool) {
	if i >= len(raw) || raw[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			return string(raw[i+1 : j]), j + 1, true
		case c < 0x20 || c == '\\' || c >= 0x80:
			return "", i, false
		}
	}
	return "", i, false
}
