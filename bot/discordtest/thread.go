package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Thread is a thread channel: started from a message, without one, or a
// forum post. Its messages are Messages(thread.ID).
type Thread struct {
	ID       string
	GuildID  string
	ParentID string // the text or forum channel
	Name     string
	Type     discordgo.ChannelType // 11 public, 12 private
	// OwnerID is the bot's user id, or the webhook's id for a forum post
	// made by a webhook execute with thread_name.
	OwnerID string
	// FromMessage is true for a thread started from a message, whose id
	// the thread shares. A forum post's first message shares it too.
	FromMessage         bool
	AppliedTags         []string
	AutoArchiveDuration int
	CreatedAt           time.Time
}

// Threads returns the threads of a channel (forum posts of a forum), oldest
// first.
func (s *Server) Threads(parentID string) []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Thread
	for _, c := range s.channels {
		if c.isThread() && c.parentID == parentID {
			out = append(out, c.thread())
		}
	}
	sort.Slice(out, func(i, j int) bool { return snowflakeLess(out[i].ID, out[j].ID) })
	return out
}

// WaitThreads waits until a channel has at least n threads and returns them.
func (s *Server) WaitThreads(ctx context.Context, parentID string, n int) ([]Thread, error) {
	return waitAtLeast(ctx, s, n, "threads in channel "+parentID, func() []Thread { return s.Threads(parentID) })
}

// DeleteThread deletes a thread (a forum post, say) as a moderator would:
// it and its messages are gone, requests on it answer 404 Unknown Channel
// (10003), and connected shards get a THREAD_DELETE. Its messages move to
// DeletedMessages(threadID). It reports whether there was such a thread.
func (s *Server) DeleteThread(threadID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.channels[threadID]
	if !ok || !th.isThread() {
		return false
	}
	now := time.Now()
	for _, m := range s.messages[threadID] {
		m.DeletedAt = now
		s.deleted[threadID] = append(s.deleted[threadID], m)
	}
	delete(s.messages, threadID)
	delete(s.channels, threadID)
	if p, ok := s.channels[th.parentID]; ok {
		for _, m := range s.messages[p.id] {
			if m.ThreadID == threadID {
				m.ThreadID = ""
				m.Flags &^= discordgo.MessageFlagsHasThread
			}
		}
	}
	s.broadcastLocked(th.guildID, "THREAD_DELETE", map[string]any{"id": th.id, "guild_id": th.guildID, "parent_id": th.parentID, "type": th.typ})
	s.notify()
	return true
}

func (c *channel) thread() Thread {
	return Thread{ID: c.id, GuildID: c.guildID, ParentID: c.parentID, Name: c.name, Type: c.typ, OwnerID: c.ownerID,
		FromMessage: c.fromMessage, AppliedTags: append([]string(nil), c.appliedTags...),
		AutoArchiveDuration: c.archiveDuration, CreatedAt: c.created}
}

// threadParams is the body of a thread start.
type threadParams struct {
	Name                *string         `json:"name"`
	AutoArchiveDuration int             `json:"auto_archive_duration"`
	Type                *int            `json:"type"`
	Invitable           *bool           `json:"invitable"`
	RateLimitPerUser    *int            `json:"rate_limit_per_user"`
	AppliedTags         []string        `json:"applied_tags"`
	Message             json.RawMessage `json:"message"`
}

func validateThreadName(path string, name *string) *apiError {
	if name == nil {
		return invalidForm(path, "This field is required")
	}
	if n := utf8.RuneCountInString(*name); n < 1 || n > 100 {
		return invalidForm(path, "Must be between 1 and 100 in length.")
	}
	return nil
}

func validateArchiveDuration(d int) *apiError {
	switch d {
	case 0, 60, 1440, 4320, 10080:
		return nil
	}
	return invalidForm("auto_archive_duration", "Value must be one of (60, 1440, 4320, 10080).")
}

// newThreadLocked creates a thread channel and sends THREAD_CREATE.
func (s *Server) newThreadLocked(id string, parent *channel, typ discordgo.ChannelType, name, ownerID string, archive int, tags []string) *channel {
	if archive == 0 {
		archive = 4320
		if parent.typ != discordgo.ChannelTypeGuildForum {
			archive = 1440
		}
	}
	th := &channel{id: id, guildID: parent.guildID, name: name, typ: typ, parentID: parent.id, ownerID: ownerID,
		archiveDuration: archive, appliedTags: append([]string(nil), tags...), created: time.Now()}
	s.channels[id] = th
	ev := s.threadJSON(th)
	ev["newly_created"] = true
	s.broadcastLocked(th.guildID, "THREAD_CREATE", ev)
	s.notify()
	return th
}

// countMessageLocked counts a message posted in a thread, as Discord does:
// message_count leaves out the first message of a forum post.
func (s *Server) countMessageLocked(c *channel, m *Message) {
	if !c.isThread() {
		return
	}
	c.totalSent++
	if m.ID != c.id {
		c.messageCount++
	}
}

// sendMessageCreateLocked sends MESSAGE_CREATE to the sessions that asked
// for guild messages.
func (s *Server) sendMessageCreateLocked(m *Message) {
	var ev map[string]any
	for _, se := range s.sessions {
		if se.owns(m.GuildID) && se.intents&discordgo.IntentGuildMessages != 0 {
			if ev == nil {
				ev = s.messageJSON(m, false)
				ev["guild_id"] = m.GuildID
			}
			s.dispatchLocked(se, "MESSAGE_CREATE", ev)
		}
	}
}

