package main

import (
	"strings"
	"testing"
	"time"

	"newsbot/bot/discordtest"
)

// TestE2EFloodIsBounded: a feed that swaps in thousands of new items on
// every poll posts at most MAX_POSTS_PER_INTERVAL per poll interval to its
// channel, and fetches a bounded number of article pages per poll. It logs
// the rate it measured (go test ./cmd/newsbot -run FloodIsBounded -v).
func TestE2EFloodIsBounded(t *testing.T) {
	const (
		perInterval = 5
		interval    = 2 * time.Second
		perPoll     = 2000
		polls       = 4
	)
	ctx := deadline(t)
	dc := discordtest.New(t)
	fs := newFeedServer(t)
	guild := dc.AddGuild("Newsroom")
	channel := dc.AddChannel(guild.ID, "news")
	e := baseEnv(dc, "sqlite:"+t.TempDir()+"/flood.db")
	e["POLL_INTERVAL"] = interval.String()
	e["MAX_POSTS_PER_INTERVAL"] = "5"
	rb := startBot(t, e)
	if _, err := dc.WaitCommands(ctx, ""); err != nil {
		t.Fatal(err)
	}
	w := &world{dc: dc, fs: fs, guild: guild, channel: channel, env: e, bot: rb}
	w.subscribe(t, "flood", 1)

	start := time.Now()
	feedHits := fs.hitsOf("/feeds/flood.xml")
	for i := range polls {
		fs.publish("flood", perPoll, true)
		waitFor(ctx, t, "the next poll", func() bool { return fs.hitsOf("/feeds/flood.xml") > feedHits+i })
	}
	// One more poll interval for the last round's posts.
	waitFor(ctx, t, "a last poll", func() bool { return fs.hitsOf("/feeds/flood.xml") > feedHits+polls })
	elapsed := time.Since(start)
	// Posts and story edits (the fixture's texts repeat, so some items join
	// an earlier item's story): both are messages the channel sees.
	posts := len(dc.Messages(channel)) + len(dc.Edits(channel))
	pages := 0
	for _, n := range fs.hitsByPrefix("/articles/") {
		pages += n
	}
	intervals := int(elapsed/interval) + 1
	t.Logf("flood of %d items x %d polls: %d posts and edits in %s (%d poll intervals; %.1f posts per interval, %.0f per minute at this interval); %d article pages fetched",
		perPoll, polls, posts, elapsed.Round(time.Millisecond), intervals, float64(posts)/float64(intervals),
		float64(posts)/elapsed.Minutes(), pages)
	if posts < 2*perInterval {
		t.Errorf("only %d posts and edits: the newest items of each flood should go out", posts)
	}
	if posts == 0 {
		t.Fatalf("nothing posted from the flood")
	}
	if posts > perInterval*intervals {
		t.Errorf("%d posts and edits over %d poll intervals, want at most %d per interval", posts, intervals, perInterval)
	}
	if max := 20 * (polls + 1); pages > max {
		t.Errorf("%d article pages fetched in %d polls, want at most %d", pages, polls+1, max)
	}
	if !strings.Contains(rb.logs.String(), "feed published too many new items at once") {
		t.Errorf("the flood was not logged")
	}
}

// hitsByPrefix returns the request counts of the paths with a prefix.
func (fs *feedServer) hitsByPrefix(prefix string) map[string]int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]int{}
	for p, n := range fs.hits {
		if strings.HasPrefix(p, prefix) {
			out[p] = n
		}
	}
	return out
}
