package records

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"pelqim/content"
	"pelqim/functions/consent/store"
)

// TestCategories: the body a record is posted in, and the record as
// stored, have a member for each of the site's cookie categories
// (content.Categories), in their order: a category the site adds, renames
// or drops would otherwise make every record a 400.
func TestCategories(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[categoriesBody](), reflect.TypeFor[store.Categories]()} {
		var names []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			names = append(names, name)
		}
		if !slices.Equal(names, content.Categories) {
			t.Errorf("%s has the categories %v, content.Categories are %v", typ, names, content.Categories)
		}
	}
}
