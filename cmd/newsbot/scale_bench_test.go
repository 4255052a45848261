package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"newsbot/bot/discordtest"
	"newsbot/internal/pgtest"
	"newsbot/store"
)

// BenchmarkScaleOut measures polling and delivery throughput of 1, 2 and 3
// bot processes sharing one PostgreSQL, and of one process on SQLite: 500
// feeds each get a new item, all feeds are made due at once, and the
// benchmark times from the first feed request to the last (feeds/s) and
// from the first post to the last (posts/s, against the Discord double).
//
//	NEWSBOT_TEST_POSTGRES_URL=... go test -run '^$' -bench ScaleOut -benchtime 1x ./cmd/newsbot/
func BenchmarkScaleOut(b *testing.B) {
	b.Run("sqlite-1", func(b *testing.B) { benchScale(b, "sqlite", 1) })
	for _, n := range []int{1, 2, 3} {
		b.Run("postgres-"+strconv.Itoa(n), func(b *testing.B) { benchScale(b, "postgres", n) })
	}
}

func benchScale(b *testing.B, kind string, procs int) {
	const nFeeds, nChannels = 500, 25
	ctx := context.Background()
	var dbURL string
	if kind == "sqlite" {
		dbURL = "sqlite:" + b.TempDir() + "/bench.db"
	} else {
		dbURL = pgtest.Fresh(b)
	}
	dc := discordtest.New(b, discordtest.WithMessageRateLimit(100000, time.Second))
	fs := newFeedServer(b)
	g := dc.AddGuild("Bench")
	channels := make([]string, nChannels)
	for i := range channels {
		channels[i] = dc.AddChannel(g.ID, fmt.Sprint("news", i))
	}
	st, err := openStore(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	// The feeds publish the same few fixture texts, which stories would
	// group into a few posts: this benchmark counts posts, so grouping is off.
	if err := st.SaveGuildSettings(ctx, store.GuildSettings{GuildID: g.ID, Sentences: 3, Format: store.FormatEmbed, ShowStats: true}); err != nil {
		b.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	for i := range nFeeds {
		name := fmt.Sprintf("b%03d", i)
		url := fs.addFeed(name, name)
		if _, err := st.Subscribe(ctx, store.NewSubscription{GuildID: g.ID, ChannelID: channels[i%nChannels], CreatedBy: "u",
			Feed: store.Feed{URL: url}, NextPollAt: later}); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	for range procs {
		e := baseEnv(dc, dbURL)
		e["POLL_INTERVAL"] = "1h"
		e["LOG_LEVEL"] = "error"
		e["MAX_POSTS_PER_INTERVAL"] = "100"
		startProcess(b, e)
	}
	if err := dc.WaitReady(ctx, procs); err != nil {
		b.Fatal(err)
	}
	for i := range nFeeds {
		fs.publish(fmt.Sprintf("b%03d", i), 1, false)
	}
	b.ResetTimer()
	start := time.Now()
	if err := makeDue(ctx, kind, dbURL); err != nil {
		b.Fatal(err)
	}
	var firstPoll, lastPoll time.Time
	deadline := time.Now().Add(2 * time.Minute)
	tick := time.NewTicker(10 * time.Millisecond) // measurement sampling
	defer tick.Stop()
	for {
		polled, posted := 0, 0
		for i := range nFeeds {
			if fs.hitsOf(fmt.Sprintf("/feeds/b%03d.xml", i)) > 0 {
				polled++
			}
		}
		for _, ch := range channels {
			posted += len(dc.Messages(ch))
		}
		if polled > 0 && firstPoll.IsZero() {
			firstPoll = time.Now()
		}
		if polled == nFeeds && lastPoll.IsZero() {
			lastPoll = time.Now()
		}
		if posted >= nFeeds {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("after 2 minutes: %d polled, %d posted", polled, posted)
		}
		<-tick.C
	}
	end := time.Now()
	b.StopTimer()
	var firstPost time.Time
	for _, ch := range channels {
		for _, m := range dc.Messages(ch) {
			if firstPost.IsZero() || m.CreatedAt.Before(firstPost) {
				firstPost = m.CreatedAt
			}
		}
	}
	b.ReportMetric(nFeeds/lastPoll.Sub(firstPoll).Seconds(), "feeds/s")
	b.ReportMetric(nFeeds/end.Sub(firstPost).Seconds(), "posts/s")
	b.ReportMetric(end.Sub(start).Seconds(), "s-total")
}

// makeDue makes every feed due now.
func makeDue(ctx context.Context, kind, dbURL string) error {
	if kind == "sqlite" {
		db, err := sql.Open("sqlite", dbURL[len("sqlite:"):]+"?_pragma=busy_timeout(5000)")
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, `UPDATE feeds SET next_poll_at = 0`)
		return err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE feeds SET next_poll_at = now() - interval '1 second'`)
	return err
}
