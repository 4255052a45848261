package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/sync/errgroup"

	"newsbot/feeds"
	"newsbot/store"
)

// postPermissions are what the bot needs in a channel to deliver there.
const postPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// Limits on /feed import, so one file can't tie the bot up for long.
const (
	maxImportFeeds   = 100
	maxOPMLBytes     = 1 << 20
	importConcurrent = 4
)

func (b *Bot) feedAdd(ctx context.Context, r *request) (*reply, error) {
	raw, note, err := userURL(r.str("url"))
	if err != nil {
		return nil, err
	}
	channelID := r.channelID
	if o := r.option("channel"); o != nil {
		channelID = fmt.Sprint(o.Value)
	}
	if err := b.checkCanPost(r, channelID); err != nil {
		return nil, withNote(note, err)
	}
	res, err := b.sources.Discover(ctx, raw)
	if err != nil {
		return nil, withNote(note, fetchError(err))
	}
	if subs, err := b.store.ListSubscriptions(ctx, r.guildID); err == nil {
		for _, s := range subs {
			if s.ChannelID == channelID && s.Feed.URL == res.URL {
				if s.Paused {
					return nil, withNote(note, userErrorf("<#%s> is already subscribed to this feed, but paused (%s). Fix the bot's permissions there, then `/feed remove` and `/feed add` it again.", channelID, s.PauseReason))
				}
				return nil, withNote(note, userErrorf("<#%s> is already subscribed to **%s**.", channelID, escapeMarkdown(orUntitled(s.Feed.Title))))
			}
		}
	}
	now := b.now()
	sub, err := b.store.Subscribe(ctx, store.NewSubscription{
		GuildID: r.guildID, ChannelID: channelID, CreatedBy: r.userID,
		Feed:       store.Feed{URL: res.URL, Title: res.Feed.Title, SiteURL: res.Feed.SiteURL},
		Seen:       seenArticles(res.Feed.Items, now),
		NextPollAt: now.Add(b.cfg.PollInterval),
	})
	if err != nil {
		return nil, withNote(note, fmt.Errorf("subscribe to %s: %w", res.URL, err))
	}
	b.log.Info("subscribed", "guild", r.guildID, "channel", channelID, "feed", res.URL, "subscription", sub.ID, "by", r.userID)
	text := fmt.Sprintf("✅ <#%s> is now subscribed to **%s** (%s), which has %d items right now. Only new items will be posted.",
		channelID, escapeMarkdown(truncate(orUntitled(res.Feed.Title), maxTitle)), showURL(res.URL), len(res.Feed.Items))
	if note != "" {
		text = note + "\n" + text
	}
	return b.withNewestPreview(ctx, r, res, text+" The next one will look like this:")
}

func (b *Bot) feedPreview(ctx context.Context, r *request) (*reply, error) {
	raw, note, err := userURL(r.str("url"))
	if err != nil {
		return nil, err
	}
	res, err := b.sources.Discover(ctx, raw)
	if err != nil {
		return nil, withNote(note, fetchError(err))
	}
	text := fmt.Sprintf("**%s** (%s) has %d items. A post from it would look like this:",
		escapeMarkdown(truncate(orUntitled(res.Feed.Title), maxTitle)), showURL(res.URL), len(res.Feed.Items))
	if note != "" {
		text = note + "\n" + text
	}
	return b.withNewestPreview(ctx, r, res, text)
}

// withNewestPreview renders the feed's newest item under text, as this
// guild's settings would post it.
func (b *Bot) withNewestPreview(ctx context.Context, r *request, res *feeds.Result, text string) (*reply, error) {
	rep := &reply{Content: text}
	it, ok := newest(res.Feed.Items)
	if !ok {
		rep.Content += "\n(The feed has no items yet.)"
		return rep, nil
	}
	settings, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
	if err != nil {
		return nil, err
	}
	a := b.sources.Article(ctx, it, settings.Sentences)
	m := render(a, res.Feed.Title, settings)
	if m.Embed != nil {
		rep.Embeds = []*discordgo.MessageEmbed{m.Embed}
	} else {
		rep.Content = truncate(rep.Content+"\n\n"+m.Content, maxContent)
	}
	return rep, nil
}

