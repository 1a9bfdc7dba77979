//go:build !unix

package sqlite

import "errors"

// ErrInUse is returned by LockExclusive while another process has the
// database open through LockShared.
var ErrInUse = errors.New("the database is in use by a running tandem")

// LockShared does nothing here: file locks are only taken on Unix.
func LockShared(string) (func() error, error) { return func() error { return nil }, nil }

// LockExclusive does nothing here: file locks are only taken on Unix.
func LockExclusive(string) (func() error, error) { return func() error { return nil }, nil }
