package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"soviet"
	"soviet/storetest"
	"soviet/web"
)

// client calls the server as one account, with an API token.
type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

// serve starts a real HTTP server over a fixture and returns a client per
// account of the fixture (0 is anonymous).
func serve(t testing.TB, open storetest.Opener) (*storetest.Fixture, func(account int64) *client) {
	t.Helper()
	f := storetest.NewFixture(t, open)
	srv, err := web.New(web.Config{Service: f.Svc, Store: f.DB, Now: f.Clock.Now, Password: web.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	return f, func(account int64) *client {
		c := &client{t: t, base: ts.URL, http: hc}
		if account != 0 {
			c.token = fmt.Sprintf("sv_test_%d", account)
			if _, err := f.DB.CreateAPIToken(f.Ctx, account, fmt.Sprintf("t%d", account), "test", soviet.HashToken(c.token)); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
}

// do sends a request and returns the status, headers and body.
func (c *client) do(method, path string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// motion reads a motion through the API.
type motionJSON struct {
	Motion   soviet.Motion   `json:"motion"`
	Tally    json.RawMessage `json:"tally"`
	RollCall json.RawMessage `json:"roll_call"`
	Turnout  *struct {
		Voted, Eligible int64
	} `json:"turnout"`
	TookPart bool `json:"took_part"`
	Bulletin *struct {
		Seq     int64  `json:"seq"`
		Hash    string `json:"hash"`
		Ballots int64  `json:"ballots"`
	} `json:"bulletin"`
}

func (c *client) motion(id int64) motionJSON {
	c.t.Helper()
	status, _, body := c.do("GET", fmt.Sprintf("/api/v1/motions/%d", id), nil)
	if status != 200 {
		c.t.Fatalf("motion %d: %d %s", id, status, body)
	}
	var m motionJSON
	if err := json.Unmarshal(body, &m); err != nil {
		c.t.Fatal(err)
	}
	return m
}

func TestSecretBallotOverHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			testSecretBallotOverHTTP(t, e.Open)
		})
	}
}

func testSecretBallotOverHTTP(t *testing.T, open storetest.Opener) {
	f, as := serve(t, open)
	founder, alice, bob, olga, anon := as(f.Founder), as(f.Alice), as(f.Bob), as(f.Olga), as(0)
	m, err := f.Svc.ProposeMotion(f.Ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Recall the commissar"})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/motions/%d", m.ID)
	if status, _, body := founder.do("POST", path+"/vote/open", map[string]any{"secrecy": "whispered"}); status != 400 {
		t.Fatalf("open with an unknown secrecy: %d %s", status, body)
	}
	if status, _, body := founder.do("POST", path+"/vote/open", map[string]any{"secrecy": "secret"}); status != 200 {
		t.Fatalf("open: %d %s", status, body)
	}
	if got := alice.motion(m.ID); got.Motion.Secrecy != soviet.Secret || got.Turnout == nil || got.Turnout.Eligible != 3 || got.Tally != nil {
		t.Fatalf("open secret motion: %+v", got)
	}

	status, hdr, body := alice.do("POST", path+"/ballot", map[string]any{"choice": "yes"})
	if status != 201 || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("ballot: %d %v %s", status, hdr, body)
	}
	rc, err := soviet.ReadReceipt(bytes.NewReader(body))
	if err != nil || string(rc.Content) != `{"choice":"yes"}` {
		t.Fatalf("receipt %s: %v", body, err)
	}
	refusals := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
	}{
		{"second ballot", alice, "POST", "/ballot", map[string]any{"choice": "no"}, 409},
		{"roll-call vote in a secret vote", bob, "PUT", "/vote", map[string]any{"choice": "no"}, 409},
		{"outsider", olga, "POST", "/ballot", map[string]any{"choice": "no"}, 403},
		{"anonymous", anon, "POST", "/ballot", map[string]any{"choice": "no"}, 401},
		{"unknown choice", bob, "POST", "/ballot", map[string]any{"choice": "maybe"}, 400},
		{"unknown field", bob, "POST", "/ballot", map[string]any{"choice": "no", "voter": 3}, 400},
		{"roll call of a secret vote", alice, "GET", "/votes", nil, 200},
		{"bulletin before the close", alice, "GET", "/bulletin", nil, 404},
	}
	for _, tc := range refusals {
		status, _, body := tc.c.do(tc.method, path+tc.path, tc.body)
		if status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
		}
		if tc.path == "/votes" && strings.Contains(string(body), "choice\":\"yes") {
			t.Errorf("the roll call of a secret vote shows a choice: %s", body)
		}
	}
	got := bob.motion(m.ID)
	if got.Turnout == nil || got.Turnout.Voted != 1 || got.TookPart || got.Tally != nil || got.RollCall != nil {
		t.Fatalf("motion during a secret vote, seen by one who has not voted: %+v", got)
	}
	if !alice.motion(m.ID).TookPart {
		t.Fatal("alice took part but the motion says not")
	}

	// The page: a ballot form, then the receipt shown once.
	status, _, page := bob.do("GET", fmt.Sprintf("/motions/%d", m.ID), nil)
	if status != 200 || !strings.Contains(string(page), `id="ballot"`) {
		t.Fatalf("motion page for a voter: %d", status)
	}
	status, hdr, page = bob.do("POST", fmt.Sprintf("/motions/%d/ballot", m.ID), url.Values{"choice": {"no"}})
	if status != 200 || hdr.Get("Cache-Control") != "no-store" || !strings.Contains(string(page), `id="receipt-code"`) ||
		!strings.Contains(string(page), `href="data:application/json;base64,`) {
		t.Fatalf("receipt page: %d %v\n%s", status, hdr, page)
	}
	if status, _, page := bob.do("GET", fmt.Sprintf("/motions/%d", m.ID), nil); status != 200 || strings.Contains(string(page), `id="ballot"`) ||
		!strings.Contains(string(page), `id="took-part"`) {
		t.Fatalf("motion page after voting: %d", status)
	}
	if status, _, body := founder.do("POST", path+"/ballot", map[string]any{"choice": "abstain"}); status != 201 {
		t.Fatalf("founder's ballot: %d %s", status, body)
	}

	status, _, body = founder.do("POST", path+"/vote/close", nil)
	var res soviet.Result
	if status != 200 || json.Unmarshal(body, &res) != nil || res.Yes != 1 || res.No != 1 || res.Abstain != 1 {
		t.Fatalf("close: %d %s", status, body)
	}
	closed := alice.motion(m.ID)
	if closed.Bulletin == nil || closed.Bulletin.Ballots != 3 {
		t.Fatalf("closed motion: %+v", closed)
	}
	status, _, _ = olga.do("GET", path+"/bulletin", nil)
	if status != 403 {
		t.Fatalf("bulletin for someone outside the federation: %d", status)
	}
	status, hdr, body = alice.do("GET", path+"/bulletin", nil)
	if sum := sha256.Sum256(bytes.TrimSuffix(body, []byte("\n"))); status != 200 || hex.EncodeToString(sum[:]) != closed.Bulletin.Hash ||
		!strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("bulletin: %d %v, hash %x, log says %s", status, hdr, sum, closed.Bulletin.Hash)
	}
	b, err := soviet.ReadBulletin(bytes.NewReader(body))
	if err != nil || len(b.Check()) > 0 {
		t.Fatalf("downloaded bulletin: %v %v", err, b.Check())
	}
	if _, _, ok := b.Find(rc.Code); !ok {
		t.Fatal("alice's receipt is not in the downloaded bulletin")
	}
	for _, tc := range []struct {
		code  string
		found bool
	}{{rc.Code, true}, {strings.ToUpper(rc.Code), true}, {strings.Repeat("0", 64), false}} {
		if status, _, body := anon.do("GET", path+"/bulletin/receipts/"+tc.code, nil); status != 401 {
			t.Errorf("receipt check as anonymous: %d %s", status, body)
		}
		status, _, body := alice.do("GET", path+"/bulletin/receipts/"+tc.code, nil)
		var c struct {
			Found   bool            `json:"found"`
			Content json.RawMessage `json:"content"`
		}
		if status != 200 || json.Unmarshal(body, &c) != nil || c.Found != tc.found {
			t.Errorf("receipt check %s: %d %s", tc.code, status, body)
		}
	}
	status, _, page = alice.do("GET", fmt.Sprintf("/motions/%d?receipt=%s", m.ID, rc.Code), nil)
	if status != 200 || !strings.Contains(string(page), `id="receipt-found"`) || !strings.Contains(string(page), `id="bulletin-download"`) {
		t.Fatalf("receipt check on the page: %d", status)
	}
	if _, _, doc := anon.do("GET", "/api/v1/openapi.json", nil); !strings.Contains(string(doc), "/api/v1/motions/{id}/ballot") ||
		!strings.Contains(string(doc), "/api/v1/motions/{id}/bulletin") {
		t.Fatal("the OpenAPI document lacks the ballot routes")
	}
}

