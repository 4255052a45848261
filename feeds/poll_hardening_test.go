package feeds

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"newsbot/store"
)

// TestPollSecondSubscriberKeepsSummaries: a channel subscribing to a feed
// another channel follows, while the feed has an item the poller has not
// seen, must not turn that item into an empty post for the first channel.
func TestPollSecondSubscriberKeepsSummaries(t *testing.T) {
	f := newPollFixture(t, "a")
	f.site.add("b") // new since the first subscription; not polled yet
	ctx := context.Background()
	res, err := f.p.Fetcher.FetchFeed(ctx, f.sub.Feed.URL, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []store.Article
	for _, it := range res.Feed.Items {
		id, lk := Identity(it)
		seen = append(seen, store.Article{Identity: id, LinkKey: lk, Link: it.Link, Title: it.Title})
	}
	second, err := f.st.Subscribe(ctx, store.NewSubscription{GuildID: "g2", ChannelID: "c2", Feed: f.sub.Feed, Seen: seen})
	if err != nil {
		t.Fatal(err)
	}
	f.round(t)
	d := f.deliveries(t)
	if len(d) != 1 {
		t.Fatalf("first subscription has %d deliveries, want 1 (b)", len(d))
	}
	claimed, err := f.st.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "t", Now: f.clk.Now(), Limit: 10, Lease: time.Minute})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	if sum := strings.Join(claimed[0].Article.Summary, " "); !strings.Contains(sum, "council") {
		t.Errorf("b was delivered without its summary: %q", sum)
	}
	if ds, _ := f.st.Deliveries(ctx, second.ID); len(ds) != 0 {
		t.Errorf("the new subscription got %d deliveries of items it had seen", len(ds))
	}
}

// failingRecord is a PollStore whose RecordPoll fails, like a database that
// went away mid-poll.
type failingRecord struct {
	PollStore
}

func (failingRecord) RecordPoll(context.Context, store.PollResult) (int, error) {
	return 0, errors.New("database is locked")
}

// TestPollStoreErrorIsNotTheFeedsFault: a store failure is the bot's
// problem, never counted as a failed poll of the feed.
func TestPollStoreErrorIsNotTheFeedsFault(t *testing.T) {
	f := newPollFixture(t, "a")
	f.p.Store = failingRecord{f.st}
	for range store.FailingThreshold + 2 {
		f.site.add(fmt.Sprint("n", f.site.version))
		f.round(t)
	}
	subs, err := f.st.ListSubscriptions(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if feed := subs[0].Feed; feed.ErrorCount != 0 || feed.LastError != "" {
		t.Errorf("store errors were blamed on the feed: errors %d, last %q", feed.ErrorCount, feed.LastError)
	}
	// Once the store is back, nothing was lost.
	f.p.Store = f.st
	f.round(t)
	if d := f.deliveries(t); len(d) != store.FailingThreshold+2 {
		t.Errorf("%d deliveries after the store came back, want %d", len(d), store.FailingThreshold+2)
	}
}

// TestPollFloodPostsTheNewestOnly: a feed that swaps in hundreds of items
// posts the newest few, records the rest as seen, counts them, and fetches
// a bounded number of pages.
func TestPollFloodPostsTheNewestOnly(t *testing.T) {
	f := newPollFixture(t, "a")
	f.p.MaxNew = 5
	f.site.mu.Lock()
	f.site.teaser = true
	f.site.mu.Unlock()
	var flood []string
	for i := range 300 {
		flood = append(flood, fmt.Sprintf("f%03d", i))
	}
	f.site.add(flood...)
	f.round(t)
	d := f.deliveries(t)
	if len(d) != 5 {
		t.Fatalf("%d deliveries from a flood of 300, want 5", len(d))
	}
	if f.site.pageHits > fullTextPerPoll {
		t.Errorf("%d article pages fetched in one poll, want at most %d", f.site.pageHits, fullTextPerPoll)
	}
	subs, _ := f.st.ListSubscriptions(context.Background(), "g1")
	if got := subs[0].Feed.SkippedItems; got != 295 {
		t.Errorf("SkippedItems = %d, want 295", got)
	}
	claimed, err := f.st.ClaimDeliveries(context.Background(), store.ClaimOptions{Owner: "t", Now: f.clk.Now(), Limit: 10, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range claimed {
		if c.Article.Title < "Story f295" {
			t.Errorf("posted %q, not one of the newest five", c.Article.Title)
		}
	}
	// The skipped items are known: the next poll posts nothing more.
	f.site.add("after")
	f.round(t)
	if d := f.deliveries(t); len(d) != 6 {
		t.Errorf("%d deliveries after one more item, want 6", len(d))
	}
}

// TestPollSkipsAFeedWhoseLeaseWasLost: a claimed feed whose lease expired
// before its turn is left to the process that holds it now.
func TestPollSkipsAFeedWhoseLeaseWasLost(t *testing.T) {
	f := newPollFixture(t, "a")
	f.site.add("b")
	ctx := context.Background()
	f.clk.Add(2 * time.Hour)
	claimed, err := f.st.ClaimDueFeeds(ctx, store.ClaimOptions{Owner: "test", Now: f.clk.Now(), Limit: 1, Lease: time.Minute})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	f.clk.Add(2 * time.Minute) // our lease runs out; another process takes it
	if other, err := f.st.ClaimDueFeeds(ctx, store.ClaimOptions{Owner: "other", Now: f.clk.Now(), Limit: 1, Lease: time.Minute}); err != nil || len(other) != 1 {
		t.Fatalf("other process claimed %d, %v", len(other), err)
	}
	hits := f.site.feedHits
	f.p.pollAll(ctx, claimed, 1)
	if f.site.feedHits != hits {
		t.Errorf("polled a feed whose lease another process holds")
	}
}

// TestPollTruncatedFeedKeepsItsItems: a document cut off before its end is
// not a failed poll: its complete items are posted and the feed's status
// says it was truncated.
func TestPollTruncatedFeedKeepsItsItems(t *testing.T) {
	f := newPollFixture(t, "a")
	f.site.mu.Lock()
	f.site.cut = true
	f.site.mu.Unlock()
	f.site.add("b", "c")
	f.round(t)
	if d := f.deliveries(t); len(d) != 2 {
		t.Fatalf("%d deliveries from a truncated feed with 2 new items, want 2", len(d))
	}
	subs, err := f.st.ListSubscriptions(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if feed := subs[0].Feed; feed.ErrorCount != 0 || !strings.Contains(feed.LastError, "cut off") {
		t.Errorf("feed after a truncated poll: errors %d, status %q", feed.ErrorCount, feed.LastError)
	}
}
