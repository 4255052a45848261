package feeds

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func parseFixture(t *testing.T, name, contentType, baseURL string) *Feed {
	t.Helper()
	feed, err := Parse(bytes.NewReader(readFixture(t, name)), contentType, baseURL)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return feed
}

func TestParseRSSQuirks(t *testing.T) {
	feed := parseFixture(t, "rss_quirks.xml", "application/rss+xml", "https://widgets.example.com/feed/")
	if want := "The Daily Widget – News & Notes"; feed.Title != want {
		t.Errorf("title = %q, want %q", feed.Title, want)
	}
	if feed.SiteURL != "https://widgets.example.com" || feed.FeedURL != "https://widgets.example.com/feed/" {
		t.Errorf("site, feed URL = %q, %q", feed.SiteURL, feed.FeedURL)
	}
	// 6 items: one listed twice is dropped.
	if len(feed.Items) != 5 {
		for _, it := range feed.Items {
			t.Logf("%+v", it)
		}
		t.Fatalf("items = %d, want 5", len(feed.Items))
	}

	merge := feed.Items[0]
	if want := "Breaking: Widgets & Gadgets agree to merge"; merge.Title != want {
		t.Errorf("CDATA title with HTML = %q, want %q", merge.Title, want)
	}
	if want := "https://widgets.example.com/2024/03/widgets-gadgets-merge/?utm_source=rss&utm_medium=rss&utm_campaign=widgets-gadgets-merge"; merge.Link != want {
		t.Errorf("relative link = %q, want %q", merge.Link, want)
	}
	if merge.GUID != "https://widgets.example.com/?p=101" || merge.Author != "Jane Doe" {
		t.Errorf("guid, author = %q, %q", merge.GUID, merge.Author)
	}
	if want := time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC); !merge.Published.Equal(want) {
		t.Errorf("published = %v", merge.Published)
	}
	if want := "https://widgets.example.com/wp-content/uploads/2024/03/merge-1024x683.jpg"; merge.ImageURL != want {
		t.Errorf("image = %q, want %q", merge.ImageURL, want)
	}
	wantContent := "The two largest makers of small mechanical parts said on Tuesday they would combine, creating a company that sells nearly half of the world’s widgets.\n\n" +
		"“We are stronger together,” said the chief executive of Widget Works.\nAnalysts expect regulators to look closely at the deal.\n\n" +
		"Shares of both companies rose more than 8 percent in early trading."
	if merge.Content != wantContent {
		t.Errorf("content (content:encoded beats the teaser):\n got %q\nwant %q", merge.Content, wantContent)
	}

	generics := feed.Items[1]
	if want := "Generics in Go: writing Map<T> without the pain"; generics.Title != want {
		t.Errorf("title = %q, want %q", generics.Title, want)
	}
	if !generics.Published.IsZero() {
		t.Errorf("missing date gave %v", generics.Published)
	}
	if want := "https://widgets.example.com/2024/03/generics-map/images/generics.png"; generics.ImageURL != want {
		t.Errorf("enclosure image = %q, want %q", generics.ImageURL, want)
	}
	if want := "A short tutorial with no date in the feed.\n\nIt has two paragraphs of plain text,\nand a line break inside the second."; generics.Content != want {
		t.Errorf("plain-text description = %q", generics.Content)
	}

	qa := feed.Items[2]
	if want := "Q&A: AT&T’s new gizmo"; qa.Title != want {
		t.Errorf("twice-escaped title = %q, want %q", qa.Title, want)
	}
	if want := "Escaped HTML in a description: bold and a link."; qa.Content != want {
		t.Errorf("escaped HTML description = %q, want %q", qa.Content, want)
	}
	if qa.ImageURL != "https://cdn.example.com/thumbs/qa-gizmo.jpg" {
		t.Errorf("media thumbnail = %q", qa.ImageURL)
	}

	// The two roundups share a GUID that names the home page: not an
	// identity, so they keep their own links as identity.
	for _, it := range feed.Items[3:] {
		if it.GUID != "" {
			t.Errorf("%q kept the shared GUID %q", it.Title, it.GUID)
		}
	}
	id3, _ := Identity(feed.Items[3])
	id4, _ := Identity(feed.Items[4])
	if id3 == id4 {
		t.Errorf("roundups share identity %q", id3)
	}
}

