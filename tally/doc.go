// Package tally is soviet's counting engine: plain ballots and rules in, a
// result with every round explained out.
//
// It is pure: no database, clock, logging or global state, and nothing may
// depend on map iteration order, so that the same input always gives the
// same result and the same report. Format readers and writers (BLT, PrefLib,
// pabulib, CSV) live beside the methods.
//
// # Ranked ballots
//
// A Profile holds the candidates, the seats and the ballots (identical
// ballots grouped, with a weight); NewProfile, ReadBLT and ReadPrefLib make
// one. Count(method, profile, options) counts it by one of Methods() —
// plurality, approval, irv, borda, schulze, ranked-pairs, copeland, and the
// single transferable vote as meek, wigm and scottish — and returns a Result:
// the winners in order of election, every round with every candidate's
// votes, the ties broken and the seed. WriteText and MarshalJSON print it
// with names.
//
// Ties are broken first by the method's own rule — for STV, the candidate
// lower (or, for a surplus, higher) at the most recent earlier round where
// the tied candidates' votes differed — and then by lot (Lot) from the
// seed, given in Options or DefaultSeed, which is printed in the report.
//
// STV counts use exact fixed-point integers: Meek and WIGM in units of
// 10^-27 shown to 18 places (as Droop's reference rules, whose reports
// they reproduce digit for digit), Scottish STV in units of 10^-5 as the
// Order prescribes.
package tally
