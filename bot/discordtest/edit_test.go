package discordtest

import (
	"errors"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestEditAndDelete(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	breaking := s.AddRole(g.ID, "breaking", true)
	c := newClient(t, s, s.Token, 0, 1)

	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	m, err := c.ChannelMessageSendComplex(ch, &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{{Title: "Quake", URL: "https://example.com/a"}},
		AllowedMentions: none,
	})
	if err != nil {
		t.Fatal(err)
	}

	// An edit replaces the embeds and keeps what it does not name.
	embeds := []*discordgo.MessageEmbed{{Title: "Quake", Fields: []*discordgo.MessageEmbedField{{Name: "Also covered by", Value: "[BBC](https://bbc.example/a)"}}}}
	got, err := c.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: ch, ID: m.ID, Embeds: &embeds, AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.EditedTimestamp == nil || len(got.Embeds) != 1 || got.Embeds[0].Fields[0].Name != "Also covered by" {
		t.Fatalf("edit returned %+v", got)
	}
	edits, err := s.WaitEdits(ctx, ch, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := edits[0]; e.MessageID != m.ID || e.Content != nil || e.Embeds == nil || e.Message.Edits != 1 || e.WebhookID != "" {
		t.Fatalf("edit record %+v", e)
	}
	if cur, ok := s.Message(ch, m.ID); !ok || cur.Edits != 1 || cur.EditedAt.IsZero() || cur.Embeds[0].Fields[0].Value == "" {
		t.Fatalf("message after edit %+v", cur)
	}

	// An edit of the content without allowed_mentions parses it with the
	// defaults again: the role is pinged.
	got, err = c.ChannelMessageEdit(ch, m.ID, "<@&"+breaking.ID+"> Quake")
	if err != nil || len(got.MentionRoles) != 1 || got.MentionRoles[0] != breaking.ID {
		t.Fatalf("edit without allowed_mentions = %+v, %v", got, err)
	}
	only := &discordgo.MessageAllowedMentions{Roles: []string{breaking.ID}}
	other := s.AddRole(g.ID, "other", true)
	got, err = c.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: ch, ID: m.ID,
		Content: new("<@&" + breaking.ID + "> <@&" + other.ID + "> @everyone"), AllowedMentions: only})
	if err != nil || len(got.MentionRoles) != 1 || got.MentionRoles[0] != breaking.ID || got.MentionEveryone {
		t.Fatalf("edit allowing one role = %+v, %v", got, err)
	}
	if cur, _ := s.Message(ch, m.ID); cur.Edits != 3 || len(cur.MentionRoles) != 1 || cur.AllowedMentions == nil {
		t.Fatalf("message %+v", cur)
	}

	// Emptying a message is refused.
	if _, err := c.RequestWithBucketID("PATCH", discordgo.EndpointChannelMessage(ch, m.ID),
		map[string]any{"content": nil, "embeds": nil}, discordgo.EndpointChannelMessage(ch, "")); restCode(err) != codeEmptyMessage {
		t.Fatalf("emptying edit: %v", err)
	}

	// 429 and 502 are retried by discordgo; every attempt is counted.
	s.FailRoute(RouteEditMessage, 1, http.StatusTooManyRequests)
	before := s.Attempts(RouteEditMessage)
	if _, err := c.ChannelMessageEdit(ch, m.ID, "after 429"); err != nil {
		t.Fatal(err)
	}
	if n := s.Attempts(RouteEditMessage) - before; n != 2 {
		t.Fatalf("%d attempts", n)
	}

	// A moderator deletes the message: edits answer 404 Unknown Message.
	if !s.DeleteMessage(ch, m.ID) || s.DeleteMessage(ch, m.ID) {
		t.Fatal("DeleteMessage")
	}
	_, err = c.ChannelMessageEdit(ch, m.ID, "again")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusNotFound || re.Message == nil ||
		re.Message.Code != discordgo.ErrCodeUnknownMessage || re.Message.Message != "Unknown Message" {
		t.Fatalf("edit of a deleted message: %v", err)
	}
	if _, err := c.ChannelMessage(ch, m.ID); restCode(err) != codeUnknownMessage {
		t.Fatalf("GET deleted message: %v", err)
	}
	if _, ok := s.Message(ch, m.ID); ok || len(s.Messages(ch)) != 0 {
		t.Fatal("deleted message still listed")
	}
	if d := s.DeletedMessages(ch); len(d) != 1 || d[0].ID != m.ID || d[0].DeletedAt.IsZero() {
		t.Fatalf("deleted %+v", d)
	}
	if n := len(s.Edits(ch)); n != 4 {
		t.Fatalf("%d edits recorded", n)
	}
	if _, err := c.ChannelMessageEdit(ch, "1234", "x"); restCode(err) != codeUnknownMessage {
		t.Fatalf("edit of an unknown message: %v", err)
	}

	// GET messages: newest first, limit, before and after.
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		m, err := c.ChannelMessageSend(ch, text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if got, err := c.ChannelMessages(ch, 2, "", "", ""); err != nil || len(got) != 2 || got[0].Content != "three" || got[1].Content != "two" {
		t.Fatalf("list = %+v, %v", got, err)
	}
	if got, err := c.ChannelMessages(ch, 10, ids[2], "", ""); err != nil || len(got) != 2 || got[0].ID != ids[1] {
		t.Fatalf("before = %+v, %v", got, err)
	}
	if got, err := c.ChannelMessages(ch, 10, "", ids[0], ""); err != nil || len(got) != 2 || got[1].ID != ids[1] {
		t.Fatalf("after = %+v, %v", got, err)
	}

	// The bot deletes its own message.
	m2, err := c.ChannelMessageSend(ch, "short-lived")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChannelMessageDelete(ch, m2.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.ChannelMessageDelete(ch, m2.ID); restCode(err) != codeUnknownMessage {
		t.Fatalf("second delete: %v", err)
	}
	if len(s.DeletedMessages(ch)) != 2 || len(s.Messages(ch)) != 3 {
		t.Fatal("bot's delete not recorded")
	}
}
