package schema

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"pelqim/content"
)

// Where the files this package reads live, relative to the repository root.
const (
	ConfigFile  = "content/config.yaml"
	ThemeDir    = "themes/default"
	HeadersFile = ThemeDir + "/headers.yaml"
)

// DataFiles names the data files, each one source of truth.
var DataFiles = struct{ Categories, Cookies, Products, Contact, Notice string }{
	"content/data/cookie-categories.yaml",
	"content/data/cookies.yaml",
	"content/data/categories.yaml",
	"content/data/contact.yaml",
	"content/data/notice.yaml",
}

// ReadConfig reads and validates the configuration under root. It returns
// the configuration whenever its languages are sound, with any other
// problems (a missing title text, a wrong URL), so that those are reported
// with the rest of the site's; nil when the languages are not.
func ReadConfig(root string) (*Config, error) {
	b, err := read(root, ConfigFile)
	if err != nil {
		return nil, err
	}
	var c Config
	node, err := Decode(ConfigFile, 0, b, &c)
	if err != nil {
		return nil, err
	}
	c.Lines = LinesOf(node, 0)
	usable, err := validateConfig(&c, node)
	if !usable {
		return nil, err
	}
	return &c, err
}

// ReadData reads and validates the data files under root for the
// languages langs.
func ReadData(root string, langs []string) (*Data, error) {
	var errs content.Errors
	load := func(file string, v any, validate func(root *yaml.Node) error) {
		b, err := read(root, file)
		if err == nil {
			var node *yaml.Node
			node, err = Decode(file, 0, b, v)
			if err == nil {
				err = validate(node)
			}
		}
		errs = append(errs, content.List(err)...)
	}
	var d Data
	load(DataFiles.Categories, &d.Categories, func(r *yaml.Node) error { return validateCategories(langs, d.Categories, r) })
	load(DataFiles.Cookies, &d.Cookies, func(r *yaml.Node) error { return validateCookies(langs, d.Categories, d.Cookies, r) })
	load(DataFiles.Products, &d.Products, func(r *yaml.Node) error { return validateProducts(langs, &d.Products, r) })
	load(DataFiles.Contact, &d.Contact, func(r *yaml.Node) error { return validateContact(langs, &d.Contact, r) })
	load(DataFiles.Notice, &d.Notice, func(r *yaml.Node) error { return validateNotice(langs, &d.Notice, r) })
	if len(errs) > 0 {
		return nil, errs
	}
	return &d, nil
}

// Header is one HTTP response header that every page is sent with.
type Header struct {
	Name, Value string
	Line        int // in HeadersFile
}

// headerName is an HTTP field name (RFC 9110's token).
var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// ReadHeaders reads the security headers (HeadersFile): the one definition
// of the CSP and its companions, which the preview sends, `site check`
// holds the pages to and the deploy gives the CDN.
func ReadHeaders(root string) ([]Header, error) {
	src, err := read(root, HeadersFile)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, YAMLError(HeadersFile, 0, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, content.Errorf(HeadersFile, 1, "expected a mapping of header names to values")
	}
	var hs []Header
	var errs content.Errors
	m := doc.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		k, v := m[i], m[i+1]
		switch {
		case !headerName.MatchString(k.Value):
			errs = append(errs, content.Errorf(HeadersFile, k.Line, "%q is not a header name", k.Value))
		case HeaderValue(hs, k.Value) != "":
			errs = append(errs, content.Errorf(HeadersFile, k.Line, "%s is defined twice", k.Value))
		case v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" || strings.ContainsAny(v.Value, "\r\n"):
			errs = append(errs, content.Errorf(HeadersFile, v.Line, "%s: the value must be a non-empty string on one line", k.Value))
		default:
			hs = append(hs, Header{k.Value, v.Value, k.Line})
		}
	}
	return hs, errs.Err()
}

// HeaderValue returns the value of header name in hs, or "".
func HeaderValue(hs []Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func read(root, file string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		// Error names the file: drop the path os errors repeat.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &content.Error{File: file, Err: err}
	}
	return b, nil
}
