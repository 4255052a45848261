package feeds

import (
	"fmt"
	"net"
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

// checkURL accepts absolute http and https URLs only. Its errors show the
// URL redacted (see Redact).
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmtInvalid(raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return nil, fmt.Errorf("%w: %q has no scheme", ErrInvalidURL, redact(raw))
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedScheme, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrInvalidURL, redact(raw))
	}
	return u, nil
}

// fmtInvalid is ErrInvalidURL for a string that does not parse as a URL.
func fmtInvalid(raw string) error {
	return fmt.Errorf("%w: %q", ErrInvalidURL, redact(raw))
}

// nat64 is the well-known NAT64 prefix of RFC 6052.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// blocked lists the special-purpose ranges (IANA's IPv4 and IPv6
// special-purpose address registries) that the netip predicates in isPublic
// do not cover and that never hold a public web server.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // unspecified, loopback, IPv4-compatible (deprecated)
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, benchmarking, ORCHID)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // segment routing SIDs
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// isPublic reports whether addr is a globally routable unicast address.
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as IPv4, and
// NAT64 and 6to4 addresses by the IPv4 address they embed.
func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() ||
		addr.IsLoopback() ||
		addr.IsPrivate() || // 10/8, 172.16/12, 192.168/16, fc00::/7
		addr.IsLinkLocalUnicast() || // 169.254/16, fe80::/10
		addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() ||
		addr.IsMulticast() || // 224/4, ff00::/8
		addr.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
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

// addressGuard is the address policy of a fetcher that refuses private
// addresses: only public addresses, and none of the host's own. A service
// listening on the host's public interface address is as internal as one
// on 127.0.0.1.
type addressGuard struct {
	// interfaceAddrs lists the host's interface addresses
	// (net.InterfaceAddrs; tests inject a list). It is asked on every
	// dial: addresses change (DHCP, VPNs), and a dial costs far more.
	interfaceAddrs func() ([]net.Addr, error)
}

// allow reports whether the fetcher may connect to ap.
func (g addressGuard) allow(ap netip.AddrPort) bool {
	addr := ap.Addr().Unmap()
	return isPublic(addr) && !g.isOwn(addr)
}

// isOwn reports whether addr is one of the host's interface addresses or
// the broadcast address of an interface's IPv4 subnet. When the list can't
// be read, nothing is allowed: the guard fails closed.
func (g addressGuard) isOwn(addr netip.Addr) bool {
	if g.interfaceAddrs == nil {
		return false
	}
	list, err := g.interfaceAddrs()
	if err != nil {
		return true
	}
	for _, a := range list {
		p, ok := interfacePrefix(a)
		if !ok {
			continue
		}
		if p.Addr().Unmap() == addr || (addr.Is4() && p.Addr().Is4() && broadcast(p) == addr) {
			return true
		}
	}
	return false
}

// interfacePrefix converts an interface address (*net.IPNet or *net.IPAddr).
func interfacePrefix(a net.Addr) (netip.Prefix, bool) {
	switch v := a.(type) {
	case *net.IPNet:
		addr, ok := netip.AddrFromSlice(v.IP)
		if !ok {
			return netip.Prefix{}, false
		}
		ones, _ := v.Mask.Size()
		addr = addr.Unmap()
		if addr.Is4() && ones > 32 {
			ones -= 96
		}
		return netip.PrefixFrom(addr, ones), true
	case *net.IPAddr:
		addr, ok := netip.AddrFromSlice(v.IP)
		return netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()), ok
	}
	return netip.Prefix{}, false
}

// broadcast is the last address of an IPv4 prefix.
func broadcast(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	if p.Bits() == 0 {
		host = ^uint32(0)
	}
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
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
