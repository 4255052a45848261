package discordtest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway close codes, as Discord sends them.
const (
	closeUnknownOpcode     = 4001
	closeDecodeError       = 4002
	closeAuthFailed        = 4004
	closeAlreadyIdentified = 4005
	closeInvalidShard      = 4010
	closeDisallowedIntents = 4014
	sendQueueLen           = 1024
	gatewayWriteTimeout    = 5 * time.Second
	gatewayProtocolVersion = 10
)

// session is a gateway session: what Identify created and Resume continues.
type session struct {
	id         string
	shard      [2]int
	intents    discordgo.Intent
	identified time.Time
	seq        int64
	sent       []json.RawMessage // every dispatch, for resume replay (index = seq-1)
	conn       *gwConn           // nil while disconnected
}

func (se *session) owns(guildID string) bool {
	return ShardOf(guildID, se.shard[1]) == se.shard[0]
}

func sortSessions(ss []Session) {
	sort.Slice(ss, func(i, j int) bool { return ss[i].Identified.Before(ss[j].Identified) })
}

// gwConn is one websocket; a writer goroutine drains out in order.
type gwConn struct {
	ws       *websocket.Conn
	out      chan outFrame
	done     chan struct{}
	wrote    chan struct{} // closed when the writer returns
	killOnce sync.Once
	session  *session // guarded by Server.mu
}

type outFrame struct {
	data      []byte
	closeCode int // when not 0: send a close frame and hang up
	closeText string
}

func (c *gwConn) kill() {
	c.killOnce.Do(func() {
		close(c.done)
		c.ws.UnderlyingConn().Close()
	})
}

// send queues a frame; a client too slow to drain its queue is cut off.
func (c *gwConn) send(f outFrame) {
	select {
	case c.out <- f:
	case <-c.done:
	default:
		c.kill()
	}
}

func (c *gwConn) writer() {
	defer close(c.wrote)
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			_ = c.ws.SetWriteDeadline(time.Now().Add(gatewayWriteTimeout))
			if f.closeCode != 0 {
				_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, f.closeText))
				c.kill()
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				c.kill()
				return
			}
		}
	}
}

func payload(op int, d any) []byte {
	b, err := json.Marshal(map[string]any{"op": op, "d": d, "s": nil, "t": nil})
	if err != nil {
		panic(err)
	}
	return b
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, out: make(chan outFrame, sendQueueLen), done: make(chan struct{}), wrote: make(chan struct{})}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	go c.writer()
	closing := false // a close frame is queued: let the writer send it
	defer func() {
		if closing {
			select {
			case <-c.wrote:
			case <-time.After(gatewayWriteTimeout):
			}
		}
		c.kill()
		s.mu.Lock()
		delete(s.conns, c)
		if se := c.session; se != nil && se.conn == c {
			se.conn = nil
		}
		s.notify()
		s.mu.Unlock()
	}()

	c.send(outFrame{data: payload(10, map[string]any{"heartbeat_interval": s.cfg.heartbeat.Milliseconds()})})
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			// A client that closes with 1000 or 1001 ends its session, as
			// on Discord; any other end leaves it resumable.
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				s.mu.Lock()
				if se := c.session; se != nil {
					delete(s.sessions, se.id)
				}
				s.mu.Unlock()
			}
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		closing = true
		if err := json.Unmarshal(data, &p); err != nil {
			c.send(outFrame{closeCode: closeDecodeError, closeText: "Error while decoding payload."})
			return
		}
		switch p.Op {
		case 1: // Heartbeat
			c.send(outFrame{data: payload(11, nil)})
		case 2:
			if !s.identify(c, p.D) {
				return
			}
		case 6:
			if !s.resume(c, p.D) {
				return
			}
		case 3, 4, 8, 31: // presence, voice, request members, soundboard: accepted, ignored
		default:
			c.send(outFrame{closeCode: closeUnknownOpcode, closeText: "Unknown opcode."})
			return
		}
		closing = false
	}
}

func (s *Server) tokenOK(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.Token
}