func TestParseAtomQuirks(t *testing.T) {
	feed := parseFixture(t, "atom_quirks.xml", "application/atom+xml", "https://blog.example.net/atom.xml")
	if feed.Title != "Notes from the Lighthouse" {
		t.Errorf("title = %q", feed.Title)
	}
	if feed.SiteURL != "https://blog.example.net/" {
		t.Errorf("site = %q", feed.SiteURL)
	}
	if len(feed.Items) != 3 {
		t.Fatalf("items = %d", len(feed.Items))
	}
	first := feed.Items[0]
	if first.Title != "First light & long shadows" {
		t.Errorf("html title = %q", first.Title)
	}
	if first.Link != "https://blog.example.net/posts/first-light/" {
		t.Errorf("xml:base link = %q", first.Link)
	}
	if first.Author != "Ada Keeper" {
		t.Errorf("feed author fallback = %q", first.Author)
	}
	if want := time.Date(2024, 2, 20, 6, 2, 0, 0, time.UTC); !first.Published.Equal(want) {
		t.Errorf("published = %v, want %v", first.Published, want)
	}
	if !strings.HasPrefix(first.Content, "The lamp goes out at sunrise, and the work begins") ||
		!strings.Contains(first.Content, "\n\nA Fresnel lens has hundreds of prisms") {
		t.Errorf("xhtml content = %q", first.Content)
	}
	if first.ImageURL != "https://blog.example.net/posts/first-light/lens.jpg" {
		t.Errorf("image = %q", first.ImageURL)
	}

	storm := feed.Items[1]
	if storm.Author != "Ben Relief" || storm.Link != "https://blog.example.net/posts/storm-log-february/" {
		t.Errorf("storm = %+v", storm)
	}
	if want := time.Date(2024, 2, 12, 21, 30, 0, 0, time.UTC); !storm.Published.Equal(want) {
		t.Errorf("updated-only date = %v", storm.Published)
	}
	if want := "Three storms in two weeks.\n\nWind: 90 km/h\n\nWaves: 6 m"; storm.Content != want {
		t.Errorf("content = %q, want %q", storm.Content, want)
	}

	bare := feed.Items[2]
	if bare.Link != "" || !bare.Published.IsZero() || bare.GUID == "" {
		t.Errorf("bare entry = %+v", bare)
	}
	if bare.Content != "Plain text content, & an ampersand." {
		t.Errorf("text content = %q", bare.Content)
	}
}

