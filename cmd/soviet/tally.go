package main

import (
	"context"
	"errors"
)

// cmdTally counts a ballot file. It is owned by the tally work.
func cmdTally(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
