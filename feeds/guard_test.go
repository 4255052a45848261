package feeds

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func TestIsPublic(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // CGNAT
		{"100.127.255.254", false},
		{"100.128.0.1", true},
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.251", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"fe80::1", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false}, // IPv4-mapped
		{"::ffff:10.1.2.3", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:7f00:1::", false},   // 6to4 of 127.0.0.1
		{"2002:0808:0808::", true}, // 6to4 of 8.8.8.8
		// Issue 9.11: every special-purpose range.
		{"0.1.2.3", false},           // "this network"
		{"192.0.0.8", false},         // IETF protocol assignments
		{"192.0.2.10", false},        // TEST-NET-1
		{"198.51.100.7", false},      // TEST-NET-2
		{"203.0.113.99", false},      // TEST-NET-3
		{"198.18.0.1", false},        // benchmarking
		{"198.19.255.254", false},    // benchmarking
		{"198.20.0.1", true},         // just past it
		{"192.88.99.1", false},       // 6to4 relay anycast
		{"240.0.0.1", false},         // reserved
		{"100::1", false},            // discard-only
		{"2001::1", false},           // Teredo
		{"2001:2::1", false},         // benchmarking
		{"2001:10::1", false},        // ORCHID
		{"2001:db8::1", false},       // documentation
		{"3fff::1", false},           // documentation
		{"5f00::1", false},           // SRv6
		{"::7f00:1", false},          // IPv4-compatible 127.0.0.1
		{"::808:808", false},         // IPv4-compatible, deprecated
		{"::ffff:0:a00:1", false},    // IPv4-translated 10.0.0.1
		{"64:ff9b::a00:1", false},    // NAT64 of 10.0.0.1
		{"64:ff9b::c000:20a", false}, // NAT64 of 192.0.2.10
		{"64:ff9b:1::1", false},      // local-use NAT64
		{"fec0::1", false},           // site-local
		{"ff0e::1", false},           // global multicast
		{"2400:cb00::1", true},
	}
	for _, tt := range tests {
		if got := isPublic(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("isPublic(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}

func TestGuardRefusesLoopback(t *testing.T) {
	srv := serve(t, serveFile(t, "rss_teaser.xml", "application/rss+xml"))
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	guarded := NewFetcher(Config{})

	for _, target := range []string{
		srv.URL,                              // an IP literal
		"http://localhost:" + port + "/feed", // a name resolving to 127.0.0.1 (or ::1)
		"http://[::ffff:127.0.0.1]:" + port,  // IPv4-mapped IPv6
	} {
		_, err := guarded.FetchFeed(t.Context(), target, Validators{})
		if err == nil {
			t.Errorf("%s: fetched, want refused", target)
			continue
		}
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", target, err)
		}
		if msg := Message(err); !strings.Contains(msg, "private") || strings.Contains(msg, "127.0.0.1") {
			t.Errorf("%s: Message = %q", target, msg)
		}
	}

	// AllowPrivate lets the same requests through.
	open := NewFetcher(Config{AllowPrivate: true})
	for _, target := range []string{srv.URL, "http://localhost:" + port + "/feed"} {
		if _, err := open.FetchFeed(t.Context(), target, Validators{}); err != nil {
			t.Errorf("AllowPrivate %s: %v", target, err)
		}
	}
}

func TestGuardRefusesRedirectToPrivate(t *testing.T) {
	internal := serve(t, serveFile(t, "rss_teaser.xml", "application/rss+xml"))
	public := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin/feed", http.StatusFound)
	}))
	// The guard treats the "public" test server as a public address and
	// everything else with the production rule.
	pu, _ := url.Parse(public.URL)
	publicAddr := netip.MustParseAddrPort(pu.Host)
	f := newFetcher(Config{}, func(ap netip.AddrPort) bool {
		return ap == publicAddr || isPublic(ap.Addr())
	})

	_, err := f.FetchFeed(t.Context(), public.URL+"/feed", Validators{})
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("redirect to 127.0.0.1: err = %v, want ErrPrivateAddress", err)
	}
	// Without the redirect the "public" server itself is reachable.
	direct := serve(t, serveFile(t, "rss_teaser.xml", "application/rss+xml"))
	du, _ := url.Parse(direct.URL)
	directAddr := netip.MustParseAddrPort(du.Host)
	f2 := newFetcher(Config{}, func(ap netip.AddrPort) bool { return ap == directAddr })
	if _, err := f2.FetchFeed(t.Context(), direct.URL, Validators{}); err != nil {
		t.Fatalf("allowed server: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"http://example.com", "HTTPS://Example.com/feed?x=1", " https://example.com/ "} {
		if _, err := checkURL(ok); err != nil {
			t.Errorf("checkURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "example.com", "//example.com/feed", "file:///etc/passwd", "gopher://x", "http:///path", "http://:80/"} {
		if _, err := checkURL(bad); err == nil {
			t.Errorf("checkURL(%q) accepted", bad)
		}
	}
}

// ownInterfaces is an injected interface list: a public-looking address of
// the bot's host, with its subnet.
func ownInterfaces() ([]net.Addr, error) {
	return []net.Addr{
		&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
		&net.IPNet{IP: net.ParseIP("8.8.4.4").To4(), Mask: net.CIDRMask(24, 32)},
		&net.IPNet{IP: net.ParseIP("2606:4700::6810:84e5"), Mask: net.CIDRMask(64, 128)},
		&net.IPAddr{IP: net.ParseIP("1.0.0.7")},
	}, nil
}

// TestGuardRefusesOwnInterfaces: the host's own addresses are as internal
// as 127.0.0.1, whatever range they are in (issue 9.11).
func TestGuardRefusesOwnInterfaces(t *testing.T) {
	g := addressGuard{interfaceAddrs: ownInterfaces}
	tests := []struct {
		addr  string
		allow bool
	}{
		{"8.8.4.4", false},              // the host's own public address
		{"::ffff:8.8.4.4", false},       // the same, mapped
		{"8.8.4.255", false},            // its subnet's broadcast
		{"8.8.4.5", true},               // a neighbour
		{"2606:4700::6810:84e5", false}, // own IPv6 address
		{"2606:4700::6810:84e6", true},  // a neighbour
		{"1.0.0.7", false},              // an *net.IPAddr entry
		{"93.184.216.34", true},         // anywhere else
		{"192.0.2.1", false},            // still special
	}
	for _, tt := range tests {
		if got := g.allow(netip.AddrPortFrom(netip.MustParseAddr(tt.addr), 443)); got != tt.allow {
			t.Errorf("allow(%s) = %v, want %v", tt.addr, got, tt.allow)
		}
	}
	// An interface list that cannot be read refuses everything.
	broken := addressGuard{interfaceAddrs: func() ([]net.Addr, error) { return nil, errors.New("no netlink") }}
	if broken.allow(netip.MustParseAddrPort("93.184.216.34:443")) {
		t.Error("unreadable interface list: allowed")
	}
}

// TestGuardWithInjectedResolver: names resolving to internal, special or
// own addresses are refused at dial time, before any packet is sent; the
// resolver is an in-process fake, so no DNS traffic leaves either.
func TestGuardWithInjectedResolver(t *testing.T) {
	srv := serve(t, serveFile(t, "rss_teaser.xml", "application/rss+xml"))
	su, _ := url.Parse(srv.URL)
	loopback := netip.MustParseAddrPort(su.Host)
	resolver := fakeResolver(t, map[string]string{
		"intranet.test.":  "10.20.30.40",
		"docs.test.":      "192.0.2.10",
		"bench.test.":     "198.18.0.5",
		"shared.test.":    "100.64.1.2",
		"own.test.":       "8.8.4.4",
		"nat64.test.":     "64:ff9b::a00:1",
		"ula.test.":       "fd00::1",
		"reachable.test.": "127.0.0.1",
	})
	g := addressGuard{interfaceAddrs: ownInterfaces}
	// The test server on loopback stands for a public site; every other
	// address gets the production rule.
	f := newFetcherResolver(Config{}, func(ap netip.AddrPort) bool {
		return ap == loopback || g.allow(ap)
	}, resolver)
	for _, host := range []string{"intranet.test", "docs.test", "bench.test", "shared.test", "own.test", "nat64.test", "ula.test"} {
		_, err := f.FetchFeed(t.Context(), "http://"+host+":"+su.Port()+"/feed", Validators{})
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", host, err)
		}
	}
	// The resolver really is the one used: a name for the allowed server works.
	if _, err := f.FetchFeed(t.Context(), "http://reachable.test:"+su.Port()+"/feed", Validators{}); err != nil {
		t.Errorf("reachable.test: %v", err)
	}
}

// fakeResolver answers A and AAAA questions from names, over an in-memory
// stream connection (DNS over TCP framing): no packet leaves the process.
func fakeResolver(t *testing.T, names map[string]string) *net.Resolver {
	t.Helper()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveFakeDNS(server, names)
			return client, nil
		},
	}
}

