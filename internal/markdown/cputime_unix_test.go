//go:build unix

package markdown

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the test process has used so far. Unlike
// wall time, it does not grow while other processes hold the CPU.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
