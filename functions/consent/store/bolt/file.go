package bolt

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// ErrFileGone is a write refused because the store's file was deleted or
// replaced while it was open: the process would go on writing to the
// open file, which no path names any more, and every record it took would
// be gone at the next start. The API answers it 503, as a full disk; a
// restart opens (or creates) the file at the path again.
var ErrFileGone = errors.New("the store's file was deleted or replaced while open: restart to open it again")

// openFile opens the file for bbolt (Options.OpenFile) and remembers
// which file it is, to compare what the path names with later.
func (s *Store) openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if s.file, err = f.Stat(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkFile tells whether the path still names the file open: one stat, a
// microsecond against the write's fsync. Any error counts as gone, since
// then nothing says the record would be found there again.
func (s *Store) checkFile() error {
	fi, err := os.Stat(s.db.Path())
	if err == nil && os.SameFile(fi, s.file) {
		return nil
	}
	if err == nil {
		err = errors.New("another file is at its path")
	}
	return fmt.Errorf("%w (%s: %v)", ErrFileGone, s.db.Path(), err)
}

// write runs fn in a write transaction by run (s.db.Update or s.db.Batch),
// checking the file before it (no write into a file already gone) and
// after it (a delete while it ran): what it wrote is kept only if the
// path still names the file once it is committed.
func (s *Store) write(run func(func(*bolt.Tx) error) error, fn func(*bolt.Tx) error) error {
	if err := s.checkFile(); err != nil {
		return err
	}
	if err := run(fn); err != nil {
		return err
	}
	return s.checkFile()
}
