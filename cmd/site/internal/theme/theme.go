// Package theme loads a theme directory: its html/template layouts, its
// per-language string tables, its CSS and JS assets (minified and named by
// content hash) and the security headers every response carries.
package theme

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"pelqim/cmd/site/internal/rawfile"
	"pelqim/content"
	"pelqim/content/schema"
)

// Theme is a loaded theme.
type Theme struct {
	Dir     string // slash-separated, relative to the site root, e.g. themes/default
	Layouts *Layouts
	// Strings maps a language to its string table.
	Strings map[string]map[string]string
	// Assets maps a source name (site.css, consent.js) to its output.
	Assets  map[string]Asset
	Headers []schema.Header // schema.HeadersFile
	// LinkedKeys are the translation keys of the pages the layouts link to
	// by name ({{.URLOf "cookies"}}); LinksAnyPage is set when a layout
	// names a page by a value known only as it renders.
	LinkedKeys   []string
	LinksAnyPage bool

	partials map[string]bool // template names defined by layouts/partials/
	sources  sources         // the layouts as written, for errors
	// unminified parses sources once, when an error first needs them.
	unminified func() (*Layouts, []error)
}

// Asset is a file written under /assets/ with its content hash in the name,
// so the CDN may cache it for a year.
type Asset struct {
	URL  string // /assets/site.1a2b3c4d5e6f.css
	Data []byte
}

// Load reads the theme at dir (relative to root) for the given languages.
func Load(root, dir string, langs []string) (*Theme, error) {
	t := &Theme{Dir: dir}
	// The steps fill separate fields; in parallel they take the time of
	// the longest (the layouts), which is most of a small site's build.
	steps := []func(string, []string) error{t.loadLayouts, t.loadStrings, t.loadAssets, t.loadHeaders}
	stepErrs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Go(func() { stepErrs[i] = step(root, langs) })
	}
	wg.Wait()
	var errs content.Errors
	for _, err := range stepErrs {
		errs = append(errs, content.List(err)...)
	}
	return t, errs.Err()
}

func (t *Theme) rel(name string) string { return path.Join(t.Dir, name) }

func (t *Theme) read(root, name string) ([]byte, error) {
	b, err := rawfile.Read(filepath.Join(root, filepath.FromSlash(t.rel(name))))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &content.Error{File: t.rel(name), Err: err}
	}
	return b, nil
}

// glob lists the files of a theme folder matching pattern, sorted.
func (t *Theme) glob(root, pattern string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(t.rel(pattern))))
	var names []string
	for _, m := range matches {
		rel, _ := filepath.Rel(filepath.Join(root, filepath.FromSlash(t.Dir)), m)
		names = append(names, filepath.ToSlash(rel))
	}
	slices.Sort(names)
	return names
}

