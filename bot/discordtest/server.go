// Package discordtest is a test double of the Discord API: it speaks Discord's
// REST (v9/v10, JSON and multipart) and gateway (websocket, JSON) protocols on
// loopback so that the real discordgo client can be pointed at it.
//
// A test starts a Server with New, describes the world with AddGuild,
// AddChannel, AddForum and AddRole, points discordgo at Server.URL (by rewriting the scheme and host
// of every request to https://discord.com in the session's HTTP transport),
// opens the session with "Bot "+Server.Token, and then injects slash commands
// with Interact and inspects what the bot did with Messages, Commands and the
// returned *Interaction. Every wait takes a context; nothing sleeps.
//
//	s := discordtest.New(t)
//	g := s.AddGuild("Readers")
//	news := s.AddChannel(g.ID, "news")
//	// ... start the bot with DISCORD_TOKEN=s.Token, DISCORD_API_URL=s.URL ...
//	if err := s.WaitReady(ctx, 1); err != nil { t.Fatal(err) }
//	if _, err := s.WaitCommands(ctx, ""); err != nil { t.Fatal(err) }
//	in, err := s.Interact(ctx, discordtest.InteractionSpec{
//		GuildID: g.ID, ChannelID: news, Command: "feed",
//		Permissions: discordtest.MemberPermissions | discordgo.PermissionManageGuild,
//		Options: []*discordgo.ApplicationCommandInteractionDataOption{
//			discordtest.SubCommand("add", discordtest.StringOpt("url", feedURL)),
//		},
//	})
//	reply, err := in.WaitResponse(ctx) // deferred then edited, or answered at once
//	msgs, err := s.WaitMessages(ctx, news, 1) // the deliverer's posts
//
// What the double checks as Discord does: the Authorization header on bot
// routes, Identify's token, intents (privileged ones are refused with close
// 4014) and shard, the 3-second deadline of the initial interaction
// callback, a single callback per interaction, message and embed limits
// (content 2000, title 256, description 4096, 25 fields, 6000 in all, 10
// embeds), nonces of at most 25 characters, allowed_mentions, the bot's
// permission to view and post in a channel, and per-channel rate limits.
//
// # What it supports
//
// Routes (under /api/v9 or /api/v10), each with Discord's status codes and
// JSON error bodies ({"message", "code"}, "errors" for 50035):
//
//   - Gateway: GET /gateway, /gateway/bot; Identify, Resume, Heartbeat,
//     Reconnect, Invalid Session; READY, GUILD_CREATE (channels, threads,
//     roles, the bot member), CHANNEL_CREATE/UPDATE, THREAD_CREATE,
//     GUILD_ROLE_CREATE/UPDATE, INTERACTION_CREATE; MESSAGE_CREATE and
//     MESSAGE_DELETE to sessions with the GuildMessages intent;
//     WEBHOOKS_UPDATE with GuildWebhooks.
//   - Commands: PUT/GET /applications/{app}[/guilds/{guild}]/commands.
//   - Interactions: POST /interactions/{id}/{token}/callback, follow-ups
//     and @original through /webhooks/{app}/{token}[/messages/{id}]. Options
//     of every type through InteractionSpec; channel, role (RoleOpt,
//     MentionableOpt) and attachment options come with data.resolved.
//   - Messages: POST /channels/{id}/messages (nonce + enforce_nonce
//     dedupe within WithNonceWindow, rate limit, FailMessages); GET, PATCH
//     (edit: content, embeds, allowed_mentions, flags (Suppress Embeds
//     only), attachments; null clears; 50005 on another author's message;
//     its own rate-limit bucket per channel) and DELETE
//     /channels/{id}/messages/{id}; GET /channels/{id}/messages (newest
//     first; limit, before, after, around). A message deleted with DeleteMessage (a
//     moderator) or by the bot answers 404 {"message":"Unknown
//     Message","code":10008} to GET and edits. Edits records every accepted
//     edit. An edit of the content without allowed_mentions pings with the
//     defaults again, as on Discord; Message.MentionRoles, MentionUsers and
//     MentionEveryone say who was really pinged (roles that are not
//     mentionable only with the bot's Mention Everyone, see
//     SetBotPermissions).
//   - Webhooks: POST and GET /channels/{id}/webhooks (Manage Webhooks,
//     else 403 code 50013; names 1-80 characters without "clyde" or
//     "discord"; 15 per channel; the list shows only the tokens of the
//     bot's own webhooks), GET/DELETE /webhooks/{id}[/{token}], POST
//     /webhooks/{id}/{token} (execute: ?wait=true returns the message, else
//     204; username and avatar_url kept on the Message; ?thread_id= posts
//     into a thread of the webhook's channel; in a forum thread_name (and
//     applied_tags) creates a post, 220001/220002/220003 as Discord), and
//     GET/PATCH/DELETE /webhooks/{id}/{token}/messages/{id} (a message in a
//     thread only with ?thread_id=). A wrong token answers 401 code 50027,
//     an unknown or deleted webhook (DeleteWebhook, or its channel deleted
//     with DenyChannel(id, 10003)) 404 code 10015; a channel the bot cannot
//     see does not stop its webhooks.
//     Webhook messages have webhook_id, an author named as given, and ping
//     any role allowed_mentions lets through.
//   - Threads: POST /channels/{id}/messages/{id}/threads (public thread
//     sharing the message's id; name 1-100; one per message, 160004;
//     Create Public Threads) and POST /channels/{id}/threads (type 12
//     private by default as in API v9/v10, or 11). Threads are channels:
//     GET /channels/{thread}, messages posted into them (Send Messages in
//     Threads), Threads and WaitThreads list them; DeleteThread deletes
//     one (a forum post) as a moderator would, after which requests on it
//     answer 404 Unknown Channel (10003).
//   - Forums (AddForum, type 15, available_tags): POST
//     /channels/{forum}/threads with name, message and applied_tags creates
//     a post (public thread whose first message shares its id, nested as
//     "message" in the 201 answer; Send Messages needed; unknown tags 50035;
//     SetForumRequireTag → 40067). POST /channels/{forum}/messages answers
//     400 {"message":"Cannot send messages in a non-text channel",
//     "code":50008}.
//   - Roles: AddRole, Roles, GET /guilds/{id}/roles, GET
//     /guilds/{id}/members/@me; the bot's role has BotPermissions, changed
//     with SetBotPermissions; SetBotOverwrite changes one channel.
//
// Nonces: POST /channels/{id}/messages with enforce_nonce returns the
// existing message for a repeated nonce. Nothing else has a nonce on
// Discord: webhook executes, thread starts and forum posts are not
// deduplicated, so a client must make them exactly-once by other means.
//
// Failures: FailRoute makes the next requests of a Route (posts, edits,
// webhook executes and edits, thread starts, forum posts) answer 429 or an
// error status; Attempts counts the requests of a Route.
package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// discordEpoch is the first millisecond of 2015, the origin of snowflakes.
const discordEpoch = 1420070400000

