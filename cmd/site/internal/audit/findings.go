package audit

import (
	"fmt"
	"slices"
	"time"
)

// BrowserCap is the longest Chromium keeps a cookie, whatever its
// Expires or Max-Age say (RFC 6265bis): a lifetime declared longer is
// held to this.
const BrowserCap = 400 * 24 * time.Hour

// slack absorbs the seconds between a cookie's setting and its reading.
const slack = time.Hour

// Compare derives the findings from what the passes saw. required are the
// categories that need no consent (the banner's always-on ones).
func Compare(targets []*Target, declared []Declared, required []string) []Finding {
	c := comparison{declared: declared, required: required, seen: map[int]bool{}, said: map[string]bool{}, granted: map[string][]string{}}
	for _, t := range targets {
		c.target(t)
	}
	for i := range declared {
		if !c.seen[i] {
			d := &declared[i]
			c.add(Finding{Kind: DeclaredNotSeen, Warning: true, Name: d.Name, Item: d.Kind, Domain: d.Domain, Declared: d,
				Message: "declared, never seen: it may need a login, a purchase or a visit from an ad"})
		}
	}
	slices.SortStableFunc(c.out, func(a, b Finding) int { return slices.Index(Kinds, a.Kind) - slices.Index(Kinds, b.Kind) })
	return c.out
}

// ordered puts the passes without consent first, so that an item set
// before consent is said so once, and not again as a wrong category.
func ordered(ps []*Pass) []*Pass {
	rank := map[Phase]int{None: 0, Reject: 1, Accept: 2, GPC: 3}
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b *Pass) int { return rank[a.Phase] - rank[b.Phase] })
	return ps
}

type comparison struct {
	declared []Declared
	required []string
	seen     map[int]bool        // declared entries matched
	said     map[string]bool     // item+kind already reported
	granted  map[string][]string // by pass name
	out      []Finding
}

// add reports f unless its item has been reported with that kind, or has
// a before_consent finding that explains a wrong_category one.
func (c *comparison) add(f Finding) {
	key := func(k Kind) string { return string(k) + "\x00" + f.Item + "\x00" + f.Name + "\x00" + f.Domain }
	if c.said[key(f.Kind)] || f.Kind == WrongCategory && c.said[key(BeforeConsent)] {
		return
	}
	c.said[key(f.Kind)] = true
	c.out = append(c.out, f)
}

func (c *comparison) match(item, name string, thirdParty bool, domain string) (int, *Declared) {
	for i := range c.declared {
		d := &c.declared[i]
		// A first-party item may be any entry's: the declaration's domain
		// is the store's production one, the audited origin may be a
		// staging copy. Another site's must be declared as that site's.
		if d.Matches(item, name) && (!thirdParty || domainMatch(domain, d.Domain)) {
			return i, d
		}
	}
	return -1, nil
}

// target compares the passes of one start URL. An item declared in a
// required category that shows up only once an optional one is granted,
// never after Reject all, is that category's, not the declared one's.
func (c *comparison) target(t *Target) {
	baseline := map[string]bool{} // items seen without optional consent
	later := map[string]Finding{} // required items first seen with it
	var order []string
	rejected := false
	for _, p := range ordered(t.Passes) {
		rejected = rejected || p.Phase == Reject
		for _, o := range c.pass(t, p) {
			key := o.Item + "\x00" + o.Name + "\x00" + o.Domain
			switch {
			case !c.consented(p):
				baseline[key] = true
			case !baseline[key] && o.Declared != nil && slices.Contains(c.required, o.Declared.Category):
				if _, ok := later[key]; !ok {
					later[key], order = o, append(order, key)
				}
			}
		}
	}
	if !rejected {
		return // without the baseline of Reject all, nothing to tell
	}
	for _, key := range order {
		if f := later[key]; !baseline[key] {
			f.Kind = WrongCategory
			f.Message = fmt.Sprintf("declared %s, but never set after Reject all; first set in phase %s, which granted %s", f.Declared.Category, f.Pass, list(c.granted[f.Pass]))
			c.add(f)
		}
	}
}

