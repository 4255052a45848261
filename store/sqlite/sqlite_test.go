package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsbot/store"
	"newsbot/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// mustOpen opens a fresh database file in the test's temporary directory.
func mustOpen(t testing.TB) *Store {
	t.Helper()
	return mustOpenPath(t, filepath.Join(t.TempDir(), "newsbot.db"))
}

func mustOpenPath(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return t0 }
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return mustOpen(t) })
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestOpenPragmas(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn, journal string
	}{
		{filepath.Join(dir, "plain.db"), "wal"},
		{"file:" + filepath.Join(dir, "uri.db") + "?cache=private", "wal"},
		{"sqlite:" + filepath.Join(dir, "prefixed.db"), "wal"},
		{":memory:", "memory"},
		{"file::memory:", "memory"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			s, err := Open(context.Background(), tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// Hold several connections at once so each pooled one is checked.
			ctx := context.Background()
			n := 3
			if tc.journal == "memory" {
				n = 1
			}
			var conns []*sql.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for i := range n {
				conn, err := s.db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, conn)
				var journal string
				var fk, busy int
				if err := conn.QueryRowContext(ctx, `SELECT journal_mode, foreign_keys, timeout FROM pragma_journal_mode, pragma_foreign_keys, pragma_busy_timeout`).
					Scan(&journal, &fk, &busy); err != nil {
					t.Fatal(err)
				}
				if journal != tc.journal || fk != 1 || busy != 5000 {
					t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, journal, fk, busy)
				}
			}
			for _, c := range conns {
				c.Close()
			}
			conns = nil
			if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
				t.Errorf("SchemaVersion = %d, %v", v, err)
			}
		})
	}
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.db")
	for range 2 { // the second Open finds everything applied
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		var rows, version int
		if err := s.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &version); err != nil {
			t.Fatal(err)
		}
		if rows != len(ms) || version != ms[len(ms)-1].Version {
			t.Errorf("schema_migrations: %d rows up to %d, want %d up to %d", rows, version, len(ms), ms[len(ms)-1].Version)
		}
		s.Close()
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	known, _ := s.SchemaVersion(context.Background())
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "999") || !strings.Contains(msg, fmt.Sprint(known)) {
		t.Errorf("error %q does not name both versions (999 and %d)", msg, known)
	}
}

// TestTwoStoresOneFile is two processes' worth of stores writing the same
// file at once: BEGIN IMMEDIATE and the busy timeout must keep SQLITE_BUSY out.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := mustOpenPath(t, path), mustOpenPath(t, path)
	ctx := context.Background()
	var subs []store.Subscription
	for i := range 4 {
		sub, err := a.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: fmt.Sprint("c", i), Feed: store.Feed{URL: "https://example.com/feed"}, NextPollAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w, st := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				items := []store.Article{{Identity: fmt.Sprint("item", i), Title: "x"}, {Identity: fmt.Sprint("item", i+1), Title: "y"}}
				if _, err := st.RecordPoll(ctx, store.PollResult{FeedID: subs[0].FeedID, Owner: fmt.Sprint(w), Articles: items, PolledAt: t0, NextPollAt: t0}); err != nil {
					errs <- err
					return
				}
				ds, err := st.ClaimDeliveries(ctx, store.ClaimOptions{Owner: fmt.Sprint(w), Now: t0, Limit: 5, Lease: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				for _, d := range ds {
					if err := st.MarkPosted(ctx, d.ID, "m", t0); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, sub := range subs {
		ds, err := a.Deliveries(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 21 {
			t.Errorf("subscription %d: %d deliveries, want 21", sub.ID, len(ds))
		}
	}
}

// --- crash safety ---

// The crash tests run a child process (this test binary) that writes to a
// database file and dies with os.Exit at a chosen point, without closing
// anything; the parent then reopens the file.
const crashEnv = "NEWSBOT_SQLITE_CRASH"

func TestCrashHelper(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("helper process for the crash tests")
	}
	mode, path, _ := strings.Cut(spec, ":")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return t0 }
	feedID := crashSetup(t, s)
	switch mode {
	case "mid-poll":
		// Die inside RecordPoll's transaction, after the first new article.
		s.hookAfterArticle = func() { os.Exit(3) }
		_, err = s.RecordPoll(ctx, store.PollResult{FeedID: feedID, Owner: "child", Articles: crashItems("c", "d"), PolledAt: t0, NextPollAt: t0})
	case "claimed":
		// Claim everything, post one, die before marking the rest.
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "child", Now: t0, Limit: 100, Lease: time.Minute})
		if err != nil || len(ds) != 4 {
			t.Fatalf("claim: %d, %v", len(ds), err)
		}
		if err := s.MarkPosted(ctx, ds[0].ID, "posted-before-crash", t0); err != nil {
			t.Fatal(err)
		}
		os.Exit(3)
	}
	t.Fatalf("mode %q did not crash: %v", mode, err)
}

