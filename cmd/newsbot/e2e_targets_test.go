package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
)

// End-to-end tests of the posting targets of issue 11: webhooks, forum
// posts and threads started on posts, by the real bot against the Discord
// double, a loopback feed server and both stores.

func TestE2ETargets(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("WebhookNameAvatarReused", func(t *testing.T) { testTargetsWebhook(t, db(t)) })
			t.Run("WebhookWithoutPermission", func(t *testing.T) { testTargetsWebhookRefused(t, db(t)) })
			t.Run("ForumPostWithTag", func(t *testing.T) { testTargetsForum(t, db(t)) })
			t.Run("ThreadOnEachPost", func(t *testing.T) { testTargetsThread(t, db(t)) })
			t.Run("KilledMidRoundEachOnce", func(t *testing.T) { testTargetsKilledMidRound(t, db(t)) })
		})
	}
}

// restart stops the world's bot and starts a new one on the same store:
// nothing held in memory survives.
func (w *world) restart(t *testing.T) {
	t.Helper()
	if err := w.bot.stop(); err != nil {
		t.Fatalf("stop the bot: %v", err)
	}
	w.bot = startBot(t, w.env)
	if err := w.dc.WaitReady(deadline(t), 1); err != nil {
		t.Fatal(err)
	}
}

// testTargetsWebhook: /feed edit webhook_name and webhook_avatar create the
// channel's webhook at once; posts go through it under that name and
// avatar; the webhook is reused by the next post and after a restart; its
// token shows nowhere; clear:webhook posts as the bot again.
func testTargetsWebhook(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "wire", 1)
	m := w.edit(t, url, discordtest.StringOpt("webhook_name", "Reuters Wire"), discordtest.StringOpt("webhook_avatar", "https://example.com/reuters.png"))
	if !strings.Contains(m.Content, "Saved") || strings.Contains(m.Content, "Manage Webhooks") {
		t.Fatalf("/feed edit answered %q", m.Content)
	}
	hooks := w.dc.Webhooks(w.channel)
	if len(hooks) != 1 {
		t.Fatalf("%d webhooks after /feed edit, want the one it created", len(hooks))
	}
	hook := hooks[0]

	first := w.fs.publish("wire", 1, false)
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := msgs[0]
	if p.WebhookID != hook.ID || p.Username != "Reuters Wire" || p.AvatarURL != "https://example.com/reuters.png" {
		t.Fatalf("post by webhook %q as %q with avatar %q; want webhook %s as Reuters Wire", p.WebhookID, p.Username, p.AvatarURL, hook.ID)
	}
	if len(p.Embeds) != 1 || p.Embeds[0].URL != first[0].Link {
		t.Fatalf("webhook post embeds %+v", p.Embeds)
	}

	w.fs.publish("wire", 1, false)
	w.restart(t)
	w.fs.publish("wire", 1, false)
	msgs, err = w.dc.WaitMessages(ctx, w.channel, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.WebhookID != hook.ID {
			t.Errorf("post %s by %q, want the one webhook %s", m.ID, m.WebhookID, hook.ID)
		}
	}
	if n := w.dc.Attempts(discordtest.RouteCreateWebhook); n != 1 || len(w.dc.Webhooks(w.channel)) != 1 {
		t.Errorf("%d webhook creations, %d webhooks; want the first reused after a restart", n, len(w.dc.Webhooks(w.channel)))
	}
	list := w.listText(t)
	if !strings.Contains(list, "webhook") {
		t.Errorf("/feed list does not show the webhook rule: %q", list)
	}
	for what, text := range map[string]string{"/feed edit": m.Content + embedText(m), "/feed list": list, "the log": w.bot.logs.String()} {
		if strings.Contains(text, hook.Token) {
			t.Errorf("%s shows the webhook's token", what)
		}
	}

	m = w.edit(t, url, discordtest.StringOpt("clear", "webhook"))
	if !strings.Contains(m.Content, "Saved") {
		t.Fatalf("clear:webhook answered %q", m.Content)
	}
	w.fs.publish("wire", 1, false)
	msgs, err = w.dc.WaitMessages(ctx, w.channel, 4)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[3].WebhookID != "" || msgs[3].AuthorID != w.dc.BotUserID {
		t.Errorf("after clear:webhook the post is by %q/%q, want the bot", msgs[3].WebhookID, msgs[3].AuthorID)
	}
}

func embedText(m discordtest.Message) string {
	var b strings.Builder
	for _, e := range m.Embeds {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
	}
	return b.String()
}

// testTargetsWebhookRefused: without Manage Webhooks, /feed edit says so
// (Discord refused to create the webhook) and posts go out as the bot.
func testTargetsWebhookRefused(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "wire", 1)
	w.dc.SetBotPermissions(w.guild.ID, discordtest.BotPermissions&^discordgo.PermissionManageWebhooks)
	m := w.edit(t, url, discordtest.StringOpt("webhook_name", "Reuters Wire"))
	if !strings.Contains(m.Content, "Saved") || !strings.Contains(m.Content, "Manage Webhooks") {
		t.Fatalf("/feed edit without Manage Webhooks answered %q", m.Content)
	}
	items := w.fs.publish("wire", 2, false)
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		if m.WebhookID != "" || m.AuthorID != w.dc.BotUserID || len(m.Embeds) != 1 || m.Embeds[0].URL != items[i].Link {
			t.Errorf("post %d by webhook %q author %q, want the bot's post of %s", i, m.WebhookID, m.AuthorID, items[i].Link)
		}
	}
	if n := strings.Count(w.bot.logs.String(), "Manage Webhooks missing"); n != 1 {
		t.Errorf("the missing permission was logged %d times, want once", n)
	}
}