// tmplErr matches text/template's "template: NAME:LINE:COL: ..." errors and
// html/template's "html/template:NAME:LINE:COL: ..." ones (whose line and
// column may be missing).
var tmplErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:html/)?template: ?([^:\s]+):(?:(\d+):)?(?:\d+:)? ?(.*)$`)
})

// TemplateError rewrites a template error as file:line: message, naming the
// theme file, so that editors can find it.
func (t *Theme) TemplateError(err error) error {
	m := tmplErr().FindStringSubmatch(err.Error())
	if m == nil {
		return &content.Error{File: t.rel("layouts"), Err: err}
	}
	line, _ := strconv.Atoi(m[2])
	msg := m[3]
	if t.Layouts != nil {
		msg = t.Layouts.unname(msg)
		// A layout's copy of a shared template: the file is the shared
		// one, the fault may be the layout's.
		if layout, _, ok := strings.Cut(m[1], "/"); ok && t.Layouts.displayName(m[1]) != m[1] && t.Layouts.files[m[1]] != layout+".html" {
			msg += " (as layout " + layout + ".html has it)"
		}
	}
	return content.Errorf(t.layoutFile(m[1]), line, "%s", msg)
}

// layoutFile is the theme file that defines template name, as errors name
// it: a file ("page.html", "footer.html") or a template of the set, such as
// a layout's own "page/main", whose file the set records.
func (t *Theme) layoutFile(name string) string {
	if t.Layouts != nil {
		if file, ok := t.Layouts.files[name]; ok {
			name = file
		}
	}
	if t.partials[name] {
		return t.rel("layouts/partials/" + name)
	}
	return t.rel("layouts/" + name)
}

// loadLayouts parses the layouts twice over: as written, which gives errors
// their true line numbers, and minified (the template text once, instead of
// every page it renders), which is what pages are rendered with.
func (t *Theme) loadLayouts(root string, _ []string) error {
	t.partials = map[string]bool{}
	files := append([]string{"layouts/base.html"}, t.glob(root, "layouts/partials/*.html")...)
	var shared []source
	for _, f := range files {
		src, err := t.read(root, f)
		if err != nil {
			return err
		}
		name := path.Base(f)
		if strings.HasPrefix(f, "layouts/partials/") {
			t.partials[name] = true
		}
		shared = append(shared, source{name, string(src)})
	}
	var (
		errs    content.Errors
		layouts []source
	)
	for _, f := range t.glob(root, "layouts/*.html") {
		if f == "layouts/base.html" {
			continue
		}
		src, err := t.read(root, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		layouts = append(layouts, source{path.Base(f), string(src)})
	}
	t.sources = sources{shared, layouts}
	t.unminified = sync.OnceValues(t.sources.parse)
	min, err := t.sources.minified()
	if err != nil {
		return append(errs, t.TemplateError(err)).Err()
	}
	var perrs []error
	t.Layouts, perrs = min.parse()
	if len(perrs) == 0 {
		t.LinkedKeys, t.LinksAnyPage = literalArgs(t.Layouts.trees(), "URLOf")
		if cycles := t.cycles(); len(cycles) > 0 {
			return append(errs, cycles...).Err()
		}
		if err := t.Layouts.escape(); err != nil {
			return append(errs, t.escapeErrors(err)...).Err()
		}
		return errs.Err()
	}
	// The minified text has other line numbers: report the errors as the
	// layouts are written. (If those parse, minifying broke them.)
	if _, orig := t.unminified(); len(orig) > 0 {
		perrs = orig
	}
	for _, err := range perrs {
		errs = append(errs, t.TemplateError(err))
	}
	return errs.Err()
}

// escapeErrors explains a failed escape of the layouts: each layout as
// written, escaped on its own, names the file and line at fault. (If all
// of those escape, minifying broke the layouts: err says where.)
func (t *Theme) escapeErrors(err error) []error {
	var errs []error
	if orig, perrs := t.unminified(); len(perrs) == 0 {
		for _, layout := range slices.Sorted(maps.Keys(orig.own)) {
			var escErr *template.Error
			if err := orig.Execute(io.Discard, layout, "base.html", nil); errors.As(err, &escErr) {
				errs = append(errs, t.TemplateError(err))
			}
		}
	}
	if len(errs) == 0 {
		errs = append(errs, t.TemplateError(err))
	}
	return errs
}

// source is one layout file's name and text.
type source struct{ name, text string }

// sources are a theme's layouts: base.html and the partials, which every
// layout shares, and one file per layout.
type sources struct{ shared, layouts []source }

// templateComment matches {{/* comments */}}, which the minifier cannot see
// through.
var templateComment = regexp.MustCompile(`\{\{-?\s*/\*[\s\S]*?\*/\s*-?\}\}`)

func (ss sources) minified() (sources, error) {
	out := sources{make([]source, len(ss.shared)), make([]source, len(ss.layouts))}
	for i, list := range [][]source{ss.shared, ss.layouts} {
		dst := [][]source{out.shared, out.layouts}[i]
		for j, s := range list {
			var b strings.Builder
			text := templateComment.ReplaceAllString(s.text, "")
			if err := templateMinifier.Minify("text/html", &b, strings.NewReader(text)); err != nil {
				return out, fmt.Errorf("template: %s:1: minifying: %w", s.name, err) // as TemplateError reads it
			}
			dst[j] = source{s.name, b.String()}
		}
	}
	return out, nil
}

// Unminified returns the layouts as written, not minified.
func (t *Theme) Unminified() (*Layouts, error) {
	layouts, errs := t.unminified()
	return layouts, errors.Join(errs...)
}

// Explain re-runs a failed execution of template name in layout on the
// layouts as written, whose error names the true line, and returns that
// error as file:line: message. (Pages are rendered with minified layouts,
// whose lines are not the editor's.) An error that already names its file
// and line, such as a partial's explained by an inner call, is kept.
func (t *Theme) Explain(layout, name string, data any, err error) error {
	var named *content.Error
	if errors.As(err, &named) {
		return named
	}
	if orig, perr := t.Unminified(); perr == nil && orig.Has(layout) {
		if err2 := orig.Execute(io.Discard, layout, name, data); err2 != nil {
			err = err2
		}
	}
	return t.TemplateError(err)
}

func (t *Theme) loadStrings(root string, langs []string) error {
	t.Strings = map[string]map[string]string{}
	lines := map[string]map[string]int{}
	var errs content.Errors
	for _, l := range langs {
		f := "i18n/" + l + ".yaml"
		src, err := t.read(root, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			errs = append(errs, schema.YAMLError(t.rel(f), 0, err))
			continue
		}
		table, at := map[string]string{}, map[string]int{}
		if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
			m := doc.Content[0].Content
			for i := 0; i+1 < len(m); i += 2 {
				switch v := m[i+1]; {
				case v.Kind != yaml.ScalarNode:
					errs = append(errs, content.Errorf(t.rel(f), m[i].Line, "%q: the value must be a string", m[i].Value))
				case v.Tag == "!!null" || strings.TrimSpace(v.Value) == "":
					// An empty string would leave a button or a dialog
					// without a name in that language.
					errs = append(errs, content.Errorf(t.rel(f), m[i].Line, "%q has no text", m[i].Value))
				}
				if first, dup := at[m[i].Value]; dup {
					errs = append(errs, content.Errorf(t.rel(f), m[i].Line, "%q is defined twice (first at line %d)", m[i].Value, first))
				}
				table[m[i].Value], at[m[i].Value] = m[i+1].Value, m[i].Line
			}
		} else {
			errs = append(errs, content.Errorf(t.rel(f), 1, "expected a mapping of keys to strings"))
		}
		t.Strings[l], lines[l] = table, at
	}
	// Every table must have every key: a missing string would otherwise
	// surface only when a page of that language happens to use it.
	for _, l := range langs {
		for _, other := range langs {
			for k, line := range lines[other] {
				if _, ok := t.Strings[l][k]; !ok && t.Strings[l] != nil {
					errs = append(errs, content.Errorf(t.rel("i18n/"+l+".yaml"), 1, "missing key %q (defined at %s:%d)", k, t.rel("i18n/"+other+".yaml"), line))
				}
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return slices.CompactFunc(errs, func(a, b error) bool { return a.Error() == b.Error() }).Err()
}

func (t *Theme) loadHeaders(root string, _ []string) (err error) {
	t.Headers, err = schema.ReadHeaders(root)
	return err
}

// Header returns the value of header name, or "".
func (t *Theme) Header(name string) string {
	return schema.HeaderValue(t.Headers, name)
}

// HashName inserts a short content hash before the extension.
func HashName(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
}
