package audit

import (
	"slices"
	"testing"

	"pelqim/content/schema"
)

func lifetime(t *testing.T, s string) *schema.Lifetime {
	t.Helper()
	l, err := schema.ParseLifetime(s)
	if err != nil {
		t.Fatal(err)
	}
	return &l
}

// TestCompare: each kind of finding from the observations that make it,
// and none from those that must not.
func TestCompare(t *testing.T) {
	day := 86400.0
	declared := []Declared{
		{Name: "pelqim_consent", Kind: "cookie", Category: "necessary", Lifetime: lifetime(t, "13mo")},
		{Name: "_ga", Kind: "cookie", Category: "statistics", Lifetime: lifetime(t, "2y")},
		{Name: "_ga_*", Kind: "cookie", Category: "statistics", Lifetime: lifetime(t, "2y")},
		{Name: "_fbp", Kind: "cookie", Category: "marketing", Lifetime: lifetime(t, "3mo")},
		{Name: "sess", Kind: "cookie", Category: "necessary", Lifetime: lifetime(t, "session")},
		{Name: "q", Kind: "localStorage", Category: "necessary"},
		{Name: "vid", Kind: "cookie", Category: "marketing", Domain: "video.example", Lifetime: lifetime(t, "1y")},
		{Name: "never", Kind: "cookie", Category: "necessary", Lifetime: lifetime(t, "1d")},
	}
	required := []string{"necessary"}
	none := func(cs ...Cookie) *Pass { return &Pass{Phase: None, Granted: required, Cookies: cs} }
	accept := func(grant string, cs ...Cookie) *Pass {
		return &Pass{Phase: Accept, Grant: grant, Granted: []string{"necessary", grant}, Cookies: cs}
	}
	ck := func(name string, days float64) Cookie {
		return Cookie{Name: name, Domain: "shop.example", Lifetime: days * day, Session: days == 0}
	}
	type want struct {
		kind Kind
		name string
		pass string
	}
	for _, tt := range []struct {
		name   string
		passes []*Pass
		want   []want // besides declared_not_seen
	}{
		{"clean", []*Pass{none(ck("pelqim_consent", 390), ck("sess", 0)), accept("statistics", ck("_ga", 400), ck("_ga_X", 400)), accept("marketing", ck("_fbp", 90))}, nil},
		{"undeclared", []*Pass{none(ck("_gax", 1))}, []want{{Undeclared, "_gax", "none"}}},
		{"prefix needs more than the prefix", []*Pass{none(ck("_ga_", 1))}, []want{{Undeclared, "_ga_", "none"}}},
		{"before consent", []*Pass{none(ck("_ga", 1)), accept("statistics", ck("_ga", 1))}, []want{{BeforeConsent, "_ga", "none"}}},
		{"reject is no consent", []*Pass{{Phase: Reject, Granted: required, Cookies: []Cookie{ck("_fbp", 1)}}}, []want{{BeforeConsent, "_fbp", "reject"}}},
		{"gpc keeps marketing off", []*Pass{{Phase: GPC, GPC: true, Granted: []string{"necessary", "preferences", "statistics"}, Cookies: []Cookie{ck("_ga", 1), ck("_fbp", 1)}}}, []want{{BeforeConsent, "_fbp", "gpc"}}},
		{"wrong category", []*Pass{accept("statistics"), accept("marketing", ck("_ga_W", 1))}, []want{{WrongCategory, "_ga_W", "accept:marketing"}}},
		{"necessary only with consent", []*Pass{none(), {Phase: Reject, Granted: required}, accept("statistics", ck("sess", 0))}, []want{{WrongCategory, "sess", "accept:statistics"}}},
		{"necessary after a choice", []*Pass{none(), {Phase: Reject, Granted: required, Cookies: []Cookie{ck("pelqim_consent", 390)}}, accept("statistics", ck("pelqim_consent", 390))}, nil},
		{"no baseline without reject", []*Pass{none(), accept("statistics", ck("sess", 0))}, nil},
		{"both categories need all", []*Pass{{Phase: Accept, Grant: "all", Granted: []string{"marketing", "necessary", "statistics"}, Cookies: []Cookie{ck("_fbp", 1)}}}, nil},
		{"expiry", []*Pass{accept("marketing", ck("_fbp", 365))}, []want{{ExpiryExceeds, "_fbp", "accept:marketing"}}},
		{"browser cap", []*Pass{accept("statistics", ck("_ga", 400))}, nil},
		{"session declared, persistent seen", []*Pass{none(ck("sess", 2))}, []want{{ExpiryExceeds, "sess", "none"}}},
		{"third party", []*Pass{{Phase: None, Granted: required, Hosts: []Host{{Host: "tracker.example", Requests: 2}}}}, []want{{ThirdPartyBeforeConsent, "tracker.example", "none"}}},
		{"third party with consent", []*Pass{accept("statistics"), {Phase: Accept, Grant: "statistics", Granted: []string{"necessary", "statistics"}, Hosts: []Host{{Host: "tracker.example"}}}}, nil},
		{"third-party cookie of its declared domain", []*Pass{accept("marketing", Cookie{Name: "vid", Domain: ".video.example", ThirdParty: true, Lifetime: day})}, nil},
		{"third-party cookie of another domain", []*Pass{accept("marketing", Cookie{Name: "_fbp", Domain: "other.example", ThirdParty: true, Lifetime: day})}, []want{{Undeclared, "_fbp", "accept:marketing"}}},
		{"storage", []*Pass{{Phase: None, Granted: required, Storage: []Storage{{Kind: "localStorage", Name: "q"}, {Kind: "sessionStorage", Name: "q"}}}}, []want{{Undeclared, "q", "none"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := Compare([]*Target{{URL: "https://shop.example/", Passes: tt.passes}}, declared, required)
			var got []want
			notSeen := 0
			for _, f := range fs {
				if f.Kind == DeclaredNotSeen {
					notSeen++
					if !f.Warning {
						t.Errorf("declared_not_seen %s is not a warning", f.Name)
					}
					continue
				}
				if f.Warning || f.Message == "" {
					t.Errorf("%+v: want an error with a message", f)
				}
				got = append(got, want{f.Kind, f.Name, f.Pass})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			if notSeen == 0 {
				t.Error(`no declared_not_seen: "never" is declared and never seen`)
			}
		})
	}
}
