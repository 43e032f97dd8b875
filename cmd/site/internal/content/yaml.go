package content

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// decodeYAML decodes src strictly (unknown keys are errors, as a misspelt
// key would otherwise be silently ignored) into v, and returns the document's
// root node so that later checks can point at a line.
func decodeYAML(file string, offset int, src []byte, v any) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, YAMLError(file, offset, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return nil, YAMLError(file, offset, err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Line: 1}, nil
	}
	return doc.Content[0], nil
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
