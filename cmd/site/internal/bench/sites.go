package bench

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// hugoSite is the Hugo project around the corpus: config, layouts and
// string tables equivalent to our theme's, written by the benchmark itself.
//
//go:embed all:hugosite
var hugoSite embed.FS

// writeSites writes the corpus twice under dir: ours/ for `site build -src`,
// with the repository's real config, data and theme, and hugo/ for Hugo, with
// the same Markdown, data, theme strings and assets (CSS, JS, icon). Hugo
// makes its not-found pages from a layout, so it gets no 404.md.
func writeSites(dir, repo string, c corpus) (ours, hugo string, err error) {
	ours, hugo = filepath.Join(dir, "ours"), filepath.Join(dir, "hugo")
	copies := []struct{ from, to string }{
		{"content/data", filepath.Join(ours, "content/data")},
		{"themes", filepath.Join(ours, "themes")},
		{"themes/default/assets", filepath.Join(hugo, "assets")},
		{"themes/default/i18n", filepath.Join(hugo, "i18n")},
		{"content/data", filepath.Join(hugo, "data")},
	}
	for _, cp := range copies {
		if err := os.CopyFS(cp.to, os.DirFS(filepath.Join(repo, cp.from))); err != nil {
			return "", "", fmt.Errorf("copy %s: %w", cp.from, err)
		}
	}
	config, err := os.ReadFile(filepath.Join(repo, "content/config.yaml"))
	if err != nil {
		return "", "", fmt.Errorf("read the real config: %w", err)
	}
	if err := writeFile(filepath.Join(ours, "content/config.yaml"), config); err != nil {
		return "", "", err
	}
	sub, _ := fs.Sub(hugoSite, "hugosite")
	if err := os.CopyFS(hugo, sub); err != nil {
		return "", "", fmt.Errorf("write the Hugo project: %w", err)
	}
	err = c.each(func(rel string, data []byte) error {
		if err := writeFile(filepath.Join(ours, "content", rel), data); err != nil {
			return err
		}
		// Hugo's home page is _index.md; ours is index.md.
		rel = strings.Replace(rel, "/index.md", "/_index.md", 1)
		if strings.HasSuffix(rel, "/404.md") {
			return nil
		}
		return writeFile(filepath.Join(hugo, "content", rel), data)
	})
	return ours, hugo, err
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
