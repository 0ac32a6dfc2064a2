package soviet

import (
	"context"
	"slices"
)

// Role is what an actor is with respect to a council. An actor may hold
// several roles at once.
type Role uint32

// The roles.
const (
	// RoleAccount: signed in.
	RoleAccount Role = 1 << iota
	// RoleMember: a member of the council (a base council).
	RoleMember
	// RoleSecretary: holds the council's secretary role. It belongs to the
	// members of the council's elected secretariat (or executive)
	// committee; until the council has elected one, to the federation's
	// founder.
	RoleSecretary
	// RoleFounder: founded the council's federation.
	RoleFounder
	// RoleFederationMember: a member of any base council of the
	// federation.
	RoleFederationMember
	// RoleDelegate: holds a seat in the council (a delegate council or a
	// committee).
	RoleDelegate
	// RoleConstituent: a member of a base council below the council, whom
	// its delegates represent.
	RoleConstituent
)

// Action is something an actor asks to do. Every action is authorised in
// one place: Authorize, by the policy table below.
type Action string

// The actions and who may take them.
const (
	ActCreateCouncil   Action = "create a council"
	ActCreateCommittee Action = "create a committee of this council"
	ActLinkCouncils    Action = "link councils"
	ActInvite          Action = "invite members"
	ActDecideJoin      Action = "admit or refuse join requests"
	ActRequestJoin     Action = "ask to join"
	ActLeave           Action = "leave the council"
	ActPropose         Action = "propose a motion"
	ActSupport         Action = "support a motion"
	ActWithdraw        Action = "withdraw a motion"
	ActOpenVote        Action = "open a vote"
	ActCloseVote       Action = "close a vote"
	ActCastVote        Action = "vote"
	ActSeeVotes        Action = "see how each voter voted"
	ActViewFederation  Action = "see this federation"
	ActCallElection    Action = "call an election"
	ActRunElection     Action = "open or close an election's vote"
	ActNominate        Action = "nominate a candidate"
	ActCreateFaction   Action = "found a faction"
	ActDeclareFaction  Action = "declare a faction"
	ActForward         Action = "forward a motion to a higher council"
	ActRefer           Action = "refer a motion to a referendum"
	ActImportMembers   Action = "import members"
	ActRebalance       Action = "apportion every council's seats again"
)

// voters are the roles that vote in a council: members of a base council,
// seat holders of a delegate council or committee.
const voters = RoleMember | RoleDelegate

// policy says which roles may take each action: holding any one of them is
// enough.
var policy = map[Action]Role{
	ActCreateCouncil:   RoleFounder,
	ActCreateCommittee: RoleSecretary,
	ActLinkCouncils:    RoleFounder,
	ActInvite:          RoleSecretary,
	ActDecideJoin:      RoleSecretary,
	ActRequestJoin:     RoleAccount,
	ActLeave:           RoleMember,
	ActPropose:         voters,
	ActSupport:         voters,
	ActWithdraw:        voters, // and only the proposer: checked by the command
	ActOpenVote:        RoleSecretary,
	ActCloseVote:       RoleSecretary,
	ActCastVote:        voters,
	ActSeeVotes:        voters | RoleSecretary | RoleConstituent,
	ActViewFederation:  RoleFederationMember | RoleFounder,
	ActCallElection:    RoleSecretary,
	ActRunElection:     RoleSecretary,
	ActNominate:        voters,
	ActCreateFaction:   RoleFederationMember | RoleFounder,
	ActDeclareFaction:  RoleFederationMember,
	ActForward:         RoleSecretary,
	ActRefer:           RoleSecretary,
	ActImportMembers:   RoleFounder,
	ActRebalance:       RoleFederationMember | RoleFounder,
}

// who names the roles for an error message.
var who = map[Role]string{
	RoleAccount:          "a signed-in account",
	RoleMember:           "a member of the council",
	RoleSecretary:        "the council's secretary",
	RoleFounder:          "the federation's founder",
	RoleFederationMember: "a member of the federation",
	RoleDelegate:         "a delegate holding a seat in the council",
	RoleConstituent:      "a constituent of the council's delegates",
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
	for r := RoleAccount; r <= RoleConstituent; r <<= 1 {
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
	f, err := tx.Federation(ctx, c.Federation)
	if err != nil {
		return 0, err
	}
	roles, err := federationRoles(ctx, tx, actor, f)
	if err != nil {
		return 0, err
	}
	if roles&RoleFederationMember != 0 && c.Kind == Base {
		m, err := tx.Membership(ctx, c.Federation, actor)
		if err != nil {
			return 0, err
		}
		if m.Council == c.ID {
			roles |= RoleMember
		}
	}
	if c.Kind != Base {
		if ok, err := tx.HoldsOffice(ctx, c.ID, actor); err != nil {
			return 0, err
		} else if ok {
			roles |= RoleDelegate
		}
		if roles&RoleFederationMember != 0 {
			if ok, err := tx.IsConstituent(ctx, c.ID, actor); err != nil {
				return 0, err
			} else if ok {
				roles |= RoleConstituent
			}
		}
	}
	// A committee's business is run by its parent's secretary.
	secretaryOf := c.ID
	if c.Kind == Committee && c.Parent != 0 {
		secretaryOf = c.Parent
	}
	secretaries, err := tx.Secretaries(ctx, secretaryOf)
	if err != nil {
		return 0, err
	}
	switch {
	case len(secretaries) > 0:
		if slices.Contains(secretaries, actor) {
			roles |= RoleSecretary
		}
	case roles&RoleFounder != 0:
		roles |= RoleSecretary
	}
	return roles, nil
}

// FederationRoles returns the roles actor holds in federation f that need
// no read: signed in, and founder.
func FederationRoles(actor int64, f Federation) Role {
	if actor == 0 {
		return 0
	}
	if f.Founder == actor {
		return RoleAccount | RoleFounder
	}
	return RoleAccount
}

// Roles returns a council and the roles actor holds in it.
func (s *Service) Roles(ctx context.Context, actor, council int64) (Council, Role, error) {
	var c Council
	var roles Role
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if c, err = tx.Council(ctx, council); err != nil {
			return err
		}
		roles, err = CouncilRoles(ctx, tx, actor, c)
		return err
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
		roles, err = federationRoles(ctx, tx, actor, f)
		return err
	})
	return f, roles, err
}