func TestParseJSONFeed(t *testing.T) {
	feed := parseFixture(t, "jsonfeed.json", "application/feed+json", "https://kettle.example.org/feed.json")
	if feed.Title != "Kettle & Crumb" || feed.SiteURL != "https://kettle.example.org/" {
		t.Errorf("feed = %q %q", feed.Title, feed.SiteURL)
	}
	if len(feed.Items) != 3 {
		t.Fatalf("items = %d", len(feed.Items))
	}
	bread := feed.Items[0]
	if bread.Content != "Mix, wait, bake.\n\nThat is the whole recipe—almost." {
		t.Errorf("content = %q", bread.Content)
	}
	if bread.ImageURL != "https://kettle.example.org/images/sourdough.jpg" || bread.Author != "Mo Baker" {
		t.Errorf("image, author = %q, %q", bread.ImageURL, bread.Author)
	}
	if want := time.Date(2024, 3, 9, 15, 0, 0, 0, time.UTC); !bread.Published.Equal(want) {
		t.Errorf("published = %v", bread.Published)
	}
	scones := feed.Items[1]
	if scones.Link != "https://kettle.example.org/2024/03/02/scones/" || scones.Author != "Lou Guest" {
		t.Errorf("scones = %+v", scones)
	}
	if scones.Content != "Forty scones, one oven.\n\nHere is how the timing works." {
		t.Errorf("content_text = %q", scones.Content)
	}
	note := feed.Items[2]
	if note.Title != "" || note.Link != "" || note.GUID != "note-17" {
		t.Errorf("note = %+v", note)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error
		inMsg     string
	}{
		{"truncated", string(readFixture(t, "malformed.xml")), ErrMalformed, "line 13: unexpected EOF"},
		{"bad attribute", "<rss version=\"2.0\"><channel>\n<item <title>x</title></item></channel></rss>", ErrMalformed, "line 2"},
		{"item closed by rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item></rss>`, ErrMalformed, "element <item> closed by </rss>"},
		{"unclosed entry", "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>x</title>\n</feed>", ErrMalformed, "line 2"},
		{"bad JSON", `{"version": "https://jsonfeed.org/version/1.1", "items": [}`, ErrMalformed, "invalid character"},
		{"html", string(readFixture(t, "article_news.html")), ErrNotFeed, "root element"},
		{"empty", "  \n", ErrNotFeed, "empty"},
		// Sloppy HTML inside a description is tolerated.
		{"bare html in description", `<rss><channel><title>T</title><item><title>x</title><description>a<br>b <p>c</description></item></channel></rss>`, nil, ""},
		{"text", "hello, world", ErrNotFeed, "neither XML nor JSON"},
		{"other XML", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`, ErrNotFeed, ""},
		{"other JSON", `{"name": "not a feed"}`, ErrNotFeed, ""},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.doc), "", "")
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.inMsg) {
			t.Errorf("%s: err = %q, want it to mention %q", tt.name, err, tt.inMsg)
		}
	}
}

// minifluxFixtures are the real-world files of testdata/miniflux (from the
// miniflux project), with what a correct decode must produce.
var minifluxFixtures = []struct {
	file, title string
	items       int
	itemTitle   string // of the first item
	inContent   string // in some item's content
}{
	{"encoding_ISO-8859-1.xml", "Golem.de", 40, "Red Dead Redemption 2: Hinweise auf PC-Umsetzung in App von Rockstar Games", "Viele Spieler wünschen sich"},
	{"encoding_WINDOWS-1251.xml", "iBash.Org.Ru", 50, "Цитата #17703", "есть у кого жаба программер"},
	{"invalid-prolog.xml", "테스트 피드", 1, "Café", ""},
	{"koi8r.xml", "Пример RSS ленты", 2, "Первая новость", "Ёжик, чай, Москва, Санкт-Петербург."},
	{"large_atom.xml", "Artificial truth", 25, "Using vale with vim", "editorial style linter"},
	{"large_rss.xml", "Artificial truth", 25, "Using vale with vim", "editorial style linter"},
	{"no_encoding_ISO-8859-1.xml", "Flux RSS du magazine de psychologie Le Cercle Psy", 9 /* 10, one empty */, "Perturbateurs endocriniens : quels effets sur le cerveau ?", "troubles neuro-développementaux chez l'enfant"},
	{"rdf_UTF8.xml", "heise online News", 60, "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen", "Der Computerkonzern IBM übernimmt"},
	{"small_atom.xml", "Recent Commits to v2:main", 20, "Parse podcast categories", "Parse podcast categories"},
	{"urdu_UTF8.xml", "BBC News اردو - پاکستان کے لیے امریکی امداد کی بہار و خزاں", 26, "امریکی عسکری امداد کی بندش کی وجوہات: انڈیا سے جنگ، جوہری پروگرام اور اب دہشت گردوں کی پشت پناہی", "پاکستان"},
	{"utf8-incorrect-prolog.xml", "테스트 피드", 1, "Café", ""},
	{"windows-1252.xml", "Euro €", 0, "", ""},
}

func TestParseRealWorldEncodings(t *testing.T) {
	for _, tt := range minifluxFixtures {
		t.Run(tt.file, func(t *testing.T) {
			feed := parseFixture(t, filepath.Join("miniflux", tt.file), "", "https://example.org/feed")
			if feed.Title != tt.title {
				t.Errorf("title = %q, want %q", feed.Title, tt.title)
			}
			if len(feed.Items) != tt.items {
				t.Fatalf("items = %d, want %d", len(feed.Items), tt.items)
			}
			if tt.items > 0 && feed.Items[0].Title != tt.itemTitle {
				t.Errorf("first item = %q, want %q", feed.Items[0].Title, tt.itemTitle)
			}
			if tt.inContent != "" {
				found := false
				for _, it := range feed.Items {
					found = found || strings.Contains(it.Content, tt.inContent)
				}
				if !found {
					t.Errorf("no item content contains %q", tt.inContent)
				}
			}
			checkClean(t, feed)
		})
	}
}

// checkClean fails on text that shows a decoding or markup bug.
func checkClean(t *testing.T, feed *Feed) {
	t.Helper()
	check := func(what, s string) {
		switch {
		case !utf8.ValidString(s):
			t.Errorf("%s is not UTF-8: %q", what, s)
		case strings.ContainsRune(s, utf8.RuneError):
			t.Errorf("%s holds U+FFFD: %q", what, s)
		case strings.Contains(s, "Ã") || strings.Contains(s, "Ð") || strings.Contains(s, "â€"):
			t.Errorf("%s looks double-encoded: %q", what, s)
		case strings.Contains(s, "<p>") || strings.Contains(s, "<br") || strings.Contains(s, "&amp;") || strings.Contains(s, "&quot;"):
			t.Errorf("%s holds markup: %q", what, s)
		}
	}
	check("feed title", feed.Title)
	for _, it := range feed.Items {
		check("title", it.Title)
		check("content", it.Content)
		check("author", it.Author)
	}
}

// TestParseSharedFeeds runs over the team's shared collection of feeds when
// this checkout sits next to it; a user's clone skips it. Every file but the
// collection's notes is a feed, whatever its extension (XML, JSON Feed, or
// none): more may appear there.
func TestParseSharedFeeds(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "feeds")
	all, _ := filepath.Glob(filepath.Join(dir, "*"))
	var files []string
	for _, f := range all {
		fi, err := os.Stat(f)
		if ext := strings.ToLower(filepath.Ext(f)); err == nil && fi.Mode().IsRegular() && ext != ".md" && ext != ".txt" {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Skipf("no shared feeds at %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := Parse(bytes.NewReader(b), "", "https://example.org/feed")
			if err != nil {
				t.Fatal(err)
			}
			if feed.Title == "" {
				t.Error("no feed title")
			}
			for _, it := range feed.Items {
				if it.Title == "" && it.Content == "" {
					t.Errorf("empty item %+v", it)
				}
			}
			checkClean(t, feed)
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"large_rss.xml", "large_atom.xml", "encoding_ISO-8859-1.xml", "encoding_WINDOWS-1251.xml"} {
		doc := readFixture(b, filepath.Join("miniflux", name))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bytes.NewReader(doc), "", "https://example.org/feed"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseCategories: an item's categories (RSS <category>, Atom
// <category term>, JSON Feed tags) are kept, cleaned, for category: terms.
func TestParseCategories(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    []string
	}{
		{"rss", "application/rss+xml", `<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>A</title>` +
			`<category>World</category><category> world </category><category><![CDATA[Asia &amp; <b>Pacific</b>]]></category></item></channel></rss>`,
			[]string{"World", "Asia & Pacific"}},
		{"atom", "application/atom+xml", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>1</id><title>A</title>` +
			`<category term="Politics"/><category term="Elections" label="Elections 2026"/></entry></feed>`,
			[]string{"Politics", "Elections 2026"}}, // the label, when given, is the human name
		{"json", "application/feed+json", `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","title":"A","tags":["tech","Tech","AI"]}]}`,
			[]string{"tech", "AI"}},
	}
	for _, tc := range tests {
		f, err := Parse(strings.NewReader(tc.body), tc.contentType, "https://example.com/feed")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := f.Items[0].Categories; !slices.Equal(got, tc.want) {
			t.Errorf("%s: categories %q, want %q", tc.name, got, tc.want)
		}
	}
}