func serveFakeDNS(conn net.Conn, names map[string]string) {
	defer conn.Close()
	for {
		var n uint16
		if err := binary.Read(conn, binary.BigEndian, &n); err != nil {
			return
		}
		query := make([]byte, n)
		if _, err := io.ReadFull(conn, query); err != nil {
			return
		}
		var msg dnsmessage.Message
		if err := msg.Unpack(query); err != nil || len(msg.Questions) != 1 {
			return
		}
		answer := fakeAnswer(msg, names)
		reply, err := answer.Pack()
		if err != nil {
			return
		}
		if binary.Write(conn, binary.BigEndian, uint16(len(reply))) != nil {
			return
		}
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}

func fakeAnswer(q dnsmessage.Message, names map[string]string) dnsmessage.Message {
	question := q.Questions[0]
	reply := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: q.Header.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeSuccess},
		Questions: q.Questions,
	}
	ip, ok := names[strings.ToLower(question.Name.String())]
	if !ok {
		reply.Header.RCode = dnsmessage.RCodeNameError
		return reply
	}
	addr := netip.MustParseAddr(ip)
	head := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch {
	case question.Type == dnsmessage.TypeA && addr.Is4():
		head.Type = dnsmessage.TypeA
		reply.Answers = append(reply.Answers, dnsmessage.Resource{Header: head, Body: &dnsmessage.AResource{A: addr.As4()}})
	case question.Type == dnsmessage.TypeAAAA && addr.Is6():
		head.Type = dnsmessage.TypeAAAA
		reply.Answers = append(reply.Answers, dnsmessage.Resource{Header: head, Body: &dnsmessage.AAAAResource{AAAA: addr.As16()}})
	}
	return reply
}
