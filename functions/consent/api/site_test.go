package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestSiteContract: what site check holds the site to is what the handler
// takes.
func TestSiteContract(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[categoriesBody]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	if !slices.Equal(names, Categories()) {
		t.Errorf("the body's categories are %v, Categories() says %v", names, Categories())
	}
}
