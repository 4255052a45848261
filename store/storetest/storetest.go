// Package storetest is the conformance suite every store.Store
// implementation must pass:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mustOpen(t) })
//	}
//
// open must return a fresh, empty store for every call and close it with
// t.Cleanup. A store that implements Clocked gets a fake clock (so CreatedAt
// stamps are checked exactly); the retention test needs it and fails without.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"newsbot/store"
)

// Clocked is implemented by stores whose clock (used for CreatedAt stamps
// and search recency) the suite may replace.
type Clocked interface {
	SetNow(now func() time.Time)
}

// t0 is the suite's "now": whole seconds, so every backend stores it exactly.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// env is one subtest's store and clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	clock *Clock // nil when the store is not Clocked
}

// Run runs the suite, each subtest on a store of its own.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(e *env)
	}{
		{"SubscribeCreatesFeed", testSubscribeCreatesFeed},
		{"SubscribeSharesFeed", testSubscribeSharesFeed},
		{"SubscribeConflict", testSubscribeConflict},
		{"SubscribeSeenNotDeliveredToNew", testSubscribeSeenNotDeliveredToNew},
		{"SubscribeSeenDeliveredToOthers", testSubscribeSeenDeliveredToOthers},
		{"Unsubscribe", testUnsubscribe},
		{"ListSubscriptions", testListSubscriptions},
		{"PauseSubscription", testPauseSubscription},
		{"GuildSettings", testGuildSettings},
		{"ClaimDueFeeds", testClaimDueFeeds},
		{"ClaimDueFeedsLease", testClaimDueFeedsLease},
		{"RecordPollUpdatesFeed", testRecordPollUpdatesFeed},
		{"RecordPollNotModified", testRecordPollNotModified},
		{"RecordPollDedupe", testRecordPollDedupe},
		{"RecordPollThousandTimes", testRecordPollThousandTimes},
		{"RecordPollLostLease", testRecordPollLostLease},
		{"RecordPollUnknownFeed", testRecordPollUnknownFeed},
		{"RecordPollFailure", testRecordPollFailure},
		{"KnownArticles", testKnownArticles},
		{"FailingFeedNotices", testFailingFeedNotices},
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ClaimDeliveries", testClaimDeliveries},
		{"ClaimDeliveriesLimits", testClaimDeliveriesLimits},
		{"DeliveryStates", testDeliveryStates},
		{"ReleaseDelivery", testReleaseDelivery},
		{"SearchArticles", testSearchArticles},
		{"SearchUntrustedQueries", testSearchUntrustedQueries},
		{"SearchRecency", testSearchRecency},
		{"PruneArticles", testPruneArticles},
		{"PrunedForgotten", testPrunedForgotten},
		{"PendingExcludesPaused", testPendingExcludesPaused},
		{"ClaimDeliveriesOrder", testClaimDeliveriesOrder},
		{"ClaimDeliveriesWindow", testClaimDeliveriesWindow},
		{"BeginPost", testBeginPost},
		{"RenewFeedLease", testRenewFeedLease},
		{"RecordPollSkipped", testRecordPollSkipped},
		{"StoryPosts", testStoryPosts},
		{"ArticleUpdatesBecomeEdits", testArticleUpdatesBecomeEdits},
		{"TopStories", testTopStories},
		{"RecentArticles", testRecentArticles},
		{"ConcurrentClaimDueFeeds", testConcurrentClaimDueFeeds},
		{"ConcurrentClaimDeliveries", testConcurrentClaimDeliveries},
		{"ConcurrentRecordPoll", testConcurrentRecordPoll},
		{"SaveRules", testSaveRules},
		{"ResumeSubscription", testResumeSubscription},
		{"PostedSince", testPostedSince},
		{"MarkDropped", testMarkDropped},
		{"Webhooks", testWebhooks},
		{"PastWebhooks", testPastWebhooks},
		{"ThreadStarts", testThreadStarts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{t: t, ctx: context.Background(), st: open(t)}
			if c, ok := e.st.(Clocked); ok {
				e.clock = &Clock{now: t0}
				c.SetNow(e.clock.Now)
			}
			tc.fn(e)
		})
	}
}

// --- fixtures and helpers ---

func feedURL(n int) string { return fmt.Sprintf("https://feeds.example.com/%d.xml", n) }

// article returns a fixture article whose identity and link key derive from key.
func article(key string) store.Article {
	return store.Article{
		Identity:       "guid:" + key,
		LinkKey:        "https://example.com/" + key,
		Link:           "https://example.com/" + key + "?utm_source=rss",
		Title:          "Title " + key,
		Author:         "Author " + key,
		ImageURL:       "https://example.com/" + key + ".png",
		Published:      t0.Add(-time.Hour),
		Summary:        []string{"First sentence of " + key + ".", "Second sentence."},
		Keywords:       []string{"kw" + key},
		SentencesTotal: 12,
		WordsBefore:    300,
		WordsAfter:     40,
	}
}

func articles(keys ...string) []store.Article {
	var as []store.Article
	for _, k := range keys {
		as = append(as, article(k))
	}
	return as
}

// subscribe subscribes with the feed's current items as /feed add gives
// them: identities only, never summarized.
func (e *env) subscribe(guild, channel string, feed int, items ...store.Article) store.Subscription {
	e.t.Helper()
	var seen []store.Article
	for _, a := range items {
		seen = append(seen, store.Article{Identity: a.Identity, LinkKey: a.LinkKey, Link: a.Link, Title: a.Title, Published: a.Published})
	}
	sub, err := e.st.Subscribe(e.ctx, store.NewSubscription{
		GuildID: guild, ChannelID: channel, CreatedBy: "user-1",
		Feed:       store.Feed{URL: feedURL(feed), Title: fmt.Sprintf("Feed %d", feed), SiteURL: "https://example.com/"},
		Seen:       seen,
		NextPollAt: t0,
	})
	if err != nil {
		e.t.Fatalf("Subscribe(%s, %s, feed %d): %v", guild, channel, feed, err)
	}
	return sub
}

func (e *env) poll(feedID int64, as ...store.Article) int {
	e.t.Helper()
	n, err := e.st.RecordPoll(e.ctx, store.PollResult{
		FeedID: feedID, Owner: "poller", Articles: as, PolledAt: t0, NextPollAt: t0.Add(10 * time.Minute),
	})
	if err != nil {
		e.t.Fatalf("RecordPoll(feed %d): %v", feedID, err)
	}
	return n
}

// deliveries returns all of a subscription's deliveries.
func (e *env) deliveries(subID int64) []store.Delivery {
	e.t.Helper()
	ds, err := e.st.Deliveries(e.ctx, subID)
	if err != nil {
		e.t.Fatalf("Deliveries(%d): %v", subID, err)
	}
	return ds
}

func (e *env) pending() int {
	e.t.Helper()
	n, err := e.st.PendingDeliveries(e.ctx)
	if err != nil {
		e.t.Fatalf("PendingDeliveries: %v", err)
	}
	return n
}

func (e *env) claimDeliveries(o store.ClaimOptions) []store.Delivery {
	e.t.Helper()
	ds, err := e.st.ClaimDeliveries(e.ctx, o)
	if err != nil {
		e.t.Fatalf("ClaimDeliveries(%+v): %v", o, err)
	}
	return ds
}

func (e *env) claimFeeds(o store.ClaimOptions) []store.Feed {
	e.t.Helper()
	fs, err := e.st.ClaimDueFeeds(e.ctx, o)
	if err != nil {
		e.t.Fatalf("ClaimDueFeeds(%+v): %v", o, err)
	}
	return fs
}

// titles returns the claimed deliveries' article titles.
func titles(ds []store.Delivery) []string {
	var ts []string
	for _, d := range ds {
		ts = append(ts, d.Article.Title)
	}
	return ts
}

