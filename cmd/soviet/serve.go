package main

import (
	"context"
	"errors"
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
func cmdMigrate(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
func cmdVerify(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
func cmdVersion(ctx context.Context, e *env, args []string) error {
	return errors.New("not yet implemented")
}
