// Package rawfile reads and writes whole regular files with the fewest
// system calls. os.Open hands every file to the runtime's network poller,
// which refuses regular files: five system calls more per file (fcntl
// four times, epoll_ctl once) and a finalizer. A build reads and writes a
// file per page; on a virtual machine, where a system call is dear, those
// were a tenth of its time.
package rawfile

import "io/fs"

// Read returns the contents of the file at path, as os.ReadFile does.
func Read(path string) ([]byte, error) { return read(path) }

// Write writes data to the file at path, creating it with perm or
// truncating it, as os.WriteFile does.
func Write(path string, data []byte, perm fs.FileMode) error { return write(path, data, perm) }

// Equal reports whether the file at path holds exactly data. A file of
// another size is not read at all, and the rest is compared a piece at a
// time: asking whether an output changed allocates nothing.
func Equal(path string, data []byte) (bool, error) { return equal(path, data) }
