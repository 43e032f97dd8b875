package content

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseOrigin returns s as a web origin the way browsers send it in the
// Origin header (scheme://host[:port], lowercase, no trailing slash), or an
// error when s is anything more or less: a path, a query, credentials.
// The config's consent.origins, the function's CONSENT_ORIGINS and
// `site serve -origins` all name origins this way.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	switch {
	case err != nil, u.Scheme != "https" && u.Scheme != "http", u.Host == "", u.Hostname() == "":
		return "", fmt.Errorf("%q is not an origin: want https://host or http://host:port", s)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || u.User != nil || u.Opaque != "":
		return "", fmt.Errorf("%q is not an origin: no path, query, fragment or user, just scheme://host[:port]", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// ParseOrigins reads a comma-separated list of origins (CONSENT_ORIGINS,
// `-origins`); an empty list is none.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for o := range strings.SplitSeq(list, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		p, err := ParseOrigin(o)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
