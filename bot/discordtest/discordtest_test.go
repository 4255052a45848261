package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// rewriteTransport sends what discordgo addresses to https://discord.com to
// the double, as the bot's own transport does.
type rewriteTransport struct{ base *url.URL }

func (t rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "discord.com" {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, ""
	}
	return http.DefaultTransport.RoundTrip(r)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// client is a real discordgo session pointed at the double, with its
// events fed into channels.
type client struct {
	*discordgo.Session
	guilds       chan *discordgo.GuildCreate
	interactions chan *discordgo.InteractionCreate
	channelUpd   chan *discordgo.ChannelUpdate
}

func newClient(t *testing.T, s *Server, token string, shardID, shardCount int) *client {
	t.Helper()
	sess, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(s.URL)
	sess.Client = &http.Client{Transport: rewriteTransport{base}, Timeout: 10 * time.Second}
	sess.Identify.Intents = discordgo.IntentsGuilds
	sess.ShardID, sess.ShardCount = shardID, shardCount
	sess.LogLevel = -1
	c := &client{Session: sess,
		guilds:       make(chan *discordgo.GuildCreate, 100),
		interactions: make(chan *discordgo.InteractionCreate, 100),
		channelUpd:   make(chan *discordgo.ChannelUpdate, 100),
	}
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildCreate) { c.guilds <- e })
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) { c.interactions <- e })
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.ChannelUpdate) { c.channelUpd <- e })
	return c
}

func (c *client) open(t *testing.T) {
	t.Helper()
	if err := c.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
}

func recv[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		var zero T
		t.Fatalf("waiting for %T: %v", zero, ctx.Err())
		return zero
	}
}

func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return -1
}

