package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	dto "github.com/prometheus/client_model/go"

	"newsbot/bot/discordtest"
	"newsbot/store"
)

func feedCmd(sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return discordtest.SubCommand(sub, opts...)
}

// runImport runs /feed import with an attachment and waits for its final
// answer, past the progress edits.
func (tb *testBot) runImport(t *testing.T, attachmentID string) discordtest.Message {
	t.Helper()
	in := tb.interact(t, "feed", feedCmd("import", discordtest.AttachmentOpt("file", attachmentID)))
	m, err := in.WaitOriginal(testDeadline(t), func(m discordtest.Message) bool {
		return !m.Deferred && !strings.HasPrefix(m.Content, "Importing…")
	})
	if err != nil {
		t.Fatalf("/feed import: no answer: %v", err)
	}
	return m
}

// An import reports its progress in its reply as feeds finish (after a
// quiet start, so a quick one is answered in one go), and
// finishes every feed however long it takes: the 2-minute command timeout
// used to cut it short with "That took too long".
func TestImportProgressThenEveryFeed(t *testing.T) {
	tb := startTestBot(t)
	urls := []string{"https://a.example/feed", "https://b.example/feed", "https://c.example/feed"}
	for _, u := range urls {
		tb.src.add(u, "Feed at "+u, true)
	}
	att := tb.dc.AddAttachment("feeds.opml", "text/x-opml", opml(urls...))
	in := tb.interact(t, "feed", feedCmd("import", discordtest.AttachmentOpt("file", att.ID)))
	ctx := testDeadline(t)

	// Every Discover call is on its way before the clock moves, so that
	// the command's start is read from the clock before it does.
	waitUntil(ctx, t, "the feeds to be asked for", func() bool { return len(tb.src.askedFor()) == 3 })
	tb.clock.Advance(progressQuiet)
	tb.src.release(urls[0])
	if _, err := in.WaitOriginal(ctx, func(m discordtest.Message) bool { return strings.Contains(m.Content, "Importing… 1/3") }); err != nil {
		t.Fatal(err)
	}
	// Well past the old 2-minute budget, the rest answer.
	tb.clock.Advance(10 * time.Minute)
	tb.src.release(urls[1])
	tb.src.release(urls[2])
	m, err := in.WaitOriginal(ctx, func(m discordtest.Message) bool { return strings.Contains(m.Content, "Imported") })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Content, "Imported 3 of 3") {
		t.Fatalf("final answer %q, want every feed imported", m.Content)
	}
	if got := len(tb.store.feedURLs()); got != 3 {
		t.Errorf("%d subscriptions stored, want 3", got)
	}
	if msgs := tb.dc.Messages(tb.channel); len(msgs) != 0 {
		t.Errorf("the result went to the channel although the reply could still be edited: %q", msgs[0].Content)
	}
}

