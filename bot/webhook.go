package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// Channel webhooks: one per channel, created by the bot the first time a
// subscription of the channel needs it (or at /feed edit), kept in the
// store, and shared by every subscription of the channel, each executing it
// under its own name and avatar. See target.go for how posts through it stay
// exactly-once.

// webhookName is the name of the webhooks the bot creates; each post shows
// its subscription's name instead.
const webhookName = "newsbot"

// httpResponseNotFound is the response of errors made up for messages the
// bot can no longer reach.
var httpResponseNotFound = http.Response{StatusCode: http.StatusNotFound, Status: "404 Not Found"}

// errNoWebhookPermission means the bot may not create a webhook in the
// channel (Manage Webhooks missing): it posts as itself there.
var errNoWebhookPermission = errors.New("the bot lacks Manage Webhooks in this channel")

// webhook returns the channel's webhook: the stored one, else one the bot
// created earlier (found again after the store lost it), else a new one.
// errNoWebhookPermission when the bot may not create one.
func (p targetPoster) webhook(ctx context.Context, channelID string) (store.Webhook, error) {
	wh, err := p.t.store.ChannelWebhook(ctx, channelID)
	if err == nil {
		return wh, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Webhook{}, fmt.Errorf("read the webhook of channel %s: %w", channelID, err)
	}
	p.t.mu.Lock()
	until, refused := p.t.refused[channelID]
	p.t.mu.Unlock()
	if refused && p.t.now().Before(until) {
		return store.Webhook{}, errNoWebhookPermission
	}
	wh, err = p.createWebhook(ctx, channelID)
	if err != nil {
		if kind, _ := classify(err); kind == postPause || restCode(err) == codeMissingPermissions {
			p.t.mu.Lock()
			p.t.refused[channelID] = p.t.now().Add(refusalTTL)
			p.t.mu.Unlock()
			return store.Webhook{}, fmt.Errorf("%w: %w", errNoWebhookPermission, err)
		}
		return store.Webhook{}, err
	}
	p.t.mu.Lock()
	delete(p.t.refused, channelID)
	delete(p.t.warned, channelID+" webhook") // a later loss is logged again
	p.t.mu.Unlock()
	return wh, nil
}

// createWebhook finds a webhook the bot made in the channel, else creates
// one, and stores it. Reusing keeps a channel at one webhook of the bot's
// even when its record was lost (Discord allows 15 per channel).
func (p targetPoster) createWebhook(ctx context.Context, channelID string) (store.Webhook, error) {
	self := p.self()
	var found *discordgo.Webhook
	hooks, err := p.s.ChannelWebhooks(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return store.Webhook{}, fmt.Errorf("list the webhooks of channel %s: %w", channelID, err)
	}
	for _, h := range hooks {
		// Only the bot's own webhooks come with their token.
		if h.Token != "" && h.User != nil && h.User.ID == self {
			found = h
			break
		}
	}
	if found == nil {
		if found, err = p.s.WebhookCreate(channelID, webhookName, "", discordgo.WithContext(ctx)); err != nil {
			return store.Webhook{}, fmt.Errorf("create a webhook in channel %s: %w", channelID, err)
		}
	}
	wh := store.Webhook{ChannelID: channelID, ID: found.ID, Token: found.Token}
	if err := p.t.store.SaveWebhook(ctx, wh); err != nil {
		return store.Webhook{}, fmt.Errorf("store the webhook of channel %s: %w", channelID, err)
	}
	p.t.log.Info("webhook ready", "channel", channelID, "webhook", found.ID)
	return wh, nil
}

// webhookGone reports whether Discord says the webhook no longer exists
// (deleted by a moderator, or its token reset): nothing was posted, and a
// new webhook may be created.
func webhookGone(err error) bool {
	code := restCode(err)
	return code == codeUnknownWebhook || code == codeInvalidWebhookToken
}

// webhookExtras are what a forum post adds to an execute.
type webhookExtras struct {
	threadName string
	tags       []string
}

// postWebhook posts m through the channel's webhook under the
// subscription's name and avatar. It returns "" and no error when the bot
// may not manage webhooks there, for the caller to post as the bot (said
// once in the log). A webhook Discord says is gone is created again, once.
func (p deliveryPoster) postWebhook(ctx context.Context, channelID string, m message, x webhookExtras) (string, error) {
	for attempt := 0; ; attempt++ {
		wh, err := p.webhook(ctx, channelID)
		if errors.Is(err, errNoWebhookPermission) {
			p.t.warnOnce(channelID, "webhook", "cannot post through a webhook (Manage Webhooks missing); posting as the bot", "err", err)
			return "", nil
		}
		if err != nil {
			return "", err
		}
		id, err := p.execute(ctx, wh, m, x)
		if webhookGone(err) && attempt == 0 {
			p.t.log.Info("the channel's webhook is gone; creating a new one", "channel", channelID, "webhook", wh.ID)
			if err := p.t.store.ForgetWebhook(ctx, channelID, wh.ID); err != nil {
				return "", fmt.Errorf("forget the webhook of channel %s: %w", channelID, err)
			}
			continue
		}
		return id, err
	}
}

