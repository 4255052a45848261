package bot

// How a subscription's rules (issue 11) are applied. One compiled ruleSet
// serves the deliverer, /feed test and /feed edit, so what /feed test shows
// is exactly what the deliverer will do.
//
// Where: Deliverer.deliver calls applyRules for each claimed delivery, after
// reading the guild's settings and before confirming the claim and posting.
// In order:
//
//  1. The filter (include, exclude; exclude wins) looks at the headline,
//     the summary as it would be posted, and the author. A refused item is
//     dropped: its delivery is settled with store.MarkDropped (state failed,
//     Error "dropped (filtered): <why>"), counted, never retried.
//  2. The daily limit: store.PostedSince (messages, not edits) over the
//     last 24 hours; at the limit the item is dropped the same way
//     ("dropped (daily limit): …"), not queued, unless it joins a story
//     already posted in the channel, which edits that post. A subscription's deliveries are claimed in order by one
//     process at a time and recorded before the next is decided, so the
//     count is exact.
//  3. The post is rendered with the look rules over the guild's settings
//     (format, sentences, color, image, template), and the role mention,
//     if the item earns one, goes in the content with allowed_mentions
//     allowing that role alone.
//
// Edits of a post (an article that changed) keep their post: they get the
// look rules but are never filtered, limited or pinged again.

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"newsbot/rules"
	"newsbot/store"
)

// RulesStore is what the rule commands need of the store.
type RulesStore interface {
	SaveRules(ctx context.Context, guildID string, subscriptionID int64, r store.Rules) (store.Subscription, error)
	ResumeSubscription(ctx context.Context, guildID string, subscriptionID int64) error
	PostedSince(ctx context.Context, subscriptionID int64, since time.Time) (int, error)
	Deliveries(ctx context.Context, subscriptionID int64) ([]store.Delivery, error)
}

// ruleOutbox is what applying rules needs of the deliverer's store (part
// of DeliveryStore).
type ruleOutbox interface {
	PostedSince(ctx context.Context, subscriptionID int64, since time.Time) (int, error)
	MarkDropped(ctx context.Context, deliveryID int64, why store.DropReason, detail string) error
}

// dailyWindow is the rolling window of a daily limit.
const dailyWindow = 24 * time.Hour

// Bounds of the numeric rules, as /feed edit offers them.
const (
	maxDailyLimit       = 1000
	maxSentences        = 10
	maxWebhookName      = 80
	maxForumTag         = 100
	maxWebhookAvatarURL = 2048
)

// ruleSet is a subscription's rules, parsed.
type ruleSet struct {
	r           store.Rules
	filter      rules.Filter
	mentionWhen rules.Terms
	template    rules.Template
}

// compileRules parses stored (canonical) rules. Errors name the rule, in
// the admin's words: `exclude: term 2 "/a(/": invalid regex: missing closing )`.
func compileRules(r store.Rules) (ruleSet, error) {
	rs := ruleSet{r: r}
	var err error
	if rs.filter.Include, err = rules.ParseTerms(r.Include); err != nil {
		return ruleSet{}, fmt.Errorf("include: %w", err)
	}
	if rs.filter.Exclude, err = rules.ParseTerms(r.Exclude); err != nil {
		return ruleSet{}, fmt.Errorf("exclude: %w", err)
	}
	if rs.mentionWhen, err = rules.ParseTerms(r.MentionWhen); err != nil {
		return ruleSet{}, fmt.Errorf("mention_when: %w", err)
	}
	if r.Template != "" {
		if rs.template, err = rules.ParseTemplate(r.Template); err != nil {
			return ruleSet{}, fmt.Errorf("template: %w", err)
		}
	}
	switch r.Format {
	case "", store.FormatEmbed, store.FormatText:
	default:
		return ruleSet{}, fmt.Errorf("format: %q is neither embed nor text", r.Format)
	}
	if r.Sentences < 0 || r.Sentences > maxSentences {
		return ruleSet{}, fmt.Errorf("sentences: %d is not between 1 and %d", r.Sentences, maxSentences)
	}
	if r.DailyLimit < 0 || r.DailyLimit > maxDailyLimit {
		return ruleSet{}, fmt.Errorf("daily_limit: %d is not between 1 and %d", r.DailyLimit, maxDailyLimit)
	}
	if r.Color < 0 || r.Color > 0xFFFFFF {
		return ruleSet{}, fmt.Errorf("color: %d is not a #RRGGBB color", r.Color)
	}
	if r.MentionRole != "" && !isSnowflake(r.MentionRole) {
		return ruleSet{}, fmt.Errorf("mention: %q is not a role id", r.MentionRole)
	}
	return rs, nil
}

