package main

// tallyArgs is what `soviet tally` parsed from its command line. cmdTally
// (tally.go) parses it and hands budget files (.pb) and budget methods to
// tallyBudget (tally_budget.go).
type tallyArgs struct {
	Method string // --method
	Seats  int    // --seats; 0 means the file's own
	Format string // --format: text or json
	Seed   string // --seed; "" means the documented default
	Path   string // the ballot file
}
