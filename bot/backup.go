package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"newsbot/feeds"
	"newsbot/store"
)

// A backup is /feed export format:json: a server's subscriptions with their
// channels and rules, which /feed import restores. OPML stays the default
// export, for feed readers; it has no place for channels or rules.
type backup struct {
	// Format names the file, so /feed import can tell it from other JSON.
	Format        string        `json:"format"`
	Version       int           `json:"version"`
	GuildID       string        `json:"guild_id"`
	ExportedAt    time.Time     `json:"exported_at"`
	Subscriptions []backupEntry `json:"subscriptions"`
}

type backupEntry struct {
	FeedURL   string `json:"feed_url"`
	FeedTitle string `json:"feed_title,omitempty"`
	SiteURL   string `json:"site_url,omitempty"`
	ChannelID string `json:"channel_id"`
	// Rules use store.Rules' JSON names: the same document the stores keep.
	Rules store.Rules `json:"rules"`
}

const (
	backupFormat  = "newsbot-subscriptions"
	backupVersion = 1
)

// exportBackup answers /feed export format:json.
func (b *Bot) exportBackup(ctx context.Context, r *request) (*reply, error) {
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		return nil, fmt.Errorf("export: list subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return &reply{Content: "This server has no feeds to export yet."}, nil
	}
	bk := backup{Format: backupFormat, Version: backupVersion, GuildID: r.guildID, ExportedAt: b.now().UTC()}
	for _, s := range subs {
		bk.Subscriptions = append(bk.Subscriptions, backupEntry{
			FeedURL: s.Feed.URL, FeedTitle: s.Feed.Title, SiteURL: s.Feed.SiteURL, ChannelID: s.ChannelID, Rules: s.Rules,
		})
	}
	data, err := json.MarshalIndent(bk, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export: encode backup: %w", err)
	}
	return &reply{
		Content: fmt.Sprintf("%d subscriptions with their channels and rules. `/feed import` restores them, here or on another server.", len(subs)),
		File:    fileReply("newsbot-subscriptions.json", "application/json", data),
	}, nil
}

// isBackup tells a JSON backup from an OPML file by its first character: a
// JSON object starts with "{", XML with "<" (after any byte order mark).
func isBackup(body []byte) bool {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	body = bytes.TrimLeft(body, " \t\r\n")
	return len(body) > 0 && body[0] == '{'
}

// parseBackup reads a backup, refusing other JSON in the admin's words.
func parseBackup(body []byte) (backup, error) {
	var bk backup
	if err := json.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &bk); err != nil {
		return backup{}, userError{msg: "That JSON file isn't a newsbot backup I can read. Use a file from `/feed export format:json`.", cause: err}
	}
	if bk.Format != backupFormat {
		return backup{}, userErrorf("That JSON file isn't a newsbot backup. Use a file from `/feed export format:json`, or an OPML file.")
	}
	if bk.Version > backupVersion {
		return backup{}, userErrorf("That backup comes from a newer newsbot (version %d); this one reads version %d.", bk.Version, backupVersion)
	}
	if len(bk.Subscriptions) == 0 {
		return backup{}, userErrorf("That backup has no subscriptions.")
	}
	return bk, nil
}

