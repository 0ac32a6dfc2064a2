package soviet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"soviet/tally"
)

// ElectionKind says what an election replaces.
type ElectionKind string

const (
	// ByElection fills vacant seats; the delegation's other members stay.
	ByElection ElectionKind = "by-election"
	// FullElection elects the whole delegation anew: when it closes, every
	// office it covers ends and the winners take the seats.
	FullElection ElectionKind = "full"
)

// ElectionState is where an election is.
type ElectionState string

// An election takes nominations, then votes, then is closed (or cancelled
// when the seats it was for changed).
const (
	Nominating ElectionState = "nominating"
	Polling    ElectionState = "voting"
	Closed     ElectionState = "closed"
	Cancelled  ElectionState = "cancelled"
)

// Election fills seats of a body (a delegate council or a committee) held
// by one constituency; the constituency's voters elect.
type Election struct {
	ID       int64           `json:"id"`
	Council  int64           `json:"council"` // the electing council (the constituency)
	Body     int64           `json:"body"`    // where the seats are
	Seats    int             `json:"seats"`
	Kind     ElectionKind    `json:"kind"`
	Method   string          `json:"method"`
	State    ElectionState   `json:"state"`
	Secret   bool            `json:"secret"`
	Opened   time.Time       `json:"opened"`
	Deadline time.Time       `json:"deadline"` // of the current phase
	Seed     string          `json:"seed,omitempty"`
	Closed   time.Time       `json:"closed,omitzero"`
	Elected  []int64         `json:"elected,omitempty"`
	Report   json.RawMessage `json:"report,omitempty"` // the count, round by round
}

// Candidate stands in an election.
type Candidate struct {
	Election    int64     `json:"election"`
	Account     int64     `json:"account"`
	Faction     int64     `json:"faction,omitempty"`
	NominatedBy int64     `json:"nominated_by"`
	Since       time.Time `json:"since"`
	Withdrawn   bool      `json:"withdrawn,omitempty"`
}

// openElection appends the event that opens an election of n seats in
// body, held by constituency c.
func openElection(ctx context.Context, tx Tx, actor int64, ch Charter, c, body Council, kind ElectionKind, n int) (Election, error) {
	method := ch.ElectionMethod(n, body.Kind == Committee)
	deadline := tx.Now().Add(time.Duration(ch.ElectionDays) * 24 * time.Hour)
	secrecy := ch.Ballot(ElectionVote)
	ev, err := tx.Append(ctx, actor, ElectionOpened{Council: c.ID, Body: body.ID, Seats: n, Kind: kind, Method: method,
		Deadline: deadline.UnixMicro(), Secrecy: secrecy})
	if err != nil {
		return Election{}, err
	}
	return Election{ID: ev.Seq, Council: c.ID, Body: body.ID, Seats: n, Kind: kind, Method: method, State: Nominating,
		Secret: secrecy == Secret, Opened: ev.Time, Deadline: time.UnixMicro(deadline.UnixMicro())}, nil
}

// electionIn loads an election and the actor's roles in its electing
// council.
func electionIn(ctx context.Context, tx Tx, actor, id int64) (Election, Council, Role, error) {
	e, err := tx.Election(ctx, id)
	if err != nil {
		return Election{}, Council{}, 0, err
	}
	c, err := tx.Council(ctx, e.Council)
	if err != nil {
		return Election{}, Council{}, 0, err
	}
	roles, err := CouncilRoles(ctx, tx, actor, c)
	return e, c, roles, err
}

// CallElection lets a council's secretary call a full election of its
// delegation in a body (at the end of a term, or when the council wants a
// new delegation). Elections also open by themselves when seats change or
// fall vacant.
func (s *Service) CallElection(ctx context.Context, actor, council, body int64) (Election, error) {
	var e Election
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Council(ctx, council)
		if err != nil {
			return err
		}
		roles, err := CouncilRoles(ctx, tx, actor, c)
		if err != nil {
			return err
		}
		if err := Authorize(ActCallElection, roles); err != nil {
			return err
		}
		b, err := tx.Council(ctx, body)
		if err != nil {
			return err
		}
		var seats int
		ds, err := tx.Delegations(ctx, body)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Constituency == council {
				seats = d.Seats
			}
		}
		if seats == 0 {
			return Errorf(ErrInvalid, "%q holds no seats in %q", c.Name, b.Name)
		}
		if open, err := tx.OpenElections(ctx, body, council); err != nil {
			return err
		} else if len(open) > 0 {
			return Errorf(ErrConflict, "an election for these seats is already open")
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		e, err = openElection(ctx, tx, actor, ch, c, b, FullElection, seats)
		return err
	})
	return e, err
}

