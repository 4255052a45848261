package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// findPages bounds the search for an earlier post: 5 pages of 100 messages
// since the attempt, more than a channel sees while a store is down.
const findPages = 5

// find looks for a message this bot posted in the channel since the given
// time that carries the same post (same embed link and title, or the same
// text). It is how a delivery whose earlier attempt was never recorded
// learns, after Discord has forgotten the nonce, whether it was posted.
func (p sessionPoster) find(ctx context.Context, channelID string, m message, since time.Time) (string, error) {
	self := ""
	if p.s.State != nil && p.s.State.User != nil {
		self = p.s.State.User.ID
	}
	return p.findBy(ctx, channelID, m, since, []string{self})
}

// findBy is find for posts by any of authors: the bot's user id, or a
// channel webhook's id (a webhook's message has the webhook as its author
// and webhook_id), as posts through a webhook need (target.go). An author
// "" accepts any message, as before the bot knows its own id.
func (p sessionPoster) findBy(ctx context.Context, channelID string, m message, since time.Time, authors []string) (string, error) {
	after := snowflakeAt(since)
	byAuthor := func(msg *discordgo.Message) bool {
		for _, a := range authors {
			if a == "" || msg.Author == nil || msg.Author.ID == a || (msg.WebhookID != "" && msg.WebhookID == a) {
				return true
			}
		}
		return false
	}
	for range findPages {
		msgs, err := p.s.ChannelMessages(channelID, 100, "", after, "", discordgo.WithContext(ctx))
		if err != nil {
			return "", fmt.Errorf("list messages of channel %s: %w", channelID, err)
		}
		if len(msgs) == 0 {
			return "", nil
		}
		for _, msg := range msgs {
			if byAuthor(msg) && samePost(msg, m) {
				return msg.ID, nil
			}
			if after == "" || later(msg.ID, after) {
				after = msg.ID
			}
		}
		if len(msgs) < 100 {
			return "", nil
		}
	}
	return "", nil
}

// samePost reports whether a message in the channel is the post m.
func samePost(msg *discordgo.Message, m message) bool {
	if m.Embed != nil {
		for _, e := range msg.Embeds {
			if e != nil && e.URL == m.Embed.URL && e.Title == m.Embed.Title {
				return true
			}
		}
		return false
	}
	return m.Content != "" && msg.Content == m.Content
}

// snowflakeAt is the smallest Discord ID of a moment: messages "after" it
// were created at or after t.
func snowflakeAt(t time.Time) string {
	const discordEpoch = 1420070400000
	ms := t.UnixMilli() - discordEpoch
	if ms <= 0 {
		return "0"
	}
	return strconv.FormatUint(uint64(ms)<<22, 10)
}

// later compares two snowflakes numerically.
func later(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}
