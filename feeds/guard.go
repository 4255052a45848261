package feeds

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// The SSRF guard. A feed URL comes from any Discord user, so the fetcher
// must not become a way to reach the bot's own machine or network. Names
// are not checked before the request: the check runs in the dialer, on the
// address actually being connected to, so a DNS name resolving to 127.0.0.1,
// a DNS answer that changes between check and use, or a redirect to an
// internal address are all refused the same way.

// checkURL accepts absolute http and https URLs only.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidURL, raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return nil, fmt.Errorf("%w: %q has no scheme", ErrInvalidURL, raw)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedScheme, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrInvalidURL, raw)
	}
	return u, nil
}

// cgnat is the shared address space of RFC 6598, used inside carrier and
// cloud networks.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// nat64 is the well-known NAT64 prefix of RFC 6052.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// extraBlocked lists ranges that the netip predicates do not cover but that
// never hold a public web server.
var extraBlocked = []netip.Prefix{
	cgnat,
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

// isPublic reports whether addr is a globally routable unicast address.
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as IPv4.
func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() ||
		addr.IsLoopback() ||
		addr.IsPrivate() || // 10/8, 172.16/12, 192.168/16, fc00::/7
		addr.IsLinkLocalUnicast() || // 169.254/16, fe80::/10
		addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() ||
		addr.IsMulticast() ||
		addr.IsUnspecified() {
		return false
	}
	for _, p := range extraBlocked {
		if p.Contains(addr) {
			return false
		}
	}
	// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address.
	if addr.Is6() {
		b := addr.As16()
		if nat64.Contains(addr) {
			return isPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
		if b[0] == 0x20 && b[1] == 0x02 {
			return isPublic(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return true
}

// dialGuard returns a net.Dialer.Control function: it runs after name
// resolution, just before connect, with the literal address, and refuses
// the addresses allow rejects.
func dialGuard(allow func(netip.AddrPort) bool) func(network, address string, c syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot check address %q", ErrPrivateAddress, address)
		}
		if !allow(ap) {
			return fmt.Errorf("%w (%s)", ErrPrivateAddress, ap.Addr())
		}
		return nil
	}
}
