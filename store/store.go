// Package store holds newsbot's domain types and the persistence API that
// every storage backend implements. The backends live in sub-packages, one per
// dependency (sqlite, postgres), and all of them pass the conformance suite in
// storetest, so the rest of the program never cares which one it talks to.
package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

var (
	// ErrNotFound is returned when a row the caller asked for does not exist
	// (or belongs to another guild, which is the same thing to the caller).
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a subscription already exists.
	ErrConflict = errors.New("already exists")
	// ErrLeaseLost is returned when a process renews a feed lease or a
	// delivery claim that has expired and may be held by another process:
	// the caller must leave that work alone.
	ErrLeaseLost = errors.New("lease lost")
	// ErrSchemaTooNew is returned by Open when the database was migrated by
	// a newer binary than this one.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
)

// FailingThreshold is the number of consecutive failed polls after which a
// feed counts as failing: subscribers are told once and it is polled hourly.
const FailingThreshold = 10

// Feed is a source the bot polls. One row per URL, shared by every
// subscription to it across guilds.
type Feed struct {
	ID            int64
	URL           string // the feed's own URL (after discovery)
	Title         string
	SiteURL       string
	ETag          string
	LastModified  string
	NextPollAt    time.Time
	LastPolledAt  time.Time // zero if never polled
	LastSuccessAt time.Time // zero if never succeeded
	ErrorCount    int       // consecutive failures; reset by a success
	LastError     string
	// SkippedItems counts items recorded as seen without being posted
	// because the feed published more at once than a channel should take.
	SkippedItems int
	CreatedAt    time.Time
}

// Failing reports whether the feed has failed often enough to be polled only
// hourly and reported to its subscribers.
func (f Feed) Failing() bool { return f.ErrorCount >= FailingThreshold }

// Format is how a guild wants articles posted.
type Format string

const (
	FormatEmbed Format = "embed"
	FormatText  Format = "text"
)

// GuildSettings are one guild's defaults. The zero value is not valid; use
// DefaultGuildSettings.
type GuildSettings struct {
	GuildID   string
	Sentences int    // summary length, 1-10
	Format    Format // embed or text
	ShowStats bool   // footer such as "3 of 41 sentences · 87% shorter"
	// Stories groups the same story from several feeds of a channel into
	// one post, edited as outlets join (on by default).
	Stories bool
}

// DefaultGuildSettings returns the settings a guild has before /settings.
func DefaultGuildSettings(guildID string, sentences int) GuildSettings {
	return GuildSettings{GuildID: guildID, Sentences: sentences, Format: FormatEmbed, ShowStats: true, Stories: true}
}

// Subscription routes one feed's new articles to one Discord channel.
type Subscription struct {
	ID          int64
	GuildID     string
	ChannelID   string
	FeedID      int64
	CreatedBy   string // Discord user ID
	CreatedAt   time.Time
	Paused      bool   // set when Discord refuses to post for good
	PauseReason string // e.g. "Missing Access"
	// FailingNotified is true once subscribers were told the feed is failing;
	// reset when the feed recovers.
	FailingNotified bool
	Feed            Feed // filled by ListSubscriptions and claims
	// Rules are the subscription's own rules (/feed edit).
	Rules Rules
	// DroppedFiltered and DroppedDaily count the items its rules kept from
	// posting: refused by the filter, or over the daily limit.
	DroppedFiltered int
	DroppedDaily    int
}

// Article is one item of a feed, as summarized. The page itself is not kept.
type Article struct {
	ID       int64
	FeedID   int64
	Identity string // GUID, else normalized link, else content hash (feeds.Identity)
	LinkKey  string // normalized link, "" if none: a changed GUID with the same link is not new
	Link     string
	Title    string
	Author   string
	ImageURL string
	// Published is the feed's date, or when the bot first saw the item.
	Published time.Time
	Summary   []string // chosen sentences in article order
	// Ranked are the article's best sentences, best first (at most
	// MaxRanked), each with its position in the article, so any summary
	// length from 1 to MaxRanked can be shown without summarizing again.
	Ranked   []RankedSentence
	Keywords []string
	// Categories are the feed's categories or tags of the item.
	Categories []string
	// Stats for the footer: how much shorter the summary is.
	SentencesTotal int
	WordsBefore    int
	WordsAfter     int
	CreatedAt      time.Time
	// Story is the key of the first article of the story this one belongs
	// to (StoryKey); "" until assigned, and the article's own key when it
	// starts a story.
	Story string
	// Fingerprint digests the item's headline and text as the feed gave
	// them: a known item whose fingerprint changes is summarized again.
	Fingerprint string
}

