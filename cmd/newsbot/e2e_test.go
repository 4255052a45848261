package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
)

// world is one end-to-end setup: the Discord double with a guild and a
// channel, a feed server, and a running bot.
type world struct {
	dc      *discordtest.Server
	fs      *feedServer
	guild   discordtest.Guild
	channel string
	bot     *runningBot
	env     env
}

func newWorld(t *testing.T, dbURL string) *world {
	t.Helper()
	w := &world{dc: discordtest.New(t), fs: newFeedServer(t)}
	w.guild = w.dc.AddGuild("Newsroom")
	w.channel = w.dc.AddChannel(w.guild.ID, "news")
	w.env = baseEnv(w.dc, dbURL)
	w.bot = startBot(t, w.env)
	if _, err := w.dc.WaitCommands(deadline(t), ""); err != nil {
		t.Fatalf("commands were never registered: %v", err)
	}
	return w
}

// admin runs a slash command as a member with Manage Server and waits for
// the final answer.
func (w *world) admin(t *testing.T, command string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
	t.Helper()
	return w.run(t, discordtest.InteractionSpec{Permissions: discordgo.PermissionManageGuild}, command, opts...)
}

func (w *world) run(t *testing.T, spec discordtest.InteractionSpec, command string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
	t.Helper()
	ctx := deadline(t)
	spec.GuildID, spec.Command, spec.Options = w.guild.ID, command, opts
	if spec.ChannelID == "" {
		spec.ChannelID = w.channel
	}
	in, err := w.dc.Interact(ctx, spec)
	if err != nil {
		t.Fatalf("/%s: %v", command, err)
	}
	m, err := in.WaitResponse(ctx)
	if err != nil {
		t.Fatalf("/%s: no answer: %v", command, err)
	}
	return m
}

// subscribe adds a feed to the world's channel and returns its URL.
func (w *world) subscribe(t *testing.T, name string, preexisting int) string {
	t.Helper()
	url := w.fs.addFeed(name, "The "+name+" Times")
	w.fs.publish(name, preexisting, false)
	m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url)))
	if !strings.Contains(m.Content, "is now subscribed") {
		t.Fatalf("/feed add answered %q", m.Content)
	}
	return url
}

// postedLinks counts the channel's posts per article link.
func postedLinks(msgs []discordtest.Message) map[string]int {
	n := map[string]int{}
	for _, m := range msgs {
		for _, e := range m.Embeds {
			n[e.URL]++
		}
	}
	return n
}

func TestE2E(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("AddFeedThenPostOnce", func(t *testing.T) { testAddFeedThenPostOnce(t, db(t)) })
			t.Run("CommandsAndPermissions", func(t *testing.T) { testCommands(t, db(t)) })
		})
	}
}

func testAddFeedThenPostOnce(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.fs.addFeed("world", "The World Times")
	w.fs.publish("world", 3, false)

	m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url)))
	if !m.Ephemeral() {
		t.Errorf("the /feed add confirmation is public; want ephemeral")
	}
	for _, want := range []string{"is now subscribed", "The World Times", "3 items"} {
		if !strings.Contains(m.Content, want) {
			t.Errorf("confirmation %q lacks %q", m.Content, want)
		}
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Description == "" {
		t.Fatalf("confirmation shows no preview embed of the newest item: %+v", m.Embeds)
	}

	// The back catalogue is never posted; a new item is, exactly once.
	fresh := w.fs.publish("world", 1, false)[0]
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 1)
	if err != nil {
		t.Fatalf("no post for the new item: %v", err)
	}
	e := msgs[0].Embeds
	if len(e) != 1 || e[0].URL != fresh.Link || !strings.Contains(e[0].Title, "Story") {
		t.Fatalf("post = %+v, want one embed for %s", msgs[0], fresh.Link)
	}
	if e[0].Description == "" || len(e[0].Description) >= len(fresh.Text) {
		t.Errorf("embed description is not a summary: %d chars of %d", len(e[0].Description), len(fresh.Text))
	}
	if e[0].Footer == nil || !strings.Contains(e[0].Footer.Text, "sentences") {
		t.Errorf("footer = %+v, want the sentences line", e[0].Footer)
	}
	if am := msgs[0].AllowedMentions; am == nil || len(am.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want nothing allowed", am)
	}
	if msgs[0].Nonce == "" || !msgs[0].EnforceNonce {
		t.Errorf("post has nonce %q enforce %v, want a nonce enforced", msgs[0].Nonce, msgs[0].EnforceNonce)
	}
	// Several more polls (304s) later, still exactly one post.
	path := "/feeds/world.xml"
	hits := w.fs.hitsOf(path)
	waitFor(ctx, t, "three more polls", func() bool { return w.fs.hitsOf(path) >= hits+3 })
	if got := w.dc.Messages(w.channel); len(got) != 1 {
		t.Fatalf("%d posts after more polls, want exactly 1", len(got))
	}
}

