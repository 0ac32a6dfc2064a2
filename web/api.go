package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"soviet"
)

// maxBody is the largest request body accepted (a motion's text is at most
// 100,000 characters).
const maxBody = 1 << 20

// decodeJSON reads a JSON request body into v, strictly: one object, no
// unknown fields, within maxBody. Every failure is a clear 4xx.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errNotJSON
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		return soviet.Errorf(soviet.ErrInvalid, "the request body could not be read")
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD: the text
	// recorded would not be the text sent.
	if !utf8.Valid(body) {
		return soviet.Errorf(soviet.ErrInvalid, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return soviet.Errorf(soviet.ErrInvalid, "the body must hold one JSON value and nothing after it")
	}
	return checkKeys(body, reflect.TypeOf(v).Elem())
}

// checkKeys checks the keys of a JSON object against the fields of struct
// type t: each key is exactly a field's name and appears once, every
// required field is there, and only a field that may be absent (a pointer,
// a list) may be null. encoding/json alone matches names regardless of
// case, keeps the last of repeated keys and takes a missing or null field
// as its zero value: {} would refuse a join request, and a body could mean
// other than what it seems to say.
func checkKeys(body []byte, t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return nil
	}
	fields := jsonFields(t)
	known := map[string]reflect.Type{}
	for _, f := range fields {
		known[f.Name] = f.Type
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return soviet.Errorf(soviet.ErrInvalid, "the body must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key, _ := tok.(string)
		ft, ok := known[key]
		switch {
		case seen[key]:
			return soviet.Errorf(soviet.ErrInvalid, "field %q appears more than once", key)
		case !ok:
			return soviet.Errorf(soviet.ErrInvalid, "unknown field %q", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return jsonError(err)
		}
		switch ft.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		default:
			if string(value) == "null" {
				return soviet.Errorf(soviet.ErrInvalid, "field %q must be %s, not null", key, jsonKind(ft.String()))
			}
		}
	}
	for _, f := range fields {
		if f.Required && !seen[f.Name] {
			return soviet.Errorf(soviet.ErrInvalid, "field %q is required", f.Name)
		}
	}
	return nil
}

// jsonError explains a decoding error in words.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return soviet.Errorf(soviet.ErrInvalid, "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return soviet.Errorf(soviet.ErrInvalid, "the JSON body ends too soon")
	case errors.As(err, &syntax):
		return soviet.Errorf(soviet.ErrInvalid, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return soviet.Errorf(soviet.ErrInvalid, "the body must be a JSON %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return soviet.Errorf(soviet.ErrInvalid, "field %q must be %s, not %s", typ.Field, jsonKind(typ.Type.String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return soviet.Errorf(soviet.ErrInvalid, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return soviet.Errorf(soviet.ErrInvalid, "malformed JSON: %v", err)
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case goType == "string" || strings.HasPrefix(goType, "soviet."):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"), goType == "slice":
		return "an array"
	case goType == "struct" || goType == "map":
		return "an object"
	case goType == "time.Time":
		return "a time (RFC 3339)"
	}
	return goType
}

// pathID reads an integer id from the path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, soviet.Errorf(soviet.ErrInvalid, "%s %q is not a positive integer", name, v)
	}
	return id, nil
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def, min, max int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, soviet.Errorf(soviet.ErrInvalid, "query parameter %s must be an integer from %d to %d", name, min, max)
	}
	return n, nil
}

// parseDeadline reads an optional RFC 3339 time or a number of hours.
func parseDeadline(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, soviet.Errorf(soviet.ErrInvalid, "deadline %q is not a time like 2026-12-01T18:00:00Z", s)
}

// requireActor returns the signed-in account or ErrUnauthenticated.
func requireActor(r *http.Request) (soviet.Account, error) {
	a := actorOf(r)
	if a.ID == 0 {
		return a, soviet.Errorf(soviet.ErrUnauthenticated, "sign in first")
	}
	return a, nil
}

var _ = fmt.Sprint
