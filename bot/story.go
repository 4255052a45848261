package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// Story grouping. With stories on, the first article of a story posts as
// usual; a later article of the same story from another feed of the
// channel edits that post to list it under "Also covered by"; a newer
// version from the post's own feed replaces the post's headline and summary;
// a changed article edits every post that shows it. Every edit is a delivery
// of the outbox like a post: claimed, performed, marked. An edit is
// idempotent (it sets the message to what the store says), so a crash
// between the edit and its record repeats the edit, never a post. A post
// whose message a moderator deleted is not recreated: the delivery is
// settled as failed with the reason.

// StoryStore is the part of the store story grouping reads and writes.
type StoryStore interface {
	StoryPost(ctx context.Context, channelID, story string, since time.Time) (store.StoryPost, error)
	StoryOutlets(ctx context.Context, channelID, story string) ([]store.Outlet, error)
	MarkStoryPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error
}

// DefaultStoryWindow is how long a story's post is edited as outlets join;
// after it a new article of the story starts a new post.
const DefaultStoryWindow = 48 * time.Hour

// maxOutletsNamed is how many other outlets a post names before "and N more".
const maxOutletsNamed = 10

// outletsField is the embed field (or text line) that lists other outlets.
const outletsField = "Also covered by"

// codeUnknownMessage is Discord's error for a deleted message.
const codeUnknownMessage = 10008

func (d *Deliverer) storyWindow() time.Duration {
	if d.StoryWindow > 0 {
		return d.StoryWindow
	}
	return DefaultStoryWindow
}

// storyTarget returns the channel's live post of the delivery's story when
// this delivery should edit it instead of posting.
func (d *Deliverer) storyTarget(ctx context.Context, dl store.Delivery) (store.StoryPost, bool, error) {
	p, err := d.Store.StoryPost(ctx, dl.Subscription.ChannelID, dl.Article.Story, d.Now().Add(-d.storyWindow()))
	if errors.Is(err, store.ErrNotFound) {
		return store.StoryPost{}, false, nil
	}
	if err != nil {
		return store.StoryPost{}, false, err
	}
	return p, p.ArticleID != dl.ArticleID, nil
}

// joinsStory is storyTarget for a delivery in a guild whose settings may
// have stories off.
func (d *Deliverer) joinsStory(ctx context.Context, dl store.Delivery, g store.GuildSettings) (store.StoryPost, bool, error) {
	if !g.Stories || dl.Article.Story == "" {
		return store.StoryPost{}, false, nil
	}
	return d.storyTarget(ctx, dl)
}

// joinStory edits the story's post for a new article of the same story: a
// newer version from the post's own feed takes the post over, another
// outlet is added to its list.
func (d *Deliverer) joinStory(ctx context.Context, dl store.Delivery, p store.StoryPost, m message, log *slog.Logger) outcome {
	outlets, err := d.Store.StoryOutlets(ctx, dl.Subscription.ChannelID, dl.Article.Story)
	if err != nil {
		return d.retryLater(dl, "read the story's outlets: "+err.Error(), log)
	}
	// The post's own feed: the one of the article it was posted for.
	ownFeed := dl.Article.FeedID
	for _, o := range outlets {
		if o.ArticleID == p.ArticleID {
			ownFeed = o.FeedID
		}
	}
	sameFeed := ownFeed == dl.Article.FeedID
	if !sameFeed {
		outlets = append(outlets, store.Outlet{ArticleID: dl.ArticleID, FeedID: dl.Article.FeedID,
			FeedTitle: dl.Subscription.Feed.Title, Title: dl.Article.Title, Link: dl.Article.Link})
		var err error
		if m, err = d.poster(dl).get(ctx, dl.Subscription.ChannelID, p.MessageID); err != nil {
			return d.editFailed(dl, err, log)
		}
	}
	// A newer version from the post's own feed is shown as it is (m, the
	// new article) with the other outlets the post had; another outlet is
	// added to the post as it stands in Discord.
	m = withOutlets(m, othersThan(outlets, ownFeed))
	if err := d.poster(dl).edit(ctx, dl.Subscription.ChannelID, p.MessageID, m); err != nil {
		return d.editFailed(dl, err, log)
	}
	if sameFeed {
		d.recordWith(ctx, dl, p.MessageID, log, d.Store.MarkStoryPosted)
		log.Info("a newer version of the story's article updated its post", "message", p.MessageID)
	} else {
		d.record(ctx, dl, p.MessageID, log)
		log.Info("another outlet joined the story's post", "message", p.MessageID, "outlets", len(outlets))
	}
	d.Metrics.posted()
	return outcomePosted
}

