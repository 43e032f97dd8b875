package outdir

import "golang.org/x/sys/unix"

// exchange swaps the folders at a and b atomically. It fails where b does
// not exist yet or the file system cannot (RENAME_EXCHANGE, Linux 3.15).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
