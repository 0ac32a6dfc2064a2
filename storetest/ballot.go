package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"soviet"
	"soviet/store"
)

// The conformance tests of secret ballots: casting and its refusals, the
// close and its bulletin, verification, one ballot per voter under load,
// and secrecy shown on everything the database stores.

// boxSize returns the number of ballots in a vote's box, read under the
// domain as an operator would.
func (f *Fixture) boxSize(vote int64) int64 {
	f.T.Helper()
	var n int64
	q := fmt.Sprintf("SELECT COUNT(*) FROM ballot_box WHERE vote = %d", vote)
	if err := f.DB.SQL().QueryRowContext(f.Ctx, q).Scan(&n); err != nil {
		f.T.Fatal(err)
	}
	return n
}

// Members registers n accounts and makes them members of council, several
// at a time (group commit makes that quick); it returns their ids.
func (f *Fixture) Members(council int64, prefix string, n int) []int64 {
	f.T.Helper()
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			a, err := f.Svc.Register(f.Ctx, soviet.AccountInput{Handle: fmt.Sprintf("%s%d", prefix, i), Name: prefix, PasswordHash: "x"})
			if err != nil {
				errs[i] = err
				return
			}
			ids[i] = a.ID
			_, token, err := f.Svc.IssueInvitation(f.Ctx, f.Founder, council, "")
			if err == nil {
				_, err = f.Svc.AcceptInvitation(f.Ctx, a.ID, token)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		f.T.Fatal(err)
	}
	return ids
}

