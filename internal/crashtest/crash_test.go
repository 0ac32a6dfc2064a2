//go:build crash

package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

const voters = 200

// binary is the soviet command, built once.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "soviet-crash-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "soviet")
	build := exec.Command("go", "build", "-o", binary, "soviet/cmd/soviet")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build soviet:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func rounds() int {
	if n, err := strconv.Atoi(os.Getenv("SOVIET_CRASH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 20
}

func TestCrash(t *testing.T) {
	engines := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "soviet.db") }},
	}
	if os.Getenv("SOVIET_TEST_POSTGRES") != "" {
		engines = append(engines, struct {
			name string
			dsn  func(t *testing.T) string
		}{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { crashRounds(t, e.dsn(t)) })
	}
}

// setup builds a federation of 200 voters with an API token each, plus the
// founder's, through the domain, and closes the store.
func setup(t *testing.T, dsn string) (founder string, council int64, tokens map[int64]string) {
	ctx := context.Background()
	var db *store.DB
	f := storetest.NewFixture(t, func(t testing.TB, opts store.Options) *store.DB {
		var err error
		if db, err = store.Open(ctx, dsn, opts); err != nil {
			t.Fatal(err)
		}
		return db
	})
	defer db.Close()
	ids := f.Members(f.Putilov, "voter", voters)
	tokens = map[int64]string{}
	for _, id := range append(ids, f.Founder) {
		tok := fmt.Sprintf("sv_crash_%d_%x", id, rand.Uint64())
		if _, err := db.CreateAPIToken(ctx, id, fmt.Sprint(id), "crash", soviet.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		tokens[id] = tok
	}
	founder = tokens[f.Founder]
	delete(tokens, f.Founder)
	// The founder and the fixture's two members do not vote here: the
	// electorate is larger than the voters, as in life.
	return founder, f.Putilov, tokens
}

// server is a running soviet serve.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func start(t *testing.T, dsn string) *server {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	lines := bufio.NewScanner(out)
	ready := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
				ready <- strings.Fields(rest)[0]
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.base = <-ready:
	case err := <-s.done:
		t.Fatalf("soviet serve exited: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("soviet serve did not start")
	}
	return s
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

var client = &http.Client{
	Timeout:   60 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: voters, MaxConnsPerHost: 0},
}

func call(base, token, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// outcome is what a voter knows of their ballot.
type outcome int

const (
	unknown  outcome = iota // no answer: the server died first, or not yet tried
	accepted                // 201 with a receipt
	refused                 // 409: a ballot was already cast (an earlier attempt went through)
)

// tally sums what the crash test checked, for the report.
type tally struct {
	kills, inFlight, acked, ackedBeforeKill, afterRestart, unanswered int
}

func crashRounds(t *testing.T, dsn string) {
	founder, council, tokens := setup(t, dsn)
	var sum tally
	// Rounds go on until rounds() kills have fallen while requests were
	// in flight (a kill after the last answer proves less).
	for round := 1; sum.inFlight < rounds(); round++ {
		if round > 3*rounds() {
			t.Fatalf("after %d rounds only %d kills fell while ballots were in flight", round-1, sum.inFlight)
		}
		s := start(t, dsn)
		motion := openSecretMotion(t, s.base, founder, council, round)

		// 200 voters cast concurrently; the server dies at a random moment.
		out := make(map[int64]outcome, voters)
		receipts := map[int64]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		acks := make(chan struct{}, voters)
		for id, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body, err := call(s.base, tok, "POST", fmt.Sprintf("/api/v1/motions/%d/ballot", motion), map[string]string{"choice": []string{"yes", "no", "abstain"}[rand.IntN(3)]})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					out[id] = unknown
				case status == http.StatusCreated:
					var rc soviet.Receipt
					if err := json.Unmarshal(body, &rc); err != nil {
						t.Errorf("receipt: %v", err)
					}
					out[id], receipts[id] = accepted, rc.Code
					acks <- struct{}{}
				default:
					t.Errorf("voter %d: %d %s", id, status, body)
				}
			}()
		}
		// Kill after a random number of acknowledgements, so that the
		// kill always falls while ballots are in flight.
		k := rand.IntN(voters * 3 / 4)
		timeout := time.After(60 * time.Second)
		for i := 0; i < k; i++ {
			select {
			case <-acks:
			case <-timeout:
				t.Fatalf("round %d: only %d of %d ballots acknowledged in a minute", round, i, k)
			}
		}
		s.kill()
		sum.kills++
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		acked := len(receipts)
		sum.ackedBeforeKill += acked
		if acked < voters {
			sum.inFlight++
		}
		for _, o := range out {
			if o == unknown {
				sum.unanswered++
			}
		}
		checkBox(t, dsn, motion, receipts)
		verify(t, dsn)

		// Restart: those who got no answer try again; a refusal means the
		// earlier attempt went through.
		s = start(t, dsn)
		for id, tok := range tokens {
			if out[id] != unknown {
				continue
			}
			status, body, err := call(s.base, tok, "POST", fmt.Sprintf("/api/v1/motions/%d/ballot", motion), map[string]string{"choice": "yes"})
			switch {
			case err != nil:
				t.Fatalf("after restart: %v", err)
			case status == http.StatusCreated:
				var rc soviet.Receipt
				json.Unmarshal(body, &rc)
				out[id], receipts[id] = accepted, rc.Code
			case status == http.StatusConflict:
				out[id] = refused
			default:
				t.Fatalf("after restart, voter %d: %d %s", id, status, body)
			}
		}
		sum.afterRestart += len(receipts) - acked
		sum.acked += len(receipts)
		checkBox(t, dsn, motion, receipts)
		if n := boxSize(t, dsn, motion); n != voters {
			t.Fatalf("round %d: %d ballots for %d voters who all voted", round, n, voters)
		}
		closeAndCheckBulletin(t, s.base, founder, dsn, motion, receipts)
		s.kill()
		t.Logf("round %d: killed after %d acknowledged ballots, %d requests unanswered; after the restart all %d ballots are in the box and the bulletin", round, acked, voters-acked, voters)
	}
	verify(t, dsn)
	t.Logf("SUMMARY: %d kills, %d of them with ballots in flight; %d acknowledged ballots checked in the box and the bulletin (%d acknowledged before a kill and checked right after it, %d after the restart); %d requests left unanswered by the killed server, all settled after the restart (201, or 409 when the ballot had gone in)", sum.kills, sum.inFlight, sum.acked, sum.ackedBeforeKill, sum.afterRestart, sum.unanswered)
}

