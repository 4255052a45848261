package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestWebhooks(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	c := newClient(t, s, s.Token, 0, 1)

	// A member's webhook: listed, but its token is not the bot's to see.
	theirs := s.AddWebhook(ch, "Their hook")

	wh, err := c.WebhookCreate(ch, "newsbot", "data:image/png;base64,iVBORw0KGgo=")
	if err != nil {
		t.Fatal(err)
	}
	if wh.ID == "" || wh.Token == "" || wh.ChannelID != ch || wh.GuildID != g.ID || wh.ApplicationID != s.AppID ||
		wh.User == nil || wh.User.ID != s.BotUserID || wh.Type != discordgo.WebhookTypeIncoming || wh.Avatar == "" {
		t.Fatalf("created %+v", wh)
	}
	list, err := c.ChannelWebhooks(ch)
	if err != nil || len(list) != 2 || list[0].ID != theirs.ID || list[0].Token != "" || list[1].Token != wh.Token {
		t.Fatalf("GET webhooks = %+v, %v", list, err)
	}
	if got := s.Webhooks(ch); len(got) != 2 || got[1].Token != wh.Token {
		t.Fatalf("Webhooks %+v", got)
	}
	if _, err := c.WebhookCreate(ch, "My Discord feed", ""); restCode(err) != codeInvalidFormBody {
		t.Fatalf("name with discord: %v", err)
	}

	// Execute with wait: the message carries the name and avatar given.
	m, err := c.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{
		Content: "<@&" + g.EveryoneRoleID + "> Quake", Username: "Reuters", AvatarURL: "https://example.com/reuters.png",
		Embeds:          []*discordgo.MessageEmbed{{Title: "Quake"}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.WebhookID != wh.ID || m.Author == nil || m.Author.ID != wh.ID || m.Author.Username != "Reuters" || !m.Author.Bot || m.ChannelID != ch {
		t.Fatalf("executed %+v author %+v", m, m.Author)
	}
	msgs, err := s.WaitMessages(ctx, ch, 1)
	if err != nil || msgs[0].WebhookID != wh.ID || msgs[0].Username != "Reuters" || msgs[0].AvatarURL != "https://example.com/reuters.png" ||
		msgs[0].AuthorID != wh.ID || len(msgs[0].MentionRoles) != 0 {
		t.Fatalf("stored %+v, %v", msgs, err)
	}
	// Without wait: 204 and no message in return; the webhook's name by default.
	if m2, err := c.WebhookExecute(wh.ID, wh.Token, false, &discordgo.WebhookParams{Content: "no wait"}); err != nil || m2 != nil {
		t.Fatalf("execute without wait = %+v, %v", m2, err)
	}
	if msgs := s.Messages(ch); len(msgs) != 2 || msgs[1].Username != "newsbot" {
		t.Fatalf("messages %+v", msgs)
	}

	// Edit through the webhook; the bot's own edit route refuses it.
	content := "Quake (updated)"
	edited, err := c.WebhookMessageEdit(wh.ID, wh.Token, m.ID, &discordgo.WebhookEdit{Content: &content})
	if err != nil || edited.Content != content || edited.EditedTimestamp == nil || edited.Author.Username != "Reuters" {
		t.Fatalf("webhook edit = %+v, %v", edited, err)
	}
	if e := s.Edits(ch); len(e) != 1 || e[0].WebhookID != wh.ID || *e[0].Content != content {
		t.Fatalf("edits %+v", e)
	}
	if _, err := c.ChannelMessageEdit(ch, m.ID, "by the bot"); restCode(err) != codeCannotEditOthers {
		t.Fatalf("bot edit of a webhook message: %v", err)
	}

	// Bad token: 401 Invalid Webhook Token; unknown webhook: 404.
	_, err = c.WebhookExecute(wh.ID, "nope", true, &discordgo.WebhookParams{Content: "x"})
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || restCode(err) != codeInvalidWebhookToken {
		t.Fatalf("bad token: %v", err)
	}
	if _, err := c.WebhookMessageEdit(wh.ID, "nope", m.ID, &discordgo.WebhookEdit{Content: &content}); restCode(err) != codeInvalidWebhookToken {
		t.Fatalf("edit with a bad token: %v", err)
	}
	// A moderator deletes the message: the webhook edit answers 404.
	s.DeleteMessage(ch, m.ID)
	if _, err := c.WebhookMessageEdit(wh.ID, wh.Token, m.ID, &discordgo.WebhookEdit{Content: &content}); restCode(err) != codeUnknownMessage {
		t.Fatalf("edit of a deleted webhook message: %v", err)
	}
	if !s.DeleteWebhook(wh.ID) {
		t.Fatal("DeleteWebhook")
	}
	if _, err := c.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "x"}); restCode(err) != codeUnknownWebhook {
		t.Fatalf("deleted webhook: %v", err)
	}
	if n := s.Attempts(RouteExecuteWebhook); n != 4 {
		t.Fatalf("%d execute attempts", n)
	}

	// Without Manage Webhooks: 403 Missing Permissions, to create or list.
	s.SetBotPermissions(g.ID, BotPermissions&^discordgo.PermissionManageWebhooks)
	if _, err := c.WebhookCreate(ch, "newsbot", ""); restCode(err) != codeMissingPermissions {
		t.Fatalf("create without Manage Webhooks: %v", err)
	}
	if _, err := c.ChannelWebhooks(ch); restCode(err) != codeMissingPermissions {
		t.Fatalf("list without Manage Webhooks: %v", err)
	}
	s.SetBotPermissions(g.ID, BotPermissions)
	other := s.AddChannel(g.ID, "other")
	s.SetBotOverwrite(other, 0, discordgo.PermissionManageWebhooks)
	if _, err := c.WebhookCreate(other, "newsbot", ""); restCode(err) != codeMissingPermissions {
		t.Fatalf("create with Manage Webhooks denied in the channel: %v", err)
	}
	if _, err := c.WebhookCreate(ch, "newsbot", ""); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookThreadsAndForum(t *testing.T) {
	t.Parallel()
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	forum := s.AddForum(g.ID, "stories", "World", "Tech")
	c := newClient(t, s, s.Token, 0, 1)

	// A webhook on a forum: a post needs thread_name (or thread_id).
	fh, err := c.WebhookCreate(forum.ID, "newsbot", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WebhookExecute(fh.ID, fh.Token, true, &discordgo.WebhookParams{Content: "x"}); restCode(err) != codeForumNeedsThread {
		t.Fatalf("forum execute without thread_name: %v", err)
	}
	// applied_tags is not in discordgo's WebhookParams: send it raw.
	uri := discordgo.EndpointWebhookToken(fh.ID, fh.Token) + "?wait=true"
	body := map[string]any{"content": "Quake", "username": "Reuters", "thread_name": "Quake hits the coast",
		"applied_tags": []string{forum.TagID("World")}}
	if _, err := c.RequestWithBucketID("POST", uri, body, uri); err != nil {
		t.Fatal(err)
	}
	posts := s.Threads(forum.ID)
	if len(posts) != 1 || posts[0].Name != "Quake hits the coast" || posts[0].OwnerID != fh.ID || posts[0].AppliedTags[0] != forum.TagID("World") {
		t.Fatalf("forum posts %+v", posts)
	}
	first := s.Messages(posts[0].ID)
	if len(first) != 1 || first[0].ID != posts[0].ID || first[0].Username != "Reuters" {
		t.Fatalf("first message %+v", first)
	}
	// Editing it needs thread_id, as on Discord.
	content := "Quake (updated)"
	if _, err := c.WebhookMessageEdit(fh.ID, fh.Token, first[0].ID, &discordgo.WebhookEdit{Content: &content}); restCode(err) != codeUnknownMessage {
		t.Fatalf("edit without thread_id: %v", err)
	}
	editURI := discordgo.EndpointWebhookMessage(fh.ID, fh.Token, first[0].ID) + "?thread_id=" + url.QueryEscape(posts[0].ID)
	if _, err := c.RequestWithBucketID("PATCH", editURI, map[string]any{"content": content}, editURI); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message(posts[0].ID, first[0].ID); m.Content != content {
		t.Fatalf("after edit %+v", m)
	}

	// A webhook on a text channel posts into its thread with thread_id.
	wh, err := c.WebhookCreate(ch, "newsbot", "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.ChannelMessageSend(ch, "discuss")
	if err != nil {
		t.Fatal(err)
	}
	th, err := c.MessageThreadStart(ch, m.ID, "Discussion", 60)
	if err != nil {
		t.Fatal(err)
	}
	if tm, err := c.WebhookThreadExecute(wh.ID, wh.Token, true, th.ID, &discordgo.WebhookParams{Content: "in thread"}); err != nil || tm.ChannelID != th.ID {
		t.Fatalf("thread execute = %+v, %v", tm, err)
	}
	if _, err := c.WebhookThreadExecute(wh.ID, wh.Token, true, posts[0].ID, &discordgo.WebhookParams{Content: "elsewhere"}); restCode(err) != codeUnknownChannel {
		t.Fatalf("thread of another channel: %v", err)
	}
	if _, err := c.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "x", ThreadName: "t"}); restCode(err) != codeThreadsOnlyInForums {
		t.Fatalf("thread_name on a text channel: %v", err)
	}
	if len(s.Messages(th.ID)) != 1 {
		t.Fatal("thread message not stored")
	}
}

func TestWebhookRawHTTP(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t, WithMessageRateLimit(100, time.Minute))
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	c := newClient(t, s, s.Token, 0, 1)
	wh, err := c.WebhookCreate(ch, "newsbot", "")
	if err != nil {
		t.Fatal(err)
	}
	post := func(query, body string) (int, map[string]any) {
		resp, err := http.Post(s.URL+"/api/v10/webhooks/"+wh.ID+"/"+wh.Token+query, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	// No Authorization needed; nonce means nothing to a webhook.
	if st, m := post("?wait=true", `{"content":"a","nonce":"n1","enforce_nonce":true}`); st != 200 || m["webhook_id"] != wh.ID {
		t.Fatalf("execute: %d %v", st, m)
	}
	if st, _ := post("?wait=true", `{"content":"a","nonce":"n1","enforce_nonce":true}`); st != 200 || len(s.Messages(ch)) != 2 {
		t.Fatalf("a repeated nonce is not deduplicated for webhooks: %d, %d messages", st, len(s.Messages(ch)))
	}
	if st, _ := post("", `{"content":"b"}`); st != http.StatusNoContent {
		t.Fatalf("without wait: %d", st)
	}
	if st, m := post("?wait=true", `{"content":"x","username":"Clyde News"}`); st != 400 || m["code"] != float64(codeInvalidFormBody) {
		t.Fatalf("username with clyde: %d %v", st, m)
	}
	if st, m := post("?wait=true", `{}`); st != 400 || m["code"] != float64(codeEmptyMessage) {
		t.Fatalf("empty: %d %v", st, m)
	}
	// 502 is retried by discordgo; the attempts are counted.
	s.FailRoute(RouteExecuteWebhook, 1, http.StatusBadGateway)
	before := s.Attempts(RouteExecuteWebhook)
	if _, err := c.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "after 502"}); err != nil {
		t.Fatal(err)
	}
	if n := s.Attempts(RouteExecuteWebhook) - before; n != 2 {
		t.Fatalf("%d attempts", n)
	}
	if _, err := s.WaitMessages(ctx, ch, 4); err != nil {
		t.Fatal(err)
	}
	// A deleted channel takes its webhooks with it.
	s.DenyChannel(ch, codeUnknownChannel)
	if st, m := post("?wait=true", `{"content":"gone"}`); st != 404 || m["code"] != float64(codeUnknownWebhook) {
		t.Fatalf("webhook of a deleted channel: %d %v", st, m)
	}
}
