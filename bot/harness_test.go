package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"newsbot/bot/discordtest"
	"newsbot/feeds"
	"newsbot/store"
)

// testBot is a Bot connected to the Discord double, with its commands
// registered, an in-memory store, feeds the test controls and a clock the
// test moves. No deliverer runs: these tests are about commands.
type testBot struct {
	b       *Bot
	dc      *discordtest.Server
	guild   discordtest.Guild
	channel string
	clock   *fakeClock
	store   *memStore
	src     *fakeSources
	reg     *prometheus.Registry
	logs    *syncBuffer
}

func startTestBot(t *testing.T) *testBot {
	t.Helper()
	tb := &testBot{dc: discordtest.New(t), clock: &fakeClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
		store: newMemStore(), src: newFakeSources(), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	tb.guild = tb.dc.AddGuild("Newsroom")
	tb.channel = tb.dc.AddChannel(tb.guild.ID, "news")
	log := slog.New(slog.NewTextHandler(tb.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b, err := New(Config{Token: tb.dc.Token, APIURL: tb.dc.URL, DefaultSentences: 3, PollInterval: time.Minute, Owner: "test"},
		tb.store, tb.src, log, NewMetrics(tb.reg))
	if err != nil {
		t.Fatal(err)
	}
	b.now = tb.clock.Now
	ctx, cancel := context.WithCancel(context.Background())
	b.ctx = ctx
	tb.b = b
	t.Cleanup(func() {
		cancel()
		tb.src.releaseAll()
		b.closeSessions()
		if t.Failed() {
			t.Logf("bot log:\n%s", tb.logs.String())
		}
	})
	if err := b.open(); err != nil {
		t.Fatal(err)
	}
	if err := b.register(ctx); err != nil {
		t.Fatal(err)
	}
	return tb
}

// interact runs a command as a member with Manage Server and returns the
// interaction, to watch its answer.
func (tb *testBot) interact(t *testing.T, command string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordtest.Interaction {
	t.Helper()
	in, err := tb.dc.Interact(testDeadline(t), discordtest.InteractionSpec{
		GuildID: tb.guild.ID, ChannelID: tb.channel, Command: command, Options: opts,
		Permissions: discordtest.MemberPermissions | discordgo.PermissionManageGuild,
	})
	if err != nil {
		t.Fatalf("/%s: %v", command, err)
	}
	return in
}

// run runs a command and waits for its final answer.
func (tb *testBot) run(t *testing.T, command string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
	t.Helper()
	m, err := tb.interact(t, command, opts...).WaitResponse(testDeadline(t))
	if err != nil {
		t.Fatalf("/%s: no answer: %v", command, err)
	}
	return m
}

// testDeadline bounds every wait: generous, so a loaded machine never
// flakes, and a hang still ends.
func testDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeSources serves the feeds a test adds, by URL; a held URL answers
// only once released. Everything else is not a feed.
type fakeSources struct {
	mu    sync.Mutex
	feeds map[string]*feeds.Feed
	hold  map[string]chan struct{}
	asked []string
}

func newFakeSources() *fakeSources {
	return &fakeSources{feeds: map[string]*feeds.Feed{}, hold: map[string]chan struct{}{}}
}

// add makes url a feed with one item; held, it answers only once released.
func (f *fakeSources) add(url, title string, held bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feeds[url] = &feeds.Feed{Title: title, Items: []feeds.Item{{
		GUID: url + "#1", Link: url + "/1", Title: title + " story", Content: "The first sentence. The second one.",
		Published: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
	}}}
	if held {
		f.hold[url] = make(chan struct{})
	}
}

func (f *fakeSources) release(url string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.hold[url]; ok {
		close(c)
		delete(f.hold, url)
	}
}

func (f *fakeSources) releaseAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for u, c := range f.hold {
		close(c)
		delete(f.hold, u)
	}
}

func (f *fakeSources) Discover(ctx context.Context, url string) (*feeds.Result, error) {
	f.mu.Lock()
	f.asked = append(f.asked, url)
	wait := f.hold[url]
	f.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("discover %s: %w", url, ctx.Err())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	feed, ok := f.feeds[url]
	if !ok {
		return nil, fmt.Errorf("discover %s: %w", url, feeds.ErrNotFeed)
	}
	return &feeds.Result{Feed: feed, URL: url}, nil
}

func (f *fakeSources) askedFor() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

func (f *fakeSources) Article(_ context.Context, it feeds.Item, _ int) store.Article {
	return store.Article{Title: it.Title, Link: it.Link, Author: it.Author, Published: it.Published, Summary: []string{it.Content}}
}

func (f *fakeSources) SummarizeURL(_ context.Context, url string, _ int) (store.Article, error) {
	return store.Article{Title: "Page", Link: url, Summary: []string{"A page."}}, nil
}

// memStore holds what the commands store. It embeds the Store interface,
// nil, so that it keeps compiling as the interface grows: a method the
// commands don't use panics, and the dispatcher recovers and logs it.
type memStore struct {
	Store
	mu       sync.Mutex
	subs     []store.Subscription
	articles []store.Article
}

func newMemStore() *memStore { return &memStore{} }

func (m *memStore) Subscribe(_ context.Context, ns store.NewSubscription) (store.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.subs {
		if s.GuildID == ns.GuildID && s.ChannelID == ns.ChannelID && s.Feed.URL == ns.Feed.URL {
			return store.Subscription{}, store.ErrConflict
		}
	}
	s := store.Subscription{ID: int64(len(m.subs) + 1), GuildID: ns.GuildID, ChannelID: ns.ChannelID, CreatedBy: ns.CreatedBy, Feed: ns.Feed}
	m.subs = append(m.subs, s)
	return s, nil
}

func (m *memStore) ListSubscriptions(_ context.Context, guildID string) ([]store.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Subscription
	for _, s := range m.subs {
		if s.GuildID == guildID {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memStore) GuildSettings(_ context.Context, guildID string, sentences int) (store.GuildSettings, error) {
	return store.DefaultGuildSettings(guildID, sentences), nil
}

func (m *memStore) SearchArticles(_ context.Context, _, _ string, limit int) ([]store.Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.articles[:min(limit, len(m.articles))]), nil
}

func (m *memStore) feedURLs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, s := range m.subs {
		out = append(out, s.Feed.URL)
	}
	return out
}

// syncBuffer collects the bot's log across goroutines.
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

// opml is a file listing urls.
func opml(urls ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>`)
	for i, u := range urls {
		fmt.Fprintf(&b, `<outline type="rss" text="Feed %d" xmlUrl="%s"/>`, i, strings.ReplaceAll(u, "&", "&amp;"))
	}
	b.WriteString(`</body></opml>`)
	return []byte(b.String())
}

// waitUntil checks cond every few milliseconds until it holds or ctx ends:
// for state the double is not told about, such as the bot's metrics.
func waitUntil(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
