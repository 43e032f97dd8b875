//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS is the child's maximum resident set size in bytes: getrusage's
// ru_maxrss, which Linux gives in KiB and macOS in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

func flush() { syscall.Sync() }
