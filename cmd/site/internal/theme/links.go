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
	visit := func(n parse.Node) {
		c, ok := n.(*parse.CommandNode)
		if !ok {
			return
		}
		for i, a := range c.Args {
			if !calls(a, method) {
				continue
			}
			if i+1 < len(c.Args) {
				if s, ok := c.Args[i+1].(*parse.StringNode); ok {
					args = append(args, s.Text)
					continue
				}
			}
			any = true
		}
	}
	for _, t := range trees {
		inspect(t.Root, visit)
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

// inspect calls f for n and for every node under it, as go/ast.Inspect
// does for Go.
func inspect(n parse.Node, f func(parse.Node)) {
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				inspect(c, f)
			}
		}
	case *parse.ActionNode:
		inspect(n.Pipe, f)
	case *parse.IfNode:
		inspect(&n.BranchNode, f)
	case *parse.RangeNode:
		inspect(&n.BranchNode, f)
	case *parse.WithNode:
		inspect(&n.BranchNode, f)
	case *parse.BranchNode:
		inspect(n.Pipe, f)
		inspect(n.List, f)
		inspect(n.ElseList, f)
	case *parse.TemplateNode:
		inspect(n.Pipe, f)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				inspect(c, f)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			inspect(a, f)
		}
	}
}
