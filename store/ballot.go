package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"soviet"
)

// Secret ballots in the store: the Tx methods of the ballot box, the mixing
// of boxes on PostgreSQL, the scrub after a bulletin is published, and the
// reads of bulletins. docs/SECURITY.md gives the threat model these serve.

func init() {
	onEvent(func(t *tx, ev soviet.Event, p soviet.Participated) error {
		_, err := t.exec("INSERT INTO participation (vote, account) VALUES (?, ?)", p.Vote, ev.Actor)
		return err
	})
	onEvent(applyBulletin)
	addProjection("participation", "vote, account")
	addProjection("bulletins", "vote")
	addProjection("bulletin_ballots", "vote, receipt")
}

// applyBulletin records a published bulletin and its ballots. The ballot
// box it came from is not touched: emptying it is the closing command's
// part (soviet.Tx.EmptyBox), and on replay there is no box.
func applyBulletin(t *tx, ev soviet.Event, p soviet.BulletinPublished) error {
	b := &p.Bulletin
	// The hash in the log must be the bulletin's, or the downloadable
	// file could not be checked against the log.
	if h, err := b.Hash(); err != nil {
		return err
	} else if h != p.Hash {
		return fmt.Errorf("the bulletin of vote %d hashes to %s, not the recorded %s", b.Vote, h, p.Hash)
	}
	if _, err := t.exec("INSERT INTO bulletins (vote, seq, hash, ballots, participants) VALUES (?, ?, ?, ?, ?)",
		b.Vote, ev.Seq, p.Hash, len(b.Ballots), b.Participants); err != nil {
		return err
	}
	for _, e := range b.Ballots {
		if _, err := t.exec("INSERT INTO bulletin_ballots (vote, receipt, content) VALUES (?, ?, ?)", b.Vote, e.Receipt, string(e.Content)); err != nil {
			return err
		}
	}
	return nil
}

// BoxIDSize is the size of a ballot's random id in its box.
const BoxIDSize = 16

// defaultMixSample is how many other ballots of a box each batch rewrites
// with its new ballots on PostgreSQL (Options.MixSample).
const defaultMixSample = 256

// deposit is a ballot put into a box by the current transaction and not
// yet written (PostgreSQL: see mixBoxes).
type deposit struct {
	vote    int64
	id      []byte
	receipt string
	content string
}

// TookPart implements soviet.Tx.
func (t *tx) TookPart(ctx context.Context, vote, account int64) (bool, error) {
	return t.exists("SELECT 1 FROM participation WHERE vote = ? AND account = ?", vote, account)
}

// Participants implements soviet.Tx.
func (t *tx) Participants(ctx context.Context, vote int64) (int64, error) {
	var n int64
	err := t.queryRow("SELECT COUNT(*) FROM participation WHERE vote = ?", vote).Scan(&n)
	return n, err
}

// DepositBallot implements soviet.Tx. The row holds the vote, a random id,
// the receipt and the content: nothing else, so that nothing in it names
// the voter or the time. On PostgreSQL the row is written at the end of the
// batch, by mixBoxes.
func (t *tx) DepositBallot(ctx context.Context, vote int64, receipt string, content []byte) error {
	if t.readOnly {
		return errors.New("deposit a ballot in a read-only transaction")
	}
	d := deposit{vote: vote, id: make([]byte, BoxIDSize), receipt: receipt, content: string(content)}
	if _, err := rand.Read(d.id); err != nil {
		return fmt.Errorf("ballot id: %w", err)
	}
	if t.db.engine == Postgres {
		t.deposits = append(t.deposits, d)
		return nil
	}
	if _, err := t.exec("INSERT INTO ballot_box (vote, id, receipt, content) VALUES (?, ?, ?, ?)",
		d.vote, d.id, d.receipt, d.content); err != nil {
		return fmt.Errorf("deposit ballot: %w", err)
	}
	return nil
}

