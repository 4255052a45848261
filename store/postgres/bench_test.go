package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"newsbot/store"
)

// benchFeeds subscribes subsPerFeed channels to each of n feeds and returns
// the feed ids.
func benchFeeds(b *testing.B, s *Store, n, subsPerFeed int, now time.Time) []int64 {
	b.Helper()
	ids := make([]int64, n)
	for i := range n {
		for c := range subsPerFeed {
			sub := subscribe(b, s, fmt.Sprint("g", c), "c", fmt.Sprintf("https://feed%d.example/rss", i), now)
			ids[i] = sub.FeedID
		}
	}
	return ids
}

// window is what a feed shows at its poll number i: 10 items, one of them
// new each poll.
func window(feed int64, i int) []store.Article {
	arts := make([]store.Article, 10)
	for k := range arts {
		arts[k] = article(fmt.Sprintf("%d-%d", feed, i+k))
	}
	return arts
}

// BenchmarkRecordPoll records polls of 10 items (1 new, 9 known) to feeds
// with 3 subscriptions each: one transaction, one article, 3 deliveries.
func BenchmarkRecordPoll(b *testing.B) {
	s, clock := openTest(b)
	ctx := context.Background()
	now := clock.Now()
	feeds := benchFeeds(b, s, 50, 3, now)
	i := 0
	for b.Loop() {
		f := feeds[i%len(feeds)]
		if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: f, NextPollAt: now, Articles: window(f, i/len(feeds))}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "polls/s")
}

// BenchmarkRecordPollParallel is BenchmarkRecordPoll from several goroutines
// (GOMAXPROCS × -cpu), each on feeds of its own, sharing one pool.
func BenchmarkRecordPollParallel(b *testing.B) {
	s, clock := openTest(b)
	ctx := context.Background()
	now := clock.Now()
	feeds := benchFeeds(b, s, 64, 3, now)
	var worker, polls atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		w := int(worker.Add(1))
		i := 0
		for pb.Next() {
			f := feeds[(w*7+i)%len(feeds)]
			if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: f, NextPollAt: now, Articles: window(f, 1000*w+i)}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
		polls.Add(int64(i))
	})
	b.ReportMetric(float64(polls.Load())/b.Elapsed().Seconds(), "polls/s")
}

// BenchmarkClaimDeliveries claims 50 deliveries (at most 5 per
// subscription) from a backlog of 5,000 pending ones over 100
// subscriptions. Each claim is made after the previous ones expired, so the
// backlog stays the same size.
func BenchmarkClaimDeliveries(b *testing.B) {
	s, clock := openTest(b)
	ctx := context.Background()
	now := clock.Now()
	feeds := benchFeeds(b, s, 20, 5, now) // 100 subscriptions
	for _, f := range feeds {
		var arts []store.Article
		for k := range 50 {
			arts = append(arts, article(fmt.Sprintf("%d-%d", f, k)))
		}
		if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: f, NextPollAt: now, Articles: arts}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	claimed := 0
	at := now
	for b.Loop() {
		at = at.Add(2 * time.Minute)
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "bench", Now: at, Limit: 50, Lease: time.Minute, PerSubscription: 5})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) != 50 {
			b.Fatalf("claimed %d, want 50", len(ds))
		}
		claimed += len(ds)
	}
	b.ReportMetric(float64(claimed)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkDeliverCycle is the deliverer's loop: claim 20, mark each
// posted, over a backlog that the benchmark tops up as it drains.
func BenchmarkDeliverCycle(b *testing.B) {
	s, clock := openTest(b)
	ctx := context.Background()
	now := clock.Now()
	feeds := benchFeeds(b, s, 10, 2, now)
	poll := 0
	posted := 0
	for b.Loop() {
		ds, err := s.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "bench", Now: now, Limit: 20, Lease: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) == 0 {
			b.StopTimer()
			for _, f := range feeds {
				var arts []store.Article
				for k := range 50 {
					arts = append(arts, article(fmt.Sprintf("%d-%d-%d", f, poll, k)))
				}
				if _, err := s.RecordPoll(ctx, store.PollResult{FeedID: f, NextPollAt: now, Articles: arts}); err != nil {
					b.Fatal(err)
				}
			}
			poll++
			b.StartTimer()
			continue
		}
		for _, d := range ds {
			if err := s.MarkPosted(ctx, d.ID, "m", now); err != nil {
				b.Fatal(err)
			}
		}
		posted += len(ds)
	}
	b.ReportMetric(float64(posted)/b.Elapsed().Seconds(), "posts/s")
}
