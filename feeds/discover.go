package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

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

// Discover finds the feed for url, which may be the feed itself or a web
// page. For a page it tries, in order, the feeds the page announces with
// <link rel="alternate">, then the usual paths (/feed, /rss.xml,
// /atom.xml, /index.xml, /feed.json, ...) below the page and at the site's
// root, and returns the first that parses; Result.URL is the feed chosen.
func (f *Fetcher) Discover(ctx context.Context, pageURL string) (*Result, error) {
	resp, err := f.get(ctx, pageURL, Validators{}, acceptFeed)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", pageURL, err)
	}
	feed, err := parseBytes(resp.body, resp.contentType, resp.url)
	if err == nil {
		return &Result{Validators: resp.validators, Feed: feed, URL: resp.url}, nil
	}
	if !errors.Is(err, ErrNotFeed) {
		// A feed, but a broken one: say so rather than look elsewhere.
		return nil, fmt.Errorf("discover %s: %w", pageURL, err)
	}

	candidates := feedCandidates(decodeText(resp.body, resp.contentType, true), resp.url)
	var firstErr error
	for _, c := range candidates {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("discover %s: %w", pageURL, err)
		}
		res, err := f.FetchFeed(ctx, c, Validators{})
		if err == nil {
			return res, nil
		}
		if firstErr == nil && !isMiss(err) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, fmt.Errorf("discover %s: %w (first failure: %v)", pageURL, ErrNotFeed, firstErr)
	}
	return nil, fmt.Errorf("discover %s: %w (tried %d addresses)", pageURL, ErrNotFeed, len(candidates)+1)
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
