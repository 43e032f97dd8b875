package serve

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher watches folders recursively (fsnotify watches one folder at a
// time) and hands over bursts of changes as one batch: the paths that
// changed, slash-separated and relative to the root, once nothing has
// changed for the debounce time. An editor's atomic save (write a temporary
// file, rename it over the page) or a git checkout of a hundred files is
// thus one rebuild.
type watcher struct {
	root     string
	fs       *fsnotify.Watcher
	dirs     map[string]bool // absolute paths of the watched folders
	debounce time.Duration
	log      io.Writer
}

// maxDelay bounds how long a stream of changes that never pauses can hold
// back a rebuild, in debounce times.
const maxDelay = 50

// newWatcher watches the folders under root named in dirs, and every
// folder below them.
func newWatcher(root string, dirs []string, debounce time.Duration, log io.Writer) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &watcher{root: root, fs: fw, dirs: map[string]bool{}, debounce: debounce, log: log}
	for _, d := range dirs {
		if err := w.addTree(filepath.Join(root, d), nil); err != nil {
			fw.Close()
			return nil, err
		}
	}
	return w, nil
}

// addTree watches dir and the folders below it. Each folder is watched
// before it is listed, so a file created meanwhile is either listed or
// reported; the files found go into batch (when not nil), as a folder
// created or moved in brings its files along without events of their own.
func (w *watcher) addTree(dir string, batch map[string]bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != dir {
				return nil // gone again meanwhile
			}
			return fmt.Errorf("watch: %w", err)
		}
		if d.IsDir() && !w.dirs[p] {
			if err := w.fs.Add(p); err != nil {
				return fmt.Errorf("watch %s: %w", p, err)
			}
			w.dirs[p] = true
		}
		if batch != nil {
			batch[w.rel(p)] = true
		}
		return nil
	})
}

// dropTree forgets dir and the folders below it, deleted or moved away.
// Watches on moved folders would otherwise report events under their old
// names; the new place arrives as a Create and is watched afresh.
func (w *watcher) dropTree(dir string) {
	for d := range w.dirs {
		if d == dir || strings.HasPrefix(d, dir+string(filepath.Separator)) {
			w.fs.Remove(d) // inotify may have dropped it already
			delete(w.dirs, d)
		}
	}
}

func (w *watcher) rel(p string) string {
	r, err := filepath.Rel(w.root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// handle records one event in batch, and tells whether it was one.
func (w *watcher) handle(ev fsnotify.Event, batch map[string]bool) bool {
	if ev.Op == fsnotify.Chmod {
		return false // attributes only: no content changed
	}
	batch[w.rel(ev.Name)] = true
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.dirs[ev.Name] {
			w.dropTree(ev.Name)
		}
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			if err := w.addTree(ev.Name, batch); err != nil {
				fmt.Fprintln(w.log, err)
			}
		}
	}
	return true
}

// run delivers batches to flush until stop is closed; full is set when
// the kernel dropped events, so that nothing less than a reload is safe.
// flush runs on run's goroutine: changes made meanwhile wait in the
// kernel's queue and make the next batch.
func (w *watcher) run(stop <-chan struct{}, flush func(files []string, full bool)) {
	defer w.fs.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	batch := map[string]bool{}
	var full bool
	var first time.Time // of the batch's first event
	schedule := func() {
		if first.IsZero() {
			first = time.Now()
		}
		wait := w.debounce
		if late := time.Until(first.Add(maxDelay * w.debounce)); late < wait {
			wait = max(late, 0)
		}
		timer.Reset(wait)
	}
	for {
		select {
		case <-stop:
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if w.handle(ev, batch) {
				schedule()
			}
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				full = true
				schedule()
			} else {
				fmt.Fprintln(w.log, "watch:", err)
			}
		case <-timer.C:
			files := slices.Sorted(maps.Keys(batch))
			clear(batch)
			f := full
			full, first = false, time.Time{}
			flush(files, f)
		}
	}
}