func TestReadyStateCommandsAndMessages(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("Readers")
	news := s.AddChannel(g.ID, "news")
	locked := s.AddChannel(g.ID, "locked")
	s.SetBotCanPost(locked, false)

	c := newClient(t, s, s.Token, 0, 1)
	c.open(t)
	if err := s.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	gc := recv(t, ctx, c.guilds)
	if gc.ID != g.ID || len(gc.Channels) != 2 {
		t.Fatalf("GUILD_CREATE = %s with %d channels", gc.ID, len(gc.Channels))
	}
	if c.State.User.ID != s.BotUserID || !c.State.User.Bot || c.State.Application.ID != s.AppID {
		t.Fatalf("READY user %+v application %+v", c.State.User, c.State.Application)
	}
	if ss := s.Sessions(); len(ss) != 1 || ss[0].Intents != discordgo.IntentsGuilds || ss[0].Shard != [2]int{0, 1} {
		t.Fatalf("sessions %+v", ss)
	}
	perms, err := c.State.UserChannelPermissions(s.BotUserID, news)
	if err != nil || perms&discordgo.PermissionSendMessages == 0 || perms&discordgo.PermissionEmbedLinks == 0 {
		t.Fatalf("bot perms in #news = %b, %v", perms, err)
	}
	perms, err = c.State.UserChannelPermissions(s.BotUserID, locked)
	if err != nil || perms&discordgo.PermissionSendMessages != 0 {
		t.Fatalf("bot perms in #locked = %b, %v", perms, err)
	}
	// A change reaches connected shards as CHANNEL_UPDATE.
	s.SetBotCanPost(locked, true)
	recv(t, ctx, c.channelUpd)
	if perms, _ = c.State.UserChannelPermissions(s.BotUserID, locked); perms&discordgo.PermissionSendMessages == 0 {
		t.Fatalf("after SetBotCanPost(true): %b", perms)
	}
	s.SetBotCanPost(locked, false)
	recv(t, ctx, c.channelUpd)

	// Commands: one bulk overwrite; ids kept across overwrites by name.
	perm := int64(discordgo.PermissionManageGuild)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "feed", Description: "Manage feeds", DefaultMemberPermissions: &perm, Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Subscribe", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Feed URL", Required: true},
			}},
		}},
		{Name: "latest", Description: "Latest articles"},
	}
	got, err := c.ApplicationCommandBulkOverwrite(s.AppID, "", cmds)
	if err != nil || len(got) != 2 || got[0].ID == "" || got[0].ApplicationID != s.AppID {
		t.Fatalf("bulk overwrite = %+v, %v", got, err)
	}
	again, err := c.ApplicationCommandBulkOverwrite(s.AppID, "", cmds[:1])
	if err != nil || again[0].ID != got[0].ID || len(s.Commands("")) != 1 || len(s.Commands(g.ID)) != 0 {
		t.Fatalf("second overwrite = %+v, %v; stored %d", again, err, len(s.Commands("")))
	}
	if *s.Commands("")[0].DefaultMemberPermissions != perm {
		t.Fatal("default_member_permissions lost")
	}
	if _, err := c.ApplicationCommandBulkOverwrite(s.AppID, "", []*discordgo.ApplicationCommand{{Name: "Bad Name", Description: "x"}}); restCode(err) != codeInvalidFormBody {
		t.Fatalf("invalid name: %v", err)
	}

	// Messages.
	m, err := c.ChannelMessageSendComplex(news, &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{{Title: "Hello", URL: "https://example.com/a", Description: "Summary."}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil || m.ID == "" || m.ChannelID != news || m.Author.ID != s.BotUserID {
		t.Fatalf("send = %+v, %v", m, err)
	}
	msgs, err := s.WaitMessages(ctx, news, 1)
	if err != nil || msgs[0].Embeds[0].Title != "Hello" || msgs[0].AllowedMentions == nil || len(msgs[0].AllowedMentions.Parse) != 0 {
		t.Fatalf("stored %+v, %v", msgs, err)
	}

	// Nonce with enforce_nonce: the second post returns the first message.
	type nonced struct {
		Content      string `json:"content"`
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
	var first, second discordgo.Message
	for _, dst := range []*discordgo.Message{&first, &second} {
		body, err := c.RequestWithBucketID("POST", discordgo.EndpointChannelMessages(news), nonced{"once", "d-42", true}, discordgo.EndpointChannelMessages(news))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, dst); err != nil {
			t.Fatal(err)
		}
	}
	if first.ID != second.ID || len(s.Messages(news)) != 2 || s.Messages(news)[1].Nonce != "d-42" || !s.Messages(news)[1].EnforceNonce {
		t.Fatalf("nonce: %s vs %s, %d messages", first.ID, second.ID, len(s.Messages(news)))
	}
	if _, err := c.RequestWithBucketID("POST", discordgo.EndpointChannelMessages(news), nonced{"x", strings.Repeat("n", 26), true}, discordgo.EndpointChannelMessages(news)); restCode(err) != codeInvalidFormBody {
		t.Fatalf("26-char nonce: %v", err)
	}

	// Errors that do not heal.
	if _, err := c.ChannelMessageSend(locked, "hi"); restCode(err) != codeMissingAccess {
		t.Fatalf("locked: %v", err)
	}
	s.DenyChannel(news, codeUnknownChannel)
	if _, err := c.ChannelMessageSend(news, "hi"); restCode(err) != codeUnknownChannel {
		t.Fatalf("unknown channel: %v", err)
	}
	if _, err := c.Channel(news); restCode(err) != codeUnknownChannel {
		t.Fatalf("GET channel: %v", err)
	}
	s.DenyChannel(news, 0)
	if ch, err := c.Channel(news); err != nil || ch.GuildID != g.ID || ch.Name != "news" {
		t.Fatalf("GET channel = %+v, %v", ch, err)
	}
	if _, err := c.ChannelMessageSendComplex(news, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("t", 257)}}}); restCode(err) != codeInvalidFormBody {
		t.Fatalf("long title: %v", err)
	}
	if _, err := c.ChannelMessageSend(news, ""); restCode(err) != codeEmptyMessage {
		t.Fatalf("empty: %v", err)
	}
	if u, err := c.User("@me"); err != nil || u.ID != s.BotUserID {
		t.Fatalf("users/@me = %+v, %v", u, err)
	}
	if gb, err := c.GatewayBot(); err != nil || gb.Shards != 1 || !strings.HasPrefix(gb.URL, "ws://127.0.0.1:") {
		t.Fatalf("gateway/bot = %+v, %v", gb, err)
	}
}

