package api

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// clientNet anonymises a client address (IP, or IP and port) to its
// network, IPv4 /24 or IPv6 /48, e.g. "203.0.113.0/24". The raw address is
// never stored. Unparseable input gives "".
func clientNet(addr string) string {
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

// viewerIP reads CloudFront-Viewer-Address, always "IP:port": "ipv4:port",
// and IPv6 usually unbracketed ("2001:db8::1:443", the port after the last
// colon), bracketed ("[2001:db8::1]:443") accepted too.
func viewerIP(header string) string {
	header = strings.TrimSpace(header)
	if ap, err := netip.ParseAddrPort(header); err == nil {
		return ap.Addr().String()
	}
	i := strings.LastIndexByte(header, ':')
	if i < 0 || !isPort(header[i+1:]) {
		return ""
	}
	ip, err := netip.ParseAddr(header[:i])
	if err != nil || !ip.Is6() {
		return ""
	}
	return ip.String()
}

func isPort(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// truncateUTF8 makes s valid UTF-8 and cuts it to at most n bytes on a
// character boundary.
func truncateUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
