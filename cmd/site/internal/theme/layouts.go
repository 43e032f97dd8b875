package theme

import (
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template/parse"
)

// Layouts are a theme's page layouts, parsed into one template set. A page
// renders base.html with the blocks its layout defines ("main", "head").
//
// The shared files, base.html and the partials, are parsed, and escaped by
// html/template, once for every layout: a layout's own templates are only
// the blocks it defines, and copies of the shared templates that reach them,
// all named "layout/name" in the set. (A set per layout, cloned from the
// shared one, copied and escaped every shared template for each layout: 8%
// of a small site's build.)
type Layouts struct {
	set *template.Template
	// own maps a layout to its names for the templates it has its own
	// copy of: "main" → "page/main".
	own map[string]map[string]string
	// files maps a template's name in the set to the file it was parsed
	// from ("page/main" → "page.html"), which errors name; escaping that
	// fails takes the tree away.
	files map[string]string
}

// Has reports whether there is a layout of that name.
func (ls *Layouts) Has(layout string) bool {
	_, ok := ls.own[layout]
	return ok
}

// Execute renders template name ("base.html" for a whole page) as layout
// has it.
func (ls *Layouts) Execute(w io.Writer, layout, name string, data any) error {
	return ls.set.ExecuteTemplate(w, ls.name(layout, name), data)
}

// name is layout's template name in the set.
func (ls *Layouts) name(layout, name string) string {
	if n, ok := ls.own[layout][name]; ok {
		return n
	}
	return name
}

// trees lists every parse tree of the set, by its name in the set.
func (ls *Layouts) trees() map[string]*parse.Tree {
	trees := map[string]*parse.Tree{}
	for _, t := range ls.set.Templates() {
		if t.Tree != nil {
			trees[t.Name()] = t.Tree
		}
	}
	return trees
}

// displayName is a set name as the theme's author wrote it: "page/main" is
// "main".
func (ls *Layouts) displayName(name string) string {
	if layout, rest, ok := strings.Cut(name, "/"); ok && ls.own[layout][rest] == name {
		return rest
	}
	return name
}

// unname rewrites the quoted set names in an error message as the theme's
// author wrote them: executing "page/main" is executing "main".
func (ls *Layouts) unname(msg string) string {
	for _, own := range ls.own {
		for name, setName := range own {
			msg = strings.ReplaceAll(msg, `"`+setName+`"`, `"`+name+`"`)
		}
	}
	return msg
}

// parse parses the shared files once and each layout against them; see
// Layouts. The set is escaped by Layouts.escape.
func (ss sources) parse() (*Layouts, []error) {
	set := template.New("theme").Funcs(Funcs)
	for _, s := range ss.shared {
		if _, err := set.New(s.name).Parse(s.text); err != nil {
			return nil, []error{err}
		}
	}
	shared := (&Layouts{set: set}).trees()
	ls := &Layouts{set: set, own: map[string]map[string]string{}, files: map[string]string{}}
	for name, tree := range shared {
		ls.files[name] = tree.ParseName
	}
	var errs []error
	for _, s := range ss.layouts {
		// Parsed alone, a layout's blocks do not replace the shared ones;
		// its errors read as they would in a set with them.
		alone, err := template.New(s.name).Funcs(Funcs).Parse(s.text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		defined := map[string]*parse.Tree{}
		for _, t := range alone.Templates() {
			// An empty define does not replace a shared template, as
			// text/template would not in one set; nor does the file's own
			// text outside its defines, usually empty, need a name.
			if t.Tree == nil || parse.IsEmptyTree(t.Tree.Root) && (shared[t.Name()] != nil || t.Name() == s.name) {
				continue
			}
			defined[t.Name()] = t.Tree
		}
		layout := strings.TrimSuffix(s.name, ".html")
		own := map[string]string{}
		for name := range reaching(shared, defined) {
			own[name] = layout + "/" + name
		}
		for name := range defined {
			own[name] = layout + "/" + name
		}
		for _, name := range slices.Sorted(maps.Keys(own)) {
			if taken := shared[own[name]]; taken != nil {
				at, _ := taken.ErrorContext(taken.Root)
				errs = append(errs, fmt.Errorf("template: %s: the name %q is the one layout %s gives its own %q: choose another", at, own[name], s.name, name))
				continue
			}
			tree := defined[name] // the layout's own parse: no copy needed
			if tree == nil {
				tree = shared[name].Copy()
			}
			tree.Name = own[name]
			rename(tree.Root, own)
			if _, err := set.AddParseTree(own[name], tree); err != nil {
				errs = append(errs, err)
			}
			ls.files[own[name]] = tree.ParseName
		}
		ls.own[layout] = own
	}
	return ls, errs
}

// escapeAll names the template that escape adds, a name no theme writes.
const escapeAll = "\x00escape"

// escape has html/template escape every layout, and the partials they
// render with {{.Shared}}, in one pass: through a template that calls each
// of them and renders nothing. Escaping copies a template for each further
// context it is called in (a partial called in text, and in a script); a
// later pass would copy a tree that an earlier one had already escaped,
// and escape its output twice. (A partial named by a value, {{.Shared
// $name}}, is escaped in a pass of its own when first rendered.)
func (ls *Layouts) escape() error {
	partials, _ := literalArgs(ls.trees(), "Shared")
	var calls strings.Builder
	seen := map[string]bool{}
	for _, layout := range slices.Sorted(maps.Keys(ls.own)) {
		for _, name := range append([]string{"base.html"}, partials...) {
			if n := ls.name(layout, name); !seen[n] && ls.set.Lookup(n) != nil {
				seen[n] = true
				fmt.Fprintf(&calls, "{{template %q .}}", n)
			}
		}
	}
	all, err := ls.set.New(escapeAll).Parse("{{if false}}" + calls.String() + "{{end}}")
	if err != nil {
		return err
	}
	return all.Execute(io.Discard, nil)
}

// reaching lists the shared templates that call one of the layout's
// defined templates, directly or through others: the layout needs its own
// copy of each.
func reaching(shared, defined map[string]*parse.Tree) map[string]bool {
	reach := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, tree := range shared {
			if reach[name] {
				continue
			}
			walkCalls(tree.Root, func(n *parse.TemplateNode) {
				if defined[n.Name] != nil || reach[n.Name] {
					reach[name], changed = true, true
				}
			})
		}
	}
	return reach
}

// rename points the calls in a layout's copy at the layout's own templates.
func rename(root *parse.ListNode, own map[string]string) {
	walkCalls(root, func(n *parse.TemplateNode) {
		if to, ok := own[n.Name]; ok {
			n.Name = to
		}
	})
}

// walkCalls calls f for every {{template}} call under n.
func walkCalls(n parse.Node, f func(*parse.TemplateNode)) {
	inspect(n, func(n parse.Node) {
		if t, ok := n.(*parse.TemplateNode); ok {
			f(t)
		}
	})
}
