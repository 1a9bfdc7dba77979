//go:build !unix

package markdown

import "time"

// start is when the tests began.
var start = time.Now()

// cpuTime stands in for the process CPU time where getrusage is missing.
func cpuTime() time.Duration {
	return time.Since(start)
}
