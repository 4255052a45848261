package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/feeds"
	"newsbot/rules"
	"newsbot/store"
)

// rulesOutbox is fakeOutbox with what rules need: posts of the last 24
// hours and drops.
type rulesOutbox struct {
	*fakeOutbox
	before  int // posts in the window before this round
	dropped map[int64]string
}

func newRulesOutbox() *rulesOutbox {
	return &rulesOutbox{fakeOutbox: newFakeOutbox(), dropped: map[int64]string{}}
}

func (f *rulesOutbox) PostedSince(context.Context, int64, time.Time) (int, error) {
	return f.before + len(f.posted), nil
}

func (f *rulesOutbox) MarkDropped(_ context.Context, id int64, why store.DropReason, detail string) error {
	f.dropped[id] = string(why) + ": " + detail
	return nil
}

// recordingPoster keeps every message it posts.
type recordingPoster struct{ msgs []message }

func (p *recordingPoster) post(_ context.Context, _ string, m message, _ string) (string, error) {
	p.msgs = append(p.msgs, m)
	return fmt.Sprint("m", len(p.msgs)), nil
}

func (p *recordingPoster) find(context.Context, string, message, time.Time) (string, error) {
	return "", nil
}

func (p *recordingPoster) edit(context.Context, string, string, message) error { return nil }

func (p *recordingPoster) get(context.Context, string, string) (message, error) {
	return message{}, nil
}

func testArticle(title, summary string) store.Article {
	return store.Article{
		Title: title, Summary: strings.Split(summary, "|"), Link: "https://news.example.com/a?id=1",
		Author: "Ann Writer", Published: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		SentencesTotal: 20, WordsBefore: 400,
	}
}

func mustCompile(t *testing.T, r store.Rules) ruleSet {
	t.Helper()
	rs, err := compileRules(r)
	if err != nil {
		t.Fatalf("compileRules(%+v): %v", r, err)
	}
	return rs
}

func TestRulesDecide(t *testing.T) {
	g := store.DefaultGuildSettings("g", 3)
	quake := testArticle("Earthquake hits the coast", "A strong quake struck.|A tsunami warning was issued.")
	ad := testArticle("Earthquake kits on sale", "Sponsored content from our partners.")
	sport := testArticle("Sports round-up", "The home team won.")
	for _, c := range []struct {
		name    string
		r       store.Rules
		a       store.Article
		post    bool
		mention bool
		why     string
	}{
		{"no rules", store.Rules{}, sport, true, false, "no include terms"},
		{"include matches", store.Rules{Include: "earthquake"}, quake, true, false, `matched include "earthquake"`},
		{"include misses", store.Rules{Include: "earthquake"}, sport, false, false, "no include term matched"},
		{"exclude wins", store.Rules{Include: "earthquake", Exclude: "sponsored"}, ad, false, false, `excluded by "sponsored"`},
		{"author field", store.Rules{Include: "author:ann"}, sport, true, false, `matched include "author:ann"`},
		{"summary is what is posted", store.Rules{Include: "tsunami", Sentences: 1}, quake, false, false, "no include term matched"},
		{"mention every post", store.Rules{MentionRole: "42"}, sport, true, true, "no include terms"},
		{"mention when matches", store.Rules{MentionRole: "42", MentionWhen: "tsunami"}, quake, true, true, "no include terms"},
		{"mention when misses", store.Rules{MentionRole: "42", MentionWhen: "tsunami"}, sport, true, false, "no include terms"},
		{"no ping for a drop", store.Rules{MentionRole: "42", Exclude: "sponsored"}, ad, false, false, `excluded by "sponsored"`},
		{"mention_when without role", store.Rules{MentionWhen: "tsunami"}, quake, true, false, "no include terms"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := mustCompile(t, c.r).decide(c.a, "Wire", g)
			if v.post != c.post || v.mention != c.mention || v.why != c.why {
				t.Errorf("decide = %+v, want post %v mention %v why %q", v, c.post, c.mention, c.why)
			}
		})
	}
}

