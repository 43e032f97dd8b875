//go:build !unix

package rawfile

import (
	"bytes"
	"io/fs"
	"os"
)

func read(path string) ([]byte, error) { return os.ReadFile(path) }

func write(path string, data []byte, perm fs.FileMode) error { return os.WriteFile(path, data, perm) }

func equal(path string, data []byte) (bool, error) {
	b, err := os.ReadFile(path)
	return err == nil && bytes.Equal(b, data), err
}