// MemberPermissions are the permissions an ordinary member has in a channel;
// an InteractionSpec without Permissions gets these. Add
// discordgo.PermissionManageGuild for a server admin.
const MemberPermissions int64 = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory |
	discordgo.PermissionAddReactions |
	discordgo.PermissionUseApplicationCommands

// BotPermissions are the permissions of the bot's managed role in a new
// guild: MemberPermissions plus Manage Webhooks and the thread permissions
// (Create Public Threads, Create Private Threads, Send Messages in Threads).
// Mention Everyone (which also lets the bot ping roles that are not
// mentionable) is not among them: grant it with SetBotPermissions.
const BotPermissions int64 = MemberPermissions |
	discordgo.PermissionManageWebhooks |
	discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionCreatePrivateThreads |
	discordgo.PermissionSendMessagesInThreads

// botPostPermissions are what SetBotCanPost grants or takes away.
const botPostPermissions int64 = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks

// privilegedIntents need to be enabled in the developer portal; the double's
// application has none of them, as a newly created bot.
const privilegedIntents = discordgo.IntentGuildMembers | discordgo.IntentGuildPresences | discordgo.IntentMessageContent

// Option configures a Server.
type Option func(*config)

type config struct {
	heartbeat        time.Duration
	rateLimit        int
	rateWindow       time.Duration
	nonceWindow      time.Duration
	callbackDeadline time.Duration
	tokenLifetime    time.Duration
	recommendShards  int
	token            string
}

// WithHeartbeatInterval sets the heartbeat_interval sent in Hello
// (default 1s; Discord's is about 41s). Keep it well above a loaded
// machine's scheduling delays: discordgo gives up after five intervals
// without an ack and closes with 1000, which ends the session, so a short
// interval turns CI load into extra identifies.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeat = d }
}

