package soviet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Service carries out the domain's commands: each checks who may act,
// validates the request against the current state and appends the events
// that record it, all in one transaction.
type Service struct {
	store Store
	rand  io.Reader
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{store: store, rand: rand.Reader}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// NewToken returns a random secret token (URL-safe) and its SHA-256 in hex,
// which is what is stored.
func (s *Service) NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of a secret token in hex.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

var handlePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,31}$`)

// AccountInput is what a new account is made of. The password is hashed by
// the caller (argon2id) before it reaches the domain.
type AccountInput struct {
	Handle       string
	Name         string
	PasswordHash string
}

// Validate checks the fields of a new account.
func (in *AccountInput) Validate() error {
	in.Handle = strings.ToLower(strings.TrimSpace(in.Handle))
	in.Name = strings.TrimSpace(in.Name)
	if !handlePattern.MatchString(in.Handle) {
		return Errorf(ErrInvalid, "a handle has 2 to 32 characters: lower-case letters, digits, and . _ - (not first)")
	}
	if err := validText("name", in.Name, 1, 100); err != nil {
		return err
	}
	if in.PasswordHash == "" {
		return Errorf(ErrInvalid, "password is required")
	}
	return nil
}

// Found creates the instance's founding account. It fails with ErrConflict
// once the instance has one.
func (s *Service) Found(ctx context.Context, in AccountInput) (Account, error) {
	return s.createAccount(ctx, in, true)
}

// FoundInstance creates the instance's founding account and its first
// federation, named name, with the default charter, in one transaction:
// both or neither (a founder without the federation they asked for could
// not found the instance again). It fails with ErrConflict once the
// instance has a founder.
func (s *Service) FoundInstance(ctx context.Context, in AccountInput, name string) (Account, Federation, error) {
	name = strings.TrimSpace(name)
	if err := in.Validate(); err != nil {
		return Account{}, Federation{}, err
	}
	if err := validText("federation name", name, 1, 200); err != nil {
		return Account{}, Federation{}, err
	}
	var a Account
	var f Federation
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if a, err = createAccount(ctx, tx, in, true); err != nil {
			return err
		}
		f, err = createFederation(ctx, tx, a.ID, name, DefaultCharter())
		return err
	})
	return a, f, err
}

// Register creates an ordinary account. It has no rights in any federation
// until a council admits it.
func (s *Service) Register(ctx context.Context, in AccountInput) (Account, error) {
	return s.createAccount(ctx, in, false)
}

func (s *Service) createAccount(ctx context.Context, in AccountInput, founder bool) (Account, error) {
	if err := in.Validate(); err != nil {
		return Account{}, err
	}
	var a Account
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		a, err = createAccount(ctx, tx, in, founder)
		return err
	})
	return a, err
}

// createAccount creates a validated account in tx.
func createAccount(ctx context.Context, tx Tx, in AccountInput, founder bool) (Account, error) {
	founded, err := tx.Founded(ctx)
	if err != nil {
		return Account{}, err
	}
	if founder && founded {
		return Account{}, Errorf(ErrConflict, "this instance already has its founder")
	}
	if !founder && !founded {
		return Account{}, Errorf(ErrConflict, "this instance has no founder yet: the first account founds it")
	}
	if _, err := tx.AccountByHandle(ctx, in.Handle); err == nil {
		return Account{}, Errorf(ErrConflict, "the handle %q is taken", in.Handle)
	} else if !errors.Is(err, ErrNotFound) {
		return Account{}, err
	}
	ev, err := tx.Append(ctx, 0, AccountCreated{Handle: in.Handle, Name: in.Name, Founder: founder})
	if err != nil {
		return Account{}, err
	}
	if err := tx.SetPassword(ctx, ev.Seq, in.PasswordHash); err != nil {
		return Account{}, err
	}
	return Account{ID: ev.Seq, Handle: in.Handle, Name: in.Name, Founder: founder, Created: ev.Time}, nil
}

// CreateFederation creates a federation with the default charter; actor
// becomes its founder.
func (s *Service) CreateFederation(ctx context.Context, actor int64, name string) (Federation, error) {
	return s.FoundFederation(ctx, actor, name, DefaultCharter())
}

// FoundFederation creates a federation with its founding charter; actor
// becomes its founder. From then on the charter changes only by the
// recorded procedure.
func (s *Service) FoundFederation(ctx context.Context, actor int64, name string, charter Charter) (Federation, error) {
	charter.Version = 1
	if err := charter.Validate(); err != nil {
		return Federation{}, err
	}
	name = strings.TrimSpace(name)
	if actor == 0 {
		return Federation{}, Errorf(ErrUnauthenticated, "sign in to create a federation")
	}
	if err := validText("name", name, 1, 200); err != nil {
		return Federation{}, err
	}
	var f Federation
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		f, err = createFederation(ctx, tx, actor, name, charter)
		return err
	})
	return f, err
}

// createFederation creates a federation with a validated name and charter
// in tx.
func createFederation(ctx context.Context, tx Tx, actor int64, name string, charter Charter) (Federation, error) {
	if _, err := tx.Account(ctx, actor); err != nil {
		return Federation{}, err
	}
	ev, err := tx.Append(ctx, actor, FederationCreated{Name: name, Charter: charter})
	if err != nil {
		return Federation{}, err
	}
	return Federation{ID: ev.Seq, Name: name, Founder: actor, Created: ev.Time}, nil
}

// CouncilInput describes a new council.
type CouncilInput struct {
	Federation  int64
	Name        string
	Kind        CouncilKind
	Description string
	// Join makes the actor a member of the new base council, if they are
	// a member of no base council of the federation yet (how a founder
	// joins the first council).
	Join bool
	// SendsTo links the new council to higher councils.
	SendsTo []int64
	// For a committee (Kind Committee): the council that elects it, its
	// role and its number of seats.
	Parent int64
	Role   string
	Seats  int
}

// CreateCouncil creates a council in a federation. Only the founder may.
func (s *Service) CreateCouncil(ctx context.Context, actor int64, in CouncilInput) (Council, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := validText("name", in.Name, 1, 200); err != nil {
		return Council{}, err
	}
	if err := validText("description", in.Description, 0, 5000); err != nil {
		return Council{}, err
	}
	if in.Kind != Base && in.Kind != Delegate && in.Kind != Committee {
		return Council{}, Errorf(ErrInvalid, "a council is base, delegate or committee, not %q", string(in.Kind))
	}
	if in.Kind == Committee {
		return s.createCommittee(ctx, actor, in)
	}
	if in.Join && in.Kind != Base {
		return Council{}, Errorf(ErrInvalid, "only a base council has members who join it")
	}
	var c Council
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		f, err := tx.Federation(ctx, in.Federation)
		if err != nil {
			return err
		}
		if err := Authorize(ActCreateCouncil, FederationRoles(actor, f)); err != nil {
			return err
		}
		ev, err := tx.Append(ctx, actor, CouncilCreated{Federation: f.ID, Name: in.Name, Kind: in.Kind, Description: in.Description})
		if err != nil {
			return err
		}
		c = Council{ID: ev.Seq, Federation: f.ID, Name: in.Name, Kind: in.Kind, Description: in.Description, Created: ev.Time}
		for _, to := range in.SendsTo {
			if err := link(ctx, tx, actor, f, c.ID, to); err != nil {
				return err
			}
		}
		if in.Join {
			if _, err := tx.Membership(ctx, f.ID, actor); err == nil {
				return Errorf(ErrConflict, "you are already a member of a base council of this federation")
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			if _, err := join(ctx, tx, actor, c, MemberJoined{Council: c.ID, Account: actor}); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// CouncilInput for a committee: Parent is the council that elects it,
// Role its role (executive, secretariat, commission), Seats its size;
// Federation, if set, must be the parent's.
// The parent's secretary creates it; its election opens at once. Once a
// council has elected a secretariat or an executive, its members hold the
// council's secretary role (the founder no longer does).
func (s *Service) createCommittee(ctx context.Context, actor int64, in CouncilInput) (Council, error) {
	switch in.Role {
	case Executive, Secretariat, Commission:
	default:
		return Council{}, Errorf(ErrInvalid, "a committee is an executive, a secretariat or a commission, not %q", in.Role)
	}
	if in.Seats < 1 || in.Seats > 100 {
		return Council{}, Errorf(ErrInvalid, "a committee has 1 to 100 seats")
	}
	var c Council
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		parent, err := tx.Council(ctx, in.Parent)
		if err != nil {
			return err
		}
		if parent.Kind == Committee {
			return Errorf(ErrInvalid, "a committee cannot have committees of its own")
		}
		// The committee belongs to its parent's federation: a request that
		// names another one (POST /federations/{id}/councils) is a mistake,
		// not a way to create it elsewhere.
		if in.Federation != 0 && in.Federation != parent.Federation {
			return Errorf(ErrInvalid, "%q is not a council of this federation", parent.Name)
		}
		roles, err := CouncilRoles(ctx, tx, actor, parent)
		if err != nil {
			return err
		}
		if err := Authorize(ActCreateCommittee, roles); err != nil {
			return err
		}
		ev, err := tx.Append(ctx, actor, CouncilCreated{Federation: parent.Federation, Name: in.Name, Kind: Committee,
			Description: in.Description, Parent: parent.ID, Role: in.Role, Seats: in.Seats})
		if err != nil {
			return err
		}
		c = Council{ID: ev.Seq, Federation: parent.Federation, Name: in.Name, Kind: Committee, Description: in.Description,
			Created: ev.Time, Parent: parent.ID, Role: in.Role, Seats: in.Seats}
		if _, err := tx.Append(ctx, actor, SeatsApportioned{Body: c.ID, Method: "committee",
			Rows:   []SeatRow{{Constituency: parent.ID, Seats: in.Seats}},
			Report: fmt.Sprintf("a committee of %d seats elected by %s", in.Seats, parent.Name)}); err != nil {
			return err
		}
		ch, err := tx.Charter(ctx, parent.Federation)
		if err != nil {
			return err
		}
		_, err = openElection(ctx, tx, actor, ch, parent, c, ByElection, in.Seats)
		return err
	})
	return c, err
}

// LinkCouncils records that council from sends delegates to council to.
// The councils must belong to the same federation, to must be a delegate
// council, and the link must not close a cycle.
func (s *Service) LinkCouncils(ctx context.Context, actor, from, to int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Council(ctx, from)
		if err != nil {
			return err
		}
		f, err := tx.Federation(ctx, c.Federation)
		if err != nil {
			return err
		}
		if err := Authorize(ActLinkCouncils, FederationRoles(actor, f)); err != nil {
			return err
		}
		return link(ctx, tx, actor, f, from, to)
	})
}

func link(ctx context.Context, tx Tx, actor int64, f Federation, from, to int64) error {
	if from == to {
		return Errorf(ErrInvalid, "a council cannot send delegates to itself")
	}
	higher, err := tx.Council(ctx, to)
	if err != nil {
		return err
	}
	if higher.Federation != f.ID {
		return Errorf(ErrInvalid, "councils of different federations cannot be linked")
	}
	lower, err := tx.Council(ctx, from)
	if err != nil {
		return err
	}
	if lower.Kind == Committee {
		return Errorf(ErrInvalid, "a committee sends no delegates")
	}
	if higher.Kind != Delegate {
		return Errorf(ErrInvalid, "delegates can only be sent to a delegate council; %q is a base council", higher.Name)
	}
	// Only the links above the two councils matter: a link from→to
	// exists if it is among from's, and closes a cycle if to already
	// sends delegates, directly or not, to from.
	below, err := tx.LinksAbove(ctx, from)
	if err != nil {
		return err
	}
	for _, l := range below {
		if l.From == from && l.To == to {
			return Errorf(ErrConflict, "the councils are already linked")
		}
	}
	above, err := tx.LinksAbove(ctx, to)
	if err != nil {
		return err
	}
	for _, l := range above {
		if l.To == from {
			return Errorf(ErrInvalid, "the link would make a cycle: %q already sends delegates, directly or not, to this council", higher.Name)
		}
	}
	if _, err := tx.Append(ctx, actor, CouncilLinked{From: from, To: to}); err != nil {
		return err
	}
	return rebalanceAbove(ctx, tx, actor, higher)
}

// baseCouncil returns council id and the actor's roles in it, requiring a
// base council.
func baseCouncil(ctx context.Context, tx Tx, actor, id int64) (Council, Role, error) {
	c, err := tx.Council(ctx, id)
	if err != nil {
		return Council{}, 0, err
	}
	if c.Kind != Base {
		return Council{}, 0, Errorf(ErrInvalid, "%q is a delegate council: its members are delegates, elected by the councils below it", c.Name)
	}
	roles, err := CouncilRoles(ctx, tx, actor, c)
	return c, roles, err
}

// IssueInvitation creates an invitation to a base council and returns it
// with its secret token, which is shown once.
func (s *Service) IssueInvitation(ctx context.Context, actor, council int64, note string) (Invitation, string, error) {
	if err := validText("note", note, 0, 500); err != nil {
		return Invitation{}, "", err
	}
	token, hash, err := s.NewToken()
	if err != nil {
		return Invitation{}, "", err
	}
	var inv Invitation
	err = s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, roles, err := baseCouncil(ctx, tx, actor, council)
		if err != nil {
			return err
		}
		if err := Authorize(ActInvite, roles); err != nil {
			return err
		}
		ch, err := tx.Charter(ctx, c.Federation)
		if err != nil {
			return err
		}
		expires := tx.Now().Add(time.Duration(ch.InvitationDays) * 24 * time.Hour)
		ev, err := tx.Append(ctx, actor, InvitationIssued{Council: c.ID, TokenHash: hash, Expires: expires.UnixMicro(), Note: note})
		if err != nil {
			return err
		}
		inv = Invitation{ID: ev.Seq, Council: c.ID, IssuedBy: actor, Expires: time.UnixMicro(expires.UnixMicro()), Note: note}
		return nil
	})
	return inv, token, err
}

// RevokeInvitation makes an unused invitation unusable.
func (s *Service) RevokeInvitation(ctx context.Context, actor, id int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		inv, err := tx.Invitation(ctx, id)
		if err != nil {
			return err
		}
		_, roles, err := baseCouncil(ctx, tx, actor, inv.Council)
		if err != nil {
			return err
		}
		if err := Authorize(ActInvite, roles); err != nil {
			return err
		}
		if inv.AcceptedBy != 0 || inv.Revoked {
			return Errorf(ErrConflict, "the invitation is already used or revoked")
		}
		_, err = tx.Append(ctx, actor, InvitationRevoked{Invitation: id})
		return err
	})
}

// AcceptInvitation makes actor a member of the invitation's council. If
// they are a member of another base council of the federation, they move.
func (s *Service) AcceptInvitation(ctx context.Context, actor int64, token string) (Member, error) {
	if actor == 0 {
		return Member{}, Errorf(ErrUnauthenticated, "sign in or create an account to accept the invitation")
	}
	var m Member
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		inv, err := tx.InvitationByToken(ctx, HashToken(token))
		if errors.Is(err, ErrNotFound) {
			return Errorf(ErrNotFound, "no such invitation: check the link")
		} else if err != nil {
			return err
		}
		switch {
		case inv.AcceptedBy != 0:
			return Errorf(ErrConflict, "this invitation has already been used")
		case inv.Revoked:
			return Errorf(ErrConflict, "this invitation was revoked")
		case !tx.Now().Before(inv.Expires):
			return Errorf(ErrConflict, "this invitation expired on %s", inv.Expires.UTC().Format("2 January 2006"))
		}
		c, err := tx.Council(ctx, inv.Council)
		if err != nil {
			return err
		}
		m, err = join(ctx, tx, actor, c, MemberJoined{Council: c.ID, Account: actor, Invitation: inv.ID})
		return err
	})
	return m, err
}

// join appends the MemberJoined event after checking the account is not
// already a member of the council; a member of another base council of the
// federation moves, giving up the seats they held for it. The seats above
// both councils are then apportioned again.
func join(ctx context.Context, tx Tx, by int64, c Council, ev MemberJoined) (Member, error) {
	cur, err := tx.Membership(ctx, c.Federation, ev.Account)
	moved := err == nil
	if moved && cur.Council == c.ID {
		return Member{}, Errorf(ErrConflict, "already a member of %q", c.Name)
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return Member{}, err
	}
	e, err := tx.Append(ctx, by, ev)
	if err != nil {
		return Member{}, err
	}
	if moved {
		old, err := tx.Council(ctx, cur.Council)
		if err != nil {
			return Member{}, err
		}
		if err := departed(ctx, tx, old, ev.Account); err != nil {
			return Member{}, err
		}
	}
	if err := rebalanceAbove(ctx, tx, 0, c); err != nil {
		return Member{}, err
	}
	return Member{Federation: c.Federation, Account: ev.Account, Council: c.ID, Since: e.Time}, nil
}

// departed ends the offices account held for council c, which they left
// (the seats fall vacant and by-elections open), and apportions the seats
// above c again.
func departed(ctx context.Context, tx Tx, c Council, account int64) error {
	offices, err := tx.OfficesOf(ctx, account)
	if err != nil {
		return err
	}
	for _, o := range offices {
		if o.Constituency != c.ID {
			continue
		}
		if err := vacate(ctx, tx, 0, o, EndLeft); err != nil {
			return err
		}
	}
	return rebalanceAbove(ctx, tx, 0, c)
}

// vacate ends an office and opens the by-election for its seat.
func vacate(ctx context.Context, tx Tx, actor int64, o Office, reason string) error {
	if _, err := tx.Append(ctx, actor, OfficeEnded{Office: o.ID, Reason: reason}); err != nil {
		return err
	}
	body, err := tx.Council(ctx, o.Body)
	if err != nil {
		return err
	}
	ch, err := tx.Charter(ctx, body.Federation)
	if err != nil {
		return err
	}
	ds, err := tx.Delegations(ctx, o.Body)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Constituency == o.Constituency {
			return fillSeats(ctx, tx, actor, ch, body, o.Constituency, d.Seats)
		}
	}
	return nil
}

// RequestJoin asks the council's secretary to admit actor.
func (s *Service) RequestJoin(ctx context.Context, actor, council int64, message string) (JoinRequest, error) {
	if err := validText("message", message, 0, 2000); err != nil {
		return JoinRequest{}, err
	}
	var r JoinRequest
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, roles, err := baseCouncil(ctx, tx, actor, council)
		if err != nil {
			return err
		}
		if err := Authorize(ActRequestJoin, roles); err != nil {
			return err
		}
		if roles&RoleMember != 0 {
			return Errorf(ErrConflict, "you are already a member of %q", c.Name)
		}
		if _, err := tx.PendingJoinRequest(ctx, council, actor); err == nil {
			return Errorf(ErrConflict, "you have already asked to join %q", c.Name)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		ev, err := tx.Append(ctx, actor, JoinRequested{Council: council, Message: message})
		if err != nil {
			return err
		}
		r = JoinRequest{ID: ev.Seq, Council: council, Account: actor, Message: message, State: RequestPending, Created: ev.Time}
		return nil
	})
	return r, err
}

// DecideJoin admits or refuses a pending join request.
func (s *Service) DecideJoin(ctx context.Context, actor, request int64, admit bool) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		r, err := tx.JoinRequest(ctx, request)
		if err != nil {
			return err
		}
		c, roles, err := baseCouncil(ctx, tx, actor, r.Council)
		if err != nil {
			return err
		}
		if err := Authorize(ActDecideJoin, roles); err != nil {
			return err
		}
		if r.State != RequestPending {
			return Errorf(ErrConflict, "the request was already %s", r.State)
		}
		if _, err := tx.Append(ctx, actor, JoinRequestDecided{Request: request, Admit: admit}); err != nil {
			return err
		}
		if admit {
			_, err = join(ctx, tx, actor, c, MemberJoined{Council: c.ID, Account: r.Account, Request: r.ID})
		}
		return err
	})
}

// Leave ends actor's membership of a base council.
func (s *Service) Leave(ctx context.Context, actor, council int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, roles, err := baseCouncil(ctx, tx, actor, council)
		if err != nil {
			return err
		}
		if err := Authorize(ActLeave, roles); err != nil {
			return err
		}
		if _, err := tx.Append(ctx, actor, MemberLeft{Council: council, Account: actor}); err != nil {
			return err
		}
		return departed(ctx, tx, c, actor)
	})
}

// MaxImport is the most accounts one ImportMembers call brings in.
const MaxImport = 100000

// ImportMembers brings an organisation's existing membership roll into a
// base council: each account becomes a member, with one MemberJoined event
// each, in one transaction. It is the founder's tool for setting a
// federation up, so the seats above are not apportioned member by member:
// the import ends with one RebalanceAll, after the last batch. An account
// that is already a member of the federation (or listed twice) is refused,
// and then nothing is imported: moving members go through invitations.
func (s *Service) ImportMembers(ctx context.Context, actor, council int64, accounts []int64) error {
	if len(accounts) == 0 || len(accounts) > MaxImport {
		return Errorf(ErrInvalid, "an import brings 1 to %d accounts", MaxImport)
	}
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Council(ctx, council)
		if err != nil {
			return err
		}
		f, err := tx.Federation(ctx, c.Federation)
		if err != nil {
			return err
		}
		if err := Authorize(ActImportMembers, FederationRoles(actor, f)); err != nil {
			return err
		}
		if c.Kind != Base {
			return Errorf(ErrInvalid, "%q is not a base council: only base councils have members", c.Name)
		}
		seen := make(map[int64]bool, len(accounts))
		for _, a := range accounts {
			if seen[a] {
				return Errorf(ErrConflict, "account %d is listed twice", a)
			}
			seen[a] = true
			if _, err := tx.Account(ctx, a); err != nil {
				return err
			}
			if _, err := tx.Membership(ctx, f.ID, a); err == nil {
				return Errorf(ErrConflict, "account %d is already a member of the federation", a)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		for _, a := range accounts {
			if _, err := tx.Append(ctx, actor, MemberJoined{Council: c.ID, Account: a}); err != nil {
				return err
			}
		}
		return nil
	})
}