func crashItems(keys ...string) []store.Article {
	var as []store.Article
	for _, k := range keys {
		as = append(as, store.Article{Identity: "guid:" + k, LinkKey: "https://example.com/" + k, Title: "Title " + k, Summary: []string{"About " + k + "."}, Published: t0})
	}
	return as
}

// crashSetup gives the database two subscriptions to one feed and two
// articles (four pending deliveries), all committed.
func crashSetup(t *testing.T, s *Store) int64 {
	ctx := context.Background()
	var feedID int64
	for _, ch := range []string{"c1", "c2"} {
		sub, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: ch, Feed: store.Feed{URL: "https://example.com/feed"}, NextPollAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		feedID = sub.FeedID
	}
	if n, err := s.RecordPoll(ctx, store.PollResult{FeedID: feedID, Owner: "child", Articles: crashItems("a", "b"), PolledAt: t0, NextPollAt: t0}); err != nil || n != 2 {
		t.Fatalf("RecordPoll = %d, %v", n, err)
	}
	return feedID
}

func runCrashChild(t *testing.T, mode string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+mode+":"+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child did not crash as planned: %v\n%s", err, out)
	}
	return path
}

// checkIntegrity runs SQLite's and FTS5's integrity checks.
func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	var res string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
	if _, err := s.db.Exec(`INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}
}

// countDeliveries returns how many deliveries exist per (subscription, article title).
func countDeliveries(t *testing.T, s *Store) map[string]int {
	t.Helper()
	rows, err := s.db.Query(`SELECT d.subscription_id, a.title, count(*) FROM deliveries d JOIN articles a ON a.id = d.article_id GROUP BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var sub int64
		var title string
		var n int
		if err := rows.Scan(&sub, &title, &n); err != nil {
			t.Fatal(err)
		}
		m[fmt.Sprint(sub, "/", title)] = n
	}
	return m
}

func TestCrashMidPoll(t *testing.T) {
	path := runCrashChild(t, "mid-poll")
	s := mustOpenPath(t, path)
	ctx := context.Background()
	checkIntegrity(t, s)
	// The interrupted poll left nothing: c was rolled back with its deliveries.
	if got := countDeliveries(t, s); len(got) != 4 {
		t.Errorf("after the crash: %v, want a and b for two subscriptions", got)
	}
	if hits, _ := s.SearchArticles(ctx, "g", "c", 10); len(hits) != 0 {
		t.Errorf("search finds the rolled-back article: %+v", hits)
	}
	// The poll is retried (the feed shows everything again): c and d once each.
	n, err := s.RecordPoll(ctx, store.PollResult{FeedID: 1, Owner: "parent", Articles: crashItems("a", "b", "c", "d"), PolledAt: t0, NextPollAt: t0})
	if err != nil || n != 2 {
		t.Fatalf("retried RecordPoll = %d, %v; want 2", n, err)
	}
	got := countDeliveries(t, s)
	if len(got) != 8 {
		t.Errorf("deliveries %v, want 8 distinct", got)
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	if p, _ := s.PendingDeliveries(ctx); p != 8 {
		t.Errorf("pending = %d, want 8", p)
	}
}

func TestCrashAfterClaim(t *testing.T) {
	path := runCrashChild(t, "claimed")
	s := mustOpenPath(t, path)
	ctx := context.Background()
	checkIntegrity(t, s)
	if p, _ := s.PendingDeliveries(ctx); p != 3 {
		t.Fatalf("pending = %d, want 3 (one was posted before the crash)", p)
	}
	// The dead process's claims hold until they expire...
	if ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "parent", Now: t0.Add(30 * time.Second), Limit: 100, Lease: time.Minute}); err != nil || len(ds) != 0 {
		t.Fatalf("claimed %d before the dead claims expired (%v)", len(ds), err)
	}
	// ...then exactly the unposted ones are claimable again.
	ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "parent", Now: t0.Add(2 * time.Minute), Limit: 100, Lease: time.Minute})
	if err != nil || len(ds) != 3 {
		t.Fatalf("claimed %d after expiry, want 3 (%v)", len(ds), err)
	}
	for _, d := range ds {
		if err := s.MarkPosted(ctx, d.ID, "m", t0); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := s.PendingDeliveries(ctx); p != 0 {
		t.Errorf("pending = %d", p)
	}
	for k, n := range countDeliveries(t, s) {
		if n != 1 {
			t.Errorf("%s: %d deliveries", k, n)
		}
	}
}

