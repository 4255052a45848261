package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
)

// End-to-end tests of the per-subscription rules (issue 11): the real bot
// against the Discord double, a loopback feed server and a real store.

func TestE2ERules(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("FiltersMentionTemplate", func(t *testing.T) { testRulesFiltersMentionTemplate(t, db(t)) })
		})
	}
	db := func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/db" }
	t.Run("DailyLimitAndTest", func(t *testing.T) { testRulesDailyLimitAndTest(t, db(t)) })
	t.Run("ResumeAfterPause", func(t *testing.T) { testRulesResume(t, db(t)) })
	t.Run("ExportImportJSON", func(t *testing.T) { testRulesBackup(t, db(t)) })
}

// publishTitled adds items with the given headlines to a feed, newest
// last.
func (fs *feedServer) publishTitled(name string, titles ...string) []testItem {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.feeds["/feeds/"+name+".xml"]
	var out []testItem
	for _, title := range titles {
		fs.next++
		id := fmt.Sprintf("%s-%d", name, fs.next)
		// A real story of its own for each item, so that no two items
		// are taken for one story (which would join them in one post).
		text := fs.articles[fs.next%len(fs.articles)].Text
		it := testItem{
			GUID: "urn:test:" + id, Title: title, Link: fs.srv.URL + "/articles/" + id + ".html", Text: text,
			Published: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(fs.next) * time.Minute),
		}
		f.items = append(f.items, it)
		out = append(out, it)
	}
	f.version++
	return out
}

// edit runs /feed edit on the subscription to url with options.
func (w *world) edit(t *testing.T, url string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
	t.Helper()
	return w.admin(t, "feed", discordtest.SubCommand("edit", append([]*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOpt("feed", url)}, opts...)...))
}

// listText is /feed list's text.
func (w *world) listText(t *testing.T) string {
	t.Helper()
	m := w.admin(t, "feed", discordtest.SubCommand("list"))
	s := m.Content
	for _, e := range m.Embeds {
		s += "\n" + e.Description
	}
	return s
}

// embedTitles are the headlines of a channel's embed posts.
func embedTitles(msgs []discordtest.Message) []string {
	var out []string
	for _, m := range msgs {
		for _, e := range m.Embeds {
			out = append(out, e.Title)
		}
	}
	return out
}

