package soviet

import "encoding/json"

// Events of council democracy: seats, elections, offices, factions.

// SeatsApportioned records a delegate council's new seat table.
type SeatsApportioned struct {
	Body   int64     `json:"body"`
	Method string    `json:"method"`
	Rows   []SeatRow `json:"rows"`
	Report string    `json:"report"`
}

// ElectionOpened opens an election (id = event seq) of Seats seats in Body
// held by the constituency Council; nominations close at Deadline.
type ElectionOpened struct {
	Council  int64        `json:"council"`
	Body     int64        `json:"body"`
	Seats    int          `json:"seats"`
	Kind     ElectionKind `json:"kind"`
	Method   string       `json:"method"`
	Deadline int64        `json:"deadline"`
	// Secrecy: secret (the charter's default for elections) or
	// roll-call; empty in events written before elections were secret.
	Secrecy Secrecy `json:"secrecy,omitempty"`
}

// ElectionCancelled ends an election before its count.
type ElectionCancelled struct {
	Election int64  `json:"election"`
	Reason   string `json:"reason"`
}

// CandidateNominated puts Account forward (the actor nominates).
type CandidateNominated struct {
	Election int64 `json:"election"`
	Account  int64 `json:"account"`
	Faction  int64 `json:"faction,omitempty"`
}

// CandidacyWithdrawn records a candidate standing down.
type CandidacyWithdrawn struct {
	Election int64 `json:"election"`
	Account  int64 `json:"account"`
}

// NominationsExtended keeps nominations open when no one stood.
type NominationsExtended struct {
	Election int64 `json:"election"`
	Deadline int64 `json:"deadline"`
}

// PollingOpened closes nominations and opens the vote until Deadline; the
// electorate is fixed now: the electing council's voters.
type PollingOpened struct {
	Election int64 `json:"election"`
	Deadline int64 `json:"deadline"`
	// Secrecy, if set, is the secretary's choice for this vote instead of
	// the charter's default recorded when the election opened.
	Secrecy Secrecy `json:"secrecy,omitempty"`
}

// RankingCast records the actor's ranked ballot (roll-call), or a change of
// it.
type RankingCast struct {
	Election int64   `json:"election"`
	Ranking  []int64 `json:"ranking"`
}

// ElectionClosed records an election's result: the winners in order of
// election and the full count.
type ElectionClosed struct {
	Election int64           `json:"election"`
	Elected  []int64         `json:"elected"`
	Report   json.RawMessage `json:"report"`
}

// OfficeTaken seats Account in Body for Constituency (id = event seq).
type OfficeTaken struct {
	Body         int64 `json:"body"`
	Constituency int64 `json:"constituency"`
	Account      int64 `json:"account"`
	Faction      int64 `json:"faction,omitempty"`
	Election     int64 `json:"election,omitempty"`
}

// OfficeEnded ends an office.
type OfficeEnded struct {
	Office int64  `json:"office"`
	Reason string `json:"reason"`
}

// FactionCreated creates a faction of a federation (id = event seq).
type FactionCreated struct {
	Federation int64  `json:"federation"`
	Name       string `json:"name"`
	Colour     string `json:"colour"`
}

// AffiliationDeclared records the actor's faction in a federation (0: none).
type AffiliationDeclared struct {
	Federation int64 `json:"federation"`
	Faction    int64 `json:"faction"`
}

func (SeatsApportioned) EventType() string    { return "seats.apportioned" }
func (ElectionOpened) EventType() string      { return "election.opened" }
func (ElectionCancelled) EventType() string   { return "election.cancelled" }
func (CandidateNominated) EventType() string  { return "candidate.nominated" }
func (CandidacyWithdrawn) EventType() string  { return "candidate.withdrawn" }
func (NominationsExtended) EventType() string { return "election.extended" }
func (PollingOpened) EventType() string       { return "election.polling" }
func (RankingCast) EventType() string         { return "ranking.cast" }
func (ElectionClosed) EventType() string      { return "election.closed" }
func (OfficeTaken) EventType() string         { return "office.taken" }
func (OfficeEnded) EventType() string         { return "office.ended" }
func (FactionCreated) EventType() string      { return "faction.created" }
func (AffiliationDeclared) EventType() string { return "affiliation.declared" }

func init() {
	register(
		func() Payload { return &SeatsApportioned{} },
		func() Payload { return &ElectionOpened{} },
		func() Payload { return &ElectionCancelled{} },
		func() Payload { return &CandidateNominated{} },
		func() Payload { return &CandidacyWithdrawn{} },
		func() Payload { return &NominationsExtended{} },
		func() Payload { return &PollingOpened{} },
		func() Payload { return &RankingCast{} },
		func() Payload { return &ElectionClosed{} },
		func() Payload { return &OfficeTaken{} },
		func() Payload { return &OfficeEnded{} },
		func() Payload { return &FactionCreated{} },
		func() Payload { return &AffiliationDeclared{} },
	)
}