func TestCompileRulesRefusesBrokenRules(t *testing.T) {
	for _, r := range []store.Rules{
		{Include: "/a(/"},
		{Exclude: `"open`},
		{MentionWhen: "/[/"},
		{Template: "{titel}"},
		{Format: "html"},
		{Sentences: 11},
		{DailyLimit: 1001},
		{MentionRole: "<@&1>"},
		{Color: 0x1000000},
	} {
		if _, err := compileRules(r); err == nil {
			t.Errorf("compileRules(%+v) accepted broken rules", r)
		}
	}
	_, err := compileRules(store.Rules{Include: "quake, /a(/"})
	if err == nil || err.Error() != `include: term 2 "/a(/": invalid regex: missing closing )` {
		t.Errorf("error = %v, want the rule and the admin's words", err)
	}
}

// deliverWithRules runs one round over deliveries of one subscription.
func deliverWithRules(t *testing.T, st *rulesOutbox, r store.Rules, as ...store.Article) *recordingPoster {
	t.Helper()
	sub := store.Subscription{ID: 1, GuildID: "g", ChannelID: "c", Rules: r, Feed: store.Feed{Title: "Wire"}}
	for i, a := range as {
		st.pending = append(st.pending, store.Delivery{ID: int64(i + 1), SubscriptionID: 1, Subscription: sub, Article: a})
	}
	p := &recordingPoster{}
	d := &Deliverer{Store: st, Poster: p, Owner: "t", Lease: time.Minute, Batch: 10, DefaultSentences: 3,
		Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sleep: func(context.Context, time.Duration) bool { return true }}
	if _, err := d.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeliverDropsFilteredAndPostsTheRest(t *testing.T) {
	st := newRulesOutbox()
	p := deliverWithRules(t, st, store.Rules{Include: "earthquake", Exclude: "sponsored", MentionRole: "42", MentionWhen: "tsunami"},
		testArticle("Earthquake kits", "Sponsored content."),
		testArticle("Sports", "The home team won."),
		testArticle("Earthquake hits", "A tsunami warning was issued."),
		testArticle("Earthquake: no damage", "Calm after the quake."),
	)
	want := map[int64]string{1: `filtered: excluded by "sponsored"`, 2: "filtered: no include term matched"}
	if !reflect.DeepEqual(st.dropped, want) {
		t.Errorf("dropped %v, want %v", st.dropped, want)
	}
	// The drops held nothing up: both later items posted, in order.
	if len(p.msgs) != 2 || st.posted[3] == "" || st.posted[4] == "" {
		t.Fatalf("posted %v (%d messages), want deliveries 3 and 4", st.posted, len(p.msgs))
	}
	ping, plain := p.msgs[0], p.msgs[1]
	if ping.Content != "<@&42>" || !reflect.DeepEqual(ping.MentionRoles, []string{"42"}) || ping.Embed == nil {
		t.Errorf("pinging post = %q roles %v embed %v", ping.Content, ping.MentionRoles, ping.Embed != nil)
	}
	if plain.Content != "" || len(plain.MentionRoles) != 0 {
		t.Errorf("post without a ping = %q roles %v", plain.Content, plain.MentionRoles)
	}
}

func TestDeliverDailyLimitDropsWhatIsOver(t *testing.T) {
	st := newRulesOutbox()
	st.before = 1
	deliverWithRules(t, st, store.Rules{DailyLimit: 3},
		testArticle("One", "a."), testArticle("Two", "b."), testArticle("Three", "c."), testArticle("Four", "d."))
	if len(st.posted) != 2 || st.posted[1] == "" || st.posted[2] == "" {
		t.Errorf("posted %v, want the first two (1 posted before, limit 3)", st.posted)
	}
	for _, id := range []int64{3, 4} {
		if !strings.HasPrefix(st.dropped[id], "daily limit: 3 posts in the last 24 hours") {
			t.Errorf("delivery %d: dropped %q, want the daily limit", id, st.dropped[id])
		}
	}
	if len(st.released) != 0 {
		t.Errorf("released %v: items over the limit must be dropped, not queued", st.released)
	}
}

// A drop is settled through the store (MarkDropped), with the rule's reason.
func TestDeliverSettlesDropsThroughTheStore(t *testing.T) {
	st := newFakeOutbox()
	d := newTestDeliverer(st, &fakePoster{})
	st.pending = []store.Delivery{{ID: 7, SubscriptionID: 1, Subscription: store.Subscription{ID: 1, Rules: store.Rules{Exclude: "x"}},
		Article: testArticle("x marks the spot", "s.")}}
	if _, err := d.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.dropped[7] != `dropped (filtered): excluded by "x"` {
		t.Errorf("drop reasons %v", st.dropped)
	}
}

func TestRenderLookOverrides(t *testing.T) {
	g := store.DefaultGuildSettings("g", 3)
	a := testArticle("Title", "One.|Two.|Three.")
	a.ImageURL = "https://news.example.com/i.png"
	no := false
	m := mustCompile(t, store.Rules{Color: 0xFF0000, Image: &no, Sentences: 2}).render(a, "Wire", g, false)
	if m.Embed == nil || m.Embed.Color != 0xFF0000 || m.Embed.Image != nil || m.Embed.Description != "One. Two." {
		t.Errorf("embed = %+v", m.Embed)
	}
	if m.Content != "" || m.MentionRoles != nil {
		t.Errorf("content %q roles %v, want none", m.Content, m.MentionRoles)
	}
	m = mustCompile(t, store.Rules{Format: store.FormatText}).render(a, "Wire", g, false)
	if m.Embed != nil || !strings.HasPrefix(m.Content, "**Title** · Wire") || !strings.Contains(m.Content, "One. Two. Three.") {
		t.Errorf("text override = %q", m.Content)
	}
	// Without a template, a text post looks as it does without rules.
	g.Format = store.FormatText
	if got, want := mustCompile(t, store.Rules{Include: "title"}).render(a, "Wire", g, false), render(a, "Wire", g); !reflect.DeepEqual(got, want) {
		t.Errorf("text post with rules = %q, without %q", got.Content, want.Content)
	}
}

func TestRenderTemplateEscapesFeedText(t *testing.T) {
	g := store.DefaultGuildSettings("g", 3)
	g.Format = store.FormatText
	a := testArticle("**Big** news @everyone", "Read [this](https://evil.example) <@&1> now.")
	a.Link = "https://news.example.com/a_(b)?q=<x>"
	rs := mustCompile(t, store.Rules{MentionRole: "42", Template: "{mention} **{title}** by {author}\n{summary}\n<{link}> {published}"})
	m := rs.render(a, "Wire", g, true)
	want := `<@&42> **\*\*Big\*\* news @` + "\u200b" + `everyone** by Ann Writer` + "\n" +
		`Read \[this\]\(https\://evil.example\) \<@` + "\u200b" + `&1\> now.` + "\n" +
		"<https://news.example.com/a_%28b%29?q=%3Cx%3E> <t:1796029200:f>"
	if m.Content != want {
		t.Errorf("template post =\n%s\nwant\n%s", m.Content, want)
	}
	if !reflect.DeepEqual(m.MentionRoles, []string{"42"}) {
		t.Errorf("roles %v", m.MentionRoles)
	}
	// Not pinged: {mention} is empty and its line does not linger.
	if m := rs.render(a, "Wire", g, false); strings.Contains(m.Content, "<@&42>") || strings.HasPrefix(m.Content, " ") || m.MentionRoles != nil {
		t.Errorf("post without a ping = %q roles %v", m.Content, m.MentionRoles)
	}
}

func TestRenderFitsDiscordWithAMention(t *testing.T) {
	g := store.DefaultGuildSettings("g", 10)
	g.Format = store.FormatText
	long := strings.Repeat("The council met for hours to discuss the budget. ", 8)
	var sents []string
	for range 10 {
		sents = append(sents, strings.TrimSpace(long))
	}
	a := testArticle("A long day", strings.Join(sents, "|"))
	for _, tmpl := range []string{"", "**{title}**\n{summary}\n<{link}>"} {
		rs := mustCompile(t, store.Rules{MentionRole: "42", Template: tmpl})
		m := rs.render(a, "Wire", g, true)
		if n := rules.Width(m.Content); n > maxContent {
			t.Errorf("template %q: %d characters", tmpl, n)
		}
		if !strings.HasPrefix(m.Content, "<@&42>\n") || !strings.Contains(m.Content, "<https://news.example.com/a?id=1>") {
			t.Errorf("template %q: the mention or the link was lost:\n%s", tmpl, m.Content)
		}
		if tmpl != "" && !strings.Contains(m.Content, "budget. …") {
			t.Errorf("template %q: not cut at a sentence:\n%s", tmpl, m.Content)
		}
	}
}

// editRequest is /feed edit with options, as Discord sends it.
func editRequest(guildID string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *request {
	return &request{guildID: guildID, sub: "edit", ic: &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: guildID,
		Data: discordgo.ApplicationCommandInteractionData{Name: "feed", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "edit", Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts,
		}}},
	}}}
}