func testCommands(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	url := w.subscribe(t, "tech", 2)

	t.Run("member without Manage Server is refused", func(t *testing.T) {
		m := w.run(t, discordtest.InteractionSpec{NoPermissions: true}, "feed",
			discordtest.SubCommand("add", discordtest.StringOpt("url", w.fs.addFeed("other", "Other"))))
		if !m.Ephemeral() || !strings.Contains(m.Content, "Manage Server") {
			t.Fatalf("answer %q (ephemeral %v), want a refusal naming Manage Server", m.Content, m.Ephemeral())
		}
		m = w.run(t, discordtest.InteractionSpec{NoPermissions: true}, "settings", discordtest.IntOpt("sentences", 5))
		if !strings.Contains(m.Content, "Manage Server") {
			t.Fatalf("/settings answered %q to a member without Manage Server", m.Content)
		}
	})

	t.Run("already subscribed", func(t *testing.T) {
		m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url)))
		if !strings.Contains(m.Content, "already subscribed") {
			t.Fatalf("answer %q, want already subscribed", m.Content)
		}
	})

	t.Run("not a feed", func(t *testing.T) {
		m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", w.fs.srv.URL+"/nothing-here")))
		if strings.Contains(m.Content, "subscribed") || m.Content == "" {
			t.Fatalf("answer %q, want a refusal", m.Content)
		}
	})

	t.Run("latest finds a posted article", func(t *testing.T) {
		fresh := w.fs.publish("tech", 1, true)[0] // a teaser: the page is fetched
		if _, err := w.dc.WaitMessages(ctx, w.channel, 1); err != nil {
			t.Fatal(err)
		}
		word := strings.Fields(strings.TrimPrefix(fresh.Title, "Story "))[2]
		m := w.run(t, discordtest.InteractionSpec{}, "latest", discordtest.StringOpt("topic", word))
		if len(m.Embeds) == 0 || m.Embeds[0].URL != fresh.Link {
			t.Fatalf("/latest %q = %q %+v, want %s first", word, m.Content, m.Embeds, fresh.Link)
		}
		m = w.run(t, discordtest.InteractionSpec{}, "latest", discordtest.StringOpt("topic", "zyzzyvas"))
		if !strings.Contains(m.Content, "Nothing on") {
			t.Fatalf("/latest with no match answered %q", m.Content)
		}
	})

	t.Run("summarize a URL", func(t *testing.T) {
		link := w.fs.publish("tech", 1, false)[0].Link
		m := w.run(t, discordtest.InteractionSpec{}, "summarize", discordtest.StringOpt("url", link), discordtest.IntOpt("sentences", 2))
		if len(m.Embeds) != 1 || m.Embeds[0].Description == "" {
			t.Fatalf("/summarize = %q %+v", m.Content, m.Embeds)
		}
	})

	t.Run("list, export, remove", func(t *testing.T) {
		m := w.admin(t, "feed", discordtest.SubCommand("list"))
		if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "The tech Times") {
			t.Fatalf("/feed list = %q %+v", m.Content, m.Embeds)
		}
		m = w.admin(t, "feed", discordtest.SubCommand("export"))
		if len(m.Files) != 1 || !strings.Contains(string(m.Files[0].Data), url) {
			t.Fatalf("/feed export files = %+v", m.Files)
		}
		in, err := w.dc.Interact(ctx, discordtest.InteractionSpec{
			Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: w.guild.ID, ChannelID: w.channel,
			Command: "feed", Permissions: discordgo.PermissionManageGuild,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{
				discordtest.SubCommand("remove", discordtest.Focused(discordtest.StringOpt("feed", "tech")))},
		})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := in.WaitCallback(ctx)
		if err != nil || len(cb.Choices) != 1 {
			t.Fatalf("autocomplete = %+v, %v; want one choice", cb, err)
		}
		m = w.admin(t, "feed", discordtest.SubCommand("remove", discordtest.StringOpt("feed", fmt.Sprint(cb.Choices[0].Value))))
		if !strings.Contains(m.Content, "Removed") {
			t.Fatalf("/feed remove = %q", m.Content)
		}
		m = w.admin(t, "feed", discordtest.SubCommand("list"))
		if !strings.Contains(m.Content, "no feeds") {
			t.Fatalf("/feed list after remove = %q %+v", m.Content, m.Embeds)
		}
	})
}
