package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsbot/store"
	"newsbot/store/sqlite"
)

// clock is a test clock the poller and the store share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// pollSite serves one RSS feed (with an ETag) and its items' pages.
type pollSite struct {
	srv *httptest.Server

	mu        sync.Mutex
	items     []string // GUIDs, oldest first
	teaser    bool
	broken    bool
	cut       bool // the body ends before </rss>, as a dropped connection leaves it
	version   int
	feedHits  int
	pageHits  int
	notModded int
}

func newPollSite(t *testing.T) *pollSite {
	s := &pollSite{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *pollSite) add(guids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, guids...)
	s.version++
}

const pollStoryText = "The city council approved the new transit plan on Tuesday after months of debate. " +
	"The plan adds three bus lines and extends the tram to the airport by 2028. " +
	"Council members said the cost would be shared with the regional government. " +
	"Opponents argued that the money should go to road repairs instead. " +
	"The mayor called the vote a turning point for the city's commuters. "

func (s *pollSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/story/") {
		s.pageHits++
		fmt.Fprintf(w, "<html><body><article><h1>Story</h1><p>%s</p><p>%s</p><p>%s</p></article></body></html>",
			pollStoryText, pollStoryText, pollStoryText)
		return
	}
	s.feedHits++
	if s.broken {
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item></rss>`)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, s.version)
	if r.Header.Get("If-None-Match") == etag {
		s.notModded++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Poll Site</title>`)
	for i := len(s.items) - 1; i >= 0; i-- {
		g := s.items[i]
		text := pollStoryText + pollStoryText + pollStoryText + pollStoryText
		if s.teaser {
			text = "A short teaser."
		}
		fmt.Fprintf(w, `<item><guid>%s</guid><title>Story %s</title><link>%s/story/%s</link><pubDate>%s</pubDate><description>%s</description></item>`,
			g, g, s.srv.URL, g, time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z), text)
	}
	if s.cut {
		return // no closing tags: the document was cut after its last item
	}
	fmt.Fprint(w, `</channel></rss>`)
}

type pollFixture struct {
	st    *sqlite.Store
	clk   *clock
	p     *Poller
	site  *pollSite
	sub   store.Subscription
	fresh int // OnNew calls
}