// Nominate puts candidate forward in an election while nominations are
// open. Any voter of the electing council may nominate any voter of it,
// themselves included; faction (0 for none) must be one the candidate
// belongs to... or any faction of the federation they declare for.
func (s *Service) Nominate(ctx context.Context, actor, election, candidate, faction int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		e, c, roles, err := electionIn(ctx, tx, actor, election)
		if err != nil {
			return err
		}
		if err := Authorize(ActNominate, roles); err != nil {
			return err
		}
		if e.State != Nominating {
			return Errorf(ErrConflict, "nominations are closed: the election is %s", e.State)
		}
		croles, err := CouncilRoles(ctx, tx, candidate, c)
		if err != nil {
			return err
		}
		if croles&(RoleMember|RoleDelegate) == 0 {
			return Errorf(ErrInvalid, "only a voter of %q can stand in its election", c.Name)
		}
		if cands, err := tx.Candidates(ctx, election); err != nil {
			return err
		} else if slices.ContainsFunc(cands, func(x Candidate) bool { return x.Account == candidate && !x.Withdrawn }) {
			return Errorf(ErrConflict, "already a candidate")
		}
		if faction != 0 {
			if err := checkFaction(ctx, tx, c.Federation, faction); err != nil {
				return err
			}
		}
		_, err = tx.Append(ctx, actor, CandidateNominated{Election: election, Account: candidate, Faction: faction})
		return err
	})
}

// WithdrawCandidacy lets a candidate stand down while nominations are
// open.
func (s *Service) WithdrawCandidacy(ctx context.Context, actor, election int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		e, err := tx.Election(ctx, election)
		if err != nil {
			return err
		}
		if actor == 0 {
			return Errorf(ErrUnauthenticated, "sign in first")
		}
		if e.State != Nominating {
			return Errorf(ErrConflict, "nominations are closed: the candidates stand")
		}
		cands, err := tx.Candidates(ctx, election)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(cands, func(x Candidate) bool { return x.Account == actor && !x.Withdrawn }) {
			return Errorf(ErrNotFound, "you are not a candidate in this election")
		}
		_, err = tx.Append(ctx, actor, CandidacyWithdrawn{Election: election, Account: actor})
		return err
	})
}

// OpenPolling ends nominations and opens the vote: the electing council's
// secretary may do it early. (When nominations close at their deadline,
// AdvanceElections does it.) With no more candidates than seats, they are
// elected unopposed and no vote is held; with none, nominations stay open.
func (s *Service) OpenPolling(ctx context.Context, actor, election int64) (Election, error) {
	return s.OpenPollingWith(ctx, actor, election, "")
}

// OpenPollingWith is OpenPolling with the secretary's choice of a secret
// or roll-call vote ("" keeps the charter's default for elections).
func (s *Service) OpenPollingWith(ctx context.Context, actor, election int64, secrecy Secrecy) (Election, error) {
	if secrecy != "" {
		if err := secrecy.Validate(); err != nil {
			return Election{}, err
		}
	}
	// Actor 0 is the system inside AdvanceElections; from outside it is
	// a visitor who has not signed in, who may not end nominations.
	if actor == 0 {
		return Election{}, Authorize(ActRunElection, 0)
	}
	var e Election
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		e, err = openPolling(ctx, tx, actor, election, secrecy)
		return err
	})
	return e, err
}

