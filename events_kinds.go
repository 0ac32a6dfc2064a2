package soviet

// Events of motions that act.

// MotionCarried adopts a motion without a vote: a recall carried directly
// by the signatures of a majority of the constituents.
type MotionCarried struct {
	Motion int64  `json:"motion"`
	Result Result `json:"result"`
}

// MandateIssued records that council Council instructs its delegates to
// vote Instruction on Motion (adopted by motion By). A later mandate on the
// same motion replaces it.
type MandateIssued struct {
	Council     int64  `json:"council"`
	Motion      int64  `json:"motion"`
	Instruction Choice `json:"instruction"`
	By          int64  `json:"by"`
}

// CharterAmended puts a new charter in force (adopted by motion Motion).
type CharterAmended struct {
	Federation int64   `json:"federation"`
	Charter    Charter `json:"charter"`
	Motion     int64   `json:"motion"`
}

// DecisionOverturned records that a committee's decision (Motion) was
// overturned by its parent council (motion By).
type DecisionOverturned struct {
	Motion int64 `json:"motion"`
	By     int64 `json:"by"`
}

// MotionForwarded puts Motion before council To as a new motion (id =
// event seq) in debate, with its text and supporters, naming its origin.
type MotionForwarded struct {
	Motion int64 `json:"motion"`
	To     int64 `json:"to"`
}

func (MotionCarried) EventType() string      { return "motion.carried" }
func (MandateIssued) EventType() string      { return "mandate.issued" }
func (CharterAmended) EventType() string     { return "charter.amended" }
func (DecisionOverturned) EventType() string { return "decision.overturned" }
func (MotionForwarded) EventType() string    { return "motion.forwarded" }

func init() {
	register(
		func() Payload { return &MotionCarried{} },
		func() Payload { return &MandateIssued{} },
		func() Payload { return &CharterAmended{} },
		func() Payload { return &DecisionOverturned{} },
		func() Payload { return &MotionForwarded{} },
	)
}
