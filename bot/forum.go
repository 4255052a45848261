package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// Forum posts and threads started on posts. See target.go for how each
// stays exactly-once.

// forumPost is the body of POST /channels/{forum}/threads: a forum post
// and its first message.
type forumPost struct {
	Name        string        `json:"name"`
	Message     createMessage `json:"message"`
	AppliedTags []string      `json:"applied_tags,omitempty"`
}

// postForum makes a new forum post of m, titled with the headline and
// tagged with the subscription's tag. Its id is the id of both the thread
// and its first message.
func (p deliveryPoster) postForum(ctx context.Context, forumID string, info channelInfo, m message) (string, error) {
	name := threadName(p.dl.Article.Title)
	var tags []string
	if t := p.rules().ForumTag; t != "" {
		if id, ok := forumTag(info.tags, t); ok {
			tags = []string{id}
		} else {
			// Deleted or renamed since /feed edit checked it: the post
			// matters more than its tag (a forum requiring one refuses it).
			p.t.warnOnce(forumID, "tag "+t, "the subscription's forum tag is gone; posting without it", "tag", t, "subscription", p.dl.SubscriptionID)
		}
	}
	if wantsWebhook(p.rules()) {
		id, err := p.postWebhook(ctx, forumID, m, webhookExtras{threadName: name, tags: tags})
		if err != nil || id != "" {
			return id, err
		}
	}
	content, embeds, mentions := messageBody(m)
	body := forumPost{Name: name, AppliedTags: tags,
		Message: createMessage{Content: content, Embeds: embeds, AllowedMentions: mentions}}
	endpoint := discordgo.EndpointChannelThreads(forumID)
	resp, err := p.s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("post to forum %s: %w", forumID, err)
	}
	var th struct {
		ID      string             `json:"id"`
		Message *discordgo.Message `json:"message"`
	}
	if err := json.Unmarshal(resp, &th); err != nil {
		return "", fmt.Errorf("post to forum %s: decode reply: %w", forumID, err)
	}
	if th.Message != nil && th.Message.ID != "" {
		return th.Message.ID, nil
	}
	return th.ID, nil
}

// forumTag finds a forum's tag by id or name (case-insensitively).
func forumTag(tags []discordgo.ForumTag, want string) (string, bool) {
	want = strings.TrimSpace(want)
	for _, t := range tags {
		if t.ID == want {
			return t.ID, true
		}
	}
	for _, t := range tags {
		if strings.EqualFold(t.Name, want) {
			return t.ID, true
		}
	}
	return "", false
}

// findForumPost looks for the forum post of an earlier attempt: an active
// thread of the forum created since then by one of authors, named as the
// post, whose first message is the post.
func (p deliveryPoster) findForumPost(ctx context.Context, forumID string, info channelInfo, m message, since time.Time, authors []string) (string, error) {
	threads, err := p.activeThreads(ctx, info.guildID)
	if err != nil {
		return "", err
	}
	name, after := threadName(p.dl.Article.Title), snowflakeAt(since)
	for _, th := range threads {
		if th.ParentID != forumID || th.Name != name || !slices.Contains(authors, th.OwnerID) || later(after, th.ID) {
			continue
		}
		first, err := p.s.ChannelMessage(th.ID, th.ID, discordgo.WithContext(ctx))
		if restCode(err) == codeUnknownMessage {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read the first message of forum post %s: %w", th.ID, err)
		}
		if samePost(first, m) {
			return th.ID, nil
		}
	}
	return "", nil
}