// editChanged edits the message of a delivery whose article changed, while
// the post is younger than the story window: older posts are left as they
// were read.
func (d *Deliverer) editChanged(ctx context.Context, dl store.Delivery, m message, stories bool, log *slog.Logger) outcome {
	if !dl.CreatedAt.IsZero() && d.Now().Sub(dl.CreatedAt) > d.storyWindow() {
		log.Info("the article changed after its post's edit window; leaving the post as it is", "message", dl.MessageID)
		d.record(ctx, dl, dl.MessageID, log)
		return outcomePosted
	}
	if stories && dl.Article.Story != "" {
		p, err := d.Store.StoryPost(ctx, dl.Subscription.ChannelID, dl.Article.Story, time.Unix(0, 0)) // at any age
		switch {
		case err == nil && p.MessageID == dl.MessageID && p.ArticleID != dl.ArticleID:
			// The article is listed in another's post by outlet name: its
			// headline and summary are not shown, nothing to edit.
			d.record(ctx, dl, dl.MessageID, log)
			return outcomePosted
		case err == nil && p.MessageID == dl.MessageID:
			outlets, err := d.Store.StoryOutlets(ctx, dl.Subscription.ChannelID, dl.Article.Story)
			if err != nil {
				return d.retryLater(dl, "read the story's outlets: "+err.Error(), log)
			}
			m = withOutlets(m, othersThan(outlets, dl.Article.FeedID))
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return d.retryLater(dl, "read the story's post: "+err.Error(), log)
		}
	}
	if err := d.poster(dl).edit(ctx, dl.Subscription.ChannelID, dl.MessageID, m); err != nil {
		return d.editFailed(dl, err, log)
	}
	d.record(ctx, dl, dl.MessageID, log)
	log.Info("the article changed; its post was edited", "message", dl.MessageID)
	return outcomePosted
}

// editFailed settles a failed edit: a deleted message is not recreated, a
// refused channel pauses, anything else is retried.
func (d *Deliverer) editFailed(dl store.Delivery, err error, log *slog.Logger) outcome {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == codeUnknownMessage {
		log.Info("the story's message was deleted; not recreating it")
		ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
		defer cancel()
		if err := d.Store.MarkFailed(ctx, dl.ID, "the message it would edit was deleted"); err != nil {
			log.Error("mark failed", "err", err)
		}
		return outcomeDropped
	}
	kind, reason := classify(err)
	if kind == postPause {
		ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
		defer cancel()
		if err := d.Store.PauseSubscription(ctx, dl.SubscriptionID, reason); err != nil {
			log.Error("pause subscription", "err", err)
		}
		d.release(dl, d.Now(), reason)
		return outcomePaused
	}
	return d.retryLater(dl, "edit: "+reason, log)
}

func (d *Deliverer) retryLater(dl store.Delivery, reason string, log *slog.Logger) outcome {
	retry := backoff(dl.Attempts)
	log.Warn("will retry", "reason", reason, "retry_in", retry)
	d.release(dl, d.Now().Add(retry), reason)
	d.Metrics.postError("retry")
	return outcomeWaiting
}

// othersThan lists the outlets a post names: one entry per feed, every feed
// but the post's own.
func othersThan(outlets []store.Outlet, ownFeed int64) []store.Outlet {
	var out []store.Outlet
	seen := map[int64]bool{ownFeed: true}
	for _, o := range outlets {
		if !seen[o.FeedID] {
			seen[o.FeedID] = true
			out = append(out, o)
		}
	}
	return out
}

