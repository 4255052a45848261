package feeds

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The tests of issue 13: feed text as a careful reader sees it. Each kind
// has its own small fixture in testdata/reader.

// itemWant is what one item must read like; empty fields are not checked.
type itemWant struct {
	title, link, author, content string
	notIn                        []string // must not appear in title or content
	publisherSummary             bool
}

func parseReader(t *testing.T, name string) (*Feed, error) {
	t.Helper()
	return Parse(strings.NewReader(string(readFixture(t, filepath.Join("reader", name)))), "", "https://feeds.example.com/news/feed.xml")
}

func checkItems(t *testing.T, name string, items []Item, want []itemWant) {
	t.Helper()
	if len(items) != len(want) {
		t.Fatalf("%s: %d items, want %d: %+v", name, len(items), len(want), items)
	}
	for i, w := range want {
		it := items[i]
		for _, c := range []struct{ field, got, want string }{
			{"title", it.Title, w.title}, {"link", it.Link, w.link},
			{"author", it.Author, w.author}, {"content", it.Content, w.content},
		} {
			if c.want != "" && c.got != c.want {
				t.Errorf("%s item %d: %s = %q, want %q", name, i, c.field, c.got, c.want)
			}
		}
		for _, bad := range w.notIn {
			if strings.Contains(it.Title, bad) || strings.Contains(it.Content, bad) {
				t.Errorf("%s item %d: %q in %q / %q", name, i, bad, it.Title, it.Content)
			}
		}
		if it.PublisherSummary != w.publisherSummary {
			t.Errorf("%s item %d: PublisherSummary = %v, want %v", name, i, it.PublisherSummary, w.publisherSummary)
		}
	}
}

func TestReaderEmbedsKeepTheText(t *testing.T) {
	feed, err := parseReader(t, "embeds.xml")
	if err != nil {
		t.Fatal(err)
	}
	const full = "Watch the full interview."
	checkItems(t, "embeds.xml", feed.Items, []itemWant{
		{title: "Iframe", content: full},
		{title: "Object", content: full},
		{title: "Embed", content: full},
		{title: "Video with fallback", content: full, notIn: []string{"browser"}},
		{title: "Unclosed iframe", content: full},
	})
}

func TestReaderNoScriptInTitlesOrText(t *testing.T) {
	feed, err := parseReader(t, "scripts.xml")
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Scripts and styles" {
		t.Errorf("feed title = %q", feed.Title)
	}
	checkItems(t, "scripts.xml", feed.Items, []itemWant{
		{title: "safe headline", notIn: []string{"location", "script"}},
		{title: "styled title", content: "Before. After.", notIn: []string{"color", "secret", "Hidden", "JavaScript"}},
		// Issue 9.13: spoofing characters go from titles, authors and
		// text; right-to-left text and its marks stay.
		{title: "Spoofed txt.exe and zerowidth", author: "Editor",
			content: "Text with isolates. Hebrew שלום\u200F! stays.", notIn: []string{"\u202E", "\u200B", "\u2066"}},
	})
}

func TestReaderPrefersAProperSummary(t *testing.T) {
	feed, err := parseReader(t, "summary.atom")
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "summary.atom", feed.Items, []itemWant{
		{title: "A proper summary wins", publisherSummary: true,
			content: "The council approved the new harbour bridge on Tuesday. Construction starts in spring and takes three years. The bridge will carry trams, bicycles and pedestrians."},
		{title: "An excerpt loses to the content", content: "In a long session that ran past midnight, members of the city council debated the plans that had been discussed for more than a decade by three successive administrations.\n\nThe vote was close. Nine members were for the plan and eight against it."},
		{title: "A one-line teaser loses to the content", content: "The vote was close. Nine members were for the plan and eight against it. The mayor cast no vote."},
	})
}

