package soviet

import (
	"context"
	"time"
)

// Store keeps the log and its projections. Package store implements it on
// SQLite and PostgreSQL.
type Store interface {
	// Transact runs fn in a read-write transaction and commits it durably
	// before returning. Events appended in fn are applied to the
	// projections at once, so later reads in fn see them. If fn returns an
	// error nothing it did is kept. Transact may run several callers' fns
	// in one database transaction (group commit); each fn still sees the
	// effects of the ones before it, and fails or succeeds alone.
	Transact(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// View runs fn in a read-only snapshot; Append fails in it.
	View(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// voterKey is the context key of WithVoter.
type voterKey struct{}

// WithVoter tells the store that the transaction run with ctx will read
// where account stands in motion's vote (Tx.Voter): a store that gathers
// many transactions into one batch may read them all at once. It is a
// hint; nothing depends on it but speed.
func WithVoter(ctx context.Context, motion, account int64) context.Context {
	return context.WithValue(ctx, voterKey{}, [2]int64{motion, account})
}

// VoterOf returns the hint WithVoter put in ctx.
func VoterOf(ctx context.Context) (motion, account int64, ok bool) {
	k, ok := ctx.Value(voterKey{}).([2]int64)
	return k[0], k[1], ok
}

// Tx is a transaction as the domain sees it: the current state, and the
// means to change it by appending events. Reads of a missing thing return
// an error of kind ErrNotFound.
type Tx interface {
	// Now is the time of the transaction; every event appended in it
	// carries it.
	Now() time.Time
	// Append records an event caused by actor and applies it to the
	// projections.
	Append(ctx context.Context, actor int64, p Payload) (Event, error)
	// SetPassword stores an account's password hash, outside the log.
	SetPassword(ctx context.Context, account int64, hash string) error

	// Founded reports whether the instance has its founding account.
	Founded(ctx context.Context) (bool, error)
	Account(ctx context.Context, id int64) (Account, error)
	AccountByHandle(ctx context.Context, handle string) (Account, error)

	Federation(ctx context.Context, id int64) (Federation, error)
	Charter(ctx context.Context, federation int64) (Charter, error)
	Council(ctx context.Context, id int64) (Council, error)
	// Links returns every link between the federation's councils.
	Links(ctx context.Context, federation int64) ([]Link, error)
	// LinksAbove returns every link on a path upward from council (the
	// links from it, from the councils it sends delegates to, and so on),
	// ordered by from and to.
	LinksAbove(ctx context.Context, council int64) ([]Link, error)
	// Membership returns the account's base-council membership in the
	// federation.
	Membership(ctx context.Context, federation, account int64) (Member, error)
	Invitation(ctx context.Context, id int64) (Invitation, error)
	InvitationByToken(ctx context.Context, tokenHash string) (Invitation, error)
	JoinRequest(ctx context.Context, id int64) (JoinRequest, error)
	// PendingJoinRequest returns the account's pending request to join
	// the council.
	PendingJoinRequest(ctx context.Context, council, account int64) (JoinRequest, error)

	Motion(ctx context.Context, id int64) (Motion, error)
	Supports(ctx context.Context, motion, account int64) (bool, error)
	// InElectorate reports whether account may vote on the motion's open
	// or closed vote.
	InElectorate(ctx context.Context, motion, account int64) (bool, error)
	// Voter returns, in one read, what casting a vote needs to know: the
	// motion and where account stands in its vote. It is the hot path of
	// vote ingestion.
	Voter(ctx context.Context, motion, account int64) (Voter, error)
	// VoteOf returns the account's current vote on the motion.
	VoteOf(ctx context.Context, motion, account int64) (Choice, error)
	// Count returns the votes cast on a motion and its electorate's size.
	Count(ctx context.Context, motion int64) (yes, no, abstain, eligible int64, err error)
	// DueVotes returns the motions whose vote is open past its deadline.
	DueVotes(ctx context.Context, now time.Time) ([]int64, error)

	// Secret votes. A vote is named by the id of what it decides (a
	// motion; later an election or a recall).

	// TookPart reports whether account took part in the secret vote.
	TookPart(ctx context.Context, vote, account int64) (bool, error)
	// Participants returns how many accounts took part in the secret
	// vote.
	Participants(ctx context.Context, vote int64) (int64, error)
	// DepositBallot puts a ballot into the vote's ballot box under a
	// random id, with nothing that names the voter or the time, in a place
	// whose order says nothing of the order of casting.
	DepositBallot(ctx context.Context, vote int64, receipt string, content []byte) error
	// EmptyBox takes every ballot out of the vote's box, to be published,
	// and returns them sorted by receipt. The box is left empty.
	EmptyBox(ctx context.Context, vote int64) ([]BallotEntry, error)

	// Represented returns the members a council represents: its own for a
	// base council, those of every base council below it otherwise.
	Represented(ctx context.Context, council int64) (int64, error)
	// Constituents returns the councils that send delegates to body, in
	// order of id, each with the members it represents.
	Constituents(ctx context.Context, body int64) ([]Constituent, error)
	// Delegations returns the seats each constituency holds in body.
	Delegations(ctx context.Context, body int64) ([]Delegation, error)
	// Offices returns the active offices in body held for constituency
	// (every constituency if it is 0).
	Offices(ctx context.Context, body, constituency int64) ([]Office, error)
	Office(ctx context.Context, id int64) (Office, error)
	// OfficesOf returns the active offices account holds anywhere.
	OfficesOf(ctx context.Context, account int64) ([]Office, error)
	// HoldsOffice reports whether account holds a seat in body now.
	HoldsOffice(ctx context.Context, body, account int64) (bool, error)
	// IsConstituent reports whether account is a member of a base council
	// below council.
	IsConstituent(ctx context.Context, council, account int64) (bool, error)
	// Secretaries returns the holders of seats in council's secretariat
	// or executive committees; empty if it has elected none.
	Secretaries(ctx context.Context, council int64) ([]int64, error)
	// Committees returns the committees a council elects.
	Committees(ctx context.Context, council int64) ([]Council, error)

	Election(ctx context.Context, id int64) (Election, error)
	// OpenElections returns the elections not closed or cancelled for the
	// seats of constituency in body.
	OpenElections(ctx context.Context, body, constituency int64) ([]Election, error)
	// Candidates returns an election's candidates in order of nomination.
	Candidates(ctx context.Context, election int64) ([]Candidate, error)
	// CandidateNames returns a distinct label for each account.
	CandidateNames(ctx context.Context, accounts []int64) ([]string, error)
	InElectionElectorate(ctx context.Context, election, account int64) (bool, error)
	// ElectionElectorateSize returns how many may vote in an election.
	ElectionElectorateSize(ctx context.Context, election int64) (int64, error)
	// Rankings returns the roll-call ballots of an election, in a fixed
	// order.
	Rankings(ctx context.Context, election int64) ([][]int64, error)
	// DueElections returns the elections whose phase is past its deadline.
	DueElections(ctx context.Context, now time.Time) ([]Election, error)

	// CouncilsOf returns every council of a federation.
	CouncilsOf(ctx context.Context, federation int64) ([]Council, error)
	// VoterCount returns how many vote in a council now: its members, or
	// the holders of its seats.
	VoterCount(ctx context.Context, council int64) (int64, error)
	// OpenMotionsOn returns the motions of a kind, not yet decided, that
	// act on target.
	OpenMotionsOn(ctx context.Context, kind MotionKind, target int64) ([]int64, error)
	// AdoptedBy returns the base councils that adopted motion root or a
	// motion that took it up.
	AdoptedBy(ctx context.Context, root int64) ([]int64, error)
	// Forwarded returns the councils motion root (or a copy) was forwarded
	// to.
	Forwarded(ctx context.Context, root int64) ([]int64, error)
	// VoteRows returns a motion's electorate with each voter's roll-call
	// vote, ordered by account.
	VoteRows(ctx context.Context, motion int64) ([]VoteRow, error)
	// ElectorateByCouncil returns how many of a motion's voters each
	// council has, in council order.
	ElectorateByCouncil(ctx context.Context, motion int64) ([]CouncilVoters, error)

	Faction(ctx context.Context, id int64) (Faction, error)
	Factions(ctx context.Context, federation int64) ([]Faction, error)
}
