package soviet

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
)

// Faction is a named tendency or party of a federation. Members declare an
// affiliation; candidates stand for one; every council's composition is
// shown by faction.
type Faction struct {
	ID         int64     `json:"id"`
	Federation int64     `json:"federation"`
	Name       string    `json:"name"`
	Colour     string    `json:"colour"` // #rrggbb
	Created    time.Time `json:"created"`
}

var colourPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// CreateFaction founds a faction; any member of the federation may.
func (s *Service) CreateFaction(ctx context.Context, actor, federation int64, name, colour string) (Faction, error) {
	name, colour = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(colour))
	if err := validText("name", name, 1, 100); err != nil {
		return Faction{}, err
	}
	if !colourPattern.MatchString(colour) {
		return Faction{}, Errorf(ErrInvalid, "colour must look like #b3261e")
	}
	var f Faction
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		fed, err := tx.Federation(ctx, federation)
		if err != nil {
			return err
		}
		roles, err := federationRoles(ctx, tx, actor, fed)
		if err != nil {
			return err
		}
		if err := Authorize(ActCreateFaction, roles); err != nil {
			return err
		}
		fs, err := tx.Factions(ctx, federation)
		if err != nil {
			return err
		}
		for _, x := range fs {
			if strings.EqualFold(x.Name, name) {
				return Errorf(ErrConflict, "there is already a faction named %q", x.Name)
			}
		}
		ev, err := tx.Append(ctx, actor, FactionCreated{Federation: federation, Name: name, Colour: colour})
		if err != nil {
			return err
		}
		f = Faction{ID: ev.Seq, Federation: federation, Name: name, Colour: colour, Created: ev.Time}
		return nil
	})
	return f, err
}

// DeclareAffiliation records the actor's faction in a federation; 0 means
// none.
func (s *Service) DeclareAffiliation(ctx context.Context, actor, federation, faction int64) error {
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		fed, err := tx.Federation(ctx, federation)
		if err != nil {
			return err
		}
		roles, err := federationRoles(ctx, tx, actor, fed)
		if err != nil {
			return err
		}
		if err := Authorize(ActDeclareFaction, roles); err != nil {
			return err
		}
		if faction != 0 {
			if err := checkFaction(ctx, tx, federation, faction); err != nil {
				return err
			}
		}
		_, err = tx.Append(ctx, actor, AffiliationDeclared{Federation: federation, Faction: faction})
		return err
	})
}

// federationRoles returns the roles actor holds in a federation: founder,
// and member of one of its base councils.
func federationRoles(ctx context.Context, tx Tx, actor int64, f Federation) (Role, error) {
	roles := FederationRoles(actor, f)
	if actor == 0 {
		return roles, nil
	}
	if _, err := tx.Membership(ctx, f.ID, actor); err == nil {
		roles |= RoleFederationMember
	} else if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	return roles, nil
}
