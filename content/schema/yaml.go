package schema

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"pelqim/content"
)

// Decode decodes src strictly (unknown keys are errors, as a misspelt
// key would otherwise be silently ignored) into v, and returns the document's
// root node so that later checks can point at a line. The text is parsed
// once: v is decoded from the node.
func Decode(file string, offset int, src []byte, v any) (*yaml.Node, error) {
	// yaml.v3 would say only "invalid leading UTF-8 octet", with no line.
	if err := ValidUTF8(file, offset, src); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, YAMLError(file, offset, err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Line: 1}, nil
	}
	root := doc.Content[0]
	// Decoding first lets yaml.v3 refuse a document whose aliases expand
	// without bound ("billion laughs") before the key check walks it.
	if err := root.Decode(v); err != nil {
		return nil, decodeError(file, offset, root, err)
	}
	if errs := unknownKeys(file, offset, root, reflect.TypeOf(v)); len(errs) > 0 {
		return nil, errs
	}
	return root, nil
}

// decodeError is YAMLError for a decoding error; one that names no line
// (a time that does not parse) is placed at the value it quotes.
func decodeError(file string, offset int, root *yaml.Node, err error) error {
	if yamlLine().MatchString(err.Error()) {
		return YAMLError(file, offset, err)
	}
	var at *yaml.Node
	var find func(*yaml.Node)
	find = func(n *yaml.Node) {
		if at != nil {
			return
		}
		if n.Kind == yaml.ScalarNode && n.Value != "" && strings.Contains(err.Error(), strconv.Quote(n.Value)) {
			at = n
		}
		for _, c := range n.Content {
			find(c)
		}
	}
	find(root)
	if at == nil {
		return YAMLError(file, offset, err)
	}
	return content.Errorf(file, at.Line+offset, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// unknownKeys reports the mapping keys under n that no field of t (by its
// yaml tag, as yaml.v3 names fields) would take, as yaml.v3's strict
// decoder does; Node.Decode has no strict mode.
func unknownKeys(file string, offset int, n *yaml.Node, t reflect.Type) content.Errors {
	k := keyCheck{file: file, offset: offset, seen: map[visit]bool{}}
	return k.check(n, t)
}

// keyCheck walks a document against a type; an anchored node is checked
// once per type however many aliases and merge keys repeat it, so a small
// document of nested merges cannot make the walk exponential.
type keyCheck struct {
	file   string
	offset int
	seen   map[visit]bool
}

type visit struct {
	n *yaml.Node
	t reflect.Type
}

func (k keyCheck) check(n *yaml.Node, t reflect.Type) content.Errors {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Anchor != "" {
		if k.seen[visit{n, t}] {
			return nil
		}
		k.seen[visit{n, t}] = true
	}
	var errs content.Errors
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode || reflect.PointerTo(t).Implements(unmarshaler) {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.ShortTag() == "!!merge" { // <<: *anchor, or a list of them
				merged := []*yaml.Node{n.Content[i+1]}
				if n.Content[i+1].Kind == yaml.SequenceNode {
					merged = n.Content[i+1].Content
				}
				for _, m := range merged {
					errs = append(errs, k.check(m, t)...)
				}
				continue
			}
			f, ok := yamlField(t, key.Value)
			if !ok {
				errs = append(errs, content.Errorf(k.file, key.Line+k.offset, "field %s not found in type %s", key.Value, t))
				continue
			}
			errs = append(errs, k.check(n.Content[i+1], f.Type)...)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				errs = append(errs, k.check(c, t.Elem())...)
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				errs = append(errs, k.check(n.Content[i], t.Elem())...)
			}
		}
	}
	return errs
}

var unmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// yamlField finds the field of struct t that yaml.v3 decodes key into: by
// its tag's name, else by its lowercased name.
// (No type here has ",inline" fields, which this does not follow.)
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// item returns the i-th element of a sequence node, or n itself when n is
// not a sequence, so that line lookups degrade to the nearest known line.
func item(n *yaml.Node, i int) *yaml.Node {
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

// field returns the value node of key in mapping n, or n when it is absent.
func field(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	}
	return n
}

// KeyLines maps the top-level keys of a YAML file to their lines.
type KeyLines map[string]int

func LinesOf(root *yaml.Node, offset int) KeyLines {
	lines := KeyLines{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		lines[root.Content[i].Value] = root.Content[i].Line + offset
	}
	return lines
}

// Line returns the line of key, or the file's first line when it is absent.
func (l KeyLines) Line(key string) int {
	if n, ok := l[key]; ok {
		return n
	}
	return 1
}

// ValidUTF8 reports the line of src's first byte that is not UTF-8 (src
// begins on line offset+1 of file).
func ValidUTF8(file string, offset int, src []byte) error {
	if utf8.Valid(src) {
		return nil
	}
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return content.Errorf(file, offset+1+bytes.Count(src[:i], []byte("\n")), "not valid UTF-8 (byte %#x): save the file as UTF-8", src[i])
		}
		i += n
	}
	return nil
}

// yamlLine matches the "line N: message" that go.yaml.in/yaml/v3 puts in
// its syntax and type errors. It and atLine are compiled when an error first
// needs them, not at every start.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+): (.*)`) })

var atLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`at line \d+`) })

// YAMLError turns a YAML error into one *Error per problem, with lines
// shifted by offset (the lines above the YAML, e.g. a front matter fence).
func YAMLError(file string, offset int, err error) error {
	var es content.Errors
	for _, line := range strings.Split(err.Error(), "\n") {
		m := yamlLine().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		// "already defined at line N" names a line of the YAML too.
		msg := atLine().ReplaceAllStringFunc(m[2], func(s string) string {
			k, _ := strconv.Atoi(strings.TrimPrefix(s, "at line "))
			return fmt.Sprintf("at line %d", k+offset)
		})
		es = append(es, content.Errorf(file, n+offset, "%s", msg))
	}
	if len(es) == 0 {
		return &content.Error{File: file, Line: offset + 1, Err: fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	return es.Err()
}