// identify handles op 2; false means the connection was closed.
func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var id struct {
		Token   string  `json:"token"`
		Intents *int64  `json:"intents"`
		Shard   *[2]int `json:"shard"`
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		c.send(outFrame{closeCode: closeDecodeError, closeText: "Error while decoding payload."})
		return false
	}
	if !s.tokenOK(id.Token) {
		c.send(outFrame{closeCode: closeAuthFailed, closeText: "Authentication failed."})
		return false
	}
	if id.Intents == nil {
		c.send(outFrame{closeCode: closeDecodeError, closeText: "Error while decoding payload."})
		return false
	}
	intents := discordgo.Intent(*id.Intents)
	if intents&privilegedIntents != 0 {
		c.send(outFrame{closeCode: closeDisallowedIntents, closeText: "Disallowed intent(s)."})
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
		c.send(outFrame{closeCode: closeInvalidShard, closeText: "Invalid shard."})
		return false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if c.session != nil {
		c.send(outFrame{closeCode: closeAlreadyIdentified, closeText: "Already authenticated."})
		return false
	}
	se := &session{id: randHex(16), shard: shard, intents: intents, identified: time.Now(), conn: c}
	c.session = se
	s.sessions[se.id] = se
	s.identN++

	var unavailable []map[string]any
	var owned []*guild
	for _, gid := range s.guildList {
		if se.owns(gid) {
			owned = append(owned, s.guilds[gid])
			unavailable = append(unavailable, map[string]any{"id": gid, "unavailable": true})
		}
	}
	if unavailable == nil {
		unavailable = []map[string]any{}
	}
	ready := map[string]any{
		"v":                       gatewayProtocolVersion,
		"user":                    s.botUserJSON(),
		"guilds":                  unavailable,
		"session_id":              se.id,
		"session_type":            "normal",
		"resume_gateway_url":      s.gatewayURL(),
		"application":             map[string]any{"id": s.AppID, "flags": 0},
		"private_channels":        []any{},
		"relationships":           []any{},
		"presences":               []any{},
		"guild_join_requests":     []any{},
		"geo_ordered_rtc_regions": []string{"local"},
		"user_settings":           map[string]any{},
		"_trace":                  []string{`["discordtest",{"micros":0}]`},
	}
	if id.Shard != nil {
		ready["shard"] = shard
	}
	s.dispatchLocked(se, "READY", ready)
	if intents&discordgo.IntentGuilds != 0 {
		for _, g := range owned {
			s.dispatchLocked(se, "GUILD_CREATE", s.guildJSON(g))
		}
	}
	s.notify()
	return true
}

// resume handles op 6; false means the connection was closed.
func (s *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(raw, &rp); err != nil {
		c.send(outFrame{closeCode: closeDecodeError, closeText: "Error while decoding payload."})
		return false
	}
	if !s.tokenOK(rp.Token) {
		c.send(outFrame{closeCode: closeAuthFailed, closeText: "Authentication failed."})
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[rp.SessionID]
	if !ok || c.session != nil || rp.Seq > se.seq || rp.Seq < 0 {
		// Invalid Session, not resumable: the client identifies afresh.
		c.send(outFrame{data: payload(9, false)})
		return true
	}
	if old := se.conn; old != nil {
		// A session has one connection; the newer one wins.
		old.session = nil
		old.kill()
	}
	se.conn = c
	c.session = se
	for _, d := range se.sent[rp.Seq:] {
		c.send(outFrame{data: d})
	}
	s.resumeN++
	s.dispatchLocked(se, "RESUMED", map[string]any{"_trace": []string{"discordtest"}})
	s.notify()
	return true
}

// dispatchLocked sends an op 0 event to a session, or keeps it for the
// session's resume when it is disconnected.
func (s *Server) dispatchLocked(se *session, event string, d any) {
	se.seq++
	b, err := json.Marshal(map[string]any{"op": 0, "s": se.seq, "t": event, "d": d})
	if err != nil {
		panic(err)
	}
	se.sent = append(se.sent, b)
	if se.conn != nil {
		se.conn.send(outFrame{data: b})
	}
}

// broadcastLocked sends a guild event to every session whose shard owns the
// guild and that asked for the Guilds intent.
func (s *Server) broadcastLocked(guildID, event string, d any) {
	for _, se := range s.sessions {
		if se.owns(guildID) && se.intents&discordgo.IntentGuilds != 0 {
			s.dispatchLocked(se, event, d)
		}
	}
}

// sessionForLocked picks the session that receives an interaction in a
// guild: the newest connected one whose shard owns it, else the newest
// resumable one (the event then waits for the resume).
func (s *Server) sessionForLocked(guildID string) *session {
	var best *session
	for _, se := range s.sessions {
		if !se.owns(guildID) {
			continue
		}
		switch {
		case best == nil,
			se.conn != nil && best.conn == nil,
			(se.conn != nil) == (best.conn != nil) && se.identified.After(best.identified):
			best = se
		}
	}
	return best
}

func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"
}

func (s *Server) botUserJSON() map[string]any {
	return map[string]any{
		"id": s.BotUserID, "username": s.BotUsername, "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0,
	}
}

func (s *Server) guildJSON(g *guild) map[string]any {
	chans := make([]map[string]any, 0, len(g.channels))
	for _, id := range g.channels {
		// Discord leaves guild_id out of the channels in GUILD_CREATE;
		// discordgo fills it in.
		chans = append(chans, s.channelJSON(s.channels[id], false))
	}
	joined := time.Now().UTC().Format(time.RFC3339Nano)
	roles := make([]map[string]any, 0, len(g.roles))
	for i, r := range g.roles {
		roles = append(roles, s.roleJSON(r, i))
	}
	return map[string]any{
		"id": g.ID, "name": g.Name, "icon": nil, "owner_id": g.OwnerID,
		"roles":        roles,
		"channels":     chans,
		"threads":      s.threadsJSON(g),
		"members":      []map[string]any{s.botMemberJSON(g)},
		"member_count": 2, "large": false, "unavailable": false, "joined_at": joined,
		"features": []string{}, "emojis": []any{}, "stickers": []any{}, "presences": []any{},
		"voice_states": []any{}, "stage_instances": []any{}, "guild_scheduled_events": []any{},
		"preferred_locale": "en-US", "verification_level": 0, "default_message_notifications": 0,
		"explicit_content_filter": 0, "mfa_level": 0, "premium_tier": 0, "nsfw_level": 0,
		"system_channel_id": nil, "afk_channel_id": nil, "afk_timeout": 300,
	}
}