// TestOneVoterThousandRequests sends 1,000 concurrent ballots from one
// voter over HTTP: exactly one is accepted.
func TestOneVoterThousandRequests(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f, as := serve(t, e.Open)
			bob := as(f.Bob)
			m := f.OpenSecretMotion(f.Putilov, f.Alice, "Once", soviet.Simple)
			path := fmt.Sprintf("/api/v1/motions/%d/ballot", m)
			const n = 1000
			var mu sync.Mutex
			counts := map[int]int{}
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, _, _ := bob.do("POST", path, map[string]any{"choice": []string{"yes", "no", "abstain"}[i%3]})
					mu.Lock()
					counts[status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if counts[201] != 1 || counts[409] != n-1 {
				t.Fatalf("statuses %v: want one 201 and %d 409", counts, n-1)
			}
			var box int
			if err := f.DB.SQL().QueryRowContext(f.Ctx, fmt.Sprintf("SELECT COUNT(*) FROM ballot_box WHERE vote = %d", m)).Scan(&box); err != nil || box != 1 {
				t.Fatalf("%d ballots in the box (%v), want 1", box, err)
			}
		})
	}
}

func TestOpenVotesShowSecretParticipation(t *testing.T) {
	f, as := serve(t, storetest.SQLite)
	alice := as(f.Alice)
	m := f.OpenSecretMotion(f.Putilov, f.Bob, "Strike", soviet.Simple)
	took := func() bool {
		status, _, body := alice.do("GET", "/api/v1/votes/open", nil)
		var resp struct {
			Votes []struct {
				Motion   soviet.Motion `json:"motion"`
				TookPart bool          `json:"took_part"`
			} `json:"votes"`
		}
		if status != 200 || json.Unmarshal(body, &resp) != nil || len(resp.Votes) != 1 || resp.Votes[0].Motion.ID != m {
			t.Fatalf("open votes: %d %s", status, body)
		}
		return resp.Votes[0].TookPart
	}
	if took() {
		t.Fatal("took part before casting")
	}
	if status, _, body := alice.do("POST", fmt.Sprintf("/api/v1/motions/%d/ballot", m), map[string]any{"choice": "yes"}); status != 201 {
		t.Fatalf("ballot: %d %s", status, body)
	}
	if !took() {
		t.Fatal("the open votes do not show the ballot cast")
	}
	if _, _, page := alice.do("GET", "/", nil); !strings.Contains(string(page), "secret ballot cast") {
		t.Fatal("the home page does not show the ballot cast")
	}
}
