//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrInUse is returned by LockExclusive while another process has the
// database open through LockShared.
var ErrInUse = errors.New("the database is in use by a running tandem")

// LockShared marks the database at path as open by this process, on the
// companion file path+".lock", until release is called. Any number of
// processes may hold it at once (a server and `tandem search rebuild`);
// it only keeps LockExclusive (restore) out.
func LockShared(path string) (release func() error, err error) {
	return lock(path, syscall.LOCK_SH)
}

// LockExclusive takes the database at path for this process alone, without
// waiting: ErrInUse when anyone holds LockShared.
func LockExclusive(path string) (release func() error, err error) {
	return lock(path, syscall.LOCK_EX)
}

func lock(path string, how int) (func() error, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f.Close, nil // closing the file drops the lock
}
