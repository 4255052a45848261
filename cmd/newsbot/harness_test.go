package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"newsbot/bot/discordtest"
	"newsbot/internal/pgtest"
)

// articlesJSONL holds real news stories (CNN/DailyMail test set, via the
// FRANK benchmark, MIT licence) that the test feeds publish.
//
//go:embed testdata/articles.jsonl
var articlesJSONL []byte

type fixtureArticle struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

func loadArticles(t testing.TB) []fixtureArticle {
	t.Helper()
	var out []fixtureArticle
	sc := bufio.NewScanner(bytes.NewReader(articlesJSONL))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a fixtureArticle
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("testdata/articles.jsonl: %v", err)
		}
		out = append(out, a)
	}
	return out
}

// feedServer serves RSS feeds whose items the test publishes, with ETags
// (so unchanged feeds cost a 304), and the article pages they link to.
type feedServer struct {
	t        testing.TB
	srv      *httptest.Server
	articles []fixtureArticle

	mu    sync.Mutex
	feeds map[string]*testFeed
	hits  map[string]int
	next  int
}

type testFeed struct {
	title   string
	items   []testItem
	version int
}

type testItem struct {
	GUID, Title, Link, Text string
	Published               time.Time
	Teaser                  bool // the feed carries a teaser; the page has the text
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{t: t, articles: loadArticles(t), feeds: map[string]*testFeed{}, hits: map[string]int{}}
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.srv.Close)
	return fs
}

// addFeed creates an empty feed and returns its URL.
func (fs *feedServer) addFeed(name, title string) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.feeds["/feeds/"+name+".xml"] = &testFeed{title: title}
	return fs.srv.URL + "/feeds/" + name + ".xml"
}

// publish adds n items to a feed, newest last, and returns them.
func (fs *feedServer) publish(name string, n int, teaser bool) []testItem {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.feeds["/feeds/"+name+".xml"]
	var out []testItem
	for range n {
		fs.next++
		a := fs.articles[fs.next%len(fs.articles)]
		id := fmt.Sprintf("%s-%d", name, fs.next)
		title := fmt.Sprintf("Story %d: %s", fs.next, firstWords(a.Text, 8))
		it := testItem{
			GUID: "urn:test:" + id, Title: title, Link: fs.srv.URL + "/articles/" + id + ".html",
			Text: a.Text, Published: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(fs.next) * time.Minute),
			Teaser: teaser,
		}
		f.items = append(f.items, it)
		out = append(out, it)
	}
	f.version++
	return out
}

// hitsOf is how many times a path was requested.
func (fs *feedServer) hitsOf(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path]
}

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.hits[r.URL.Path]++
	if strings.HasPrefix(r.URL.Path, "/articles/") {
		fs.servePage(w, r)
		return
	}
	f, ok := fs.feeds[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	etag := `"v` + strconv.Itoa(f.version) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s</link>`, xmlEscape(f.title), fs.srv.URL)
	for i := len(f.items) - 1; i >= 0; i-- { // newest first, as feeds do
		it := f.items[i]
		desc := it.Text
		if it.Teaser {
			desc = firstWords(it.Text, 25) + "…"
		}
		fmt.Fprintf(&b, `<item><guid>%s</guid><title>%s</title><link>%s</link><pubDate>%s</pubDate><description>%s</description></item>`,
			xmlEscape(it.GUID), xmlEscape(it.Title), xmlEscape(it.Link), it.Published.Format(time.RFC1123Z), xmlEscape(desc))
	}
	b.WriteString(`</channel></rss>`)
	io.WriteString(w, b.String())
}

// servePage serves an item's article page, as a news site would.
func (fs *feedServer) servePage(w http.ResponseWriter, r *http.Request) {
	for _, f := range fs.feeds {
		for _, it := range f.items {
			if strings.HasSuffix(it.Link, r.URL.Path) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>%s</h1>`,
					html.EscapeString(it.Title), html.EscapeString(it.Title))
				for _, p := range strings.Split(it.Text, ". ") {
					fmt.Fprintf(w, "<p>%s.</p>\n", html.EscapeString(p))
				}
				io.WriteString(w, `</article><footer>© Test News. Sign up for our newsletter.</footer></body></html>`)
				return
			}
		}
	}
	http.NotFound(w, r)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// env is a test bot's environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// baseEnv points a bot at the Discord double and a database.
func baseEnv(dc *discordtest.Server, dbURL string) env {
	return env{
		"DISCORD_TOKEN":                   dc.Token,
		"DISCORD_API_URL":                 dc.URL,
		"DATABASE_URL":                    dbURL,
		"POLL_INTERVAL":                   "1s",
		"NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "true", // every test server is on loopback
		"LEASE_DURATION":                  "3s",
		"LOG_LEVEL":                       "debug",
	}
}

// databases are the stores every end-to-end test runs against.
func databases(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "newsbot.db")
		},
		"postgres": func(t *testing.T) string { return pgtest.Fresh(t) },
	}
}

// runningBot is a bot run in-process by a test.
type runningBot struct {
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

// startBot runs the bot with e until the test ends (or stop is called).
func startBot(t *testing.T, e env) *runningBot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rb := &runningBot{cancel: cancel, done: make(chan error, 1), logs: &syncBuffer{}}
	go func() { rb.done <- runBot(ctx, e.get, stdio{in: strings.NewReader(""), out: rb.logs, err: rb.logs}) }()
	t.Cleanup(func() {
		if err := rb.stop(); err != nil {
			t.Errorf("bot stopped with error: %v", err)
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("bot log:\n%s", rb.logs.String())
		}
	})
	return rb
}

// stop shuts the bot down as SIGTERM would and returns its error.
func (rb *runningBot) stop() error {
	if rb.cancel == nil {
		return nil
	}
	rb.cancel()
	rb.cancel = nil
	select {
	case err := <-rb.done:
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the bot did not stop within 30s of shutdown")
	}
}

// syncBuffer collects a bot's log across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// deadline is the context every wait in a test uses: generous, so a slow CI
// machine never flakes, and a hang still ends.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