// --- benchmarks ---

// BenchmarkRecordPoll records a poll of a 20-item feed with three
// subscribers in which one item is new.
func BenchmarkRecordPoll(b *testing.B) {
	s := mustOpen(b)
	ctx := context.Background()
	var feedID int64
	for i := range 3 {
		sub, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: fmt.Sprint("c", i), Feed: store.Feed{URL: "https://example.com/feed"}, NextPollAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		feedID = sub.FeedID
	}
	item := func(i int) store.Article {
		return store.Article{Identity: fmt.Sprint("guid-", i), LinkKey: fmt.Sprint("https://example.com/", i), Title: fmt.Sprint("Article ", i),
			Summary: []string{"One sentence about the news of the day.", "Another sentence with more detail."}, Keywords: []string{"news", "day"}, Published: t0}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		batch := make([]store.Article, 0, 20)
		for k := max(0, i-19); k <= i; k++ {
			batch = append(batch, item(k))
		}
		if n, err := s.RecordPoll(ctx, store.PollResult{FeedID: feedID, Owner: "bench", Articles: batch, PolledAt: t0, NextPollAt: t0}); err != nil || n != 1 {
			b.Fatalf("RecordPoll = %d, %v", n, err)
		}
		i++
	}
}

// BenchmarkClaimDeliveries claims 10 of 5,000 pending deliveries spread over
// 50 subscriptions (at most 2 each); the clock moves past the lease every
// time, so the table stays the same size.
func BenchmarkClaimDeliveries(b *testing.B) {
	s := mustOpen(b)
	ctx := context.Background()
	var feedIDs []int64
	for i := range 50 {
		sub, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: "c", Feed: store.Feed{URL: fmt.Sprint("https://example.com/feed", i)}, NextPollAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		feedIDs = append(feedIDs, sub.FeedID)
	}
	for _, id := range feedIDs {
		var batch []store.Article
		for k := range 100 {
			batch = append(batch, store.Article{Identity: fmt.Sprint(id, "-", k), Title: "t", Summary: []string{"s"}, Published: t0})
		}
		if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: id, Owner: "bench", Articles: batch, PolledAt: t0, NextPollAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	now := t0
	for b.Loop() {
		now = now.Add(2 * time.Minute)
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "bench", Now: now, Limit: 10, PerSubscription: 2, Lease: time.Minute})
		if err != nil || len(ds) != 10 {
			b.Fatalf("ClaimDeliveries = %d, %v", len(ds), err)
		}
	}
}

// FuzzSearchArticles checks that no user text makes the search fail.
func FuzzSearchArticles(f *testing.F) {
	for _, seed := range []string{"volcano", `"`, "a OR b", "NEAR(a b)", "-x", "*", "col:x", "^a", "(", `"a" "`, "\x00", "ü"} {
		f.Add(seed)
	}
	s := mustOpen(f)
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: "c", Feed: store.Feed{URL: "https://example.com/feed"}, NextPollAt: t0})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", Articles: crashItems("volcano", "a", "b"), PolledAt: t0, NextPollAt: t0}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.SearchArticles(ctx, "g", q, 5); err != nil {
			t.Errorf("SearchArticles(%q): %v", q, err)
		}
	})
}

// BenchmarkRecordPollNotModified records a 304: the common case of a round
// of polls.
func BenchmarkRecordPollNotModified(b *testing.B) {
	s := mustOpen(b)
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: "c", Feed: store.Feed{URL: "https://example.com/feed"}, NextPollAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, Owner: "bench", NotModified: true, PolledAt: t0, NextPollAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
}
