package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestThreads(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	c := newClient(t, s, s.Token, 0, 1)
	threads := make(chan *discordgo.ThreadCreate, 10)
	c.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadCreate) { threads <- e })
	c.open(t)
	recv(t, ctx, c.guilds)

	m, err := c.ChannelMessageSendComplex(ch, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "Quake"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MessageThreadStart(ch, m.ID, strings.Repeat("n", 101), 60); restCode(err) != codeInvalidFormBody {
		t.Fatalf("101-character name: %v", err)
	}
	th, err := c.MessageThreadStart(ch, m.ID, strings.Repeat("n", 100), 1440)
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != m.ID || th.Type != discordgo.ChannelTypeGuildPublicThread || th.ParentID != ch || th.OwnerID != s.BotUserID ||
		th.ThreadMetadata == nil || th.ThreadMetadata.AutoArchiveDuration != 1440 || th.GuildID != g.ID {
		t.Fatalf("thread %+v", th)
	}
	if ev := recv(t, ctx, threads); ev.ID != th.ID || !ev.NewlyCreated {
		t.Fatalf("THREAD_CREATE %+v", ev.Channel)
	}
	if _, err := c.MessageThreadStart(ch, m.ID, "again", 60); restCode(err) != codeThreadExists {
		t.Fatalf("second thread on a message: %v", err)
	}
	if _, err := c.MessageThreadStart(ch, "1234", "none", 60); restCode(err) != codeUnknownMessage {
		t.Fatalf("thread on an unknown message: %v", err)
	}
	if got, err := c.ChannelMessage(ch, m.ID); err != nil || got.Thread == nil || got.Thread.ID != th.ID || got.Flags&discordgo.MessageFlagsHasThread == 0 {
		t.Fatalf("starter message %+v, %v", got, err)
	}
	if cur, _ := s.Message(ch, m.ID); cur.ThreadID != th.ID {
		t.Fatalf("Message.ThreadID %q", cur.ThreadID)
	}

	// The thread is a channel: GET, post into it, the state knows it.
	if got, err := c.Channel(th.ID); err != nil || got.Type != discordgo.ChannelTypeGuildPublicThread || got.ParentID != ch {
		t.Fatalf("GET thread = %+v, %v", got, err)
	}
	if _, err := c.ChannelMessageSend(th.ID, "first reply"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Channel(th.ID); err != nil || got.MessageCount != 1 {
		t.Fatalf("message_count %+v, %v", got, err)
	}
	if st, err := c.State.Channel(th.ID); err != nil || st.ParentID != ch {
		t.Fatalf("state thread %+v, %v", st, err)
	}
	if perms, err := c.State.UserChannelPermissions(s.BotUserID, th.ID); err != nil || perms&discordgo.PermissionSendMessagesInThreads == 0 {
		t.Fatalf("state permissions in the thread %b, %v", perms, err)
	}

	// Without a message: private by default (API v9/v10), public on request.
	priv, err := c.ThreadStartComplex(ch, &discordgo.ThreadStart{Name: "private"})
	if err != nil || priv.Type != discordgo.ChannelTypeGuildPrivateThread {
		t.Fatalf("thread without message = %+v, %v", priv, err)
	}
	pub, err := c.ThreadStart(ch, "public", discordgo.ChannelTypeGuildPublicThread, 60)
	if err != nil || pub.Type != discordgo.ChannelTypeGuildPublicThread || pub.ID == "" {
		t.Fatalf("public thread = %+v, %v", pub, err)
	}
	if ths, err := s.WaitThreads(ctx, ch, 3); err != nil || !ths[0].FromMessage || ths[1].FromMessage || ths[2].Name != "public" {
		t.Fatalf("threads %+v, %v", ths, err)
	}

	// A shard connecting later gets the threads in GUILD_CREATE.
	late := newClient(t, s, s.Token, 0, 1)
	late.open(t)
	if gc := recv(t, ctx, late.guilds); len(gc.Threads) != 3 || gc.Threads[0].ID != th.ID || gc.Threads[0].ParentID != ch {
		t.Fatalf("GUILD_CREATE threads %+v", gc.Threads)
	}

	// Without Create Public Threads: 403 Missing Permissions.
	s.SetBotOverwrite(ch, 0, discordgo.PermissionCreatePublicThreads)
	m2, err := c.ChannelMessageSend(ch, "another")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MessageThreadStart(ch, m2.ID, "denied", 60); restCode(err) != codeMissingPermissions {
		t.Fatalf("thread without permission: %v", err)
	}
	// Without Send Messages in Threads, the thread refuses posts.
	s.SetBotOverwrite(ch, 0, discordgo.PermissionSendMessagesInThreads)
	if _, err := c.ChannelMessageSend(th.ID, "no"); restCode(err) != codeMissingPermissions {
		t.Fatalf("post in a thread without permission: %v", err)
	}
}

func TestForum(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	forum := s.AddForum(g.ID, "stories", "World", "Tech")
	c := newClient(t, s, s.Token, 0, 1)
	c.open(t)
	gc := recv(t, ctx, c.guilds)
	if len(gc.Channels) != 1 || gc.Channels[0].Type != discordgo.ChannelTypeGuildForum || len(gc.Channels[0].AvailableTags) != 2 {
		t.Fatalf("GUILD_CREATE channels %+v", gc.Channels)
	}

	// GET tells a forum from a text channel.
	fc, err := c.Channel(forum.ID)
	if err != nil || fc.Type != discordgo.ChannelTypeGuildForum || len(fc.AvailableTags) != 2 || fc.AvailableTags[1].Name != "Tech" ||
		fc.AvailableTags[1].ID != forum.TagID("Tech") {
		t.Fatalf("GET forum = %+v, %v", fc, err)
	}

	// A plain message is refused, as Discord does.
	_, err = c.ChannelMessageSend(forum.ID, "hello")
	var re *discordgo.RESTError
	if restCode(err) != codeNonTextChannel || !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("plain post in a forum: %v", err)
	}

	// A forum post: a public thread with the tag and its first message.
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	post, err := c.ForumThreadStartComplex(forum.ID,
		&discordgo.ThreadStart{Name: "Quake hits the coast", AppliedTags: []string{forum.TagID("World")}},
		&discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "Quake", URL: "https://example.com/q"}}, AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	if post.Type != discordgo.ChannelTypeGuildPublicThread || post.ParentID != forum.ID || post.Name != "Quake hits the coast" ||
		len(post.AppliedTags) != 1 || post.AppliedTags[0] != forum.TagID("World") {
		t.Fatalf("post %+v", post)
	}
	msgs := s.Messages(post.ID)
	if len(msgs) != 1 || msgs[0].ID != post.ID || msgs[0].Embeds[0].Title != "Quake" || msgs[0].AllowedMentions == nil {
		t.Fatalf("first message %+v", msgs)
	}
	// The answer nests the message, as Discord's does.
	raw, err := c.RequestWithBucketID("POST", discordgo.EndpointChannelThreads(forum.ID), map[string]any{
		"name": "Second", "message": map[string]any{"content": "text post"}}, discordgo.EndpointChannelThreads(forum.ID))
	if err != nil {
		t.Fatal(err)
	}
	var withMsg struct {
		ID      string            `json:"id"`
		Message discordgo.Message `json:"message"`
	}
	if err := json.Unmarshal(raw, &withMsg); err != nil || withMsg.Message.ID != withMsg.ID || withMsg.Message.Content != "text post" {
		t.Fatalf("nested message %s, %v", raw, err)
	}
	// The first message is edited like any message of the bot's.
	if _, err := c.ChannelMessageEdit(post.ID, post.ID, "edited"); err != nil {
		t.Fatal(err)
	}
	if e := s.Edits(post.ID); len(e) != 1 {
		t.Fatalf("edits %+v", e)
	}
	if ths := s.Threads(forum.ID); len(ths) != 2 || ths[0].ID != post.ID || ths[0].AppliedTags[0] != forum.TagID("World") {
		t.Fatalf("threads %+v", ths)
	}

	// A moderator deletes the post: its first message is gone with it.
	if !s.DeleteThread(post.ID) || s.DeleteThread(post.ID) {
		t.Fatal("DeleteThread")
	}
	if _, err := c.ChannelMessageEdit(post.ID, post.ID, "edited again"); restCode(err) != codeUnknownChannel {
		t.Fatalf("edit in a deleted post: %v", err)
	}
	if d := s.DeletedMessages(post.ID); len(d) != 1 || d[0].ID != post.ID {
		t.Fatalf("deleted %+v", d)
	}
	if ths := s.Threads(forum.ID); len(ths) != 1 {
		t.Fatalf("threads after delete %+v", ths)
	}

	// Refusals: unknown tag, no message, a required tag missing, a name too long.
	if _, err := c.ForumThreadStartComplex(forum.ID, &discordgo.ThreadStart{Name: "x", AppliedTags: []string{"1"}},
		&discordgo.MessageSend{Content: "x"}); restCode(err) != codeInvalidFormBody {
		t.Fatalf("unknown tag: %v", err)
	}
	if _, err := c.ThreadStart(forum.ID, "no message", discordgo.ChannelTypeGuildPublicThread, 0); restCode(err) != codeInvalidFormBody {
		t.Fatalf("forum post without message: %v", err)
	}
	if _, err := c.ForumThreadStart(forum.ID, strings.Repeat("n", 101), 0, "x"); restCode(err) != codeInvalidFormBody {
		t.Fatalf("long name: %v", err)
	}
	if _, err := c.ForumThreadStart(forum.ID, "empty", 0, ""); restCode(err) != codeEmptyMessage {
		t.Fatalf("empty first message: %v", err)
	}
	s.SetForumRequireTag(forum.ID, true)
	if _, err := c.ForumThreadStart(forum.ID, "untagged", 0, "x"); restCode(err) != codeTagRequired {
		t.Fatalf("required tag: %v", err)
	}
	// Send Messages is what a forum post needs.
	s.SetBotOverwrite(forum.ID, 0, discordgo.PermissionSendMessages)
	if _, err := c.ForumThreadStartComplex(forum.ID, &discordgo.ThreadStart{Name: "x", AppliedTags: []string{forum.TagID("Tech")}},
		&discordgo.MessageSend{Content: "x"}); restCode(err) != codeMissingPermissions {
		t.Fatalf("forum post without Send Messages: %v", err)
	}
}