// isSnowflake reports whether s looks like a Discord id.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// settings are the guild's settings with this subscription's overrides.
func (rs ruleSet) settings(g store.GuildSettings) store.GuildSettings {
	if rs.r.Format != "" {
		g.Format = rs.r.Format
	}
	if rs.r.Sentences > 0 {
		g.Sentences = rs.r.Sentences
	}
	return g
}

// verdict is what the rules make of one article.
type verdict struct {
	post    bool
	mention bool   // ping the role (only when posted)
	why     string // the filter's reason, for /feed test and the log
	whyPing string // "every post" or the mention_when term that matched
}

// ruleItem is what the terms look at: the headline, the summary as the
// post would show it, the author and the feed's categories of the item.
func ruleItem(a store.Article, source string, sentences int) rules.Item {
	return rules.Item{
		Title: a.Title, Summary: strings.Join(pickSentences(a, sentences), " "), Author: a.Author,
		Link: a.Link, Source: source, Published: a.Published, Categories: a.Categories,
	}
}

// decide applies the filter and mention_when to an article, as the post
// with the given settings would show it.
func (rs ruleSet) decide(a store.Article, source string, g store.GuildSettings) verdict {
	it := ruleItem(a, source, rs.settings(g).Sentences)
	var v verdict
	v.post, v.why = rs.filter.Decide(it)
	if !v.post || rs.r.MentionRole == "" {
		return v
	}
	if rs.mentionWhen.Empty() {
		v.mention, v.whyPing = true, "every post"
		return v
	}
	var term string
	if v.mention, term = rs.mentionWhen.Match(it); v.mention {
		v.whyPing = "matched mention_when " + term
	}
	return v
}

// roleMention is the content that pings a role.
func roleMention(roleID string) string { return "<@&" + roleID + ">" }

// render is the post for an article under these rules; mention pings the
// rules' role, and then allows exactly that role (message.MentionRoles).
func (rs ruleSet) render(a store.Article, source string, g store.GuildSettings, mention bool) message {
	s := rs.settings(g)
	if rs.r.Image != nil && !*rs.r.Image {
		a.ImageURL = ""
	}
	role := ""
	if mention && rs.r.MentionRole != "" {
		role = roleMention(rs.r.MentionRole)
	}
	var m message
	switch {
	case s.Format == store.FormatText && !rs.template.Empty():
		m = message{Content: rs.renderTemplate(a, source, s, role)}
	case s.Format == store.FormatText:
		m = renderTextWithMention(a, source, s, role)
	default:
		m = render(a, source, s)
		if m.Embed != nil && rs.r.Color != 0 {
			m.Embed.Color = rs.r.Color
		}
		// Embeds never ping: the mention goes in the content above it.
		m.Content = role
	}
	if role != "" {
		m.MentionRoles = []string{rs.r.MentionRole}
	}
	return m
}

// renderTextWithMention is the usual text post, with the mention on a line
// of its own above it. The text post fills up to Discord's 2,000
// characters, so with a mention it gives up summary sentences, from the
// last, rather than its link, which a cut at the end would lose.
func renderTextWithMention(a store.Article, source string, s store.GuildSettings, role string) message {
	m := render(a, source, s)
	if role == "" {
		return m
	}
	for n := s.Sentences - 1; n >= 1 && rules.Width(role+"\n"+m.Content) > maxContent; n-- {
		s.Sentences = n
		m = render(a, source, s)
	}
	m.Content = role + "\n" + m.Content
	return m
}