func (b *Bot) feedRemove(ctx context.Context, r *request) (*reply, error) {
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		return nil, err
	}
	want := strings.TrimSpace(r.str("feed"))
	var match []store.Subscription
	for _, s := range subs {
		if strconv.FormatInt(s.ID, 10) == want {
			match = []store.Subscription{s}
			break
		}
		if strings.EqualFold(s.Feed.URL, want) || strings.EqualFold(s.Feed.Title, want) {
			match = append(match, s)
		}
	}
	switch len(match) {
	case 0:
		return nil, userErrorf("This server has no subscription matching %q. Pick one from the list as you type, or see `/feed list`.", truncate(feeds.Redact(want), 200))
	case 1:
	default:
		return nil, userErrorf("%d channels subscribe to that feed; pick the one to remove from the list as you type.", len(match))
	}
	removed, err := b.store.Unsubscribe(ctx, r.guildID, match[0].ID)
	if err != nil {
		return nil, err
	}
	b.log.Info("unsubscribed", "guild", r.guildID, "subscription", removed.ID, "by", r.userID)
	return &reply{Content: fmt.Sprintf("Removed **%s** from <#%s>.", escapeMarkdown(orUntitled(removed.Feed.Title)), removed.ChannelID)}, nil
}

func (b *Bot) feedAutocomplete(ctx context.Context, r *request) []*discordgo.ApplicationCommandOptionChoice {
	if r.sub != "remove" && !slices.Contains(ruleSubcommands, r.sub) {
		return nil
	}
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		b.log.Warn("autocomplete", "err", err)
		return nil
	}
	typed := strings.ToLower(r.focused())
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, s := range subs {
		name := fmt.Sprintf("%s → #%s", orUntitled(s.Feed.Title), b.channelName(r.s, s.ChannelID))
		if typed != "" && !strings.Contains(strings.ToLower(name+" "+s.Feed.URL), typed) {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{
			Name: truncate(name, 100), Value: strconv.FormatInt(s.ID, 10),
		})
		if len(choices) == 25 { // Discord's maximum
			break
		}
	}
	return choices
}

func (b *Bot) feedList(ctx context.Context, r *request) (*reply, error) {
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return &reply{Content: "This server has no feeds yet. Add one with `/feed add url:<feed or website>`."}, nil
	}
	var lines []string
	for _, s := range subs {
		lines = append(lines, listLine(s))
	}
	desc := strings.Join(lines, "\n")
	if len([]rune(desc)) > maxDescription {
		desc = truncate(desc, maxDescription-40) + fmt.Sprintf("\n(%d subscriptions in all)", len(subs))
	}
	return &reply{Embeds: []*discordgo.MessageEmbed{{
		Title: fmt.Sprintf("Feeds on this server (%d)", len(subs)), Description: desc,
	}}}, nil
}

// listLine describes one subscription for /feed list.
func listLine(s store.Subscription) string {
	// Redact: subscriptions made before user URLs were cleaned may still
	// hold a password.
	line := fmt.Sprintf("<#%s> · **%s** · %s", s.ChannelID, escapeMarkdown(truncate(orUntitled(s.Feed.Title), 80)), showURL(feeds.Redact(s.Feed.URL)))
	if !s.Feed.LastSuccessAt.IsZero() {
		line += fmt.Sprintf(" · last success <t:%d:R>", s.Feed.LastSuccessAt.Unix())
	} else {
		line += " · not polled yet"
	}
	if s.Feed.ErrorCount > 0 {
		line += fmt.Sprintf(" · %d errors (%s)", s.Feed.ErrorCount, escapeMarkdown(truncate(s.Feed.LastError, 80)))
	}
	if s.Feed.ErrorCount == 0 && s.Feed.LastError != "" {
		// A poll that succeeded with a warning, such as a cut-off document.
		line += " · ⚠️ " + escapeMarkdown(truncate(s.Feed.LastError, 80))
	}
	if s.Feed.Failing() {
		line += " · ⚠️ failing, polled hourly"
	}
	if s.Feed.SkippedItems > 0 {
		line += fmt.Sprintf(" · %d items skipped in floods", s.Feed.SkippedItems)
	}
	if s.Paused {
		line += " · ⏸️ paused: " + escapeMarkdown(s.PauseReason)
	}
	line += rulesSummary(s)
	return line
}

