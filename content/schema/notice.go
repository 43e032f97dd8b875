package schema

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"pelqim/content"
)

// Notice is content/data/notice.yaml: what GDPR Art. 13 and Kosovo's Law
// No. 06/L-082 on the Protection of Personal Data ask a privacy notice to
// tell, as data, so that the policy page shows it in every language and
// `site check` knows which of it the store has confirmed. The store's name,
// address and email are the contact data's (contact.yaml), not copied here.
type Notice struct {
	Controller struct {
		LegalName    Fact `yaml:"legalName"`    // as registered
		Registration Fact `yaml:"registration"` // the business number
		Contact      Fact `yaml:"contact"`      // where privacy questions go
		DPO          Fact `yaml:"dpo"`          // the data protection officer, or that there is none
	} `yaml:"controller"`
	Activities []Activity `yaml:"activities"`
	// Rights is who has which rights, and how to use them.
	Rights Fact `yaml:"rights"`
	// Authority is the supervisory authority a complaint goes to.
	Authority struct {
		Name    Fact `yaml:"name"`
		Address Fact `yaml:"address"`
		Contact Fact `yaml:"contact"`
		URL     Fact `yaml:"url"`
	} `yaml:"authority"`
	Automated Fact `yaml:"automated"` // automated decisions and profiling
}

// Activity is one processing activity: why, what, on which legal basis,
// who receives it, where it goes, how long it is kept.
type Activity struct {
	Purpose    Fact `yaml:"purpose"`
	Data       Fact `yaml:"data"`
	Basis      Fact `yaml:"basis"`
	Recipients Fact `yaml:"recipients"`
	Transfers  Fact `yaml:"transfers"`
	Retention  Fact `yaml:"retention"`
}

// Fact is one statement of the notice: a text in every language (or a
// value that reads the same in all, such as an address), and whether the
// store has confirmed it. What it has not is shown with a mark that says
// so, and no release is published while any remains (site check -release,
// the deploy).
type Fact struct {
	Text      Text   `yaml:"text"`
	Value     string `yaml:"value"`
	Confirmed bool   `yaml:"confirmed"`
	Line      int    `yaml:"-"` // in its file, for errors
}

// In is the fact in lang.
func (f Fact) In(lang string) string {
	if f.Value != "" {
		return f.Value
	}
	return f.Text[lang]
}

// Unconfirmed lists, as file:line errors, every fact of the notice and
// every cookie the store has not confirmed.
func Unconfirmed(d *Data) []error {
	var errs []error
	walkFacts(reflect.ValueOf(&d.Notice).Elem(), "", func(path string, f *Fact) {
		if !f.Confirmed {
			errs = append(errs, content.Errorf(DataFiles.Notice, f.Line, "%s: not confirmed by the store", path))
		}
	})
	for _, c := range d.Cookies {
		if !c.Confirmed {
			errs = append(errs, content.Errorf(DataFiles.Cookies, c.Line, "cookie %q: not confirmed by the store (or the cookie audit)", c.Name))
		}
	}
	return errs
}

var factType = reflect.TypeFor[Fact]()

// walkFacts calls fn with every Fact under v and its path (controller.dpo,
// activities[2].basis).
func walkFacts(v reflect.Value, path string, fn func(string, *Fact)) {
	switch {
	case v.Type() == factType:
		fn(path, v.Addr().Interface().(*Fact))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			walkFacts(v.Field(i), strings.TrimPrefix(path+"."+name, "."), fn)
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			walkFacts(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// validateNotice requires every fact to say something, a text in every
// language or one value, and notes each one's line.
func validateNotice(langs []string, n *Notice, root *yaml.Node) error {
	v := &validator{file: DataFiles.Notice, langs: langs}
	walkFacts(reflect.ValueOf(n).Elem(), "", func(path string, f *Fact) {
		node := nodeAt(root, path)
		f.Line = node.Line
		switch {
		case f.Value != "" && f.Text != nil:
			v.errorf(node, "%s: a text or a value, not both", path)
		case f.Value == "":
			v.text(node, path, f.Text)
		}
	})
	if len(n.Activities) == 0 {
		v.errorf(root, "no processing activities")
	}
	return v.errs.Err()
}

// nodeAt finds the node of a path walkFacts names, or the nearest above it.
func nodeAt(root *yaml.Node, path string) *yaml.Node {
	n := root
	for part := range strings.SplitSeq(path, ".") {
		name, index, indexed := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		n = field(n, name)
		if indexed {
			var i int
			fmt.Sscan(index, &i)
			n = item(n, i)
		}
	}
	return n
}
