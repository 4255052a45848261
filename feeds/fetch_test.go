package feeds

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFetchFeedConditionalETag(t *testing.T) {
	var parsedRequests atomic.Int32
	body := readFixture(t, "rss_quirks.xml")
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		parsedRequests.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(body)
	}))
	f := newTestFetcher(t, Config{})
	ctx := t.Context()

	res, err := f.FetchFeed(ctx, srv.URL+"/feed", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || res.Feed == nil || len(res.Feed.Items) == 0 {
		t.Fatalf("first fetch: got %+v", res)
	}
	if res.Validators.ETag != `"v1"` {
		t.Fatalf("ETag = %q", res.Validators.ETag)
	}

	res2, err := f.FetchFeed(ctx, srv.URL+"/feed", res.Validators)
	if err != nil {
		t.Fatal(err)
	}
	if !res2.NotModified || res2.Feed != nil {
		t.Fatalf("second fetch: want NotModified and no feed, got %+v", res2)
	}
	if res2.Validators != res.Validators {
		t.Fatalf("validators after 304 = %+v, want %+v", res2.Validators, res.Validators)
	}
	if n := parsedRequests.Load(); n != 1 {
		t.Fatalf("full responses = %d, want 1", n)
	}
}

func TestFetchFeedConditionalLastModified(t *testing.T) {
	const lastMod = "Tue, 12 Mar 2024 09:14:02 GMT"
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ims := r.Header.Get("If-Modified-Since"); ims != "" {
			if ims != lastMod {
				t.Errorf("If-Modified-Since = %q", ims)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Header.Get("If-None-Match") != "" {
			t.Error("If-None-Match sent without an ETag")
		}
		w.Header().Set("Last-Modified", lastMod)
		_, _ = w.Write(readFixture(t, "atom_quirks.xml"))
	}))
	f := newTestFetcher(t, Config{})
	res, err := f.FetchFeed(t.Context(), srv.URL, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Validators.LastModified != lastMod || res.Validators.ETag != "" {
		t.Fatalf("validators = %+v", res.Validators)
	}
	res, err = f.FetchFeed(t.Context(), srv.URL, res.Validators)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || res.Validators.LastModified != lastMod {
		t.Fatalf("got %+v, want NotModified with the same validators", res)
	}
}

func TestFetchFeedHeadersAndGzip(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "newsbot/") || !strings.Contains(ua, "https://") {
			t.Errorf("User-Agent = %q, want newsbot/... with a link", ua)
		}
		if !strings.Contains(r.Header.Get("Accept"), "application/rss+xml") {
			t.Errorf("Accept = %q", r.Header.Get("Accept"))
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q, want gzip", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/atom+xml")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(readFixture(t, "miniflux/large_atom.xml"))
		_ = zw.Close()
	}))
	res, err := newTestFetcher(t, Config{}).FetchFeed(t.Context(), srv.URL+"/atom.xml", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Feed.Items); got != 25 {
		t.Fatalf("items = %d, want 25", got)
	}
	if res.Feed.FeedURL != srv.URL+"/atom.xml" {
		t.Fatalf("FeedURL = %q", res.Feed.FeedURL)
	}
}

func TestFetchFeedTooLarge(t *testing.T) {
	big := strings.Repeat("<item><title>x</title></item>", 100)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			// No Content-Length: the cap applies while reading.
			w.(http.Flusher).Flush()
		}
		_, _ = fmt.Fprintf(w, "<rss><channel>%s</channel></rss>", big)
	}))
	f := newTestFetcher(t, Config{MaxBodyBytes: 1000})
	for _, path := range []string{"/length", "/chunked"} {
		_, err := f.FetchFeed(t.Context(), srv.URL+path, Validators{})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", path, err)
		}
	}
	// The same body fits under a larger cap.
	if _, err := newTestFetcher(t, Config{MaxBodyBytes: 1 << 20}).FetchFeed(t.Context(), srv.URL+"/chunked", Validators{}); err != nil {
		t.Fatalf("under the cap: %v", err)
	}
}

