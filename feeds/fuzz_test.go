package feeds

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParse drives the feed-to-item path: any bytes and content type must
// give either items whose every string is clean UTF-8 with a stable
// identity, or an error wrapping ErrNotFeed or ErrMalformed; never a panic.
// Run it with: go test ./feeds -run '^$' -fuzz FuzzParse -fuzztime 2m
// testdata/fuzz/FuzzParse keeps the inputs worth replaying.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss_quirks.xml", "atom_quirks.xml", "jsonfeed.json", "rss_teaser.xml", "malformed.xml",
		"miniflux/koi8r.xml", "miniflux/invalid-prolog.xml", "miniflux/windows-1252.xml", "miniflux/utf8-incorrect-prolog.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte(`<?xml version="1.0" encoding="koi8-r"?><rss><channel><item><title>`+"\xf0\xd2\xc9"+`</title></item></channel></rss>`), "text/xml; charset=utf-8")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"\u0000","items":[{"id":"1","content_html":"<p>x"}]}`), "application/feed+json")
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00>\x00"), "")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">&lt;b&gt;x</title><link href="javascript:alert(1)"/></entry></feed>`), "")
	// The hostile feeds of the memory bound (issue 9.8), at 1 MiB so the
	// seed corpus stays quick; BenchmarkHostileFeedMemory runs them at the
	// 10 MiB body cap.
	for _, hf := range hostileFeeds {
		f.Add(hf.body(1<<20), "")
	}
	for _, name := range []string{"embeds.xml", "scripts.xml", "summary.atom", "short.xml", "truncated.xml",
		"truncated_midentry.atom", "base64.atom", "xmlbase.atom", "relative.xml"} {
		f.Add(readFixture(f, filepath.Join("reader", name)), "")
	}

	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		feed, err := Parse(bytes.NewReader(data), contentType, "https://example.com/feed")
		if err != nil && !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		// A feed comes with no error, or with a truncation error.
		if (err == nil && feed == nil) || (err != nil && !errors.Is(err, ErrTruncated) && feed != nil) {
			t.Fatalf("feed %v with err %v", feed != nil, err)
		}
		if feed == nil {
			return
		}
		strs := []string{feed.Title, feed.SiteURL, feed.FeedURL}
		for _, it := range feed.Items {
			strs = append(strs, it.GUID, it.Link, it.Title, it.Author, it.ImageURL, it.Content)
			id, key := Identity(it)
			if id == "" {
				t.Fatalf("empty identity for %+v", it)
			}
			if id2, key2 := Identity(it); id2 != id || key2 != key {
				t.Fatal("identity not stable")
			}
			if strings.ContainsAny(it.Title, "\n\t") {
				t.Fatalf("title not one line: %q", it.Title)
			}
			if n := WordCount(it.Content); n > utf8.RuneCountInString(it.Content) || (n == 0) != !strings.ContainsFunc(it.Content, isWordRune) {
				t.Fatalf("WordCount = %d for %q", n, it.Content)
			}
			for _, s := range []string{it.Title, it.Author, it.Content} {
				if strings.ContainsAny(s, spoofing) {
					t.Fatalf("spoofing character left in %q", s)
				}
			}
		}
		for _, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
	})
}

// spoofing are characters Clean removes everywhere (issue 9.13).
const spoofing = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200B\u2060\uFEFF"

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// FuzzHTMLToText checks that text extraction terminates and returns UTF-8
// without markup-only noise at either end.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p><p>b</p>", "<script><script></script>x", "<pre>\n a</pre>", "&amp;&lt;", "<svg><svg>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := htmlToText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if strings.TrimSpace(out) != out && !strings.Contains(s, "<pre") && !strings.Contains(s, "<PRE") {
			t.Fatalf("untrimmed %q from %q", out, s)
		}
		_ = cleanTitle(s)
	})
}
