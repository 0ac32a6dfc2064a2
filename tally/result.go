package tally

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Status is a candidate's state at a point of the count.
type Status uint8

// The states a candidate passes through.
const (
	Hopeful   Status = iota // still in the count
	Elected                 // elected (for STV, possibly with a surplus still to transfer)
	Defeated                // excluded
	Withdrawn               // withdrawn before the count
)

var statusNames = [...]string{"hopeful", "elected", "defeated", "withdrawn"}

// String returns the state's name: hopeful, elected, defeated, withdrawn.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", s)
}

// MarshalJSON writes the status as its name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Action names what a round did. The names are stable: reports and tests
// rely on them.
type Action string

// The actions of a count.
const (
	ActionCount     Action = "count"     // the first count (first preferences, totals, pairwise contests)
	ActionElect     Action = "elect"     // a candidate reached the quota or won
	ActionSurplus   Action = "surplus"   // an elected candidate's surplus was transferred
	ActionDefeat    Action = "defeat"    // a candidate was excluded (before the transfer of their ballots)
	ActionTransfer  Action = "transfer"  // an excluded candidate's ballots were transferred
	ActionIterate   Action = "iterate"   // Meek: keep values were recomputed until the surplus was small
	ActionRemaining Action = "remaining" // the last seats were filled (or the last hopefuls defeated) without transfers
	ActionComplete  Action = "complete"  // the final state
)

// Round is one step of a count: what was done, and every candidate's votes
// and status afterwards. STV counts record a step for each election,
// exclusion and transfer (Number tells which stage it belongs to), so that
// a member can follow every vote; single-winner methods record one step per
// elimination round (IRV) or one step with the totals.
type Round struct {
	// Number is the stage (1 is the first count).
	Number int
	// Action is what this step did; Candidates are the candidates it
	// concerns (empty for ActionCount and ActionComplete).
	Action     Action
	Candidates []int
	// Note explains the step in words (e.g. "surplus 0.000… < omega").
	Note string
	// Votes holds every candidate's votes after the step; Status their
	// states; Transfers the change in Votes since the previous step.
	Votes     []Value
	Status    []Status
	Transfers []Value
	// Exhausted is the value of ballots with no continuing preference
	// (non-transferable); for Meek it is the whole non-transferable residue,
	// including what rounding lost.
	Exhausted Value
	// Quota is the quota in force (STV only; Meek recomputes it).
	Quota *Value
	// Surplus is the total surplus of elected candidates (STV only).
	Surplus *Value
}

// Tie records a tie that had to be broken.
type Tie struct {
	Round      int    // the stage at which it was broken
	Purpose    string // "defeat", "surplus", "elect" or "winner"
	Candidates []int  // the tied candidates
	Chosen     int    // the one chosen (excluded, transferred first, or winning)
	// ByLot is true when the method's own rule (earlier rounds) could not
	// separate the candidates and the seeded lot decided.
	ByLot bool
}

// Result is the outcome of a count and its explanation.
type Result struct {
	// Method is the method's name as given to Count.
	Method string
	// Title, Candidates and Seats are copied from the profile.
	Title      string
	Candidates []string
	Seats      int
	// Ballots is the number of valid ballots counted (sum of weights).
	Ballots int64
	// Quota is the quota at the start (STV); nil for other methods. For
	// Meek, each Round carries the quota then in force.
	Quota *Value
	// Elected lists the winners' indices in order of election.
	Elected []int
	// Ranking orders every candidate from best to worst, for the methods
	// that produce one (Schulze, ranked pairs, Copeland, Borda, plurality,
	// approval); nil otherwise.
	Ranking []int
	// Rounds explains the count step by step.
	Rounds []Round
	// Ties lists every tie that was broken, in order.
	Ties []Tie
	// Seed is the seed of the lot (the one given, or the default derived
	// from the ballots); published so that anyone can repeat the draws.
	Seed string
	// Pairwise[x][y] is the number of voters preferring x to y, and
	// Strongest[x][y] the strength of the strongest path from x to y
	// (Schulze); nil for methods that do not use them.
	Pairwise  [][]int64
	Strongest [][]int64
}