// An import that outlasts Discord's 15 minutes for editing the reply posts
// its result in the channel, mentioning the member.
func TestImportOutlastingTheReplyPostsInTheChannel(t *testing.T) {
	tb := startTestBot(t)
	urls := []string{"https://a.example/feed", "https://b.example/feed"}
	for _, u := range urls {
		tb.src.add(u, "Feed", true)
	}
	att := tb.dc.AddAttachment("feeds.opml", "text/x-opml", opml(append(urls, "https://nothing.example/")...))
	in := tb.interact(t, "feed", feedCmd("import", discordtest.AttachmentOpt("file", att.ID)))
	ctx := testDeadline(t)
	waitUntil(ctx, t, "the feeds to be asked for", func() bool { return len(tb.src.askedFor()) == 3 })
	tb.clock.Advance(20 * time.Minute)
	tb.src.releaseAll()
	msgs, err := tb.dc.WaitMessages(ctx, tb.channel, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if !strings.Contains(got.Content, "<@"+in.UserID+">") || !strings.Contains(got.Content, "Imported 2 of 3") {
		t.Fatalf("channel message %q, want the result with a mention of the member", got.Content)
	}
	if am := got.AllowedMentions; am == nil || len(am.Parse) != 0 || len(am.Users) != 1 || am.Users[0] != in.UserID {
		t.Errorf("allowed_mentions %+v, want only the member", got.AllowedMentions)
	}
	if m, _ := in.Original(); strings.Contains(m.Content, "Imported") {
		t.Errorf("the expired reply was edited: %q", m.Content)
	}
}

// /latest with five of the largest articles used to pass the 6,000
// characters all embeds of a message share: Discord refused the edit and
// the member was left on "thinking…".
func TestLatestLargestResultsFit(t *testing.T) {
	tb := startTestBot(t)
	for i := range 5 {
		a := hostile(i)
		a.Link = "https://example.com/" + strings.Repeat("p", 1800) + strconv.Itoa(i)
		a.Author = strings.Repeat("Ω", 300)
		tb.store.articles = append(tb.store.articles, a)
	}
	m := tb.run(t, "latest", discordtest.StringOpt("topic", strings.Repeat("topic ", 33)), discordtest.IntOpt("count", 5))
	if len(m.Embeds) != 5 {
		t.Fatalf("answer %q with %d embeds, want the 5 results", m.Content, len(m.Embeds))
	}
	if why := discordRefuses(m.Content, m.Embeds); why != "" {
		t.Errorf("the double took a message Discord would refuse: %s", why)
	}
	if m.Embeds[4].URL == "" || m.Embeds[4].Description == "" {
		t.Errorf("last result lost its link or summary: %+v", m.Embeds[4])
	}
}

// A feed whose URL is near 2,000 characters made the confirmation of
// /feed add longer than a message may be, after subscribing.
func TestFeedAddLongURLAnswers(t *testing.T) {
	tb := startTestBot(t)
	u := "https://example.com/" + strings.Repeat("a", 1970)
	tb.src.add(u, strings.Repeat("T", 300), false)
	m := tb.run(t, "feed", feedCmd("add", discordtest.StringOpt("url", u)))
	if !strings.Contains(m.Content, "is now subscribed") || utf8.RuneCountInString(m.Content) > maxContent {
		t.Fatalf("answer (%d characters) %q", utf8.RuneCountInString(m.Content), m.Content)
	}
}

// A user name and password in a URL are removed before anything is
// fetched, logged or stored, and the member is told.
func TestFeedAddStripsCredentials(t *testing.T) {
	tb := startTestBot(t)
	tb.src.add("https://example.com/feed", "Private", false)
	m := tb.run(t, "feed", feedCmd("add", discordtest.StringOpt("url", " https://reader:s3cr3t-pw@example.com/feed ")))
	if !strings.Contains(m.Content, "I removed the user name and password from the URL") || !strings.Contains(m.Content, "is now subscribed") {
		t.Fatalf("answer %q", m.Content)
	}
	// And when the feed fails, the member still hears about it.
	m = tb.run(t, "feed", feedCmd("add", discordtest.StringOpt("url", "https://reader:s3cr3t-pw@example.com/missing")))
	if !strings.Contains(m.Content, "I removed the user name and password") || !strings.Contains(m.Content, "No RSS") {
		t.Fatalf("answer %q", m.Content)
	}
	tb.run(t, "summarize", discordtest.StringOpt("url", "https://reader:s3cr3t-pw@example.com/page"))
	for where, text := range map[string]string{
		"reply": m.Content, "log": tb.logs.String(), "store": strings.Join(tb.store.feedURLs(), " "),
		"fetched": strings.Join(tb.src.askedFor(), " "),
	} {
		if strings.Contains(text, "s3cr3t") || strings.Contains(text, "reader:") {
			t.Errorf("the password reached the %s: %q", where, text)
		}
	}
	for _, m := range tb.dc.RequestLog() {
		if strings.Contains(m.Path, "s3cr3t") {
			t.Errorf("the password reached Discord: %s", m.Path)
		}
	}
}

func TestImportCredentialsRemoved(t *testing.T) {
	tb := startTestBot(t)
	tb.src.add("https://example.com/feed", "Private", false)
	att := tb.dc.AddAttachment("feeds.opml", "text/x-opml", opml("https://u:s3cr3t@example.com/feed"))
	m := tb.runImport(t, att.ID)
	if !strings.Contains(m.Content, "Imported 1 of 1") || !strings.Contains(m.Content, "removed the user name and password from 1") {
		t.Fatalf("answer %q", m.Content)
	}
	if urls := tb.store.feedURLs(); len(urls) != 1 || urls[0] != "https://example.com/feed" {
		t.Errorf("stored %q", urls)
	}
}

// A refused attachment used to answer "Something went wrong on my side".
func TestImportNonDiscordAttachment(t *testing.T) {
	tb := startTestBot(t)
	tb.b.attachments.Transport = attachmentTransport{next: tb.b.attachments.Transport, apiHost: "cdn.invalid:1"}
	att := tb.dc.AddAttachment("feeds.opml", "text/x-opml", opml("https://example.com/feed"))
	m := tb.runImport(t, att.ID)
	if m.Content != "That attachment isn't a Discord upload; attach the OPML file to the command." {
		t.Fatalf("answer %q", m.Content)
	}
}

// Each error of /feed import, /feed add and /summarize reads as a
// sentence for the member: no parser output, no Go error text.
func TestCommandErrorsInUsersWords(t *testing.T) {
	tb := startTestBot(t)
	raw := regexp.MustCompile(`feeds: |bot: |XML syntax|expected element|%!|<nil>|went wrong`)
	for name, file := range map[string]string{
		"broken XML": `<?xml version="1.0"?><opml><body><outline xmlUrl="x"></body>`,
		"not OPML":   `<rss version="2.0"><channel><title>x</title></channel></rss>`,
		"empty":      ``,
	} {
		att := tb.dc.AddAttachment("feeds.opml", "text/x-opml", []byte(file))
		m := tb.runImport(t, att.ID)
		if raw.MatchString(m.Content) || m.Content == "" {
			t.Errorf("%s: answer %q", name, m.Content)
		}
	}
	for _, u := range []string{"ftp://example.com/feed", "example.com/feed", "https://user:pw@[::1", "https://example.com/nothing"} {
		for _, cmd := range []string{"add", "preview"} {
			m := tb.run(t, "feed", feedCmd(cmd, discordtest.StringOpt("url", u)))
			if raw.MatchString(m.Content) || m.Content == "" {
				t.Errorf("/feed %s %s: answer %q", cmd, u, m.Content)
			}
		}
		m := tb.run(t, "summarize", discordtest.StringOpt("url", u))
		if u != "https://example.com/nothing" && (raw.MatchString(m.Content) || m.Content == "") {
			t.Errorf("/summarize %s: answer %q", u, m.Content)
		}
	}
}

// The registered ranges of integer options are those their descriptions
// promise ("(1-10)").
func TestCommandOptionRanges(t *testing.T) {
	b, err := New(Config{Token: "t", APIURL: "https://discord.com"}, newMemStore(), newFakeSources(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := regexp.MustCompile(`\((\d+)-(\d+)\)`)
	var walk func(path string, opts []*discordgo.ApplicationCommandOption)
	walk = func(path string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			walk(path+" "+o.Name, o.Options)
			if o.Type != discordgo.ApplicationCommandOptionInteger {
				continue
			}
			m := rng.FindStringSubmatch(o.Description)
			if m == nil {
				t.Errorf("%s %s: description %q names no range", path, o.Name, o.Description)
				continue
			}
			lo, _ := strconv.ParseFloat(m[1], 64)
			hi, _ := strconv.ParseFloat(m[2], 64)
			if o.MinValue == nil || *o.MinValue != lo || o.MaxValue != hi {
				t.Errorf("%s %s: registered %v-%v, description says %s", path, o.Name, o.MinValue, o.MaxValue, m[0])
			}
		}
	}
	for _, d := range b.defs {
		walk("/"+d.Name, d.Options)
	}
}

// newsbot_shards_ready counts connected shards: READY makes one, and a
// disconnect takes it away (it used to stay at the number opened).
func TestShardsReadyFollowsTheGateway(t *testing.T) {
	tb := startTestBot(t)
	ctx := testDeadline(t)
	waitUntil(ctx, t, "newsbot_shards_ready to be 1 after READY", func() bool { return tb.shardsReady(t) == 1 })
	if err := tb.b.sessions[0].Close(); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "newsbot_shards_ready to drop to 0 after the disconnect", func() bool { return tb.shardsReady(t) == 0 })
}

// A dropped connection that resumes is still one shard, not two.
func TestShardsReadyAfterResume(t *testing.T) {
	tb := startTestBot(t)
	ctx := testDeadline(t)
	waitUntil(ctx, t, "newsbot_shards_ready to be 1 after READY", func() bool { return tb.shardsReady(t) == 1 })
	tb.dc.DropConnections()
	if err := tb.dc.Wait(ctx, func() bool { return tb.dc.Resumes() >= 1 }); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "newsbot_shards_ready to be 1 after RESUMED", func() bool { return tb.shardsReady(t) == 1 })
}

