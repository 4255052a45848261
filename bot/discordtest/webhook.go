package discordtest

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Webhook is a channel webhook (type 1, Incoming).
type Webhook struct {
	ID        string
	ChannelID string
	GuildID   string
	Name      string
	// Avatar is the avatar hash when the webhook was created with an image.
	Avatar string
	// Token is the secret of POST /webhooks/{id}/{token}.
	Token string
	// ApplicationID is the bot's application for the webhooks it created,
	// "" for those of AddWebhook (made by a member). GET
	// /channels/{id}/webhooks only shows the token of the bot's own.
	ApplicationID string
	CreatorID     string
}

// Webhooks returns a channel's webhooks, oldest first.
func (s *Server) Webhooks(channelID string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, wh := range s.channelWebhooksLocked(channelID) {
		out = append(out, *wh)
	}
	return out
}

// AddWebhook adds a webhook to a channel as a member would (not owned by
// the bot's application, so GET /channels/{id}/webhooks hides its token).
func (s *Server) AddWebhook(channelID, name string) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChannel(channelID)
	wh := s.newWebhookLocked(c, name, "", s.guilds[c.guildID].OwnerID)
	return *wh
}

// DeleteWebhook deletes a webhook as an admin would: executing it then
// answers 404 Unknown Webhook (10015). It reports whether it existed.
func (s *Server) DeleteWebhook(webhookID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, ok := s.webhooks[webhookID]
	if ok {
		delete(s.webhooks, webhookID)
		s.webhooksUpdateLocked(wh)
	}
	return ok
}

func (s *Server) channelWebhooksLocked(channelID string) []*Webhook {
	var out []*Webhook
	for _, wh := range s.webhooks {
		if wh.ChannelID == channelID {
			out = append(out, wh)
		}
	}
	sortBy(out, func(wh *Webhook) string { return wh.ID })
	return out
}

func (s *Server) newWebhookLocked(c *channel, name, avatar, creator string) *Webhook {
	wh := &Webhook{ID: s.newIDLocked(), ChannelID: c.id, GuildID: c.guildID, Name: name, Avatar: avatar,
		Token: randHex(34), CreatorID: creator}
	if creator == s.BotUserID {
		wh.ApplicationID = s.AppID
	}
	s.webhooks[wh.ID] = wh
	s.webhooksUpdateLocked(wh)
	return wh
}

// webhooksUpdateLocked sends WEBHOOKS_UPDATE to the sessions that asked for
// the GuildWebhooks intent.
func (s *Server) webhooksUpdateLocked(wh *Webhook) {
	for _, se := range s.sessions {
		if se.owns(wh.GuildID) && se.intents&discordgo.IntentGuildWebhooks != 0 {
			s.dispatchLocked(se, "WEBHOOKS_UPDATE", map[string]any{"guild_id": wh.GuildID, "channel_id": wh.ChannelID})
		}
	}
	s.notify()
}

func (s *Server) webhookJSON(wh *Webhook, token, user bool) map[string]any {
	m := map[string]any{"id": wh.ID, "type": discordgo.WebhookTypeIncoming, "guild_id": wh.GuildID,
		"channel_id": wh.ChannelID, "name": wh.Name, "avatar": nil, "application_id": nil}
	if wh.Avatar != "" {
		m["avatar"] = wh.Avatar
	}
	if wh.ApplicationID != "" {
		m["application_id"] = wh.ApplicationID
	}
	if token {
		m["token"] = wh.Token
	}
	if user {
		if wh.CreatorID == s.BotUserID {
			m["user"] = s.botUserJSON()
		} else {
			m["user"] = map[string]any{"id": wh.CreatorID, "username": "owner", "discriminator": "0", "avatar": nil, "global_name": nil}
		}
	}
	return m
}

// validName checks a webhook's name or an execute's username: 1 to 80
// characters, without "clyde" or "discord".
func validName(path, name string) *apiError {
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n < 1 || n > 80 {
		return invalidForm(path, "Must be between 1 and 80 in length.")
	}
	low := strings.ToLower(name)
	for _, bad := range []string{"clyde", "discord"} {
		if strings.Contains(low, bad) {
			return invalidForm(path, `Username cannot contain "`+bad+`"`)
		}
	}
	return nil
}

