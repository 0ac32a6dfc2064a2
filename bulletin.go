package soviet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sort"

	"soviet/tally"
)

// Bulletin is the published record of a closed secret vote: every ballot's
// content and receipt, sorted by receipt (a canonical order that owes
// nothing to the order of casting, since receipts are hashes of random
// nonces), what the count needs besides the ballots, and the result
// computed from exactly that list. It is published in the log (event
// bulletin.published) and downloadable as canonical JSON, whose SHA-256 the
// log records.
type Bulletin struct {
	// Vote is the id of the motion (later: election, recall) whose vote
	// this is.
	Vote  int64    `json:"vote"`
	Kind  VoteKind `json:"kind"`
	Title string   `json:"title"`
	// Eligible is the size of the electorate; Participants the number of
	// participation events in the log, which must equal the number of
	// ballots.
	Eligible     int64 `json:"eligible"`
	Participants int64 `json:"participants"`
	// The rules of a motion's count.
	Quorum   Ratio    `json:"quorum"`
	Majority Majority `json:"majority,omitempty"`
	// Candidates and Seats are for ranked ballots (elections, which come
	// with issue 4): a ranked ballot's content is RankedBallot, indices
	// into Candidates.
	Candidates []string `json:"candidates,omitempty"`
	Seats      int      `json:"seats,omitempty"`
	// For an election: each candidate's account, the counting method and
	// the seed of its lots (published when the vote opened), the winners
	// (indices into Candidates, in order of election) and the full count.
	Accounts []int64         `json:"accounts,omitempty"`
	Method   string          `json:"method,omitempty"`
	Seed     string          `json:"seed,omitempty"`
	Elected  []int           `json:"elected,omitempty"`
	Report   json.RawMessage `json:"report,omitempty"`
	Ballots  []BallotEntry   `json:"ballots"`
	// A referendum's ballots name the voter's base council; Councils
	// gives each council's electorate, and DoubleMajority says whether a
	// majority of the councils was needed too.
	Referendum     bool            `json:"referendum,omitempty"`
	DoubleMajority bool            `json:"double_majority,omitempty"`
	Councils       []CouncilVoters `json:"councils,omitempty"`
	// Result is the count of Ballots (a motion's).
	Result *Result `json:"result,omitempty"`
}

// CouncilVoters is the size of one base council's electorate in a
// referendum.
type CouncilVoters struct {
	Council  int64 `json:"council"`
	Eligible int64 `json:"eligible"`
}

// BallotEntry is one ballot of a bulletin: its receipt code and content
// (canonical JSON), and nothing else.
type BallotEntry struct {
	Receipt string          `json:"receipt"`
	Content json.RawMessage `json:"content"`
}

// RankedBallot is the content of a ranked ballot: candidate indices (from
// 0), most preferred first.
type RankedBallot struct {
	Ranking []int `json:"ranking"`
}

// SortBallots puts ballots in the bulletin's canonical order: by receipt.
func SortBallots(bs []BallotEntry) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].Receipt < bs[j].Receipt })
}

// JSON returns the bulletin's canonical JSON: the downloadable file.
func (b *Bulletin) JSON() ([]byte, error) {
	c := *b
	if c.Ballots == nil {
		c.Ballots = []BallotEntry{} // "ballots":[] whether decoded or built
	}
	return Canonical(c)
}

// Hash returns the SHA-256, in hex, of the bulletin's canonical JSON.
func (b *Bulletin) Hash() (string, error) {
	j, err := b.JSON()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(j)
	return hex.EncodeToString(h[:]), nil
}