// Key is the identity an article is stored under: its Identity, else its
// LinkKey; an article with neither cannot be stored.
func (a Article) Key() (string, error) {
	if a.Identity != "" {
		return a.Identity, nil
	}
	if a.LinkKey != "" {
		return a.LinkKey, nil
	}
	return "", fmt.Errorf("article %q without identity or link key", a.Title)
}

// StoryKey is the story-matching identity of an article of a feed: stable
// before the article has a database id, the same in every process.
func StoryKey(feedID int64, identity string) string {
	return strconv.FormatInt(feedID, 10) + "/" + identity
}

// StoryPost is the message that shows a story in a channel.
type StoryPost struct {
	ChannelID string
	Story     string
	MessageID string
	ArticleID int64 // the article the message was posted for
	CreatedAt time.Time
}

// Outlet is one feed's article in a story, as "Also covered by" lists it.
type Outlet struct {
	ArticleID int64
	FeedID    int64
	FeedTitle string
	Title     string
	Link      string
}

// TopStory is a story of a guild's feeds with how many outlets covered it.
type TopStory struct {
	Article Article // the story's first article
	Outlets int     // distinct feeds
}

// MaxRanked is how many ranked sentences an article keeps: the longest
// summary a server can ask for.
const MaxRanked = 10

// RankedSentence is one of an article's best sentences.
type RankedSentence struct {
	Index int    `json:"i"` // position among the article's sentences
	Text  string `json:"t"`
}

// Best returns the best n sentences in article order: Ranked when the
// article has it, else the stored summary cut to n.
func (a Article) Best(n int) []string {
	if len(a.Ranked) == 0 {
		return a.Summary[:min(max(n, 0), len(a.Summary))]
	}
	top := slices.Clone(a.Ranked[:min(max(n, 0), len(a.Ranked))])
	slices.SortFunc(top, func(x, y RankedSentence) int { return x.Index - y.Index })
	out := make([]string, len(top))
	for i, r := range top {
		out[i] = r.Text
	}
	return out
}

// DeliveryState is where one article stands for one subscription.
type DeliveryState string

const (
	DeliveryPending DeliveryState = "pending"
	DeliveryPosted  DeliveryState = "posted"
	DeliveryFailed  DeliveryState = "failed"
)

// DeliveryKind is what a delivery does in Discord.
type DeliveryKind string

const (
	KindPost DeliveryKind = "post" // post the article (or join its story's post)
	KindEdit DeliveryKind = "edit" // the article changed: edit the message it has
)

// Delivery is the outbox row: one article for one subscription.
type Delivery struct {
	ID             int64
	SubscriptionID int64
	ArticleID      int64
	State          DeliveryState
	Kind           DeliveryKind
	MessageID      string // Discord message ID once posted (the message to edit, for an edit)
	Error          string // why it failed, or the last transient error
	Attempts       int
	CreatedAt      time.Time
	// AttemptedAt is when a post of this delivery began and was never
	// settled (the process died or lost the store between posting and
	// recording): the message may exist, so the deliverer looks for it
	// before posting again. Zero when no attempt is unsettled.
	AttemptedAt time.Time
	// Filled by ClaimDeliveries so the deliverer needs no further reads.
	Subscription Subscription // with Feed
	Article      Article
}

// Webhook is the channel webhook the bot posts through for subscriptions
// with a webhook rule: one per channel, created by the bot and reused by
// every subscription of the channel. Token is a secret (it alone lets
// anyone post as the webhook): it is stored, never logged or shown.
type Webhook struct {
	ChannelID string
	ID        string
	Token     string
	CreatedAt time.Time
}

// MaxPastWebhooks bounds the earlier webhooks of a channel that
// PastWebhooks returns: a channel loses its webhook only when a moderator
// deletes it, and a delivery waits for a retry minutes or hours, not
// through many such losses.
const MaxPastWebhooks = 10

// ThreadStart is a thread still to be started on a posted message: the
// second Discord action of a delivery whose subscription starts a thread on
// each post, kept when the start failed for now so that it is retried
// without posting the article again.
type ThreadStart struct {
	DeliveryID int64 // one per delivery
	ChannelID  string
	MessageID  string
	Name       string
	Attempts   int
	RetryAt    time.Time
	Error      string // the last failure
	CreatedAt  time.Time
}