// WithMessageRateLimit sets the per-channel bucket of POST
// /channels/{id}/messages: limit posts per window (default 5 per 250ms;
// Discord's is 5 per 5s). Posts beyond it answer 429 like Discord's. The
// same limit applies, in buckets of their own, to PATCH
// /channels/{id}/messages/{id} (per channel) and to webhook executes and
// webhook message edits (per webhook).
func WithMessageRateLimit(limit int, window time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateWindow = limit, window }
}

// WithNonceWindow sets how long an enforced nonce is remembered per channel
// (default 5 minutes).
func WithNonceWindow(d time.Duration) Option {
	return func(c *config) { c.nonceWindow = d }
}

// WithCallbackDeadline sets how long an interaction may wait for its initial
// callback before it is dead, "Unknown interaction" (default 3s, as Discord).
func WithCallbackDeadline(d time.Duration) Option {
	return func(c *config) { c.callbackDeadline = d }
}

// WithRecommendedShards sets the shard count GET /gateway/bot recommends
// (default 1).
func WithRecommendedShards(n int) Option {
	return func(c *config) { c.recommendShards = n }
}

// WithToken sets the bot token instead of a random one.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// Server is the Discord double. All its methods are safe for concurrent use.
type Server struct {
	// URL is the root that replaces https://discord.com, such as
	// http://127.0.0.1:43210; REST lives under URL+"/api/v9/".
	URL string
	// Token is the bot token; discordgo must be given "Bot "+Token.
	Token string
	// AppID is the application's id (the interactions' application_id).
	AppID string
	// BotUserID is the bot user's id; BotUsername its name.
	BotUserID   string
	BotUsername string

	t   testing.TB
	cfg config
	hs  *httptest.Server

	mu        sync.Mutex
	changed   chan struct{}
	lastID    int64
	guilds    map[string]*guild
	guildList []string
	channels  map[string]*channel
	commands  map[string][]*discordgo.ApplicationCommand // "" = global
	messages  map[string][]*Message                      // by channel
	buckets   map[string]*bucket
	attempts  map[Route]int
	edits     []Edit
	webhooks  map[string]*Webhook   // by id
	deleted   map[string][]*Message // by channel
	fails     map[Route]failure
	files     map[string]*File // attachments by id
	sessions  map[string]*session
	conns     map[*gwConn]struct{}
	inters    map[string]*Interaction // by token
	identN    int
	resumeN   int
	log       []Request
}

// Guild describes a guild created with AddGuild.
type Guild struct {
	ID             string
	Name           string
	OwnerID        string // a user who is not the bot
	EveryoneRoleID string // equal to ID, as in Discord
	BotRoleID      string // the bot's managed role
}

type guild struct {
	Guild
	channels []string // text and forum channels, in order (threads are not listed)
	roles    []*Role  // @everyone first, then the bot's role, then AddRole's
}

type channel struct {
	id, guildID, name string
	typ               discordgo.ChannelType
	botAllow, botDeny int64 // the bot's member overwrite; both 0 = none
	denyCode          int   // DenyChannel
	flags             discordgo.ChannelFlags
	// forums
	tags []discordgo.ForumTag
	// threads
	parentID        string
	ownerID         string
	appliedTags     []string
	archiveDuration int
	invitable       bool
	fromMessage     bool
	messageCount    int // messages after the first, as Discord counts them
	totalSent       int
	created         time.Time
}

func (c *channel) isThread() bool {
	return c.typ == discordgo.ChannelTypeGuildPublicThread || c.typ == discordgo.ChannelTypeGuildPrivateThread ||
		c.typ == discordgo.ChannelTypeGuildNewsThread
}

type bucket struct {
	start time.Time
	count int
}

// Request is one entry of RequestLog.
type Request struct {
	Method string
	Path   string
	Status int
	At     time.Time
}

// File is a file attached to a message or added with AddAttachment.
type File struct {
	ID          string
	Name        string
	ContentType string
	Data        []byte
	URL         string
}