// ReadBulletin reads a bulletin file (JSON). It does not check it: see
// Check.
func ReadBulletin(r io.Reader) (*Bulletin, error) {
	var b Bulletin
	if err := decodeStrict(r, &b); err != nil {
		return nil, Errorf(ErrInvalid, "not a bulletin: %v", err)
	}
	return &b, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// Find returns the ballot with the receipt code and its position (from 0)
// in the bulletin.
func (b *Bulletin) Find(code string) (BallotEntry, int, bool) {
	i := sort.Search(len(b.Ballots), func(i int) bool { return b.Ballots[i].Receipt >= code })
	if i < len(b.Ballots) && b.Ballots[i].Receipt == code {
		return b.Ballots[i], i, true
	}
	return BallotEntry{}, 0, false
}

// Recount counts the bulletin's ballots. For a motion: the yes, no and
// abstain choices, decided under the bulletin's quorum and majority by the
// same rule as a roll-call vote. A ballot that is not of the vote's form
// is an error of kind ErrInvalid.
func (b *Bulletin) Recount() (Result, error) {
	if b.Kind != MotionVote {
		return Result{}, Errorf(ErrInvalid, "cannot count a bulletin of kind %q", string(b.Kind))
	}
	var yes, no, abstain int64
	per := map[int64]*CouncilResult{}
	for _, c := range b.Councils {
		per[c.Council] = &CouncilResult{Council: c.Council, Eligible: c.Eligible}
	}
	for i, e := range b.Ballots {
		var c ChoiceBallot
		if err := json.Unmarshal(e.Content, &c); err != nil || c.Choice.Validate() != nil {
			return Result{}, Errorf(ErrInvalid, "ballot %d (receipt %s) is not a choice of yes, no or abstain: %s", i+1, e.Receipt, e.Content)
		}
		// Only the canonical form is a ballot the domain wrote: extra
		// fields or spacing would let one ballot be told from another.
		if want, _ := Canonical(c); !bytes.Equal(want, e.Content) {
			return Result{}, Errorf(ErrInvalid, "ballot %d (receipt %s) is not in canonical form: %s", i+1, e.Receipt, e.Content)
		}
		cr := per[c.Council]
		switch {
		case b.Referendum && cr == nil:
			return Result{}, Errorf(ErrInvalid, "ballot %d (receipt %s) names council %d, which is not in the referendum", i+1, e.Receipt, c.Council)
		case !b.Referendum && c.Council != 0:
			return Result{}, Errorf(ErrInvalid, "ballot %d (receipt %s) names a council outside a referendum", i+1, e.Receipt)
		case cr == nil:
			cr = &CouncilResult{}
		}
		switch c.Choice {
		case Yes:
			yes++
			cr.Yes++
		case No:
			no++
			cr.No++
		case Abstain:
			abstain++
			cr.Abstain++
		}
	}
	if err := b.Quorum.Validate(); err != nil {
		return Result{}, err
	}
	if err := b.Majority.Validate(); err != nil {
		return Result{}, err
	}
	r := Decide(yes, no, abstain, b.Eligible, b.Quorum, b.Majority)
	if b.Referendum {
		finishReferendum(&r, per, b.DoubleMajority)
	}
	return r, nil
}

// CountElection counts a secret election's bulletin: its ranked ballots,
// which must be canonical and name standing candidates each once, under
// the election's method, seats and seed.
func (b *Bulletin) CountElection() (*tally.Result, error) {
	if b.Kind != ElectionVote {
		return nil, Errorf(ErrInvalid, "bulletin of kind %q is not an election's", string(b.Kind))
	}
	if len(b.Accounts) != len(b.Candidates) {
		return nil, Errorf(ErrInvalid, "%d candidates but %d accounts", len(b.Candidates), len(b.Accounts))
	}
	ballots := make([]tally.Ballot, 0, len(b.Ballots))
	for i, e := range b.Ballots {
		var rb RankedBallot
		if err := decodeStrict(bytes.NewReader(e.Content), &rb); err != nil {
			return nil, Errorf(ErrInvalid, "ballot %d (receipt %s) is not a ranking: %s", i+1, e.Receipt, e.Content)
		}
		if want, _ := Canonical(rb); !bytes.Equal(want, e.Content) {
			return nil, Errorf(ErrInvalid, "ballot %d (receipt %s) is not in canonical form: %s", i+1, e.Receipt, e.Content)
		}
		seen := map[int]bool{}
		for _, c := range rb.Ranking {
			if c < 0 || c >= len(b.Candidates) || seen[c] {
				return nil, Errorf(ErrInvalid, "ballot %d (receipt %s) ranks a candidate who is not standing, or one twice", i+1, e.Receipt)
			}
			seen[c] = true
		}
		if len(rb.Ranking) > 0 {
			ballots = append(ballots, tally.Ballot{Weight: 1, Ranking: rb.Ranking})
		}
	}
	p, err := tally.NewProfile(b.Title, b.Candidates, nil, b.Seats, ballots)
	if err != nil {
		return nil, Errorf(ErrInvalid, "%v", err)
	}
	res, err := tally.Count(b.Method, p, tally.Options{Seats: b.Seats, Seed: b.Seed})
	if err != nil {
		return nil, Errorf(ErrInvalid, "%v", err)
	}
	return res, nil
}

// Check checks that the bulletin is whole and recounts it: receipts well
// formed, unique and in canonical order, one ballot per participant, no
// more participants than voters, and the published result equal to the
// recount. It returns every problem found; none means the bulletin holds
// together (whether it is the one the log published is CheckLog's
// question).
func (b *Bulletin) Check() []string {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	for i, e := range b.Ballots {
		if err := validReceiptCode(e.Receipt); err != nil {
			add("ballot %d: %v", i+1, Message(err))
		}
		if i > 0 && e.Receipt <= b.Ballots[i-1].Receipt {
			add("ballot %d: receipts are not in strictly increasing order (a ballot is repeated or the list was reordered)", i+1)
		}
	}
	if n := int64(len(b.Ballots)); n != b.Participants {
		add("the bulletin has %d ballots but %d participants", n, b.Participants)
	}
	if b.Participants > b.Eligible {
		add("%d participants but only %d eligible voters", b.Participants, b.Eligible)
	}
	if b.Kind == ElectionVote {
		res, err := b.CountElection()
		if err != nil {
			add("recount: %v", Message(err))
			return ps
		}
		if !slices.Equal(res.Elected, b.Elected) {
			add("the published winners %v differ from the recount's %v", b.Elected, res.Elected)
		}
		if report, err := Canonical(res); err != nil || !bytes.Equal(report, b.Report) {
			add("the published count differs from the recount")
		}
		return ps
	}
	r, err := b.Recount()
	switch {
	case err != nil:
		add("recount: %v", Message(err))
	case b.Result == nil:
		add("the bulletin has no result")
	case !r.Equal(*b.Result):
		add("the published result %s differs from the recount %s", b.Result, r)
	}
	return ps
}

// CheckLog checks the bulletin against the log (every event, in order):
// the log must have opened the vote as secret under the bulletin's rules,
// hold as many participation events for it as the bulletin has ballots,
// have published this very bulletin (same hash) and closed the vote with
// its result. It returns every problem found; the error is for a log that
// could not be read.
func (b *Bulletin) CheckLog(events iter.Seq2[Event, error]) ([]string, error) {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	hash, err := b.Hash()
	if err != nil {
		return nil, err
	}
	var (
		opened, published, closed bool
		electionSecret            bool
		participants              int64
	)
	for ev, err := range events {
		if err != nil {
			return nil, err
		}
		switch ev.Type {
		case "vote.opened", "vote.participated", "bulletin.published", "vote.closed",
			"election.opened", "election.polling", "election.closed":
		default:
			continue
		}
		p, err := DecodePayload(ev.Type, ev.Payload)
		if err != nil {
			add("event %d: %v", ev.Seq, err)
			continue
		}
		switch p := p.(type) {
		case *VoteOpened:
			if p.Motion != b.Vote {
				continue
			}
			opened = true
			if p.Secrecy != Secret {
				add("event %d opened vote %d by roll call, not secret", ev.Seq, b.Vote)
			}
			if p.Quorum != b.Quorum || p.Majority != b.Majority {
				add("event %d opened vote %d with quorum %s and a %s majority; the bulletin says %s and %s", ev.Seq, b.Vote, p.Quorum, p.Majority, b.Quorum, b.Majority)
			}
		case *ElectionOpened:
			if ev.Seq != b.Vote {
				continue
			}
			opened = true
			electionSecret = p.Secrecy == Secret
			if p.Method != b.Method {
				add("event %d opened election %d to be counted by %s; the bulletin says %s", ev.Seq, b.Vote, p.Method, b.Method)
			}
		case *PollingOpened:
			if p.Election != b.Vote {
				continue
			}
			if fmt.Sprintf("%x", ev.Hash) != b.Seed {
				add("the seed of election %d is the hash of event %d, not the bulletin's %q", b.Vote, ev.Seq, b.Seed)
			}
			if p.Secrecy != "" {
				electionSecret = p.Secrecy == Secret
			}
			if !electionSecret {
				add("event %d opened the vote of election %d by roll call, not secret", ev.Seq, b.Vote)
			}
		case *ElectionClosed:
			if p.Election != b.Vote {
				continue
			}
			closed = true
			var want []int64
			for _, c := range b.Elected {
				if c >= 0 && c < len(b.Accounts) {
					want = append(want, b.Accounts[c])
				}
			}
			if !slices.Equal(p.Elected, want) {
				add("event %d closed election %d electing %v; the bulletin elects %v", ev.Seq, b.Vote, p.Elected, want)
			}
		case *Participated:
			if p.Vote == b.Vote {
				participants++
			}
		case *BulletinPublished:
			if p.Bulletin.Vote != b.Vote {
				continue
			}
			published = true
			if p.Hash != hash {
				add("event %d published a bulletin of vote %d with hash %s; this bulletin's hash is %s: it is not the published one", ev.Seq, b.Vote, p.Hash, hash)
			}
		case *VoteClosed:
			if p.Motion != b.Vote {
				continue
			}
			closed = true
			if b.Result == nil || !p.Result.Equal(*b.Result) {
				add("event %d closed vote %d with result %s; the bulletin says %s", ev.Seq, b.Vote, p.Result, b.Result)
			}
		}
	}
	if !opened {
		add("the log never opened vote %d", b.Vote)
	}
	if participants != int64(len(b.Ballots)) || participants != b.Participants {
		add("the log records %d participants in vote %d; the bulletin has %d ballots and says %d participants", participants, b.Vote, len(b.Ballots), b.Participants)
	}
	if !published {
		add("the log published no bulletin for vote %d", b.Vote)
	}
	if !closed {
		add("the log never closed vote %d", b.Vote)
	}
	return ps, nil
}

// String describes a result in one line, for reports.
func (r Result) String() string {
	verdict := "rejected"
	if r.Adopted {
		verdict = "adopted"
	}
	if !r.QuorumMet {
		verdict += ", quorum not met"
	}
	return fmt.Sprintf("yes %d, no %d, abstain %d of %d eligible: %s", r.Yes, r.No, r.Abstain, r.Eligible, verdict)
}

// WriteBLT writes a bulletin of ranked ballots in the BLT format (OpenSTV,
// Droop, soviet tally), by tally's writer: identical rankings are grouped
// with their weight. A motion's yes/no ballots have no BLT form.
func (b *Bulletin) WriteBLT(w io.Writer) error {
	if len(b.Candidates) == 0 || b.Seats < 1 {
		return Errorf(ErrInvalid, "only a bulletin of ranked ballots (with candidates and seats) has a BLT form")
	}
	ballots := make([]tally.Ballot, len(b.Ballots))
	for i, e := range b.Ballots {
		var rb RankedBallot
		if err := decodeStrict(bytes.NewReader(e.Content), &rb); err != nil {
			return Errorf(ErrInvalid, "ballot %d is not a ranking: %s", i+1, e.Content)
		}
		ballots[i] = tally.Ballot{Weight: 1, Ranking: rb.Ranking}
	}
	p, err := tally.NewProfile(b.Title, b.Candidates, nil, b.Seats, ballots)
	if err != nil {
		return Errorf(ErrInvalid, "the bulletin's rankings: %v", err)
	}
	return tally.WriteBLT(w, p)
}