func TestFetchFeedRedirects(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/hop/"):
			var n int
			_, _ = fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
			if n > 0 {
				http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
				return
			}
			_, _ = w.Write(readFixture(t, "rss_teaser.xml"))
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/feed.xml", http.StatusFound)
		}
	}))
	f := newTestFetcher(t, Config{})

	_, err := f.FetchFeed(t.Context(), srv.URL+"/loop", Validators{})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("loop: err = %v, want ErrTooManyRedirects", err)
	}
	if !strings.Contains(err.Error(), "fetch "+srv.URL+"/loop") {
		t.Errorf("error %q lacks the URL", err)
	}

	res, err := f.FetchFeed(t.Context(), srv.URL+"/hop/5", Validators{})
	if err != nil {
		t.Fatalf("5 redirects: %v", err)
	}
	if res.URL != srv.URL+"/hop/0" {
		t.Errorf("final URL = %q", res.URL)
	}
	// Relative links resolve against the final URL.
	if got, want := res.Feed.Items[0].Link, srv.URL+"/articles/harbour-bridge-repairs?utm_source=feed"; got != want {
		t.Errorf("link = %q, want %q", got, want)
	}

	if _, err := f.FetchFeed(t.Context(), srv.URL+"/hop/6", Validators{}); !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("6 redirects: err = %v, want ErrTooManyRedirects", err)
	}
	if _, err := f.FetchFeed(t.Context(), srv.URL+"/ftp", Validators{}); !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("redirect to ftp: err = %v, want ErrUnsupportedScheme", err)
	}
}

// hangingServer never answers until the test ends.
func hangingServer(t *testing.T) (url string, arrived <-chan struct{}) {
	release := make(chan struct{})
	got := make(chan struct{}, 16)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	return srv.URL, got
}

func TestFetchFeedServerNeverAnswers(t *testing.T) {
	url, _ := hangingServer(t)

	t.Run("timeout", func(t *testing.T) {
		f := newTestFetcher(t, Config{Timeout: 50 * time.Millisecond})
		_, err := f.FetchFeed(t.Context(), url, Validators{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if msg := Message(err); !strings.Contains(msg, "too long") {
			t.Errorf("Message = %q", msg)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		url, arrived := hangingServer(t)
		f := newTestFetcher(t, Config{})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := f.FetchFeed(ctx, url, Validators{})
			done <- err
		}()
		<-arrived // the request is at the server: cancel it there
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want Canceled", err)
		}
	})
}

func TestFetchFeedStatusErrors(t *testing.T) {
	retryDate := time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/429":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", retryDate)
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/410":
			w.WriteHeader(http.StatusGone)
		case "/403":
			w.WriteHeader(http.StatusForbidden)
		default:
			http.NotFound(w, r)
		}
	}))
	f := newTestFetcher(t, Config{})
	tests := []struct {
		path      string
		code      int
		minRetry  time.Duration
		maxRetry  time.Duration
		inMessage string
	}{
		{"/429", 429, 120 * time.Second, 120 * time.Second, "slow down"},
		{"/503", 503, 119 * time.Minute, 121 * time.Minute, "unavailable"},
		{"/404", 404, 0, 0, "404"},
		{"/410", 410, 0, 0, "gone"},
		{"/403", 403, 0, 0, "refused"},
	}
	for _, tt := range tests {
		_, err := f.FetchFeed(t.Context(), srv.URL+tt.path, Validators{})
		var se *StatusError
		if !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want *StatusError", tt.path, err)
			continue
		}
		if se.Code != tt.code || se.RetryAfter < tt.minRetry || se.RetryAfter > tt.maxRetry {
			t.Errorf("%s: got %+v", tt.path, se)
		}
		if msg := Message(err); !strings.Contains(msg, tt.inMessage) {
			t.Errorf("%s: Message = %q, want it to mention %q", tt.path, msg, tt.inMessage)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"30", 30 * time.Second},
		{" 3600 ", time.Hour},
		{"99999999999", 7 * 24 * time.Hour},
		{"Tue, 12 Mar 2024 09:10:00 GMT", 10 * time.Minute},
		{"Tue, 12 Mar 2024 08:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFetchPerHostLimit(t *testing.T) {
	const perHost, requests = 2, 6
	var (
		mu            sync.Mutex
		inFlight, max int
	)
	arrived := make(chan struct{}, requests)
	release := make(chan struct{})
	body := readFixture(t, "rss_teaser.xml")
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		max = maxInt(max, inFlight)
		mu.Unlock()
		arrived <- struct{}{}
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
		_, _ = w.Write(body)
	}))
	f := newTestFetcher(t, Config{PerHost: perHost})
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := range requests {
		wg.Go(func() {
			_, err := f.FetchFeed(t.Context(), fmt.Sprintf("%s/feed/%d", srv.URL, i), Validators{})
			errs <- err
		})
	}
	// Exactly perHost requests reach the server; the rest wait in the
	// fetcher. Let them through one wave at a time.
	for range perHost {
		<-arrived
	}
	mu.Lock()
	if inFlight != perHost {
		t.Errorf("in flight = %d, want %d", inFlight, perHost)
	}
	mu.Unlock()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if max > perHost {
		t.Fatalf("max concurrent requests to one host = %d, want <= %d", max, perHost)
	}
	if len(f.hosts.sems) != 0 {
		t.Errorf("host semaphores left behind: %d", len(f.hosts.sems))
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestHostLimiterWaitHonoursContext(t *testing.T) {
	l := hostLimiter{limit: 1}
	release, err := l.acquire(t.Context(), "a.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.acquire(ctx, "a.example"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Canceled", err)
	}
	// Another host is not held up.
	r2, err := l.acquire(t.Context(), "b.example")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	release()
	if len(l.sems) != 0 {
		t.Fatalf("semaphores left: %v", l.sems)
	}
}