func testSecretBallot(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	carol := f.Account("carol")
	f.Invite(f.Putilov, carol)
	m := f.OpenSecretMotion(f.Putilov, f.Alice, "Recall the commissar", soviet.Simple)
	dan := f.Account("dan")
	f.Invite(f.Putilov, dan) // after the vote opened: not among its voters
	rc := f.OpenMotion(f.Putilov, f.Alice, "Roll call", soviet.Simple)
	draft := f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: "Not open"})).ID()

	receipts := map[int64]soviet.Receipt{}
	for _, v := range []struct {
		who    int64
		choice soviet.Choice
	}{{f.Founder, soviet.Yes}, {f.Alice, soviet.Yes}, {f.Bob, soviet.No}} {
		r, err := f.Svc.CastBallot(ctx, v.who, m, v.choice)
		if err != nil {
			t.Fatalf("ballot of %d: %v", v.who, err)
		}
		if err := r.Check(); err != nil {
			t.Fatalf("receipt %+v: %v", r, err)
		}
		if want := `{"choice":"` + string(v.choice) + `"}`; r.Vote != m || string(r.Content) != want {
			t.Fatalf("receipt %+v: want vote %d, content %s", r, m, want)
		}
		receipts[v.who] = r
	}

	refusals := []struct {
		name string
		kind error
		fn   func() error
	}{
		{"second ballot", soviet.ErrConflict, func() error { _, err := f.Svc.CastBallot(ctx, f.Alice, m, soviet.No); return err }},
		{"same ballot again", soviet.ErrConflict, func() error { _, err := f.Svc.CastBallot(ctx, f.Bob, m, soviet.No); return err }},
		{"roll-call vote in a secret vote", soviet.ErrConflict, func() error { return f.Svc.CastVote(ctx, carol, m, soviet.Yes) }},
		{"unknown choice", soviet.ErrInvalid, func() error { _, err := f.Svc.CastBallot(ctx, carol, m, "maybe"); return err }},
		{"outsider", soviet.ErrForbidden, func() error { _, err := f.Svc.CastBallot(ctx, f.Olga, m, soviet.Yes); return err }},
		{"anonymous", soviet.ErrUnauthenticated, func() error { _, err := f.Svc.CastBallot(ctx, 0, m, soviet.Yes); return err }},
		{"unknown motion", soviet.ErrNotFound, func() error { _, err := f.Svc.CastBallot(ctx, carol, 987654, soviet.Yes); return err }},
		{"member who joined after opening", soviet.ErrForbidden, func() error { _, err := f.Svc.CastBallot(ctx, dan, m, soviet.Yes); return err }},
		{"ballot in a roll-call vote", soviet.ErrConflict, func() error { _, err := f.Svc.CastBallot(ctx, carol, rc, soviet.Yes); return err }},
		{"ballot before the vote opens", soviet.ErrConflict, func() error { _, err := f.Svc.CastBallot(ctx, carol, draft, soviet.Yes); return err }},
	}
	for _, tc := range refusals {
		f.unchanged(tc.name, tc.kind, tc.fn)
		if n := f.boxSize(m); n != 3 {
			t.Fatalf("%s: the box holds %d ballots, want 3", tc.name, n)
		}
	}

	// Nothing of the count is readable before the close.
	err := f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
		got, err := tx.Motion(ctx, m)
		if err != nil {
			return err
		}
		if got.Secrecy != soviet.Secret || got.Result != nil {
			return fmt.Errorf("open secret motion %+v: want secret with no result", got)
		}
		yes, no, abstain, _, err := tx.Count(ctx, m)
		if err != nil || yes+no+abstain != 0 {
			return fmt.Errorf("count of an open secret vote: %d %d %d %v", yes, no, abstain, err)
		}
		if n, err := tx.Participants(ctx, m); err != nil || n != 3 {
			return fmt.Errorf("participants %d, %v; want 3", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	r, err := f.Svc.CloseVote(ctx, f.Founder, m)
	if err != nil {
		t.Fatal(err)
	}
	want := soviet.Result{Yes: 2, No: 1, Eligible: 4, Quorum: soviet.Ratio{Num: 1, Den: 2}, Majority: soviet.Simple, QuorumMet: true, Adopted: true}
	if !r.Equal(want) {
		t.Fatalf("result %+v, want %+v", r, want)
	}
	if n := f.boxSize(m); n != 0 {
		t.Fatalf("%d ballots left in the box after the close", n)
	}
	f.unchanged("ballot after the close", soviet.ErrConflict, func() error { _, err := f.Svc.CastBallot(ctx, carol, m, soviet.Yes); return err })

	b, err := f.DB.Bulletin(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if b.Participants != 3 || len(b.Ballots) != 3 || b.Result == nil || !b.Result.Equal(want) || b.Title != "Recall the commissar" {
		t.Fatalf("bulletin %+v", b)
	}
	if ps, err := f.DB.VerifyBulletin(ctx, b); err != nil || len(ps) > 0 {
		t.Fatalf("verify the published bulletin: %v %v", ps, err)
	}
	for who, rc := range receipts {
		e, _, ok := b.Find(rc.Code)
		if !ok || !bytes.Equal(e.Content, rc.Content) {
			t.Fatalf("the ballot of %d (receipt %s) is not in the bulletin unchanged: %+v", who, rc.Code, e)
		}
		if v, err := f.DB.FindReceipt(ctx, rc.Code); err != nil || v != m {
			t.Fatalf("find receipt: vote %d, %v", v, err)
		}
	}
	if _, err := f.DB.FindReceipt(ctx, strings.Repeat("0", 64)); !errors.Is(err, soviet.ErrNotFound) {
		t.Fatalf("unknown receipt: %v", err)
	}
	// The downloadable file hashes to what the log recorded.
	j, err := b.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var logged string
	if err := f.DB.SQL().QueryRowContext(ctx, fmt.Sprintf("SELECT hash FROM bulletins WHERE vote = %d", m)).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if h := sha256.Sum256(j); hex.EncodeToString(h[:]) != logged {
		t.Fatalf("the bulletin file hashes to %x; the log says %s", h, logged)
	}
	rep, err := f.DB.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify after a secret vote: %v", rep.Problems)
	}
}

func testSecrecyChoice(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	secrecyOf := func(m int64) soviet.Secrecy {
		var s soviet.Secrecy
		err := f.DB.View(ctx, func(ctx context.Context, tx soviet.Tx) error {
			got, err := tx.Motion(ctx, m)
			s = got.Secrecy
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	propose := func(title string) int64 {
		return f.Must(f.Svc.ProposeMotion(ctx, f.Alice, soviet.MotionInput{Council: f.Putilov, Title: title})).ID()
	}
	tests := []struct {
		name    string
		secrecy soviet.Secrecy
		want    soviet.Secrecy
	}{
		{"charter default for motions", "", soviet.RollCall},
		{"opener chooses secret", soviet.Secret, soviet.Secret},
		{"opener chooses roll-call", soviet.RollCall, soviet.RollCall},
	}
	for _, tc := range tests {
		m := propose(tc.name)
		got, err := f.Svc.OpenVoteWith(ctx, f.Founder, m, soviet.VoteOptions{Secrecy: tc.secrecy})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Secrecy != tc.want || secrecyOf(m) != tc.want {
			t.Fatalf("%s: secrecy %q (stored %q), want %q", tc.name, got.Secrecy, secrecyOf(m), tc.want)
		}
	}
	m := propose("bad secrecy")
	f.unchanged("unknown secrecy", soviet.ErrInvalid, func() error {
		_, err := f.Svc.OpenVoteWith(ctx, f.Founder, m, soviet.VoteOptions{Secrecy: "whispered"})
		return err
	})
	if secrecyOf(m) != soviet.RollCall {
		t.Fatalf("a motion never opened reads %q", secrecyOf(m))
	}
}

func testOneBallotPerVoter(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	m := f.OpenSecretMotion(f.Putilov, f.Alice, "Once", soviet.Simple)
	choices := []soviet.Choice{soviet.Yes, soviet.No, soviet.Abstain}
	onlyOnce(t, 1000, func(i int) error {
		_, err := f.Svc.CastBallot(f.Ctx, f.Bob, m, choices[i%3])
		return err
	})
	if b := f.boxSize(m); b != 1 {
		t.Fatalf("%d ballots in the box, want 1", b)
	}
	err := f.DB.View(f.Ctx, func(ctx context.Context, tx soviet.Tx) error {
		n, err := tx.Participants(ctx, m)
		if err == nil && n != 1 {
			err = fmt.Errorf("%d participants, want 1", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testBallotBoxTampering(t *testing.T, open Opener) {
	tampers := []struct {
		name string
		sql  string // $OPEN and $CLOSED are the ids of the open and the closed secret vote
		want string
	}{
		{"remove a ballot", "DELETE FROM ballot_box WHERE receipt = (SELECT MIN(receipt) FROM ballot_box)", "2 participants"},
		{"stuff a ballot", `INSERT INTO ballot_box (vote, id, receipt, content) SELECT vote, id || id, receipt || 'x', '{"choice":"yes"}' FROM ballot_box WHERE receipt = (SELECT MIN(receipt) FROM ballot_box)`, "3 ballots for 2 participants"},
		{"ballot in a closed box", `INSERT INTO ballot_box (vote, id, receipt, content) SELECT $CLOSED, id, receipt, content FROM ballot_box`, "after its bulletin was published"},
	}
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			f := populate(t, open)
			var open, closed int64
			if err := f.DB.SQL().QueryRowContext(f.Ctx, "SELECT MIN(vote) FROM ballot_box").Scan(&open); err != nil {
				t.Fatal(err)
			}
			if err := f.DB.SQL().QueryRowContext(f.Ctx, "SELECT MIN(vote) FROM bulletins").Scan(&closed); err != nil {
				t.Fatal(err)
			}
			q := strings.NewReplacer("$OPEN", fmt.Sprint(open), "$CLOSED", fmt.Sprint(closed)).Replace(tc.sql)
			if _, err := f.DB.SQL().ExecContext(f.Ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			rep, err := f.DB.Verify(f.Ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if all := strings.Join(rep.Problems, "\n"); !strings.Contains(all, tc.want) || !strings.Contains(all, "ballot box") {
				t.Fatalf("the report does not mention %q:\n%s", tc.want, all)
			}
		})
	}

	// A bulletin file altered after download is caught, by its own recount
	// or against the log.
	f := populate(t, open)
	var vote int64
	if err := f.DB.SQL().QueryRowContext(f.Ctx, "SELECT MIN(vote) FROM bulletins").Scan(&vote); err != nil {
		t.Fatal(err)
	}
	edits := []struct {
		name string
		edit func(b *soviet.Bulletin)
		want string
	}{
		{"flip a ballot", func(b *soviet.Bulletin) { b.Ballots[0].Content = flip(b.Ballots[0].Content) }, "differs from the recount"},
		{"flip a ballot and the result", func(b *soviet.Bulletin) {
			b.Ballots[0].Content = flip(b.Ballots[0].Content)
			r, _ := b.Recount()
			b.Result = &r
		}, "not the published one"},
		{"drop a ballot", func(b *soviet.Bulletin) { b.Ballots = b.Ballots[1:] }, "ballots but 3 participants"},
		{"drop a ballot and a participant", func(b *soviet.Bulletin) {
			b.Ballots, b.Participants = b.Ballots[1:], b.Participants-1
			r, _ := b.Recount()
			b.Result = &r
		}, "the log records 3 participants"},
		{"reorder", func(b *soviet.Bulletin) { b.Ballots[0], b.Ballots[1] = b.Ballots[1], b.Ballots[0] }, "strictly increasing"},
		{"another vote", func(b *soviet.Bulletin) { b.Vote++ }, "published no bulletin"},
	}
	for _, tc := range edits {
		b, err := f.DB.Bulletin(f.Ctx, vote)
		if err != nil {
			t.Fatal(err)
		}
		b.Ballots = slices.Clone(b.Ballots)
		tc.edit(b)
		ps, err := f.DB.VerifyBulletin(f.Ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if all := strings.Join(ps, "\n"); !strings.Contains(all, tc.want) {
			t.Errorf("%s: the problems do not mention %q:\n%s", tc.name, tc.want, all)
		}
	}
}

// flip turns a yes ballot into no and anything else into yes.
func flip(c []byte) []byte {
	if string(c) == `{"choice":"yes"}` {
		return []byte(`{"choice":"no"}`)
	}
	return []byte(`{"choice":"yes"}`)
}

// table is one table as a dump shows it: its columns and its rows, in the
// order the database returns them without ORDER BY (its stored order).
type table struct {
	cols []string
	rows [][]string
}

// dumpAll reads every table of the schema whole, as someone who copied the
// database would.
func dumpAll(t testing.TB, f *Fixture) map[string]table {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if f.DB.Engine() == store.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	names, err := column[string](f, q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]table{}
	for _, name := range names {
		rows, err := f.DB.SQL().QueryContext(f.Ctx, "SELECT * FROM "+name)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		tb := table{cols: cols}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				switch v := v.(type) {
				case []byte:
					row[i] = hex.EncodeToString(v) + " " + string(v)
				default:
					row[i] = fmt.Sprint(v)
				}
			}
			tb.rows = append(tb.rows, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[name] = tb
	}
	return out
}

// column reads the first column of every row of a query.
func column[T any](f *Fixture, q string) ([]T, error) {
	rows, err := f.DB.SQL().QueryContext(f.Ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []T
	for rows.Next() {
		var v T
		rest := make([]any, len(cols))
		rest[0] = &v
		for i := 1; i < len(rest); i++ {
			rest[i] = new(any)
		}
		if err := rows.Scan(rest...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// spearman returns the rank correlation of two orders of the same n items:
// a[i] and b[i] are item i's positions (0 … n-1).
func spearman(a, b []int) float64 {
	n := float64(len(a))
	var d2 float64
	for i := range a {
		d := float64(a[i] - b[i])
		d2 += d * d
	}
	return 1 - 6*d2/(n*(n*n-1))
}

// maxCorrelation bounds |ρ| between the casting order and a stored order.
// For independent orders of 200 items ρ has a standard deviation of
// 1/√199 ≈ 0.071, so 0.35 is five of them (a false alarm about once in
// two million runs), while storage in casting order gives ρ ≈ 1.
const maxCorrelation = 0.35

// orderCorrelation returns ρ between the casting rank of each receipt and
// the rank of its row in rows (whose column col holds the receipt).
func orderCorrelation(t testing.TB, castRank map[string]int, tb table, col string) float64 {
	t.Helper()
	i := slices.Index(tb.cols, col)
	if i < 0 {
		t.Fatalf("no column %s in %v", col, tb.cols)
	}
	var a, b []int
	for pos, row := range tb.rows {
		r, ok := castRank[row[i]]
		if !ok {
			t.Fatalf("stored receipt %q was handed to no voter", row[i])
		}
		a = append(a, r)
		b = append(b, pos)
	}
	if len(a) != len(castRank) {
		t.Fatalf("%d rows for %d receipts", len(a), len(castRank))
	}
	return spearman(a, b)
}

func testSecrecyOfStoredData(t *testing.T, open Opener) {
	f := NewFixture(t, open)
	ctx := f.Ctx
	const n = 200
	voters := f.Members(f.Putilov, "voter", n)
	// Sessions, so that session ids exist for a link to be looked for.
	for i, v := range voters {
		if err := f.DB.CreateSession(ctx, fmt.Sprintf("session-%d-%d", i, v), v, Epoch.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	m := f.OpenSecretMotion(f.Putilov, f.Alice, "Elect the strike committee", soviet.Simple)

	// Voters cast in a random order, eight at a time, so that batches of
	// one and batches of several both occur.
	order := slices.Clone(voters)
	rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	receiptOf := make(map[int64]string, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int64)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range next {
				choice := []soviet.Choice{soviet.Yes, soviet.No, soviet.Abstain}[rand.IntN(3)]
				r, err := f.Svc.CastBallot(ctx, v, m, choice)
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				receiptOf[v] = r.Code
				mu.Unlock()
			}
		}()
	}
	for _, v := range order {
		next <- v
	}
	close(next)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// The order of casting is the order of the participation events.
	castRank := map[string]int{}
	var partSeqs []int64
	evs, err := f.DB.Events(ctx, 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type == "vote.participated" {
			castRank[receiptOf[ev.Actor]] = len(castRank)
			partSeqs = append(partSeqs, ev.Seq)
		}
	}
	if len(castRank) != n {
		t.Fatalf("%d participation events for %d voters", len(castRank), n)
	}
	allReceipts := slices.Collect(func(yield func(string) bool) {
		for r := range castRank {
			if !yield(r) {
				return
			}
		}
	})

	// Before the close: what a copy of the database holds while the vote
	// is open.
	dump := dumpAll(t, f)
	box := dump["ballot_box"]
	if !slices.Equal(box.cols, []string{"vote", "id", "receipt", "content"}) {
		t.Fatalf("ballot_box has columns %v: a ballot row must hold nothing but vote, id, receipt and content", box.cols)
	}
	contents := map[string]bool{`{"choice":"yes"}`: true, `{"choice":"no"}`: true, `{"choice":"abstain"}`: true}
	for _, row := range box.rows {
		id, _, _ := strings.Cut(row[1], " ")
		if row[0] != fmt.Sprint(m) || len(id) != 2*store.BoxIDSize || !contents[row[3]] {
			t.Fatalf("ballot row %q: want vote %d, a 16-byte id, a receipt and a bare choice", row, m)
		}
	}
	// No other table holds a receipt: nothing ties a ballot to a voter,
	// a session or a time.
	checkReceiptsOnlyIn(t, dump, allReceipts, "ballot_box")
	if rho := orderCorrelation(t, castRank, box, "receipt"); rho > maxCorrelation || rho < -maxCorrelation {
		t.Errorf("the box's stored order follows the casting order: ρ = %.3f", rho)
	} else {
		t.Logf("box: ρ(casting order, stored order) = %.3f over %d ballots", rho, n)
	}
	engineChecks(t, f, m, partSeqs, n)

	if _, err := f.Svc.CloseVote(ctx, f.Founder, m); err != nil {
		t.Fatal(err)
	}

	// After the close: the box is gone, the bulletin is public.
	dump = dumpAll(t, f)
	if len(dump["ballot_box"].rows) != 0 {
		t.Fatalf("%d ballots left in the box", len(dump["ballot_box"].rows))
	}
	checkReceiptsOnlyIn(t, dump, allReceipts, "bulletin_ballots", "events")
	bb := dump["bulletin_ballots"]
	if !slices.Equal(bb.cols, []string{"vote", "receipt", "content"}) {
		t.Fatalf("bulletin_ballots has columns %v", bb.cols)
	}
	if rho := orderCorrelation(t, castRank, bb, "receipt"); rho > maxCorrelation || rho < -maxCorrelation {
		t.Errorf("the bulletin's stored order follows the casting order: ρ = %.3f", rho)
	}
	b, err := f.DB.Bulletin(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	pub := table{cols: []string{"receipt"}}
	for _, e := range b.Ballots {
		pub.rows = append(pub.rows, []string{e.Receipt})
	}
	if rho := orderCorrelation(t, castRank, pub, "receipt"); rho > maxCorrelation || rho < -maxCorrelation {
		t.Errorf("the published bulletin's order follows the casting order: ρ = %.3f", rho)
	}
	// The log: only the bulletin names receipts, and no event but the
	// participation ones names the vote's voters.
	evs, err = f.DB.Events(ctx, 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type == "bulletin.published" {
			continue
		}
		for _, r := range allReceipts {
			if strings.Contains(string(ev.Payload), r) {
				t.Fatalf("event %d (%s) holds a receipt", ev.Seq, ev.Type)
			}
		}
		if ev.Type == "vote.participated" && string(ev.Payload) != fmt.Sprintf(`{"vote":%d}`, m) {
			t.Fatalf("participation event %d holds more than the vote: %s", ev.Seq, ev.Payload)
		}
	}
	scrubbed(t, f)
}

// checkReceiptsOnlyIn fails if a table other than the allowed ones holds a
// receipt code anywhere in its rows.
func checkReceiptsOnlyIn(t testing.TB, dump map[string]table, receipts []string, allowed ...string) {
	t.Helper()
	for name, tb := range dump {
		if slices.Contains(allowed, name) {
			continue
		}
		for _, row := range tb.rows {
			line := strings.Join(row, "\x00")
			for _, r := range receipts {
				if strings.Contains(line, r) {
					t.Fatalf("table %s holds receipt %s: %q", name, r, row)
				}
			}
		}
	}
}

// engineChecks checks what each engine keeps beside the rows: on
// PostgreSQL the id of the transaction that wrote each row (xmin), which a
// ballot must share with at least min(box, mix sample + 1) ballots
// whenever it equals a participation event's; on SQLite that the box is
// stored in key order.
func engineChecks(t testing.TB, f *Fixture, vote int64, partSeqs []int64, n int) {
	t.Helper()
	if f.DB.Engine() != store.Postgres {
		ids, err := column[[]byte](f, boxInTableOrder(vote))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(ids, bytes.Compare) {
			t.Fatal("the SQLite box is not stored in the order of its random keys")
		}
		return
	}
	group := map[string]int{}
	xmins, err := column[string](f, fmt.Sprintf("SELECT xmin::text FROM ballot_box WHERE vote = %d", vote))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xmins {
		group[x]++
	}
	seqs := make([]string, len(partSeqs))
	for i, s := range partSeqs {
		seqs[i] = fmt.Sprint(s)
	}
	eventX, err := column[string](f, "SELECT xmin::text FROM events WHERE seq IN ("+strings.Join(seqs, ",")+")")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range eventX {
		if k := group[x]; k > 0 && k < n {
			t.Fatalf("a participation event shares its transaction id with %d ballots only, out of %d", k, n)
		}
	}
	t.Logf("postgres: %d distinct xmin among %d ballots", len(group), len(xmins))
}

// boxInTableOrder is a query of a box's ids in the SQLite table's own
// order: asking for content too keeps the planner from answering from the
// (vote, receipt) index, which holds the id but not the content.
func boxInTableOrder(vote int64) string {
	return fmt.Sprintf("SELECT id, content FROM ballot_box WHERE vote = %d", vote)
}

// scrubbed checks that, once a bulletin is published, the engine keeps no
// trace of the closed box beside the tables: SQLite's WAL file is empty,
// PostgreSQL's ballot_box file holds no dead rows (it is a new, empty file).
func scrubbed(t testing.TB, f *Fixture) {
	t.Helper()
	if f.DB.Engine() == store.Postgres {
		var size int64
		if err := f.DB.SQL().QueryRowContext(f.Ctx, "SELECT pg_relation_size('ballot_box')").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != 0 {
			t.Fatalf("ballot_box still takes %d bytes after its only box was emptied", size)
		}
		return
	}
	var seq int
	var name, file string
	if err := f.DB.SQL().QueryRowContext(f.Ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(file + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != 0 {
		t.Fatalf("the WAL holds %d bytes after the close", st.Size())
	}
}

func testBoxMixing(t *testing.T, open Opener) {
	// A small sample shows the rule where the box outgrows it.
	const sample = 8
	f := NewFixtureWith(t, open, store.Options{MixSample: sample}, nil)
	voters := f.Members(f.Putilov, "v", 30)
	m := f.OpenSecretMotion(f.Putilov, f.Alice, "Mixed", soviet.Simple)
	for i, v := range voters {
		r, err := f.Svc.CastBallot(f.Ctx, v, m, soviet.Yes)
		if err != nil {
			t.Fatal(err)
		}
		if f.DB.Engine() != store.Postgres {
			ids, err := column[[]byte](f, boxInTableOrder(m))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSortedFunc(ids, bytes.Compare) {
				t.Fatalf("after ballot %d the box is not in key order", i+1)
			}
			continue
		}
		// Cast alone, the ballot shares its transaction id with its
		// participation event, and with min(i+1, sample+1) ballots.
		var evX, ballotX string
		if err := f.DB.SQL().QueryRowContext(f.Ctx, fmt.Sprintf("SELECT xmin::text FROM events WHERE seq = %d", f.Size())).Scan(&evX); err != nil {
			t.Fatal(err)
		}
		if err := f.DB.SQL().QueryRowContext(f.Ctx, fmt.Sprintf("SELECT xmin::text FROM ballot_box WHERE receipt = '%s'", r.Code)).Scan(&ballotX); err != nil {
			t.Fatal(err)
		}
		var same int
		if err := f.DB.SQL().QueryRowContext(f.Ctx, fmt.Sprintf("SELECT COUNT(*) FROM ballot_box WHERE vote = %d AND xmin::text = '%s'", m, evX)).Scan(&same); err != nil {
			t.Fatal(err)
		}
		if want := min(i+1, sample+1); evX != ballotX || same < want {
			t.Fatalf("ballot %d: event xmin %s, ballot xmin %s, %d ballots share it; want the same, shared by %d", i+1, evX, ballotX, same, want)
		}
	}
}