// testRulesFiltersMentionTemplate: include and exclude (exclude wins), a
// role pinged only for matching items and nothing else pinged, then a text
// template; /feed edit without options shows the rules; a member without
// Manage Server is refused.
func testRulesFiltersMentionTemplate(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "wire", 1)
	breaking := w.dc.AddRole(w.guild.ID, "breaking", true)

	m := w.run(t, discordtest.InteractionSpec{NoPermissions: true}, "feed",
		discordtest.SubCommand("edit", discordtest.StringOpt("feed", url), discordtest.StringOpt("include", "x")))
	if !strings.Contains(m.Content, "Manage Server") {
		t.Fatalf("/feed edit by a member without Manage Server answered %q", m.Content)
	}
	m = w.edit(t, url, discordtest.StringOpt("include", "/a(/"))
	if !strings.Contains(m.Content, `term 1 "/a(/": invalid regex: missing closing )`) {
		t.Fatalf("a bad regex was answered %q", m.Content)
	}
	m = w.edit(t, url, discordtest.StringOpt("include", "earthquake, flood"), discordtest.StringOpt("exclude", "sponsored"),
		discordtest.RoleOpt("mention", breaking.ID), discordtest.StringOpt("mention_when", "tsunami"))
	if !m.Ephemeral() || !strings.Contains(m.Content, "Saved") || len(m.Embeds) != 1 ||
		!strings.Contains(m.Embeds[0].Description, "include: `earthquake, flood`") ||
		!strings.Contains(m.Embeds[0].Description, "mention: <@&"+breaking.ID+"> when `tsunami`") {
		t.Fatalf("/feed edit answered %q %+v", m.Content, m.Embeds)
	}

	items := w.fs.publishTitled("wire",
		"Sponsored: earthquake survival kits",      // excluded, though it matches include
		"Sports round-up",                          // no include term
		"Earthquake and tsunami warning @everyone", // posted, pings the role
		"Flood waters recede",                      // posted, no ping
	)
	if _, err := w.dc.WaitMessages(ctx, w.channel, 2); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the two drops to be counted", func() bool {
		return strings.Contains(w.listText(t), "dropped: 2 filtered")
	})
	msgs := w.dc.Messages(w.channel)
	if got := embedTitles(msgs); len(got) != 2 || !strings.Contains(got[0], "tsunami") || !strings.Contains(got[1], "Flood") {
		t.Fatalf("posted %q, want the tsunami and the flood items only", got)
	}
	ping, plain := msgs[0], msgs[1]
	if ping.Content != "<@&"+breaking.ID+">" || !slices.Equal(ping.MentionRoles, []string{breaking.ID}) || ping.MentionEveryone {
		t.Errorf("pinging post: content %q, pinged roles %v, everyone %v", ping.Content, ping.MentionRoles, ping.MentionEveryone)
	}
	if am := ping.AllowedMentions; am == nil || len(am.Parse) != 0 || !slices.Equal(am.Roles, []string{breaking.ID}) || len(am.Users) != 0 {
		t.Errorf("pinging post allowed_mentions = %+v, want exactly the role", ping.AllowedMentions)
	}
	if am := plain.AllowedMentions; plain.Content != "" || len(plain.MentionRoles) != 0 || am == nil || len(am.Parse) != 0 || len(am.Roles) != 0 {
		t.Errorf("post without a ping: content %q, roles %v, allowed_mentions %+v", plain.Content, plain.MentionRoles, am)
	}
	if len(items) != 4 {
		t.Fatalf("published %d items", len(items))
	}

	// /feed edit completes subscriptions as /feed remove does.
	in, err := w.dc.Interact(ctx, discordtest.InteractionSpec{
		Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: w.guild.ID, ChannelID: w.channel,
		Command: "feed", Permissions: discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			discordtest.SubCommand("edit", discordtest.Focused(discordtest.StringOpt("feed", "wire")))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cb, err := in.WaitCallback(ctx); err != nil || len(cb.Choices) != 1 || !strings.Contains(cb.Choices[0].Name, "The wire Times → #news") {
		t.Errorf("autocomplete of /feed edit = %+v, %v", cb, err)
	}

	// A role that is not mentionable: the bot (without Mention Everyone)
	// says so at once.
	quiet := w.dc.AddRole(w.guild.ID, "quiet", false)
	m = w.edit(t, url, discordtest.RoleOpt("mention", quiet.ID))
	if !strings.Contains(m.Content, "Mention Everyone") {
		t.Errorf("a role the bot can't ping was accepted silently: %q", m.Content)
	}
	// With Mention Everyone the bot may ping it, and says nothing. From here
	// on an @here in a headline would ping, were it allowed.
	w.dc.SetBotPermissions(w.guild.ID, discordtest.BotPermissions|discordgo.PermissionMentionEveryone)
	waitFor(ctx, t, "the bot to see its new permission", func() bool {
		m = w.edit(t, url, discordtest.RoleOpt("mention", quiet.ID))
		return strings.Contains(m.Content, "Saved") && !strings.Contains(m.Content, "Mention Everyone")
	})

	// A text template, without the mention.
	m = w.edit(t, url, discordtest.StringOpt("clear", "mention"), discordtest.StringOpt("format", "text"),
		discordtest.StringOpt("template", `📰 **{title}** ({source}){mention}\n{summary}\n<{link}>`))
	if !strings.Contains(m.Content, "Saved") || strings.Contains(m.Embeds[0].Description, "mention:") {
		t.Fatalf("/feed edit template answered %q %+v", m.Content, m.Embeds)
	}
	m = w.edit(t, url, discordtest.StringOpt("template", "{headline}"))
	if !strings.Contains(m.Content, "unknown placeholder {headline}; valid placeholders are {title}") {
		t.Errorf("an unknown placeholder was answered %q", m.Content)
	}
	it := w.fs.publishTitled("wire", "Earthquake drill @here *today*")[0]
	msgs, err = w.dc.WaitMessages(ctx, w.channel, 3)
	if err != nil {
		t.Fatal(err)
	}
	post := msgs[2]
	want := "📰 **Earthquake drill @\u200bhere \\*today\\*** (The wire Times)\n"
	if len(post.Embeds) != 0 || !strings.HasPrefix(post.Content, want) || !strings.HasSuffix(post.Content, "\n<"+it.Link+">") {
		t.Errorf("template post = %q, want it to start %q and end with the link", post.Content, want)
	}
	if am := post.AllowedMentions; am == nil || len(am.Parse) != 0 || len(am.Roles) != 0 || post.MentionEveryone || len(post.MentionRoles) != 0 {
		t.Errorf("template post allowed_mentions = %+v, pinged everyone %v, roles %v", am, post.MentionEveryone, post.MentionRoles)
	}

	// Without options, /feed edit shows the rules, as /feed list sums them up.
	m = w.edit(t, url)
	if !strings.Contains(m.Content, "The rules of this subscription") || !strings.Contains(m.Embeds[0].Description, "template:") {
		t.Errorf("/feed edit without options = %q %+v", m.Content, m.Embeds)
	}
	if list := w.listText(t); !strings.Contains(list, "rules: include `earthquake, flood`, exclude `sponsored`, text, template") {
		t.Errorf("/feed list = %q", list)
	}
}

// testRulesDailyLimitAndTest: items over the daily limit are dropped and
// counted, not queued; /feed test tells each item's fate and posts nothing.
func testRulesDailyLimitAndTest(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "capped", 0)
	m := w.edit(t, url, discordtest.IntOpt("daily_limit", 2), discordtest.StringOpt("exclude", "horoscope"))
	if !strings.Contains(m.Content, "Saved") {
		t.Fatalf("/feed edit daily_limit answered %q", m.Content)
	}
	w.fs.publishTitled("capped", "First story", "Second story", "Third story", "Fourth story")
	if _, err := w.dc.WaitMessages(ctx, w.channel, 2); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "two items to be dropped over the daily limit", func() bool {
		return strings.Contains(w.listText(t), "dropped: 2 over the daily limit")
	})
	if got := embedTitles(w.dc.Messages(w.channel)); len(got) != 2 || !strings.Contains(got[0], "First") || !strings.Contains(got[1], "Second") {
		t.Fatalf("posted %q, want the first two", got)
	}

	// /feed test: the limit is reached, so an item the filter lets through
	// would be dropped too; an excluded one says why.
	w.fs.publishTitled("capped", "Your horoscope for today")
	posts := w.dc.MessagePosts()
	m = w.admin(t, "feed", discordtest.SubCommand("test", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Content, "Nothing was posted") || !strings.Contains(m.Content, "Daily limit 2: 2 posted in the last 24 hours") || len(m.Embeds) != 1 {
		t.Fatalf("/feed test = %q %+v", m.Content, m.Embeds)
	}
	lines := strings.Split(m.Embeds[0].Description, "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "🚫 **drop** · Your horoscope for today — excluded by \"horoscope\"") ||
		!strings.HasPrefix(lines[1], "⏳ **drop: daily limit** · Fourth story") {
		t.Errorf("/feed test lines:\n%s", m.Embeds[0].Description)
	}
	if w.dc.MessagePosts() != posts {
		t.Errorf("/feed test posted something")
	}
	// With room under a new limit, the same items would post.
	w.edit(t, url, discordtest.IntOpt("daily_limit", 100))
	m = w.admin(t, "feed", discordtest.SubCommand("test", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Embeds[0].Description, "✅ **post** · Fourth story — no include terms") {
		t.Errorf("/feed test with room:\n%s", m.Embeds[0].Description)
	}
}

// testRulesResume: a subscription paused because the bot lost the channel
// is refused while the channel is still closed, then resumes and posts what
// waited.
func testRulesResume(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "locked", 0)
	w.dc.DenyChannel(w.channel, 50001)
	w.fs.publishTitled("locked", "Waiting one", "Waiting two")
	waitFor(ctx, t, "the subscription to be paused", func() bool {
		return strings.Contains(w.listText(t), "paused: Missing Access")
	})
	// The answer goes to the interaction, never to the channel.
	m := w.admin(t, "feed", discordtest.SubCommand("resume", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Content, "still can't reach") {
		t.Fatalf("/feed resume with the channel still closed answered %q", m.Content)
	}
	w.dc.DenyChannel(w.channel, 0)
	m = w.admin(t, "feed", discordtest.SubCommand("resume", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Content, "Resumed") || !strings.Contains(m.Content, "The 2 posts that waited go out now") {
		t.Fatalf("/feed resume answered %q", m.Content)
	}
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := embedTitles(msgs); len(got) != 2 || !strings.Contains(got[0], "Waiting one") || !strings.Contains(got[1], "Waiting two") {
		t.Errorf("after resume posted %q, want both waiting items in order", got)
	}
	if list := w.listText(t); strings.Contains(list, "paused") {
		t.Errorf("/feed list after resume = %q", list)
	}
	m = w.admin(t, "feed", discordtest.SubCommand("resume", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Content, "isn't paused") {
		t.Errorf("/feed resume of an active subscription answered %q", m.Content)
	}
}

// testRulesBackup: /feed export format:json carries the rules; after the
// subscription is removed, /feed import restores it with them. OPML stays
// the default export.
func testRulesBackup(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	url := w.subscribe(t, "saved", 1)
	role := w.dc.AddRole(w.guild.ID, "news", true)
	w.edit(t, url, discordtest.StringOpt("include", "quake"), discordtest.RoleOpt("mention", role.ID),
		discordtest.StringOpt("color", "#ff8800"), discordtest.BoolOpt("image", false), discordtest.IntOpt("daily_limit", 7),
		discordtest.StringOpt("webhook_name", "Saved News"), discordtest.BoolOpt("thread", true))

	m := w.admin(t, "feed", discordtest.SubCommand("export"))
	if len(m.Files) != 1 || !strings.Contains(string(m.Files[0].Data), "<opml") {
		t.Fatalf("/feed export without format = %+v", m.Files)
	}
	m = w.admin(t, "feed", discordtest.SubCommand("export", discordtest.StringOpt("format", "json")))
	if len(m.Files) != 1 {
		t.Fatalf("/feed export format:json = %q %+v", m.Content, m.Files)
	}
	data := m.Files[0].Data
	var bk struct {
		Subscriptions []struct {
			FeedURL   string         `json:"feed_url"`
			ChannelID string         `json:"channel_id"`
			Rules     map[string]any `json:"rules"`
		} `json:"subscriptions"`
	}
	if err := json.Unmarshal(data, &bk); err != nil || len(bk.Subscriptions) != 1 {
		t.Fatalf("backup %s: %v", data, err)
	}
	if s := bk.Subscriptions[0]; s.FeedURL != url || s.ChannelID != w.channel || s.Rules["include"] != "quake" ||
		s.Rules["image"] != false || s.Rules["daily_limit"] != float64(7) || s.Rules["mention_role"] != role.ID {
		t.Errorf("backup entry = %+v", s)
	}

	m = w.admin(t, "feed", discordtest.SubCommand("remove", discordtest.StringOpt("feed", url)))
	if !strings.Contains(m.Content, "Removed") {
		t.Fatalf("/feed remove = %q", m.Content)
	}
	att := w.dc.AddAttachment("newsbot-subscriptions.json", "application/json", data)
	m = w.admin(t, "feed", discordtest.SubCommand("import", discordtest.AttachmentOpt("file", att.ID)))
	if !strings.Contains(m.Content, "Restored 1 of 1 subscriptions") {
		t.Fatalf("/feed import of the backup = %q", m.Content)
	}
	list := w.listText(t)
	for _, want := range []string{"The saved Times", "include `quake`", "🔔 <@&" + role.ID + ">", "#FF8800", "no image", "webhook", "threads", "7/day"} {
		if !strings.Contains(list, want) {
			t.Errorf("/feed list after restore lacks %q:\n%s", want, list)
		}
	}
	// Restoring again changes nothing and fails nothing.
	att = w.dc.AddAttachment("again.json", "application/json", data)
	if m := w.admin(t, "feed", discordtest.SubCommand("import", discordtest.AttachmentOpt("file", att.ID))); !strings.Contains(m.Content, "Restored 1 of 1") {
		t.Errorf("a second restore = %q", m.Content)
	}
}