// Message is a message as the double stored it: a channel message, an
// interaction's original response or a follow-up.
type Message struct {
	ID              string
	ChannelID       string
	GuildID         string
	Content         string
	Embeds          []*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           discordgo.MessageFlags
	Nonce           string // as sent; an integer nonce in decimal
	EnforceNonce    bool
	Files           []File
	Components      json.RawMessage // as sent, when sent
	// Deferred is true for the original response of a deferred interaction
	// (callback type 5) until its first edit: Discord shows "thinking…".
	Deferred  bool
	Edits     int
	CreatedAt time.Time
	EditedAt  time.Time // zero until edited
	// DeletedAt is set on messages returned by DeletedMessages.
	DeletedAt time.Time
	// AuthorID is the bot's user id, or the webhook's id for a message
	// executed through a channel webhook.
	AuthorID string
	// WebhookID is set on messages executed through a channel webhook;
	// Username is then the name shown (the execute's username, else the
	// webhook's name) and AvatarURL the execute's avatar_url.
	WebhookID string
	Username  string
	AvatarURL string
	// ThreadID is the thread started from this message (equal to ID, as on
	// Discord), if any.
	ThreadID string
	// MentionRoles, MentionUsers and MentionEveryone are who a channel
	// message (the bot's, a webhook's, a forum post's; not an interaction
	// response) pinged, computed as Discord does from the content (never
	// the embeds),
	// allowed_mentions (absent = everything), the roles' mentionable flag
	// and the author's Mention Everyone permission (webhooks may ping any
	// role). An edit of the content recomputes them with the edit's
	// allowed_mentions, absent meaning the defaults again.
	MentionRoles    []string
	MentionUsers    []string
	MentionEveryone bool
	nonceRaw        json.RawMessage
}

// Ephemeral reports whether only the invoking user sees the message.
func (m Message) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

func (m *Message) clone() Message {
	c := *m
	c.Embeds = append([]*discordgo.MessageEmbed(nil), m.Embeds...)
	c.Files = append([]File(nil), m.Files...)
	c.MentionRoles = append([]string(nil), m.MentionRoles...)
	c.MentionUsers = append([]string(nil), m.MentionUsers...)
	return c
}

// New starts a Server on 127.0.0.1 that is closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t: t,
		cfg: config{
			heartbeat:        time.Second,
			rateLimit:        5,
			rateWindow:       250 * time.Millisecond,
			nonceWindow:      5 * time.Minute,
			callbackDeadline: 3 * time.Second,
			tokenLifetime:    15 * time.Minute,
			recommendShards:  1,
		},
		changed:     make(chan struct{}),
		guilds:      map[string]*guild{},
		channels:    map[string]*channel{},
		commands:    map[string][]*discordgo.ApplicationCommand{},
		messages:    map[string][]*Message{},
		buckets:     map[string]*bucket{},
		files:       map[string]*File{},
		sessions:    map[string]*session{},
		conns:       map[*gwConn]struct{}{},
		inters:      map[string]*Interaction{},
		attempts:    map[Route]int{},
		deleted:     map[string][]*Message{},
		webhooks:    map[string]*Webhook{},
		fails:       map[Route]failure{},
		BotUsername: "newsbot",
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	s.Token = s.cfg.token
	if s.Token == "" {
		s.Token = "dt." + randHex(12) + "." + randHex(16)
	}
	s.AppID = s.newID()
	s.BotUserID = s.AppID // a bot user shares its application's id
	s.hs = httptest.NewServer(s.handler())
	s.URL = s.hs.URL
	t.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
	s.hs.Close()
}

// snowflakeLess orders snowflakes numerically.
func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// newID returns a fresh snowflake; it takes s.mu itself only when not held,
// so callers holding the lock use newIDLocked.
func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func (s *Server) newIDLocked() string {
	id := (time.Now().UnixMilli() - discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatInt(id, 10)
}

// ShardOf returns the shard that owns guildID among shardCount shards:
// (guild_id >> 22) % shard_count, as Discord computes it.
func ShardOf(guildID string, shardCount int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || shardCount <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(shardCount))
}

// notify wakes every waiter; call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond is true or ctx is done. cond is evaluated without
// the server's lock held, so it may call the server's methods.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: %w", ctx.Err())
		}
	}
}

// AddGuild adds a guild with a fresh id; connected shards that own it get a
// GUILD_CREATE.
func (s *Server) AddGuild(name string) Guild {
	return s.AddGuildWithID(s.newID(), name)
}

// AddGuildForShard adds a guild whose id belongs to shardID of shardCount.
func (s *Server) AddGuildForShard(name string, shardID, shardCount int) Guild {
	s.mu.Lock()
	id, _ := strconv.ParseInt(s.newIDLocked(), 10, 64)
	for ShardOf(strconv.FormatInt(id, 10), shardCount) != shardID {
		id += 1 << 22
	}
	if id > s.lastID {
		s.lastID = id
	}
	s.mu.Unlock()
	return s.AddGuildWithID(strconv.FormatInt(id, 10), name)
}

