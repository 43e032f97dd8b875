package api

import (
	"net/http"
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
	for _, path := range []string{ConsentPath, RequestsPath} {
		i := slices.IndexFunc(routes, func(r route) bool { return r.pattern == path })
		if i < 0 || routes[i].methods[http.MethodPost] == nil {
			t.Errorf("no POST %s among the routes", path)
		}
	}
}