func TestRawHTTP(t *testing.T) {
	t.Parallel()
	s := New(t, WithMessageRateLimit(5, time.Second))
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "c")
	do := func(method, path, auth, body string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	if resp, m := do("GET", "/api/v9/nothing/here", "Bot "+s.Token, ""); resp.StatusCode != 404 || m["message"] != "404: Not Found" || m["code"] != 0.0 {
		t.Fatalf("unknown route: %d %v", resp.StatusCode, m)
	}
	if resp, _ := do("POST", "/api/v9/channels/"+ch+"/messages", "Bot nope", `{"content":"x"}`); resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	if resp, _ := do("POST", "/api/v10/channels/"+ch+"/messages", s.Token, `{"content":"x"}`); resp.StatusCode != 401 {
		t.Fatalf("token without Bot prefix: %d", resp.StatusCode)
	}
	resp, m := do("POST", "/api/v10/channels/"+ch+"/messages", "Bot "+s.Token, `{"content":"x","nonce":123,"enforce_nonce":true}`)
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "5" || resp.Header.Get("X-RateLimit-Remaining") != "4" ||
		resp.Header.Get("X-RateLimit-Bucket") == "" || resp.Header.Get("X-RateLimit-Reset-After") == "" || m["nonce"] != 123.0 {
		t.Fatalf("post: %d %v %v", resp.StatusCode, resp.Header, m)
	}
	for i := 0; i < 4; i++ {
		do("POST", "/api/v10/channels/"+ch+"/messages", "Bot "+s.Token, `{"content":"y"}`)
	}
	resp, m = do("POST", "/api/v10/channels/"+ch+"/messages", "Bot "+s.Token, `{"content":"z"}`)
	if resp.StatusCode != 429 || m["retry_after"] == nil || m["global"] != false || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %v", resp.StatusCode, m)
	}
	if n := len(s.Messages(ch)); n != 5 || s.MessagePosts() != 6 {
		t.Fatalf("%d messages, %d posts", n, s.MessagePosts())
	}
	if log := s.RequestLog(); len(log) != 9 || log[len(log)-1].Status != 429 {
		t.Fatalf("request log %+v", log)
	}
	ch2 := s.AddChannel(g.ID, "c2")
	if resp, m := do("POST", "/api/v9/channels/"+ch2+"/messages", "Bot "+s.Token,
		`{"content":"x","allowed_mentions":{"parse":["users"],"users":["1"]}}`); resp.StatusCode != 400 || m["code"] != 50035.0 || m["errors"] == nil {
		t.Fatalf("conflicting allowed_mentions: %d %v", resp.StatusCode, m)
	}
	if resp, _ := do("GET", "/api/v9/gateway", "", ""); resp.StatusCode != 200 {
		t.Fatalf("GET /gateway without a token: %d", resp.StatusCode)
	}
}

func TestFailuresAreRetried(t *testing.T) {
	t.Parallel()
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "c")
	c := newClient(t, s, s.Token, 0, 1)

	// discordgo waits retry_after on 429 and retries 502 by itself.
	s.FailMessages(2, http.StatusTooManyRequests)
	if _, err := c.ChannelMessageSend(ch, "after 429s"); err != nil {
		t.Fatal(err)
	}
	s.FailMessages(1, http.StatusBadGateway)
	if _, err := c.ChannelMessageSend(ch, "after 502"); err != nil {
		t.Fatal(err)
	}
	if s.MessagePosts() != 5 || len(s.Messages(ch)) != 2 {
		t.Fatalf("%d posts, %d messages", s.MessagePosts(), len(s.Messages(ch)))
	}
	// 500 is the caller's to retry.
	s.FailMessages(1, http.StatusInternalServerError)
	_, err := c.ChannelMessageSend(ch, "lost?")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != 500 {
		t.Fatalf("500: %v", err)
	}
	if _, err := c.ChannelMessageSend(ch, "retried"); err != nil || len(s.Messages(ch)) != 3 {
		t.Fatalf("retry after 500: %v", err)
	}
}