func opt(name string, typ discordgo.ApplicationCommandOptionType, v any) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: v}
}

func TestEditedRules(t *testing.T) {
	b := &Bot{}
	s, i, bo := discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionBoolean
	cur := store.Rules{Include: "old", Exclude: "ads", MentionRole: "7", WebhookName: "Old"}
	got, err := b.editedRules(editRequest("g",
		opt("clear", s, "all"), opt("include", s, ` Title : Quake ,, "rock, paper" `),
		opt("mention", discordgo.ApplicationCommandOptionRole, "42"), opt("template", s, `**{title}**\n{summary}`),
		opt("color", s, "#abc"), opt("image", bo, false), opt("daily_limit", i, float64(25)), opt("thread", bo, true),
		opt("webhook_avatar", s, "https://example.com/logo.png"), opt("tag", s, " Breaking "),
	), cur)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := store.Rules{Include: `title:Quake, "rock, paper"`, MentionRole: "42", Template: "**{title}**\n{summary}",
		Color: 0xAABBCC, Image: &no, DailyLimit: 25, Thread: true, WebhookAvatar: "https://example.com/logo.png", ForumTag: "Breaking"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edited = %+v\nwant %+v", got, want)
	}
	// clear: one rule at a time.
	full := store.Rules{Include: "x", Thread: true, ForumTag: "World", DailyLimit: 9, WebhookName: "W"}
	for _, c := range []struct {
		clear string
		want  store.Rules
	}{
		{"thread", store.Rules{Include: "x", ForumTag: "World", DailyLimit: 9, WebhookName: "W"}},
		{"tag", store.Rules{Include: "x", Thread: true, DailyLimit: 9, WebhookName: "W"}},
		{"daily_limit", store.Rules{Include: "x", Thread: true, ForumTag: "World", WebhookName: "W"}},
	} {
		if got, err := b.editedRules(editRequest("g", opt("clear", s, c.clear)), full); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("clear:%s = %+v, %v; want %+v", c.clear, got, err, c.want)
		}
	}
	// Only the options given change.
	got, err = b.editedRules(editRequest("g", opt("exclude", s, "sponsored")), cur)
	if err != nil || got.Exclude != "sponsored" || got.Include != "old" || got.MentionRole != "7" {
		t.Errorf("edited = %+v, %v", got, err)
	}
	for _, c := range []struct {
		o    *discordgo.ApplicationCommandInteractionDataOption
		want string
	}{
		{opt("include", s, "quake, /a(/"), "I couldn't use `include`: term 2 \"/a(/\": invalid regex: missing closing ). Nothing was changed."},
		{opt("template", s, "{titel}"), "I couldn't use `template`: unknown placeholder {titel}; valid placeholders are {title} {summary} {link} {source} {author} {published} {mention}. Nothing was changed."},
		{opt("webhook_avatar", s, "http://example.com/a.png"), "`webhook_avatar` must be an https:// address of an image, such as https://example.com/logo.png."},
		{opt("webhook_name", s, "Discord News"), "Discord doesn't allow \"clyde\" or \"discord\" in a webhook's name."},
		{opt("mention", discordgo.ApplicationCommandOptionRole, "g"), "Pick a role to ping: feeds never ping @everyone."},
		{opt("color", s, "red"), "I couldn't use `color`: color \"red\": 'r' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0."},
	} {
		_, err := b.editedRules(editRequest("g", c.o), cur)
		if err == nil || userMessage(err) != c.want {
			t.Errorf("%s=%v: %v\nwant %s", c.o.Name, c.o.Value, err, c.want)
		}
	}
}

