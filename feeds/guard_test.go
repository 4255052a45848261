package feeds

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
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
