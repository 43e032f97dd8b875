package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU is the CPU time the calling thread has used; the caller locks
// its goroutine to the thread. It reads the scheduler's own count
// (CLOCK_THREAD_CPUTIME_ID): getrusage's may advance by whole clock ticks,
// which makes each page's few hundred microseconds read as 0 or 4 ms.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
