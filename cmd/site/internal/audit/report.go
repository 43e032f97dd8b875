package audit

import (
	"strings"
	"time"

	"pelqim/content/schema"
)

// Report is everything an audit saw and concluded. Its JSON form is
// described by report.schema.json (README.md says how to read it).
type Report struct {
	Version  int       `json:"version"` // of this format: 1
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"`
	Source   string    `json:"source"` // the site source whose declaration was compared
	Seed     uint64    `json:"seed"`   // of the crawl's order; 0: document order
	Targets  []*Target `json:"targets"`
	Findings []Finding `json:"findings"`
	// Problems are what could not be audited: a page that did not load or
	// settle, a start URL without our banner. Each is a clear line.
	Problems []string `json:"problems"`
	// Declared is the declaration the audit compared with, its texts in
	// Lang.
	Declared []Declared `json:"declared"`
	Lang     string     `json:"lang"`
}

// Target is one start URL and what the passes over its pages saw.
type Target struct {
	URL    string `json:"url"`
	Banner bool   `json:"banner"` // the page carries our banner: the choice phases ran
	// Pages are the pages phase none found, in the order visited; the
	// other phases load the same.
	Pages  []string `json:"pages"`
	Passes []*Pass  `json:"passes"`
}

// Pass is one phase in a fresh browser profile.
type Pass struct {
	Phase Phase `json:"phase"`
	// Grant, in phase accept, is the one category granted through the
	// banner's settings, or "all" for its Accept all button.
	Grant string `json:"grant,omitempty"`
	// Granted are the categories in force after the choice, as the
	// banner reports them (pelqim.consent()); before one, the required.
	Granted    []string       `json:"granted"`
	GPC        bool           `json:"gpc"`
	Seconds    float64        `json:"seconds"` // the pass's own time, choice included
	Visits     []Visit        `json:"visits"`
	Cookies    []Cookie       `json:"cookies"`
	SetCookies []SetCookie    `json:"setCookies"`
	Storage    []Storage      `json:"storage"`
	Hosts      []Host         `json:"thirdParties"`
	Screenshot []byte         `json:"-"` // the banner before the choice, JPEG
	first      map[string]int // key → index in Cookies or Storage
}

// Name is how reports name the pass: "accept:statistics", "reject".
func (p *Pass) Name() string {
	if p.Grant != "" {
		return string(p.Phase) + ":" + p.Grant
	}
	return string(p.Phase)
}

// Phase is what the audit does with the banner before it loads the pages.
type Phase string

const (
	None   Phase = "none"   // no choice
	Reject Phase = "reject" // Reject all
	Accept Phase = "accept" // one optional category at a time, then Accept all
	GPC    Phase = "gpc"    // Global Privacy Control on, then Accept all
)

// Phases are all phases, in the order they run.
var Phases = []Phase{None, Reject, Accept, GPC}

// Visit is one page load.
type Visit struct {
	URL    string  `json:"url"`
	Status int     `json:"status"`
	Ms     float64 `json:"ms"` // from navigation to settled
	Error  string  `json:"error,omitempty"`
	// problem is the error as the report's problems say it: without the
	// detail that differs from one pass to the next.
	problem string
}

// Cookie is a cookie in the browser's jar, HttpOnly ones included, as
// first seen in a pass.
type Cookie struct {
	Name     string  `json:"name"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	HTTPOnly bool    `json:"httpOnly"`
	Secure   bool    `json:"secure"`
	SameSite string  `json:"sameSite,omitempty"`
	Session  bool    `json:"session"`
	Expires  float64 `json:"expires,omitempty"` // Unix seconds; 0 for a session cookie
	// Lifetime is how long it had left when first seen, in seconds.
	Lifetime   float64 `json:"lifetimeSeconds,omitempty"`
	ThirdParty bool    `json:"thirdParty"`
	Page       string  `json:"firstPage"`
}

// SetCookie is a Set-Cookie header of a response (redirects, XHR and
// fetch included), whether or not the browser stored it.
type SetCookie struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	Status  int    `json:"status"`
	Blocked string `json:"blocked,omitempty"` // why the browser refused it
	Page    string `json:"page"`
}

// Storage is one key of localStorage or sessionStorage, or one IndexedDB
// database, of an origin.
type Storage struct {
	Kind       string `json:"kind"` // localStorage, sessionStorage, indexedDB
	Origin     string `json:"origin"`
	Name       string `json:"name"`
	ThirdParty bool   `json:"thirdParty"`
	Page       string `json:"firstPage"`
}

// Host is another site a page contacted.
type Host struct {
	Host     string `json:"host"`
	Page     string `json:"firstPage"`
	Requests int    `json:"requests"`
}

// Declared is one entry of cookies.yaml as the audit reads it.
type Declared struct {
	Name      string           `json:"name"`
	Kind      string           `json:"kind"`
	Category  string           `json:"category"`
	Domain    string           `json:"domain"`
	Recipient string           `json:"recipient"`
	Lifetime  *schema.Lifetime `json:"lifetime,omitempty"`
	Duration  string           `json:"duration"` // in the report's language
	Purpose   string           `json:"purpose"`
	Confirmed bool             `json:"confirmed"`
	Line      int              `json:"line"`
}

// Matches reports whether a cookie or storage name is this entry's: the
// same name, or, for a name ending in *, one that starts with the rest.
func (d *Declared) Matches(kind, name string) bool {
	if kind != d.Kind {
		return false
	}
	if p, ok := strings.CutSuffix(d.Name, "*"); ok {
		return len(name) > len(p) && strings.HasPrefix(name, p)
	}
	return name == d.Name
}

// Finding is one way the site differs from its declaration.
type Finding struct {
	Kind     Kind      `json:"kind"`
	Warning  bool      `json:"warning"` // does not fail the audit
	Name     string    `json:"name"`    // cookie, storage key or host
	Item     string    `json:"item"`    // cookie, localStorage, sessionStorage, indexedDB, host
	Domain   string    `json:"domain,omitempty"`
	Target   string    `json:"target,omitempty"`
	Pass     string    `json:"pass,omitempty"`
	Page     string    `json:"page,omitempty"`
	Declared *Declared `json:"declared,omitempty"`
	Message  string    `json:"message"`
}

// Kind is a finding's stable name.
type Kind string

const (
	Undeclared              Kind = "undeclared"
	BeforeConsent           Kind = "before_consent"
	WrongCategory           Kind = "wrong_category"
	ExpiryExceeds           Kind = "expiry_exceeds"
	ThirdPartyBeforeConsent Kind = "third_party_before_consent"
	DeclaredNotSeen         Kind = "declared_not_seen"
)

// Kinds are the kinds of finding, in the order reports list them.
var Kinds = []Kind{Undeclared, BeforeConsent, WrongCategory, ExpiryExceeds, ThirdPartyBeforeConsent, DeclaredNotSeen}

// Unconfirmed lists the declared entries the store has not confirmed yet
// (confirmed: false, which a release refuses) that this audit saw, and
// saw as declared: no finding names them. Their confirmed may be set.
func (r *Report) Unconfirmed() []string {
	var names []string
	for _, d := range r.Declared {
		ok := !d.Confirmed
		for _, f := range r.Findings {
			if f.Declared != nil && f.Declared.Name == d.Name && f.Declared.Kind == d.Kind {
				ok = false
			}
		}
		if ok {
			names = append(names, d.Name)
		}
	}
	return names
}

// Failed reports whether the audit found what must fail it: any finding
// but a warning, or a page it could not audit.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if !f.Warning {
			return true
		}
	}
	return len(r.Problems) > 0
}
