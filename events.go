package soviet

// The payloads of every event type. A payload holds what the projection
// needs and nothing secret: no password hashes, session or token values.
// An entity created by an event takes the event's sequence number as its id.

// InstanceCreated is the first event of every log.
type InstanceCreated struct {
	Software string `json:"software"`
	Version  string `json:"version"`
}

// AccountCreated creates an account (id = event seq). The founder is the
// first account of the instance.
type AccountCreated struct {
	Handle  string `json:"handle"`
	Name    string `json:"name"`
	Founder bool   `json:"founder,omitempty"`
}

// FederationCreated creates a federation (id = event seq) with its first
// charter; the actor is its founder.
type FederationCreated struct {
	Name    string  `json:"name"`
	Charter Charter `json:"charter"`
}

// CouncilCreated creates a council (id = event seq).
type CouncilCreated struct {
	Federation  int64       `json:"federation"`
	Name        string      `json:"name"`
	Kind        CouncilKind `json:"kind"`
	Description string      `json:"description,omitempty"`
	Parent      int64       `json:"parent,omitempty"` // committees only
	Role        string      `json:"role,omitempty"`
	Seats       int         `json:"seats,omitempty"`
}

// CouncilLinked records that council From sends delegates to council To.
type CouncilLinked struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// InvitationIssued creates an invitation to a base council (id = event
// seq). Only the SHA-256 of the secret token is recorded.
type InvitationIssued struct {
	Council   int64  `json:"council"`
	TokenHash string `json:"token_hash"`
	Expires   int64  `json:"expires"` // Unix µs
	Note      string `json:"note,omitempty"`
}

// InvitationRevoked makes an unused invitation unusable.
type InvitationRevoked struct {
	Invitation int64 `json:"invitation"`
}

// JoinRequested records an account's request to join a base council (id =
// event seq).
type JoinRequested struct {
	Council int64  `json:"council"`
	Message string `json:"message,omitempty"`
}

// JoinRequestDecided admits or refuses a join request. An admission is
// followed by a MemberJoined event.
type JoinRequestDecided struct {
	Request int64 `json:"request"`
	Admit   bool  `json:"admit"`
}

// MemberJoined makes Account a member of the base council Council. A member
// belongs to one base council per federation: joining another one moves
// them.
type MemberJoined struct {
	Council    int64 `json:"council"`
	Account    int64 `json:"account"`
	Invitation int64 `json:"invitation,omitempty"`
	Request    int64 `json:"request,omitempty"`
}

// MemberLeft ends Account's membership of Council.
type MemberLeft struct {
	Council int64 `json:"council"`
	Account int64 `json:"account"`
}

