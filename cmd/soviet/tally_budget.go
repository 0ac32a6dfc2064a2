package main

import (
	"context"
	"errors"
)

// tallyBudget counts a participatory budget (.pb file) for `soviet tally`.
func tallyBudget(ctx context.Context, e *env, a tallyArgs) error {
	return errors.New("not yet implemented")
}