// NewSubscription is what /feed add hands to Subscribe.
type NewSubscription struct {
	GuildID   string
	ChannelID string
	CreatedBy string
	// Feed is matched by URL; created if unknown, else its title is refreshed.
	Feed Feed
	// Seen are the feed's current items, identities only (no summary: the
	// caller did not build them). They are never delivered to the new
	// subscription (no back-catalogue flood). Those the store does not know
	// yet are left for the poller, which summarizes them and delivers them
	// to the feed's other subscriptions; when there are none they are
	// recorded as seen at once.
	Seen []Article
	// NextPollAt is when the feed is first polled if it is new.
	NextPollAt time.Time
}

// PollResult is a successful poll of a leased feed.
type PollResult struct {
	FeedID       int64
	Owner        string // lease owner; a result from a lost lease is still applied (the lease is released only if Owner holds it)
	Title        string // "" keeps the old one
	SiteURL      string
	ETag         string
	LastModified string
	NotModified  bool // a 304: validators and articles unchanged
	// Warning is kept as the feed's status (LastError) although the poll
	// succeeded, e.g. a document cut off whose complete items were kept.
	Warning  string
	Articles []Article
	// Skipped are new items recorded as seen and never delivered: a flood
	// beyond what a channel should take (identities only).
	Skipped []Article
	// Present are the identities and link keys of every item the feed
	// lists now; pruned articles still listed are remembered longer.
	Present []string
	// Updated are known articles (by identity) that changed in substance:
	// stored anew, and every message showing them is edited.
	Updated []Article
	// Fingerprints are new fingerprints (by identity) of known articles
	// whose change was trivial: recorded so they are not compared again.
	Fingerprints map[string]string
	PolledAt     time.Time
	NextPollAt   time.Time
}

// PollFailure is a failed poll of a leased feed.
type PollFailure struct {
	FeedID     int64
	Owner      string // as in PollResult
	Error      string
	PolledAt   time.Time
	NextPollAt time.Time
}

// ClaimOptions bound a claim of due work.
type ClaimOptions struct {
	Owner string        // process identity, for leases and logs
	Now   time.Time     // due before or at
	Limit int           // at most this many rows
	Lease time.Duration // the claim expires after this, if not settled
	// PerSubscription caps deliveries per subscription (0 = no cap), oldest
	// first: at most this many posted within Window before Now, claimed
	// included; the rest wait.
	PerSubscription int
	Window          time.Duration
}

