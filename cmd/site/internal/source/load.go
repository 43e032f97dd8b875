// Package source loads what editors write (content/config.yaml, the data
// files under content/data/ and the Markdown pages under content/LANG/) into
// one validated model, reporting every problem as file:line: message.
package source

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"pelqim/cmd/site/internal/rawfile"
	"pelqim/content"
	"pelqim/content/schema"
)

// Content is the loaded source of a site: configuration, data and pages.
type Content struct {
	Root   string
	Config schema.Config
	Data   schema.Data
	// Pages holds every non-draft page, ordered by language (as configured),
	// weight, then file name, so that everything built from it is deterministic.
	// Set it with SetPages, which also indexes it.
	Pages []*Page
	// PolicyVersion and ConsentVersion are short hashes of the privacy policy
	// and of the cookie declaration; the banner asks again when the latter
	// changes, and every consent record names both.
	PolicyVersion, ConsentVersion string

	// byKey indexes Pages by translationKey (in Pages order), so that
	// Page and Translations cost no scan: with thousands of pages, every
	// page's links and the sitemap would otherwise be quadratic.
	byKey map[string][]*Page
}

// PolicyKey is the translationKey of the privacy policy.
const PolicyKey = "privacy"

// Load reads the content under root. A problem in the configuration that
// leaves its languages sound (a missing title text, a wrong URL) is
// reported with those of the data and pages, not alone before them.
func Load(root string) (*Content, error) {
	cfg, err := schema.ReadConfig(root)
	if cfg == nil {
		return nil, err
	}
	s := &Content{Root: root, Config: *cfg}
	errs := content.Errors(content.List(err))
	if err := s.LoadData(); err != nil {
		errs = append(errs, content.List(err)...)
	}
	if err := s.loadPages(); err != nil {
		errs = append(errs, content.List(err)...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// Langs returns the language codes in configured order.
func (s *Content) Langs() []string { return s.Config.Langs() }

func (s *Content) read(file string) ([]byte, error) {
	b, err := rawfile.Read(filepath.Join(s.Root, filepath.FromSlash(file)))
	if err != nil {
		return nil, &content.Error{File: file, Err: unwrapPath(err)}
	}
	return b, nil
}

// unwrapPath drops the path that os errors repeat, as Error names the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadData (re)reads the data files and the consent version derived from them.
func (s *Content) LoadData() error {
	d, err := schema.ReadData(s.Root, s.Langs())
	if err != nil {
		return err
	}
	s.Data = *d
	s.ConsentVersion = shortHash(d.Categories, d.Cookies)
	return nil
}

// shortHash is a version: 12 hex digits of the SHA-256 of v's JSON, which
// is canonical here (struct fields in order, map keys sorted).
func shortHash(v ...any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings, bools and maps of strings: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// PageFiles lists the Markdown files of language lang, slash-separated and
// relative to the root, in lexical order.
func (s *Content) PageFiles(lang string) ([]string, error) {
	var files []string
	dir := filepath.Join(s.Root, "content", lang)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Dotfiles are editors' lock and swap files (.#page.md), not pages.
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(s.Root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, &content.Error{File: path.Join("content", lang), Err: unwrapPath(err)}
	}
	return files, nil
}

// ReadPage parses one page file (slash-separated, relative to the root).
func (s *Content) ReadPage(file string) (*Page, error) {
	b, err := s.read(file)
	if err != nil {
		return nil, err
	}
	lang := strings.SplitN(strings.TrimPrefix(file, "content/"), "/", 2)[0]
	return ParsePage(file, lang, b)
}

// loadPages reads every page, in parallel: parsing front matter is most of
// a large site's loading time.
func (s *Content) loadPages() error {
	var errs content.Errors
	var files []string
	for _, lang := range s.Langs() {
		fs, err := s.PageFiles(lang)
		if err != nil {
			errs = append(errs, err)
		}
		files = append(files, fs...)
	}
	pages := make([]*Page, len(files))
	fileErrs := make([]error, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			pages[i], fileErrs[i] = s.ReadPage(f)
			return nil
		})
	}
	g.Wait()
	var keep []*Page
	for i, p := range pages {
		if fileErrs[i] != nil {
			errs = append(errs, content.List(fileErrs[i])...)
		} else if !p.Draft {
			keep = append(keep, p)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return s.SetPages(keep)
}

// SetPages orders and cross-checks pages, fills in missing lastmod dates
// from git, and derives the policy version.
func (s *Content) SetPages(pages []*Page) error {
	langs := s.Langs()
	slices.SortStableFunc(pages, func(a, b *Page) int {
		if c := slices.Index(langs, a.Lang) - slices.Index(langs, b.Lang); c != 0 {
			return c
		}
		if c := a.Weight - b.Weight; c != 0 {
			return c
		}
		return strings.Compare(a.File, b.File)
	})
	var errs content.Errors
	urls := map[string]*Page{}
	keys := map[string]*Page{}
	for _, p := range pages {
		if q := urls[p.URL()]; q != nil {
			errs = append(errs, content.Errorf(p.File, p.Line("slug"), "%s is also the address of %s", p.URL(), q.File))
		}
		urls[p.URL()] = p
		k := p.Lang + "\x00" + p.TranslationKey
		if q := keys[k]; q != nil {
			errs = append(errs, content.Errorf(p.File, p.Line("translationKey"), "translationKey %q is also used by %s", p.TranslationKey, q.File))
		}
		keys[k] = p
	}
	if len(errs) > 0 {
		return errs
	}
	s.fillLastmod(pages)
	s.Pages = pages
	s.byKey = map[string][]*Page{}
	for _, p := range pages {
		s.byKey[p.TranslationKey] = append(s.byKey[p.TranslationKey], p)
	}
	s.PolicyVersion = ""
	if p := s.Page(s.Config.DefaultLanguage, PolicyKey); p != nil {
		// Line endings are no change of text: a checkout with CRLF must not
		// ask every visitor for consent again.
		s.PolicyVersion = shortHash(strings.ReplaceAll(string(p.Body), "\r\n", "\n"))
	}
	return nil
}

// Page returns the page of lang with translationKey key, or nil.
func (s *Content) Page(lang, key string) *Page {
	for _, p := range s.byKey[key] {
		if p.Lang == lang {
			return p
		}
	}
	return nil
}

// Translations returns the pages that share p's translationKey, p included,
// in language order.
func (s *Content) Translations(p *Page) []*Page {
	return slices.Clone(s.byKey[p.TranslationKey])
}

// fillLastmod dates pages without a lastmod by their file's last commit,
// else by their date: the build must not depend on when it runs.
func (s *Content) fillLastmod(pages []*Page) {
	var dates map[string]time.Time
	for _, p := range pages {
		if !p.Lastmod.IsZero() {
			continue
		}
		if dates == nil {
			dates = gitDates(s.Root)
		}
		if d, ok := dates[p.File]; ok {
			p.Lastmod = d
		} else {
			p.Lastmod = p.Date
		}
	}
}

// gitDates maps each file under content/ to the date of its last commit,
// with one git call for the whole tree. Outside a git checkout it is empty.
func gitDates(root string) map[string]time.Time {
	dates := map[string]time.Time{}
	cmd := exec.Command("git", "log", "--format=@%cI", "--name-only", "--relative", "--", "content")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return dates
	}
	var cur time.Time
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if t, ok := strings.CutPrefix(line, "@"); ok {
			cur, _ = time.Parse(time.RFC3339, t)
		} else if line != "" {
			if _, seen := dates[line]; !seen {
				dates[line] = cur
			}
		}
	}
	return dates
}
