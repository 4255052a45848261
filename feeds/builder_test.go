package feeds

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBuilderShortTexts: a text too short to summarize is posted as it is,
// even when the page cannot be fetched, and no text gives no summary at
// all, never a placeholder sentence (issue 13).
func TestBuilderShortTexts(t *testing.T) {
	srv := serve(t, http.NotFoundHandler()) // every article page is missing
	feed, err := Parse(strings.NewReader(string(readFixture(t, filepath.Join("reader", "short.xml")))), "", srv.URL+"/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"Comments only":    {"Comments"},
		"Read more":        {"Click here to read more"},
		"One sentence":     {"The ferry to the island is cancelled today because of the storm."},
		"Markdown-looking": {"*Breaking* news @everyone"}, // the bot escapes it
		"No text at all":   nil,
	}
	for _, offline := range []bool{true, false} {
		b := &Builder{Fetcher: newTestFetcher(t, Config{}), Offline: offline}
		for _, it := range feed.Items {
			it.Link = srv.URL + "/missing" // the page cannot be fetched
			a := b.Article(t.Context(), it, 3)
			if strings.Join(a.Summary, "|") != strings.Join(want[it.Title], "|") || (want[it.Title] == nil) != (len(a.Summary) == 0) {
				t.Errorf("offline=%v %q: summary %q, want %q", offline, it.Title, a.Summary, want[it.Title])
			}
			for _, s := range a.Summary {
				if strings.Contains(s, "no text to summarize") {
					t.Errorf("%q: placeholder %q", it.Title, s)
				}
			}
		}
	}
}

// TestBuilderKeepsPublisherSummary: a proper summary is summarized as the
// publisher wrote it, without fetching the page to replace it.
func TestBuilderKeepsPublisherSummary(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(readFixture(t, "article_news.html"))
	}))
	feed, err := parseReader(t, "summary.atom")
	if err != nil {
		t.Fatal(err)
	}
	it := feed.Items[0]
	it.Link = srv.URL + "/1"
	a := (&Builder{Fetcher: newTestFetcher(t, Config{})}).Article(t.Context(), it, 3)
	if hits.Load() != 0 {
		t.Errorf("page fetched %d times for a publisher's summary", hits.Load())
	}
	if got := strings.Join(a.Summary, " "); got != it.Content {
		t.Errorf("summary %q, want the publisher's %q", got, it.Content)
	}
}
