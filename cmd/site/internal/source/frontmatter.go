package source

import (
	"bytes"
	"pelqim/content/schema"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// quickFrontMatter decodes the front matter most pages have, one
// "key: value" line per field, without yaml.v3, which spends about 25 µs
// and 160 allocations a page building nodes (a tenth of a large site's
// build). It takes only lines whose meaning is plain, and gives up (ok
// false) on anything else: comments after a value, escapes, folded or
// nested values, a repeated or unknown key, a value YAML would read as
// another type. Then yaml.v3 decodes the whole and reports what is wrong,
// so YAML stays what editors write. FuzzQuickFrontMatter holds it to
// yaml.v3's result.
func quickFrontMatter(src []byte) (fm FrontMatter, lines schema.KeyLines, ok bool) {
	lines = schema.KeyLines{}
	for n := 2; len(src) > 0; n++ { // line 1 is the opening "---"
		var line []byte
		line, src = cutLine(src)
		// One line break: any other \r is one more to YAML, and left to it.
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(bytes.TrimLeft(line, " ")) == 0 || line[0] == '#' && printable(string(line)) {
			continue
		}
		key, value, found := strings.Cut(string(line), ": ")
		if !found || lines[key] != 0 {
			return fm, nil, false
		}
		lines[key] = n
		if !fm.set(key, strings.Trim(value, " ")) {
			return fm, nil, false
		}
	}
	return fm, lines, true
}

// set decodes value, trimmed of spaces, into the field named key, if it is
// plain.
func (fm *FrontMatter) set(key, value string) bool {
	var s *string
	switch key {
	case "title":
		s = &fm.Title
	case "slug":
		s = &fm.Slug
	case "translationKey":
		s = &fm.TranslationKey
	case "layout":
		s = &fm.Layout
	case "description":
		s = &fm.Description
	case "weight":
		w, ok := plainInt(value)
		fm.Weight = w
		return ok
	case "date":
		return plainDate(value, &fm.Date)
	case "lastmod":
		return plainDate(value, &fm.Lastmod)
	case "draft":
		fm.Draft = value == "true"
		return value == "true" || value == "false"
	default:
		return false
	}
	v, ok := plainString(value)
	*s = v
	return ok
}

// plainString reads a string on one line: in double or single quotes with
// no escape in it, or a plain scalar that starts with a letter and is no
// word YAML reads as null or a boolean.
func plainString(v string) (string, bool) {
	if !printable(v) || v == "" {
		return "", false
	}
	if q := v[0]; q == '"' || q == '\'' {
		if len(v) < 2 || v[len(v)-1] != q {
			return "", false
		}
		inner := v[1 : len(v)-1]
		if strings.IndexByte(inner, q) >= 0 || q == '"' && strings.IndexByte(inner, '\\') >= 0 {
			return "", false
		}
		return inner, true
	}
	r, _ := utf8.DecodeRuneInString(v)
	if !unicode.IsLetter(r) || strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return "", false
	}
	switch strings.ToLower(v) {
	case "null", "true", "false", "yes", "no", "on", "off", "y", "n":
		return "", false
	}
	return v, true
}

// printable is YAML's printable set less tab, NEL, the byte order mark and
// the Unicode line and paragraph separators: text with anything else is
// left to yaml.v3.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7F:
		case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF, r >= 0x10000 && r <= 0x10FFFF:
			if r == 0x2028 || r == 0x2029 { // line breaks to YAML
				return false
			}
		default:
			return false
		}
	}
	return true
}

// plainInt reads a decimal integer with no sign, leading zero or
// underscore, which YAML could read otherwise.
func plainInt(v string) (int, bool) {
	if v == "" || len(v) > 9 || v[0] == '0' && v != "0" {
		return 0, false
	}
	for i := range len(v) {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// plainDate reads a date as YYYY-MM-DD, the form editors write; a time of
// day is left to yaml.v3.
func plainDate(v string, t *time.Time) bool {
	if len(v) != len(time.DateOnly) {
		return false
	}
	d, err := time.Parse(time.DateOnly, v)
	*t = d
	return err == nil
}
