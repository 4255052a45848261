package main

import (
	"net/http"
	"testing"
	"time"

	"newsbot/bot/discordtest"
)

func TestE2EFaults(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("KilledMidRoundPostsEachOnce", func(t *testing.T) { testKilledMidRound(t, db(t)) })
			t.Run("DiscordErrorsLoseNothing", func(t *testing.T) { testDiscordErrors(t, db(t)) })
			t.Run("GatewayDropResumes", func(t *testing.T) { testGatewayResume(t, db(t)) })
		})
	}
}

// testKilledMidRound kills -9 a bot process while it is posting a round,
// starts another, and checks every article arrives exactly once.
func testKilledMidRound(t *testing.T, dbURL string) {
	ctx := deadline(t)
	// Two posts per 400ms per channel: a round of 12 takes a couple of
	// seconds, so the kill lands in the middle of it.
	dc := discordtest.New(t, discordtest.WithMessageRateLimit(2, 400*time.Millisecond))
	fs := newFeedServer(t)
	guild := dc.AddGuild("Newsroom")
	channel := dc.AddChannel(guild.ID, "news")
	e := baseEnv(dc, dbURL)
	e["MAX_POSTS_PER_INTERVAL"] = "50"

	first := startProcess(t, e)
	if _, err := dc.WaitCommands(ctx, ""); err != nil {
		t.Fatal(err)
	}
	w := &world{dc: dc, fs: fs, guild: guild, channel: channel}
	w.subscribe(t, "wire", 1)
	items := fs.publish("wire", 12, false)
	if _, err := dc.WaitMessages(ctx, channel, 3); err != nil {
		t.Fatalf("first process posted nothing: %v", err)
	}
	first.kill()
	before := len(dc.Messages(channel))
	if before >= len(items) {
		t.Fatalf("all %d posts were done before the kill; the test did not interrupt a round", before)
	}

	startProcess(t, e)
	waitFor(ctx, t, "every item posted", func() bool { return len(postedLinks(dc.Messages(channel))) >= len(items) })
	// A few more polls and delivery rounds: nothing more may be posted.
	hits := fs.hitsOf("/feeds/wire.xml")
	waitFor(ctx, t, "three more polls", func() bool { return fs.hitsOf("/feeds/wire.xml") >= hits+3 })
	links := postedLinks(dc.Messages(channel))
	for _, it := range items {
		if links[it.Link] != 1 {
			t.Errorf("%s posted %d times, want exactly 1", it.Link, links[it.Link])
		}
	}
	if n := len(dc.Messages(channel)); n != len(items) {
		t.Errorf("%d messages in the channel, want %d", n, len(items))
	}
	t.Logf("killed after %d of %d posts", before, len(items))
}

// testDiscordErrors makes Discord answer 429 and then 500s for a while.
func testDiscordErrors(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "flaky", 0)
	w.dc.FailMessages(3, http.StatusTooManyRequests)
	items := w.fs.publish("flaky", 2, false)
	waitFor(ctx, t, "posts through 429s", func() bool { return len(postedLinks(w.dc.Messages(w.channel))) >= 2 })
	w.dc.FailMessages(3, http.StatusInternalServerError)
	items = append(items, w.fs.publish("flaky", 2, false)...)
	waitFor(ctx, t, "posts through 500s", func() bool { return len(postedLinks(w.dc.Messages(w.channel))) >= 4 })
	links := postedLinks(w.dc.Messages(w.channel))
	for _, it := range items {
		if links[it.Link] != 1 {
			t.Errorf("%s posted %d times, want 1", it.Link, links[it.Link])
		}
	}
}

// testGatewayResume drops the gateway connection; the bot resumes and still
// answers commands and posts.
func testGatewayResume(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "steady", 0)
	w.dc.DropConnections()
	waitFor(ctx, t, "a RESUME", func() bool { return w.dc.Resumes() >= 1 })
	m := w.admin(t, "feed", discordtest.SubCommand("list"))
	if len(m.Embeds) != 1 {
		t.Fatalf("/feed list after resume = %q %+v", m.Content, m.Embeds)
	}
	w.fs.publish("steady", 1, false)
	if _, err := w.dc.WaitMessages(ctx, w.channel, 1); err != nil {
		t.Fatalf("no post after resume: %v", err)
	}
}