func TestRulesSummaryAndLines(t *testing.T) {
	no := false
	sub := store.Subscription{ChannelID: "c", Rules: store.Rules{Include: "quake", MentionRole: "42", MentionWhen: "tsunami",
		Format: store.FormatText, Image: &no, DailyLimit: 25, Template: "a ``` b"}, DroppedFiltered: 3, DroppedDaily: 2}
	got := rulesSummary(sub)
	want := " · rules: include `quake`, 🔔 <@&42> when `tsunami`, text, no image, template, 25/day · dropped: 3 filtered, 2 over the daily limit"
	if got != want {
		t.Errorf("summary = %q\nwant %q", got, want)
	}
	if rulesSummary(store.Subscription{}) != "" {
		t.Errorf("a subscription without rules has a summary")
	}
	lines := strings.Join(ruleLines(sub, 4), "\n")
	for _, w := range []string{"• include: `quake`", "• mention: <@&42> when `tsunami`", "• look: format text · image hidden",
		"(4 in the last 24 hours)", "a `\u200b`` b"} {
		if !strings.Contains(lines, w) {
			t.Errorf("rule lines lack %q:\n%s", w, lines)
		}
	}
	if code("a`b") != "`` a`b ``" || code("x") != "`x`" {
		t.Errorf("code spans: %q %q", code("a`b"), code("x"))
	}
}

