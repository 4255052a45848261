package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const previewStory = "The harbour bridge will close to all traffic for three weeks from 2 May, the city council said on Friday. " +
	"Inspectors found corrosion on two of the steel bearings that carry the main span. " +
	"About 24,000 vehicles cross the bridge on a typical weekday and will be sent along the ring road. " +
	"Cyclists and pedestrians can use a free shuttle boat that runs every fifteen minutes. " +
	"The repairs will cost an estimated 4.2 million euros and the new bearings should last fifty years. "

// previewSite serves a web page announcing a teaser feed, the feed, and
// the article pages it links to (relatively).
func previewSite(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	pageHits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Home</body></html>`)
		case r.URL.Path == "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour &amp; Co</title><link>/</link>
<item><title>Older news</title><link>/a/older</link><author>ed@example.com (Ed)</author><pubDate>Wed, 10 Apr 2024 18:00:00 +0000</pubDate><description>Short teaser one.</description></item>
<item><title>Bridge to close</title><link>/a/bridge</link><pubDate>Fri, 12 Apr 2024 06:30:00 +0000</pubDate><description>Short teaser two.</description></item>
<item><title>Undated</title><link>/a/undated</link><description>No date here.</description></item>
</channel></rss>`)
		case strings.HasPrefix(r.URL.Path, "/a/"):
			pageHits++
			fmt.Fprintf(w, "<html><head><title>Story</title></head><body><nav>Home News Sport</nav><article><h1>Story</h1><p>%s</p><p>%s</p><p>%s</p></article></body></html>",
				previewStory, previewStory, previewStory)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &pageHits
}

func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return out.String(), errb.String(), err
}

func TestPreviewJSONFromWebPage(t *testing.T) {
	t.Setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "true")
	srv, pageHits := previewSite(t)
	stdout, stderr, err := runCmd(t, "preview", "-json", "-n", "2", srv.URL+"/")
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, srv.URL+"/feed.xml") {
		t.Errorf("stderr does not say which feed was chosen: %q", stderr)
	}
	var got struct {
		Title string `json:"title"`
		Items []struct {
			Title, Link, Author, Published string
			Summary                        []string
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if got.Title != "Harbour & Co" || len(got.Items) != 2 {
		t.Fatalf("got %+v", got)
	}
	first, second := got.Items[0], got.Items[1]
	if first.Title != "Bridge to close" || first.Link != srv.URL+"/a/bridge" || first.Published != "2024-04-12T06:30:00Z" {
		t.Errorf("newest item first: %+v", first)
	}
	if second.Title != "Older news" || second.Author != "Ed" {
		t.Errorf("second item: %+v", second)
	}
	// Teasers are summarized from their article pages.
	if len(first.Summary) == 0 || !strings.Contains(strings.Join(first.Summary, " "), "bridge") {
		t.Errorf("summary not from the page: %q", first.Summary)
	}
	if *pageHits != 2 {
		t.Errorf("article pages fetched: %d, want 2", *pageHits)
	}
}

func TestPreviewOfflineFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	// ISO-8859-1 without a declaration, as some real feeds are.
	feed := "<rss version=\"2.0\"><channel><title>Caf\xe9 news</title>" +
		"<item><title>Cr\xe8me br\xfbl\xe9e</title><link>http://192.0.2.1/never-fetched</link>" +
		"<description>Only the feed text is used. It has two sentences.</description></item></channel></rss>"
	if err := os.WriteFile(path, []byte(feed), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCmd(t, "preview", "-offline", path)
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, stderr)
	}
	for _, want := range []string{"Café news", "1. Crème brûlée", "http://192.0.2.1/never-fetched", "• Only the feed text is used."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestPreviewRefusesPrivateAddresses(t *testing.T) {
	t.Setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "")
	srv, _ := previewSite(t)
	_, _, err := runCmd(t, "preview", srv.URL+"/feed.xml")
	if err == nil || !strings.Contains(err.Error(), "private") {
		t.Fatalf("err = %v, want a private-address refusal", err)
	}
}

