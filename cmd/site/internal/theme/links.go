package theme

import (
	"slices"
	"text/template/parse"
)

// literalArgs lists the string literals the layouts pass to the View
// method of that name, as in {{.URLOf "cookies"}} or {{.Shared
// "footer.html"}}; any is true when some call passes a value only known
// as the page renders. The layouts' links ({{.URLOf}}) make a page depend
// on the pages it names; their shared partials ({{.Shared}}) are escaped
// with the layouts.
func literalArgs(trees map[string]*parse.Tree, method string) (args []string, any bool) {
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
				if !calls(a, method) {
					walk(a)
					continue
				}
				if i+1 < len(n.Args) {
					if s, ok := n.Args[i+1].(*parse.StringNode); ok {
						args = append(args, s.Text)
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
	slices.Sort(args)
	return slices.Compact(args), any
}

// calls tells whether a command argument is the method, as .URLOf or
// $.URLOf.
func calls(n parse.Node, method string) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == method
}
