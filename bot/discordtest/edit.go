package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// editBucket is the X-RateLimit-Bucket of PATCH /channels/{id}/messages/{id}.
var editBucket = bucketHash(RouteEditMessage)

// Edit is one accepted edit of a channel message, through PATCH
// /channels/{channel}/messages/{message} or, for a webhook's message, PATCH
// /webhooks/{webhook}/{token}/messages/{message}.
type Edit struct {
	ChannelID string
	MessageID string
	WebhookID string // the webhook that edited its message; "" for the bot
	// Content, Embeds, AllowedMentions and Flags are as sent; nil means
	// the field was absent (a JSON null clears content or embeds and is
	// recorded as a pointer to the empty value).
	Content         *string
	Embeds          *[]*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           *discordgo.MessageFlags
	// Message is the message as the edit left it.
	Message Message
	At      time.Time
}

// Edits returns the accepted edits of messages in a channel (or thread),
// oldest first.
func (s *Server) Edits(channelID string) []Edit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Edit
	for _, e := range s.edits {
		if e.ChannelID == channelID {
			out = append(out, e)
		}
	}
	return out
}

// WaitEdits waits until the messages of a channel have been edited at least
// n times in all and returns the edits.
func (s *Server) WaitEdits(ctx context.Context, channelID string, n int) ([]Edit, error) {
	return waitAtLeast(ctx, s, n, "edits in channel "+channelID, func() []Edit { return s.Edits(channelID) })
}

// Message returns a message of a channel (or thread) as it stands; false
// when there is none, or it was deleted.
func (s *Server) Message(channelID, messageID string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _ := s.findMessageLocked(channelID, messageID)
	if m == nil {
		return Message{}, false
	}
	return m.clone(), true
}

// DeleteMessage deletes a message as a moderator would: it leaves
// Messages, later GETs and edits of it answer 404 Unknown Message (10008),
// and sessions with the GuildMessages intent get a MESSAGE_DELETE. It
// reports whether there was such a message.
func (s *Server) DeleteMessage(channelID, messageID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteMessageLocked(channelID, messageID)
}

// DeletedMessages returns the messages deleted from a channel, by a
// moderator (DeleteMessage) or by the bot, in the order of deletion.
func (s *Server) DeletedMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.deleted[channelID]))
	for _, m := range s.deleted[channelID] {
		out = append(out, m.clone())
	}
	return out
}

func (s *Server) findMessageLocked(channelID, messageID string) (*Message, int) {
	for i, m := range s.messages[channelID] {
		if m.ID == messageID {
			return m, i
		}
	}
	return nil, -1
}

func (s *Server) deleteMessageLocked(channelID, messageID string) bool {
	m, i := s.findMessageLocked(channelID, messageID)
	if m == nil {
		return false
	}
	msgs := s.messages[channelID]
	s.messages[channelID] = append(msgs[:i:i], msgs[i+1:]...)
	m.DeletedAt = time.Now()
	s.deleted[channelID] = append(s.deleted[channelID], m)
	if c, ok := s.channels[channelID]; ok && c.isThread() && c.messageCount > 0 && m.ID != c.id {
		c.messageCount--
	}
	ev := map[string]any{"id": m.ID, "channel_id": channelID, "guild_id": m.GuildID}
	for _, se := range s.sessions {
		if se.owns(m.GuildID) && se.intents&discordgo.IntentGuildMessages != 0 {
			s.dispatchLocked(se, "MESSAGE_DELETE", ev)
		}
	}
	s.notify()
	return true
}

var errUnknownMessage = &apiError{http.StatusNotFound, codeUnknownMessage, "Unknown Message", nil}

