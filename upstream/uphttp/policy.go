package uphttp

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"unicode"
)

// Policy is the outgoing request policy, like Mattermost's "untrusted" HTTP
// client: connections to loopback, private, link-local and other reserved
// addresses (and to the server's own addresses) are refused unless the host
// or address is allowed, or developer mode is on.
type Policy struct {
	// AllowInternal lists hostnames, IP addresses and CIDR ranges that may
	// be internal, as in Mattermost's
	// ServiceSettings.AllowedUntrustedInternalConnections (see
	// ParseAllowList).
	AllowInternal []string
	// DeveloperMode allows every address.
	DeveloperMode bool
}

// AllowSetting is the Mattermost setting that lists allowed internal hosts.
const AllowSetting = "ServiceSettings.AllowedUntrustedInternalConnections"

// ErrNotAllowed is matched by *PolicyError.
var ErrNotAllowed = errors.New("connection not allowed")

// PolicyError is the error of a connection the Policy refused.
type PolicyError struct {
	// Host is the host name or address the URL names.
	Host string
	// Addr is the address it resolved to.
	Addr netip.Addr
}

func (e *PolicyError) Error() string {
	target := e.Addr.String()
	if h := strings.Trim(e.Host, "[]"); h != "" && h != target {
		target = h + " (" + target + ")"
	}
	return "connecting to " + target + " is not allowed: add the host to " + AllowSetting + " (or enable developer mode)"
}

// Is makes PolicyError match ErrNotAllowed.
func (e *PolicyError) Is(target error) bool { return target == ErrNotAllowed }

// ParseAllowList splits a space and/or comma separated list (the format of
// ServiceSettings.AllowedUntrustedInternalConnections).
func ParseAllowList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// allowsHost reports whether host (a name or literal address from a URL) is
// listed as is.
func (p Policy) allowsHost(host string) bool {
	host = normalizeHost(host)
	for _, a := range p.AllowInternal {
		if normalizeHost(a) == host {
			return true
		}
	}
	return false
}

// allowsAddr reports whether a connection to addr is allowed.
func (p Policy) allowsAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !isInternal(addr) && !isOwnAddr(addr) {
		return true
	}
	for _, a := range p.AllowInternal {
		if pfx, err := netip.ParsePrefix(a); err == nil {
			if pfx.Masked().Contains(addr) {
				return true
			}
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil && ip.Unmap() == addr {
			return true
		}
	}
	return false
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// reservedPrefixes returns the special-purpose ranges (RFC 6890 and
// friends) that Mattermost's untrusted client refuses, beyond what netip
// classifies.
func reservedPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("192.88.99.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("64:ff9b::/96"),
		netip.MustParsePrefix("2001:db8::/32"),
	}
}

// isInternal reports whether addr is loopback, private, link-local,
// multicast, unspecified or otherwise reserved.
func isInternal(addr netip.Addr) bool {
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsUnspecified() ||
		addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() {
		return true
	}
	for _, p := range reservedPrefixes() {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// isOwnAddr reports whether addr belongs to one of this host's interfaces.
func isOwnAddr(addr netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == addr {
				return true
			}
		}
	}
	return false
}
