//go:build !linux

package outdir

import "errors"

// exchange is not available here: Commit renames twice instead.
func exchange(a, b string) error { return errors.ErrUnsupported }
