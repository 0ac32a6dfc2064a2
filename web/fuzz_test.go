package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"soviet"
	"soviet/storetest"
)

// The fuzz targets post arbitrary bodies to the vote and motion endpoints
// through the whole server (middleware, authentication, decoding, the
// domain, a real store) and check the answer against an oracle written
// from the API's documented contract, not from decodeJSON: never a 5xx or
// a panic, a 2xx only for a valid body, and the log grows only on a 2xx.

// jsonObject is the oracle's reading of a request body: valid UTF-8 within
// the size limit, one JSON object, no key twice. It returns the object's
// raw values by key.
func jsonObject(body []byte) (map[string]json.RawMessage, bool) {
	if len(body) > maxBody || !utf8.Valid(body) || !json.Valid(body) {
		return nil, false
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.Token() // {
	obj := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if _, dup := obj[key]; dup {
			return nil, false
		}
		obj[key] = v
	}
	return obj, true
}

// jsonString reads a JSON value that must be a string.
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// onlyKeys reports whether obj's keys are among allowed and include the
// required ones.
func onlyKeys(obj map[string]json.RawMessage, allowed []string, required ...string) bool {
	for k := range obj {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			return false
		}
	}
	for _, r := range required {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	return true
}

// validVote is the oracle for PUT /api/v1/motions/{id}/vote: the body is
// {"choice": "yes" | "no" | "abstain"}.
func validVote(body []byte) (soviet.Choice, bool) {
	obj, ok := jsonObject(body)
	if !ok || !onlyKeys(obj, []string{"choice"}, "choice") {
		return "", false
	}
	c, ok := jsonString(obj["choice"])
	if !ok || (c != "yes" && c != "no" && c != "abstain") {
		return "", false
	}
	return soviet.Choice(c), true
}

// text reports whether s is text a person may type: no control
// characters but tabs and line breaks, min to max characters not counting
// spaces around it.
func text(s string, min, max int) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	return n >= min && n <= max
}

// validMotion is the oracle for POST /api/v1/councils/{id}/motions: a
// title of 1 to 300 characters, an optional body of at most 100,000, an
// optional majority.
func validMotion(body []byte) bool {
	obj, ok := jsonObject(body)
	if !ok || !onlyKeys(obj, []string{"title", "body", "majority"}, "title") {
		return false
	}
	if title, ok := jsonString(obj["title"]); !ok || !text(title, 1, 300) {
		return false
	}
	if raw, ok := obj["body"]; ok {
		if body, ok := jsonString(raw); !ok || !text(body, 0, 100000) {
			return false
		}
	}
	if raw, ok := obj["majority"]; ok {
		m, ok := jsonString(raw)
		if !ok || (m != "" && m != "simple" && m != "absolute" && m != "two-thirds") {
			return false
		}
	}
	return true
}

// fuzzWorlds returns the worlds a fuzz target runs against: SQLite while
// fuzzing, every engine when the seed corpus runs as a test.
func fuzzWorlds(f *testing.F) []*world {
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		return []*world{newWorld(f, storetest.SQLite)}
	}
	var ws []*world
	for _, e := range storetest.Engines(f) {
		ws = append(ws, newWorld(f, e.Open))
	}
	return ws
}

// serve sends one request through the whole server as a's API client.
func serve(w *world, a *client, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token)
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return rec
}

// checkAnswer applies what holds for every fuzzed request: no 5xx, a JSON
// error with a message for a 4xx, a 2xx only for a valid body, and the
// log grows exactly when the request succeeds.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, valid bool, body []byte, before, after int64) {
	t.Helper()
	status := rec.Code
	switch {
	case status >= 500:
		t.Fatalf("%d for %q: %s", status, body, rec.Body)
	case status < 300 && !valid:
		t.Fatalf("%d for the invalid body %q", status, body)
	case status >= 400:
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%d for %q without a JSON error: %s", status, body, rec.Body)
		}
		if after != before {
			t.Fatalf("%d for %q, but the log grew from %d to %d", status, body, before, after)
		}
	case after == before:
		t.Fatalf("%d for %q, but the log did not grow", status, body)
	}
}