// withOutlets adds (or replaces) the "Also covered by" list of a post.
func withOutlets(m message, outlets []store.Outlet) message {
	if len(outlets) == 0 {
		return m
	}
	var names []string
	for i, o := range outlets {
		if i == maxOutletsNamed {
			names = append(names, fmt.Sprintf("and %d more", len(outlets)-maxOutletsNamed))
			break
		}
		name := escapeMarkdown(truncate(strings.TrimSpace(orUntitled(o.FeedTitle)), 60))
		if u := safeURL(o.Link); u != "" {
			name = "[" + strings.ReplaceAll(name, "]", "\\]") + "](<" + u + ">)"
		}
		names = append(names, name)
	}
	list := strings.Join(names, ", ")
	if m.Embed != nil {
		e := *m.Embed
		e.Fields = nil
		for _, f := range m.Embed.Fields {
			if f.Name != outletsField {
				e.Fields = append(e.Fields, f)
			}
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: outletsField, Value: fitField(names, maxFieldValue)})
		m.Embed = &e
		return m
	}
	content := m.Content
	if i := strings.Index(content, "\n"+outletsField+": "); i >= 0 {
		content = content[:i]
	}
	m.Content = content + "\n" + outletsField + ": " + list
	return m
}

// fitField joins names within n characters, naming fewer and counting the
// rest when they do not fit.
func fitField(names []string, n int) string {
	for k := len(names); k > 0; k-- {
		s := strings.Join(names[:k], ", ")
		if k < len(names) {
			s += fmt.Sprintf(" and %d more", len(names)-k)
		}
		if len([]rune(s)) <= n {
			return s
		}
	}
	return fmt.Sprintf("%d outlets", len(names))
}

// editMessage is Discord's message-edit body: content and embeds replace the
// message's, and allowed_mentions must be sent again or the edit would ping
// by Discord's defaults.
type editMessage struct {
	Content         *string                           `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// newEditMessage is the edit body that sets a message to m, fitted to
// Discord's limits: an empty list of embeds removes those it had.
func newEditMessage(m message) editMessage {
	var embeds []*discordgo.MessageEmbed
	if m.Embed != nil {
		embeds = []*discordgo.MessageEmbed{m.Embed}
	}
	content, embeds := fitLimits(m.Content, embeds)
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	return editMessage{Content: &content, Embeds: embeds, AllowedMentions: allowedMentions(m)}
}

func (p sessionPoster) edit(ctx context.Context, channelID, messageID string, m message) error {
	body := newEditMessage(m)
	endpoint := discordgo.EndpointChannelMessage(channelID, messageID)
	if _, err := p.s.RequestWithBucketID("PATCH", endpoint, body, discordgo.EndpointChannelMessage(channelID, ""), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("edit message %s in channel %s: %w", messageID, channelID, err)
	}
	return nil
}

// get reads a message back as the message it was posted from.
func (p sessionPoster) get(ctx context.Context, channelID, messageID string) (message, error) {
	endpoint := discordgo.EndpointChannelMessage(channelID, messageID)
	resp, err := p.s.RequestWithBucketID("GET", endpoint, nil, discordgo.EndpointChannelMessage(channelID, ""), discordgo.WithContext(ctx))
	if err != nil {
		return message{}, fmt.Errorf("read message %s in channel %s: %w", messageID, channelID, err)
	}
	var msg discordgo.Message
	if err := json.Unmarshal(resp, &msg); err != nil {
		return message{}, fmt.Errorf("read message %s: %w", messageID, err)
	}
	m := message{Content: msg.Content}
	if len(msg.Embeds) > 0 {
		m.Embed = msg.Embeds[0]
	}
	return m, nil
}

// allowedMentions is who a message may ping: nobody, but for its
// MentionUsers.
func allowedMentions(m message) *discordgo.MessageAllowedMentions {
	if len(m.MentionUsers) > 0 {
		return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: m.MentionUsers}
	}
	return noMentions
}