// activeThreads are a guild's active threads: from the gateway state of
// the shard that has the guild (GUILD_CREATE lists them, THREAD_CREATE adds
// them), else through REST.
func (p targetPoster) activeThreads(ctx context.Context, guildID string) ([]discordgo.Channel, error) {
	for _, s := range append([]*discordgo.Session{p.s}, p.sessions...) {
		if s == nil || s.State == nil {
			continue
		}
		s.State.RLock()
		g, err := s.State.Guild(guildID)
		var out []discordgo.Channel
		if err == nil {
			for _, th := range g.Threads {
				out = append(out, *th)
			}
		}
		s.State.RUnlock()
		if err == nil {
			return out, nil
		}
	}
	list, err := p.s.GuildThreadsActive(guildID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("list the active threads of guild %s: %w", guildID, err)
	}
	out := make([]discordgo.Channel, 0, len(list.Threads))
	for _, th := range list.Threads {
		out = append(out, *th)
	}
	return out, nil
}

// threadStart is the body of POST /channels/{id}/messages/{msg}/threads.
type threadStart struct {
	Name string `json:"name"`
}

// startThread starts a thread on a posted message. It never fails the
// post: a start that fails for now is kept in the store and retried by
// later rounds (retryThreadStarts); one Discord refuses for good is logged
// once per channel and given up.
func (p targetPoster) startThread(ctx context.Context, deliveryID int64, channelID, messageID, name string) {
	err := p.threadOn(ctx, channelID, messageID, name)
	if err == nil {
		return
	}
	kind, reason := classify(err)
	if kind != postRetry {
		p.t.warnOnce(channelID, "thread", "cannot start a thread on the post; going on without one", "message", messageID, "reason", reason)
		return
	}
	p.t.log.Warn("thread start failed; will retry", "channel", channelID, "message", messageID, "reason", reason)
	ts := store.ThreadStart{DeliveryID: deliveryID, ChannelID: channelID, MessageID: messageID, Name: name,
		RetryAt: p.t.now().Add(backoff(0)), Error: reason}
	if err := p.t.store.AddThreadStart(context.WithoutCancel(ctx), ts); err != nil {
		p.t.log.Error("could not keep a failed thread start; the post will have no thread", "channel", channelID, "message", messageID, "err", err)
	}
}

// threadOn starts the thread; one already started (160004) is done.
func (p targetPoster) threadOn(ctx context.Context, channelID, messageID, name string) error {
	endpoint := discordgo.EndpointChannelMessageThread(channelID, messageID)
	_, err := p.s.RequestWithBucketID("POST", endpoint, threadStart{Name: name}, discordgo.EndpointChannelMessageThread(channelID, ""), discordgo.WithContext(ctx))
	if err == nil || restCode(err) == codeThreadExists {
		return nil
	}
	return fmt.Errorf("start a thread on message %s in channel %s: %w", messageID, channelID, err)
}

// retryThreadStarts retries the thread starts that are due. Starts are
// idempotent, so two processes retrying one at once do no harm: no claim.
func (p targetPoster) retryThreadStarts(ctx context.Context, now time.Time) {
	due, err := p.t.store.DueThreadStarts(ctx, now, 20)
	if err != nil {
		p.t.log.Warn("read thread starts to retry", "err", err)
		return
	}
	for _, ts := range due {
		err := p.threadOn(ctx, ts.ChannelID, ts.MessageID, ts.Name)
		kind, reason := classify(err)
		switch {
		case err == nil:
			p.t.log.Info("started a thread after retrying", "channel", ts.ChannelID, "message", ts.MessageID, "attempts", ts.Attempts+1)
		case kind == postRetry && ts.Attempts+1 < threadStartGiveUp:
			if err := p.t.store.RetryThreadStart(ctx, ts.DeliveryID, now.Add(backoff(ts.Attempts+1)), reason); err != nil {
				p.t.log.Warn("record a thread start's retry", "delivery", ts.DeliveryID, "err", err)
			}
			continue
		default:
			p.t.log.Warn("giving up a thread start", "channel", ts.ChannelID, "message", ts.MessageID, "reason", reason, "attempts", ts.Attempts+1)
		}
		if err := p.t.store.FinishThreadStart(ctx, ts.DeliveryID); err != nil {
			p.t.log.Warn("finish a thread start", "delivery", ts.DeliveryID, "err", err)
		}
	}
}
