// Package crashtest kills the soviet server with SIGKILL at random moments
// while voters cast secret ballots, and checks after each restart that
// every acknowledged ballot is in its box, that the box holds one ballot
// per participation event, that no voter has two, and that soviet verify
// passes. It runs the real binary over HTTP, on SQLite and, when
// SOVIET_TEST_POSTGRES is set, on PostgreSQL:
//
//	go test -tags crash -v ./internal/crashtest/
//
// SOVIET_CRASH_ROUNDS sets the number of kills per engine (default 20).
package crashtest