func (b *Bot) feedImport(ctx context.Context, r *request) (*reply, error) {
	body, err := b.fetchAttachment(ctx, r)
	if err != nil {
		return nil, err
	}
	if isBackup(body) { // a JSON backup from /feed export format:json
		return b.importBackup(ctx, r, body)
	}
	outlines, err := feeds.ParseOPML(bytes.NewReader(body))
	if err != nil {
		// The parser's own words stay in the log; feeds says what they mean.
		msg := "That file isn't an OPML subscription list I can read. Export one from your feed reader and try again."
		var opmlErr *feeds.OPMLError
		if errors.As(err, &opmlErr) {
			msg = feeds.Message(err)
		}
		return nil, userError{msg: msg, cause: err}
	}
	if len(outlines) == 0 {
		return nil, userErrorf("That OPML file lists no feeds.")
	}
	if err := b.checkCanPost(r, r.channelID); err != nil {
		return nil, err
	}
	total := len(outlines)
	if total > maxImportFeeds {
		outlines = outlines[:maxImportFeeds]
	}
	prog := &importProgress{b: b, r: r, total: len(outlines)}
	results := make([]string, len(outlines))
	var added, cleaned atomic.Int32
	var g errgroup.Group
	g.SetLimit(importConcurrent)
	for i, o := range outlines {
		g.Go(func() error {
			defer prog.done()
			had, err := b.importOne(ctx, r, o)
			if had {
				cleaned.Add(1)
			}
			if err != nil {
				results[i] = fmt.Sprintf("• %s: %s", escapeMarkdown(truncate(orUntitled(o.Title), 60)), userMessage(err))
				if !isUserError(err) {
					b.log.Warn("import: feed not added", "guild", r.guildID, "feed", o.Title, "err", err)
				}
				return nil
			}
			added.Add(1)
			return nil
		})
	}
	_ = g.Wait()
	prog.stop()
	msg := fmt.Sprintf("Imported %d of %d feeds into <#%s>.", added.Load(), total, r.channelID)
	if ctx.Err() != nil {
		msg = fmt.Sprintf("The bot stopped during the import: %d of %d feeds were added to <#%s>. Import the file again for the rest (feeds already added are skipped).", added.Load(), total, r.channelID)
	}
	if total > maxImportFeeds {
		msg += fmt.Sprintf(" Only the first %d were read; import the rest in another file.", maxImportFeeds)
	}
	if n := cleaned.Load(); n > 0 {
		msg += fmt.Sprintf("\nI removed the user name and password from %d feed addresses: I never store or send credentials.", n)
	}
	var skipped []string
	for _, s := range results {
		if s != "" {
			skipped = append(skipped, s)
		}
	}
	if len(skipped) > 0 {
		msg += "\nSkipped:\n" + strings.Join(skipped, "\n")
	}
	return &reply{Content: msg, PostIfLate: true}, nil
}

// importProgress edits the deferred reply of /feed import as feeds finish
// ("Importing… 37/100"): not in the first progressQuiet, so a quick import
// is answered in one go, then at most every progressEvery so a large file
// does not run into Discord's rate limit on edits, and only while the reply
// can still be edited.
type importProgress struct {
	b     *Bot
	r     *request
	total int

	mu      sync.Mutex
	n       int
	shown   time.Time // when the last edit was sent
	editing bool
	stopped bool
	edits   sync.WaitGroup // the edit on its way, which stop waits for
}

// stop ends the progress edits and waits for one on its way, so that none
// lands after (and hides) the final answer.
func (p *importProgress) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.edits.Wait()
}