// editPayload decodes an edit body: the payload and the fields sent as
// JSON null.
func editPayload(body []byte) (*msgPayload, map[string]bool, *apiError) {
	p, e := decodePayload(body)
	if e != nil {
		return nil, nil, e
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	nulls := map[string]bool{}
	for k, v := range raw {
		if string(v) == "null" {
			nulls[k] = true
		}
	}
	return p, nulls, nil
}

// editLocked applies an edit as Discord does and records it: only Suppress
// Embeds can change among the flags, a null content or embeds clears it,
// the result must not be empty, and an edit of the content recomputes the
// mentions with the edit's allowed_mentions (absent = the defaults).
func (s *Server) editLocked(m *Message, p *msgPayload, nulls map[string]bool, ups []upload, webhookID string, canEveryone bool) *apiError {
	next := m.clone()
	flags := next.Flags
	q := *p
	q.Flags, q.AllowedMentions = nil, nil
	s.applyLocked(&next, &q, ups)
	if nulls["content"] {
		next.Content = ""
	}
	if nulls["embeds"] {
		next.Embeds = nil
	}
	if nulls["components"] {
		next.Components = nil
	}
	next.Flags = flags
	if p.Flags != nil {
		next.Flags = flags&^discordgo.MessageFlagsSuppressEmbeds | *p.Flags&discordgo.MessageFlagsSuppressEmbeds
	}
	contentEdited := p.Content != nil || nulls["content"]
	if contentEdited || p.AllowedMentions != nil {
		next.AllowedMentions = p.AllowedMentions
	}
	if next.Content == "" && len(next.Embeds) == 0 && len(next.Files) == 0 && len(next.Components) == 0 {
		return &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil}
	}
	if contentEdited {
		s.mentionsLocked(&next, canEveryone)
	}
	next.Edits++
	next.EditedAt = time.Now()
	*m = next
	e := Edit{ChannelID: m.ChannelID, MessageID: m.ID, WebhookID: webhookID, Content: p.Content,
		Embeds: p.Embeds, AllowedMentions: p.AllowedMentions, Flags: p.Flags, Message: m.clone(), At: m.EditedAt}
	if nulls["content"] {
		e.Content = new("")
	}
	if nulls["embeds"] {
		e.Embeds = &[]*discordgo.MessageEmbed{}
	}
	s.edits = append(s.edits, e)
	s.notify()
	return nil
}

// editMessage is PATCH /channels/{channel}/messages/{msg}.
func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel")
	body, ups, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteEditMessage) {
		return
	}
	c, ce := s.channelLocked(channelID)
	if ce != nil {
		writeError(w, ce)
		return
	}
	if !s.rateLimitLocked(w, "edit:"+channelID, editBucket) {
		return
	}
	perms := s.botPermsLocked(c)
	if perms&discordgo.PermissionViewChannel == 0 {
		writeError(w, channelErrors[codeMissingAccess])
		return
	}
	m, _ := s.findMessageLocked(channelID, r.PathValue("msg"))
	if m == nil {
		writeError(w, errUnknownMessage)
		return
	}
	if m.AuthorID != s.BotUserID {
		writeError(w, &apiError{http.StatusForbidden, codeCannotEditOthers, "Cannot edit a message authored by another user", nil})
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	p, nulls, e := editPayload(body)
	if e != nil {
		writeError(w, e)
		return
	}
	if e := s.editLocked(m, p, nulls, ups, "", perms&discordgo.PermissionMentionEveryone != 0); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, 200, s.messageJSON(m, false))
}

// deleteMessage is DELETE /channels/{channel}/messages/{msg}: the bot may
// delete its own messages, others' with Manage Messages.
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteDeleteMessage) {
		return
	}
	c, ce := s.channelLocked(channelID)
	if ce != nil {
		writeError(w, ce)
		return
	}
	perms := s.botPermsLocked(c)
	if perms&discordgo.PermissionViewChannel == 0 {
		writeError(w, channelErrors[codeMissingAccess])
		return
	}
	m, _ := s.findMessageLocked(channelID, r.PathValue("msg"))
	if m == nil {
		writeError(w, errUnknownMessage)
		return
	}
	if m.AuthorID != s.BotUserID && perms&discordgo.PermissionManageMessages == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	s.deleteMessageLocked(channelID, m.ID)
	w.WriteHeader(http.StatusNoContent)
}