func TestBackupDetectAndParse(t *testing.T) {
	no := false
	bk := backup{Format: backupFormat, Version: 1, GuildID: "g", Subscriptions: []backupEntry{{
		FeedURL: "https://example.com/feed.xml", ChannelID: "c", Rules: store.Rules{Include: "quake", Image: &no},
	}}}
	data, _ := json.Marshal(bk)
	if !isBackup(append([]byte("\xef\xbb\xbf \n"), data...)) || isBackup([]byte(`<?xml version="1.0"?><opml/>`)) {
		t.Errorf("isBackup cannot tell JSON from OPML")
	}
	got, err := parseBackup(data)
	if err != nil || !reflect.DeepEqual(got, bk) {
		t.Errorf("parseBackup = %+v, %v", got, err)
	}
	for _, bad := range []string{`{"format":"other"}`, `{"format":"newsbot-subscriptions","version":9,"subscriptions":[{}]}`,
		`{"format":"newsbot-subscriptions","version":1,"subscriptions":[]}`, `{not json`} {
		if _, err := parseBackup([]byte(bad)); err == nil || !strings.Contains(userMessage(err), "backup") {
			t.Errorf("parseBackup(%s) = %v", bad, err)
		}
	}
}

func TestNewestItemsAndTestLines(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 30, h, 0, 0, 0, time.UTC) }
	items := []feeds.Item{{Title: "undated"}, {Title: "old", Published: at(1)}, {Title: "new", Published: at(3)}, {Title: "mid", Published: at(2)}}
	var got []string
	for _, it := range newestItems(items, 3) {
		got = append(got, it.Title)
	}
	if !reflect.DeepEqual(got, []string{"new", "mid", "old"}) {
		t.Errorf("newestItems = %v", got)
	}
	a := testArticle("Quake *hits*", "s.")
	for _, c := range []struct {
		v    verdict
		over bool
		want string
	}{
		{verdict{post: false, why: `excluded by "ads"`}, false, `🚫 **drop** · Quake \*hits\* — excluded by "ads"`},
		{verdict{post: true, why: "no include terms"}, true, `⏳ **drop: daily limit** · Quake \*hits\* — no include terms`},
		{verdict{post: true, mention: true, why: "no include terms", whyPing: "every post"}, false, `🔔 **post + ping <@&42>** · Quake \*hits\* — no include terms; every post`},
		{verdict{post: true, why: `matched include "quake"`}, false, `✅ **post** · Quake \*hits\* — matched include "quake"`},
	} {
		if got := testLine(a, c.v, c.over, "42"); got != c.want {
			t.Errorf("testLine(%+v, %v) = %q\nwant %q", c.v, c.over, got, c.want)
		}
	}
}