func feedIDs(fs []store.Feed) []int64 {
	var ids []int64
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

// articleIDsOf returns the article ids of a subscription's deliveries.
func (e *env) articleIDsOf(subID int64) []int64 {
	e.t.Helper()
	var ids []int64
	for _, d := range e.deliveries(subID) {
		ids = append(ids, d.ArticleID)
	}
	return ids
}

// claimAllTitles claims every deliverable delivery at t0 and returns their titles.
// claimAllTitles claims every due delivery, marks each posted (as the
// deliverer would, so later ones are not held behind them) and returns
// their titles.
func (e *env) claimAllTitles(owner string) []string {
	e.t.Helper()
	ds := e.claimDeliveries(store.ClaimOptions{Owner: owner, Now: t0, Limit: 1000, Lease: time.Minute})
	for _, d := range ds {
		if err := e.st.MarkPosted(e.ctx, d.ID, "m", t0.Add(-time.Hour)); err != nil {
			e.t.Fatal(err)
		}
	}
	return titles(ds)
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// --- subscriptions ---

func testSubscribeCreatesFeed(e *env) {
	t := e.t
	next := t0.Add(30 * time.Second)
	sub, err := e.st.Subscribe(e.ctx, store.NewSubscription{
		GuildID: "g1", ChannelID: "c1", CreatedBy: "u1",
		Feed:       store.Feed{URL: feedURL(1), Title: "Feed One", SiteURL: "https://one.example.com/"},
		NextPollAt: next,
	})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID == 0 || sub.GuildID != "g1" || sub.ChannelID != "c1" || sub.CreatedBy != "u1" || sub.Paused || sub.FailingNotified {
		t.Errorf("subscription = %+v", sub)
	}
	f := sub.Feed
	if f.ID == 0 || sub.FeedID != f.ID || f.URL != feedURL(1) || f.Title != "Feed One" || f.SiteURL != "https://one.example.com/" ||
		f.ErrorCount != 0 || f.ETag != "" || !f.LastPolledAt.IsZero() || !f.LastSuccessAt.IsZero() {
		t.Errorf("feed = %+v", f)
	}
	wantTime(t, "NextPollAt", f.NextPollAt, next)
	if e.clock != nil {
		wantTime(t, "subscription CreatedAt", sub.CreatedAt, t0)
		wantTime(t, "feed CreatedAt", f.CreatedAt, t0)
	}
	if ds := e.deliveries(sub.ID); len(ds) != 0 {
		t.Errorf("new subscription has deliveries: %+v", ds)
	}
}

func testSubscribeSharesFeed(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	// Same URL from another guild: same feed; an empty title keeps the old one.
	b, err := e.st.Subscribe(e.ctx, store.NewSubscription{GuildID: "g2", ChannelID: "c9", Feed: store.Feed{URL: feedURL(1)}, NextPollAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if b.FeedID != a.FeedID || b.Feed.ID != a.FeedID {
		t.Fatalf("second subscription's feed = %d, want %d", b.FeedID, a.FeedID)
	}
	if b.Feed.Title != "Feed 1" {
		t.Errorf("empty title replaced the feed's title: %q", b.Feed.Title)
	}
	wantTime(t, "NextPollAt of an existing feed", b.Feed.NextPollAt, t0)
	// A title refreshes it.
	c, err := e.st.Subscribe(e.ctx, store.NewSubscription{GuildID: "g3", ChannelID: "c1", Feed: store.Feed{URL: feedURL(1), Title: "Renamed", SiteURL: "https://new.example.com/"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.FeedID != a.FeedID || c.Feed.Title != "Renamed" || c.Feed.SiteURL != "https://new.example.com/" {
		t.Errorf("refreshed feed = %+v", c.Feed)
	}
	other := e.subscribe("g1", "c1", 2)
	if other.FeedID == a.FeedID {
		t.Errorf("different URLs share feed %d", other.FeedID)
	}
}

func testSubscribeConflict(e *env) {
	t := e.t
	first := e.subscribe("g1", "c1", 1, article("a"))
	_, err := e.st.Subscribe(e.ctx, store.NewSubscription{GuildID: "g1", ChannelID: "c1", Feed: store.Feed{URL: feedURL(1)}, Seen: articles("b")})
	wantErr(t, "duplicate Subscribe", err, store.ErrConflict)
	// The failed call recorded nothing: b is still new at the next poll.
	if n := e.poll(first.FeedID, articles("a", "b")...); n != 1 {
		t.Errorf("poll after a conflicting Subscribe: %d new, want 1 (b)", n)
	}
	// Other channel, other guild: fine.
	e.subscribe("g1", "c2", 1)
	e.subscribe("g2", "c1", 1)
	subs, err := e.st.ListSubscriptions(e.ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 {
		t.Errorf("g1 has %d subscriptions, want 2", len(subs))
	}
}

func testSubscribeSeenNotDeliveredToNew(e *env) {
	t := e.t
	sub := e.subscribe("g1", "c1", 1, articles("a", "b")...)
	if ds := e.deliveries(sub.ID); len(ds) != 0 {
		t.Fatalf("seen items were queued for the new subscription: %+v", ds)
	}
	if n := e.poll(sub.FeedID, articles("a", "b", "c")...); n != 1 {
		t.Fatalf("poll: %d new, want 1", n)
	}
	if got := e.claimAllTitles("d"); !slices.Equal(got, []string{"Title c"}) {
		t.Errorf("claimed %q, want only the item published after subscribing", got)
	}
}

func testSubscribeSeenDeliveredToOthers(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1, article("x"))
	paused := e.subscribe("g1", "c2", 1)
	if err := e.st.PauseSubscription(e.ctx, paused.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}
	// A second channel subscribes while the feed has a new item (y) the
	// poller has not seen. Nothing is delivered with the unsummarized copy
	// the new subscription saw: the poller records y with its summary, and
	// then a gets it, the new subscription and the paused one don't.
	b := e.subscribe("g2", "c1", 1, articles("x", "y")...)
	if got := e.pending(); got != 0 {
		t.Fatalf("subscribing queued %d deliveries of unsummarized items", got)
	}
	if n := e.poll(a.FeedID, articles("x", "y")...); n != 1 {
		t.Fatalf("poll: %d new, want 1 (y)", n)
	}
	if got := len(e.deliveries(b.ID)); got != 0 {
		t.Errorf("new subscription has %d deliveries", got)
	}
	if got := len(e.deliveries(paused.ID)); got != 0 {
		t.Errorf("paused subscription has %d deliveries", got)
	}
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 1 || ds[0].SubscriptionID != a.ID || ds[0].Article.Title != "Title y" {
		t.Fatalf("claimed %+v, want y for subscription %d", ds, a.ID)
	}
	if want := article("y").Summary; !slices.Equal(ds[0].Article.Summary, want) {
		t.Errorf("y delivered with summary %q, want the poller's %q", ds[0].Article.Summary, want)
	}
	// y is now known: polling it again is not new.
	if n := e.poll(a.FeedID, articles("x", "y")...); n != 0 {
		t.Errorf("poll of known items: %d new", n)
	}
	// Items published after the subscription reach both.
	if n := e.poll(a.FeedID, articles("x", "y", "z")...); n != 1 {
		t.Fatalf("poll of z: %d new", n)
	}
	if got := len(e.deliveries(b.ID)); got != 1 {
		t.Errorf("new subscription has %d deliveries after z, want 1", got)
	}
}

func testUnsubscribe(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g2", "c1", 1)
	e.poll(a.FeedID, articles("p", "q")...)
	if got := e.pending(); got != 4 {
		t.Fatalf("pending = %d, want 4", got)
	}
	_, err := e.st.Unsubscribe(e.ctx, "g2", a.ID)
	wantErr(t, "Unsubscribe from another guild", err, store.ErrNotFound)
	got, err := e.st.Unsubscribe(e.ctx, "g1", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.GuildID != "g1" || got.Feed.URL != feedURL(1) || got.Feed.ID != a.FeedID {
		t.Errorf("Unsubscribe returned %+v", got)
	}
	if ds := e.deliveries(a.ID); len(ds) != 0 {
		t.Errorf("deliveries left after Unsubscribe: %+v", ds)
	}
	if got := e.pending(); got != 2 {
		t.Errorf("pending = %d, want 2 (the other guild's)", got)
	}
	_, err = e.st.Unsubscribe(e.ctx, "g1", a.ID)
	wantErr(t, "second Unsubscribe", err, store.ErrNotFound)
	_, err = e.st.Unsubscribe(e.ctx, "g1", 987654)
	wantErr(t, "Unsubscribe of an unknown id", err, store.ErrNotFound)
	if subs, _ := e.st.ListSubscriptions(e.ctx, "g1"); len(subs) != 0 {
		t.Errorf("g1 still lists %+v", subs)
	}
	if subs, _ := e.st.ListSubscriptions(e.ctx, "g2"); len(subs) != 1 || subs[0].ID != b.ID {
		t.Errorf("g2 lists %+v", subs)
	}
	// Subscribing again does not replay what the feed already had.
	again := e.subscribe("g1", "c1", 1, articles("p", "q")...)
	if n := e.poll(again.FeedID, articles("p", "q", "r")...); n != 1 {
		t.Errorf("poll after resubscribing: %d new, want 1", n)
	}
	if got := len(e.deliveries(again.ID)); got != 1 {
		t.Errorf("resubscribed channel has %d deliveries, want 1", got)
	}
}

func testListSubscriptions(e *env) {
	t := e.t
	s1 := e.subscribe("g1", "c1", 1)
	e.subscribe("g2", "c1", 1)
	s2 := e.subscribe("g1", "c2", 2)
	s3 := e.subscribe("g1", "c1", 3)
	subs, err := e.st.ListSubscriptions(e.ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range subs {
		ids = append(ids, s.ID)
		if s.GuildID != "g1" || s.Feed.ID != s.FeedID || s.Feed.URL == "" {
			t.Errorf("listed %+v", s)
		}
	}
	if want := []int64{s1.ID, s2.ID, s3.ID}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	if subs[1].Feed.URL != feedURL(2) || subs[1].ChannelID != "c2" {
		t.Errorf("second = %+v", subs[1])
	}
	none, err := e.st.ListSubscriptions(e.ctx, "nobody")
	if err != nil || len(none) != 0 {
		t.Errorf("ListSubscriptions(nobody) = %v, %v", none, err)
	}
}

func testPauseSubscription(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g1", "c2", 1)
	e.poll(a.FeedID, article("1"))
	if err := e.st.PauseSubscription(e.ctx, a.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "PauseSubscription(unknown)", e.st.PauseSubscription(e.ctx, 987654, "x"), store.ErrNotFound)
	subs, _ := e.st.ListSubscriptions(e.ctx, "g1")
	if len(subs) != 2 || !subs[0].Paused || subs[0].PauseReason != "Missing Access" || subs[1].Paused {
		t.Errorf("listed %+v", subs)
	}
	// The paused one's pending delivery is not claimed, and it gets no new ones.
	e.poll(a.FeedID, article("2"))
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	for _, d := range ds {
		if d.SubscriptionID != b.ID {
			t.Errorf("claimed a delivery of the paused subscription: %+v", d)
		}
	}
	if len(ds) != 2 {
		t.Errorf("claimed %d, want 2", len(ds))
	}
	if got := len(e.deliveries(a.ID)); got != 1 {
		t.Errorf("paused subscription has %d deliveries, want the 1 from before the pause", got)
	}
	// A feed whose only subscriptions are paused is not polled.
	c := e.subscribe("g1", "c3", 2)
	if err := e.st.PauseSubscription(e.ctx, c.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	feeds := e.claimFeeds(store.ClaimOptions{Owner: "p", Now: t0.Add(time.Hour), Limit: 10, Lease: time.Minute})
	if ids := feedIDs(feeds); !slices.Equal(ids, []int64{a.FeedID}) {
		t.Errorf("claimed feeds %v, want only %d", ids, a.FeedID)
	}
}

func testGuildSettings(e *env) {
	t := e.t
	got, err := e.st.GuildSettings(e.ctx, "g1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := store.DefaultGuildSettings("g1", 3); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	for _, want := range []store.GuildSettings{
		{GuildID: "g1", Sentences: 5, Format: store.FormatText, ShowStats: false, Stories: true},
		{GuildID: "g1", Sentences: 1, Format: store.FormatEmbed, ShowStats: true, Stories: false},
	} {
		if err := e.st.SaveGuildSettings(e.ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := e.st.GuildSettings(e.ctx, "g1", 3)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("saved %+v, read %+v", want, got)
		}
	}
	if got, _ := e.st.GuildSettings(e.ctx, "g2", 4); got != store.DefaultGuildSettings("g2", 4) {
		t.Errorf("another guild got %+v", got)
	}
}

// --- polling ---

func testClaimDueFeeds(e *env) {
	t := e.t
	// Feeds 1-4 due at t0-3m .. t0, feed 5 due later, feed 6 without subscriptions.
	ids := map[int]int64{}
	for i := 1; i <= 6; i++ {
		next := t0.Add(time.Duration(i-4) * time.Minute)
		if i == 5 {
			next = t0.Add(time.Hour)
		}
		sub, err := e.st.Subscribe(e.ctx, store.NewSubscription{GuildID: "g", ChannelID: fmt.Sprint("c", i), Feed: store.Feed{URL: feedURL(i)}, NextPollAt: next})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sub.FeedID
		if i == 6 {
			if _, err := e.st.Unsubscribe(e.ctx, "g", sub.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []int
	}{
		{"limit takes the earliest", t0, 2, []int{1, 2}},
		{"the rest of the due ones", t0, 10, []int{3, 4}},
		{"nothing left while leased", t0, 10, nil},
		{"the later one when due", t0.Add(time.Hour), 10, []int{5}},
		{"expired leases come back", t0.Add(3 * time.Hour), 10, []int{1, 2, 3, 4, 5}},
	}
	for _, tc := range tests {
		got := e.claimFeeds(store.ClaimOptions{Owner: "p1", Now: tc.now, Limit: tc.limit, Lease: 90 * time.Minute})
		var want []int64
		for _, i := range tc.want {
			want = append(want, ids[i])
		}
		if !slices.Equal(feedIDs(got), want) {
			t.Errorf("%s: claimed %v, want %v", tc.name, feedIDs(got), want)
		}
	}
	got := e.claimFeeds(store.ClaimOptions{Owner: "p1", Now: t0, Limit: 1, Lease: time.Minute})
	if len(got) != 0 {
		t.Errorf("claimed %v at t0 while every lease runs until t0+4h30m", feedIDs(got))
	}
	if f := e.claimFeeds(store.ClaimOptions{Owner: "p1", Now: t0.Add(5 * time.Hour), Limit: 1, Lease: time.Minute}); len(f) != 1 || f[0].URL != feedURL(1) {
		t.Errorf("claimed %+v, want feed 1 with its fields", f)
	}
}

func testClaimDueFeedsLease(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	if got := e.claimFeeds(store.ClaimOptions{Owner: "p1", Now: t0, Limit: 10, Lease: 5 * time.Minute}); len(got) != 1 {
		t.Fatalf("first claim: %d feeds", len(got))
	}
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{{time.Minute, 0}, {4 * time.Minute, 0}, {6 * time.Minute, 1}} {
		got := e.claimFeeds(store.ClaimOptions{Owner: "p2", Now: t0.Add(tc.at), Limit: 10, Lease: 5 * time.Minute})
		if len(got) != tc.want {
			t.Errorf("claim at +%v: %d feeds, want %d", tc.at, len(got), tc.want)
		}
	}
	// RecordPoll by the holder (p2 now) releases the lease: due again at its next poll.
	if _, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p2", PolledAt: t0.Add(6 * time.Minute), NextPollAt: t0.Add(7 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := e.claimFeeds(store.ClaimOptions{Owner: "p3", Now: t0.Add(7 * time.Minute), Limit: 10, Lease: 5 * time.Minute}); len(got) != 1 {
		t.Errorf("after RecordPoll the feed is not claimable at its next poll time")
	}
	// So does RecordPollFailure.
	if _, err := e.st.RecordPollFailure(e.ctx, store.PollFailure{FeedID: sub.FeedID, Owner: "p3", Error: "x", PolledAt: t0.Add(7 * time.Minute), NextPollAt: t0.Add(8 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := e.claimFeeds(store.ClaimOptions{Owner: "p4", Now: t0.Add(8 * time.Minute), Limit: 10, Lease: 5 * time.Minute}); len(got) != 1 {
		t.Errorf("after RecordPollFailure the feed is not claimable at its next poll time")
	}
}

func testRecordPollUpdatesFeed(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	e.claimFeeds(store.ClaimOptions{Owner: "p", Now: t0, Limit: 1, Lease: time.Minute})
	polled, next := t0.Add(10*time.Second), t0.Add(10*time.Minute)
	n, err := e.st.RecordPoll(e.ctx, store.PollResult{
		FeedID: sub.FeedID, Owner: "p", Title: "New title", SiteURL: "https://site.example.com/",
		ETag: `"v1"`, LastModified: "Sun, 01 Mar 2026 11:00:00 GMT",
		Articles: articles("a", "b"), PolledAt: polled, NextPollAt: next,
	})
	if err != nil || n != 2 {
		t.Fatalf("RecordPoll = %d, %v; want 2 new", n, err)
	}
	// A failure in between, then a success with no title: the title stays, the error count resets.
	if _, err := e.st.RecordPollFailure(e.ctx, store.PollFailure{FeedID: sub.FeedID, Owner: "p", Error: "boom", PolledAt: polled, NextPollAt: next}); err != nil {
		t.Fatal(err)
	}
	polled2 := t0.Add(20 * time.Minute)
	if _, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", ETag: `"v2"`, PolledAt: polled2, NextPollAt: polled2.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	subs, _ := e.st.ListSubscriptions(e.ctx, "g")
	f := subs[0].Feed
	if f.Title != "New title" || f.SiteURL != "https://site.example.com/" || f.ETag != `"v2"` || f.LastModified != "" ||
		f.ErrorCount != 0 || f.LastError != "" {
		t.Errorf("feed = %+v", f)
	}
	wantTime(t, "LastPolledAt", f.LastPolledAt, polled2)
	wantTime(t, "LastSuccessAt", f.LastSuccessAt, polled2)
	wantTime(t, "NextPollAt", f.NextPollAt, polled2.Add(10*time.Minute))
}

func testRecordPollNotModified(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	if _, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", ETag: "e1", LastModified: "lm1", PolledAt: t0, NextPollAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Minute)
	n, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", NotModified: true, PolledAt: later, NextPollAt: later.Add(time.Minute)})
	if err != nil || n != 0 {
		t.Fatalf("RecordPoll(304) = %d, %v", n, err)
	}
	subs, _ := e.st.ListSubscriptions(e.ctx, "g")
	f := subs[0].Feed
	if f.ETag != "e1" || f.LastModified != "lm1" {
		t.Errorf("a 304 changed the validators: %q, %q", f.ETag, f.LastModified)
	}
	wantTime(t, "LastPolledAt", f.LastPolledAt, later)
	wantTime(t, "LastSuccessAt", f.LastSuccessAt, later)
	wantTime(t, "NextPollAt", f.NextPollAt, later.Add(time.Minute))
}

func testRecordPollDedupe(e *env) {
	changedText := article("a")
	changedText.Title, changedText.Summary = "Updated title", []string{"Rewritten."}
	newGUIDSameLink := article("b")
	newGUIDSameLink.Identity = "guid:b-v2"
	noLink1, noLink2 := article("n1"), article("n2")
	noLink1.LinkKey, noLink2.LinkKey = "", ""
	sameLinkOtherGUID := article("c")
	sameLinkOtherGUID.Identity = "guid:c-dup"

	tests := []struct {
		name   string
		batch  []store.Article
		want   int      // new articles
		titles []string // what the subscriber gets from this batch
	}{
		{"first items", articles("a", "b"), 2, []string{"Title a", "Title b"}},
		{"same again", articles("a", "b"), 0, nil},
		{"updated item, same identity", []store.Article{changedText}, 0, nil},
		{"changed GUID, same link", []store.Article{newGUIDSameLink}, 0, nil},
		{"items without links are told apart by identity", []store.Article{noLink1, noLink2, noLink1}, 2, []string{"Title n1", "Title n2"}},
		{"duplicates inside one batch", []store.Article{article("c"), article("c"), sameLinkOtherGUID}, 1, []string{"Title c"}},
		{"mixed", articles("a", "c", "d"), 1, []string{"Title d"}},
	}
	sub := e.subscribe("g", "c", 1)
	for _, tc := range tests {
		if got := e.poll(sub.FeedID, tc.batch...); got != tc.want {
			e.t.Errorf("%s: %d new, want %d", tc.name, got, tc.want)
		}
		if got := e.claimAllTitles("d"); !slices.Equal(got, tc.titles) {
			e.t.Errorf("%s: delivered %q, want %q", tc.name, got, tc.titles)
		}
	}
	// The same identity in another feed is another article.
	other := e.subscribe("g", "c", 2)
	if got := e.poll(other.FeedID, article("a")); got != 1 {
		e.t.Errorf("same item in another feed: %d new, want 1", got)
	}
}

func testRecordPollThousandTimes(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1, article("old"))
	b := e.subscribe("g2", "c1", 1)
	total := 0
	for i := range 1000 {
		// The feed shows a sliding window of 5 items; every 100 polls a new one appears.
		var batch []store.Article
		for k := max(0, i/100-4); k <= i/100; k++ {
			batch = append(batch, article(fmt.Sprint("item", k)))
		}
		total += e.poll(a.FeedID, batch...)
	}
	if total != 10 {
		t.Errorf("%d new articles over 1000 polls, want 10", total)
	}
	for _, sub := range []store.Subscription{a, b} {
		ids := e.articleIDsOf(sub.ID)
		if len(ids) != 10 {
			t.Errorf("subscription %d has %d deliveries, want 10", sub.ID, len(ids))
		}
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(ids) {
			t.Errorf("subscription %d has duplicate deliveries: %v", sub.ID, ids)
		}
	}
	if got := e.pending(); got != 20 {
		t.Errorf("pending = %d, want 20", got)
	}
}

func testRecordPollLostLease(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	lease := 5 * time.Minute
	e.claimFeeds(store.ClaimOptions{Owner: "slow", Now: t0, Limit: 1, Lease: lease})
	// The lease expires and another process takes the feed.
	if got := e.claimFeeds(store.ClaimOptions{Owner: "fast", Now: t0.Add(6 * time.Minute), Limit: 1, Lease: lease}); len(got) != 1 {
		t.Fatal("the expired lease was not taken over")
	}
	// The slow poller's result still counts...
	n, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "slow", Title: "From slow", Articles: articles("a"),
		PolledAt: t0.Add(7 * time.Minute), NextPollAt: t0.Add(7 * time.Minute)})
	if err != nil || n != 1 {
		t.Fatalf("RecordPoll from a lost lease = %d, %v", n, err)
	}
	// ...but does not release the new holder's lease.
	if got := e.claimFeeds(store.ClaimOptions{Owner: "third", Now: t0.Add(8 * time.Minute), Limit: 1, Lease: lease}); len(got) != 0 {
		t.Errorf("a stale owner's RecordPoll released another owner's lease")
	}
	// The holder's own result is applied too, without duplicates.
	n, err = e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "fast", Articles: articles("a", "b"),
		PolledAt: t0.Add(8 * time.Minute), NextPollAt: t0.Add(9 * time.Minute)})
	if err != nil || n != 1 {
		t.Fatalf("RecordPoll by the holder = %d, %v; want 1 new", n, err)
	}
	if got := e.claimFeeds(store.ClaimOptions{Owner: "third", Now: t0.Add(9 * time.Minute), Limit: 1, Lease: lease}); len(got) != 1 {
		t.Errorf("the holder's RecordPoll did not release its lease")
	}
}

func testRecordPollUnknownFeed(e *env) {
	_, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: 987654, Owner: "p", PolledAt: t0, NextPollAt: t0, Articles: articles("a")})
	wantErr(e.t, "RecordPoll(unknown feed)", err, store.ErrNotFound)
	_, err = e.st.RecordPollFailure(e.ctx, store.PollFailure{FeedID: 987654, Owner: "p", Error: "x", PolledAt: t0, NextPollAt: t0})
	wantErr(e.t, "RecordPollFailure(unknown feed)", err, store.ErrNotFound)
}

func testRecordPollFailure(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	for i := 1; i <= 3; i++ {
		e.claimFeeds(store.ClaimOptions{Owner: "p", Now: t0.Add(time.Duration(i) * time.Hour), Limit: 1, Lease: time.Minute})
		polled := t0.Add(time.Duration(i)*time.Hour + time.Second)
		f, err := e.st.RecordPollFailure(e.ctx, store.PollFailure{FeedID: sub.FeedID, Owner: "p", Error: fmt.Sprint("error ", i), PolledAt: polled, NextPollAt: polled.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if f.ID != sub.FeedID || f.URL != feedURL(1) || f.ErrorCount != i || f.LastError != fmt.Sprint("error ", i) || !f.LastSuccessAt.IsZero() {
			t.Errorf("after failure %d: %+v", i, f)
		}
		wantTime(t, "LastPolledAt", f.LastPolledAt, polled)
		wantTime(t, "NextPollAt", f.NextPollAt, polled.Add(time.Hour))
	}
	e.poll(sub.FeedID)
	subs, _ := e.st.ListSubscriptions(e.ctx, "g")
	if f := subs[0].Feed; f.ErrorCount != 0 || f.LastError != "" {
		t.Errorf("a success did not reset the errors: %+v", f)
	}
}

func testKnownArticles(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1, article("seen"))
	other := e.subscribe("g", "c", 2, article("elsewhere"))
	e.poll(sub.FeedID, article("polled"))
	known := func(feedID int64, keys ...string) []string {
		t.Helper()
		m, err := e.st.KnownArticles(e.ctx, feedID, keys)
		if err != nil {
			t.Fatalf("KnownArticles(%d, %q): %v", feedID, keys, err)
		}
		var got []string
		for _, k := range keys { // in the order asked
			if m[k] {
				got = append(got, k)
			}
		}
		for k, v := range m {
			if v && !slices.Contains(keys, k) {
				t.Errorf("KnownArticles returned %q, which was not asked", k)
			}
		}
		return got
	}
	seen, polled, elsewhere := article("seen"), article("polled"), article("elsewhere")
	keys := []string{seen.Identity, "guid:new", polled.LinkKey, elsewhere.Identity, "", "https://example.com/new"}
	if got, want := known(sub.FeedID, keys...), []string{seen.Identity, polled.LinkKey}; !slices.Equal(got, want) {
		t.Errorf("known = %q, want %q", got, want)
	}
	if got, want := known(other.FeedID, keys...), []string{elsewhere.Identity}; !slices.Equal(got, want) {
		t.Errorf("other feed: known = %q, want %q", got, want)
	}
	if got := known(sub.FeedID); len(got) != 0 {
		t.Errorf("no keys: %q", got)
	}
	// Many keys at once (more than one query's worth of parameters).
	var many []string
	for i := range 1200 {
		many = append(many, fmt.Sprint("guid:unknown-", i))
	}
	many = append(many, polled.Identity)
	if got := known(sub.FeedID, many...); !slices.Equal(got, []string{polled.Identity}) {
		t.Errorf("among 1201 keys: known = %q", got)
	}
	// Pruned articles still count as known.
	if _, err := e.st.PruneArticles(e.ctx, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := known(sub.FeedID, seen.Identity, polled.LinkKey, "guid:new"), []string{seen.Identity, polled.LinkKey}; !slices.Equal(got, want) {
		t.Errorf("after pruning: known = %q, want %q", got, want)
	}
}

func testFailingFeedNotices(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g2", "c1", 1)
	paused := e.subscribe("g3", "c1", 1)
	healthy := e.subscribe("g1", "c2", 2)
	if err := e.st.PauseSubscription(e.ctx, paused.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	fail := func(feedID int64, times int) {
		for range times {
			if _, err := e.st.RecordPollFailure(e.ctx, store.PollFailure{FeedID: feedID, Owner: "p", Error: "timeout", PolledAt: t0, NextPollAt: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	notices := func() []int64 {
		t.Helper()
		subs, err := e.st.FailingFeedNotices(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, s := range subs {
			if s.Feed.ID != s.FeedID || s.Feed.ErrorCount < store.FailingThreshold || s.Feed.LastError != "timeout" {
				t.Errorf("notice %+v", s)
			}
			ids = append(ids, s.ID)
		}
		return ids
	}
	fail(a.FeedID, store.FailingThreshold-1)
	fail(healthy.FeedID, 1)
	if got := notices(); len(got) != 0 {
		t.Errorf("notices below the threshold: %v", got)
	}
	fail(a.FeedID, 1)
	if got := notices(); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Errorf("notices = %v, want %v", got, []int64{a.ID, b.ID})
	}
	if err := e.st.MarkFailingNotified(e.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "MarkFailingNotified(unknown)", e.st.MarkFailingNotified(e.ctx, 987654), store.ErrNotFound)
	fail(a.FeedID, 1)
	if got := notices(); !slices.Equal(got, []int64{b.ID}) {
		t.Errorf("after notifying a: %v, want %v", got, []int64{b.ID})
	}
	subs, _ := e.st.ListSubscriptions(e.ctx, "g1")
	if !subs[0].FailingNotified || !subs[0].Feed.Failing() {
		t.Errorf("listed %+v", subs[0])
	}
	// Recovery resets the flag, so the next failing spell is reported again.
	e.poll(a.FeedID)
	subs, _ = e.st.ListSubscriptions(e.ctx, "g1")
	if subs[0].FailingNotified || subs[0].Feed.Failing() {
		t.Errorf("after recovery: %+v", subs[0])
	}
	fail(a.FeedID, store.FailingThreshold)
	if got := notices(); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Errorf("second failing spell: %v, want %v", got, []int64{a.ID, b.ID})
	}
}

// --- delivery ---

func testArticleRoundTrip(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	want := article("rt")
	want.Summary = []string{`Quotes " and \ backslashes, newlines` + "\n" + `and ünïcödé.`, "Two."}
	want.Keywords = []string{"alpha", "beta gamma"}
	want.Categories = []string{"World", "Asia & Pacific"}
	want.Ranked = []store.RankedSentence{{Index: 4, Text: "Best, with ünïcödé."}, {Index: 0, Text: `Second " best.`}, {Index: 9, Text: "Third."}}
	e.poll(sub.FeedID, want)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 1 {
		t.Fatalf("claimed %d", len(ds))
	}
	got := ds[0].Article
	if got.ID == 0 || got.FeedID != sub.FeedID || got.Identity != want.Identity || got.LinkKey != want.LinkKey ||
		got.Link != want.Link || got.Title != want.Title || got.Author != want.Author || got.ImageURL != want.ImageURL ||
		!slices.Equal(got.Summary, want.Summary) || !slices.Equal(got.Keywords, want.Keywords) || !slices.Equal(got.Ranked, want.Ranked) || !slices.Equal(got.Categories, want.Categories) ||
		got.SentencesTotal != want.SentencesTotal || got.WordsBefore != want.WordsBefore || got.WordsAfter != want.WordsAfter {
		t.Errorf("article = %+v\nwant      %+v", got, want)
	}
	wantTime(t, "Published", got.Published, want.Published)
	if e.clock != nil {
		wantTime(t, "Article.CreatedAt", got.CreatedAt, t0)
		wantTime(t, "Delivery.CreatedAt", ds[0].CreatedAt, t0)
	}
	if err := e.st.MarkPosted(e.ctx, ds[0].ID, "m", t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An article without summary or keywords.
	bare := store.Article{Identity: "bare", Title: "Bare", Published: t0}
	e.poll(sub.FeedID, bare)
	ds = e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 1 || ds[0].Article.Title != "Bare" || len(ds[0].Article.Summary) != 0 || len(ds[0].Article.Keywords) != 0 || len(ds[0].Article.Ranked) != 0 || ds[0].Article.LinkKey != "" {
		t.Errorf("bare article: %+v", ds)
	}
}

func testClaimDeliveries(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g2", "c2", 1)
	e.poll(a.FeedID, articles("1", "2")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d1", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 4 {
		t.Fatalf("claimed %d, want 4", len(ds))
	}
	for i, d := range ds {
		if i > 0 && d.ID <= ds[i-1].ID {
			t.Errorf("not oldest first: %d after %d", d.ID, ds[i-1].ID)
		}
		if d.State != store.DeliveryPending || d.Attempts != 0 || d.ArticleID != d.Article.ID || d.SubscriptionID != d.Subscription.ID {
			t.Errorf("delivery %+v", d)
		}
		s := d.Subscription
		if s.FeedID != a.FeedID || s.Feed.ID != a.FeedID || s.Feed.URL != feedURL(1) || s.Feed.Title != "Feed 1" || (s.ID != a.ID && s.ID != b.ID) {
			t.Errorf("subscription %+v", s)
		}
		if want := map[int64]string{a.ID: "c1", b.ID: "c2"}[s.ID]; s.ChannelID != want {
			t.Errorf("channel %q, want %q", s.ChannelID, want)
		}
		if d.Article.Link == "" || len(d.Article.Summary) != 2 {
			t.Errorf("article %+v", d.Article)
		}
	}
	// Claimed ones are not handed out again until the claim expires.
	if got := e.claimDeliveries(store.ClaimOptions{Owner: "d2", Now: t0.Add(30 * time.Second), Limit: 10, Lease: time.Minute}); len(got) != 0 {
		t.Errorf("claimed %d already-claimed deliveries", len(got))
	}
	if got := e.pending(); got != 4 {
		t.Errorf("pending = %d, want 4 (claimed is still pending)", got)
	}
	again := e.claimDeliveries(store.ClaimOptions{Owner: "d2", Now: t0.Add(2 * time.Minute), Limit: 10, Lease: time.Minute})
	if len(again) != 4 {
		t.Errorf("after the claims expired: %d, want 4", len(again))
	}
}

func testClaimDeliveriesLimits(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g1", "c2", 1)
	c := e.subscribe("g1", "c3", 2)
	e.poll(a.FeedID, articles("1", "2", "3")...)
	e.poll(c.FeedID, articles("x", "y")...)
	// Deliveries by id: a1 b1 a2 b2 a3 b3 cx cy.
	count := func(ds []store.Delivery) map[int64]int {
		m := map[int64]int{}
		for _, d := range ds {
			m[d.SubscriptionID]++
		}
		return m
	}
	tests := []struct {
		name       string
		limit, per int
		want       map[int64]int
		titles     []string
	}{
		{"one per subscription", 10, 1, map[int64]int{a.ID: 1, b.ID: 1, c.ID: 1}, []string{"Title 1", "Title 1", "Title x"}},
		{"limit overall, oldest first", 2, 0, map[int64]int{a.ID: 1, b.ID: 1}, []string{"Title 2", "Title 2"}},
		{"the rest", 10, 0, map[int64]int{a.ID: 1, b.ID: 1, c.ID: 1}, []string{"Title 3", "Title 3", "Title y"}},
	}
	for _, tc := range tests {
		ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: tc.limit, PerSubscription: tc.per, Lease: time.Hour})
		if got := count(ds); !mapsEqual(got, tc.want) {
			t.Errorf("%s: per subscription %v, want %v", tc.name, got, tc.want)
		}
		if got := titles(ds); !slices.Equal(got, tc.titles) {
			t.Errorf("%s: titles %q, want %q", tc.name, got, tc.titles)
		}
		// Posted long ago: the next round is not held back by order or by
		// the window (none here).
		for _, d := range ds {
			if err := e.st.MarkPosted(e.ctx, d.ID, "m", t0.Add(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func mapsEqual(a, b map[int64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testDeliveryStates(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, articles("1", "2", "3")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 3 {
		t.Fatalf("claimed %d", len(ds))
	}
	if err := e.st.MarkPosted(e.ctx, ds[0].ID, "msg-1", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkFailed(e.ctx, ds[1].ID, "Unknown Channel"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "MarkPosted(unknown)", e.st.MarkPosted(e.ctx, 987654, "m", t0), store.ErrNotFound)
	wantErr(t, "MarkFailed(unknown)", e.st.MarkFailed(e.ctx, 987654, "x"), store.ErrNotFound)
	if got := e.pending(); got != 1 {
		t.Errorf("pending = %d, want 1", got)
	}
	all := e.deliveries(sub.ID)
	if len(all) != 3 {
		t.Fatalf("Deliveries = %d rows", len(all))
	}
	want := []struct {
		state   store.DeliveryState
		msg, er string
	}{{store.DeliveryPosted, "msg-1", ""}, {store.DeliveryFailed, "", "Unknown Channel"}, {store.DeliveryPending, "", ""}}
	for i, w := range want {
		d := all[i]
		if d.ID != ds[i].ID || d.State != w.state || d.MessageID != w.msg || d.Error != w.er || d.SubscriptionID != sub.ID || d.ArticleID != ds[i].ArticleID {
			t.Errorf("delivery %d = %+v, want %+v", i, d, w)
		}
		if e.clock != nil {
			wantTime(t, "CreatedAt", d.CreatedAt, t0)
		}
	}
	// Only the pending one comes back when the claims expire.
	again := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0.Add(time.Hour), Limit: 10, Lease: time.Minute})
	if len(again) != 1 || again[0].ID != ds[2].ID {
		t.Errorf("reclaimed %+v, want only delivery %d", again, ds[2].ID)
	}
	if ds, _ := e.st.Deliveries(e.ctx, 987654); len(ds) != 0 {
		t.Errorf("Deliveries(unknown) = %+v", ds)
	}
}

func testReleaseDelivery(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, articles("1", "2")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 1, Lease: time.Hour})
	if len(ds) != 1 {
		t.Fatalf("claimed %d", len(ds))
	}
	retry := t0.Add(5 * time.Minute)
	if err := e.st.ReleaseDelivery(e.ctx, ds[0].ID, retry, "429 Too Many Requests"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "ReleaseDelivery(unknown)", e.st.ReleaseDelivery(e.ctx, 987654, retry, "x"), store.ErrNotFound)
	d := e.deliveries(sub.ID)[0]
	if d.State != store.DeliveryPending || d.Attempts != 1 || d.Error != "429 Too Many Requests" {
		t.Errorf("released delivery = %+v", d)
	}
	// Released (claim cleared) but not due before retryAt, and the later
	// one waits behind it: a subscription posts in order.
	before := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0.Add(time.Minute), Limit: 10, Lease: time.Hour})
	if got := titles(before); len(got) != 0 {
		t.Errorf("before retryAt claimed %q, want nothing (Title 2 waits behind Title 1)", got)
	}
	at := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: retry, Limit: 1, Lease: time.Minute})
	if len(at) != 1 || at[0].ID != ds[0].ID || at[0].Attempts != 1 {
		t.Fatalf("at retryAt claimed %+v, want delivery %d", at, ds[0].ID)
	}
	if err := e.st.ReleaseDelivery(e.ctx, at[0].ID, retry.Add(time.Minute), "again"); err != nil {
		t.Fatal(err)
	}
	if d := e.deliveries(sub.ID)[0]; d.Attempts != 2 || d.Error != "again" {
		t.Errorf("second release = %+v", d)
	}
	if err := e.st.MarkPosted(e.ctx, at[0].ID, "m", retry); err != nil {
		t.Fatal(err)
	}
	if d := e.deliveries(sub.ID)[0]; d.State != store.DeliveryPosted || d.MessageID != "m" {
		t.Errorf("posted after retries = %+v", d)
	}
}

// --- search and retention ---

func searchFixture(e *env) (g1feed, g2feed int64) {
	e.t.Helper()
	a := e.subscribe("g1", "c", 1)
	b := e.subscribe("g2", "c", 2)
	mk := func(key, title, summary string, keywords ...string) store.Article {
		ar := article(key)
		ar.Title, ar.Summary, ar.Keywords = title, []string{summary}, keywords
		return ar
	}
	e.poll(a.FeedID,
		mk("volcano", "Volcano erupts in Iceland", "Lava flows reached the town overnight.", "iceland", "lava"),
		mk("budget", "Parliament passes the budget", "The vote was close; taxes rise in spring.", "politics"),
		mk("quake", "Minor tremor felt", "Seismologists expect more activity near the volcano.", "geology"),
		mk("rust", "Rust 2.0 released", "The C++ and Go communities react: \"finally\".", "programming"),
	)
	e.poll(b.FeedID, mk("other", "Volcano tourism booms", "Visitors flock to the volcano.", "travel"))
	return a.FeedID, b.FeedID
}

func searchTitles(e *env, guild, query string, limit int) []string {
	e.t.Helper()
	as, err := e.st.SearchArticles(e.ctx, guild, query, limit)
	if err != nil {
		e.t.Fatalf("SearchArticles(%q): %v", query, err)
	}
	var ts []string
	for _, a := range as {
		ts = append(ts, a.Title)
	}
	return ts
}

func testSearchArticles(e *env) {
	g1feed, _ := searchFixture(e)
	tests := []struct {
		guild, query string
		limit        int
		want         []string
	}{
		{"g1", "budget", 10, []string{"Parliament passes the budget"}},
		{"g1", "BUDGET", 10, []string{"Parliament passes the budget"}},
		{"g1", "taxes", 10, []string{"Parliament passes the budget"}},    // summary
		{"g1", "politics", 10, []string{"Parliament passes the budget"}}, // keyword
		{"g1", "lava iceland", 10, []string{"Volcano erupts in Iceland"}},
		{"g1", "lava budget", 10, nil}, // every word must match
		// The title match ranks above the summary mention; g2's volcano is not g1's.
		{"g1", "volcano", 10, []string{"Volcano erupts in Iceland", "Minor tremor felt"}},
		{"g1", "volcano", 1, []string{"Volcano erupts in Iceland"}},
		{"g2", "volcano", 10, []string{"Volcano tourism booms"}},
		{"g3", "volcano", 10, nil},
		{"g1", "nothing-matches-this", 10, nil},
	}
	for _, tc := range tests {
		if got := searchTitles(e, tc.guild, tc.query, tc.limit); !slices.Equal(got, tc.want) {
			e.t.Errorf("SearchArticles(%s, %q, %d) = %q, want %q", tc.guild, tc.query, tc.limit, got, tc.want)
		}
	}
	as, err := e.st.SearchArticles(e.ctx, "g1", "budget", 10)
	if err != nil || len(as) != 1 {
		e.t.Fatalf("search: %v, %v", as, err)
	}
	if a := as[0]; a.ID == 0 || a.FeedID != g1feed || a.Link == "" || len(a.Summary) != 1 || len(a.Keywords) != 1 {
		e.t.Errorf("search result %+v", a)
	}
}

func testSearchUntrustedQueries(e *env) {
	searchFixture(e)
	for _, q := range []string{
		"", "   ", `"`, `""`, `"volcano`, `volcano"`, "*", "volcano*", "-volcano", "volcano -lava", "OR", "AND", "NOT",
		"volcano OR budget", "NEAR(volcano lava)", "title:volcano", "{title}: volcano", "(", ")", "^volcano", "+", "'",
		"volcano AND", "\x00", "\x00volcano", "vol\x00cano 0", "\xff\xfe", "💥", "c++", "'; DROP TABLE articles; --", `\`, "NOT volcano", ":", "a:b:c",
	} {
		if _, err := e.st.SearchArticles(e.ctx, "g1", q, 10); err != nil {
			e.t.Errorf("SearchArticles(%q): %v", q, err)
		}
	}
	// Punctuation around words is not syntax.
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{`"volcano"`, []string{"Volcano erupts in Iceland", "Minor tremor felt"}},
		{"budget!", []string{"Parliament passes the budget"}},
		{"c++", []string{"Rust 2.0 released"}},
		{"rust 2.0", []string{"Rust 2.0 released"}},
		{"", nil},
		{"OR", nil},
	} {
		if got := searchTitles(e, "g1", tc.query, 10); !slices.Equal(got, tc.want) {
			e.t.Errorf("SearchArticles(%q) = %q, want %q", tc.query, got, tc.want)
		}
	}
}

func testSearchRecency(e *env) {
	a := e.subscribe("g1", "c", 1)
	mk := func(key string, published time.Time) store.Article {
		ar := article(key)
		ar.Title, ar.Summary, ar.Keywords, ar.Published = "Election night", []string{"Results come in."}, nil, published
		return ar
	}
	// Same relevance, different ages, recorded in scrambled order.
	e.poll(a.FeedID, mk("mid", t0.Add(-48*time.Hour)), mk("new", t0.Add(-time.Hour)), mk("old", t0.Add(-30*24*time.Hour)))
	as, err := e.st.SearchArticles(e.ctx, "g1", "election", 10)
	if err != nil {
		e.t.Fatal(err)
	}
	var keys []string
	for _, ar := range as {
		keys = append(keys, ar.Identity)
	}
	if want := []string{"guid:new", "guid:mid", "guid:old"}; !slices.Equal(keys, want) {
		e.t.Errorf("order %q, want newest first %q", keys, want)
	}
}

func testPruneArticles(e *env) {
	t := e.t
	if e.clock == nil {
		t.Fatal("the store must implement storetest.Clocked for the retention test")
	}
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, articles("old1", "old2")...)
	e.postAll(sub.ID)
	e.clock.Set(t0.Add(2 * time.Hour))
	e.poll(sub.FeedID, articles("new")...)
	if got := len(e.deliveries(sub.ID)); got != 3 {
		t.Fatalf("%d deliveries, want 3", got)
	}
	if got := searchTitles(e, "g", "title", 10); len(got) != 3 {
		t.Fatalf("search before pruning: %q", got)
	}
	n, err := e.st.PruneArticles(e.ctx, t0.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneArticles = %d, %v; want 2", n, err)
	}
	if got := len(e.deliveries(sub.ID)); got != 1 {
		t.Errorf("%d deliveries after pruning, want 1", got)
	}
	if got := e.pending(); got != 1 {
		t.Errorf("pending = %d, want 1", got)
	}
	if got := searchTitles(e, "g", "title", 10); !slices.Equal(got, []string{"Title new"}) {
		t.Errorf("search after pruning = %q", got)
	}
	if got := searchTitles(e, "g", "old1", 10); len(got) != 0 {
		t.Errorf("search finds pruned articles: %q", got)
	}
	// A feed that still lists the pruned items does not make them new again.
	if got := e.poll(sub.FeedID, articles("old1", "old2", "new")...); got != 0 {
		t.Errorf("pruned items still in the feed came back as %d new articles", got)
	}
	if n, err := e.st.PruneArticles(e.ctx, t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second prune = %d, %v", n, err)
	}
	// An article still waiting to be posted is never pruned.
	if n, err := e.st.PruneArticles(e.ctx, t0.Add(3*time.Hour)); err != nil || n != 0 {
		t.Errorf("prune of a pending article = %d, %v; want 0", n, err)
	}
	if got := e.pending(); got != 1 {
		t.Errorf("pending = %d after pruning, want 1", got)
	}
	e.postAll(sub.ID)
	if n, err := e.st.PruneArticles(e.ctx, t0.Add(3*time.Hour)); err != nil || n != 1 {
		t.Errorf("prune everything = %d, %v", n, err)
	}
}

// postAll claims and marks posted every pending delivery of sub.
func (e *env) postAll(subID int64) {
	e.t.Helper()
	for _, d := range e.claimDeliveries(store.ClaimOptions{Owner: "post-all", Now: e.now(), Lease: time.Minute}) {
		if d.SubscriptionID != subID {
			continue
		}
		if err := e.st.MarkPosted(e.ctx, d.ID, "m", e.now()); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) now() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return t0
}

// testPrunedForgotten: a pruned identity is remembered while its feed lists
// it and forgotten once the feed has not listed it for the retention period,
// so pruned_articles does not grow for ever.
func testPrunedForgotten(e *env) {
	t := e.t
	if e.clock == nil {
		t.Fatal("the store must implement storetest.Clocked for the retention test")
	}
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, articles("kept", "gone")...)
	e.postAll(sub.ID)
	e.clock.Set(t0.Add(48 * time.Hour))
	if n, err := e.st.PruneArticles(e.ctx, t0.Add(24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("prune = %d, %v", n, err)
	}
	// Two days on, the feed still lists "kept" but no longer "gone".
	e.clock.Set(t0.Add(96 * time.Hour))
	_, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", PolledAt: e.now(), NextPollAt: e.now(),
		Present: []string{article("kept").Identity, article("kept").LinkKey}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.PruneArticles(e.ctx, t0.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	known, err := e.st.KnownArticles(e.ctx, sub.FeedID, []string{article("kept").Identity, article("gone").Identity})
	if err != nil {
		t.Fatal(err)
	}
	if !known[article("kept").Identity] || known[article("gone").Identity] {
		t.Errorf("known after forgetting = %v, want kept only", known)
	}
}

// testPendingExcludesPaused: a paused subscription's waiting posts are not
// the bot's backlog.
func testPendingExcludesPaused(e *env) {
	t := e.t
	a := e.subscribe("g", "c1", 1)
	b := e.subscribe("g", "c2", 1)
	e.poll(a.FeedID, articles("1", "2")...)
	if got := e.pending(); got != 4 {
		t.Fatalf("pending = %d, want 4", got)
	}
	if err := e.st.PauseSubscription(e.ctx, b.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}
	if got := e.pending(); got != 2 {
		t.Errorf("pending = %d with one subscription paused, want 2", got)
	}
}

// testClaimDeliveriesOrder: a subscription's posts go out in order, within
// one process and across several.
func testClaimDeliveriesOrder(e *env) {
	t := e.t
	a := e.subscribe("g", "c1", 1)
	b := e.subscribe("g", "c2", 2)
	e.poll(a.FeedID, articles("a1", "a2", "a3")...)
	e.poll(b.FeedID, articles("b1", "b2")...)
	// Process p1 takes two of each; p2 must not take a3 while a1 and a2 are
	// held: it would post a3 first, and exceed the cap of 2 together.
	first := e.claimDeliveries(store.ClaimOptions{Owner: "p1", Now: t0, Limit: 10, PerSubscription: 2, Lease: time.Minute})
	if got := titles(first); !slices.Equal(got, []string{"Title a1", "Title a2", "Title b1", "Title b2"}) {
		t.Fatalf("p1 claimed %q", got)
	}
	if got := e.claimDeliveries(store.ClaimOptions{Owner: "p2", Now: t0, Limit: 10, PerSubscription: 2, Lease: time.Minute}); len(got) != 0 {
		t.Errorf("p2 claimed %q behind p1's claims", titles(got))
	}
	// a1 waits out a retry: a2 (released too) and a3 wait behind it.
	for _, d := range first {
		if d.Article.Title == "Title a1" {
			if err := e.st.ReleaseDelivery(e.ctx, d.ID, t0.Add(time.Hour), "HTTP 503"); err != nil {
				t.Fatal(err)
			}
		} else if d.Article.Title == "Title a2" {
			if err := e.st.ReleaseDelivery(e.ctx, d.ID, t0, "behind a1"); err != nil {
				t.Fatal(err)
			}
		} else if err := e.st.MarkPosted(e.ctx, d.ID, "m", t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.claimDeliveries(store.ClaimOptions{Owner: "p2", Now: t0.Add(time.Minute), Limit: 10, Lease: time.Minute}); len(got) != 0 {
		t.Errorf("claimed %q while a1 waits out its retry", titles(got))
	}
	got := e.claimDeliveries(store.ClaimOptions{Owner: "p2", Now: t0.Add(time.Hour), Limit: 10, Lease: time.Minute})
	if !slices.Equal(titles(got), []string{"Title a1", "Title a2", "Title a3"}) {
		t.Errorf("after the retry claimed %q, want a1 a2 a3", titles(got))
	}
}

// testClaimDeliveriesWindow: at most PerSubscription posts per Window.
func testClaimDeliveriesWindow(e *env) {
	t := e.t
	a := e.subscribe("g", "c", 1)
	e.poll(a.FeedID, articles("1", "2", "3", "4")...)
	o := store.ClaimOptions{Owner: "p", Now: t0, Limit: 10, PerSubscription: 2, Window: 10 * time.Minute, Lease: time.Minute}
	ds := e.claimDeliveries(o)
	if got := titles(ds); !slices.Equal(got, []string{"Title 1", "Title 2"}) {
		t.Fatalf("claimed %q", got)
	}
	for _, d := range ds {
		if err := e.st.MarkPosted(e.ctx, d.ID, "m", t0); err != nil {
			t.Fatal(err)
		}
	}
	o.Now = t0.Add(5 * time.Minute)
	if got := e.claimDeliveries(o); len(got) != 0 {
		t.Errorf("claimed %q within the window after 2 posts", titles(got))
	}
	o.Now = t0.Add(11 * time.Minute)
	if got := titles(e.claimDeliveries(o)); !slices.Equal(got, []string{"Title 3", "Title 4"}) {
		t.Errorf("after the window claimed %q", got)
	}
}

// testBeginPost: the claim is checked and extended before each post, and an
// unsettled attempt is visible to the next claimer.
func testBeginPost(e *env) {
	t := e.t
	a := e.subscribe("g", "c", 1)
	e.poll(a.FeedID, articles("1")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "p1", Now: t0, Limit: 1, Lease: time.Minute})
	if len(ds) != 1 || !ds[0].AttemptedAt.IsZero() {
		t.Fatalf("claimed %+v", ds)
	}
	id := ds[0].ID
	wantErr(t, "BeginPost by another owner", e.st.BeginPost(e.ctx, id, "p2", t0, t0.Add(time.Minute)), store.ErrLeaseLost)
	if err := e.st.BeginPost(e.ctx, id, "p1", t0.Add(50*time.Second), t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("BeginPost: %v", err)
	}
	// Extended: not claimable at t0+90s, although the first lease ended.
	if got := e.claimDeliveries(store.ClaimOptions{Owner: "p2", Now: t0.Add(90 * time.Second), Limit: 1, Lease: time.Minute}); len(got) != 0 {
		t.Errorf("claimed a delivery whose claim was extended")
	}
	// p1 dies after posting: p2 sees the unsettled attempt.
	got := e.claimDeliveries(store.ClaimOptions{Owner: "p2", Now: t0.Add(3 * time.Minute), Limit: 1, Lease: time.Minute})
	if len(got) != 1 {
		t.Fatalf("reclaimed %d", len(got))
	}
	wantTime(t, "AttemptedAt", got[0].AttemptedAt, t0.Add(50*time.Second))
	wantErr(t, "BeginPost after the claim expired", e.st.BeginPost(e.ctx, id, "p1", t0.Add(3*time.Minute), t0.Add(4*time.Minute)), store.ErrLeaseLost)
	if err := e.st.MarkPosted(e.ctx, id, "found", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d := e.deliveries(a.ID)[0]; d.State != store.DeliveryPosted || !d.AttemptedAt.IsZero() {
		t.Errorf("after MarkPosted: %+v", d)
	}
	wantErr(t, "BeginPost of a posted delivery", e.st.BeginPost(e.ctx, id, "p2", t0.Add(3*time.Minute), t0.Add(4*time.Minute)), store.ErrLeaseLost)
}

// testRenewFeedLease: a poller confirms its lease before each feed.
func testRenewFeedLease(e *env) {
	t := e.t
	a := e.subscribe("g", "c", 1)
	if fs := e.claimFeeds(store.ClaimOptions{Owner: "p1", Now: t0, Limit: 1, Lease: time.Minute}); len(fs) != 1 {
		t.Fatalf("claimed %d feeds", len(fs))
	}
	if err := e.st.RenewFeedLease(e.ctx, a.FeedID, "p1", t0.Add(5*time.Minute)); err != nil {
		t.Fatalf("RenewFeedLease: %v", err)
	}
	wantErr(t, "RenewFeedLease by another owner", e.st.RenewFeedLease(e.ctx, a.FeedID, "p2", t0.Add(5*time.Minute)), store.ErrLeaseLost)
	if fs := e.claimFeeds(store.ClaimOptions{Owner: "p2", Now: t0.Add(2 * time.Minute), Limit: 1, Lease: time.Minute}); len(fs) != 0 {
		t.Errorf("p2 took a renewed lease")
	}
	if e.clock == nil {
		return
	}
	e.clock.Set(t0.Add(10 * time.Minute))
	wantErr(t, "RenewFeedLease after it expired", e.st.RenewFeedLease(e.ctx, a.FeedID, "p1", t0.Add(20*time.Minute)), store.ErrLeaseLost)
}

// testRecordPollSkipped: a flood's extra items are recorded as seen, never
// delivered, and counted on the feed.
func testRecordPollSkipped(e *env) {
	t := e.t
	a := e.subscribe("g", "c", 1)
	n, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: a.FeedID, Owner: "p", PolledAt: t0, NextPollAt: t0,
		Articles: articles("new1", "new2"), Skipped: articles("s1", "s2", "s3")})
	if err != nil || n != 2 {
		t.Fatalf("RecordPoll = %d, %v; want 2", n, err)
	}
	if got := e.claimAllTitles("d"); !slices.Equal(got, []string{"Title new1", "Title new2"}) {
		t.Errorf("delivered %q", got)
	}
	known, err := e.st.KnownArticles(e.ctx, a.FeedID, []string{article("s2").Identity})
	if err != nil || !known[article("s2").Identity] {
		t.Errorf("skipped item not known: %v %v", known, err)
	}
	subs, err := e.st.ListSubscriptions(e.ctx, "g")
	if err != nil || len(subs) != 1 || subs[0].Feed.SkippedItems != 3 {
		t.Errorf("SkippedItems = %+v, %v; want 3", subs, err)
	}
	// Skipping known items again counts nothing.
	if _, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: a.FeedID, Owner: "p", PolledAt: t0, NextPollAt: t0,
		Skipped: articles("s1")}); err != nil {
		t.Fatal(err)
	}
	if subs, _ := e.st.ListSubscriptions(e.ctx, "g"); subs[0].Feed.SkippedItems != 3 {
		t.Errorf("SkippedItems = %d after a known item, want 3", subs[0].Feed.SkippedItems)
	}
}

// --- stories ---

// storyArticle is a fixture article of the given story.
func storyArticle(key, story string) store.Article {
	a := article(key)
	a.Story = story
	a.Fingerprint = "fp-" + key
	return a
}

// testStoryPosts: the message that shows a story in a channel, and the
// outlets posted there.
func testStoryPosts(e *env) {
	t := e.t
	a := e.subscribe("g", "c", 1)
	b := e.subscribe("g", "c", 2)
	other := e.subscribe("g", "elsewhere", 2)
	const story = "1/guid:x"
	e.poll(a.FeedID, storyArticle("x", story))
	e.poll(b.FeedID, storyArticle("y", story))
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 3 {
		t.Fatalf("claimed %d", len(ds))
	}
	byKey := map[string]store.Delivery{}
	for _, d := range ds {
		byKey[d.Subscription.ChannelID+"/"+d.Article.Title] = d
		if d.Article.Story != story || d.Kind != store.KindPost {
			t.Errorf("delivery %d: story %q, kind %q", d.ID, d.Article.Story, d.Kind)
		}
	}
	wantErr(t, "StoryPost before any post", func() error { _, err := e.st.StoryPost(e.ctx, "c", story, t0.Add(-time.Hour)); return err }(), store.ErrNotFound)
	x, y := byKey["c/Title x"], byKey["c/Title y"]
	if err := e.st.MarkStoryPosted(e.ctx, x.ID, "m1", t0); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkPosted(e.ctx, y.ID, "m1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkStoryPosted(e.ctx, byKey["elsewhere/Title y"].ID, "m9", t0); err != nil {
		t.Fatal(err)
	}
	p, err := e.st.StoryPost(e.ctx, "c", story, t0.Add(-time.Hour))
	if err != nil || p.MessageID != "m1" || p.ArticleID != x.ArticleID {
		t.Fatalf("StoryPost = %+v, %v; want m1 for article %d", p, err, x.ArticleID)
	}
	wantTime(t, "StoryPost.CreatedAt", p.CreatedAt, t0)
	wantErr(t, "StoryPost older than the window", func() error { _, err := e.st.StoryPost(e.ctx, "c", story, t0.Add(time.Hour)); return err }(), store.ErrNotFound)
	outlets, err := e.st.StoryOutlets(e.ctx, "c", story)
	if err != nil || len(outlets) != 2 || outlets[0].ArticleID != x.ArticleID || outlets[1].FeedTitle != "Feed 2" || outlets[1].Link != article("y").Link {
		t.Errorf("StoryOutlets = %+v, %v", outlets, err)
	}
	// The same message shown for a newer article keeps its age; another
	// message restarts it.
	if err := e.st.MarkStoryPosted(e.ctx, y.ID, "m1", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.st.StoryPost(e.ctx, "c", story, t0.Add(-time.Hour)); p.ArticleID != y.ArticleID || !p.CreatedAt.Equal(t0) {
		t.Errorf("after moving to y: %+v", p)
	}
	if got, _ := e.st.StoryOutlets(e.ctx, "nowhere", story); len(got) != 0 {
		t.Errorf("outlets of another channel: %+v", got)
	}
	_ = other
}

// testArticleUpdatesBecomeEdits: a changed article is stored anew and every
// message that shows it is edited through the outbox.
func testArticleUpdatesBecomeEdits(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, storyArticle("u", "1/guid:u"), storyArticle("v", "1/guid:v"))
	for _, d := range e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute}) {
		if err := e.st.MarkPosted(e.ctx, d.ID, "msg-"+d.Article.Title, t0); err != nil {
			t.Fatal(err)
		}
	}
	fps, err := e.st.ArticleFingerprints(e.ctx, sub.FeedID, []string{"guid:u", "guid:v", "guid:none"})
	if err != nil || len(fps) != 2 || fps["guid:u"] != "fp-u" {
		t.Fatalf("ArticleFingerprints = %v, %v", fps, err)
	}
	changed := storyArticle("u", "1/guid:u")
	changed.Title, changed.Summary, changed.Fingerprint = "Title u, updated", []string{"New facts."}, "fp-u2"
	_, err = e.st.RecordPoll(e.ctx, store.PollResult{FeedID: sub.FeedID, Owner: "p", PolledAt: t0, NextPollAt: t0,
		Updated: []store.Article{changed}, Fingerprints: map[string]string{"guid:v": "fp-v2"}})
	if err != nil {
		t.Fatal(err)
	}
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 1 || ds[0].Kind != store.KindEdit || ds[0].MessageID != "msg-Title u" || ds[0].Article.Title != "Title u, updated" ||
		!slices.Equal(ds[0].Article.Summary, changed.Summary) {
		t.Fatalf("claimed %+v, want one edit of msg-Title u with the new title", ds)
	}
	if fps, _ := e.st.ArticleFingerprints(e.ctx, sub.FeedID, []string{"guid:u", "guid:v"}); fps["guid:u"] != "fp-u2" || fps["guid:v"] != "fp-v2" {
		t.Errorf("fingerprints after update: %v", fps)
	}
	if err := e.st.MarkPosted(e.ctx, ds[0].ID, ds[0].MessageID, t0); err != nil {
		t.Fatal(err)
	}
	if got := e.pending(); got != 0 {
		t.Errorf("pending = %d after the edit", got)
	}
}

// testTopStories: a guild's stories, most outlets first.
func testTopStories(e *env) {
	t := e.t
	var subs []store.Subscription
	for i := 1; i <= 3; i++ {
		subs = append(subs, e.subscribe("g", "c", i))
	}
	e.subscribe("other", "c", 4)
	const big, small = "1/guid:b1", "1/guid:s1"
	e.poll(subs[0].FeedID, storyArticle("b1", big), storyArticle("s1", small))
	e.poll(subs[1].FeedID, storyArticle("b2", big))
	e.poll(subs[2].FeedID, storyArticle("b3", big))
	other, _ := e.st.ListSubscriptions(e.ctx, "other")
	e.poll(other[0].FeedID, storyArticle("s2", small), storyArticle("s3", small))
	top, err := e.st.TopStories(e.ctx, "g", t0.Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top[0].Outlets != 3 || top[0].Article.Title != "Title b1" || top[1].Outlets != 1 || top[1].Article.Title != "Title s1" {
		t.Errorf("TopStories = %+v", top)
	}
	if top, _ := e.st.TopStories(e.ctx, "g", t0.Add(time.Hour), 10); len(top) != 0 {
		t.Errorf("TopStories after the window = %+v", top)
	}
}

// testRecentArticles: what a story matcher is seeded with.
func testRecentArticles(e *env) {
	t := e.t
	sub := e.subscribe("g", "c", 1)
	e.poll(sub.FeedID, storyArticle("r1", "1/guid:r1"), storyArticle("r2", "1/guid:r1"))
	got, err := e.st.RecentArticles(e.ctx, t0.Add(-time.Hour), 10)
	if err != nil || len(got) != 2 || got[0].Title != "Title r1" || got[1].Story != "1/guid:r1" || len(got[1].Summary) == 0 {
		t.Errorf("RecentArticles = %+v, %v", got, err)
	}
	if got, _ := e.st.RecentArticles(e.ctx, t0.Add(time.Hour), 10); len(got) != 0 {
		t.Errorf("RecentArticles after = %d", len(got))
	}
}

// --- concurrency ---

// parallel runs fn in n goroutines at once and waits for them.
func parallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errors.Join(errs...)
}

func testConcurrentClaimDueFeeds(e *env) {
	t := e.t
	const feeds = 40
	for i := range feeds {
		e.subscribe("g", "c", i)
	}
	var mu sync.Mutex
	seen := map[int64]string{}
	err := parallel(6, func(w int) error {
		owner := fmt.Sprint("worker-", w)
		for {
			fs, err := e.st.ClaimDueFeeds(e.ctx, store.ClaimOptions{Owner: owner, Now: t0, Limit: 3, Lease: time.Minute})
			if err != nil {
				return err
			}
			if len(fs) == 0 {
				return nil
			}
			mu.Lock()
			for _, f := range fs {
				if prev, dup := seen[f.ID]; dup {
					mu.Unlock()
					return fmt.Errorf("feed %d claimed by %s and %s", f.ID, prev, owner)
				}
				seen[f.ID] = owner
			}
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != feeds {
		t.Errorf("%d feeds claimed, want %d", len(seen), feeds)
	}
}

func testConcurrentClaimDeliveries(e *env) {
	t := e.t
	var subs []store.Subscription
	for i := range 5 {
		subs = append(subs, e.subscribe("g", fmt.Sprint("c", i), 1))
	}
	var batch []store.Article
	for i := range 30 {
		batch = append(batch, article(fmt.Sprint(i)))
	}
	e.poll(subs[0].FeedID, batch...)
	const total = 5 * 30
	var mu sync.Mutex
	seen := map[int64]string{}
	err := parallel(6, func(w int) error {
		owner := "worker" // the same owner everywhere: claims must still be disjoint
		for {
			ds, err := e.st.ClaimDeliveries(e.ctx, store.ClaimOptions{Owner: owner, Now: t0, Limit: 7, PerSubscription: 3, Lease: time.Minute})
			if err != nil {
				return err
			}
			if len(ds) == 0 {
				return nil
			}
			for _, d := range ds {
				mu.Lock()
				_, dup := seen[d.ID]
				seen[d.ID] = fmt.Sprint(w)
				mu.Unlock()
				if dup {
					return fmt.Errorf("delivery %d claimed twice", d.ID)
				}
				if err := e.st.MarkPosted(e.ctx, d.ID, fmt.Sprint("m", d.ID), t0); err != nil {
					return err
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != total {
		t.Errorf("%d deliveries claimed, want %d", len(seen), total)
	}
	if got := e.pending(); got != 0 {
		t.Errorf("pending = %d", got)
	}
}

func testConcurrentRecordPoll(e *env) {
	t := e.t
	a := e.subscribe("g", "c1", 1)
	e.subscribe("g", "c2", 1)
	var batch []store.Article
	for i := range 20 {
		batch = append(batch, article(fmt.Sprint(i)))
	}
	var mu sync.Mutex
	added := 0
	err := parallel(6, func(w int) error {
		for i := range 5 {
			// Each writer sees an overlapping slice of the feed.
			lo := (w + i) % 10
			n, err := e.st.RecordPoll(e.ctx, store.PollResult{FeedID: a.FeedID, Owner: "p", Articles: batch[lo : lo+10], PolledAt: t0, NextPollAt: t0})
			if err != nil {
				return err
			}
			mu.Lock()
			added += n
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.st.RecordPoll(e.ctx, store.PollResult{FeedID: a.FeedID, Owner: "p", Articles: batch, PolledAt: t0, NextPollAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.pending(); got != 2*len(batch) {
		t.Errorf("pending = %d, want %d (each article once per subscription)", got, 2*len(batch))
	}
	if added > len(batch) {
		t.Errorf("RecordPoll reported %d new articles in all, more than the %d there are", added, len(batch))
	}
}