func TestInteractions(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "c")
	other := s.AddChannel(g.ID, "other")
	c := newClient(t, s, s.Token, 0, 1)
	c.open(t)
	_, err := c.ApplicationCommandBulkOverwrite(s.AppID, g.ID, []*discordgo.ApplicationCommand{
		{Name: "feed", Description: "Feeds", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "URL", Required: true},
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where"},
			}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: "Feed", Required: true, Autocomplete: true},
			}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "import", Description: "Import", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "OPML", Required: true},
			}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "nope"}); err == nil {
		t.Fatal("unregistered command accepted")
	}

	// A deferred, ephemeral reply edited with a file, then a follow-up.
	in, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "feed",
		Permissions: MemberPermissions | discordgo.PermissionManageGuild,
		Options:     []*discordgo.ApplicationCommandInteractionDataOption{SubCommand("add", StringOpt("url", "https://example.com/feed"), ChannelOpt("channel", other))}})
	if err != nil {
		t.Fatal(err)
	}
	ic := recv(t, ctx, c.interactions)
	if ic.ID != in.ID || ic.AppID != s.AppID || ic.GuildID != g.ID || ic.ChannelID != ch || ic.Member.User.ID != in.UserID {
		t.Fatalf("interaction %+v", ic.Interaction)
	}
	if ic.Member.Permissions&discordgo.PermissionManageGuild == 0 || ic.AppPermissions&discordgo.PermissionSendMessages == 0 {
		t.Fatalf("permissions %b app %b", ic.Member.Permissions, ic.AppPermissions)
	}
	data := ic.ApplicationCommandData()
	sub := data.Options[0]
	if data.Name != "feed" || sub.Name != "add" || sub.GetOption("url").StringValue() != "https://example.com/feed" ||
		sub.GetOption("channel").ChannelValue(nil).ID != other || data.Resolved.Channels[other].Name != "other" {
		t.Fatalf("data %+v", data)
	}
	if err := c.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}); err != nil {
		t.Fatal(err)
	}
	cb, err := in.WaitCallback(ctx)
	if err != nil || cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !cb.Ephemeral() {
		t.Fatalf("callback %+v, %v", cb, err)
	}
	if orig, _ := in.Original(); !orig.Deferred {
		t.Fatalf("original before edit %+v", orig)
	}
	if err := c.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "twice"}}); restCode(err) != codeAlreadyAcknowledged {
		t.Fatalf("second callback: %v", err)
	}
	content := "Subscribed."
	if _, err := c.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content,
		Files: []*discordgo.File{{Name: "feeds.opml", ContentType: "text/x-opml", Reader: strings.NewReader("<opml/>")}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := in.WaitResponse(ctx)
	if err != nil || resp.Content != content || !resp.Ephemeral() || len(resp.Files) != 1 || string(resp.Files[0].Data) != "<opml/>" || resp.Edits != 1 {
		t.Fatalf("response %+v, %v", resp, err)
	}
	if got, err := c.InteractionResponse(ic.Interaction); err != nil || got.Content != content || len(got.Attachments) != 1 {
		t.Fatalf("GET @original = %+v, %v", got, err)
	}
	if _, err := c.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "more"}); err != nil {
		t.Fatal(err)
	}
	if fs, err := in.WaitFollowups(ctx, 1); err != nil || fs[0].Content != "more" {
		t.Fatalf("followups %+v, %v", fs, err)
	}

	// Autocomplete.
	ac, err := s.Interact(ctx, InteractionSpec{Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: g.ID, ChannelID: ch,
		Command: "feed", Options: []*discordgo.ApplicationCommandInteractionDataOption{SubCommand("remove", Focused(StringOpt("feed", "exa")))}})
	if err != nil {
		t.Fatal(err)
	}
	ic = recv(t, ctx, c.interactions)
	if ic.Type != discordgo.InteractionApplicationCommandAutocomplete || !ic.ApplicationCommandData().Options[0].Options[0].Focused {
		t.Fatalf("autocomplete %+v", ic.Interaction)
	}
	if err := c.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "example.com", Value: "1"}}}}); err != nil {
		t.Fatal(err)
	}
	if cb, err := ac.WaitCallback(ctx); err != nil || len(cb.Choices) != 1 || cb.Choices[0].Name != "example.com" {
		t.Fatalf("autocomplete callback %+v, %v", cb, err)
	}

	// An attachment option, fetched from the double, answered at once.
	att := s.AddAttachment("in.opml", "text/x-opml", []byte("<opml version=\"2.0\"/>"))
	imp, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "feed",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{SubCommand("import", AttachmentOpt("file", att.ID))}})
	if err != nil {
		t.Fatal(err)
	}
	ic = recv(t, ctx, c.interactions)
	ra := ic.ApplicationCommandData().Resolved.Attachments[att.ID]
	if ra == nil {
		t.Fatal("attachment not resolved")
	}
	r, err := http.Get(ra.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !bytes.Equal(body, []byte("<opml version=\"2.0\"/>")) || r.Header.Get("Content-Type") != "text/x-opml" {
		t.Fatalf("attachment body %q", body)
	}
	if err := c.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "Imported 0 feeds.", Files: []*discordgo.File{{Name: "report.txt", Reader: strings.NewReader("ok")}}}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := imp.WaitResponse(ctx); err != nil || resp.Content != "Imported 0 feeds." || resp.Ephemeral() || string(resp.Files[0].Data) != "ok" {
		t.Fatalf("import response %+v, %v", resp, err)
	}
}

