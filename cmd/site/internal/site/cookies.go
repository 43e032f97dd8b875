package site

import (
	"fmt"
	"strconv"
	"strings"

	"pelqim/content/schema"
)

// Cookies lists the declared cookies of a category (all, for ""), with
// each duration in lang, its lifetime written there.
func (s *Site) Cookies(lang, category string) ([]schema.Cookie, error) {
	var cs []schema.Cookie
	for _, c := range s.Content.Data.Cookies {
		if category != "" && c.Category != category {
			continue
		}
		if c.Lifetime != nil {
			p, err := s.Period(lang, *c.Lifetime)
			if err != nil {
				return nil, err
			}
			c.Duration = schema.Text{lang: strings.Replace(c.Duration[lang], schema.LifetimeMark, p, 1)}
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// Period writes a lifetime in lang: "13 months", "Sesija". The theme gives
// each unit's forms (period_d, period_mo, period_y), split by |, in the
// CLDR order of the language's plural rule.
func (s *Site) Period(lang string, l schema.Lifetime) (string, error) {
	key := "period_session"
	if !l.Session() {
		key = "period_" + l.Unit
	}
	t, ok := s.Theme.Strings[lang][key]
	if !ok {
		return "", fmt.Errorf("%s/i18n/%s.yaml has no key %q", s.Theme.Dir, lang, key)
	}
	if l.Session() {
		return t, nil
	}
	forms := strings.Split(t, "|")
	var form string
	switch n := l.N; len(forms) {
	case 2: // one, other
		form = forms[min(n-1, 1)]
	case 3: // one, few, other: the rule of Serbian, Croatian, Bosnian
		switch n10, n100 := n%10, n%100; {
		case n10 == 1 && n100 != 11:
			form = forms[0]
		case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
			form = forms[1]
		default:
			form = forms[2]
		}
	default:
		return "", fmt.Errorf("%s/i18n/%s.yaml: %s must give 2 or 3 forms split by |", s.Theme.Dir, lang, key)
	}
	return strings.ReplaceAll(strings.TrimSpace(form), "{n}", strconv.Itoa(l.N)), nil
}
