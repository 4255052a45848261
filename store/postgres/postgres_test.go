package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"newsbot/store"
)

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	url := freshSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
	s := openURL(t, url, nil)
	v, err := s.SchemaVersion(context.Background())
	ms, merr := migrations()
	if n := count(t, s, `SELECT count(*) FROM schema_migrations`); err != nil || merr != nil || n != len(ms) || v != LatestSchemaVersion() {
		t.Errorf("schema_migrations has %d rows, version %d (%v); want one per migration, %d", n, v, err, LatestSchemaVersion())
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	url := freshSchema(t)
	s := openURL(t, url, nil)
	if _, err := s.pool.Exec(context.Background(),
		`INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')`, LatestSchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), url)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open on a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := Open(context.Background(), "postgres://someone:secret@127.0.0.1:1/x?connect_timeout=1")
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "postgres: connect to someone@127.0.0.1:1/x") || strings.Contains(msg, "secret") {
		t.Errorf("error = %q, want it to name the server and not the password", msg)
	}
	if _, err := Open(context.Background(), "postgres://%zz"); err == nil {
		t.Error("Open with a malformed URL succeeded")
	}
}

func TestPoolSize(t *testing.T) {
	t.Parallel()
	url := freshSchema(t) // sets pool_max_conns=4
	s := openURL(t, url, nil)
	if got := s.Pool().Config().MaxConns; got != 4 {
		t.Errorf("MaxConns = %d, want 4 from the URL", got)
	}
	s2 := openURL(t, withoutParam(t, url, "pool_max_conns"), nil)
	if got := s2.Pool().Config().MaxConns; got != DefaultMaxConns {
		t.Errorf("MaxConns = %d, want default %d", got, DefaultMaxConns)
	}
}

