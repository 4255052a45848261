package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// feedTypes are the <link rel="alternate" type="..."> values naming a feed.
// Plain application/json is left out: WordPress uses it for its REST API.
var feedTypes = map[string]bool{
	"application/rss+xml":    true,
	"application/atom+xml":   true,
	"application/feed+json":  true,
	"application/rdf+xml":    true,
	"application/x-rss+xml":  true,
	"application/x-atom+xml": true,
	"application/x.atom+xml": true,
	"application/xml":        true,
	"text/xml":               true,
}

// commonPaths are where sites without <link> tags usually keep their feed.
var commonPaths = []string{
	"feed", "rss.xml", "atom.xml", "index.xml", "feed.xml", "feed.json",
	"rss", "feed/", "index.rss", "atom",
}

// maxCandidates bounds the requests Discover makes after the first.
const maxCandidates = 16

// discovery is how Discover tries a page's candidate feeds. A slow site used
// to cost up to 17 sequential fetches of 30 s each; now the candidates race
// a little, under one deadline, while the ranking still decides.
type discovery struct {
	// parallel is the most candidates fetched at once. The fetcher's
	// per-host limit still applies on top, so one site sees at most
	// Config.PerHost requests at a time.
	parallel int
	// hedge is how long the candidates in flight may go unanswered before
	// the next one is started too. A healthy site answers each within it,
	// so it sees one request at a time, as before; a slow one gets up to
	// parallel. Zero starts parallel candidates at once.
	hedge time.Duration
	// budget bounds the whole discovery, the page's own fetch included.
	budget time.Duration
	// observe, when set, is called by the coordinating goroutine after each
	// candidate's outcome is recorded (tests use it to end the wait at a
	// known point).
	observe func(candidate string, err error)
}

// DiscoverTimeout is the longest Discover takes, however slow the site.
const DiscoverTimeout = 45 * time.Second

var defaultDiscovery = discovery{parallel: 4, hedge: 750 * time.Millisecond, budget: DiscoverTimeout}

// Discover finds the feed for url, which may be the feed itself or a web
// page. For a page it tries the feeds the page announces with
// <link rel="alternate">, then the usual paths (/feed, /rss.xml,
// /atom.xml, /index.xml, /feed.json, ...) below the page and at the site's
// root. The best-ranked candidate that parses wins, not the fastest one;
// Result.URL is the feed chosen. Candidates are fetched a few at a time, and
// the whole discovery takes at most DiscoverTimeout: when it runs out, the
// best candidate found so far wins.
func (f *Fetcher) Discover(ctx context.Context, pageURL string) (*Result, error) {
	return f.discover(ctx, pageURL, defaultDiscovery)
}

func (f *Fetcher) discover(ctx context.Context, pageURL string, d discovery) (*Result, error) {
	if d.budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.budget)
		defer cancel()
	}
	resp, err := f.get(ctx, pageURL, Validators{}, acceptFeed)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", redact(pageURL), err)
	}
	feed, err := parseDocument(resp.body, resp.contentType, resp.url, resp.base)
	if err == nil || (feed != nil && errors.Is(err, ErrTruncated)) {
		// A feed cut off before its end is still the feed: its complete
		// items are kept, as the poller keeps them.
		return &Result{Validators: resp.validators, Feed: feed, URL: resp.url}, nil
	}
	if !errors.Is(err, ErrNotFeed) {
		// A feed, but a broken one: say so rather than look elsewhere.
		return nil, fmt.Errorf("discover %s: %w", redact(pageURL), err)
	}

	candidates := feedCandidates(decodeText(resp.body, resp.contentType, true), resp.url)
	res, unanswered, firstErr := f.bestCandidate(ctx, candidates, d)
	switch {
	case res != nil:
		return res, nil
	case unanswered > 0:
		return nil, fmt.Errorf("discover %s: no feed found before the deadline, %d of %d addresses unanswered: %w",
			redact(pageURL), unanswered, len(candidates), context.Cause(ctx))
	case firstErr != nil:
		return nil, fmt.Errorf("discover %s: %w (first failure: %v)", redact(pageURL), ErrNotFeed, firstErr)
	}
	return nil, fmt.Errorf("discover %s: %w (tried %d addresses)", redact(pageURL), ErrNotFeed, len(candidates)+1)
}

// outcome is one candidate's fetch.
type outcome struct {
	i   int
	res *Result
	err error
}

