// Package tally is soviet's counting engine: plain ballots and rules in, a
// result with every round explained out.
//
// It is pure: no database, clock, logging or global state, and nothing may
// depend on map iteration order, so that the same input always gives the
// same result and the same report. Format readers and writers (BLT, PrefLib,
// pabulib, CSV) live beside the methods.
package tally