// progressQuiet is how long an import runs before it shows progress;
// progressEvery is the least time between two progress edits.
const (
	progressQuiet = 5 * time.Second
	progressEvery = 2 * time.Second
)

func (p *importProgress) done() {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
	p.show()
}

// show edits the reply with the count so far, unless it is too early or
// too late for that, or another edit is on its way.
func (p *importProgress) show() {
	p.mu.Lock()
	now := p.b.now()
	age := now.Sub(p.r.received)
	if p.stopped || p.editing || p.n == p.total || age < progressQuiet || age >= replyWindow || now.Sub(p.shown) < progressEvery {
		p.mu.Unlock()
		return
	}
	p.editing, p.shown = true, now
	p.edits.Add(1)
	defer p.edits.Done()
	text := fmt.Sprintf("Importing… %d/%d feeds done. (If this takes over %d minutes, I'll post the result in <#%s> instead of here.)",
		p.n, p.total, int(replyWindow/time.Minute), p.r.channelID)
	p.mu.Unlock()
	if err := p.b.editReply(p.r.s, p.r.ic, &reply{Content: text}); err != nil {
		p.b.log.Debug("import progress", "err", err)
	}
	p.mu.Lock()
	p.editing = false
	p.mu.Unlock()
}

// importFeedTimeout bounds one feed of an import: its discovery (itself at
// most feeds.DiscoverTimeout) and its subscription.
const importFeedTimeout = feeds.DiscoverTimeout + 30*time.Second

// importOne subscribes the command's channel to one feed of the file;
// hadCredentials tells that its address had a user name and password,
// which were removed.
func (b *Bot) importOne(ctx context.Context, r *request, o feeds.OPMLOutline) (hadCredentials bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, importFeedTimeout)
	defer cancel()
	u, had, err := feeds.CleanUserURL(o.XMLURL)
	if err != nil {
		return false, userError{msg: feeds.Message(err), cause: err}
	}
	res, err := b.sources.Discover(ctx, u)
	if err != nil {
		return had, fetchError(err)
	}
	now := b.now()
	title := res.Feed.Title
	if title == "" {
		title = o.Title
	}
	_, err = b.store.Subscribe(ctx, store.NewSubscription{
		GuildID: r.guildID, ChannelID: r.channelID, CreatedBy: r.userID,
		Feed:       store.Feed{URL: res.URL, Title: title, SiteURL: res.Feed.SiteURL},
		Seen:       seenArticles(res.Feed.Items, now),
		NextPollAt: now.Add(b.cfg.PollInterval),
	})
	if err != nil {
		return had, fmt.Errorf("subscribe to %s: %w", res.URL, err)
	}
	return had, nil
}

// errNotCDN is the attachment transport's refusal of a file that is not on
// Discord's CDN.
var errNotCDN = errors.New("attachment is not on Discord's CDN")