func TestUnansweredInteractionExpires(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t, WithCallbackDeadline(100*time.Millisecond))
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "c")
	c := newClient(t, s, s.Token, 0, 1)
	c.open(t)
	if _, err := c.ApplicationCommandBulkOverwrite(s.AppID, "", []*discordgo.ApplicationCommand{{Name: "latest", Description: "x"}}); err != nil {
		t.Fatal(err)
	}
	in, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	ic := recv(t, ctx, c.interactions)
	if _, err := in.WaitCallback(ctx); !errors.Is(err, errExpired) {
		t.Fatalf("WaitCallback = %v", err)
	}
	err = c.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "late"}})
	if restCode(err) != codeUnknownInteraction {
		t.Fatalf("late callback: %v", err)
	}
}

func TestDropConnectionsResumes(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "c")
	c := newClient(t, s, s.Token, 0, 1)
	resumed := make(chan struct{}, 10)
	c.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { resumed <- struct{}{} })
	c.open(t)
	if _, err := c.ApplicationCommandBulkOverwrite(s.AppID, "", []*discordgo.ApplicationCommand{{Name: "latest", Description: "x"}}); err != nil {
		t.Fatal(err)
	}
	recv(t, ctx, c.guilds)

	s.DropConnections()
	if err := s.Wait(ctx, func() bool { return s.Connected() == 0 }); err != nil {
		t.Fatal(err)
	}
	// An interaction while disconnected waits in the session for the resume.
	in, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, ctx, resumed)
	if ic := recv(t, ctx, c.interactions); ic.ID != in.ID {
		t.Fatalf("got interaction %s, want %s", ic.ID, in.ID)
	}
	if s.Identifies() != 1 || s.Resumes() != 1 {
		t.Fatalf("identifies %d resumes %d", s.Identifies(), s.Resumes())
	}
	if err := s.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
}