// testTargetsForum: /feed add accepts a forum; /feed edit tag: refuses a
// tag the forum lacks, naming its tags; each item is a new forum post
// named after the headline (cut to 100 characters) with the tag.
func testTargetsForum(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	forum := w.dc.AddForum(w.guild.ID, "headlines", "World", "Sports")
	url := w.fs.addFeed("wire", "The wire Times")
	w.fs.publish("wire", 1, false)
	m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url), discordtest.ChannelOpt("channel", forum.ID)))
	if !strings.Contains(m.Content, "is now subscribed") {
		t.Fatalf("/feed add of a forum answered %q", m.Content)
	}
	m = w.edit(t, url, discordtest.StringOpt("tag", "Weather"))
	if strings.Contains(m.Content, "Saved") || !strings.Contains(m.Content, "`World`, `Sports`") {
		t.Fatalf("an unknown tag was answered %q", m.Content)
	}
	m = w.edit(t, url, discordtest.StringOpt("tag", "sports"))
	if !strings.Contains(m.Content, "Saved") || !strings.Contains(embedText(m), "forum tag: `Sports`") {
		t.Fatalf("tag:sports answered %q %q", m.Content, embedText(m))
	}
	long := strings.Repeat("Heavy rain floods the valley again ", 5) // 175 characters
	items := w.fs.publishTitled("wire", long, "Match ends in a draw")
	ths, err := w.dc.WaitThreads(ctx, forum.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ths) != 2 {
		t.Fatalf("%d forum posts, want 2", len(ths))
	}
	for i, th := range ths {
		name := []rune(th.Name)
		if len(name) > 100 || !strings.HasPrefix(items[i].Title, strings.TrimSuffix(th.Name, "…")) {
			t.Errorf("forum post %d named %q (%d characters) for %q", i, th.Name, len(name), items[i].Title)
		}
		if !slices.Equal(th.AppliedTags, []string{forum.TagID("Sports")}) {
			t.Errorf("forum post %d tags %v, want Sports", i, th.AppliedTags)
		}
		msgs := w.dc.Messages(th.ID)
		if len(msgs) != 1 || msgs[0].ID != th.ID || len(msgs[0].Embeds) != 1 || msgs[0].Embeds[0].URL != items[i].Link {
			t.Errorf("forum post %d messages %+v", i, msgs)
		}
	}
	if n := w.dc.Attempts(discordtest.RoutePostMessage); n != 0 {
		t.Errorf("%d plain messages tried in a forum, want 0", n)
	}
	if n := len(w.dc.Threads(forum.ID)); n != 2 {
		t.Errorf("%d forum posts, want 2", n)
	}
}

// testTargetsThread: thread:true starts a thread named after the headline
// on each post; a tag is refused outside forums.
func testTargetsThread(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "wire", 1)
	m := w.edit(t, url, discordtest.StringOpt("tag", "World"))
	if strings.Contains(m.Content, "Saved") || !strings.Contains(m.Content, "forum") {
		t.Fatalf("a tag in a text channel was answered %q", m.Content)
	}
	m = w.edit(t, url, discordtest.BoolOpt("thread", true))
	if !strings.Contains(m.Content, "Saved") || !strings.Contains(embedText(m), "thread") {
		t.Fatalf("thread:true answered %q", m.Content)
	}
	items := w.fs.publish("wire", 2, false)
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 2)
	if err != nil {
		t.Fatal(err)
	}
	ths, err := w.dc.WaitThreads(ctx, w.channel, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, th := range ths {
		if th.ID != msgs[i].ID || !th.FromMessage || th.Name != items[i].Title {
			t.Errorf("thread %d = %+v, want one named %q on message %s", i, th, items[i].Title, msgs[i].ID)
		}
	}
	if n := w.dc.Attempts(discordtest.RouteStartMessageThread); n != 2 {
		t.Errorf("%d thread starts, want 2", n)
	}
}