func openPolling(ctx context.Context, tx Tx, actor, election int64, secrecy Secrecy) (Election, error) {
	e, c, roles, err := electionIn(ctx, tx, actor, election)
	if err != nil {
		return Election{}, err
	}
	if actor != 0 {
		if err := Authorize(ActRunElection, roles); err != nil {
			return Election{}, err
		}
	}
	if e.State != Nominating {
		return Election{}, Errorf(ErrConflict, "the election is %s, not taking nominations", e.State)
	}
	ch, err := tx.Charter(ctx, c.Federation)
	if err != nil {
		return Election{}, err
	}
	cands, err := standing(ctx, tx, election)
	if err != nil {
		return Election{}, err
	}
	switch {
	case len(cands) == 0 && actor != 0:
		return Election{}, Errorf(ErrConflict, "no one is nominated yet")
	case len(cands) == 0:
		// Nobody stood: nominations stay open for another period.
		deadline := tx.Now().Add(time.Duration(ch.ElectionDays) * 24 * time.Hour)
		_, err := tx.Append(ctx, 0, NominationsExtended{Election: election, Deadline: deadline.UnixMicro()})
		e.Deadline = time.UnixMicro(deadline.UnixMicro())
		return e, err
	case len(cands) <= e.Seats:
		elected := make([]int64, len(cands))
		for i, c := range cands {
			elected[i] = c.Account
		}
		report, _ := Canonical(map[string]any{"unopposed": true, "candidates": len(cands), "seats": e.Seats})
		return closeElectionWith(ctx, tx, actor, e, elected, report)
	}
	deadline := tx.Now().Add(time.Duration(ch.ElectionDays) * 24 * time.Hour)
	ev, err := tx.Append(ctx, actor, PollingOpened{Election: election, Deadline: deadline.UnixMicro(), Secrecy: secrecy})
	if err != nil {
		return Election{}, err
	}
	e.State, e.Deadline, e.Seed = Polling, time.UnixMicro(deadline.UnixMicro()), seedOf(ev)
	if secrecy != "" {
		e.Secret = secrecy == Secret
	}
	return e, nil
}

// seedOf is the seed of an election's lots: the hash of the event that
// opened its vote, published in the log before any ballot is cast.
func seedOf(ev Event) string { return fmt.Sprintf("%x", ev.Hash) }

// standing returns the candidates who did not withdraw, in order of
// nomination.
func standing(ctx context.Context, tx Tx, election int64) ([]Candidate, error) {
	cands, err := tx.Candidates(ctx, election)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(cands, func(c Candidate) bool { return c.Withdrawn }), nil
}

// CastRanking records actor's roll-call ranked ballot in an election:
// candidates' accounts from most to least preferred (any number, each
// once). It may be changed until the vote closes. A secret election takes
// secret ballots instead (CastRankedBallot).
func (s *Service) CastRanking(ctx context.Context, actor, election int64, ranking []int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		e, _, err := mayRank(ctx, tx, actor, election, ranking)
		if err != nil {
			return err
		}
		if e.Secret {
			return Errorf(ErrConflict, "this election is secret: cast a secret ballot")
		}
		_, err = tx.Append(ctx, actor, RankingCast{Election: election, Ranking: ranking})
		return err
	})
}

// CastRankedBallot casts actor's secret ranked ballot in a secret election,
// once: like a motion's secret ballot, the participation is logged and the
// ballot (the ranking as positions in the list of standing candidates) goes
// into the box with nothing that names the voter. The receipt is returned
// once.
func (s *Service) CastRankedBallot(ctx context.Context, actor, election int64, ranking []int64) (Receipt, error) {
	var r Receipt
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		e, cands, err := mayRank(ctx, tx, actor, election, ranking)
		if err != nil {
			return err
		}
		if !e.Secret {
			return Errorf(ErrConflict, "this election is by roll call: cast a named ballot")
		}
		rb := RankedBallot{Ranking: make([]int, len(ranking))}
		for i, a := range ranking {
			rb.Ranking[i] = slices.IndexFunc(cands, func(c Candidate) bool { return c.Account == a })
		}
		content, err := Canonical(rb)
		if err != nil {
			return err
		}
		if r, err = s.newReceipt(election, content); err != nil {
			return err
		}
		return castSecret(ctx, tx, actor, r)
	})
	return r, err
}

// mayRank checks that actor may cast ranking in an election now, and
// returns the election and its standing candidates.
func mayRank(ctx context.Context, tx Tx, actor, election int64, ranking []int64) (Election, []Candidate, error) {
	e, _, roles, err := electionIn(ctx, tx, actor, election)
	if err != nil {
		return Election{}, nil, err
	}
	if err := Authorize(ActCastVote, roles); err != nil {
		return Election{}, nil, err
	}
	if e.State != Polling {
		return Election{}, nil, Errorf(ErrConflict, "the election is %s: there is no open vote", e.State)
	}
	if !tx.Now().Before(e.Deadline) {
		return Election{}, nil, Errorf(ErrConflict, "the vote closed at %s", e.Deadline.UTC().Format(time.RFC3339))
	}
	if ok, err := tx.InElectionElectorate(ctx, election, actor); err != nil {
		return Election{}, nil, err
	} else if !ok {
		return Election{}, nil, Errorf(ErrForbidden, "you joined after this election's vote opened: you are not among its voters")
	}
	cands, err := standing(ctx, tx, election)
	if err != nil {
		return Election{}, nil, err
	}
	if err := validRanking(ranking, cands); err != nil {
		return Election{}, nil, err
	}
	return e, cands, nil
}