// bestCandidate fetches candidates, a few at a time, and returns the
// lowest-ranked (earliest) one that is a feed, once every candidate ranked
// above it has failed; or, when ctx ends first, the best found by then.
// Otherwise it returns the first real failure in rank order (not a mere
// "no feed here") and how many candidates never answered.
func (f *Fetcher) bestCandidate(ctx context.Context, candidates []string, d discovery) (best *Result, unanswered int, firstErr error) {
	n := len(candidates)
	if n == 0 {
		return nil, 0, nil
	}
	parallel := max(d.parallel, 1)
	results := make(chan outcome, n) // buffered: abandoned fetches never block
	cancels := make([]context.CancelFunc, n)
	defer func() {
		for _, cancel := range cancels {
			if cancel != nil {
				cancel()
			}
		}
	}()
	done := make([]bool, n)
	errs := make([]error, n)
	found := make([]*Result, n)
	bestI := n // rank of the best feed found so far; n = none
	next, inFlight := 0, 0
	launch := func() {
		i := next
		next++
		inFlight++
		cctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		go func() {
			res, err := f.FetchFeed(cctx, candidates[i], Validators{})
			results <- outcome{i, res, err}
		}()
	}

	var hedge *time.Timer
	var hedgeC <-chan time.Time
	if d.hedge > 0 {
		launch()
		hedge = time.NewTimer(d.hedge)
		defer hedge.Stop()
		hedgeC = hedge.C
	} else {
		for next < min(parallel, n) {
			launch()
		}
	}

	for {
		// Settled: every candidate ranked above the best has answered.
		open := 0
		for open < n && done[open] {
			open++
		}
		if open >= bestI {
			break
		}
		select {
		case o := <-results:
			inFlight--
			done[o.i] = true
			if o.err == nil && o.i < bestI {
				bestI = o.i
				found[o.i] = o.res
				// Lower-ranked candidates can no longer win.
				for j := o.i + 1; j < next; j++ {
					cancels[j]()
				}
			} else if o.err != nil && o.i < bestI {
				errs[o.i] = o.err
			}
			if d.observe != nil {
				d.observe(candidates[o.i], o.err)
			}
			// Replace a finished candidate; an answer also resets the hedge.
			for next < bestI && (inFlight == 0 || (d.hedge <= 0 && inFlight < parallel)) {
				launch()
			}
			if hedge != nil {
				hedge.Reset(d.hedge)
			}
		case <-hedgeC:
			if inFlight < parallel && next < bestI {
				launch()
			}
			hedge.Reset(d.hedge)
		case <-ctx.Done():
			if bestI < n {
				return found[bestI], 0, nil
			}
			for i := range n {
				if !done[i] {
					unanswered++
				}
			}
			return nil, unanswered, rankedFailure(errs)
		}
	}
	if bestI < n {
		return found[bestI], 0, nil
	}
	if ctx.Err() != nil {
		// Everything answered, but only because the deadline cut it short.
		for _, err := range errs {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				unanswered++
			}
		}
	}
	return nil, unanswered, rankedFailure(errs)
}

// rankedFailure is the best-ranked failure that means more than "no feed
// here", so the member hears about a site refusing access rather than
// about a 404 of some guessed path.
func rankedFailure(errs []error) error {
	for _, err := range errs {
		if err != nil && !isMiss(err) {
			return err
		}
	}
	return nil
}

// isMiss reports whether a candidate's failure just means "no feed here".
func isMiss(err error) bool {
	var se *StatusError
	return errors.Is(err, ErrNotFeed) || (errors.As(err, &se) && se.Code >= 400 && se.Code < 500)
}

// feedCandidates lists the URLs to try for a page: announced feeds first,
// then common paths relative to the page's directory and to the site root.
func feedCandidates(page []byte, pageURL string) []string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	seen := map[string]bool{NormalizeLink(pageURL): true}
	var out []string
	add := func(ref string) {
		u, err := url.Parse(strings.TrimSpace(ref))
		if err != nil {
			return
		}
		abs := base.ResolveReference(u)
		abs.Fragment = ""
		if abs.Scheme != "http" && abs.Scheme != "https" {
			return
		}
		key := NormalizeLink(abs.String())
		if seen[key] || len(out) >= maxCandidates {
			return
		}
		seen[key] = true
		out = append(out, abs.String())
	}

	links, pageBase := alternateLinks(page)
	if pageBase != "" {
		if u, err := url.Parse(pageBase); err == nil {
			base = base.ResolveReference(u)
		}
	}
	for _, l := range links {
		add(l)
	}
	base, _ = url.Parse(pageURL)
	if dir := base.Path; dir != "" && dir != "/" {
		if !strings.HasSuffix(dir, "/") {
			dir += "/"
		}
		for _, p := range commonPaths[:4] {
			add(dir + p)
		}
	}
	for _, p := range commonPaths {
		add("/" + p)
	}
	return out
}

// alternateLinks returns the hrefs of a page's feed <link>s, in document
// order, and its <base href>.
func alternateLinks(page []byte) (links []string, base string) {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return links, base
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if !hasAttr || (a != atom.Link && a != atom.Base) {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = string(v)
			if !more {
				break
			}
		}
		if a == atom.Base {
			if base == "" {
				base = attrs["href"]
			}
			continue
		}
		rels := strings.Fields(strings.ToLower(attrs["rel"]))
		typ, _, _ := strings.Cut(strings.ToLower(attrs["type"]), ";")
		if contains(rels, "alternate") && feedTypes[strings.TrimSpace(typ)] && attrs["href"] != "" {
			links = append(links, attrs["href"])
		}
	}
}
