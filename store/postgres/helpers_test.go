package postgres

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"newsbot/internal/pgtest"
	"newsbot/store"
)

// freshSchema returns a connection URL for an empty schema of the test's
// own (internal/pgtest: skipped without NEWSBOT_TEST_POSTGRES_URL, failed in
// CI), with a small pool so parallel tests stay under max_connections.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	return withParams(tb, pgtest.Fresh(tb), map[string]string{"pool_max_conns": "4"})
}

// withParams adds query parameters to a postgres:// URL (or key=value pairs
// to a DSN), keeping those the URL already sets.
func withParams(tb testing.TB, base string, params map[string]string) string {
	tb.Helper()
	if !strings.Contains(base, "://") {
		for k, v := range params {
			if !strings.Contains(base, k+"=") {
				base += " " + k + "=" + v
			}
		}
		return base
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse NEWSBOT_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	for k, v := range params {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// openURL opens a Store on url with a test clock, closed at cleanup.
func openURL(tb testing.TB, url string, clock *testClock) *Store {
	tb.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	if clock != nil {
		s.Now = clock.Now
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openTest opens a Store on a fresh schema.
func openTest(tb testing.TB) (*Store, *testClock) {
	tb.Helper()
	clock := newClock()
	return openURL(tb, freshSchema(tb), clock), clock
}

// testClock is a settable clock; tests move it instead of sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// subscribe adds a subscription or fails the test.
func subscribe(tb testing.TB, s store.Store, guild, channel, feedURL string, next time.Time, seen ...store.Article) store.Subscription {
	tb.Helper()
	sub, err := s.Subscribe(context.Background(), store.NewSubscription{
		GuildID: guild, ChannelID: channel, CreatedBy: "user",
		Feed: store.Feed{URL: feedURL, Title: "Feed " + feedURL}, Seen: seen, NextPollAt: next,
	})
	if err != nil {
		tb.Fatalf("Subscribe(%s, %s, %s): %v", guild, channel, feedURL, err)
	}
	return sub
}

// article is a minimal article with the given identity.
func article(id string) store.Article {
	return store.Article{
		Identity: id, LinkKey: "example.com/" + id, Link: "https://example.com/" + id,
		Title: "Title " + id, Summary: []string{"Summary of " + id + "."},
	}
}
