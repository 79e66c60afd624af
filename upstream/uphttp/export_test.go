package uphttp

import "net/netip"

// AllowsAddr exposes Policy.allowsAddr to tests.
func (p Policy) AllowsAddr(addr string) bool { return p.allowsAddr(netip.MustParseAddr(addr)) }