// importBackup restores a backup: each subscription in its own channel when
// that channel is on this server, else in the command's channel, with its
// rules. A subscription that already exists gets the backup's rules.
func (b *Bot) importBackup(ctx context.Context, r *request, body []byte) (*reply, error) {
	bk, err := parseBackup(body)
	if err != nil {
		return nil, err
	}
	total := len(bk.Subscriptions)
	entries := bk.Subscriptions[:min(total, maxImportFeeds)]
	results := make([]string, len(entries))
	var restored atomic.Int32
	var g errgroup.Group
	g.SetLimit(importConcurrent)
	for i, e := range entries {
		g.Go(func() error {
			note, err := b.restoreOne(ctx, r, e)
			name := escapeMarkdown(truncate(orUntitled(cmpOr(e.FeedTitle, e.FeedURL)), 60))
			switch {
			case err != nil:
				results[i] = fmt.Sprintf("• %s: %s", name, userMessage(err))
				if ue := (userError{}); !errors.As(err, &ue) {
					b.log.Warn("restore: subscription not restored", "guild", r.guildID, "feed", e.FeedURL, "err", err)
				}
			case note != "":
				restored.Add(1)
				results[i] = fmt.Sprintf("• %s: %s", name, note)
			default:
				restored.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait()
	msg := fmt.Sprintf("Restored %d of %d subscriptions with their rules.", restored.Load(), total)
	if total > maxImportFeeds {
		msg += fmt.Sprintf(" Only the first %d were read.", maxImportFeeds)
	}
	var notes []string
	for _, s := range results {
		if s != "" {
			notes = append(notes, s)
		}
	}
	if len(notes) > 0 {
		msg += "\n" + strings.Join(notes, "\n")
	}
	return &reply{Content: msg, PostIfLate: true}, nil
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// restoreOne restores one subscription; note says what was changed on the
// way (another channel, a role that is not on this server).
func (b *Bot) restoreOne(ctx context.Context, r *request, e backupEntry) (note string, err error) {
	ctx, cancel := context.WithTimeout(ctx, feeds.DiscoverTimeout+30*time.Second)
	defer cancel()
	// A hand-made backup may hold credentials: removed, as /feed add does.
	feedURL, hadCredentials, err := feeds.CleanUserURL(e.FeedURL)
	if err != nil {
		return "", userError{msg: feeds.Message(err), cause: err}
	}
	rl := e.Rules
	if _, err := compileRules(rl); err != nil {
		return "", userError{msg: "its rules can't be used: " + err.Error(), cause: err}
	}
	var notes []string
	if hadCredentials {
		notes = append(notes, "I removed the user name and password from its address: I never store or send credentials")
	}
	if rl.MentionRole != "" {
		if role, err := r.s.State.Role(r.guildID, rl.MentionRole); err != nil || role == nil {
			notes = append(notes, "its mention role isn't on this server, so it pings nobody")
			rl.MentionRole, rl.MentionWhen = "", ""
		}
	}
	channelID := e.ChannelID
	if c, err := r.s.State.Channel(channelID); err != nil || c.GuildID != r.guildID {
		channelID = r.channelID
		notes = append(notes, fmt.Sprintf("its channel isn't on this server, so it posts in <#%s>", channelID))
	}
	if err := b.checkCanPost(r, channelID); err != nil {
		return "", err
	}
	res, err := b.sources.Discover(ctx, feedURL)
	if err != nil {
		return "", fetchError(err)
	}
	now := b.now()
	title := res.Feed.Title
	if title == "" {
		title = e.FeedTitle
	}
	sub, err := b.store.Subscribe(ctx, store.NewSubscription{
		GuildID: r.guildID, ChannelID: channelID, CreatedBy: r.userID,
		Feed:       store.Feed{URL: res.URL, Title: title, SiteURL: res.Feed.SiteURL},
		Seen:       seenArticles(res.Feed.Items, now),
		NextPollAt: now.Add(b.cfg.PollInterval),
	})
	if errors.Is(err, store.ErrConflict) {
		// Already subscribed: restoring means its rules become the backup's.
		sub, err = b.existingSubscription(ctx, r.guildID, channelID, res.URL)
	}
	if err != nil {
		return "", fmt.Errorf("restore %s: %w", res.URL, err)
	}
	if !rl.IsZero() || !sub.Rules.IsZero() {
		if _, err := b.store.SaveRules(ctx, r.guildID, sub.ID, rl); err != nil {
			return "", fmt.Errorf("restore the rules of %s: %w", res.URL, err)
		}
	}
	return strings.Join(notes, "; "), nil
}

// existingSubscription finds the guild's subscription of a channel to a
// feed.
func (b *Bot) existingSubscription(ctx context.Context, guildID, channelID, feedURL string) (store.Subscription, error) {
	subs, err := b.store.ListSubscriptions(ctx, guildID)
	if err != nil {
		return store.Subscription{}, err
	}
	for _, s := range subs {
		if s.ChannelID == channelID && s.Feed.URL == feedURL {
			return s, nil
		}
	}
	return store.Subscription{}, store.ErrNotFound
}