// executeMessage is the body of a webhook execute.
type executeMessage struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Username        string                            `json:"username,omitempty"`
	AvatarURL       string                            `json:"avatar_url,omitempty"`
	ThreadName      string                            `json:"thread_name,omitempty"`
	AppliedTags     []string                          `json:"applied_tags,omitempty"`
}

// execute posts through a webhook and waits for the message.
func (p deliveryPoster) execute(ctx context.Context, wh store.Webhook, m message, x webhookExtras) (string, error) {
	content, embeds, mentions := messageBody(m)
	r := p.rules()
	name := r.WebhookName
	if name == "" {
		name = p.dl.Subscription.Feed.Title
	}
	body := executeMessage{Content: content, Embeds: embeds, AllowedMentions: mentions,
		Username: webhookUsername(name), AvatarURL: r.WebhookAvatar, ThreadName: x.threadName, AppliedTags: x.tags}
	endpoint := discordgo.EndpointWebhookToken(wh.ID, wh.Token)
	resp, err := p.s.RequestWithBucketID("POST", endpoint+"?wait=true", body, discordgo.EndpointWebhookToken(wh.ID, ""), discordgo.WithContext(ctx))
	if err != nil {
		return "", redact(fmt.Errorf("execute webhook %s in channel %s: %w", wh.ID, wh.ChannelID, err), wh.Token)
	}
	var msg discordgo.Message
	if err := json.Unmarshal(resp, &msg); err != nil {
		return "", fmt.Errorf("execute webhook %s: decode reply: %w", wh.ID, err)
	}
	return msg.ID, nil
}

// editWebhookMessage edits a message the webhook posted (in thread, for a
// forum post).
func (p deliveryPoster) editWebhookMessage(ctx context.Context, wh store.Webhook, messageID, thread string, m message) error {
	body := newEditMessage(m)
	endpoint := discordgo.EndpointWebhookMessage(wh.ID, wh.Token, messageID)
	if thread != "" {
		endpoint += "?thread_id=" + thread
	}
	if _, err := p.s.RequestWithBucketID("PATCH", endpoint, body, discordgo.EndpointWebhookMessage(wh.ID, "", ""), discordgo.WithContext(ctx)); err != nil {
		return redact(fmt.Errorf("edit message %s of webhook %s: %w", messageID, wh.ID, err), wh.Token)
	}
	return nil
}

// messageBody is a post's content, embeds and allowed mentions as every
// route sends them: cut to Discord's limits, pinging nobody but the roles
// and users the message names.
func messageBody(m message) (string, []*discordgo.MessageEmbed, *discordgo.MessageAllowedMentions) {
	var embeds []*discordgo.MessageEmbed
	if m.Embed != nil {
		embeds = []*discordgo.MessageEmbed{m.Embed}
	}
	content, embeds := fitLimits(m.Content, embeds)
	return content, embeds, postMentions(m)
}

// postMentions is who a post may ping: nobody, but for the users and roles
// the message names, as sessionPoster.post allows them.
func postMentions(m message) *discordgo.MessageAllowedMentions {
	if len(m.MentionUsers) > 0 || len(m.MentionRoles) > 0 {
		return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: m.MentionUsers, Roles: m.MentionRoles}
	}
	return noMentions
}

// webhookUsername is a name Discord accepts for a webhook post: 1 to 80
// characters without "clyde" or "discord" (a feed's title may have them;
// an admin's webhook_name was checked at /feed edit).
func webhookUsername(name string) string {
	name = strings.TrimSpace(name)
	for _, bad := range []string{"clyde", "discord"} {
		for {
			i := strings.Index(strings.ToLower(name), bad)
			if i < 0 {
				break
			}
			name = name[:i] + name[i+len(bad):]
		}
	}
	name = strings.TrimSpace(truncate(name, maxWebhookName))
	if name == "" {
		return "News"
	}
	return name
}

// redact cuts a webhook's token out of an error's text (a network error
// quotes the URL, which holds the token), keeping the error for errors.As.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return redactedError{err: err, msg: strings.ReplaceAll(err.Error(), token, "[token]")}
}

type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
