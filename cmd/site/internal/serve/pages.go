package serve

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"pelqim/cmd/site/internal/source"
	"pelqim/content"
)

// rescan finds the pages added or removed in the given languages by
// folder operations (a folder created, moved or deleted), which the watcher
// reports as the folder alone.
func (b *builder) rescan(langs map[string]bool) ([]string, error) {
	var files []string
	for lang := range langs {
		if !slices.Contains(b.site.Content.Langs(), lang) {
			continue
		}
		onDisk, err := b.site.Content.PageFiles(lang)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		// Against the model and the last good build both: a failed rebuild
		// may have taken a page into the model but not yet into the site.
		seen := map[string]bool{}
		for _, f := range onDisk {
			seen[f] = true
			if b.pages[f] == nil || b.good[f] == nil {
				files = append(files, f)
			}
		}
		for _, known := range []map[string]*source.Page{b.pages, b.good} {
			for f := range known {
				if strings.HasPrefix(f, "content/"+lang+"/") && !seen[f] {
					files = append(files, f)
				}
			}
		}
	}
	return files, nil
}

// readPages re-reads the given page files into the model; a file that is
// gone (deleted, renamed away) or now a draft leaves the site. The model
// changes only when every file reads well and the new page set is valid.
func (b *builder) readPages(files []string) error {
	if len(files) == 0 {
		return nil
	}
	c := b.site.Content
	pages := maps.Clone(b.pages)
	var errs content.Errors
	for _, f := range files {
		p, err := c.ReadPage(f)
		switch {
		case errors.Is(err, fs.ErrNotExist) || isDir(filepath.Join(b.root, f)):
			delete(pages, f)
		case err != nil:
			errs = append(errs, content.List(err)...)
		case p.Draft:
			delete(pages, f)
		default:
			keepLastmod(p, b.pages[f])
			pages[f] = p
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// In the model's order, new pages last: SetPages sorts, and sorting
	// what is nearly sorted is quick.
	list := make([]*source.Page, 0, len(pages))
	for _, p := range c.Pages {
		if q := pages[p.File]; q != nil {
			list = append(list, q)
		}
	}
	for _, f := range files {
		if q := pages[f]; q != nil && b.pages[f] == nil {
			list = append(list, q)
		}
	}
	if err := c.SetPages(list); err != nil {
		return err
	}
	b.pages = pages
	return nil
}

// keepLastmod carries over the date a page without lastmod was given from
// git when it was loaded: an edit not yet committed keeps that date in a
// fresh build too, and re-asking git on every keystroke would be slow.
func keepLastmod(p, old *source.Page) {
	if old == nil || !p.Lastmod.IsZero() {
		return
	}
	if _, set := old.Lines["lastmod"]; !set && old.Date.Equal(p.Date) {
		p.Lastmod = old.Lastmod
	}
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}