// Store is the whole persistence API. Consumers (feeds, bot) declare the
// small subsets they use; storetest checks every implementation against it.
type Store interface {
	// Subscriptions and settings.
	Subscribe(ctx context.Context, ns NewSubscription) (Subscription, error)
	Unsubscribe(ctx context.Context, guildID string, subscriptionID int64) (Subscription, error)
	ListSubscriptions(ctx context.Context, guildID string) ([]Subscription, error)
	PauseSubscription(ctx context.Context, subscriptionID int64, reason string) error
	GuildSettings(ctx context.Context, guildID string, defaultSentences int) (GuildSettings, error)
	SaveGuildSettings(ctx context.Context, s GuildSettings) error

	// Rules (issue 11).
	// SaveRules replaces a subscription's rules and returns it with its
	// feed; ErrNotFound if the guild has no such subscription.
	SaveRules(ctx context.Context, guildID string, subscriptionID int64, r Rules) (Subscription, error)
	// ResumeSubscription unpauses one of the guild's subscriptions; its
	// pending deliveries are claimable again. ErrNotFound if it has none.
	ResumeSubscription(ctx context.Context, guildID string, subscriptionID int64) error
	// PostedSince counts the messages the subscription posted after since:
	// its posted deliveries, less those that only edited a message an
	// earlier delivery (of any subscription) had posted.
	PostedSince(ctx context.Context, subscriptionID int64, since time.Time) (int, error)
	// MarkDropped settles a pending delivery that a rule kept from posting:
	// DeliveryFailed with the Error DroppedPrefix+why+"): "+detail, and
	// the subscription's counter for why incremented, in one transaction.
	// A delivery no longer pending (posted meanwhile) is left alone.
	MarkDropped(ctx context.Context, deliveryID int64, why DropReason, detail string) error

	// Webhooks and thread starts (bot/target.go).
	// ChannelWebhook returns the channel's webhook, or ErrNotFound.
	ChannelWebhook(ctx context.Context, channelID string) (Webhook, error)
	// SaveWebhook records the channel's webhook, replacing the one it had.
	SaveWebhook(ctx context.Context, w Webhook) error
	// ForgetWebhook deletes the channel's webhook if it is still webhookID
	// (Discord said it is gone), so a newer one saved meanwhile stays.
	ForgetWebhook(ctx context.Context, channelID, webhookID string) error
	// PastWebhooks returns the ids of the channel's earlier webhooks (forgotten
	// or replaced), newest first, at most MaxPastWebhooks: a post one of
	// them made may be what a retried delivery must find.
	PastWebhooks(ctx context.Context, channelID string) ([]string, error)
	// AddThreadStart records a thread to start later, at most one per
	// delivery (a second add keeps the first).
	AddThreadStart(ctx context.Context, ts ThreadStart) error
	// DueThreadStarts returns up to limit thread starts due at now, oldest
	// first.
	DueThreadStarts(ctx context.Context, now time.Time, limit int) ([]ThreadStart, error)
	// RetryThreadStart counts a failed attempt and sets the next one.
	RetryThreadStart(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error
	// FinishThreadStart deletes a thread start that was done (or given up).
	FinishThreadStart(ctx context.Context, deliveryID int64) error

	// Polling (feeds.Poller).
	ClaimDueFeeds(ctx context.Context, o ClaimOptions) ([]Feed, error)
	// RenewFeedLease extends a feed lease the owner still holds, else
	// ErrLeaseLost.
	RenewFeedLease(ctx context.Context, feedID int64, owner string, until time.Time) error
	RecordPoll(ctx context.Context, r PollResult) (newArticles int, err error)
	RecordPollFailure(ctx context.Context, f PollFailure) (Feed, error)
	// KnownArticles reports which of keys (identities or link keys) the
	// feed already has, so the poller fetches full text for new items only.
	KnownArticles(ctx context.Context, feedID int64, keys []string) (map[string]bool, error)

	// Delivery (bot.Deliverer): the outbox.
	ClaimDeliveries(ctx context.Context, o ClaimOptions) ([]Delivery, error)
	// BeginPost confirms the owner still holds the claim, extends it to
	// until and records that a post is starting (Delivery.AttemptedAt);
	// ErrLeaseLost if the claim is gone.
	BeginPost(ctx context.Context, deliveryID int64, owner string, now, until time.Time) error
	MarkPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error
	// MarkStoryPosted is MarkPosted that also records the message as the
	// one showing the article's story in its channel (store.StoryPost).
	MarkStoryPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error
	MarkFailed(ctx context.Context, deliveryID int64, reason string) error
	ReleaseDelivery(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error
	PendingDeliveries(ctx context.Context) (int, error)
	// FailingFeedNotices returns active subscriptions whose feed is failing
	// and whose channel has not been told yet; MarkFailingNotified records it.
	FailingFeedNotices(ctx context.Context) ([]Subscription, error)
	MarkFailingNotified(ctx context.Context, subscriptionID int64) error

	// Stories.
	// ArticleFingerprints returns the stored fingerprints of a feed's
	// articles by identity, for those it has.
	ArticleFingerprints(ctx context.Context, feedID int64, identities []string) (map[string]string, error)
	// RecentArticles returns articles recorded since the given time, oldest
	// first, with only what a story matcher reads filled: ID, FeedID,
	// Identity, LinkKey, Title, Summary, Published and Story.
	RecentArticles(ctx context.Context, since time.Time, limit int) ([]Article, error)
	// StoryPost returns the channel's message for a story posted at or after
	// since, or ErrNotFound.
	StoryPost(ctx context.Context, channelID, story string, since time.Time) (StoryPost, error)
	// StoryOutlets returns the articles of a story posted in a channel, one
	// per feed (the first), oldest first.
	StoryOutlets(ctx context.Context, channelID, story string) ([]Outlet, error)
	// TopStories returns the guild's stories with articles since the given
	// time, most outlets first.
	TopStories(ctx context.Context, guildID string, since time.Time, limit int) ([]TopStory, error)

	// Reading.
	SearchArticles(ctx context.Context, guildID, query string, limit int) ([]Article, error)
	Deliveries(ctx context.Context, subscriptionID int64) ([]Delivery, error)
	PruneArticles(ctx context.Context, before time.Time) (int, error)

	Close() error
}