// consented reports whether the pass granted an optional category.
func (c *comparison) consented(p *Pass) bool {
	return slices.ContainsFunc(p.Granted, func(g string) bool { return !slices.Contains(c.required, g) })
}

// pass compares one pass and returns what it saw, matched.
func (c *comparison) pass(t *Target, p *Pass) []Finding {
	c.granted[p.Name()] = p.Granted
	var seen []Finding
	granted := p.Granted
	where := fmt.Sprintf("in phase %s", p.Name())
	check := func(item, name, domain, page string, thirdParty bool, ck *Cookie) {
		f := Finding{Item: item, Name: name, Domain: domain, Target: t.URL, Pass: p.Name(), Page: page}
		i, d := c.match(item, name, thirdParty, domain)
		f.Declared = d
		seen = append(seen, f)
		if d == nil {
			f.Kind, f.Message = Undeclared, fmt.Sprintf("%s %s, not in the declaration", where, describe(ck))
			c.add(f)
			return
		}
		c.seen[i] = true
		if !slices.Contains(granted, d.Category) {
			f.Kind = WrongCategory
			f.Message = fmt.Sprintf("declared %s, but set %s, which granted %s", d.Category, where, list(granted))
			if p.Phase != Accept {
				f.Kind = BeforeConsent
				f.Message = fmt.Sprintf("declared %s, present %s, before %s was granted", d.Category, where, d.Category)
			}
			c.add(f)
		}
		if ck != nil && d.Lifetime != nil {
			if over, say := exceeds(ck, d); over {
				f.Kind, f.Message = ExpiryExceeds, say
				c.add(f)
			}
		}
	}
	for i := range p.Cookies {
		ck := &p.Cookies[i]
		check("cookie", ck.Name, ck.Domain, ck.Page, ck.ThirdParty, ck)
	}
	for _, s := range p.Storage {
		check(s.Kind, s.Name, s.Origin, s.Page, s.ThirdParty, nil)
	}
	if !c.consented(p) {
		for _, h := range p.Hosts {
			c.add(Finding{Kind: ThirdPartyBeforeConsent, Item: "host", Name: h.Host, Target: t.URL, Pass: p.Name(), Page: h.Page,
				Message: fmt.Sprintf("contacted %s, before any optional category was granted (%d requests)", where, h.Requests)})
		}
	}
	return seen
}

// exceeds compares a cookie's remaining lifetime with the declared one,
// held to what the browser keeps.
func exceeds(ck *Cookie, d *Declared) (bool, string) {
	if ck.Session {
		return false, ""
	}
	if d.Lifetime.Session() {
		return true, fmt.Sprintf("declared a session cookie, but kept for %s", days(ck.Lifetime))
	}
	limit := min(d.Lifetime.Max(), BrowserCap)
	if time.Duration(ck.Lifetime*float64(time.Second)) > limit+slack {
		return true, fmt.Sprintf("declared %s (at most %s), but kept for %s", d.Lifetime, days(limit.Seconds()), days(ck.Lifetime))
	}
	return false, ""
}

func days(seconds float64) string {
	if seconds < 86400 {
		return fmt.Sprintf("%.1f hours", seconds/3600)
	}
	return fmt.Sprintf("%.1f days", seconds/86400)
}

func describe(ck *Cookie) string {
	if ck != nil && ck.HTTPOnly {
		return "(HttpOnly, from a response header)"
	}
	return ""
}

func list(cats []string) string {
	if len(cats) == 0 {
		return "nothing"
	}
	return fmt.Sprint(cats)
}

// domainMatch reports whether a cookie's domain (".example.com" for a
// domain cookie) or an origin's host is d or under it.
func domainMatch(domain, d string) bool {
	h := hostOf(domain)
	return h == d || len(h) > len(d) && h[len(h)-len(d)-1:] == "."+d
}