func (tb *testBot) shardsReady(t *testing.T) float64 {
	var m dto.Metric
	if err := tb.b.metrics.ShardsOpen.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

// A subscription stored before user URLs were cleaned still holds its
// password: /feed list and /feed export show the feed without it.
func TestFeedListRedactsStoredPassword(t *testing.T) {
	tb := startTestBot(t)
	tb.store.subs = append(tb.store.subs, store.Subscription{ID: 1, GuildID: tb.guild.ID, ChannelID: tb.channel,
		Feed: store.Feed{URL: "https://reader:s3cr3t@example.com/feed?token=abc123", Title: "Old"}})
	m := tb.run(t, "feed", feedCmd("list"))
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "example.com/feed") {
		t.Fatalf("/feed list = %q %+v", m.Content, m.Embeds)
	}
	if d := m.Embeds[0].Description; strings.Contains(d, "s3cr3t") || strings.Contains(d, "abc123") {
		t.Errorf("/feed list shows a secret: %q", d)
	}
	m = tb.run(t, "feed", feedCmd("export"))
	if len(m.Files) != 1 || !strings.Contains(string(m.Files[0].Data), "https://example.com/feed") || strings.Contains(string(m.Files[0].Data), "s3cr3t") {
		t.Errorf("/feed export = %+v", m.Files)
	}
}

// When Discord refuses an answer anyway (here a timestamp it can't parse,
// which no limit covers), the member is told instead of being left on
// "thinking…".
func TestRefusedAnswerStillAnswers(t *testing.T) {
	tb := startTestBot(t)
	tb.b.byName["latest"].run = func(context.Context, *request) (*reply, error) {
		return &reply{Embeds: []*discordgo.MessageEmbed{{Title: "x", Timestamp: "yesterday"}}}, nil
	}
	m := tb.run(t, "latest", discordtest.StringOpt("topic", "x"))
	if !strings.Contains(m.Content, "Discord refused it") {
		t.Fatalf("answer %q", m.Content)
	}
}