// ElectedNames returns the names of the winners in order of election.
func (r *Result) ElectedNames() []string {
	out := make([]string, len(r.Elected))
	for i, c := range r.Elected {
		out[i] = r.Candidates[c]
	}
	return out
}

func (r *Result) names(cs []int) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = r.Candidates[c]
	}
	return out
}

type jsonCandidate struct {
	Name     string `json:"name"`
	Votes    Value  `json:"votes"`
	Transfer *Value `json:"transfer,omitempty"`
	Status   Status `json:"status"`
}

type jsonRound struct {
	Number     int              `json:"number"`
	Action     Action           `json:"action"`
	Candidates []string         `json:"candidates,omitempty"`
	Note       string           `json:"note,omitempty"`
	Votes      []jsonCandidate  `json:"votes"`
	Transfers  map[string]Value `json:"transfers"`
	Exhausted  Value            `json:"exhausted"`
	Quota      *Value           `json:"quota,omitempty"`
	Surplus    *Value           `json:"surplus,omitempty"`
}

type jsonTie struct {
	Round      int      `json:"round"`
	Purpose    string   `json:"purpose"`
	Candidates []string `json:"candidates"`
	Chosen     string   `json:"chosen"`
	ByLot      bool     `json:"by_lot"`
}

type jsonResult struct {
	Method     string      `json:"method"`
	Title      string      `json:"title,omitempty"`
	Seats      int         `json:"seats"`
	Ballots    int64       `json:"ballots"`
	Candidates []string    `json:"candidates"`
	Quota      *Value      `json:"quota,omitempty"`
	Elected    []string    `json:"elected"`
	Ranking    []string    `json:"ranking,omitempty"`
	Rounds     []jsonRound `json:"rounds"`
	Ties       []jsonTie   `json:"ties"`
	Seed       string      `json:"seed"`
	Pairwise   [][]int64   `json:"pairwise,omitempty"`
	Strongest  [][]int64   `json:"strongest_paths,omitempty"`
}

// MarshalJSON writes the result with candidate names instead of indices:
// method, seats, quota (STV), elected (in order of election), rounds (each
// with its action, every candidate's votes and status, the transfers — the
// candidates whose votes changed, by how much — and the exhausted votes),
// ties and seed.
func (r Result) MarshalJSON() ([]byte, error) {
	j := jsonResult{
		Method: r.Method, Title: r.Title, Seats: r.Seats, Ballots: r.Ballots,
		Candidates: r.Candidates, Quota: r.Quota, Elected: r.ElectedNames(),
		Seed: r.Seed, Pairwise: r.Pairwise, Strongest: r.Strongest,
		Rounds: make([]jsonRound, len(r.Rounds)), Ties: make([]jsonTie, len(r.Ties)),
	}
	if r.Ranking != nil {
		j.Ranking = r.names(r.Ranking)
	}
	for i := range r.Rounds {
		rd := &r.Rounds[i]
		jr := jsonRound{Number: rd.Number, Action: rd.Action, Candidates: r.names(rd.Candidates),
			Note: rd.Note, Exhausted: rd.Exhausted, Quota: rd.Quota, Surplus: rd.Surplus,
			Votes: make([]jsonCandidate, len(rd.Votes)), Transfers: map[string]Value{}}
		for c := range rd.Votes {
			jr.Votes[c] = jsonCandidate{Name: r.Candidates[c], Votes: rd.Votes[c], Status: rd.Status[c]}
			if rd.Transfers != nil && !rd.Transfers[c].IsZero() {
				jr.Transfers[r.Candidates[c]] = rd.Transfers[c]
			}
		}
		j.Rounds[i] = jr
	}
	for i, t := range r.Ties {
		j.Ties[i] = jsonTie{Round: t.Round, Purpose: t.Purpose, Candidates: r.names(t.Candidates),
			Chosen: r.Candidates[t.Chosen], ByLot: t.ByLot}
	}
	return json.Marshal(j)
}

// WriteJSON writes the result as indented JSON (see MarshalJSON).
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// textPlaces is how many decimals the text report shows: enough for a
// returning officer's sheet; the JSON form keeps every shown digit.
const textPlaces = 5