// newPollFixture subscribes a channel to a site whose current items are
// already seen, as /feed add does.
func newPollFixture(t *testing.T, initial ...string) *pollFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "poll.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	st.Now = clk.Now
	site := newPollSite(t)
	site.add(initial...)
	fetcher := NewFetcher(Config{AllowPrivate: true})
	res, err := fetcher.FetchFeed(ctx, site.srv.URL+"/feed.xml", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []store.Article
	for _, it := range res.Feed.Items {
		id, lk := Identity(it)
		seen = append(seen, store.Article{Identity: id, LinkKey: lk, Link: it.Link, Title: it.Title, Published: it.Published})
	}
	sub, err := st.Subscribe(ctx, store.NewSubscription{
		GuildID: "g1", ChannelID: "c1", CreatedBy: "u1",
		Feed: store.Feed{URL: site.srv.URL + "/feed.xml", Title: res.Feed.Title}, Seen: seen, NextPollAt: clk.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &pollFixture{st: st, clk: clk, site: site, sub: sub}
	f.p = &Poller{
		Store: st, Fetcher: fetcher, Articles: &Builder{Fetcher: fetcher, Now: clk.Now},
		Interval: 10 * time.Minute, Workers: 2, Owner: "test", Lease: time.Minute, Sentences: 3,
		Now: clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), OnNew: func() { f.fresh++ },
	}
	return f
}

// round advances the clock past the next poll and polls what is due.
func (f *pollFixture) round(t *testing.T) {
	t.Helper()
	f.clk.Add(2 * time.Hour) // past any backoff short of "failing"
	if _, err := f.p.PollDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *pollFixture) deliveries(t *testing.T) []store.Delivery {
	t.Helper()
	d, err := f.st.Deliveries(context.Background(), f.sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPollSeedsThenDeliversOnlyNewItems(t *testing.T) {
	f := newPollFixture(t, "a", "b", "c")
	f.round(t)
	if d := f.deliveries(t); len(d) != 0 {
		t.Fatalf("back catalogue produced %d deliveries, want 0", len(d))
	}
	f.site.add("d", "e")
	f.round(t)
	d := f.deliveries(t)
	if len(d) != 2 {
		t.Fatalf("%d deliveries for 2 new items", len(d))
	}
	// Oldest first: "d" was published before "e".
	if !strings.HasSuffix(d[0].Article.Link, "/story/d") && d[0].ArticleID > d[1].ArticleID {
		t.Errorf("deliveries not oldest first: %+v", d)
	}
	if f.fresh != 1 {
		t.Errorf("OnNew called %d times, want 1", f.fresh)
	}
}

func TestPollThousandTimesStoresEachArticleOnce(t *testing.T) {
	f := newPollFixture(t)
	f.site.add("x", "y")
	for i := range 1000 {
		if i == 500 {
			f.site.add("z") // changes the ETag once mid-way
		}
		f.round(t)
	}
	if d := f.deliveries(t); len(d) != 3 {
		t.Fatalf("%d deliveries after 1000 polls of 3 items, want 3", len(d))
	}
	if f.site.notModded < 990 {
		t.Errorf("only %d of 1000 polls were 304s; conditional requests not used", f.site.notModded)
	}
}

func TestPollFetchesFullTextOnlyForNewTeasers(t *testing.T) {
	f := newPollFixture(t, "old1", "old2")
	f.site.mu.Lock()
	f.site.teaser = true
	f.site.mu.Unlock()
	f.site.add("new1")
	f.round(t)
	if f.site.pageHits != 1 {
		t.Fatalf("%d page fetches, want 1 (the one new teaser)", f.site.pageHits)
	}
	d, err := f.st.ClaimDeliveries(context.Background(), store.ClaimOptions{Owner: "t", Now: f.clk.Now(), Limit: 10, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || len(d[0].Article.Summary) == 0 || !strings.Contains(strings.Join(d[0].Article.Summary, " "), "council") {
		t.Fatalf("teaser not summarized from the page: %+v", d)
	}
	f.site.add("new2")
	f.round(t)
	if f.site.pageHits != 2 {
		t.Errorf("%d page fetches after a second new item, want 2", f.site.pageHits)
	}
}

func TestPollMalformedFeedIsMarkedAndBacksOff(t *testing.T) {
	f := newPollFixture(t, "a")
	f.site.mu.Lock()
	f.site.broken = true
	f.site.mu.Unlock()
	for range store.FailingThreshold {
		f.round(t)
	}
	subs, err := f.st.ListSubscriptions(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	feed := subs[0].Feed
	if feed.ErrorCount != store.FailingThreshold || !feed.Failing() || !strings.Contains(feed.LastError, "broken") {
		t.Fatalf("feed after %d malformed polls: errors %d, failing %v, last error %q", store.FailingThreshold, feed.ErrorCount, feed.Failing(), feed.LastError)
	}
	if wait := feed.NextPollAt.Sub(f.clk.Now()); wait < 50*time.Minute {
		t.Errorf("a failing feed is next polled in %s, want about an hour", wait)
	}
	// Recovery resets the count.
	f.site.mu.Lock()
	f.site.broken = false
	f.site.mu.Unlock()
	f.round(t)
	subs, _ = f.st.ListSubscriptions(context.Background(), "g1")
	if subs[0].Feed.ErrorCount != 0 {
		t.Errorf("error count %d after a good poll, want 0", subs[0].Feed.ErrorCount)
	}
}

func TestFailureDelay(t *testing.T) {
	p := &Poller{Interval: 10 * time.Minute}
	tests := []struct {
		n        int
		err      error
		min, max time.Duration
	}{
		{1, errors.New("x"), 9 * time.Minute, 11 * time.Minute},
		{2, errors.New("x"), 18 * time.Minute, 22 * time.Minute},
		{3, errors.New("x"), 36 * time.Minute, 44 * time.Minute},
		{5, errors.New("x"), 54 * time.Minute, 66 * time.Minute},
		{store.FailingThreshold, errors.New("x"), 54 * time.Minute, 66 * time.Minute},
		{1, &StatusError{Code: 429, RetryAfter: 3 * time.Hour}, 162 * time.Minute, 198 * time.Minute},
	}
	for _, tt := range tests {
		got := p.failureDelay(tt.n, tt.err)
		if got < tt.min || got > tt.max {
			t.Errorf("failureDelay(%d, %v) = %s, want %s..%s", tt.n, tt.err, got, tt.min, tt.max)
		}
	}
}