// MotionProposed creates a motion (id = event seq); the proposer is the
// actor and its first supporter (for a recall, its first signature).
type MotionProposed struct {
	Council  int64    `json:"council"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Majority Majority `json:"majority"`
	// What the motion does when adopted, for motions that act (see
	// MotionKind); empty for an ordinary motion.
	Kind        MotionKind `json:"kind,omitempty"`
	Target      int64      `json:"target,omitempty"`
	Instruction Choice     `json:"instruction,omitempty"`
	Charter     *Charter   `json:"charter,omitempty"`
	// Origin is the motion of another council this one takes up.
	Origin int64 `json:"origin,omitempty"`
}

// MotionSupported adds the actor to the motion's supporters.
type MotionSupported struct {
	Motion int64 `json:"motion"`
}

// MotionAdmitted records that a motion reached the charter's number of
// supporters: a vote may now be opened on it.
type MotionAdmitted struct {
	Motion int64 `json:"motion"`
}

// MotionWithdrawn records that the proposer withdrew the motion before its
// vote opened.
type MotionWithdrawn struct {
	Motion int64 `json:"motion"`
}

// VoteOpened opens the vote on a motion. The electorate is fixed when it
// opens: the members of the council at that moment.
type VoteOpened struct {
	Motion   int64    `json:"motion"`
	Deadline int64    `json:"deadline"` // Unix µs
	Quorum   Ratio    `json:"quorum"`
	Majority Majority `json:"majority"`
	// Secrecy is roll-call or secret; empty in events written before
	// secret ballots existed, which were all roll-call.
	Secrecy Secrecy `json:"secrecy,omitempty"`
	// Referendum: every member of the base councils below the council
	// votes, and the result is given per council too; DoubleMajority asks
	// for a majority of those councils as well.
	Referendum     bool `json:"referendum,omitempty"`
	DoubleMajority bool `json:"double_majority,omitempty"`
	// Weighted: each delegate's vote weighs the members they represent.
	Weighted bool `json:"weighted,omitempty"`
}

// VoteCast records the actor's roll-call vote on a motion, or a change of
// it while the vote is open. In a weighted vote a delegate may split their
// weight instead: Choice is then "split" and Split gives the parts.
type VoteCast struct {
	Motion int64  `json:"motion"`
	Choice Choice `json:"choice"`
	Split  *Split `json:"split,omitempty"`
}

// VoteClosed closes a vote and records its result.
type VoteClosed struct {
	Motion int64  `json:"motion"`
	Result Result `json:"result"`
}

// Participated records that the actor took part in a secret vote (the id
// of the motion, or later of the election or recall, whose vote it is), so
// that no one votes twice. It holds nothing of the ballot: the ballot goes
// into the vote's ballot box with nothing that links it to this event, and
// no event names a ballot while the vote is open.
type Participated struct {
	Vote int64 `json:"vote"`
}

// BulletinPublished publishes the ballots of a closed secret vote: every
// ballot's content and receipt, sorted by receipt, with the count computed
// from exactly that list. The bulletin is in the log itself, so that anyone
// holding the log can recount and every voter can find their receipt;
// Hash is the SHA-256 of the bulletin's canonical JSON, which is also the
// hash of the downloadable file.
type BulletinPublished struct {
	Bulletin Bulletin `json:"bulletin"`
	Hash     string   `json:"hash"`
}

func (InstanceCreated) EventType() string    { return "instance.created" }
func (AccountCreated) EventType() string     { return "account.created" }
func (FederationCreated) EventType() string  { return "federation.created" }
func (CouncilCreated) EventType() string     { return "council.created" }
func (CouncilLinked) EventType() string      { return "council.linked" }
func (InvitationIssued) EventType() string   { return "invitation.issued" }
func (InvitationRevoked) EventType() string  { return "invitation.revoked" }
func (JoinRequested) EventType() string      { return "join.requested" }
func (JoinRequestDecided) EventType() string { return "join.decided" }
func (MemberJoined) EventType() string       { return "member.joined" }
func (MemberLeft) EventType() string         { return "member.left" }
func (MotionProposed) EventType() string     { return "motion.proposed" }
func (MotionSupported) EventType() string    { return "motion.supported" }
func (MotionAdmitted) EventType() string     { return "motion.admitted" }
func (MotionWithdrawn) EventType() string    { return "motion.withdrawn" }
func (VoteOpened) EventType() string         { return "vote.opened" }
func (VoteCast) EventType() string           { return "vote.cast" }
func (VoteClosed) EventType() string         { return "vote.closed" }
func (Participated) EventType() string       { return "vote.participated" }
func (BulletinPublished) EventType() string  { return "bulletin.published" }

func init() {
	register(
		func() Payload { return &InstanceCreated{} },
		func() Payload { return &AccountCreated{} },
		func() Payload { return &FederationCreated{} },
		func() Payload { return &CouncilCreated{} },
		func() Payload { return &CouncilLinked{} },
		func() Payload { return &InvitationIssued{} },
		func() Payload { return &InvitationRevoked{} },
		func() Payload { return &JoinRequested{} },
		func() Payload { return &JoinRequestDecided{} },
		func() Payload { return &MemberJoined{} },
		func() Payload { return &MemberLeft{} },
		func() Payload { return &MotionProposed{} },
		func() Payload { return &MotionSupported{} },
		func() Payload { return &MotionAdmitted{} },
		func() Payload { return &MotionWithdrawn{} },
		func() Payload { return &VoteOpened{} },
		func() Payload { return &VoteCast{} },
		func() Payload { return &VoteClosed{} },
		func() Payload { return &Participated{} },
		func() Payload { return &BulletinPublished{} },
	)
}
