//go:build unix

package rawfile

import (
	"bytes"
	"io"
	"io/fs"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// open opens path to read and describes it; the caller closes fd.
func open(path string) (fd int, st unix.Stat_t, err error) {
	fd, err = retry(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return -1, st, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, st, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return fd, st, nil
}

func read(path string) ([]byte, error) {
	fd, st, err := open(path)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	b := make([]byte, 0, st.Size+512) // as os.ReadFile: files in /proc say 0
	for {
		b = slices.Grow(b, 512)
		n, err := retry(func() (int, error) { return unix.Read(fd, b[len(b):cap(b)]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

// chunks are equal's read buffers.
var chunks = sync.Pool{New: func() any { return new([32 << 10]byte) }}

func equal(path string, data []byte) (bool, error) {
	fd, st, err := open(path)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != int64(len(data)) {
		return false, nil
	}
	chunk := chunks.Get().(*[32 << 10]byte)
	defer chunks.Put(chunk)
	for {
		// One byte more than data has left: a file that grew since fstat
		// shows as longer.
		n, err := retry(func() (int, error) { return unix.Read(fd, chunk[:min(len(chunk), len(data)+1)]) })
		switch {
		case err != nil:
			return false, &fs.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return len(data) == 0, nil
		case n > len(data) || !bytes.Equal(chunk[:n], data[:n]):
			return false, nil
		}
		data = data[n:]
	}
}

func write(path string, data []byte, perm fs.FileMode) error {
	fd, err := retry(func() (int, error) {
		return unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, uint32(perm.Perm()))
	})
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := retry(func() (int, error) { return unix.Write(fd, data) })
		if err == nil && n == 0 {
			err = io.ErrUnexpectedEOF // as os: no progress, no error
		}
		if err != nil {
			unix.Close(fd)
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// retry repeats a call that a signal interrupted, as package os does.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}