// AddGuildWithID adds a guild with the given snowflake id (which decides its
// shard, see ShardOf).
func (s *Server) AddGuildWithID(id, name string) Guild {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.guilds[id]; ok {
		s.t.Fatalf("discordtest: guild %s added twice", id)
	}
	g := &guild{Guild: Guild{
		ID:             id,
		Name:           name,
		OwnerID:        s.newIDLocked(),
		EveryoneRoleID: id,
		BotRoleID:      s.newIDLocked(),
	}}
	g.roles = []*Role{
		{ID: id, Name: "@everyone", Permissions: MemberPermissions},
		{ID: g.BotRoleID, Name: s.BotUsername, Managed: true, Permissions: BotPermissions},
	}
	s.guilds[id] = g
	s.guildList = append(s.guildList, id)
	s.broadcastLocked(id, "GUILD_CREATE", s.guildJSON(g))
	s.notify()
	return g.Guild
}

// AddChannel adds a text channel to a guild and returns its id.
func (s *Server) AddChannel(guildID, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		s.t.Fatalf("discordtest: AddChannel: unknown guild %s", guildID)
	}
	c := &channel{id: s.newIDLocked(), guildID: guildID, name: name, typ: discordgo.ChannelTypeGuildText}
	s.channels[c.id] = c
	g.channels = append(g.channels, c.id)
	s.broadcastLocked(guildID, "CHANNEL_CREATE", s.channelJSON(c, true))
	s.notify()
	return c.id
}

// SetBotCanPost gives or takes away the bot's View Channel, Send Messages and
// Embed Links in a channel, through a member permission overwrite that
// GUILD_CREATE (and a CHANNEL_UPDATE to connected shards) carries, so
// discordgo's State.UserChannelPermissions sees it. Posting in a channel the
// bot cannot see answers 403 Missing Access.
func (s *Server) SetBotCanPost(channelID string, can bool) {
	if can {
		s.SetBotOverwrite(channelID, 0, 0)
	} else {
		s.SetBotOverwrite(channelID, 0, botPostPermissions)
	}
}

// SetBotOverwrite sets the bot's member permission overwrite in a channel;
// allow and deny both 0 removes it.
func (s *Server) SetBotOverwrite(channelID string, allow, deny int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChannel(channelID)
	c.botAllow, c.botDeny = allow, deny
	s.broadcastLocked(c.guildID, "CHANNEL_UPDATE", s.channelJSON(c, true))
	s.notify()
}

// DenyChannel makes REST calls on a channel (GET, POST messages) fail:
// code 50001 (Missing Access) and 50013 (Missing Permissions) answer 403,
// 10003 (Unknown Channel) answers 404. Code 0 lifts the denial.
func (s *Server) DenyChannel(channelID string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch code {
	case 0, codeMissingAccess, codeMissingPermissions, codeUnknownChannel:
	default:
		s.t.Fatalf("discordtest: DenyChannel: unsupported code %d", code)
	}
	s.mustChannel(channelID).denyCode = code
}

func (s *Server) mustChannel(id string) *channel {
	c, ok := s.channels[id]
	if !ok {
		s.t.Fatalf("discordtest: unknown channel %s", id)
	}
	return c
}

// FailMessages makes the next n POST /channels/{id}/messages answer status:
// 429 with Discord's rate-limit body (retry_after 0.05s) and Retry-After, or
// 5xx with a JSON error. discordgo v0.29 retries 429 and 502 by itself, but
// not 500 or 503. It is FailRoute(RoutePostMessage, n, status).
func (s *Server) FailMessages(n, status int) {
	s.FailRoute(RoutePostMessage, n, status)
}

// AddAttachment stores a file that interactions can reference (an
// attachment option); its URL is served by the double.
func (s *Server) AddAttachment(filename, contentType string, body []byte) discordgo.MessageAttachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.storeFileLocked(filename, contentType, body)
	return attachmentOf(f)
}

func (s *Server) storeFileLocked(name, contentType string, data []byte) File {
	id := s.newIDLocked()
	f := &File{ID: id, Name: name, ContentType: contentType, Data: append([]byte(nil), data...),
		URL: s.URL + "/attachments/" + id + "/" + urlPathEscape(name)}
	s.files[id] = f
	return *f
}