// renderTemplate fills the admin's template. Every value from the feed is
// escaped as in the usual post, the link goes through safeURL, and the post
// is cut to Discord's 2,000 characters at a sentence or word boundary
// (rules.Render). A template without {mention} still pings: the mention
// then heads the post, on a line of its own.
func (rs ruleSet) renderTemplate(a store.Article, source string, s store.GuildSettings, role string) string {
	v := rules.Values{
		Title:     escapeMarkdown(orUntitled(a.Title)),
		Summary:   escapeMarkdown(strings.Join(pickSentences(a, s.Sentences), " ")),
		Link:      templateLink(a.Link),
		Source:    escapeMarkdown(source),
		Author:    escapeMarkdown(strings.TrimSpace(a.Author)),
		Published: discordTime(a.Published),
		Mention:   role,
	}
	limit, prefix := rules.MaxContent, ""
	if role != "" && !rs.template.Uses("mention") {
		prefix = role + "\n"
		limit -= rules.Width(prefix)
	}
	return prefix + rs.template.Render(v, limit)
}

// templateLink is the article's link for a template: only an absolute
// http(s) URL (safeURL), with the characters that could end the markdown
// around it ("<{link}>", "[more]({link})") percent-encoded. None of them
// may appear unencoded in a URL anyway, but safeURL keeps a query as the
// feed wrote it.
func templateLink(link string) string {
	return linkEscaper.Replace(safeURL(link))
}

var linkEscaper = strings.NewReplacer("<", "%3C", ">", "%3E", "(", "%28", ")", "%29", " ", "%20", "`", "%60", "|", "%7C")

// discordTime shows a time in each reader's own time zone and language.
func discordTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("<t:%d:f>", t.Unix())
}

// applyRules is the deliverer's call into the rules, before a delivery is
// posted: it returns the message to post, or settled when the delivery was
// dropped (or must wait) and out is what became of it.
func (d *Deliverer) applyRules(ctx context.Context, dl store.Delivery, g store.GuildSettings, log *slog.Logger) (m message, settled bool, out outcome) {
	source := dl.Subscription.Feed.Title
	r := dl.Subscription.Rules
	if r.IsZero() {
		return render(dl.Article, source, g), false, 0
	}
	rs, err := compileRules(r)
	if err != nil {
		// /feed edit and /feed import store only rules that parse, so
		// only a hand-edited database gets here. Dropping keeps out what
		// the admin meant to exclude; the reason tells what to fix.
		return d.drop(ctx, dl, store.DropFiltered, "the subscription's rules could not be read: "+err.Error(), log)
	}
	if dl.Kind == store.KindEdit {
		return rs.render(dl.Article, source, g, false), false, 0
	}
	v := rs.decide(dl.Article, source, g)
	if !v.post {
		return d.drop(ctx, dl, store.DropFiltered, v.why, log)
	}
	if r.DailyLimit > 0 {
		n, err := d.Store.PostedSince(ctx, dl.SubscriptionID, d.Now().Add(-dailyWindow))
		if err != nil {
			log.Warn("count today's posts for the daily limit; will retry", "err", err)
			d.release(dl, d.Now().Add(backoff(dl.Attempts)), "count posts for the daily limit: "+err.Error())
			return message{}, true, outcomeWaiting
		}
		if n >= r.DailyLimit {
			// A story's later outlet edits the story's post: no new
			// message, so the limit does not keep it out of the list.
			if _, join, err := d.joinsStory(ctx, dl, g); err != nil {
				return message{}, true, d.retryLater(dl, "read the story's post: "+err.Error(), log)
			} else if !join {
				return d.drop(ctx, dl, store.DropDaily, fmt.Sprintf("%d posts in the last 24 hours, the limit is %d", n, r.DailyLimit), log)
			}
		}
	}
	return rs.render(dl.Article, source, g, v.mention), false, 0
}

// drop settles a delivery the rules keep from posting.
func (d *Deliverer) drop(ctx context.Context, dl store.Delivery, why store.DropReason, detail string, log *slog.Logger) (message, bool, outcome) {
	if err := d.Store.MarkDropped(ctx, dl.ID, why, detail); err != nil {
		// Not settled: decide again later rather than post it.
		log.Error("drop a delivery the rules refused; will retry", "err", err)
		d.release(dl, d.Now().Add(backoff(dl.Attempts)), "drop: "+err.Error())
		return message{}, true, outcomeWaiting
	}
	log.Info("dropped by the subscription's rules", "rule", string(why), "why", detail)
	d.Metrics.dropped(strings.ReplaceAll(string(why), " ", "_"))
	return message{}, true, outcomeDropped
}