// threadsJSON lists a guild's threads, oldest first, for GUILD_CREATE.
func (s *Server) threadsJSON(g *guild) []map[string]any {
	var ids []string
	for id, c := range s.channels {
		if c.guildID == g.ID && c.isThread() {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return snowflakeLess(ids[i], ids[j]) })
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.threadJSON(s.channels[id]))
	}
	return out
}

func (s *Server) botMemberJSON(g *guild) map[string]any {
	return map[string]any{
		"user": s.botUserJSON(), "roles": []string{g.BotRoleID}, "joined_at": time.Now().UTC().Format(time.RFC3339Nano),
		"nick": nil, "deaf": false, "mute": false, "flags": 0, "pending": false, "avatar": nil,
		"premium_since": nil, "communication_disabled_until": nil,
	}
}

func (s *Server) channelJSON(c *channel, withGuild bool) map[string]any {
	if c.isThread() {
		return s.threadJSON(c)
	}
	ow := []map[string]any{}
	if c.botAllow != 0 || c.botDeny != 0 {
		ow = append(ow, map[string]any{"id": s.BotUserID, "type": discordgo.PermissionOverwriteTypeMember,
			"allow": strconv.FormatInt(c.botAllow, 10), "deny": strconv.FormatInt(c.botDeny, 10)})
	}
	pos := 0
	if g := s.guilds[c.guildID]; g != nil {
		for i, id := range g.channels {
			if id == c.id {
				pos = i
			}
		}
	}
	m := map[string]any{
		"id": c.id, "type": c.typ, "name": c.name, "position": pos,
		"permission_overwrites": ow, "nsfw": false, "parent_id": nil, "topic": nil,
		"last_message_id": s.lastMessageIDLocked(c), "rate_limit_per_user": 0, "flags": c.flags,
	}
	if c.typ == discordgo.ChannelTypeGuildForum {
		tags := make([]map[string]any, 0, len(c.tags))
		for _, t := range c.tags {
			tags = append(tags, map[string]any{"id": t.ID, "name": t.Name, "moderated": t.Moderated, "emoji_id": nil, "emoji_name": nil})
		}
		m["available_tags"] = tags
		m["default_reaction_emoji"] = nil
		m["default_sort_order"] = nil
		m["default_forum_layout"] = 0
		m["default_thread_rate_limit_per_user"] = 0
		m["default_auto_archive_duration"] = 4320
	}
	if withGuild {
		m["guild_id"] = c.guildID
	}
	return m
}

func (s *Server) threadJSON(c *channel) map[string]any {
	created := c.created.UTC().Format(time.RFC3339Nano)
	meta := map[string]any{"archived": false, "auto_archive_duration": c.archiveDuration, "archive_timestamp": created,
		"locked": false, "create_timestamp": created}
	if c.typ == discordgo.ChannelTypeGuildPrivateThread {
		meta["invitable"] = c.invitable
	}
	m := map[string]any{
		"id": c.id, "type": c.typ, "guild_id": c.guildID, "parent_id": c.parentID, "owner_id": c.ownerID,
		"name": c.name, "last_message_id": s.lastMessageIDLocked(c), "message_count": c.messageCount,
		"member_count": 1, "rate_limit_per_user": 0, "flags": c.flags, "total_message_sent": c.totalSent,
		"thread_metadata": meta,
	}
	if p, ok := s.channels[c.parentID]; ok && p.typ == discordgo.ChannelTypeGuildForum {
		m["applied_tags"] = append([]string{}, c.appliedTags...)
	}
	return m
}

func (s *Server) lastMessageIDLocked(c *channel) any {
	if c.typ == discordgo.ChannelTypeGuildForum {
		var last any
		for _, th := range s.channels {
			if th.parentID == c.id && (last == nil || snowflakeLess(last.(string), th.id)) {
				last = th.id
			}
		}
		return last
	}
	if msgs := s.messages[c.id]; len(msgs) > 0 {
		return msgs[len(msgs)-1].ID
	}
	return nil
}

// RequestReconnect sends Reconnect (op 7) on every gateway connection; the
// clients should reconnect and resume.
func (s *Server) RequestReconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.send(outFrame{data: payload(7, nil)})
	}
}

// InvalidateSessions sends Invalid Session (op 9, not resumable) on every
// connection that has a session and forgets the sessions; the clients must
// identify again.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if se := c.session; se != nil {
			delete(s.sessions, se.id)
			se.conn = nil
			c.session = nil
			c.send(outFrame{data: payload(9, false)})
		}
	}
	s.notify()
}