// WriteText writes the report a returning officer would publish: the
// method, seats, ballots, quota and seed, then every round with each
// candidate's votes, the change since the previous round and their state,
// the exhausted votes, the ties broken and the winners.
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if r.Title != "" {
		fmt.Fprintf(bw, "Election: %s\n", r.Title)
	}
	fmt.Fprintf(bw, "Method: %s\n", describeMethod(r.Method))
	fmt.Fprintf(bw, "Seats: %d\nBallots: %d\n", r.Seats, r.Ballots)
	if r.Quota != nil {
		fmt.Fprintf(bw, "Quota: %s\n", r.Quota.format(textPlaces))
	}
	fmt.Fprintf(bw, "Seed: %s\n", r.Seed)
	width := len("Non-transferable")
	for _, n := range r.Candidates {
		width = max(width, len([]rune(n)))
	}
	for i := range r.Rounds {
		rd := &r.Rounds[i]
		fmt.Fprintf(bw, "\nRound %d: %s", rd.Number, rd.Action)
		if len(rd.Candidates) > 0 {
			fmt.Fprintf(bw, " %s", strings.Join(r.names(rd.Candidates), ", "))
		}
		if rd.Note != "" {
			fmt.Fprintf(bw, " (%s)", rd.Note)
		}
		bw.WriteByte('\n')
		fmt.Fprintf(bw, "  %-*s %18s %18s  %s\n", width, "Candidate", "Votes", "Change", "Status")
		for c := range rd.Votes {
			change := ""
			if rd.Transfers != nil && !rd.Transfers[c].IsZero() {
				change = rd.Transfers[c].format(textPlaces)
				if !strings.HasPrefix(change, "-") {
					change = "+" + change
				}
			}
			fmt.Fprintf(bw, "  %s %18s %18s  %s\n", pad(r.Candidates[c], width), rd.Votes[c].format(textPlaces), change, rd.Status[c])
		}
		fmt.Fprintf(bw, "  %s %18s\n", pad("Non-transferable", width), rd.Exhausted.format(textPlaces))
		if rd.Quota != nil && (r.Quota == nil || rd.Quota.Cmp(*r.Quota) != 0) {
			fmt.Fprintf(bw, "  %s %18s\n", pad("Quota", width), rd.Quota.format(textPlaces))
		}
	}
	r.writeMatrix(bw, "Pairwise contests (row preferred to column by)", r.Pairwise, width)
	r.writeMatrix(bw, "Strongest paths (row to column)", r.Strongest, width)
	if len(r.Ties) > 0 {
		fmt.Fprintf(bw, "\nTies:\n")
		for _, t := range r.Ties {
			how := "by earlier rounds"
			if t.ByLot {
				how = "by lot"
			}
			fmt.Fprintf(bw, "  round %d, %s: %s; %s chosen %s\n", t.Round, t.Purpose,
				strings.Join(r.names(t.Candidates), ", "), r.Candidates[t.Chosen], how)
		}
	}
	if r.Ranking != nil {
		fmt.Fprintf(bw, "\nRanking: %s\n", strings.Join(r.names(r.Ranking), " > "))
	}
	fmt.Fprintf(bw, "\nElected: %s\n", strings.Join(r.ElectedNames(), ", "))
	return bw.Flush()
}

// writeMatrix prints a candidate-by-candidate table, columns numbered as
// the rows.
func (r *Result) writeMatrix(w io.Writer, title string, m [][]int64, width int) {
	if m == nil {
		return
	}
	fmt.Fprintf(w, "\n%s:\n  %s", title, pad("", width+4))
	for j := range m {
		fmt.Fprintf(w, " %7d", j+1)
	}
	fmt.Fprintln(w)
	for i, row := range m {
		fmt.Fprintf(w, "  %2d. %s", i+1, pad(r.Candidates[i], width))
		for j, v := range row {
			if i == j {
				fmt.Fprintf(w, " %7s", "-")
			} else {
				fmt.Fprintf(w, " %7d", v)
			}
		}
		fmt.Fprintln(w)
	}
}

// pad pads s to width runes (fmt pads by bytes, which misaligns accents).
func pad(s string, width int) string {
	n := len([]rune(s))
	if n >= width {
		return s
	}
	return s + strings.Repeat(" ", width-n)
}