var voteSeeds = []string{
	`{"choice":"yes"}`, `{"choice":"no"}`, `{"choice":"abstain"}`, `{"choice":"\u0079es"}`, ` {"choice" : "no"} `,
	`{"choice":"YES"}`, `{"Choice":"yes"}`, `{"choice":"yes","choice":"no"}`, `{"choice":null}`, `{"choice":1}`,
	`{"choice":["yes"]}`, `{}`, `null`, `[]`, `"yes"`, ``, `{"choice":"yes"} {}`, `{"choice":"yes"`, `{"choice":"yes","x":1}`,
	"{\"choice\":\"y\xffes\"}", `{"choice":"\ud800"}`, "\xef\xbb\xbf{\"choice\":\"yes\"}", `{"choice":"yes "}`,
}

// FuzzVoteJSON fuzzes the body of PUT /api/v1/motions/{id}/vote.
func FuzzVoteJSON(f *testing.F) {
	for _, s := range voteSeeds {
		f.Add([]byte(s))
	}
	worlds := fuzzWorlds(f)
	type target struct {
		w    *world
		path string
	}
	var targets []target
	for _, w := range worlds {
		targets = append(targets, target{w, "/api/v1/motions/" + id(w.motion(soviet.Voting)) + "/vote"})
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tg := range targets {
			w := tg.w
			defer w.in(t)()
			a := w.actors[member]
			choice, valid := validVote(body)
			m := motionOf(tg.path)
			current, err := w.db.VoteOf(t.Context(), m, a.id)
			if err != nil && soviet.KindOf(err) != soviet.ErrNotFound {
				t.Fatal(err)
			}
			before := w.size()
			rec := serve(w, a, "PUT", tg.path, body)
			after := w.size()
			// Casting the vote one already has is refused (409): valid,
			// but a change of nothing.
			checkAnswer(t, rec, valid && choice != current, body, before, after)
			if valid && rec.Code >= 300 && !(choice == current && rec.Code == http.StatusConflict) {
				t.Fatalf("%d for the valid body %q (current vote %q): %s", rec.Code, body, current, rec.Body)
			}
		}
	})
}

// motionOf reads the motion id from a vote path.
func motionOf(path string) int64 {
	var m int64
	for _, part := range strings.Split(path, "/") {
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			m = n
		}
	}
	return m
}

var motionSeeds = []string{
	`{"title":"Bread","body":"Peace, land and **bread**."}`, `{"title":"Peace"}`, `{"title":"Land","majority":"two-thirds"}`,
	`{"title":"Land","majority":""}`, `{"title":"  Spaces  ","body":"   "}`, `{"title":"T","body":null}`, `{"title":null}`,
	`{"title":""}`, `{"title":"   "}`, `{"title":"T","majority":"unanimous"}`, `{"title":"T","majority":3}`,
	`{"title":"T","Title":"U"}`, `{"title":"T","title":"U"}`, `{"TITLE":"T"}`, `{"title":"T","extra":true}`,
	`{"title":["T"]}`, `{"body":"no title"}`, `{}`, `null`, `[]`, ``, `{"title":"T"}x`, "{\"title\":\"\xc3\x28\"}",
	`{"title":"<script>alert(1)</script>","body":"<img src=x onerror=alert(1)>"}`, `{"title":"\u0000"}`,
}

// FuzzMotionJSON fuzzes the body of POST /api/v1/councils/{id}/motions.
func FuzzMotionJSON(f *testing.F) {
	for _, s := range motionSeeds {
		f.Add([]byte(s))
	}
	worlds := fuzzWorlds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, w := range worlds {
			defer w.in(t)()
			before := w.size()
			rec := serve(w, w.actors[member], "POST", "/api/v1/councils/"+id(w.putilov)+"/motions", body)
			after := w.size()
			valid := validMotion(body)
			checkAnswer(t, rec, valid, body, before, after)
			if valid && rec.Code != http.StatusCreated {
				t.Fatalf("%d for the valid body %q: %s", rec.Code, body, rec.Body)
			}
			if rec.Code == http.StatusCreated {
				var out motionResponse
				if err := json.NewDecoder(io.LimitReader(rec.Body, maxBody)).Decode(&out); err != nil {
					t.Fatal(err)
				}
				var in struct{ Title, Body string }
				json.Unmarshal(body, &in)
				if out.Motion.Title != strings.TrimSpace(in.Title) || out.Motion.Body != in.Body {
					t.Fatalf("recorded %q / %q for %q", out.Motion.Title, out.Motion.Body, body)
				}
			}
		}
	})
}
