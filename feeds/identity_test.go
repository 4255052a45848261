package feeds

import (
	"strings"
	"testing"
)

func TestNormalizeLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"HTTPS://Example.COM/Path/Keeps/Case", "https://example.com/Path/Keeps/Case"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"http://example.com:8080/a", "http://example.com:8080/a"},
		{"https://example.com/a#comments", "https://example.com/a"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"},
		{"https://example.com/a?id=7&fbclid=abc&gclid=def&mc_cid=1&mc_eid=2", "https://example.com/a?id=7"},
		{"https://example.com/a?b=2&a=1&UTM_Source=x", "https://example.com/a?a=1&b=2"},
		{"https://example.com/a?tag=z&tag=a", "https://example.com/a?tag=z&tag=a"},
		{"https://example.com/a?q=hello%20world&_hsenc=x", "https://example.com/a?q=hello%20world"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://EXAMPLE.com./a", "https://example.com/a"},
		{"http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"},
		{"/relative/path", "/relative/path"},
		{"mailto:someone@example.com", "mailto:someone@example.com"},
		{"tag:example.com,2024:1", "tag:example.com,2024:1"},
	}
	for _, tt := range tests {
		if got := NormalizeLink(tt.in); got != tt.want {
			t.Errorf("NormalizeLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIdentity(t *testing.T) {
	link := "https://Example.com/post?utm_source=rss#top"
	norm := "https://example.com/post"
	tests := []struct {
		name       string
		it         Item
		id, key    string
		hashPrefix bool
	}{
		{"guid wins", Item{GUID: " guid-1 ", Link: link}, "guid-1", norm, false},
		{"link without guid", Item{Link: link, Title: "T"}, norm, norm, false},
		{"neither", Item{Title: "Title", Content: "Text"}, "sha256:", "", true},
	}
	for _, tt := range tests {
		id, key := Identity(tt.it)
		if (tt.hashPrefix && !strings.HasPrefix(id, tt.id)) || (!tt.hashPrefix && id != tt.id) || key != tt.key {
			t.Errorf("%s: Identity = %q, %q; want %q, %q", tt.name, id, key, tt.id, tt.key)
		}
	}

	// Same link with tracking noise: same identity.
	a, _ := Identity(Item{Link: "https://example.com/p?utm_source=a"})
	b, _ := Identity(Item{Link: "https://EXAMPLE.com/p#x"})
	if a != b {
		t.Errorf("tracking variants differ: %q, %q", a, b)
	}
	// A changed GUID with the same link keeps the link key, so a store can
	// tell it is not new.
	_, k1 := Identity(Item{GUID: "old", Link: link})
	_, k2 := Identity(Item{GUID: "new", Link: link})
	if k1 != k2 || k1 == "" {
		t.Errorf("link keys %q, %q", k1, k2)
	}
	// The hash covers title and text, separated.
	h1, _ := Identity(Item{Title: "ab", Content: "c"})
	h2, _ := Identity(Item{Title: "a", Content: "bc"})
	h3, _ := Identity(Item{Title: "ab", Content: "c"})
	if h1 == h2 || h1 != h3 {
		t.Errorf("hash identities: %q %q %q", h1, h2, h3)
	}
}
