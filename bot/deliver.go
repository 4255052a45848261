package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// DeliveryStore is the part of the store the deliverer uses: the outbox.
type DeliveryStore interface {
	ClaimDeliveries(ctx context.Context, o store.ClaimOptions) ([]store.Delivery, error)
	BeginPost(ctx context.Context, deliveryID int64, owner string, now, until time.Time) error
	MarkPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error
	StoryStore
	ruleOutbox
	MarkFailed(ctx context.Context, deliveryID int64, reason string) error
	ReleaseDelivery(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error
	PauseSubscription(ctx context.Context, subscriptionID int64, reason string) error
	GuildSettings(ctx context.Context, guildID string, defaultSentences int) (store.GuildSettings, error)
	FailingFeedNotices(ctx context.Context) ([]store.Subscription, error)
	MarkFailingNotified(ctx context.Context, subscriptionID int64) error
}

// poster sends one message to a channel. nonce makes a retry of the same
// delivery return the first message instead of posting a second one, for
// the few minutes Discord remembers nonces; find looks for a message the
// bot posted in the channel since a time, for a retry after longer.
type poster interface {
	post(ctx context.Context, channelID string, m message, nonce string) (messageID string, err error)
	find(ctx context.Context, channelID string, m message, since time.Time) (messageID string, err error)
	edit(ctx context.Context, channelID, messageID string, m message) error
	get(ctx context.Context, channelID, messageID string) (message, error)
}

// Delivery timing.
const (
	// postTimeout bounds one post, which must end well within the claim.
	postTimeout = 30 * time.Second
	// recordTimeout bounds one attempt to record a post's outcome.
	recordTimeout = 10 * time.Second
	// recordPatience is how long a posted delivery's record is retried
	// before the deliverer moves on; the delivery's attempt marker then
	// makes the next claimer look for the message instead of posting again.
	recordPatience = 5 * time.Minute
)

// Deliverer drains the outbox: it claims pending deliveries, posts them and
// records the message ID. Several deliverers (processes) can share one store:
// each delivery is claimed by one of them at a time.
type Deliverer struct {
	Store            DeliveryStore
	Poster           poster
	Owner            string        // this process, for claims
	Lease            time.Duration // how long a claim lasts
	PerSubscription  int           // MAX_POSTS_PER_INTERVAL: posts per subscription per Window
	Window           time.Duration // POLL_INTERVAL
	Batch            int           // deliveries per claim
	StoryWindow      time.Duration // STORY_EDIT_WINDOW: how long a story's post grows
	DefaultSentences int
	Now              func() time.Time
	// Sleep waits between retries of a record; nil uses a timer (tests
	// inject one that returns at once).
	Sleep   func(ctx context.Context, d time.Duration) bool
	Log     *slog.Logger
	Metrics *Metrics
}

// DeliverOnce runs one round: claim, post, settle. It returns the number of
// messages posted. A failed post never loses its delivery: it is released
// for a later round, or marked failed when Discord says it will never work.
// A subscription whose post fails posts nothing more this round, so its
// posts stay in order.
func (d *Deliverer) DeliverOnce(ctx context.Context) (int, error) {
	if err := d.notifyFailing(ctx); err != nil {
		d.Log.Warn("failing-feed notices", "err", err)
	}
	if tr, ok := d.Poster.(interface {
		retryThreadStarts(ctx context.Context, now time.Time)
	}); ok {
		tr.retryThreadStarts(ctx, d.Now()) // threads whose start failed for now (target.go)
	}
	claimed, err := d.Store.ClaimDeliveries(ctx, store.ClaimOptions{
		Owner: d.Owner, Now: d.Now(), Limit: d.Batch, Lease: d.lease(),
		PerSubscription: d.PerSubscription, Window: d.Window,
	})
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	posted := 0
	held := map[int64]string{}                   // subscription → why the rest of it waits
	settings := map[string]store.GuildSettings{} // read once per guild per round
	for i, dl := range claimed {
		if ctx.Err() != nil {
			d.handBack(claimed[i:])
			return posted, ctx.Err()
		}
		if reason, ok := held[dl.SubscriptionID]; ok {
			d.release(dl, d.Now(), reason)
			continue
		}
		switch d.deliver(ctx, dl, settings) {
		case outcomePosted:
			posted++
		case outcomePaused:
			held[dl.SubscriptionID] = "subscription paused"
		case outcomeWaiting:
			held[dl.SubscriptionID] = "waiting behind an earlier post"
		}
	}
	return posted, nil
}

// outcome is what became of one delivery.
type outcome int

const (
	outcomePosted  outcome = iota
	outcomeWaiting         // not posted now; later posts of its subscription must wait
	outcomePaused          // the subscription was paused
	outcomeDropped         // failed for good; later posts may go on
)

// deliver posts one delivery and settles it.
func (d *Deliverer) deliver(ctx context.Context, dl store.Delivery, cache map[string]store.GuildSettings) outcome {
	log := d.Log.With("delivery", dl.ID, "subscription", dl.SubscriptionID, "channel", dl.Subscription.ChannelID, "article", dl.ArticleID)
	guild := dl.Subscription.GuildID
	settings, ok := cache[guild]
	if !ok {
		var err error
		if settings, err = d.Store.GuildSettings(ctx, guild, d.DefaultSentences); err != nil {
			log.Error("read guild settings; will retry", "err", err)
			d.release(dl, d.Now().Add(backoff(dl.Attempts)), "read settings: "+err.Error())
			return outcomeWaiting
		}
		cache[guild] = settings
	}
	// The subscription's rules may drop the item, or shape its post (rules.go).
	m, settled, out := d.applyRules(ctx, dl, settings, log)
	if settled {
		return out
	}
	// The post itself is not cancelled by shutdown: finishing it and recording
	// the message ID is what keeps a restart from posting it again.
	postCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	// The claim may have expired while earlier posts of the round went out:
	// confirm and extend it first, so no other process posts this meanwhile.
	start := d.Now()
	if err := d.Store.BeginPost(postCtx, dl.ID, d.Owner, start, start.Add(d.lease())); err != nil {
		if errors.Is(err, store.ErrLeaseLost) {
			log.Info("claim expired before posting; left to whoever holds it now")
		} else {
			log.Error("confirm claim before posting", "err", err)
		}
		return outcomeWaiting
	}
	if !dl.AttemptedAt.IsZero() && dl.Kind != store.KindEdit {
		// An earlier attempt may have posted without recording it.
		msgID, err := d.poster(dl).find(postCtx, dl.Subscription.ChannelID, m, dl.AttemptedAt.Add(-time.Minute))
		if err != nil {
			// Posting blind could post it twice: wait until we can look.
			log.Warn("could not check for an earlier post; will retry", "err", err)
			d.release(dl, d.Now().Add(backoff(dl.Attempts)), "check for an earlier post: "+err.Error())
			return outcomeWaiting
		}
		if msgID != "" {
			log.Info("an earlier attempt had posted this; recording it", "message", msgID)
			if settings.Stories && dl.Article.Story != "" {
				d.recordWith(ctx, dl, msgID, log, d.Store.MarkStoryPosted)
			} else {
				d.record(ctx, dl, msgID, log)
			}
			return outcomePosted
		}
	}
	if dl.Kind == store.KindEdit {
		return d.editChanged(postCtx, dl, m, settings.Stories, log)
	}
	grouped := settings.Stories && dl.Article.Story != ""
	if grouped {
		p, join, err := d.storyTarget(postCtx, dl)
		if err != nil {
			return d.retryLater(dl, "read the story's post: "+err.Error(), log)
		}
		if join {
			return d.joinStory(postCtx, dl, p, m, log)
		}
	}
	msgID, err := d.poster(dl).post(postCtx, dl.Subscription.ChannelID, m, nonceFor(dl.ID))
	switch kind, reason := classify(err); kind {
	case postOK:
		if grouped {
			d.recordWith(ctx, dl, msgID, log, d.Store.MarkStoryPosted)
		} else {
			d.record(ctx, dl, msgID, log)
		}
		d.Metrics.posted()
		return outcomePosted
	case postPause:
		log.Warn("Discord refuses posts to this channel; pausing the subscription", "reason", reason)
		if err := d.Store.PauseSubscription(postCtx, dl.SubscriptionID, reason); err != nil {
			log.Error("pause subscription", "err", err)
		}
		// The delivery stays pending: posts resume from here if the
		// subscription is re-enabled once the permission is fixed.
		d.release(dl, d.Now(), reason)
		d.Metrics.postError("paused")
		return outcomePaused
	case postDrop:
		log.Error("Discord rejected the message; it will not be retried", "reason", reason)
		if err := d.Store.MarkFailed(postCtx, dl.ID, reason); err != nil {
			log.Error("mark failed", "err", err)
		}
		d.Metrics.postError("rejected")
		return outcomeDropped
	default:
		retry := backoff(dl.Attempts)
		log.Warn("post failed; will retry", "reason", reason, "retry_in", retry)
		d.release(dl, d.Now().Add(retry), reason)
		d.Metrics.postError("retry")
		return outcomeWaiting
	}
}

// record marks a delivery posted, retrying with its own deadlines: a post
// that happened must be recorded, or it would be posted again. Should the
// store stay unreachable past recordPatience, the delivery keeps its attempt
// marker, and whoever claims it next finds the message instead of posting.
func (d *Deliverer) record(ctx context.Context, dl store.Delivery, msgID string, log *slog.Logger) {
	d.recordWith(ctx, dl, msgID, log, d.Store.MarkPosted)
}

// recordWith is record through the given store method (MarkPosted, or
// MarkStoryPosted for the post that shows a story).
func (d *Deliverer) recordWith(ctx context.Context, dl store.Delivery, msgID string, log *slog.Logger,
	mark func(ctx context.Context, deliveryID int64, messageID string, at time.Time) error) {
	deadline := d.Now().Add(recordPatience)
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		err := mark(rctx, dl.ID, msgID, d.Now())
		cancel()
		if err == nil {
			if attempt > 1 {
				log.Info("recorded the post after retrying", "message", msgID, "attempts", attempt)
			}
			return
		}
		if !d.Now().Before(deadline) {
			log.Error("posted but could not record it; the next claim will find the message", "message", msgID, "err", err)
			return
		}
		log.Warn("posted but could not record it yet; retrying", "message", msgID, "err", err, "retry_in", wait)
		if !d.sleep(ctx, wait) {
			// Shutting down: one last try above failed; the marker covers it.
			log.Error("posted but not recorded at shutdown; the next claim will find the message", "message", msgID)
			return
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// sleep waits d (through the injectable Sleep in tests) unless ctx ends.
func (d *Deliverer) sleep(ctx context.Context, wait time.Duration) bool {
	if d.Sleep != nil {
		return d.Sleep(ctx, wait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return 2 * time.Minute
}

func (d *Deliverer) release(dl store.Delivery, at time.Time, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Store.ReleaseDelivery(ctx, dl.ID, at, reason); err != nil {
		d.Log.Error("release delivery", "delivery", dl.ID, "err", err)
	}
}

// handBack returns claimed deliveries at shutdown so another process (or
// this one, restarted) takes them at once instead of after the lease.
func (d *Deliverer) handBack(rest []store.Delivery) {
	for _, dl := range rest {
		d.release(dl, d.Now(), "handed back at shutdown")
	}
}

// notifyFailing tells each subscribed channel once that its feed is failing.
// A channel Discord will never accept pauses the subscription, like a post
// would; a transient error leaves the notice for a later round.
func (d *Deliverer) notifyFailing(ctx context.Context) error {
	subs, err := d.Store.FailingFeedNotices(ctx)
	if err != nil {
		return err
	}
	for _, s := range subs {
		text := fmt.Sprintf("⚠️ The feed **%s** has failed %d times in a row (last error: %s). I will keep trying hourly; `/feed list` shows its state.",
			escapeMarkdown(orUntitled(s.Feed.Title)), s.Feed.ErrorCount, escapeMarkdown(truncate(s.Feed.LastError, 300)))
		// Through the subscription's target, so a forum gets a post of its
		// own (a plain message is refused there); never a thread on it.
		notice := store.Delivery{SubscriptionID: s.ID, Subscription: s,
			Article: store.Article{Title: "⚠️ Feed failing: " + orUntitled(s.Feed.Title)}}
		notice.Subscription.Rules.Thread = false
		_, err := d.poster(notice).post(ctx, s.ChannelID, message{Content: text}, "nf"+strconv.FormatInt(s.ID, 36)+"-"+strconv.Itoa(s.Feed.ErrorCount/store.FailingThreshold))
		switch kind, reason := classify(err); kind {
		case postRetry:
			d.Log.Warn("could not tell a channel its feed is failing; will retry", "subscription", s.ID, "reason", reason)
			continue
		case postPause:
			d.Log.Warn("Discord refuses posts to this channel; pausing the subscription", "subscription", s.ID, "reason", reason)
			if err := d.Store.PauseSubscription(ctx, s.ID, reason); err != nil {
				return err
			}
			continue
		case postDrop:
			d.Log.Error("Discord rejected the failing-feed notice", "subscription", s.ID, "reason", reason)
		}
		if err := d.Store.MarkFailingNotified(ctx, s.ID); err != nil {
			return err
		}
	}
	return nil
}

// nonceFor is the message nonce of a delivery: the same on every retry, so
// Discord (with enforce_nonce) returns the first message instead of a copy.
func nonceFor(deliveryID int64) string { return "nb" + strconv.FormatInt(deliveryID, 36) }

// backoff is the wait before retry n+1 of a post: 1s doubling, at most 10m.
func backoff(attempts int) time.Duration {
	d := time.Second
	for i := 0; i < attempts && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

type postOutcome int

const (
	postOK    postOutcome = iota
	postRetry             // transient: 429, 5xx, network
	postPause             // the channel will not heal by itself
	postDrop              // this message will never be accepted
)

// Discord JSON error codes that mean the bot cannot post in a channel.
const (
	codeUnknownChannel     = 10003
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// classify sorts a post error into what the deliverer does with it.
func classify(err error) (postOutcome, string) {
	if err == nil {
		return postOK, ""
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		code, msg := 0, rest.Response.Status
		if rest.Message != nil {
			code, msg = rest.Message.Code, rest.Message.Message
		}
		switch {
		case code == codeUnknownChannel:
			return postPause, "Unknown Channel"
		case code == codeMissingAccess:
			return postPause, "Missing Access"
		case code == codeMissingPermissions:
			return postPause, "Missing Permissions"
		case rest.Response.StatusCode == http.StatusTooManyRequests || rest.Response.StatusCode >= 500:
			return postRetry, fmt.Sprintf("HTTP %d: %s", rest.Response.StatusCode, msg)
		case rest.Response.StatusCode == http.StatusForbidden || rest.Response.StatusCode == http.StatusNotFound:
			return postPause, fmt.Sprintf("HTTP %d: %s", rest.Response.StatusCode, msg)
		case rest.Response.StatusCode == http.StatusUnauthorized:
			return postRetry, "HTTP 401: the bot token was refused"
		case rest.Response.StatusCode >= 400:
			return postDrop, fmt.Sprintf("HTTP %d: %s", rest.Response.StatusCode, msg)
		}
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return postRetry, "rate limited"
	}
	return postRetry, err.Error()
}
