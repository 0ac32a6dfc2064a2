package main

import (
	"context"
	"errors"
)

// cmdApportion divides seats among the rows of a CSV file.
func cmdApportion(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