func TestPreviewErrors(t *testing.T) {
	if _, _, err := runCmd(t, "preview"); err == nil {
		t.Error("no argument accepted")
	}
	if _, _, err := runCmd(t, "preview", "-n", "0", "x.xml"); err == nil {
		t.Error("-n 0 accepted")
	}
	if _, _, err := runCmd(t, "preview", filepath.Join(t.TempDir(), "missing.xml")); err == nil {
		t.Error("missing file accepted")
	}
	notFeed := filepath.Join(t.TempDir(), "page.html")
	_ = os.WriteFile(notFeed, []byte("<html><body>hi</body></html>"), 0o644)
	if _, _, err := runCmd(t, "preview", notFeed); err == nil || !strings.Contains(err.Error(), "No RSS") {
		t.Errorf("not a feed: err = %v", err)
	}
}

// TestPreviewReaderExamples runs `preview -offline -json` over each of the
// examples of issue 13 (feeds/testdata/reader) and checks that it shows
// the text a careful reader of the feed sees.
func TestPreviewReaderExamples(t *testing.T) {
	type want struct{ summary, text string }
	const interview = "Watch the full interview."
	tests := []struct {
		file  string
		items map[string]want // by title; "" fields are not checked
		warn  string          // on stderr
	}{
		{"embeds.xml", map[string]want{
			"Iframe": {interview, interview}, "Object": {interview, interview}, "Embed": {interview, interview},
			"Video with fallback": {interview, interview}, "Unclosed iframe": {interview, interview},
		}, ""},
		{"scripts.xml", map[string]want{
			"safe headline": {"Plain text.", "Plain text."},
			"styled title":  {"", "Before. After."},
		}, ""},
		{"summary.atom", map[string]want{
			"A proper summary wins": {"The council approved the new harbour bridge on Tuesday. Construction starts in spring and takes three years. The bridge will carry trams, bicycles and pedestrians.", ""},
		}, ""},
		{"short.xml", map[string]want{
			"Comments only":  {"Comments", "Comments"},
			"Read more":      {"Click here to read more", "Click here to read more"},
			"No text at all": {"", ""},
		}, ""},
		{"truncated.xml", map[string]want{"First": {"The first story is complete.", ""}, "Second": {"The second story is complete too.", ""}}, "cut off"},
		{"base64.atom", map[string]want{"Encoded content": {"", "Decoded base64 text.\n\nIt has two paragraphs."}}, ""},
		{"xmlbase.atom", map[string]want{"Relative to the entry's xml:base": {"Two.", "Two."}}, ""},
	}
	for _, tt := range tests {
		path := filepath.Join("..", "..", "feeds", "testdata", "reader", tt.file)
		stdout, stderr, err := runCmd(t, "preview", "-offline", "-json", "-n", "20", path)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.file, err, stderr)
		}
		if tt.warn != "" && !strings.Contains(stderr, tt.warn) {
			t.Errorf("%s: stderr lacks %q: %q", tt.file, tt.warn, stderr)
		}
		var got previewOutput
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%s: %v\n%s", tt.file, err, stdout)
		}
		seen := map[string]bool{}
		for _, it := range got.Items {
			w, ok := tt.items[it.Title]
			if !ok {
				continue
			}
			seen[it.Title] = true
			if sum := strings.Join(it.Summary, " "); (w.summary != "" || it.Title == "No text at all") && sum != w.summary {
				t.Errorf("%s %q: summary %q, want %q", tt.file, it.Title, sum, w.summary)
			}
			if w.text != "" && it.Text != w.text {
				t.Errorf("%s %q: text %q, want %q", tt.file, it.Title, it.Text, w.text)
			}
			for _, bad := range []string{"script", "location", "no text to summarize", "browser"} {
				if strings.Contains(it.Title+strings.Join(it.Summary, " ")+it.Text, bad) {
					t.Errorf("%s %q: shows %q", tt.file, it.Title, bad)
				}
			}
		}
		for title := range tt.items {
			if !seen[title] {
				t.Errorf("%s: no item %q in %s", tt.file, title, stdout)
			}
		}
	}
}
