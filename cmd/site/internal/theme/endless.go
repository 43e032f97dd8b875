package theme

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"pelqim/content"
)

// cycles reports the endless templates of the loaded layouts at the lines
// as written (the minified layouts, checked since they are parsed anyway,
// have other lines), or at the minified lines where those do not parse.
func (t *Theme) cycles() []error {
	found := t.endless(t.Layouts)
	if len(found) == 0 {
		return nil
	}
	if orig, err := t.Unminified(); err == nil {
		if as := t.endless(orig); len(as) > 0 {
			return as
		}
	}
	return found
}

// endless reports the templates that call themselves, directly or through
// others, outside any if, range or with: rendering one could never end.
// text/template would stop only at a depth of 100,000 calls, after seconds
// and much memory.
func (t *Theme) endless(ls *Layouts) []error {
	var errs []error
	seen := map[string]bool{} // the cycles reported, by their templates
	trees := ls.trees()
	calls := map[string][]*parse.TemplateNode{}
	for name, tree := range trees {
		calls[name] = unconditionalCalls(tree.Root)
	}
	for _, start := range slices.Sorted(maps.Keys(calls)) {
		path := cycle(start, calls)
		if path == nil {
			continue
		}
		// The same cycle reached from another of its templates, or in
		// another layout's copy of a shared one: once. Layouts may each
		// define a "main", so a template is its file and name.
		shown := make([]string, len(path))
		var members []string
		for i, n := range path {
			shown[i] = ls.displayName(n)
			if i > 0 {
				members = append(members, trees[n].ParseName+"/"+shown[i])
			}
		}
		slices.Sort(members)
		key := strings.Join(members, " ")
		if seen[key] {
			continue
		}
		seen[key] = true
		first := calls[start][slices.IndexFunc(calls[start], func(n *parse.TemplateNode) bool { return n.Name == path[1] })]
		at, _ := trees[start].ErrorContext(first)
		file, line := t.position(at)
		errs = append(errs, content.Errorf(file, line, "%s calls itself (%s) outside any if, range or with: rendering it would never end",
			shown[0], strings.Join(shown, " → ")))
	}
	return errs
}

// cycle returns a path of unconditional calls from start back to start
// (start, ..., start), or nil.
func cycle(start string, calls map[string][]*parse.TemplateNode) []string {
	visited := map[string]bool{}
	var path []string
	var visit func(name string) bool
	visit = func(name string) bool {
		path = append(path, name)
		for _, c := range calls[name] {
			if c.Name == start {
				path = append(path, start)
				return true
			}
			if !visited[c.Name] {
				visited[c.Name] = true
				if visit(c.Name) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if visit(start) {
		return path
	}
	return nil
}

// unconditionalCalls lists the {{template}} calls that run whenever list
// does: not those inside an if, range or with.
func unconditionalCalls(list *parse.ListNode) []*parse.TemplateNode {
	var calls []*parse.TemplateNode
	if list == nil {
		return nil
	}
	for _, n := range list.Nodes {
		if c, ok := n.(*parse.TemplateNode); ok {
			calls = append(calls, c)
		}
	}
	return calls
}

// position turns text/template's "name:line:col" into the theme file and
// line it names.
func (t *Theme) position(at string) (file string, line int) {
	parts := strings.Split(at, ":")
	if len(parts) >= 2 {
		line, _ = strconv.Atoi(parts[1])
	}
	return t.layoutFile(parts[0]), line
}