func TestShardsGetOnlyTheirGuilds(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g0 := s.AddGuildForShard("zero", 0, 2)
	g1 := s.AddGuildForShard("one", 1, 2)
	if ShardOf(g0.ID, 2) != 0 || ShardOf(g1.ID, 2) != 1 {
		t.Fatalf("shard ids %s %s", g0.ID, g1.ID)
	}
	ch1 := s.AddChannel(g1.ID, "c")
	c0 := newClient(t, s, s.Token, 0, 2)
	c1 := newClient(t, s, s.Token, 1, 2)
	c0.open(t)
	c1.open(t)
	if err := s.WaitReady(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if gc := recv(t, ctx, c0.guilds); gc.ID != g0.ID {
		t.Fatalf("shard 0 got %s", gc.ID)
	}
	if gc := recv(t, ctx, c1.guilds); gc.ID != g1.ID {
		t.Fatalf("shard 1 got %s", gc.ID)
	}
	if len(c0.State.Guilds) != 1 || len(c1.State.Guilds) != 1 {
		t.Fatalf("state guilds %d %d", len(c0.State.Guilds), len(c1.State.Guilds))
	}
	// A guild added later goes to its shard only.
	g2 := s.AddGuildForShard("late", 0, 2)
	if gc := recv(t, ctx, c0.guilds); gc.ID != g2.ID {
		t.Fatalf("shard 0 got %s", gc.ID)
	}
	if _, err := c1.ApplicationCommandBulkOverwrite(s.AppID, "", []*discordgo.ApplicationCommand{{Name: "latest", Description: "x"}}); err != nil {
		t.Fatal(err)
	}
	in, err := s.Interact(ctx, InteractionSpec{GuildID: g1.ID, ChannelID: ch1, Command: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	if ic := recv(t, ctx, c1.interactions); ic.ID != in.ID {
		t.Fatal("wrong interaction")
	}
	select {
	case ic := <-c0.interactions:
		t.Fatalf("shard 0 got interaction %s", ic.ID)
	case <-c0.guilds:
		t.Fatal("shard 0 got a guild")
	default:
	}
}

func TestGatewayRefusals(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := newClient(t, s, "wrong", 0, 1)
	err := c.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeAuthFailed {
		t.Fatalf("Open with a bad token = %v", err)
	}
	c = newClient(t, s, s.Token, 0, 1)
	c.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentMessageContent
	err = c.Open()
	if !errors.As(err, &ce) || ce.Code != closeDisallowedIntents {
		t.Fatalf("Open with a privileged intent = %v", err)
	}
	if s.Identifies() != 0 {
		t.Fatal("refused identify counted")
	}
}

func TestReconnectInvalidateAndCleanClose(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	s.AddGuild("g")
	c := newClient(t, s, s.Token, 0, 1)
	c.open(t)
	recv(t, ctx, c.guilds)

	// Op 7: discordgo closes with 1012 and resumes.
	s.RequestReconnect()
	if err := s.Wait(ctx, func() bool { return s.Resumes() == 1 && s.Connected() == 1 }); err != nil {
		t.Fatalf("resumes %d: %v", s.Resumes(), err)
	}
	// Op 9: discordgo identifies again on the same connection.
	s.InvalidateSessions()
	if err := s.Wait(ctx, func() bool { return s.Identifies() == 2 && s.Connected() == 1 }); err != nil {
		t.Fatalf("identifies %d: %v", s.Identifies(), err)
	}
	recv(t, ctx, c.guilds)
	// A clean close (1000) ends the session: nothing is left to resume.
	c.Close()
	if err := s.Wait(ctx, func() bool { return len(s.Sessions()) == 0 }); err != nil {
		t.Fatalf("sessions %+v: %v", s.Sessions(), err)
	}
	if err := c.Open(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(ctx, func() bool { return s.Identifies() == 3 && s.Connected() == 1 }); err != nil {
		t.Fatalf("identifies %d resumes %d: %v", s.Identifies(), s.Resumes(), err)
	}
}
