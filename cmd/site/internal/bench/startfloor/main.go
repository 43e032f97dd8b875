// Command startfloor only starts and exits, linked with the libraries
// `site build` stands on: goldmark, html/template, yaml.v3 and minify.
// `site bench` times it beside the real site's build: no build with these
// libraries starts faster, so it is the floor under the real site's figure.
package main

import (
	_ "html/template"

	_ "github.com/tdewolff/minify/v2/css"
	_ "github.com/tdewolff/minify/v2/html"
	_ "github.com/tdewolff/minify/v2/js"
	_ "github.com/tdewolff/minify/v2/svg"
	_ "github.com/yuin/goldmark"
	_ "github.com/yuin/goldmark/parser"
	_ "github.com/yuin/goldmark/renderer/html"
	_ "go.yaml.in/yaml/v3"
)

func main() {}