func TestReaderTruncatedKeepsCompleteItems(t *testing.T) {
	tests := []struct {
		name   string
		titles []string
	}{
		{"truncated.xml", []string{"First", "Second"}},
		{"truncated_midentry.atom", []string{"Complete entry"}},
	}
	for _, tt := range tests {
		feed, err := parseReader(t, tt.name)
		if !errors.Is(err, ErrTruncated) || !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: err = %v, want ErrTruncated (and ErrMalformed)", tt.name, err)
		}
		if feed == nil {
			t.Fatalf("%s: no feed with the truncation error", tt.name)
		}
		var got []string
		for _, it := range feed.Items {
			got = append(got, it.Title)
		}
		if strings.Join(got, "|") != strings.Join(tt.titles, "|") {
			t.Errorf("%s: items %q, want %q", tt.name, got, tt.titles)
		}
		if msg := Message(err); !strings.Contains(msg, "cut off") {
			t.Errorf("%s: Message = %q", tt.name, msg)
		}
	}
	// Cut before the first item ends: nothing to keep.
	_, err := Parse(strings.NewReader(`<rss version="2.0"><channel><title>x</title><item><title>cut`), "", "")
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("cut in the first item: err = %v", err)
	}
}

func TestReaderBase64Content(t *testing.T) {
	feed, err := parseReader(t, "base64.atom")
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "base64.atom", feed.Items, []itemWant{
		{title: "Encoded content", link: "https://b64.example/1", content: "Decoded base64 text.\n\nIt has two paragraphs."},
	})
}

func TestReaderRelativeLinks(t *testing.T) {
	feed, err := parseReader(t, "xmlbase.atom")
	if err != nil {
		t.Fatal(err)
	}
	if feed.SiteURL != "https://base.example/blog/" {
		t.Errorf("site URL = %q", feed.SiteURL)
	}
	checkItems(t, "xmlbase.atom", feed.Items, []itemWant{
		{link: "https://base.example/blog/posts/1.html"},
		{link: "https://base.example/other/2.html"},
		{link: "https://elsewhere.example/x/3.html"},
	})
	if got := feed.Items[0].ImageURL; got != "https://base.example/blog/posts/img/1.png" {
		t.Errorf("image = %q", got)
	}

	feed, err = parseReader(t, "relative.xml")
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "relative.xml", feed.Items, []itemWant{
		{link: "https://feeds.example.com/news/posts/1.html"},
		{link: "https://feeds.example.com/2.html"},
	})
}

// TestFetchFeedContentLocation: the final URL after redirects is the base,
// and a Content-Location header overrides it.
func TestFetchFeedContentLocation(t *testing.T) {
	body := readFixture(t, filepath.Join("reader", "relative.xml"))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/moved/feed.xml", http.StatusMovedPermanently)
			return
		case "/located":
			w.Header().Set("Content-Location", "/archive/2026/feed.xml")
		}
		_, _ = w.Write(body)
	}))
	f := newTestFetcher(t, Config{})
	tests := []struct{ path, want string }{
		{"/old", srv.URL + "/moved/posts/1.html"},
		{"/located", srv.URL + "/archive/2026/posts/1.html"},
	}
	for _, tt := range tests {
		res, err := f.FetchFeed(t.Context(), srv.URL+tt.path, Validators{})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Feed.Items[0].Link; got != tt.want {
			t.Errorf("%s: link = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestFetchFeedTruncated: FetchFeed returns the kept items with the error.
func TestFetchFeedTruncated(t *testing.T) {
	srv := serve(t, serveFile(t, filepath.Join("reader", "truncated.xml"), "application/rss+xml"))
	res, err := newTestFetcher(t, Config{}).FetchFeed(t.Context(), srv.URL, Validators{})
	if !errors.Is(err, ErrTruncated) || res == nil || res.Feed == nil || len(res.Feed.Items) != 2 {
		t.Fatalf("res = %+v, err = %v; want two items and ErrTruncated", res, err)
	}
}