// EmptyBox implements soviet.Tx. On PostgreSQL a DELETE would leave the
// closed box's rows in the table file as dead versions, with their heap
// places and transaction ids, until a vacuum that any open snapshot can
// hold back; so the table is truncated instead, which gives it a new file
// when the transaction commits, and the other votes' ballots are written
// back in key order.
func (t *tx) EmptyBox(ctx context.Context, vote int64) ([]soviet.BallotEntry, error) {
	if t.readOnly {
		return nil, errors.New("empty a ballot box in a read-only transaction")
	}
	rows, err := t.query("SELECT receipt, content FROM ballot_box WHERE vote = ? ORDER BY receipt", vote)
	if err != nil {
		return nil, fmt.Errorf("read ballot box: %w", err)
	}
	defer rows.Close()
	bs := []soviet.BallotEntry{}
	for rows.Next() {
		var e soviet.BallotEntry
		var content string
		if err := rows.Scan(&e.Receipt, &content); err != nil {
			return nil, err
		}
		e.Content = []byte(content)
		bs = append(bs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Ballots deposited earlier in this batch and not yet written.
	t.deposits = slices.DeleteFunc(t.deposits, func(d deposit) bool {
		if d.vote == vote {
			bs = append(bs, soviet.BallotEntry{Receipt: d.receipt, Content: []byte(d.content)})
			return true
		}
		return false
	})
	soviet.SortBallots(bs)
	if t.db.engine != Postgres {
		if _, err := t.exec("DELETE FROM ballot_box WHERE vote = ?", vote); err != nil {
			return nil, fmt.Errorf("empty ballot box: %w", err)
		}
		return bs, nil
	}
	for _, q := range []string{
		"CREATE TEMPORARY TABLE ballot_box_keep ON COMMIT DROP AS SELECT vote, id, receipt, content FROM ballot_box WHERE vote <> ?",
		"TRUNCATE ballot_box",
		"INSERT INTO ballot_box (vote, id, receipt, content) SELECT vote, id, receipt, content FROM ballot_box_keep ORDER BY vote, id",
		"DROP TABLE ballot_box_keep",
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{vote}
		}
		if _, err := t.exec(q, args...); err != nil {
			return nil, fmt.Errorf("empty ballot box: %w", err)
		}
	}
	return bs, nil
}

// mixBoxes runs at the end of a batch, outside every job's savepoint, on
// PostgreSQL only. A PostgreSQL row lives in the heap where it was
// inserted, so a SELECT without ORDER BY returns a box in the order of
// casting, and it carries the id of the (sub)transaction that inserted it
// (xmin), which is also that of the participation event written by the
// same job. So the ballots a batch deposited are not written by their jobs
// but here, together with a random sample of up to mixSample other
// ballots of the same box, which are deleted and written again: all in key
// order, all carrying the batch's top-level transaction id. A ballot cast
// alone in its batch thus hides among min(box size, mixSample + 1) ballots
// rather than being the one row written with its voter's participation,
// and no row version ever carried the job's own transaction id. SQLite
// needs none of it: its box is WITHOUT ROWID, stored in key order, with no
// transaction id on rows.
func (t *tx) mixBoxes() error {
	if len(t.deposits) == 0 {
		return nil
	}
	fresh := map[int64][]deposit{}
	var votes []int64
	for _, d := range t.deposits {
		if _, ok := fresh[d.vote]; !ok {
			votes = append(votes, d.vote)
		}
		fresh[d.vote] = append(fresh[d.vote], d)
	}
	t.deposits = nil
	for _, vote := range votes {
		sample, err := t.sampleBox(vote, len(fresh[vote]))
		if err != nil {
			return err
		}
		var ids [][]byte
		var receipts, contents []string
		for _, d := range fresh[vote] {
			ids, receipts, contents = append(ids, d.id), append(receipts, d.receipt), append(contents, d.content)
		}
		if _, err := t.exec(`WITH moved AS (
				DELETE FROM ballot_box WHERE vote = ? AND id = ANY(?) RETURNING id, receipt, content),
			fresh AS (SELECT * FROM unnest(?::bytea[], ?::text[], ?::text[]) AS f (id, receipt, content))
			INSERT INTO ballot_box (vote, id, receipt, content)
			SELECT ?, id, receipt, content FROM (SELECT * FROM moved UNION ALL SELECT * FROM fresh) AS x ORDER BY id`,
			vote, sample, ids, receipts, contents, vote); err != nil {
			return fmt.Errorf("mix ballot box: %w", err)
		}
	}
	return nil
}

// sampleBox returns the ids of up to mixSample ballots of the box: a run
// of consecutive keys from a random point, wrapping around. Keys are
// random, so a run of them is a random sample. fresh (the batch's new
// ballots) keeps the sample at mixSample others when the box grows by
// more than one in a batch.
func (t *tx) sampleBox(vote int64, fresh int) ([][]byte, error) {
	start := make([]byte, BoxIDSize)
	if _, err := rand.Read(start); err != nil {
		return nil, err
	}
	var ids [][]byte
	for _, q := range []string{
		"SELECT id FROM ballot_box WHERE vote = ? AND id >= ? ORDER BY id LIMIT ?",
		"SELECT id FROM ballot_box WHERE vote = ? AND id < ? ORDER BY id LIMIT ?",
	} {
		if len(ids) >= t.db.mixSample {
			break
		}
		rows, err := t.query(q, vote, start, t.db.mixSample-len(ids))
		if err != nil {
			return nil, fmt.Errorf("sample ballot box: %w", err)
		}
		for rows.Next() {
			var id []byte
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// scrubAfterPublish is called by the writer after a commit that published
// a bulletin, on SQLite. The closed box's rows are gone from the tables,
// but the write-ahead log still holds the frames in which each commit wrote
// a ballot's page next to its participation event. A TRUNCATE checkpoint
// copies the WAL into the database and cuts the WAL file to nothing.
// (PostgreSQL needs no step here: EmptyBox truncated the table. What
// neither reaches — PostgreSQL's own WAL and archives, backups, freed disk
// blocks — is in docs/SECURITY.md.)
func (db *DB) scrubAfterPublish() {
	if db.engine != SQLite {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := db.w.Conn(ctx)
	if err != nil {
		db.log.Warn("scrub after bulletin: no connection", "err", err)
		return
	}
	defer conn.Close()
	// A reader that holds an old snapshot keeps the WAL from being cut; do
	// not stall every writer for long on its account.
	conn.ExecContext(ctx, "PRAGMA busy_timeout = 2000")
	defer conn.ExecContext(ctx, "PRAGMA busy_timeout = 10000")
	var busy, frames, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil {
		db.log.Warn("scrub after bulletin: checkpoint failed", "err", err)
	} else if busy != 0 {
		db.log.Warn("scrub after bulletin: a reader kept the WAL from being truncated; the next close will try again")
	}
}

// Bulletin returns the published bulletin of a closed secret vote, as the
// log holds it.
func (db *DB) Bulletin(ctx context.Context, vote int64) (*soviet.Bulletin, error) {
	var seq int64
	err := db.r.QueryRowContext(ctx, rebind(db.engine, "SELECT seq FROM bulletins WHERE vote = ?"), vote).Scan(&seq)
	if err := notFound(err, "bulletin of vote", vote); err != nil {
		return nil, err
	}
	ev, err := db.Event(ctx, seq)
	if err != nil {
		return nil, err
	}
	p, err := soviet.DecodePayload(ev.Type, ev.Payload)
	if err != nil {
		return nil, err
	}
	bp, ok := p.(*soviet.BulletinPublished)
	if !ok {
		return nil, fmt.Errorf("bulletin of vote %d: event %d is a %s", vote, seq, ev.Type)
	}
	return &bp.Bulletin, nil
}

// FindReceipt returns the vote whose published bulletin holds the receipt.
func (db *DB) FindReceipt(ctx context.Context, receipt string) (int64, error) {
	var vote int64
	err := db.r.QueryRowContext(ctx, rebind(db.engine, "SELECT vote FROM bulletin_ballots WHERE receipt = ?"), receipt).Scan(&vote)
	return vote, notFound(err, "published ballot with receipt", receipt)
}

// Log returns every event of the log in order, read a page at a time.
func (db *DB) Log(ctx context.Context) iter.Seq2[soviet.Event, error] {
	return func(yield func(soviet.Event, error) bool) {
		const page = 1000
		for from := int64(1); ; {
			evs, err := db.Events(ctx, from, page)
			if err != nil {
				yield(soviet.Event{}, err)
				return
			}
			for _, ev := range evs {
				if !yield(ev, nil) {
					return
				}
			}
			if len(evs) < page {
				return
			}
			from = evs[len(evs)-1].Seq + 1
		}
	}
}

// VerifyBulletin checks a bulletin (a downloaded file, say) on its own and
// against the log: see soviet.Bulletin's Check and CheckLog. It returns
// every problem found.
func (db *DB) VerifyBulletin(ctx context.Context, b *soviet.Bulletin) ([]string, error) {
	ps := b.Check()
	more, err := b.CheckLog(db.Log(ctx))
	return append(ps, more...), err
}

// checkBoxes checks the ballot boxes, which replay cannot rebuild (no
// event names a ballot while its vote is open): every box of an open vote
// holds exactly one well-formed ballot per participant, and no box
// outlives its vote's bulletin. The participation and bulletins tables it
// counts from are themselves compared with the replay.
func (db *DB) checkBoxes(ctx context.Context, pr *problems) error {
	counts := func(q string) (map[int64]int64, error) {
		rows, err := db.r.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[int64]int64{}
		for rows.Next() {
			var vote, n int64
			if err := rows.Scan(&vote, &n); err != nil {
				return nil, err
			}
			m[vote] = n
		}
		return m, rows.Err()
	}
	box, err := counts("SELECT vote, COUNT(*) FROM ballot_box GROUP BY vote")
	if err != nil {
		return fmt.Errorf("count ballot boxes: %w", err)
	}
	took, err := counts("SELECT vote, COUNT(*) FROM participation GROUP BY vote")
	if err != nil {
		return fmt.Errorf("count participation: %w", err)
	}
	published, err := counts("SELECT vote, ballots FROM bulletins")
	if err != nil {
		return fmt.Errorf("read bulletins: %w", err)
	}
	votes := map[int64]bool{}
	for _, m := range []map[int64]int64{box, took, published} {
		for v := range m {
			votes[v] = true
		}
	}
	for _, v := range slices.Sorted(maps.Keys(votes)) {
		if n, ok := published[v]; ok {
			if box[v] > 0 {
				pr.add("ballot box", "ballot box of vote %d: %d ballots remain after its bulletin was published", v, box[v])
			}
			if n != took[v] {
				pr.add("ballot box", "vote %d: its bulletin has %d ballots for %d participants", v, n, took[v])
			}
			continue
		}
		if box[v] != took[v] {
			pr.add("ballot box", "ballot box of vote %d: %d ballots for %d participants (a ballot was added or removed outside the log's procedure)", v, box[v], took[v])
		}
	}
	rows, err := db.r.QueryContext(ctx, "SELECT vote, id, receipt FROM ballot_box")
	if err != nil {
		return fmt.Errorf("read ballot boxes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var vote int64
		var id []byte
		var receipt string
		if err := rows.Scan(&vote, &id, &receipt); err != nil {
			return err
		}
		if len(id) != BoxIDSize || len(receipt) != 64 {
			pr.add("ballot box", "ballot box of vote %d: a ballot with a malformed id or receipt", vote)
		}
	}
	return rows.Err()
}

// Turnout is how many have taken part in a secret vote so far, and how
// many may: all that is shown of a secret vote before it closes.
type Turnout struct {
	Voted    int64 `json:"voted"`
	Eligible int64 `json:"eligible"`
}

// SecretTurnout returns the turnout of the secret vote on a motion.
func (db *DB) SecretTurnout(ctx context.Context, motion int64) (Turnout, error) {
	var t Turnout
	err := db.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM participation WHERE vote = ?), eligible FROM motions WHERE id = ?`,
		motion, motion).Scan(&t.Voted, &t.Eligible)
	return t, notFound(err, "motion", motion)
}

// TookPart reports whether account took part in the secret vote.
func (db *DB) TookPart(ctx context.Context, vote, account int64) (bool, error) {
	var n int64
	err := db.queryRow(ctx, "SELECT COUNT(*) FROM participation WHERE vote = ? AND account = ?", vote, account).Scan(&n)
	return n > 0, err
}

// BulletinInfo says where a published bulletin is and what it holds,
// without reading it.
type BulletinInfo struct {
	Vote         int64  `json:"vote"`
	Seq          int64  `json:"seq"`  // the bulletin.published event
	Hash         string `json:"hash"` // SHA-256 of the bulletin's canonical JSON
	Ballots      int64  `json:"ballots"`
	Participants int64  `json:"participants"`
}

// BulletinInfoOf returns what the log records of a vote's bulletin.
func (db *DB) BulletinInfoOf(ctx context.Context, vote int64) (BulletinInfo, error) {
	var b BulletinInfo
	err := db.queryRow(ctx, "SELECT vote, seq, hash, ballots, participants FROM bulletins WHERE vote = ?", vote).
		Scan(&b.Vote, &b.Seq, &b.Hash, &b.Ballots, &b.Participants)
	return b, notFound(err, "bulletin of vote", vote)
}

// PublishedBallot returns the content of the ballot with the receipt in
// the vote's published bulletin.
func (db *DB) PublishedBallot(ctx context.Context, vote int64, receipt string) ([]byte, error) {
	if !findable(receipt) {
		return nil, soviet.Errorf(soviet.ErrNotFound, "no ballot with receipt %q", receipt)
	}
	var content string
	err := db.queryRow(ctx, "SELECT content FROM bulletin_ballots WHERE vote = ? AND receipt = ?", vote, receipt).Scan(&content)
	return []byte(content), notFound(err, "ballot with receipt", receipt)
}
