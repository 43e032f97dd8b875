package httpapi

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// ClientNet anonymises a client address (IP, or IP and port) to its
// network, IPv4 /24 or IPv6 /48, e.g. "203.0.113.0/24": what the records
// keep of a visitor, never the address itself. Unparseable input gives "".
func ClientNet(addr string) string {
	ip, ok := parseIP(addr)
	if !ok {
		return ""
	}
	ip = ip.Unmap()
	bits := 48
	if ip.Is4() {
		bits = 24
	}
	p, err := ip.WithZone("").Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// parseIP reads "ip", "ipv4:port" or "[ipv6]:port".
func parseIP(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	ip, err := netip.ParseAddr(s)
	return ip, err == nil
}

// TruncateUTF8 makes s valid UTF-8 and cuts it to at most n bytes on a
// character boundary.
func TruncateUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
