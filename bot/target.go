// Posting targets (issue 11). A delivery goes to one of four targets,
// chosen by its channel's type (read from Discord, cached per channel) and
// its subscription's rules:
//
//   - a channel message posted by the bot (no webhook rule, or the bot may
//     not manage webhooks): POST /channels/{id}/messages;
//   - a channel message executed through the channel's webhook (a webhook
//     rule: WebhookName or WebhookAvatar set with /feed edit, removed with
//     clear:webhook): POST /webhooks/{id}/{token}?wait=true with the
//     subscription's name and avatar (default: the feed's title, no avatar);
//   - a forum post (a forum channel): POST /channels/{forum}/threads, or a
//     webhook execute with thread_name, titled with the headline and tagged
//     with the subscription's tag;
//   - and, after a channel message of a subscription with thread:true, a
//     thread started on it: POST /channels/{id}/messages/{msg}/threads.
//
// # Exactly once
//
// Every target goes through the outbox as posts always did: the delivery is
// claimed, BeginPost marks the attempt (Delivery.AttemptedAt) before any
// Discord action, the message id is recorded with MarkPosted (retried for
// minutes), and 5xx, 429 and network errors release the delivery for a
// later round. What differs is how a retry whose earlier attempt may have
// acted without being recorded learns so, before acting again:
//
//   - Bot messages carry Discord's nonce (enforce_nonce), so a retry within
//     Discord's nonce window gets the first message back; after it, an
//     attempt marker makes the deliverer look for the message first (find:
//     the channel's messages since the attempt, by the bot, with the same
//     embed link and title or the same text).
//   - Webhook executes have no nonce. The attempt marker is what protects
//     them: a retry looks among the channel's messages since the attempt for
//     the same post by the bot or by the channel's webhook (its author is
//     the webhook, its webhook_id the webhook's id), so a post made either
//     way (say as the bot while Manage Webhooks was missing, then through
//     the webhook) is found, and so is a post by a webhook the channel had
//     before (deleted by a moderator and replaced meanwhile). Only answers
//     that prove nothing was posted lead to a second execute at once: 404
//     Unknown Webhook (10015, deleted by a moderator) and 401 Invalid
//     Webhook Token make the bot forget the webhook, create a new one once,
//     and execute again.
//   - Forum posts have no nonce either. A retry looks for the post among the
//     forum's active threads (the gateway's thread list of the guild, else
//     GET /guilds/{id}/threads/active): a thread of the forum created since
//     the attempt, by the bot or the channel's webhook, named as the post
//     would be, whose first message (it shares the thread's id) is the same
//     post. Found, its id is recorded; never found, the post is made.
//   - A thread start is idempotent on Discord's side: a message has at most
//     one thread, and a second start answers 400 code 160004, taken as done.
//     It is done between the post and its record, so a crash in between
//     repeats it with the find above (which starts the thread on the message
//     it finds), never the post. A start that fails for now (5xx, 429) is
//     kept in the store (store.ThreadStart) and retried by later rounds, the
//     post being recorded at once: a thread failure never reposts the
//     article. A start Discord refuses for good (no Create Public Threads,
//     the message deleted) is logged once per channel and given up.
//
// Edits of a post (story grouping, changed articles) go through the route
// of whoever posted the message: a channel whose webhook the bot holds has
// the message read first, and a webhook's message is edited with PATCH
// /webhooks/{id}/{token}/messages/{msg} (with ?thread_id= in a forum); a
// forum post's message lives in its thread, whose id it shares. A message
// of a webhook the bot no longer holds cannot be edited, and its edit is
// settled as that of a deleted message. An edit is idempotent, so a retry
// repeats it, never a post.
//
// Webhook tokens are secrets: they are stored (store.Webhook), sent only in
// the path of webhook requests, and cut out of every error before it is
// logged, recorded as a delivery's error or shown.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// TargetStore is what the posting targets need of the store: the channels'
// webhooks and the thread starts still to do.
type TargetStore interface {
	ChannelWebhook(ctx context.Context, channelID string) (store.Webhook, error)
	SaveWebhook(ctx context.Context, w store.Webhook) error
	ForgetWebhook(ctx context.Context, channelID, webhookID string) error
	PastWebhooks(ctx context.Context, channelID string) ([]string, error)
	AddThreadStart(ctx context.Context, ts store.ThreadStart) error
	DueThreadStarts(ctx context.Context, now time.Time, limit int) ([]store.ThreadStart, error)
	RetryThreadStart(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error
	FinishThreadStart(ctx context.Context, deliveryID int64) error
}

// Discord's JSON error codes the targets act on.
const (
	codeUnknownWebhook      = 10015
	codeInvalidWebhookToken = 50027
	codeThreadExists        = 160004
)

// Target timing.
const (
	// channelTTL is how long a channel's type and forum tags are cached:
	// long enough to spare a request per post, short enough that a tag
	// added to a forum is seen soon.
	channelTTL = 10 * time.Minute
	// refusalTTL is how long a channel where the bot may not create a
	// webhook is posted to as the bot before creating is tried again.
	refusalTTL = 10 * time.Minute
	// threadStartGiveUp is how many failed attempts of a kept thread start
	// are made before it is given up (with backoff, about half a day).
	threadStartGiveUp = 12
	// maxThreadName is Discord's limit on a thread's (a forum post's) name.
	maxThreadName = 100
)

// targets is what every delivery's target shares: caches of the channels'
// types and of webhook refusals, and which warnings were already logged.
type targets struct {
	store TargetStore
	log   *slog.Logger
	now   func() time.Time

	mu       sync.Mutex
	channels map[string]channelInfo
	refused  map[string]time.Time // channel → webhook creation not retried before
	warned   map[string]bool      // channel + what: logged once
}

func newTargets(st TargetStore, log *slog.Logger, now func() time.Time) *targets {
	return &targets{store: st, log: log, now: now,
		channels: map[string]channelInfo{}, refused: map[string]time.Time{}, warned: map[string]bool{}}
}

// channelInfo is what the targets need to know of a channel.
type channelInfo struct {
	typ     discordgo.ChannelType
	guildID string
	tags    []discordgo.ForumTag
	at      time.Time
}

func (c channelInfo) forum() bool { return c.typ == discordgo.ChannelTypeGuildForum }

// channel returns a channel's type (and a forum's tags): cached, else from
// the gateway state, else GET /channels/{id}. The type is read rather than
// stored with the subscription because it decides the route (a forum
// refuses plain messages) and Discord owns it.
func (t *targets) channel(ctx context.Context, s *discordgo.Session, channelID string) (channelInfo, error) {
	t.mu.Lock()
	c, ok := t.channels[channelID]
	t.mu.Unlock()
	if ok && t.now().Sub(c.at) < channelTTL {
		return c, nil
	}
	ch, err := s.State.Channel(channelID)
	if err != nil {
		if ch, err = s.Channel(channelID, discordgo.WithContext(ctx)); err != nil {
			return channelInfo{}, fmt.Errorf("read channel %s: %w", channelID, err)
		}
	}
	c = channelInfo{typ: ch.Type, guildID: ch.GuildID, tags: ch.AvailableTags, at: t.now()}
	t.mu.Lock()
	t.channels[channelID] = c
	t.mu.Unlock()
	return c, nil
}

// warnOnce logs a warning the first time it is given for a channel.
func (t *targets) warnOnce(channelID, what, msg string, args ...any) {
	t.mu.Lock()
	seen := t.warned[channelID+" "+what]
	t.warned[channelID+" "+what] = true
	t.mu.Unlock()
	if !seen {
		t.log.Warn(msg, append([]any{"channel", channelID}, args...)...)
	}
}

// wantsWebhook reports whether a subscription posts through a webhook.
func wantsWebhook(r store.Rules) bool { return r.WebhookName != "" || r.WebhookAvatar != "" }

// threadName is the name of a post's thread or forum post: the headline,
// cut to Discord's 100 characters.
func threadName(title string) string { return truncate(orUntitled(title), maxThreadName) }

// restCode is the JSON error code of a Discord error, or 0.
func restCode(err error) int {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Message != nil {
		return rest.Message.Code
	}
	return 0
}

// binder is a poster that posts each delivery to its subscription's target.
type binder interface {
	bind(dl store.Delivery) poster
}

// poster is the poster of one delivery: its target's, when the deliverer's
// poster knows targets (the bot's does; tests' doubles post plainly).
func (d *Deliverer) poster(dl store.Delivery) poster {
	if b, ok := d.Poster.(binder); ok {
		return b.bind(dl)
	}
	return d.Poster
}

// targetPoster is the bot's poster: plain posts (failing-feed notices) go
// out as the bot, and bind gives each delivery its target.
type targetPoster struct {
	sessionPoster
	t *targets
	// sessions are every shard of this process: a forum post is looked for
	// in the gateway state of the shard that has its guild.
	sessions []*discordgo.Session
}

func (p targetPoster) bind(dl store.Delivery) poster { return deliveryPoster{targetPoster: p, dl: dl} }

// deliveryPoster posts one delivery to its target.
type deliveryPoster struct {
	targetPoster
	dl store.Delivery
}

func (p deliveryPoster) rules() store.Rules { return p.dl.Subscription.Rules }

// self is the bot's user id, "" before READY.
func (p targetPoster) self() string {
	if p.s.State != nil && p.s.State.User != nil {
		return p.s.State.User.ID
	}
	return ""
}

func (p deliveryPoster) post(ctx context.Context, channelID string, m message, nonce string) (string, error) {
	info, err := p.t.channel(ctx, p.s, channelID)
	if err != nil {
		return "", err
	}
	if info.forum() {
		return p.postForum(ctx, channelID, info, m)
	}
	id := ""
	if wantsWebhook(p.rules()) {
		if id, err = p.postWebhook(ctx, channelID, m, webhookExtras{}); err != nil {
			return "", err
		}
	}
	if id == "" {
		if id, err = p.sessionPoster.post(ctx, channelID, m, nonce); err != nil {
			return "", err
		}
	}
	if p.rules().Thread {
		p.startThread(ctx, p.dl.ID, channelID, id, threadName(p.dl.Article.Title))
	}
	return id, nil
}

func (p deliveryPoster) find(ctx context.Context, channelID string, m message, since time.Time) (string, error) {
	info, err := p.t.channel(ctx, p.s, channelID)
	if err != nil {
		return "", err
	}
	authors, err := p.authors(ctx, channelID)
	if err != nil {
		return "", err
	}
	if info.forum() {
		return p.findForumPost(ctx, channelID, info, m, since, authors)
	}
	id, err := p.findBy(ctx, channelID, m, since, authors)
	if err == nil && id != "" && p.rules().Thread {
		// The earlier attempt may have died before its thread: starting it
		// again is harmless (160004 means it exists).
		p.startThread(ctx, p.dl.ID, channelID, id, threadName(p.dl.Article.Title))
	}
	return id, err
}

// authors are who may have posted a delivery in a channel: the bot, the
// channel's webhook if the bot holds one, and the webhooks it held before.
// An attempt may have posted through a webhook that a moderator deleted
// and another delivery replaced before this retry.
func (p targetPoster) authors(ctx context.Context, channelID string) ([]string, error) {
	authors := []string{p.self()}
	wh, err := p.t.store.ChannelWebhook(ctx, channelID)
	switch {
	case err == nil:
		authors = append(authors, wh.ID)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("read the webhook of channel %s: %w", channelID, err)
	}
	past, err := p.t.store.PastWebhooks(ctx, channelID)
	if err != nil {
		return nil, fmt.Errorf("read the past webhooks of channel %s: %w", channelID, err)
	}
	return append(authors, past...), nil
}

// messageChannel is where a post's message lives: a forum post's in its
// thread, whose id it shares.
func (p deliveryPoster) messageChannel(ctx context.Context, channelID, messageID string) (string, bool, error) {
	info, err := p.t.channel(ctx, p.s, channelID)
	if err != nil {
		return "", false, err
	}
	if info.forum() {
		return messageID, true, nil
	}
	return channelID, false, nil
}

func (p deliveryPoster) get(ctx context.Context, channelID, messageID string) (message, error) {
	in, _, err := p.messageChannel(ctx, channelID, messageID)
	if err != nil {
		return message{}, err
	}
	return p.sessionPoster.get(ctx, in, messageID)
}

func (p deliveryPoster) edit(ctx context.Context, channelID, messageID string, m message) error {
	in, inThread, err := p.messageChannel(ctx, channelID, messageID)
	if err != nil {
		return err
	}
	wh, err := p.t.store.ChannelWebhook(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		// No webhook was ever held here: the message is the bot's.
		return p.sessionPoster.edit(ctx, in, messageID, m)
	}
	if err != nil {
		return fmt.Errorf("read the webhook of channel %s: %w", channelID, err)
	}
	// Who posted the message decides the route: the bot cannot edit a
	// webhook's message, nor a webhook the bot's.
	msg, err := p.s.ChannelMessage(in, messageID, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("read message %s to edit it: %w", messageID, err)
	}
	switch msg.WebhookID {
	case "":
		return p.sessionPoster.edit(ctx, in, messageID, m)
	case wh.ID:
		thread := ""
		if inThread {
			thread = in
		}
		return p.editWebhookMessage(ctx, wh, messageID, thread, m)
	}
	return orphanedMessage(messageID)
}

// orphanedMessage is the error of an edit of a message posted by a webhook
// the bot no longer holds: like a deleted message, it cannot be edited
// again, and editFailed settles the edit as such.
func orphanedMessage(messageID string) error {
	return fmt.Errorf("message %s was posted by a webhook that is gone: %w", messageID, &discordgo.RESTError{
		Response: &httpResponseNotFound,
		Message:  &discordgo.APIErrorMessage{Code: codeUnknownMessage, Message: "the webhook that posted this message is gone"},
	})
}
