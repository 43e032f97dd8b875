//go:build !unix

package rawfile

import (
	"io/fs"
	"os"
)

func read(path string) ([]byte, error) { return os.ReadFile(path) }

func write(path string, data []byte, perm fs.FileMode) error { return os.WriteFile(path, data, perm) }
