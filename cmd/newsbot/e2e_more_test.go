package main

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
)

func TestE2EMore(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("SettingsTextFormatNoPings", func(t *testing.T) { testSettingsText(t, db(t)) })
			t.Run("ChannelWithoutAccessIsPaused", func(t *testing.T) { testPaused(t, db(t)) })
		})
	}
	t.Run("PrivateAddressRefused", testPrivateRefused)
}

// testSettingsText switches a server to plain text without the footer: the
// next post follows, and an @everyone in a headline pings nobody.
func testSettingsText(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "plain", 0)
	m := w.admin(t, "settings", discordtest.StringOpt("format", "text"), discordtest.BoolOpt("footer", false), discordtest.IntOpt("sentences", 2))
	if !m.Ephemeral() || !strings.Contains(m.Content, "Saved") || !strings.Contains(m.Content, "**text**") {
		t.Fatalf("/settings answered %q", m.Content)
	}
	w.fs.mu.Lock()
	w.fs.feeds["/feeds/plain.xml"].title = "@everyone Breaking"
	w.fs.mu.Unlock()
	it := w.fs.publish("plain", 1, false)[0]
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if len(got.Embeds) != 0 || !strings.Contains(got.Content, "<"+it.Link+">") {
		t.Fatalf("text post = %q with %d embeds", got.Content, len(got.Embeds))
	}
	if strings.Contains(got.Content, "sentences ·") {
		t.Errorf("footer shown although turned off: %q", got.Content)
	}
	if strings.Contains(got.Content, "@everyone") || got.AllowedMentions == nil || len(got.AllowedMentions.Parse) != 0 {
		t.Errorf("post could ping: %q, allowed_mentions %+v", got.Content, got.AllowedMentions)
	}
}

// testPaused: Discord refuses posts for good (Missing Access); the
// subscription is paused and /feed list says so; nothing loops.
func testPaused(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "locked", 0)
	w.dc.DenyChannel(w.channel, 50001)
	w.fs.publish("locked", 2, false)
	waitFor(ctx, t, "the subscription to be paused", func() bool {
		m := w.admin(t, "feed", discordtest.SubCommand("list"))
		return len(m.Embeds) == 1 && strings.Contains(m.Embeds[0].Description, "paused: Missing Access")
	})
	// A paused feed is no longer polled; another channel's feed goes on, and
	// its post proves delivery rounds ran without retrying the paused one.
	posts := w.dc.MessagePosts()
	open := w.dc.AddChannel(w.guild.ID, "open")
	url := w.fs.addFeed("open", "Open")
	m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url), discordtest.ChannelOpt("channel", open)))
	if !strings.Contains(m.Content, "is now subscribed") {
		t.Fatalf("/feed add to another channel: %q", m.Content)
	}
	w.fs.publish("open", 1, false)
	if _, err := w.dc.WaitMessages(ctx, open, 1); err != nil {
		t.Fatal(err)
	}
	if extra := w.dc.MessagePosts() - posts; extra != 1 {
		t.Errorf("%d post attempts after the pause, want 1 (the other channel's)", extra)
	}
}

// testPrivateRefused: with the guard on (the default), a feed on a loopback
// address is refused with a clear reason.
func testPrivateRefused(t *testing.T) {
	dc := discordtest.New(t)
	fs := newFeedServer(t)
	g := dc.AddGuild("Guarded")
	w := &world{dc: dc, fs: fs, guild: g, channel: dc.AddChannel(g.ID, "news")}
	e := baseEnv(dc, "sqlite:"+t.TempDir()+"/db")
	e["NEWSBOT_ALLOW_PRIVATE_ADDRESSES"] = "false"
	startBot(t, e)
	if _, err := dc.WaitCommands(deadline(t), ""); err != nil {
		t.Fatal(err)
	}
	url := fs.addFeed("inside", "Inside")
	m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url)))
	if !strings.Contains(m.Content, "private or internal network") {
		t.Fatalf("/feed add %s answered %q, want the private-address refusal", url, m.Content)
	}
	if fs.hitsOf("/feeds/inside.xml") != 0 {
		t.Errorf("the guarded bot fetched a loopback feed")
	}
}

func TestE2EImport(t *testing.T) {
	w := newWorld(t, "sqlite:"+t.TempDir()+"/db")
	a := w.fs.addFeed("opml-a", "Alpha")
	b := w.fs.addFeed("opml-b", "Beta")
	opml := `<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
<outline text="News"><outline type="rss" text="Alpha" xmlUrl="` + a + `"/><outline type="rss" text="Beta" xmlUrl="` + b + `"/></outline>
<outline type="rss" text="Gone" xmlUrl="` + w.fs.srv.URL + `/feeds/missing.xml"/></body></opml>`
	att := w.dc.AddAttachment("feeds.opml", "text/x-opml", []byte(opml))
	ctx := deadline(t)
	in, err := w.dc.Interact(ctx, discordtest.InteractionSpec{GuildID: w.guild.ID, ChannelID: w.channel, Command: "feed",
		Permissions: discordgo.PermissionManageGuild,
		Options:     []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommand("import", discordtest.AttachmentOpt("file", att.ID))}})
	if err != nil {
		t.Fatal(err)
	}
	// A slow import shows its progress first: wait for the final answer.
	m, err := in.WaitOriginal(ctx, func(m discordtest.Message) bool { return strings.Contains(m.Content, "Imported") })
	if err != nil || !strings.Contains(m.Content, "Imported 2 of 3") || !strings.Contains(m.Content, "Gone") {
		t.Fatalf("/feed import answered %q (%v)", m.Content, err)
	}
	m = w.admin(t, "feed", discordtest.SubCommand("list"))
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "Alpha") || !strings.Contains(m.Embeds[0].Description, "Beta") {
		t.Fatalf("/feed list after import = %+v", m.Embeds)
	}
}