func openSecretMotion(t *testing.T, base, founder string, council int64, round int) int64 {
	t.Helper()
	status, body, err := call(base, founder, "POST", fmt.Sprintf("/api/v1/councils/%d/motions", council), map[string]string{"title": fmt.Sprintf("Crash round %d", round)})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("propose: %d %s %v", status, body, err)
	}
	var m struct {
		Motion soviet.Motion `json:"motion"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	status, body, err = call(base, founder, "POST", fmt.Sprintf("/api/v1/motions/%d/vote/open", m.Motion.ID), map[string]string{"secrecy": "secret"})
	if err != nil || status != http.StatusOK {
		t.Fatalf("open: %d %s %v", status, body, err)
	}
	return m.Motion.ID
}

// readDB opens the database as verify does, without migrating or writing.
func readDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.OpenExisting(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func boxSize(t *testing.T, dsn string, motion int64) int {
	db := readDB(t, dsn)
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM ballot_box WHERE vote = %d", motion)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkBox checks, with the server down or up, that every acknowledged
// ballot is in the box, that the box holds one ballot per participation
// event, and that no voter took part twice.
func checkBox(t *testing.T, dsn string, motion int64, receipts map[int64]string) {
	t.Helper()
	db := readDB(t, dsn)
	defer db.Close()
	rows, err := db.SQL().Query(fmt.Sprintf("SELECT receipt FROM ballot_box WHERE vote = %d", motion))
	if err != nil {
		t.Fatal(err)
	}
	inBox := map[string]int{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		inBox[r]++
	}
	rows.Close()
	for id, r := range receipts {
		if inBox[r] != 1 {
			t.Fatalf("the acknowledged ballot of voter %d (receipt %s) is in the box %d times", id, r, inBox[r])
		}
	}
	var parts, distinct int
	q := fmt.Sprintf("SELECT COUNT(*), COUNT(DISTINCT actor) FROM events WHERE type = 'vote.participated' AND payload = '{\"vote\":%d}'", motion)
	if err := db.SQL().QueryRow(q).Scan(&parts, &distinct); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range inBox {
		total += n
	}
	if parts != total || distinct != parts || len(inBox) != total {
		t.Fatalf("%d participation events (%d voters) for %d ballots (%d receipts)", parts, distinct, total, len(inBox))
	}
}

func verify(t *testing.T, dsn string) {
	t.Helper()
	out, err := exec.Command(binary, "verify", "--db", dsn).CombinedOutput()
	if err != nil {
		t.Fatalf("soviet verify: %v\n%s", err, out)
	}
}

// closeAndCheckBulletin closes the vote and checks that its bulletin holds
// every acknowledged receipt and passes soviet verify --bulletin.
func closeAndCheckBulletin(t *testing.T, base, founder, dsn string, motion int64, receipts map[int64]string) {
	t.Helper()
	if status, body, err := call(base, founder, "POST", fmt.Sprintf("/api/v1/motions/%d/vote/close", motion), nil); err != nil || status != http.StatusOK {
		t.Fatalf("close: %d %s %v", status, body, err)
	}
	status, body, err := call(base, founder, "GET", fmt.Sprintf("/api/v1/motions/%d/bulletin", motion), nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("bulletin: %d %v", status, err)
	}
	b, err := soviet.ReadBulletin(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for id, r := range receipts {
		if _, _, ok := b.Find(r); !ok {
			t.Fatalf("voter %d's receipt is not in the bulletin", id)
		}
	}
	path := filepath.Join(t.TempDir(), "bulletin.json")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary, "verify", "--db", dsn, "--bulletin", path).CombinedOutput(); err != nil {
		t.Fatalf("soviet verify --bulletin: %v\n%s", err, out)
	}
}
