package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"newsbot/store"
)

// The /feed edit side of the posting targets: the forum tag is checked
// against the forum, and the webhook is made ready (or found impossible)
// when the admin asks for it, not at the first post.

// checkTargetRules checks the target options of /feed edit against the
// subscription's channel: a tag only in a forum, and one of its tags
// (stored by its name, as the forum shows it).
func (b *Bot) checkTargetRules(ctx context.Context, r *request, sub store.Subscription, next *store.Rules) error {
	if r.option("tag") == nil {
		return nil
	}
	b.targets.forget(sub.ChannelID) // the admin may have just added the tag
	info, err := b.targets.channel(ctx, r.s, sub.ChannelID)
	if err != nil {
		return fmt.Errorf("check the tag against channel %s: %w", sub.ChannelID, err)
	}
	if !info.forum() {
		return userErrorf("`tag` is for forum channels, and <#%s> isn't one. Nothing was changed.", sub.ChannelID)
	}
	id, ok := forumTag(info.tags, next.ForumTag)
	if !ok {
		var names []string
		for _, t := range info.tags {
			names = append(names, code(t.Name))
		}
		if len(names) == 0 {
			return userErrorf("<#%s> has no tags; add some in the forum's settings first. Nothing was changed.", sub.ChannelID)
		}
		return userErrorf("<#%s> has no tag %s. Its tags: %s. Nothing was changed.", sub.ChannelID, code(next.ForumTag), strings.Join(names, ", "))
	}
	for _, t := range info.tags {
		if t.ID == id {
			next.ForumTag = t.Name
		}
	}
	return nil
}

// targetNotes are warnings about the target rules saved: a webhook the bot
// may not create (it tries now, so the answer is Discord's own), a thread
// rule in a forum, where every post is a thread already.
func (b *Bot) targetNotes(ctx context.Context, r *request, sub store.Subscription, rl store.Rules) []string {
	var notes []string
	info, err := b.targets.channel(ctx, r.s, sub.ChannelID)
	if err == nil && info.forum() && rl.Thread {
		notes = append(notes, fmt.Sprintf("<#%s> is a forum: every post is a thread already, so `thread` changes nothing there.", sub.ChannelID))
	}
	if !wantsWebhook(rl) {
		return notes
	}
	// The admin may have just granted Manage Webhooks: try again now.
	b.targets.mu.Lock()
	delete(b.targets.refused, sub.ChannelID)
	b.targets.mu.Unlock()
	p := targetPoster{sessionPoster: sessionPoster{r.s}, t: b.targets}
	_, err = p.webhook(ctx, sub.ChannelID)
	switch {
	case errors.Is(err, errNoWebhookPermission):
		notes = append(notes, fmt.Sprintf("⚠️ I need the **Manage Webhooks** permission in <#%s> to post through a webhook; until I have it, I post as myself. Run `/feed edit` again once I have it.", sub.ChannelID))
	case err != nil:
		_, reason := classify(err)
		b.log.Warn("prepare a webhook at /feed edit", "channel", sub.ChannelID, "reason", reason)
		notes = append(notes, fmt.Sprintf("I couldn't set up the webhook in <#%s> just now (%s); I'll try again with the next post.", sub.ChannelID, escapeMarkdown(reason)))
	}
	return notes
}

// forget drops a channel's cached type and tags.
func (t *targets) forget(channelID string) {
	t.mu.Lock()
	delete(t.channels, channelID)
	t.mu.Unlock()
}
