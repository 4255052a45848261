package feeds

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// site serves a small web site: pages by path, everything else 404, and
// records the paths asked for.
type site struct {
	mu    sync.Mutex
	pages map[string]page
	asked []string
}

type page struct{ contentType, body string }

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.asked = append(s.asked, r.URL.Path)
	p, ok := s.pages[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", p.contentType)
	_, _ = w.Write([]byte(p.body))
}

func TestDiscoverFromLinkTag(t *testing.T) {
	s := &site{pages: map[string]page{
		"/": {"text/html; charset=utf-8", `<!doctype html><html><head><title>Gazette</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/1">
<link rel="alternate" type="application/rss+xml" title="Gazette » Feed" href="/news/feed.xml">
<link rel="alternate" type="application/rss+xml" title="Gazette » Comments" href="/comments/feed.xml">
</head><body><p>Welcome</p></body></html>`},
		"/news/feed.xml": {"application/rss+xml", string(readFixture(t, "rss_teaser.xml"))},
	}}
	srv := serve(t, s)
	res, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srv.URL+"/news/feed.xml" || res.Feed.Title != "Harbour Gazette" {
		t.Fatalf("chose %q (%q)", res.URL, res.Feed.Title)
	}
	if slices.Contains(s.asked, "/wp-json/wp/v2/pages/1") || slices.Contains(s.asked, "/comments/feed.xml") {
		t.Errorf("fetched more than needed: %v", s.asked)
	}
}

func TestDiscoverFromCommonPath(t *testing.T) {
	s := &site{pages: map[string]page{
		"/blog/post-1": {"text/html", "<html><body><h1>A post</h1><p>No feed links here.</p></body></html>"},
		"/index.xml":   {"application/rss+xml", string(readFixture(t, "rss_teaser.xml"))},
	}}
	srv := serve(t, s)
	res, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/blog/post-1")
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srv.URL+"/index.xml" {
		t.Fatalf("chose %q", res.URL)
	}
	// The page's own directory is tried before the site root.
	if !slices.Contains(s.asked, "/blog/post-1/feed") {
		t.Errorf("asked %v", s.asked)
	}
}

func TestDiscoverFeedItself(t *testing.T) {
	s := &site{pages: map[string]page{"/atom": {"application/atom+xml", string(readFixture(t, "atom_quirks.xml"))}}}
	srv := serve(t, s)
	res, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/atom")
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srv.URL+"/atom" || len(s.asked) != 1 {
		t.Fatalf("chose %q after asking %v", res.URL, s.asked)
	}
}

func TestDiscoverNothing(t *testing.T) {
	s := &site{pages: map[string]page{
		"/":     {"text/html", `<html><head><link rel="alternate" type="application/rss+xml" href="/broken-link.xml"></head></html>`},
		"/feed": {"text/html", "<html><body>Not a feed either</body></html>"},
	}}
	srv := serve(t, s)
	_, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL)
	if !errors.Is(err, ErrNotFeed) {
		t.Fatalf("err = %v, want ErrNotFeed", err)
	}
	if len(s.asked) > maxCandidates+1 {
		t.Errorf("made %d requests", len(s.asked))
	}
	if !strings.Contains(Message(err), "No RSS") {
		t.Errorf("Message = %q", Message(err))
	}
}

func TestDiscoverBrokenFeed(t *testing.T) {
	s := &site{pages: map[string]page{"/feed": {"application/rss+xml", string(readFixture(t, "malformed.xml"))}}}
	srv := serve(t, s)
	_, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/feed")
	if !errors.Is(err, ErrMalformed) || len(s.asked) != 1 {
		t.Fatalf("err = %v after %v, want ErrMalformed at once", err, s.asked)
	}
}

func TestFeedCandidates(t *testing.T) {
	page := []byte(`<html><head><base href="https://cdn.example.com/site/">
<LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="atom.xml">
<link rel="alternate home" type="application/feed+json" href="https://example.com/feed.json">
<link rel="alternate" type="text/html" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head></html>`)
	got := feedCandidates(page, "https://example.com/blog/")
	want := []string{
		"https://cdn.example.com/site/atom.xml",
		"https://example.com/feed.json",
		"https://example.com/blog/feed",
		"https://example.com/blog/rss.xml",
		"https://example.com/blog/atom.xml",
		"https://example.com/blog/index.xml",
		"https://example.com/feed",
		"https://example.com/rss.xml",
		"https://example.com/atom.xml",
		"https://example.com/index.xml",
		"https://example.com/feed.xml",
		"https://example.com/rss",
		"https://example.com/feed/",
		"https://example.com/index.rss",
		"https://example.com/atom",
	}
	if !slices.Equal(got, want) {
		t.Errorf("candidates:\n got %q\nwant %q", got, want)
	}
}
