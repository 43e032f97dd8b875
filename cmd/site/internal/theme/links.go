package theme

import (
	"slices"
	"text/template/parse"
)

// linkedKeys lists the translation keys the layouts link to by name, as in
// {{.URLOf "cookies"}}: a page shows those pages' addresses, so it depends
// on their front matter. any is true when some call names its page with a
// value only known when the page renders; then any page may be linked.
func linkedKeys(trees map[string]*parse.Tree) (keys []string, any bool) {
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(&n.BranchNode)
		case *parse.RangeNode:
			walk(&n.BranchNode)
		case *parse.WithNode:
			walk(&n.BranchNode)
		case *parse.BranchNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for i, a := range n.Args {
				if !callsURLOf(a) {
					walk(a)
					continue
				}
				if i+1 < len(n.Args) {
					if s, ok := n.Args[i+1].(*parse.StringNode); ok {
						keys = append(keys, s.Text)
						continue
					}
				}
				any = true
			}
		}
	}
	for _, t := range trees {
		walk(t.Root)
	}
	slices.Sort(keys)
	return slices.Compact(keys), any
}

// callsURLOf tells whether a command argument is the URLOf method, as
// .URLOf or $.URLOf.
func callsURLOf(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == "URLOf"
}