func TestFetchFeedMalformedAndNotFeed(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/broken":
			_, _ = w.Write(readFixture(t, "malformed.xml"))
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write(readFixture(t, "article_news.html"))
		}
	}))
	f := newTestFetcher(t, Config{})
	_, err := f.FetchFeed(t.Context(), srv.URL+"/broken", Validators{})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "line") {
		t.Fatalf("err = %v, want ErrMalformed with a line number", err)
	}
	_, err = f.FetchFeed(t.Context(), srv.URL+"/page", Validators{})
	if !errors.Is(err, ErrNotFeed) {
		t.Fatalf("err = %v, want ErrNotFeed", err)
	}
}

func TestFetchInvalidURLs(t *testing.T) {
	f := newTestFetcher(t, Config{})
	for _, u := range []string{"", "example.com/feed", "file:///etc/passwd", "ftp://example.com/", "http://", "javascript:alert(1)"} {
		_, err := f.FetchFeed(t.Context(), u, Validators{})
		if !errors.Is(err, ErrInvalidURL) && !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("%q: err = %v, want ErrInvalidURL or ErrUnsupportedScheme", u, err)
		}
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("fetch x: %w", ErrNotFeed), "No RSS"},
		{fmt.Errorf("fetch x: %w", ErrPrivateAddress), "private"},
		{fmt.Errorf("fetch x: %w", ErrTooLarge), "too large"},
		{fmt.Errorf("fetch x: %w", ErrTooManyRedirects), "redirected too many"},
		{fmt.Errorf("fetch x: %w: line 3", ErrMalformed), "broken"},
		{fmt.Errorf("fetch x: %w", &StatusError{Code: 500}), "HTTP 500"},
		{fmt.Errorf("fetch x: %w", &StatusError{Code: 418}), "HTTP 418"},
		{fmt.Errorf("fetch x: %w", context.DeadlineExceeded), "too long"},
		{fmt.Errorf("fetch x: %w", ErrUnsupportedScheme), "http://"},
		{errors.New("connection refused"), "could not be reached"},
	}
	for _, tt := range tests {
		if got := Message(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("Message(%v) = %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
	if Message(nil) != "" {
		t.Error("Message(nil) not empty")
	}
}
