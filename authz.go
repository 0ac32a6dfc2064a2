package soviet

import (
	"context"
	"errors"
)

// Role is what an actor is with respect to a council. An actor may hold
// several roles at once.
type Role uint32

// The roles. Later capabilities (delegates, committees) add theirs here.
const (
	// RoleAccount: signed in.
	RoleAccount Role = 1 << iota
	// RoleMember: a member of the council (for a base council) .
	RoleMember
	// RoleSecretary: holds the council's secretary role. Until a council
	// elects its committee, the federation's founder holds it.
	RoleSecretary
	// RoleFounder: founded the council's federation.
	RoleFounder
)

// Action is something an actor asks to do. Every action is authorised in
// one place: Authorize, by the policy table below.
type Action string

// The actions and who may take them.
const (
	ActCreateCouncil Action = "create a council"
	ActLinkCouncils  Action = "link councils"
	ActInvite        Action = "invite members"
	ActDecideJoin    Action = "admit or refuse join requests"
	ActRequestJoin   Action = "ask to join"
	ActLeave         Action = "leave the council"
	ActPropose       Action = "propose a motion"
	ActSupport       Action = "support a motion"
	ActWithdraw      Action = "withdraw a motion"
	ActOpenVote      Action = "open a vote"
	ActCloseVote     Action = "close a vote"
	ActCastVote      Action = "vote"
	ActSeeVotes      Action = "see how members voted"
)

// policy says which roles may take each action: holding any one of them is
// enough.
var policy = map[Action]Role{
	ActCreateCouncil: RoleFounder,
	ActLinkCouncils:  RoleFounder,
	ActInvite:        RoleSecretary,
	ActDecideJoin:    RoleSecretary,
	ActRequestJoin:   RoleAccount,
	ActLeave:         RoleMember,
	ActPropose:       RoleMember,
	ActSupport:       RoleMember,
	ActWithdraw:      RoleMember, // and only the proposer: checked by the command
	ActOpenVote:      RoleSecretary,
	ActCloseVote:     RoleSecretary,
	ActCastVote:      RoleMember,
	ActSeeVotes:      RoleMember | RoleSecretary,
}

// who names the roles for an error message.
var who = map[Role]string{
	RoleAccount:   "a signed-in account",
	RoleMember:    "a member of the council",
	RoleSecretary: "the council's secretary",
	RoleFounder:   "the federation's founder",
}

// Allowed reports whether an actor holding roles may take action a.
func Allowed(a Action, roles Role) bool {
	return policy[a]&roles != 0
}

// Authorize returns nil if an actor holding roles may take action a, and
// otherwise an ErrUnauthenticated or ErrForbidden error that says who may.
func Authorize(a Action, roles Role) error {
	need, ok := policy[a]
	if !ok {
		return Errorf(ErrForbidden, "no one may %s", a)
	}
	if need&roles != 0 {
		return nil
	}
	if roles&RoleAccount == 0 {
		return Errorf(ErrUnauthenticated, "sign in to %s", a)
	}
	var names []string
	for r := RoleAccount; r <= RoleFederationMember; r <<= 1 {
		if need&r != 0 {
			names = append(names, who[r])
		}
	}
	msg := "only " + names[0]
	for i, n := range names[1:] {
		if i == len(names)-2 {
			msg += " or " + n
		} else {
			msg += ", " + n
		}
	}
	return Errorf(ErrForbidden, "%s may %s", msg, a)
}

// CouncilRoles returns the roles actor holds in council c.
func CouncilRoles(ctx context.Context, tx Tx, actor int64, c Council) (Role, error) {
	if actor == 0 {
		return 0, nil
	}
	roles := RoleAccount
	f, err := tx.Federation(ctx, c.Federation)
	if err != nil {
		return 0, err
	}
	if f.Founder == actor {
		roles |= RoleFounder | RoleSecretary
	}
	if c.Kind == Base {
		m, err := tx.Membership(ctx, c.Federation, actor)
		switch {
		case err == nil:
			if m.Council == c.ID {
				roles |= RoleMember
			}
		case !errors.Is(err, ErrNotFound):
			return 0, err
		}
	}
	return roles, nil
}

// FederationRoles returns the roles actor holds in federation f that do not
// depend on a council.
func FederationRoles(actor int64, f Federation) Role {
	if actor == 0 {
		return 0
	}
	if f.Founder == actor {
		return RoleAccount | RoleFounder
	}
	return RoleAccount
}

// RoleFederationMember: a member of any council of the federation.
const RoleFederationMember Role = RoleFounder << 1

// The read actions.
const (
	ActViewFederation Action = "see this federation"
)

func init() {
	policy[ActViewFederation] = RoleFederationMember | RoleFounder
	who[RoleFederationMember] = "a member of the federation"
}

// Roles returns a council and the roles actor holds in it, with
// RoleFederationMember added when the actor belongs to any council of its
// federation.
func (s *Service) Roles(ctx context.Context, actor, council int64) (Council, Role, error) {
	var c Council
	var roles Role
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if c, err = tx.Council(ctx, council); err != nil {
			return err
		}
		if roles, err = CouncilRoles(ctx, tx, actor, c); err != nil {
			return err
		}
		if actor != 0 {
			if _, err := tx.Membership(ctx, c.Federation, actor); err == nil {
				roles |= RoleFederationMember
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return c, roles, err
}

// FederationRolesOf returns a federation and the roles actor holds in it.
func (s *Service) FederationRolesOf(ctx context.Context, actor, federation int64) (Federation, Role, error) {
	var f Federation
	var roles Role
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if f, err = tx.Federation(ctx, federation); err != nil {
			return err
		}
		roles = FederationRoles(actor, f)
		if actor != 0 {
			if _, err := tx.Membership(ctx, f.ID, actor); err == nil {
				roles |= RoleFederationMember
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return f, roles, err
}
