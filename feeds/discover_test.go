package feeds

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
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
	// Without hedging, a site that answers at once sees one request at a
	// time: the candidates after the winner are never fetched. (The default
	// hedge would start them only if the server were slow to answer.)
	sequential := discovery{parallel: 4, hedge: time.Hour, budget: time.Minute}
	res, err := newTestFetcher(t, Config{}).discover(t.Context(), srv.URL+"/", sequential)
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
	// Broken inside, not merely cut off (a cut-off feed keeps its items:
	// TestDiscoverTruncatedFeed).
	broken := `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>` +
		`<item><title>One</wrong></item></channel></rss>`
	s := &site{pages: map[string]page{"/feed": {"application/rss+xml", broken}}}
	srv := serve(t, s)
	_, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/feed")
	if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrTruncated) || len(s.asked) != 1 {
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

// heldSite serves a page announcing /a.xml then /b.xml, both valid feeds,
// and 404 for everything else. A path in hold waits until its channel is
// closed (or the client gives up), so a test decides who answers first.
type heldSite struct {
	feed   []byte
	served map[string]chan struct{} // closed once the path has been answered

	mu   sync.Mutex
	hold map[string]chan struct{}
}

func newHeldSite(t *testing.T, held ...string) *heldSite {
	h := &heldSite{feed: readFixture(t, "rss_teaser.xml"), hold: map[string]chan struct{}{},
		served: map[string]chan struct{}{"/a.xml": make(chan struct{}), "/b.xml": make(chan struct{})}}
	for _, p := range held {
		h.hold[p] = make(chan struct{})
	}
	return h
}

// release lets a held path answer; safe to call more than once.
func (h *heldSite) release(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.hold[path]; ok {
		close(c)
		delete(h.hold, path)
	}
}

func (h *heldSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	wait := h.hold[r.URL.Path]
	h.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		}
	}
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><head>
<link rel="alternate" type="application/rss+xml" href="/a.xml">
<link rel="alternate" type="application/rss+xml" href="/b.xml"></head></html>`))
	case "/a.xml", "/b.xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(h.feed)
		close(h.served[r.URL.Path])
	default:
		http.NotFound(w, r)
	}
}

// serveHeld starts the site; held paths are released before the server
// closes, since Close waits for handlers.
func serveHeld(t *testing.T, h *heldSite) string {
	srv := serve(t, h)
	t.Cleanup(func() {
		for _, p := range []string{"/a.xml", "/b.xml"} {
			h.release(p)
		}
	})
	return srv.URL
}

// racing fetches four candidates at once from the start, with no hedging
// delay, and a per-host limit that does not get in the way.
var racing = discovery{parallel: 4, budget: time.Minute}

func TestDiscoverPreferredCandidateWinsOverFaster(t *testing.T) {
	h := newHeldSite(t, "/a.xml")
	base := serveHeld(t, h)
	go func() {
		// /a.xml answers only after /b.xml has: the faster one must not win.
		<-h.served["/b.xml"]
		h.release("/a.xml")
	}()
	res, err := newTestFetcher(t, Config{PerHost: 8}).discover(t.Context(), base+"/", racing)
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != base+"/a.xml" {
		t.Fatalf("chose %s, want the first-ranked %s", res.URL, base+"/a.xml")
	}
}

func TestDiscoverSlowCandidateCutAtDeadline(t *testing.T) {
	h := newHeldSite(t, "/a.xml") // held until the test ends: it never answers
	base := serveHeld(t, h)
	ctx, deadline := context.WithCancel(t.Context())
	defer deadline()
	d := racing
	d.observe = func(c string, err error) {
		if strings.HasSuffix(c, "/b.xml") && err == nil {
			deadline() // the deadline passes once /b.xml has been found
		}
	}
	res, err := newTestFetcher(t, Config{PerHost: 8}).discover(ctx, base+"/", d)
	if err != nil {
		t.Fatalf("err = %v, want /b.xml: a slow candidate must not hold up one found in time", err)
	}
	if res.URL != base+"/b.xml" {
		t.Fatalf("chose %s, want %s", res.URL, base+"/b.xml")
	}
}

func TestDiscoverDeadlineWithNothingFound(t *testing.T) {
	h := newHeldSite(t, "/a.xml", "/b.xml")
	base := serveHeld(t, h)
	ctx, deadline := context.WithCancel(t.Context())
	defer deadline()
	d := racing
	d.observe = func(c string, err error) {
		if strings.HasSuffix(c, "/feed") { // a 404: the others are still out
			deadline()
		}
	}
	_, err := newTestFetcher(t, Config{PerHost: 8}).discover(ctx, base+"/", d)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "unanswered") {
		t.Fatalf("err = %v, want the deadline named with the unanswered addresses", err)
	}
}

func TestDiscoverBoundedConcurrency(t *testing.T) {
	var (
		mu       sync.Mutex
		inFlight int
		peak     int
		full     = make(chan struct{})
	)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			_, _ = w.Write([]byte("<html><body>No feed links.</body></html>"))
			return
		}
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		if inFlight == racing.parallel {
			close(full)
		}
		mu.Unlock()
		// The first candidates wait until four are in flight together: a
		// sequential discovery would never get there.
		select {
		case <-full:
		case <-r.Context().Done():
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		http.NotFound(w, r)
	}))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a hang guard only
	defer cancel()
	_, err := newTestFetcher(t, Config{PerHost: 16}).discover(ctx, srv.URL+"/", racing)
	if !errors.Is(err, ErrNotFeed) {
		t.Fatalf("err = %v, want ErrNotFeed after every candidate 404ed", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != racing.parallel {
		t.Fatalf("%d candidates in flight at most, want exactly %d", peak, racing.parallel)
	}
}

// TestDiscoverTruncatedFeed: /feed add on a feed cut off before its end
// subscribes to it, with the items complete before the cut, as the poller
// keeps them.
func TestDiscoverTruncatedFeed(t *testing.T) {
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title>` +
		`<item><guid>a</guid><title>First</title><link>https://example.com/a</link></item>` +
		`<item><guid>b</guid><title>Second</title><link>https://example.com/b</link></item></channel></rss`
	s := &site{pages: map[string]page{"/feed": {"application/rss+xml", body}}}
	srv := serve(t, s)
	res, err := newTestFetcher(t, Config{}).Discover(t.Context(), srv.URL+"/feed")
	if err != nil {
		t.Fatalf("Discover of a truncated feed: %v", err)
	}
	if res.Feed == nil || len(res.Feed.Items) != 2 || len(s.asked) != 1 {
		t.Fatalf("feed %+v after asking %v, want its 2 complete items", res.Feed, s.asked)
	}
}
