package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"newsbot/store"
)

// twoProcesses opens two Stores on one fresh schema: two pools, as two
// processes would have, sharing one clock.
func twoProcesses(t *testing.T) (a, b *Store, clock *testClock) {
	t.Helper()
	url := freshSchema(t)
	clock = newClock()
	return openURL(t, url, clock), openURL(t, url, clock), clock
}

// claimAll runs workers per store, each claiming batches until a claim
// comes back empty, and returns every id claimed with the owner that got it;
// an id claimed twice fails the test.
func claimAll(t *testing.T, stores []*Store, workers int, claim func(s *Store, owner string) ([]int64, error)) map[int64]string {
	t.Helper()
	var (
		mu  sync.Mutex
		got = map[int64]string{}
		wg  sync.WaitGroup
	)
	for i, s := range stores {
		for w := range workers {
			owner := fmt.Sprintf("process-%d/worker-%d", i, w)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ids, err := claim(s, owner)
					if err != nil {
						t.Errorf("%s: %v", owner, err)
						return
					}
					if len(ids) == 0 {
						return
					}
					mu.Lock()
					for _, id := range ids {
						if prev, dup := got[id]; dup {
							t.Errorf("id %d claimed by %s and by %s", id, prev, owner)
						}
						got[id] = owner
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	return got
}

func TestTwoProcessesNeverClaimTheSameWork(t *testing.T) {
	t.Parallel()
	a, b, clock := twoProcesses(t)
	ctx := context.Background()
	now := clock.Now()
	const feeds, items = 60, 5
	for i := range feeds {
		sub := subscribe(t, a, "g", "c", fmt.Sprintf("https://feed%d.example/rss", i), now)
		subscribe(t, b, "g2", "c2", sub.Feed.URL, now)
		var arts []store.Article
		for j := range items {
			arts = append(arts, article(fmt.Sprintf("%d-%d", i, j)))
		}
		if _, err := a.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: now, Articles: arts}); err != nil {
			t.Fatal(err)
		}
	}
	stores := []*Store{a, b}

	gotFeeds := claimAll(t, stores, 3, func(s *Store, owner string) ([]int64, error) {
		fs, err := s.ClaimDueFeeds(ctx, store.ClaimOptions{Owner: owner, Now: now, Limit: 4, Lease: time.Minute})
		var ids []int64
		for _, f := range fs {
			ids = append(ids, f.ID)
		}
		return ids, err
	})
	if len(gotFeeds) != feeds {
		t.Errorf("claimed %d feeds in all, want %d", len(gotFeeds), feeds)
	}

	gotDeliveries := claimAll(t, stores, 3, func(s *Store, owner string) ([]int64, error) {
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: owner, Now: now, Limit: 25, Lease: time.Minute, PerSubscription: 3})
		var ids []int64
		for _, d := range ds {
			ids = append(ids, d.ID)
			// Settled as a deliverer would, so the subscription's later
			// deliveries are not held behind it.
			if err := s.MarkPosted(ctx, d.ID, "m", now.Add(-time.Hour)); err != nil {
				return nil, err
			}
		}
		return ids, err
	})
	if want := feeds * items * 2; len(gotDeliveries) != want {
		t.Errorf("claimed %d deliveries in all, want %d", len(gotDeliveries), want)
	}
	owners := map[string]bool{}
	for _, o := range gotDeliveries {
		owners[o[:len("process-0")]] = true
	}
	if len(owners) != 2 {
		t.Logf("only %v claimed deliveries (legal, but the test meant both to)", owners)
	}
}