// testTargetsKilledMidRound kills -9 a bot process while it posts a round
// through a webhook with a thread on each post in a text channel, and
// through a webhook into a forum, starts another, and checks every article
// is posted exactly once to each, with exactly one thread per post.
func testTargetsKilledMidRound(t *testing.T, dbURL string) {
	ctx := deadline(t)
	// Two executes per 400ms per webhook: a round of 2×10 takes seconds,
	// so the kill lands in the middle of it.
	dc := discordtest.New(t, discordtest.WithMessageRateLimit(2, 400*time.Millisecond))
	fs := newFeedServer(t)
	guild := dc.AddGuild("Newsroom")
	channel := dc.AddChannel(guild.ID, "news")
	forum := dc.AddForum(guild.ID, "headlines", "World")
	e := baseEnv(dc, dbURL)
	e["MAX_POSTS_PER_INTERVAL"] = "50"
	first := startProcess(t, e)
	if _, err := dc.WaitCommands(ctx, ""); err != nil {
		t.Fatal(err)
	}
	w := &world{dc: dc, fs: fs, guild: guild, channel: channel}
	// Each item its own post: the fixture texts may be taken for one
	// story, whose later items would edit the first post instead.
	if m := w.admin(t, "settings", discordtest.BoolOpt("stories", false)); !strings.Contains(strings.ToLower(m.Content), "stor") {
		t.Fatalf("/settings stories:false answered %q", m.Content)
	}
	url := w.subscribe(t, "wire", 1)
	m := w.edit(t, url, discordtest.StringOpt("webhook_name", "Wire"), discordtest.BoolOpt("thread", true))
	if !strings.Contains(m.Content, "Saved") {
		t.Fatalf("/feed edit answered %q", m.Content)
	}
	m = w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url), discordtest.ChannelOpt("channel", forum.ID)))
	if !strings.Contains(m.Content, "is now subscribed") {
		t.Fatalf("/feed add of the forum answered %q", m.Content)
	}
	// Two channels subscribe to the feed now: the forum's subscription is
	// named by its id, as the autocomplete gives it.
	forumSub := subscriptionID(t, w, forum.ID)
	m = w.admin(t, "feed", discordtest.SubCommand("edit", discordtest.StringOpt("feed", forumSub), discordtest.StringOpt("webhook_name", "Wire"), discordtest.StringOpt("tag", "World")))
	if !strings.Contains(m.Content, "Saved") {
		t.Fatalf("/feed edit of the forum answered %q", m.Content)
	}

	items := fs.publish("wire", 10, false)
	if _, err := dc.WaitMessages(ctx, channel, 2); err != nil {
		t.Fatalf("the first process posted nothing: %v", err)
	}
	first.kill()
	before := len(dc.Messages(channel)) + len(dc.Threads(forum.ID))
	if before >= 2*len(items) {
		t.Fatalf("all %d posts were done before the kill; the test did not interrupt a round", before)
	}

	startProcess(t, e)
	waitFor(ctx, t, "every item posted to both", func() bool {
		return len(postedLinks(dc.Messages(channel))) >= len(items) && len(dc.Threads(forum.ID)) >= len(items)
	})
	waitFor(ctx, t, "a thread on every post", func() bool { return len(dc.Threads(channel)) >= len(items) })
	// A few more polls and delivery rounds: nothing more may be posted.
	hits := fs.hitsOf("/feeds/wire.xml")
	waitFor(ctx, t, "three more polls", func() bool { return fs.hitsOf("/feeds/wire.xml") >= hits+3 })

	msgs := dc.Messages(channel)
	links := postedLinks(msgs)
	var forumMsgs []discordtest.Message
	for _, th := range dc.Threads(forum.ID) {
		forumMsgs = append(forumMsgs, dc.Messages(th.ID)...)
	}
	forumLinks := postedLinks(forumMsgs)
	for _, it := range items {
		if links[it.Link] != 1 || forumLinks[it.Link] != 1 {
			t.Errorf("%s posted %d times in the channel and %d in the forum, want 1 and 1", it.Link, links[it.Link], forumLinks[it.Link])
		}
	}
	if len(msgs) != len(items) || len(forumMsgs) != len(items) {
		t.Errorf("%d messages in the channel and %d forum posts, want %d each", len(msgs), len(forumMsgs), len(items))
	}
	threads := dc.Threads(channel)
	onMessage := map[string]int{}
	for _, th := range threads {
		onMessage[th.ID]++
	}
	for _, m := range msgs {
		if m.WebhookID == "" || onMessage[m.ID] != 1 {
			t.Errorf("post %s: webhook %q, %d threads; want the webhook's, with one thread", m.ID, m.WebhookID, onMessage[m.ID])
		}
	}
	if len(threads) != len(items) {
		t.Errorf("%d threads, want %d", len(threads), len(items))
	}
	t.Logf("killed after %d of %d posts", before, 2*len(items))
}

// subscriptionID is the id of the guild's subscription in a channel, as
// /feed remove's autocomplete offers it.
func subscriptionID(t *testing.T, w *world, channelID string) string {
	t.Helper()
	in, err := w.dc.Interact(deadline(t), discordtest.InteractionSpec{
		GuildID: w.guild.ID, ChannelID: w.channel, Command: "feed", Type: discordgo.InteractionApplicationCommandAutocomplete,
		Permissions: discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			discordtest.SubCommand("edit", discordtest.Focused(discordtest.StringOpt("feed", ""))),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := in.WaitCallback(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cb.Choices {
		if strings.HasSuffix(c.Name, "#headlines") || strings.HasSuffix(c.Name, "#"+channelID) {
			return fmt.Sprint(c.Value)
		}
	}
	t.Fatalf("no subscription in %s among %+v", channelID, cb.Choices)
	return ""
}