func withoutParam(t *testing.T, u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Del(name)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

func TestSubscribeSeenAndConflict(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()

	a := subscribe(t, s, "g1", "c1", "https://feed.example/rss", now, article("1"), article("2"))
	if a.Feed.ID == 0 || a.Feed.Title != "Feed https://feed.example/rss" || !a.Feed.NextPollAt.Equal(now) {
		t.Errorf("new subscription's feed = %+v", a.Feed)
	}
	if ds, _ := s.Deliveries(ctx, a.ID); len(ds) != 0 {
		t.Errorf("first subscription got %d deliveries for seen items, want 0", len(ds))
	}
	_, err := s.Subscribe(ctx, store.NewSubscription{GuildID: "g1", ChannelID: "c1",
		Feed: store.Feed{URL: "https://feed.example/rss"}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second identical Subscribe: %v, want ErrConflict", err)
	}
	// A second channel's subscription sees one item the store did not know:
	// once the poller has summarized it, the first subscription gets it,
	// the new one does not.
	b := subscribe(t, s, "g1", "c2", "https://feed.example/rss", now, article("2"), article("3"))
	if b.Feed.ID != a.Feed.ID {
		t.Fatalf("same URL made a second feed: %d vs %d", b.Feed.ID, a.Feed.ID)
	}
	if ds, _ := s.Deliveries(ctx, a.ID); len(ds) != 0 {
		t.Fatalf("subscribing delivered %d unsummarized items", len(ds))
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: a.FeedID, NextPollAt: now,
		Articles: []store.Article{article("2"), article("3")}}); err != nil {
		t.Fatal(err)
	}
	da, _ := s.Deliveries(ctx, a.ID)
	db, _ := s.Deliveries(ctx, b.ID)
	if len(da) != 1 || len(db) != 0 {
		t.Fatalf("deliveries: first %d, second %d; want 1, 0", len(da), len(db))
	}
	subs, err := s.ListSubscriptions(ctx, "g1")
	if err != nil || len(subs) != 2 || subs[0].ID != a.ID || subs[1].Feed.URL != "https://feed.example/rss" {
		t.Fatalf("ListSubscriptions = %+v, %v", subs, err)
	}
	if _, err := s.Unsubscribe(ctx, "other-guild", a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Unsubscribe from another guild: %v, want ErrNotFound", err)
	}
	got, err := s.Unsubscribe(ctx, "g1", a.ID)
	if err != nil || got.ID != a.ID || got.Feed.ID != a.Feed.ID {
		t.Fatalf("Unsubscribe = %+v, %v", got, err)
	}
	if err := s.PauseSubscription(ctx, a.ID, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PauseSubscription of a deleted subscription: %v, want ErrNotFound", err)
	}
}

func TestRecordPollDedupesAndDelivers(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	a := subscribe(t, s, "g1", "c1", "https://feed.example/rss", now)
	b := subscribe(t, s, "g2", "c9", "https://feed.example/rss", now)
	paused := subscribe(t, s, "g3", "c3", "https://feed.example/rss", now)
	if err := s.PauseSubscription(ctx, paused.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}

	feeds, err := s.ClaimDueFeeds(ctx, store.ClaimOptions{Owner: "p1", Now: now, Limit: 10, Lease: time.Minute})
	if err != nil || len(feeds) != 1 {
		t.Fatalf("ClaimDueFeeds = %v, %v", feeds, err)
	}
	changedGUID := article("1-new-guid")
	changedGUID.LinkKey = "example.com/1"
	res := store.PollResult{FeedID: feeds[0].ID, Owner: "p1", ETag: `"v1"`, PolledAt: now, NextPollAt: now.Add(10 * time.Minute),
		Articles: []store.Article{article("1"), article("2"), article("1"), changedGUID}}
	n, err := s.RecordPoll(ctx, res)
	if err != nil || n != 2 {
		t.Fatalf("RecordPoll = %d, %v; want 2 new", n, err)
	}
	n, err = s.RecordPoll(ctx, res)
	if err != nil || n != 0 {
		t.Fatalf("RecordPoll again = %d, %v; want 0 new", n, err)
	}
	for _, sub := range []store.Subscription{a, b} {
		ds, err := s.Deliveries(ctx, sub.ID)
		if err != nil || len(ds) != 2 || ds[0].State != store.DeliveryPending {
			t.Errorf("subscription %d deliveries = %+v, %v", sub.ID, ds, err)
		}
	}
	if ds, _ := s.Deliveries(ctx, paused.ID); len(ds) != 0 {
		t.Errorf("paused subscription got %d deliveries", len(ds))
	}
	subs, _ := s.ListSubscriptions(ctx, "g1")
	f := subs[0].Feed
	if f.ETag != `"v1"` || !f.LastPolledAt.Equal(now) || !f.LastSuccessAt.Equal(now) || !f.NextPollAt.Equal(now.Add(10*time.Minute)) {
		t.Errorf("feed after poll = %+v", f)
	}
	if fs, lds, err := s.LeaseCounts(ctx, "p1"); err != nil || fs != 0 || lds != 0 {
		t.Errorf("LeaseCounts after RecordPoll = %d, %d, %v; want the lease released", fs, lds, err)
	}
	// A 304 keeps the validators.
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: f.ID, NotModified: true, ETag: "ignored",
		PolledAt: now, NextPollAt: now}); err != nil {
		t.Fatal(err)
	}
	subs, _ = s.ListSubscriptions(ctx, "g1")
	if subs[0].Feed.ETag != `"v1"` {
		t.Errorf("ETag after 304 = %q", subs[0].Feed.ETag)
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: 999999, NextPollAt: now}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordPoll of an unknown feed: %v, want ErrNotFound", err)
	}
}

func TestArticleRoundTrip(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	in := store.Article{Identity: "guid-1", LinkKey: "example.com/a", Link: "https://example.com/a?x=1",
		Title: "Élection à Paris", Author: "Zoë", ImageURL: "https://example.com/i.png",
		Published: time.Date(2026, 2, 28, 9, 30, 15, 123456000, time.UTC),
		Summary:   []string{"First sentence.", "Second, with 'quotes' and \"more\"."}, Keywords: []string{"paris", "vote"},
		SentencesTotal: 12, WordsBefore: 400, WordsAfter: 40}
	noDate := store.Article{Identity: "guid-2", Title: "No date, no link"}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{in, noDate}}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "p", Now: now, Limit: 10, Lease: time.Minute})
	if err != nil || len(ds) != 2 {
		t.Fatalf("ClaimDeliveries = %d, %v", len(ds), err)
	}
	got := ds[0].Article
	in.ID, in.FeedID, in.CreatedAt = got.ID, sub.FeedID, now
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", in) {
		t.Errorf("article round trip:\n got %+v\nwant %+v", got, in)
	}
	if a := ds[1].Article; !a.Published.IsZero() || a.Summary != nil || a.Keywords != nil || a.LinkKey != "" {
		t.Errorf("article without date and lists = %+v", a)
	}
	if ds[0].Subscription.ID != sub.ID || ds[0].Subscription.Feed.URL != sub.Feed.URL || ds[0].Attempts != 0 {
		t.Errorf("claimed delivery = %+v", ds[0])
	}
}