// fetchAttachment downloads the command's file option from Discord's CDN.
func (b *Bot) fetchAttachment(ctx context.Context, r *request) ([]byte, error) {
	o := r.option("file")
	data := r.ic.ApplicationCommandData()
	if o == nil || data.Resolved == nil {
		return nil, userErrorf("Attach an OPML file to import.")
	}
	att := data.Resolved.Attachments[fmt.Sprint(o.Value)]
	if att == nil {
		return nil, userErrorf("Discord didn't send the attached file; please try again.")
	}
	if att.Size > maxOPMLBytes {
		return nil, userErrorf("That file is %d KiB; OPML files up to %d KiB are accepted.", att.Size/1024, maxOPMLBytes/1024)
	}
	again := "I couldn't download the attached file from Discord; please attach it again."
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, att.URL, nil)
	if err != nil {
		return nil, userError{msg: "That attachment isn't a Discord upload; attach the OPML file to the command.", cause: fmt.Errorf("attachment url: %w", err)}
	}
	resp, err := b.attachments.Do(req)
	if errors.Is(err, errNotCDN) {
		return nil, userError{msg: "That attachment isn't a Discord upload; attach the OPML file to the command.", cause: err}
	}
	if err != nil {
		return nil, userError{msg: again, cause: fmt.Errorf("download attachment: %w", err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, userError{msg: again, cause: fmt.Errorf("download attachment: HTTP %d", resp.StatusCode)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOPMLBytes+1))
	if err != nil {
		return nil, userError{msg: again, cause: fmt.Errorf("download attachment: %w", err)}
	}
	if len(body) > maxOPMLBytes {
		return nil, userErrorf("That file is over %d KiB.", maxOPMLBytes/1024)
	}
	return body, nil
}

func (b *Bot) feedExport(ctx context.Context, r *request) (*reply, error) {
	if r.str("format") == "json" { // with channels and rules, for /feed import
		return b.exportBackup(ctx, r)
	}
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return &reply{Content: "This server has no feeds to export yet."}, nil
	}
	seen := map[string]bool{}
	var out []feeds.OPMLOutline
	for _, s := range subs {
		if seen[s.Feed.URL] {
			continue
		}
		seen[s.Feed.URL] = true
		// A subscription made before user URLs were cleaned may hold a
		// password: the file leaves it out, as /feed add would.
		xmlURL := s.Feed.URL
		if clean, had, err := feeds.CleanUserURL(xmlURL); err == nil && had {
			xmlURL = clean
		}
		out = append(out, feeds.OPMLOutline{Title: s.Feed.Title, XMLURL: xmlURL, HTMLURL: s.Feed.SiteURL})
	}
	var buf bytes.Buffer
	if err := feeds.WriteOPML(&buf, "newsbot feeds", out); err != nil {
		return nil, fmt.Errorf("write opml: %w", err)
	}
	return &reply{
		Content: fmt.Sprintf("%d feeds, ready to import into any feed reader (or `/feed import` on another server).", len(out)),
		File:    fileReply("newsbot-feeds.opml", "text/x-opml", buf.Bytes()),
	}, nil
}

// checkCanPost refuses a channel the bot could not deliver to. For the
// channel the command came from, Discord tells us the bot's permissions; for
// another, the gateway state (from GUILD_CREATE) computes them.
func (b *Bot) checkCanPost(r *request, channelID string) error {
	var perms int64
	if channelID == r.channelID && r.ic.AppPermissions != 0 {
		perms = r.ic.AppPermissions
	} else {
		p, err := r.s.State.UserChannelPermissions(r.s.State.User.ID, channelID)
		if err != nil {
			// Unknown to the state: let the first post decide (a refusal
			// pauses the subscription and shows in /feed list).
			b.log.Debug("cannot compute channel permissions", "channel", channelID, "err", err)
			return nil
		}
		perms = p
	}
	if perms&discordgo.PermissionAdministrator != 0 || perms&postPermissions == postPermissions {
		return nil
	}
	return userErrorf("I can't post in <#%s>: I need the View Channel, Send Messages and Embed Links permissions there.", channelID)
}

func (b *Bot) channelName(s *discordgo.Session, channelID string) string {
	if c, err := s.State.Channel(channelID); err == nil && c.Name != "" {
		return c.Name
	}
	return channelID
}

// seenArticles records a feed's current items at subscription time, so they
// are never posted to the new channel (no back-catalogue flood).
func seenArticles(items []feeds.Item, now time.Time) []store.Article {
	out := make([]store.Article, 0, len(items))
	for _, it := range items {
		identity, linkKey := feeds.Identity(it)
		published := it.Published
		if published.IsZero() {
			published = now
		}
		out = append(out, store.Article{
			Identity: identity, LinkKey: linkKey, Link: it.Link, Title: it.Title,
			Author: it.Author, ImageURL: it.ImageURL, Published: published,
		})
	}
	return out
}

// newest is the item with the latest date, or the first one when no item
// is dated (feeds list newest first by convention).
func newest(items []feeds.Item) (feeds.Item, bool) {
	if len(items) == 0 {
		return feeds.Item{}, false
	}
	best := slices.MaxFunc(items, func(a, b feeds.Item) int { return a.Published.Compare(b.Published) })
	if best.Published.IsZero() {
		return items[0], true
	}
	return best, true
}