func TestExpiredLeasesMoveToAnotherProcess(t *testing.T) {
	t.Parallel()
	a, b, clock := twoProcesses(t)
	ctx := context.Background()
	t0 := clock.Now()
	sub := subscribe(t, a, "g", "c", "https://feed.example/rss", t0)
	if _, err := a.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, NextPollAt: t0,
		Articles: []store.Article{article("1")}}); err != nil {
		t.Fatal(err)
	}
	opts := func(owner string, at time.Time) store.ClaimOptions {
		return store.ClaimOptions{Owner: owner, Now: at, Limit: 10, Lease: time.Minute}
	}

	// Process A takes the feed and the delivery, then "dies".
	fa, err := a.ClaimDueFeeds(ctx, opts("A", t0))
	if err != nil || len(fa) != 1 {
		t.Fatalf("A's feed claim = %v, %v", fa, err)
	}
	da, err := a.ClaimDeliveries(ctx, opts("A", t0))
	if err != nil || len(da) != 1 {
		t.Fatalf("A's delivery claim = %v, %v", da, err)
	}
	if f, d, err := b.LeaseCounts(ctx, "A"); err != nil || f != 1 || d != 1 {
		t.Fatalf("LeaseCounts(A) = %d, %d, %v; want 1, 1", f, d, err)
	}

	// Up to and including the lease's end, B gets nothing.
	for _, at := range []time.Time{t0.Add(30 * time.Second), t0.Add(time.Minute)} {
		if fs, _ := b.ClaimDueFeeds(ctx, opts("B", at)); len(fs) != 0 {
			t.Errorf("B took A's live feed lease at %v", at.Sub(t0))
		}
		if ds, _ := b.ClaimDeliveries(ctx, opts("B", at)); len(ds) != 0 {
			t.Errorf("B took A's live delivery claim at %v", at.Sub(t0))
		}
	}

	// After it, B does.
	t1 := clock.Add(time.Minute + time.Second)
	fb, err := b.ClaimDueFeeds(ctx, opts("B", t1))
	if err != nil || len(fb) != 1 || fb[0].ID != fa[0].ID {
		t.Fatalf("B's claim after expiry = %v, %v", fb, err)
	}
	db, err := b.ClaimDeliveries(ctx, opts("B", t1))
	if err != nil || len(db) != 1 || db[0].ID != da[0].ID {
		t.Fatalf("B's delivery claim after expiry = %v, %v", db, err)
	}
	if f, d, _ := a.LeaseCounts(ctx, "A"); f != 0 || d != 0 {
		t.Errorf("LeaseCounts(A) after expiry = %d, %d; want 0, 0", f, d)
	}
	if f, d, _ := a.LeaseCounts(ctx, "B"); f != 1 || d != 1 {
		t.Errorf("LeaseCounts(B) = %d, %d; want 1, 1", f, d)
	}

	// A comes back late with its poll: the result is applied (and dedupes),
	// but B's lease stays B's.
	n, err := a.RecordPoll(ctx, store.PollResult{FeedID: fa[0].ID, Owner: "A", PolledAt: t1, NextPollAt: t1.Add(time.Hour),
		Articles: []store.Article{article("1"), article("2")}})
	if err != nil || n != 1 {
		t.Fatalf("A's late RecordPoll = %d, %v; want 1 new", n, err)
	}
	if f, _, _ := a.LeaseCounts(ctx, "B"); f != 1 {
		t.Errorf("A's late result released B's lease")
	}
	if _, err := b.RecordPoll(ctx, store.PollResult{FeedID: fb[0].ID, Owner: "B", PolledAt: t1, NextPollAt: t1.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if f, _, _ := a.LeaseCounts(ctx, "B"); f != 0 {
		t.Errorf("B's RecordPoll left its lease")
	}
	if fs, _ := a.ClaimDueFeeds(ctx, opts("A", t1)); len(fs) != 0 {
		t.Errorf("feed due again before its next poll")
	}
}

func TestConcurrentRecordPollRecordsEachArticleOnce(t *testing.T) {
	t.Parallel()
	a, b, clock := twoProcesses(t)
	ctx := context.Background()
	now := clock.Now()
	subs := []store.Subscription{
		subscribe(t, a, "g1", "c", "https://feed.example/rss", now),
		subscribe(t, a, "g2", "c", "https://feed.example/rss", now),
		subscribe(t, b, "g3", "c", "https://feed.example/rss", now),
	}
	feedID := subs[0].FeedID
	const items = 40
	var arts []store.Article
	for i := range items {
		arts = append(arts, article(fmt.Sprint(i)))
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for i := range 8 {
		s := []*Store{a, b}[i%2]
		mine := append([]store.Article(nil), arts...)
		rand.Shuffle(len(mine), func(x, y int) { mine[x], mine[y] = mine[y], mine[x] })
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.RecordPoll(ctx, store.PollResult{FeedID: feedID, Owner: fmt.Sprint("p", i), NextPollAt: now, Articles: mine})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	// Meanwhile a fourth subscription arrives with the same items as seen.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := b.Subscribe(ctx, store.NewSubscription{GuildID: "g4", ChannelID: "c",
			Feed: store.Feed{URL: "https://feed.example/rss"}, Seen: arts, NextPollAt: now}); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	if got := count(t, a, `SELECT count(*) FROM articles`); got != items {
		t.Errorf("%d articles, want %d", got, items)
	}
	if total > items {
		t.Errorf("RecordPoll calls reported %d new articles in all, more than the %d items", total, items)
	}
	for _, sub := range subs {
		if got := count(t, a, `SELECT count(*) FROM deliveries WHERE subscription_id = $1`, sub.ID); got != items {
			t.Errorf("subscription %s has %d deliveries, want %d", sub.GuildID, got, items)
		}
	}
	if got := count(t, a, `SELECT count(*) FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE s.guild_id = 'g4'`); got != 0 {
		t.Errorf("the subscription that saw the items got %d deliveries, want 0", got)
	}
}

func TestConcurrentSubscribeToOneNewFeed(t *testing.T) {
	t.Parallel()
	a, b, clock := twoProcesses(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		s := []*Store{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Everyone also repeats the same (guild, channel): one wins, the rest conflict.
			_, err := s.Subscribe(ctx, store.NewSubscription{GuildID: fmt.Sprint("g", i%4), ChannelID: "c",
				Feed: store.Feed{URL: "https://new.example/rss"}, Seen: []store.Article{article("1")}, NextPollAt: clock.Now()})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := count(t, a, `SELECT count(*) FROM feeds`); n != 1 {
		t.Errorf("%d feeds, want 1", n)
	}
	if n := count(t, a, `SELECT count(*) FROM subscriptions`); n != 4 {
		t.Errorf("%d subscriptions, want 4", n)
	}
	if n := count(t, a, `SELECT count(*) FROM articles`); n != 1 {
		t.Errorf("%d articles, want 1", n)
	}
	if n := count(t, a, `SELECT count(*) FROM deliveries`); n != 0 {
		t.Errorf("%d deliveries for an item every subscriber saw, want 0", n)
	}
}