// startMessageThread is POST /channels/{channel}/messages/{msg}/threads.
func (s *Server) startMessageThread(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel")
	body, _, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteStartMessageThread) {
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
	if c.typ != discordgo.ChannelTypeGuildText {
		writeError(w, errChannelType)
		return
	}
	if perms&discordgo.PermissionCreatePublicThreads == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	m, _ := s.findMessageLocked(channelID, r.PathValue("msg"))
	if m == nil {
		writeError(w, errUnknownMessage)
		return
	}
	var p threadParams
	if e == nil {
		p, e = decodeThreadParams(body)
	}
	if e == nil {
		e = validateThreadName("name", p.Name)
	}
	if e == nil {
		e = validateArchiveDuration(p.AutoArchiveDuration)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	if m.ThreadID != "" {
		writeError(w, &apiError{http.StatusBadRequest, codeThreadExists, "A thread has already been created for this message", nil})
		return
	}
	th := s.newThreadLocked(m.ID, c, discordgo.ChannelTypeGuildPublicThread, *p.Name, s.BotUserID, p.AutoArchiveDuration, nil)
	th.fromMessage = true
	m.ThreadID = th.id
	m.Flags |= discordgo.MessageFlagsHasThread
	writeJSON(w, http.StatusCreated, s.threadJSON(th))
}

var errChannelType = &apiError{http.StatusBadRequest, codeInvalidChannelType, "Cannot execute action on this channel type", nil}

func decodeThreadParams(body []byte) (threadParams, *apiError) {
	var p threadParams
	if err := json.Unmarshal(body, &p); err != nil {
		return p, &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil}
	}
	return p, nil
}

// startThread is POST /channels/{channel}/threads: a thread without a
// message in a text channel, or a forum post.
func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel")
	body, ups, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteStartThread) {
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
	if c.typ != discordgo.ChannelTypeGuildText && c.typ != discordgo.ChannelTypeGuildForum {
		writeError(w, errChannelType)
		return
	}
	var p threadParams
	if e == nil {
		p, e = decodeThreadParams(body)
	}
	if e == nil {
		e = validateThreadName("name", p.Name)
	}
	if e == nil {
		e = validateArchiveDuration(p.AutoArchiveDuration)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	if c.typ == discordgo.ChannelTypeGuildForum {
		s.startForumPostLocked(w, c, perms, &p, ups)
		return
	}
	// Without a message, type defaults to PRIVATE_THREAD (API v9 and v10).
	typ := discordgo.ChannelTypeGuildPrivateThread
	if p.Type != nil {
		typ = discordgo.ChannelType(*p.Type)
	}
	need := int64(discordgo.PermissionCreatePrivateThreads)
	switch typ {
	case discordgo.ChannelTypeGuildPrivateThread:
	case discordgo.ChannelTypeGuildPublicThread:
		need = discordgo.PermissionCreatePublicThreads
	default:
		writeError(w, invalidForm("type", "Value must be one of (11, 12)."))
		return
	}
	if perms&need == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	th := s.newThreadLocked(s.newIDLocked(), c, typ, *p.Name, s.BotUserID, p.AutoArchiveDuration, nil)
	if p.Invitable != nil && typ == discordgo.ChannelTypeGuildPrivateThread {
		th.invitable = *p.Invitable
	} else {
		th.invitable = typ == discordgo.ChannelTypeGuildPrivateThread
	}
	writeJSON(w, http.StatusCreated, s.threadJSON(th))
}

// startForumPostLocked creates a forum post: a public thread and its first
// message, which shares the thread's id.
func (s *Server) startForumPostLocked(w http.ResponseWriter, forum *channel, perms int64, p *threadParams, ups []upload) {
	// Send Messages is what a forum post needs; Create Public Threads is
	// ignored.
	if perms&discordgo.PermissionSendMessages == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	if len(p.Message) == 0 || string(p.Message) == "null" {
		writeError(w, invalidForm("message", "This field is required"))
		return
	}
	mp, e := decodePayload(p.Message)
	if e != nil {
		e.prefix("message.")
		writeError(w, e)
		return
	}
	if mp.empty(len(ups)) {
		writeError(w, &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil})
		return
	}
	if e := validateTags(forum, p.AppliedTags); e != nil {
		writeError(w, e)
		return
	}
	if mp.Flags != nil {
		mp.Flags = new(*mp.Flags & (discordgo.MessageFlagsSuppressEmbeds | discordgo.MessageFlagsSuppressNotifications))
	}
	id := s.newIDLocked()
	th := s.newThreadLocked(id, forum, discordgo.ChannelTypeGuildPublicThread, *p.Name, s.BotUserID, p.AutoArchiveDuration, p.AppliedTags)
	m := s.newMessageLocked(mp, ups, th.id, th.guildID)
	m.ID = id
	s.mentionsLocked(m, perms&discordgo.PermissionMentionEveryone != 0)
	s.messages[th.id] = append(s.messages[th.id], m)
	s.countMessageLocked(th, m)
	s.sendMessageCreateLocked(m)
	out := s.threadJSON(th)
	out["message"] = s.messageJSON(m, false)
	writeJSON(w, http.StatusCreated, out)
}