// validRanking checks a ranking against the standing candidates.
func validRanking(ranking []int64, cands []Candidate) error {
	if len(ranking) == 0 {
		return Errorf(ErrInvalid, "rank at least one candidate")
	}
	seen := map[int64]bool{}
	for _, a := range ranking {
		if !slices.ContainsFunc(cands, func(c Candidate) bool { return c.Account == a }) {
			return Errorf(ErrInvalid, "account %d is not a candidate in this election", a)
		}
		if seen[a] {
			return Errorf(ErrInvalid, "a candidate may be ranked only once")
		}
		seen[a] = true
	}
	return nil
}

// CloseElection counts an election's ballots, closes it and seats the
// winners: the electing council's secretary may close it early. (At its
// deadline, AdvanceElections closes it.)
func (s *Service) CloseElection(ctx context.Context, actor, election int64) (Election, error) {
	if actor == 0 {
		return Election{}, Authorize(ActRunElection, 0)
	}
	var e Election
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		e, err = closeElection(ctx, tx, actor, election)
		return err
	})
	return e, err
}

func closeElection(ctx context.Context, tx Tx, actor, election int64) (Election, error) {
	e, _, roles, err := electionIn(ctx, tx, actor, election)
	if err != nil {
		return Election{}, err
	}
	if actor != 0 {
		if err := Authorize(ActRunElection, roles); err != nil {
			return Election{}, err
		}
	} else if tx.Now().Before(e.Deadline) {
		return Election{}, Errorf(ErrConflict, "the vote is open until its deadline")
	}
	if e.State != Polling {
		return Election{}, Errorf(ErrConflict, "the election is %s: there is no open vote", e.State)
	}
	cands, err := standing(ctx, tx, election)
	if err != nil {
		return Election{}, err
	}
	if e.Secret {
		b, err := publishElectionBulletin(ctx, tx, actor, e, cands)
		if err != nil {
			return Election{}, err
		}
		elected := make([]int64, len(b.Elected))
		for i, c := range b.Elected {
			elected[i] = b.Accounts[c]
		}
		return closeElectionWith(ctx, tx, actor, e, elected, b.Report)
	}
	rankings, err := tx.Rankings(ctx, election)
	if err != nil {
		return Election{}, err
	}
	res, err := CountElection(e, cands, rankings, tx.CandidateNames)
	if err != nil {
		return Election{}, err
	}
	elected := make([]int64, len(res.Elected))
	for i, c := range res.Elected {
		elected[i] = cands[c].Account
	}
	report, err := Canonical(res)
	if err != nil {
		return Election{}, err
	}
	return closeElectionWith(ctx, tx, actor, e, elected, report)
}

