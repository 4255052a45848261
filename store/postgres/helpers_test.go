package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

const skipMessage = "set NEWSBOT_TEST_POSTGRES_URL=postgres://... to run the PostgreSQL tests (see README)"

// testURL is the server the tests use, or skips the test.
func testURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("NEWSBOT_TEST_POSTGRES_URL")
	if u == "" {
		tb.Skip(skipMessage)
	}
	return u
}

// freshSchema creates an empty, uniquely named schema, dropped at cleanup,
// and returns a connection URL whose search_path points at it, so each test
// has a database of its own and tests run in parallel and repeatedly.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := testURL(tb)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", base, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "newsbot_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	return withParams(tb, base, map[string]string{"search_path": schema, "pool_max_conns": "4"})
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
