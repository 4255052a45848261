package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config is the fetcher's configuration; zero fields take the defaults.
type Config struct {
	// AllowPrivate lets the fetcher connect to loopback, private and other
	// internal addresses (NEWSBOT_ALLOW_PRIVATE_ADDRESSES=true).
	AllowPrivate bool
	// MaxBodyBytes caps a response body; default 10 MiB.
	MaxBodyBytes int64
	// Timeout bounds a whole request, body included; default 30s.
	Timeout time.Duration
	// UserAgent is sent with every request; default DefaultUserAgent.
	UserAgent string
	// PerHost is the most requests in flight to one host; default 2.
	PerHost int
}

// Defaults for Config's zero fields.
const (
	DefaultUserAgent    = "newsbot/1.0 (Discord news bot; +https://github.com/newsbot/newsbot)"
	DefaultMaxBodyBytes = 10 << 20
	DefaultTimeout      = 30 * time.Second
	DefaultPerHost      = 2

	// maxRedirects is the most redirects followed for one request.
	maxRedirects = 5
)

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.PerHost <= 0 {
		c.PerHost = DefaultPerHost
	}
	return c
}

// Validators are a response's cache validators, sent back on the next
// request so an unchanged feed costs a 304 and no parsing.
type Validators struct {
	ETag, LastModified string
}

// Result is the outcome of FetchFeed or Discover.
type Result struct {
	// NotModified is true when the server answered 304; Feed is nil then.
	NotModified bool
	// Validators to store for the next request. On a 304 they are the
	// ones sent, updated with any the server returned.
	Validators Validators
	Feed       *Feed
	// URL is the final URL after redirects (for Discover, the feed chosen).
	URL string
}

// Fetcher fetches feeds and article pages. It is safe for concurrent use;
// make one and share it.
type Fetcher struct {
	cfg    Config
	client *http.Client
	hosts  hostLimiter
}

// NewFetcher returns a Fetcher for cfg.
func NewFetcher(cfg Config) *Fetcher {
	var allow func(netip.AddrPort) bool
	if !cfg.AllowPrivate {
		allow = addressGuard{interfaceAddrs: net.InterfaceAddrs}.allow
	}
	return newFetcher(cfg, allow)
}

// newFetcher takes the dial-time address policy (nil allows everything),
// so tests can admit one loopback server and no other.
func newFetcher(cfg Config, allow func(netip.AddrPort) bool) *Fetcher {
	return newFetcherResolver(cfg, allow, nil)
}

// newFetcherResolver also takes the resolver (nil: the system's), so tests
// can make any name resolve to any address without DNS traffic.
func newFetcherResolver(cfg Config, allow func(netip.AddrPort) bool, resolver *net.Resolver) *Fetcher {
	cfg = cfg.withDefaults()
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Resolver: resolver}
	if allow != nil {
		dialer.Control = dialGuard(allow)
	}
	transport := &http.Transport{
		// No proxy: the guard must see the address really connected to.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: min(cfg.Timeout, 20*time.Second),
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   cfg.PerHost,
		IdleConnTimeout:       90 * time.Second,
	}
	f := &Fetcher{cfg: cfg, hosts: hostLimiter{limit: cfg.PerHost}}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return ErrTooManyRedirects
			}
			if _, err := checkURL(req.URL.String()); err != nil {
				return err
			}
			return nil
		},
	}
	return f
}

// Accept headers: feeds first, then anything (a page to discover from).
const (
	acceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, " +
		"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
	acceptPage = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
)

// response is a fully read HTTP response.
type response struct {
	status      int
	contentType string
	validators  Validators
	body        []byte
	url         string // after redirects
	base        string // what relative links resolve against: Content-Location, else url
}

// get performs one polite GET: per-host limit, conditional headers, the
// overall timeout, and the body cap. Errors are not yet wrapped with the URL.
func (f *Fetcher) get(ctx context.Context, rawURL string, v Validators, accept string) (*response, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()

	release, err := f.hosts.acquire(ctx, strings.ToLower(u.Host))
	if err != nil {
		return nil, err
	}
	defer release()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", accept)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	// Accept-Encoding is left to the transport, which then asks for gzip
	// and transparently decompresses.

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, unwrapURLError(ctx, err)
	}
	defer resp.Body.Close()

	out := &response{
		status:      resp.StatusCode,
		contentType: resp.Header.Get("Content-Type"),
		url:         resp.Request.URL.String(),
		base:        contentBase(resp.Request.URL, resp.Header.Get("Content-Location")),
		validators: Validators{
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
		},
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		if out.validators.ETag == "" {
			out.validators.ETag = v.ETag
		}
		if out.validators.LastModified == "" {
			out.validators.LastModified = v.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		se := &StatusError{Code: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, se
	}

	limit := f.cfg.MaxBodyBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, resp.ContentLength, limit)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, unwrapURLError(ctx, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
	}
	out.body = buf.Bytes()
	return out, nil
}

// unwrapURLError drops net/http's *url.Error layer (the caller adds the URL
// itself) and reports the context's error when the deadline caused it.
func unwrapURLError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %v", ctxErr, err)
	}
	return err
}

// FetchFeed fetches and parses the feed at url. With validators from an
// earlier Result it sends a conditional request; a 304 returns a Result
// with NotModified set and no Feed.
//
// A truncated document returns both a Result, whose Feed holds the items
// complete before the cut, and an error wrapping ErrTruncated: keep the
// items, and record Message(err) as the feed's status.
func (f *Fetcher) FetchFeed(ctx context.Context, feedURL string, v Validators) (*Result, error) {
	resp, err := f.get(ctx, feedURL, v, acceptFeed)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", redact(feedURL), err)
	}
	res := &Result{Validators: resp.validators, URL: resp.url}
	if resp.status == http.StatusNotModified {
		res.NotModified = true
		return res, nil
	}
	feed, err := parseDocument(resp.body, resp.contentType, resp.url, resp.base)
	if feed == nil {
		return nil, fmt.Errorf("fetch %s: %w", redact(feedURL), err)
	}
	res.Feed = feed
	if err != nil {
		// ErrTruncated: res.Feed holds the items complete before the cut.
		return res, fmt.Errorf("fetch %s: %w", redact(feedURL), err)
	}
	return res, nil
}

// hostLimiter bounds the requests in flight to each host with one
// semaphore (a buffered channel) per host.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	sems  map[string]*hostSem
}

type hostSem struct {
	ch    chan struct{}
	users int // holders and waiters; the entry is dropped at zero
}

func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	if l.sems == nil {
		l.sems = make(map[string]*hostSem)
	}
	s := l.sems[host]
	if s == nil {
		s = &hostSem{ch: make(chan struct{}, l.limit)}
		l.sems[host] = s
	}
	s.users++
	l.mu.Unlock()

	done := func() {
		l.mu.Lock()
		s.users--
		if s.users == 0 {
			delete(l.sems, host)
		}
		l.mu.Unlock()
	}
	select {
	case s.ch <- struct{}{}:
		return func() { <-s.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// contentBase is the base URL of a response's document: its
// Content-Location header (RFC 9110, 8.7) resolved against the request's
// URL when the header is present and names an http(s) URL, else the URL.
func contentBase(reqURL *url.URL, contentLocation string) string {
	if loc := strings.TrimSpace(contentLocation); loc != "" {
		if ref, err := url.Parse(loc); err == nil {
			if u := reqURL.ResolveReference(ref); isHTTPURL(u.String()) {
				return u.String()
			}
		}
	}
	return reqURL.String()
}