func attachmentOf(f File) discordgo.MessageAttachment {
	return discordgo.MessageAttachment{ID: f.ID, Filename: f.Name, ContentType: f.ContentType,
		Size: len(f.Data), URL: f.URL, ProxyURL: f.URL}
}

func urlPathEscape(s string) string {
	return strings.NewReplacer("/", "_", "?", "_", "#", "_", " ", "_", "%", "_").Replace(s)
}

// Messages returns the messages posted in a channel, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[channelID]))
	for _, m := range s.messages[channelID] {
		out = append(out, m.clone())
	}
	return out
}

// WaitMessages waits until a channel holds at least n messages and returns
// them all.
func (s *Server) WaitMessages(ctx context.Context, channelID string, n int) ([]Message, error) {
	return waitAtLeast(ctx, s, n, "messages in channel "+channelID, func() []Message { return s.Messages(channelID) })
}

// waitAtLeast waits until get returns at least n items and returns them;
// on timeout it says how many of what it saw.
func waitAtLeast[T any](ctx context.Context, s *Server, n int, what string, get func() []T) ([]T, error) {
	var items []T
	err := s.Wait(ctx, func() bool {
		items = get()
		return len(items) >= n
	})
	if err != nil {
		return items, fmt.Errorf("discordtest: %d of %d %s: %w", len(items), n, what, err)
	}
	return items, nil
}

// MessagePosts counts POST /channels/{id}/messages attempts, failed ones
// and nonce duplicates included. It is Attempts(RoutePostMessage).
func (s *Server) MessagePosts() int {
	return s.Attempts(RoutePostMessage)
}

// Commands returns the commands of the last bulk overwrite for a guild, or
// the global ones for guildID "".
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*discordgo.ApplicationCommand(nil), s.commands[guildID]...)
}

// WaitCommands waits until at least one command is registered for guildID
// ("" = globally).
func (s *Server) WaitCommands(ctx context.Context, guildID string) ([]*discordgo.ApplicationCommand, error) {
	var cmds []*discordgo.ApplicationCommand
	err := s.Wait(ctx, func() bool {
		cmds = s.Commands(guildID)
		return len(cmds) > 0
	})
	return cmds, err
}

// RequestLog returns every HTTP request the double answered, in order.
func (s *Server) RequestLog() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Identifies counts Identify payloads accepted (READY sent).
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identN
}

// Resumes counts successful Resumes (RESUMED sent).
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumeN
}

// Session describes a gateway session.
type Session struct {
	ID         string
	Shard      [2]int // id, count
	Intents    discordgo.Intent
	Connected  bool
	Identified time.Time
}

// Sessions returns every gateway session, connected or resumable, in the
// order they identified.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, 0, len(s.sessions))
	for _, se := range s.sessions {
		out = append(out, Session{ID: se.id, Shard: se.shard, Intents: se.intents, Connected: se.conn != nil, Identified: se.identified})
	}
	sortSessions(out)
	return out
}

// Connected counts gateway connections that completed Identify or Resume.
func (s *Server) Connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, se := range s.sessions {
		if se.conn != nil {
			n++
		}
	}
	return n
}

// WaitReady waits until n gateway connections are ready (identified or
// resumed, and still open).
func (s *Server) WaitReady(ctx context.Context, n int) error {
	err := s.Wait(ctx, func() bool { return s.Connected() >= n })
	if err != nil {
		return fmt.Errorf("discordtest: %d of %d shards ready: %w", s.Connected(), n, err)
	}
	return nil
}

// DropConnections closes every gateway websocket abnormally (no close
// frame), as a network failure would; sessions stay resumable.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
}

// botPermsLocked computes the bot's permissions in a channel as Discord
// does: @everyone's and the bot role's, all of them with Administrator, then
// the bot's member overwrite. A thread has its parent's permissions.
func (s *Server) botPermsLocked(c *channel) int64 {
	if c.parentID != "" {
		if p, ok := s.channels[c.parentID]; ok {
			c = p
		}
	}
	var perms int64
	if g := s.guilds[c.guildID]; g != nil {
		for _, r := range g.roles[:2] {
			perms |= r.Permissions
		}
	}
	if perms&discordgo.PermissionAdministrator != 0 {
		return discordgo.PermissionAll
	}
	perms &^= c.botDeny
	perms |= c.botAllow
	return perms
}
