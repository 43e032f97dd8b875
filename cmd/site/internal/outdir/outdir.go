// Package outdir writes a build into a staging folder beside the output
// folder and swaps it in only when the whole build succeeded, so a failed
// build never leaves a half-written site over a good one.
//
// A file whose bytes did not change is hard-linked from the previous output
// instead of written again: it keeps its inode and modification time, so a
// deploy that compares them (aws s3 sync) uploads only what changed.
package outdir

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pelqim/cmd/site/internal/rawfile"
)

// Dir is an output folder being built.
type Dir struct {
	final, staging string
	hasPrev        bool // a previous output exists to compare with
	// Written and Kept count the files written anew and those kept as they were.
	Written, Kept atomic.Int64

	dirs sync.Map // folders already made: one mkdir each, not one per file
}

// Create starts a build of the folder out. An existing out must be a
// built site (it holds index.html and sitemap.xml) or empty: the build
// replaces it whole, and anything else there would be lost.
func Create(out string) (*Dir, error) {
	out = filepath.Clean(out)
	fi, err := os.Lstat(out)
	if err == nil && fi.Mode()&os.ModeSymlink != 0 {
		// public -> /srv/www: the site goes where the link points, which
		// stays a link.
		if out, err = filepath.EvalSymlinks(out); err != nil {
			return nil, err
		}
		fi, err = os.Lstat(out)
	}
	exists, err := replaceable(out, fi, err)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	removeStale(parent, filepath.Base(out))
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(staging, 0o755); err != nil { // MkdirTemp makes it 0700
		os.Remove(staging)
		return nil, err
	}
	return &Dir{final: out, staging: staging, hasPrev: exists}, nil
}

// Write stores data at rel (slash-separated). It is safe for concurrent use
// with distinct names.
func (d *Dir) Write(rel string, data []byte) error {
	dst := filepath.Join(d.staging, filepath.FromSlash(rel))
	if err := d.mkdir(filepath.Dir(dst)); err != nil {
		return err
	}
	if d.hasPrev {
		prev := filepath.Join(d.final, filepath.FromSlash(rel))
		if same, _ := rawfile.Equal(prev, data); same {
			if os.Link(prev, dst) == nil {
				d.Kept.Add(1)
				return nil
			}
		}
	}
	if err := rawfile.Write(dst, data, 0o644); err != nil {
		return err
	}
	d.Written.Add(1)
	return nil
}

func (d *Dir) mkdir(dir string) error {
	if _, done := d.dirs.Load(dir); done {
		return nil
	}
	// Mostly the parent exists (its index.html was written first): one
	// mkdir, where MkdirAll would stat first.
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	d.dirs.Store(dir, true)
	return nil
}

// Commit replaces the output folder with the staged one.
func (d *Dir) Commit() error {
	// Where the system can swap two folders in one step, the output is
	// never missing, not even between two renames: a server or a sync
	// reading it sees the old site or the new one.
	if exchange(d.staging, d.final) == nil {
		// staging now holds the previous site
		if err := os.RemoveAll(d.staging); err != nil {
			return fmt.Errorf("the new output is in place; removing the previous one: %w", err)
		}
		return nil
	}
	old := d.staging + ".old"
	hadOld := true
	if err := os.Rename(d.final, old); err != nil {
		if !os.IsNotExist(err) {
			d.Abort()
			return fmt.Errorf("moving the previous output aside: %w", err)
		}
		hadOld = false
	}
	if err := os.Rename(d.staging, d.final); err != nil {
		if hadOld {
			_ = os.Rename(old, d.final) // put the previous site back
		}
		d.Abort()
		return fmt.Errorf("swapping in the new output: %w", err)
	}
	if hadOld {
		return os.RemoveAll(old)
	}
	return nil
}

// Abort discards the staged build; the previous output stays as it was.
func (d *Dir) Abort() { _ = os.RemoveAll(d.staging) }

// replaceable tells whether out, which Lstat described as fi or err,
// exists, and refuses it unless it is a folder that is empty or holds a
// built site.
func replaceable(out string, fi fs.FileInfo, err error) (exists bool, _ error) {
	switch {
	case os.IsNotExist(err):
		return false, nil
	case err != nil:
		return false, err
	case !fi.IsDir():
		return true, fmt.Errorf("%s exists and is not a folder: refusing to replace it with the site", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) == 0 {
		return true, err
	}
	for _, f := range []string{"index.html", "sitemap.xml"} {
		if !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == f }) {
			return true, fmt.Errorf("%s is not a built site (it has no %s): refusing to replace it; choose an empty or new -out folder", out, f)
		}
	}
	return true, nil
}

// removeStale removes the staging folders that builds killed before their
// end left beside the output. Only old ones: a newer one may be a build
// still running in another terminal.
func removeStale(parent, base string) {
	stale, _ := filepath.Glob(filepath.Join(parent, "."+base+".tmp-*"))
	for _, dir := range stale {
		if fi, err := os.Lstat(dir); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > time.Hour {
			os.RemoveAll(dir)
		}
	}
}