func TestDeliveryLifecycle(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{article("1"), article("2"), article("3")}}); err != nil {
		t.Fatal(err)
	}
	claim := func(owner string) []store.Delivery {
		t.Helper()
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: owner, Now: clock.Now(), Limit: 10, Lease: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	ds := claim("p1")
	if len(ds) != 3 {
		t.Fatalf("claimed %d, want 3", len(ds))
	}
	if again := claim("p2"); len(again) != 0 {
		t.Fatalf("claimed %d already claimed deliveries", len(again))
	}
	if fs, n, _ := s.LeaseCounts(ctx, "p1"); fs != 0 || n != 3 {
		t.Errorf("LeaseCounts(p1) = %d, %d; want 0, 3", fs, n)
	}
	if err := s.MarkPosted(ctx, ds[0].ID, "m1", now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, ds[1].ID, "Missing Permissions"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseDelivery(ctx, ds[2].ID, now.Add(time.Hour), "429"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingDeliveries(ctx); n != 1 {
		t.Errorf("PendingDeliveries = %d, want 1", n)
	}
	if again := claim("p2"); len(again) != 0 {
		t.Fatalf("claimed a delivery before its retry time")
	}
	clock.Add(time.Hour)
	again := claim("p2")
	if len(again) != 1 || again[0].ID != ds[2].ID || again[0].Attempts != 1 || again[0].Error != "429" {
		t.Fatalf("retry claim = %+v", again)
	}
	// A late release of a posted delivery does not revive it.
	if err := s.MarkPosted(ctx, ds[2].ID, "m3", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseDelivery(ctx, ds[2].ID, time.Time{}, "late"); err != nil {
		t.Fatal(err)
	}
	all, err := s.Deliveries(ctx, sub.ID)
	if err != nil || len(all) != 3 {
		t.Fatal(all, err)
	}
	want := []store.DeliveryState{store.DeliveryPosted, store.DeliveryFailed, store.DeliveryPosted}
	for i, d := range all {
		if d.State != want[i] {
			t.Errorf("delivery %d state %s, want %s", i, d.State, want[i])
		}
	}
	if all[0].MessageID != "m1" || all[1].Error != "Missing Permissions" || all[2].MessageID != "m3" {
		t.Errorf("deliveries = %+v", all)
	}
	if err := s.MarkPosted(ctx, 424242, "m", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkPosted of an unknown delivery: %v", err)
	}
}

func TestClaimDeliveriesPerSubscriptionAndPaused(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	a := subscribe(t, s, "g", "a", "https://feed.example/rss", now)
	b := subscribe(t, s, "g", "b", "https://feed.example/rss", now)
	var arts []store.Article
	for i := range 5 {
		arts = append(arts, article(fmt.Sprint(i)))
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: a.FeedID, NextPollAt: now, Articles: arts}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "p", Now: now, Limit: 3, Lease: time.Minute, PerSubscription: 2})
	if err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for i, d := range ds {
		per[d.SubscriptionID]++
		if i > 0 && d.ID < ds[i-1].ID {
			t.Errorf("claims not oldest first: %d after %d", d.ID, ds[i-1].ID)
		}
	}
	if len(ds) != 3 || per[a.ID] > 2 || per[b.ID] > 2 {
		t.Fatalf("claimed %d: %v; want 3, at most 2 per subscription", len(ds), per)
	}
	for _, d := range ds {
		if err := s.MarkPosted(ctx, d.ID, "m", now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PauseSubscription(ctx, b.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}
	rest, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "p", Now: now, Limit: 100, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rest {
		if d.SubscriptionID == b.ID {
			t.Errorf("claimed delivery %d of a paused subscription", d.ID)
		}
	}
	if want := 5 - per[a.ID]; len(rest) != want {
		t.Errorf("second claim got %d, want %d", len(rest), want)
	}
}

func TestFailingFeedNotices(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	var f store.Feed
	var err error
	for i := range store.FailingThreshold {
		f, err = s.RecordPollFailure(ctx, store.PollFailure{FeedID: sub.FeedID, Error: fmt.Sprint("boom ", i),
			PolledAt: now, NextPollAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !f.Failing() || f.LastError != "boom 9" || !f.LastSuccessAt.IsZero() || !f.LastPolledAt.Equal(now) {
		t.Fatalf("feed after failures = %+v", f)
	}
	notices, err := s.FailingFeedNotices(ctx)
	if err != nil || len(notices) != 1 || notices[0].ID != sub.ID || !notices[0].Feed.Failing() {
		t.Fatalf("FailingFeedNotices = %+v, %v", notices, err)
	}
	if err := s.MarkFailingNotified(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if notices, _ := s.FailingFeedNotices(ctx); len(notices) != 0 {
		t.Fatalf("notices after MarkFailingNotified: %d", len(notices))
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now}); err != nil {
		t.Fatal(err)
	}
	subs, _ := s.ListSubscriptions(ctx, "g")
	if subs[0].FailingNotified || subs[0].Feed.ErrorCount != 0 || subs[0].Feed.LastError != "" {
		t.Errorf("after recovery: %+v", subs[0])
	}
	if _, err := s.RecordPollFailure(ctx, store.PollFailure{FeedID: 999999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordPollFailure of an unknown feed: %v", err)
	}
}

func TestGuildSettings(t *testing.T) {
	t.Parallel()
	s, _ := openTest(t)
	ctx := context.Background()
	g, err := s.GuildSettings(ctx, "g", 3)
	if err != nil || g != store.DefaultGuildSettings("g", 3) {
		t.Fatalf("default settings = %+v, %v", g, err)
	}
	want := store.GuildSettings{GuildID: "g", Sentences: 5, Format: store.FormatText, ShowStats: false}
	for range 2 {
		if err := s.SaveGuildSettings(ctx, want); err != nil {
			t.Fatal(err)
		}
	}
	if g, err := s.GuildSettings(ctx, "g", 3); err != nil || g != want {
		t.Fatalf("saved settings = %+v, %v", g, err)
	}
}

func TestSearchArticles(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	mine := subscribe(t, s, "g", "c", "https://mine.example/rss", now)
	other := subscribe(t, s, "other", "c", "https://other.example/rss", now)
	mk := func(id, title, summary string, kw []string, age time.Duration) store.Article {
		a := article(id)
		a.Title, a.Summary, a.Keywords, a.Published = title, []string{summary}, kw, now.Add(-age)
		return a
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: mine.FeedID, NextPollAt: now, Articles: []store.Article{
		mk("title", "Elections in Paris", "A vote.", nil, time.Hour),
		mk("summary", "City news", "The elections were calm.", nil, time.Hour),
		mk("old-title", "Election results", "Old.", nil, 60*24*time.Hour),
		mk("keyword", "Weekly digest", "Nothing.", []string{"election"}, time.Hour),
		mk("unrelated", "Football", "A match.", nil, time.Hour),
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: other.FeedID, NextPollAt: now, Articles: []store.Article{
		mk("elsewhere", "Election elsewhere", "Elections.", nil, 0),
	}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.SearchArticles(ctx, "g", "election", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.Identity)
	}
	want := []string{"title", "keyword", "summary", "old-title"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("search order = %v, want %v", ids, want)
	}
	for _, q := range []string{`"unbalanced`, `a & | ! ( :*`, `-`, `'; DROP TABLE articles; --`, "   ", "the", `election OR "paris`} {
		if _, err := s.SearchArticles(ctx, "g", q, 5); err != nil {
			t.Errorf("SearchArticles(%q): %v", q, err)
		}
	}
	if got, _ := s.SearchArticles(ctx, "g", "elections paris", 10); len(got) != 1 || got[0].Identity != "title" {
		t.Errorf("two-word search = %+v, want only the Paris article", got)
	}
	if got, _ := s.SearchArticles(ctx, "nobody", "election", 10); len(got) != 0 {
		t.Errorf("guild without subscriptions found %d", len(got))
	}
	if got, _ := s.SearchArticles(ctx, "g", "election", 2); len(got) != 2 {
		t.Errorf("limit 2 returned %d", len(got))
	}
}

func TestPruneArticlesRemembersIdentities(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{article("old")}}); err != nil {
		t.Fatal(err)
	}
	posted, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "p", Now: now, Lease: time.Minute})
	if err != nil || len(posted) != 1 {
		t.Fatalf("claim = %d, %v", len(posted), err)
	}
	if err := s.MarkPosted(ctx, posted[0].ID, "m", now); err != nil {
		t.Fatal(err)
	}
	clock.Add(48 * time.Hour)
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{article("new")}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneArticles(ctx, now.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneArticles = %d, %v; want 1", n, err)
	}
	ds, _ := s.Deliveries(ctx, sub.ID)
	if len(ds) != 1 {
		t.Fatalf("deliveries after prune: %d, want 1", len(ds))
	}
	// The feed still lists the pruned item (under a new GUID, same link): not new.
	again := article("old-guid-changed")
	again.LinkKey = "example.com/old"
	if n, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{article("old"), again}}); err != nil || n != 0 {
		t.Fatalf("RecordPoll of pruned items = %d, %v; want 0", n, err)
	}
}

// TestEmptyResultsAreNotNil: callers may range or len either way, but JSON
// and equality checks expect empty, not nil.
func TestEmptyResultsAreNotNil(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	o := store.ClaimOptions{Owner: "p", Now: clock.Now(), Limit: 10, Lease: time.Minute}
	feeds, err1 := s.ClaimDueFeeds(ctx, o)
	ds, err2 := s.ClaimDeliveries(ctx, o)
	subs, err3 := s.ListSubscriptions(ctx, "g")
	arts, err4 := s.SearchArticles(ctx, "g", "x", 10)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	if feeds == nil || ds == nil || subs == nil || arts == nil {
		t.Errorf("nil results: %v %v %v %v", feeds == nil, ds == nil, subs == nil, arts == nil)
	}
}

// count is a one-number query against the store's schema.
func count(t *testing.T, s *Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestRecordPollIsAtomic: RecordPoll is one pipelined batch; an article that
// fails half-way must leave neither the feed update nor the articles before
// it behind.
func TestRecordPollIsAtomic(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	if _, err := s.pool.Exec(ctx, `
		CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.title = 'boom' THEN RAISE EXCEPTION 'boom'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER boom BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION boom();`); err != nil {
		t.Fatal(err)
	}
	bad := article("2")
	bad.Title = "boom"
	_, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, ETag: "new", PolledAt: now, NextPollAt: now.Add(time.Hour),
		Articles: []store.Article{article("1"), bad, article("3")}})
	if err == nil {
		t.Fatal("RecordPoll with a failing article succeeded")
	}
	if n := count(t, s, `SELECT count(*) FROM articles`); n != 0 {
		t.Errorf("%d articles left by a failed RecordPoll", n)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries`); n != 0 {
		t.Errorf("%d deliveries left by a failed RecordPoll", n)
	}
	subs, _ := s.ListSubscriptions(ctx, "g")
	if f := subs[0].Feed; f.ETag != "" || !f.LastPolledAt.IsZero() {
		t.Errorf("feed updated by a failed RecordPoll: %+v", f)
	}
	// The pool's connection is fine afterwards.
	if n, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now,
		Articles: []store.Article{article("1")}}); err != nil || n != 1 {
		t.Fatalf("RecordPoll after the failure = %d, %v", n, err)
	}
}

// TestWildText: NUL bytes and invalid UTF-8, which PostgreSQL text refuses,
// are cleaned instead of failing the poll forever.
func TestWildText(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	a := article("nul\x00")
	a.Title = "Bad \x00 title \xff\xfe"
	a.Summary = []string{"Sentence with \x00 NUL.", "Latin-1 caf\xe9."}
	n, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, Title: "Feed \x00", NextPollAt: now,
		Articles: []store.Article{a, a}})
	if err != nil || n != 1 {
		t.Fatalf("RecordPoll = %d, %v", n, err)
	}
	got, err := s.SearchArticles(ctx, "g", "title\x00", 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("SearchArticles = %v, %v", got, err)
	}
	if got[0].Title != "Bad  title \uFFFD" || got[0].Summary[1] != "Latin-1 caf\uFFFD." {
		t.Errorf("cleaned article = %q, %q", got[0].Title, got[0].Summary)
	}
	if _, err := s.RecordPollFailure(ctx, store.PollFailure{FeedID: sub.FeedID, Error: "bad \x00 \xff", NextPollAt: now}); err != nil {
		t.Fatal(err)
	}
}

func TestKnownArticlesWildKeys(t *testing.T) {
	t.Parallel()
	s, clock := openTest(t)
	ctx := context.Background()
	now := clock.Now()
	sub := subscribe(t, s, "g", "c", "https://feed.example/rss", now)
	a := article("nul\x00id")
	if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now, Articles: []store.Article{a}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.KnownArticles(ctx, sub.FeedID, []string{a.Identity, a.Identity, "other\xff"})
	if err != nil || len(m) != 1 || !m[a.Identity] {
		t.Fatalf("KnownArticles = %v, %v; want the NUL identity known as asked", m, err)
	}
}