var imageData = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$`)

// createWebhook is POST /channels/{channel}/webhooks.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	body, _, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteCreateWebhook) {
		return
	}
	c, ce := s.channelLocked(r.PathValue("channel"))
	if ce != nil {
		writeError(w, ce)
		return
	}
	perms := s.botPermsLocked(c)
	if perms&discordgo.PermissionViewChannel == 0 {
		writeError(w, channelErrors[codeMissingAccess])
		return
	}
	if perms&discordgo.PermissionManageWebhooks == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	if c.isThread() {
		writeError(w, errChannelType)
		return
	}
	var p struct {
		Name   *string `json:"name"`
		Avatar *string `json:"avatar"`
	}
	if e == nil {
		if err := jsonUnmarshal(body, &p); err != nil {
			e = err
		}
	}
	if e == nil && p.Name == nil {
		e = invalidForm("name", "This field is required")
	}
	if e == nil {
		e = validName("name", *p.Name)
	}
	avatar := ""
	if e == nil && p.Avatar != nil && *p.Avatar != "" {
		if !imageData.MatchString(*p.Avatar) {
			e = invalidForm("avatar", "Invalid image data")
		} else {
			avatar = randHex(16)
		}
	}
	if e != nil {
		writeError(w, e)
		return
	}
	if len(s.channelWebhooksLocked(c.id)) >= 15 {
		writeError(w, &apiError{http.StatusBadRequest, codeMaxWebhooks, "Maximum number of webhooks reached (15)", nil})
		return
	}
	wh := s.newWebhookLocked(c, *p.Name, avatar, s.BotUserID)
	writeJSON(w, 200, s.webhookJSON(wh, true, true))
}

// getChannelWebhooks is GET /channels/{channel}/webhooks.
func (s *Server) getChannelWebhooks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ce := s.channelLocked(r.PathValue("channel"))
	if ce != nil {
		writeError(w, ce)
		return
	}
	perms := s.botPermsLocked(c)
	if perms&discordgo.PermissionViewChannel == 0 {
		writeError(w, channelErrors[codeMissingAccess])
		return
	}
	if perms&discordgo.PermissionManageWebhooks == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	out := []map[string]any{}
	for _, wh := range s.channelWebhooksLocked(c.id) {
		out = append(out, s.webhookJSON(wh, wh.ApplicationID == s.AppID, true))
	}
	writeJSON(w, 200, out)
}

var errUnknownWebhook = &apiError{http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook", nil}

// webhookByID is GET and DELETE /webhooks/{id} with the bot's token:
// Manage Webhooks is needed unless the bot's application owns the webhook.
func (s *Server) webhookByID(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, ok := s.webhooks[r.PathValue("id")]
	if !ok {
		writeError(w, errUnknownWebhook)
		return
	}
	if c, ok := s.channels[wh.ChannelID]; wh.ApplicationID != s.AppID && (!ok || s.botPermsLocked(c)&discordgo.PermissionManageWebhooks == 0) {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	if r.Method == http.MethodDelete {
		delete(s.webhooks, wh.ID)
		s.webhooksUpdateLocked(wh)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, 200, s.webhookJSON(wh, wh.ApplicationID == s.AppID, true))
}

// webhookWithTokenLocked finds the webhook of /webhooks/{app}/{token}: 404
// Unknown Webhook (10015) for an unknown id, 401 Invalid Webhook Token
// (50027) for a wrong token.
func (s *Server) webhookWithTokenLocked(r *http.Request) (*Webhook, *apiError) {
	wh, ok := s.webhooks[r.PathValue("app")]
	if !ok {
		return nil, errUnknownWebhook
	}
	// A deleted channel takes its webhooks with it; a channel the bot
	// cannot see does not stop them.
	if c, ok := s.channels[wh.ChannelID]; !ok || c.denyCode == codeUnknownChannel {
		return nil, errUnknownWebhook
	}
	if r.PathValue("token") != wh.Token {
		return nil, &apiError{http.StatusUnauthorized, codeInvalidWebhookToken, "Invalid Webhook Token", nil}
	}
	return wh, nil
}

// webhookWithToken is GET and DELETE /webhooks/{id}/{token} (no
// Authorization; no user in the answer).
func (s *Server) webhookWithToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, e := s.webhookWithTokenLocked(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if r.Method == http.MethodDelete {
		delete(s.webhooks, wh.ID)
		s.webhooksUpdateLocked(wh)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, 200, s.webhookJSON(wh, true, false))
}

// executeParams are the fields of a webhook execute beyond a message's.
type executeParams struct {
	Username    *string  `json:"username"`
	AvatarURL   *string  `json:"avatar_url"`
	ThreadName  *string  `json:"thread_name"`
	AppliedTags []string `json:"applied_tags"`
}

func queryBool(r *http.Request, name string) bool {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "true", "1":
		return true
	}
	return false
}

// executeWebhook is POST /webhooks/{id}/{token}: an interaction's
// follow-up when id is the application's, else a channel webhook's execute.
func (s *Server) executeWebhook(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") == s.AppID {
		s.postFollowup(w, r)
		return
	}
	body, ups, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RouteExecuteWebhook) {
		return
	}
	wh, ae := s.webhookWithTokenLocked(r)
	if ae != nil {
		writeError(w, ae)
		return
	}
	c := s.channels[wh.ChannelID]
	if !s.rateLimitLocked(w, "webhook:"+wh.ID, bucketHash(RouteExecuteWebhook)) {
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	p, e := decodePayload(body)
	if e != nil {
		writeError(w, e)
		return
	}
	var xp executeParams
	_ = jsonUnmarshal(body, &xp)
	username := wh.Name
	if xp.Username != nil && *xp.Username != "" {
		if e := validName("username", *xp.Username); e != nil {
			writeError(w, e)
			return
		}
		username = *xp.Username
	}
	avatarURL := ""
	if xp.AvatarURL != nil && *xp.AvatarURL != "" {
		if !validURL(*xp.AvatarURL, false) {
			writeError(w, invalidForm("avatar_url", "Not a well formed URL."))
			return
		}
		avatarURL = *xp.AvatarURL
	}
	threadName := ""
	if xp.ThreadName != nil {
		threadName = *xp.ThreadName
	}
	target := c
	threadID := r.URL.Query().Get("thread_id")
	switch {
	case threadID != "" && threadName != "":
		writeError(w, &apiError{http.StatusBadRequest, codeForumThreadBoth, "Webhooks posted to forum channels cannot have both a thread_name and thread_id", nil})
		return
	case threadID != "":
		th, ok := s.channels[threadID]
		if !ok || !th.isThread() || th.parentID != c.id {
			writeError(w, channelErrors[codeUnknownChannel])
			return
		}
		target = th
	case c.typ == discordgo.ChannelTypeGuildForum:
		if threadName == "" {
			writeError(w, &apiError{http.StatusBadRequest, codeForumNeedsThread, "Webhooks posted to forum channels must have a thread_name or thread_id", nil})
			return
		}
		if e := validateThreadName("thread_name", &threadName); e != nil {
			writeError(w, e)
			return
		}
		if e := validateTags(c, xp.AppliedTags); e != nil {
			writeError(w, e)
			return
		}
	case threadName != "":
		writeError(w, &apiError{http.StatusBadRequest, codeThreadsOnlyInForums, "Webhooks can only create threads in forum channels", nil})
		return
	}
	if p.empty(len(ups)) {
		writeError(w, &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil})
		return
	}
	if p.Flags != nil {
		p.Flags = new(*p.Flags & (discordgo.MessageFlagsSuppressEmbeds | discordgo.MessageFlagsSuppressNotifications))
	}
	id := s.newIDLocked()
	if target == c && c.typ == discordgo.ChannelTypeGuildForum {
		target = s.newThreadLocked(id, c, discordgo.ChannelTypeGuildPublicThread, threadName, wh.ID, 0, xp.AppliedTags)
	}
	m := s.newMessageLocked(p, ups, target.id, target.guildID)
	m.ID, m.AuthorID, m.WebhookID, m.Username, m.AvatarURL = id, wh.ID, wh.ID, username, avatarURL
	// Webhooks ping any role and @everyone that allowed_mentions lets
	// through.
	s.mentionsLocked(m, true)
	s.messages[target.id] = append(s.messages[target.id], m)
	s.countMessageLocked(target, m)
	s.sendMessageCreateLocked(m)
	s.notify()
	if queryBool(r, "wait") {
		writeJSON(w, 200, s.messageJSON(m, false))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// webhookMessageRoute is GET, PATCH and DELETE
// /webhooks/{id}/{token}/messages/{msg}: an interaction's response or
// follow-up when id is the application's, else a channel webhook's message
// (in a thread: only with ?thread_id=, as Discord).
func (s *Server) webhookMessageRoute(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") == s.AppID {
		s.webhookMessage(w, r)
		return
	}
	var body []byte
	var ups []upload
	var e *apiError
	if r.Method == http.MethodPatch {
		body, ups, e = readBody(r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodPatch && s.attemptLocked(w, RouteEditWebhookMessage) {
		return
	}
	wh, ae := s.webhookWithTokenLocked(r)
	if ae != nil {
		writeError(w, ae)
		return
	}
	channelID := wh.ChannelID
	if id := r.URL.Query().Get("thread_id"); id != "" {
		th, ok := s.channels[id]
		if !ok || !th.isThread() || th.parentID != wh.ChannelID {
			writeError(w, channelErrors[codeUnknownChannel])
			return
		}
		channelID = id
	}
	m, _ := s.findMessageLocked(channelID, r.PathValue("msg"))
	if m == nil || m.WebhookID != wh.ID {
		writeError(w, errUnknownMessage)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, 200, s.messageJSON(m, false))
		return
	case http.MethodDelete:
		s.deleteMessageLocked(channelID, m.ID)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !s.rateLimitLocked(w, "webhook-edit:"+wh.ID, bucketHash(RouteEditWebhookMessage)) {
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
	if e := s.editLocked(m, p, nulls, ups, wh.ID, true); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, 200, s.messageJSON(m, false))
}