// publishElectionBulletin empties a secret election's box into its
// bulletin, counts exactly its list and appends it to the log.
func publishElectionBulletin(ctx context.Context, tx Tx, actor int64, e Election, cands []Candidate) (*Bulletin, error) {
	ballots, err := tx.EmptyBox(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	participants, err := tx.Participants(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	eligible, err := tx.ElectionElectorateSize(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.Account
	}
	labels, err := tx.CandidateNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	SortBallots(ballots)
	b := &Bulletin{Vote: e.ID, Kind: ElectionVote, Title: fmt.Sprintf("election %d", e.ID), Eligible: eligible,
		Participants: participants, Candidates: labels, Accounts: ids, Seats: e.Seats, Method: e.Method, Seed: e.Seed, Ballots: ballots}
	res, err := b.CountElection()
	if err != nil {
		return nil, fmt.Errorf("count the ballot box of election %d: %w", e.ID, err)
	}
	b.Elected = res.Elected
	if b.Report, err = Canonical(res); err != nil {
		return nil, err
	}
	if ps := b.Check(); len(ps) > 0 {
		return nil, fmt.Errorf("the ballot box of election %d does not hold together: %s", e.ID, strings.Join(ps, "; "))
	}
	hash, err := b.Hash()
	if err != nil {
		return nil, err
	}
	_, err = tx.Append(ctx, actor, BulletinPublished{Bulletin: *b, Hash: hash})
	return b, err
}

// CountElection counts ranked ballots with the election's method. It is
// pure, so that anyone can recount from the published ballots.
func CountElection(e Election, cands []Candidate, rankings [][]int64, names func(context.Context, []int64) ([]string, error)) (*tally.Result, error) {
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.Account
	}
	labels, err := names(context.Background(), ids)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	for i, id := range ids {
		index[id] = i
	}
	ballots := make([]tally.Ballot, 0, len(rankings))
	for _, r := range rankings {
		b := tally.Ballot{Weight: 1}
		for _, a := range r {
			if i, ok := index[a]; ok {
				b.Ranking = append(b.Ranking, i)
			}
		}
		if len(b.Ranking) > 0 {
			ballots = append(ballots, b)
		}
	}
	p, err := tally.NewProfile(fmt.Sprintf("election %d", e.ID), labels, nil, e.Seats, ballots)
	if err != nil {
		return nil, fmt.Errorf("election %d: %w", e.ID, err)
	}
	res, err := tally.Count(e.Method, p, tally.Options{Seats: e.Seats, Seed: e.Seed})
	if err != nil {
		return nil, fmt.Errorf("count election %d: %w", e.ID, err)
	}
	return res, nil
}

// closeElectionWith records the result and seats the winners: in a full
// election the delegation's current offices end first.
func closeElectionWith(ctx context.Context, tx Tx, actor int64, e Election, elected []int64, report json.RawMessage) (Election, error) {
	if _, err := tx.Append(ctx, actor, ElectionClosed{Election: e.ID, Elected: elected, Report: report}); err != nil {
		return Election{}, err
	}
	if e.Kind == FullElection {
		held, err := tx.Offices(ctx, e.Body, e.Council)
		if err != nil {
			return Election{}, err
		}
		for _, o := range held {
			if _, err := tx.Append(ctx, 0, OfficeEnded{Office: o.ID, Reason: EndReplaced}); err != nil {
				return Election{}, err
			}
		}
	}
	cands, err := tx.Candidates(ctx, e.ID)
	if err != nil {
		return Election{}, err
	}
	for _, a := range elected {
		var faction int64
		for _, c := range cands {
			if c.Account == a {
				faction = c.Faction
			}
		}
		if _, err := tx.Append(ctx, 0, OfficeTaken{Body: e.Body, Constituency: e.Council, Account: a, Faction: faction, Election: e.ID}); err != nil {
			return Election{}, err
		}
	}
	e.State, e.Closed, e.Elected, e.Report = Closed, tx.Now(), elected, report
	// Seats still vacant (fewer candidates than seats) get a by-election.
	if len(elected) < e.Seats {
		body, err := tx.Council(ctx, e.Body)
		if err != nil {
			return Election{}, err
		}
		ch, err := tx.Charter(ctx, body.Federation)
		if err != nil {
			return Election{}, err
		}
		ds, err := tx.Delegations(ctx, e.Body)
		if err != nil {
			return Election{}, err
		}
		for _, d := range ds {
			if d.Constituency == e.Council {
				if err := fillSeats(ctx, tx, 0, ch, body, e.Council, d.Seats); err != nil {
					return Election{}, err
				}
			}
		}
	}
	return e, nil
}

// checkFaction checks that faction is one of the federation's.
func checkFaction(ctx context.Context, tx Tx, federation, faction int64) error {
	f, err := tx.Faction(ctx, faction)
	if errors.Is(err, ErrNotFound) || (err == nil && f.Federation != federation) {
		return Errorf(ErrInvalid, "no faction %d in this federation", faction)
	}
	return err
}

// AdvanceElections moves elections past their deadlines: nominations close
// (and the vote opens), votes close (and are counted). The server calls it
// periodically, with CloseDueVotes.
func (s *Service) AdvanceElections(ctx context.Context) (int, error) {
	n := 0
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		due, err := tx.DueElections(ctx, tx.Now())
		if err != nil {
			return err
		}
		for _, e := range due {
			switch e.State {
			case Nominating:
				_, err = openPolling(ctx, tx, 0, e.ID, "")
			case Polling:
				_, err = closeElection(ctx, tx, 0, e.ID)
			}
			if err != nil {
				return fmt.Errorf("election %d: %w", e.ID, err)
			}
			n++
		}
		return nil
	})
	return n, err
}
