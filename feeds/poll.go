package feeds

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"newsbot/store"
)

// PollStore is the part of the store the poller uses. Claims are leases, so
// several processes can poll from one database without fetching a feed twice.
type PollStore interface {
	ClaimDueFeeds(ctx context.Context, o store.ClaimOptions) ([]store.Feed, error)
	RenewFeedLease(ctx context.Context, feedID int64, owner string, until time.Time) error
	RecordPoll(ctx context.Context, r store.PollResult) (int, error)
	RecordPollFailure(ctx context.Context, f store.PollFailure) (store.Feed, error)
	KnownArticles(ctx context.Context, feedID int64, keys []string) (map[string]bool, error)
	ArticleFingerprints(ctx context.Context, feedID int64, identities []string) (map[string]string, error)
}

// storyAssigner puts new articles in stories (a *StoryIndex).
type storyAssigner interface {
	Refresh(ctx context.Context) error
	Assign(feedID int64, a store.Article) string
}

// feedFetcher is what the poller needs of a Fetcher.
type feedFetcher interface {
	FetchFeed(ctx context.Context, url string, v Validators) (*Result, error)
}

// articleBuilder is what the poller needs of a Builder: an article with its
// page fetched when the feed is a teaser, or from the feed's text alone.
type articleBuilder interface {
	Article(ctx context.Context, it Item, sentences int) store.Article
	FeedArticle(ctx context.Context, it Item, sentences int) store.Article
}

// Scheduling constants.
const (
	// failingInterval is how often a failing feed is still tried.
	failingInterval = time.Hour
	// jitterFraction spreads polls of one interval over ±10% so feeds added
	// together don't fire together for ever.
	jitterFraction = 0.1
	// floodItems is how many new items one poll may bring before the feed
	// counts as flooding: then only the newest MaxNew are posted, the rest
	// recorded as seen.
	floodItems = 50
	// fullTextPerPoll caps the article pages fetched in one poll of a feed;
	// items past it are summarized from the feed's own text.
	fullTextPerPoll = 20
)

// Poller polls due feeds with a bounded pool of workers and records what it
// finds. It never talks to Discord: new articles go to the store's outbox.
type Poller struct {
	Store     PollStore
	Fetcher   feedFetcher
	Articles  articleBuilder
	Interval  time.Duration // POLL_INTERVAL
	Workers   int           // concurrent fetches
	Owner     string        // lease owner: this process
	Lease     time.Duration // how long a claimed feed is ours
	Sentences int           // summary length stored
	// MaxNew is how many items of a flooding feed are kept for posting:
	// MAX_POSTS_PER_INTERVAL, as a subscription posts no more per interval.
	MaxNew int
	Tick   time.Duration // how often Run looks for due feeds
	Now    func() time.Time
	Log    *slog.Logger
	// Stories, when set, assigns each new article to a story.
	Stories storyAssigner
	// OnNew is called after a poll stored new articles (to wake delivery).
	OnNew func()
	// Observe is called after every poll with its outcome (for metrics).
	Observe func(err error)
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) error {
	tick := p.Tick
	if tick <= 0 {
		tick = 5 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := p.PollDue(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("poll round", "err", err)
		}
		select {
		case <-ctx.Done():
			p.Log.Info("poller stopped")
			return nil
		case <-t.C:
		}
	}
}

// PollDue polls every feed that is due now, in batches, and returns how many
// it polled.
func (p *Poller) PollDue(ctx context.Context) (int, error) {
	workers := max(p.Workers, 1)
	total := 0
	refreshed := p.Stories == nil
	for ctx.Err() == nil {
		// One feed per worker: a claimed feed waits for no other poll, and
		// its lease is still renewed before it is fetched.
		feeds, err := p.Store.ClaimDueFeeds(ctx, store.ClaimOptions{
			Owner: p.Owner, Now: p.Now(), Limit: workers, Lease: p.lease(),
		})
		if err != nil {
			return total, err
		}
		if len(feeds) == 0 {
			return total, nil
		}
		if !refreshed {
			// Once per round with work: learn the stories other processes
			// recorded since the last round.
			refreshed = true
			if err := p.Stories.Refresh(ctx); err != nil && ctx.Err() == nil {
				p.Log.Warn("read recent stories; matching against what this process knows", "err", err)
			}
		}
		p.pollAll(ctx, feeds, workers)
		total += len(feeds)
	}
	return total, ctx.Err()
}

func (p *Poller) pollAll(ctx context.Context, feeds []store.Feed, workers int) {
	work := make(chan store.Feed)
	var wg sync.WaitGroup
	for range min(workers, len(feeds)) {
		wg.Go(func() {
			for f := range work {
				if p.renew(ctx, f) {
					p.Poll(ctx, f)
				}
			}
		})
	}
	for _, f := range feeds {
		work <- f
	}
	close(work)
	wg.Wait()
}

// renew confirms and extends the lease on a claimed feed just before it is
// polled; a lease lost meanwhile leaves the feed to its new owner.
func (p *Poller) renew(ctx context.Context, f store.Feed) bool {
	err := p.Store.RenewFeedLease(ctx, f.ID, p.Owner, p.Now().Add(p.lease()))
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrLeaseLost):
		p.Log.Info("feed lease expired before its poll; left to its new owner", "feed", Redact(f.URL), "feed_id", f.ID)
	case ctx.Err() == nil:
		p.Log.Error("renew feed lease; the feed is polled again when it expires", "feed", Redact(f.URL), "feed_id", f.ID, "err", err)
	}
	return false
}

// storeError marks a failure of the bot's own database during a poll: it is
// not the feed's fault, so it is logged and retried, never counted against
// the feed or reported to its subscribers.
type storeError struct{ err error }

func (e *storeError) Error() string { return "store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// Poll fetches one claimed feed and records the outcome. Errors are recorded
// on the feed (with backoff), never returned: one bad feed affects nobody else.
func (p *Poller) Poll(ctx context.Context, f store.Feed) {
	log := p.Log.With("feed", Redact(f.URL), "feed_id", f.ID)
	res, err := p.Fetcher.FetchFeed(ctx, f.URL, Validators{ETag: f.ETag, LastModified: f.LastModified})
	warning := ""
	if errors.Is(err, ErrTruncated) && res != nil && res.Feed != nil {
		// The items complete before the cut are kept; the feed's status
		// says the document was truncated.
		log.Warn("feed document was cut off; keeping its complete items", "items", len(res.Feed.Items), "err", err)
		warning, err = Message(err), nil
	}
	if err == nil {
		err = p.record(ctx, f, res, warning, log)
	}
	if p.Observe != nil {
		p.Observe(err)
	}
	var se *storeError
	if errors.As(err, &se) {
		// The lease expires and the feed is polled again; its articles are
		// only recorded by a successful RecordPoll, so nothing is lost.
		log.Error("could not record the poll in the database; will poll again", "err", se.err)
		return
	}
	if err == nil || ctx.Err() != nil {
		// A poll cut short by shutdown is not the feed's fault; its lease
		// expires and it is polled again.
		return
	}
	next := p.failureDelay(f.ErrorCount+1, err)
	updated, rerr := p.Store.RecordPollFailure(context.WithoutCancel(ctx), store.PollFailure{
		FeedID: f.ID, Owner: p.Owner, Error: Message(err), PolledAt: p.Now(), NextPollAt: p.Now().Add(next),
	})
	if rerr != nil {
		log.Error("record poll failure", "err", rerr)
		return
	}
	if updated.ErrorCount == store.FailingThreshold {
		log.Warn("feed is now failing; polling it hourly", "errors", updated.ErrorCount, "err", err)
	} else {
		log.Info("poll failed", "errors", updated.ErrorCount, "retry_in", next.Round(time.Second), "err", err)
	}
}

// record stores a successful fetch: new articles and their deliveries, in
// one transaction in the store.
func (p *Poller) record(ctx context.Context, f store.Feed, res *Result, warning string, log *slog.Logger) error {
	r := store.PollResult{
		FeedID: f.ID, Owner: p.Owner, PolledAt: p.Now(), NextPollAt: p.Now().Add(p.jitter(p.Interval)), Warning: warning,
		ETag: res.Validators.ETag, LastModified: res.Validators.LastModified, NotModified: res.NotModified,
	}
	if !res.NotModified {
		r.Title, r.SiteURL = res.Feed.Title, res.Feed.SiteURL
		items, present, err := p.unknownItems(ctx, f.ID, res.Feed.Items)
		if err != nil {
			return &storeError{err}
		}
		r.Present = present
		changed, err := p.changedItems(ctx, f.ID, res.Feed.Items, items, &r)
		if err != nil {
			return &storeError{err}
		}
		if keep := p.maxNew(); len(items) > floodItems && len(items) > keep {
			// Items are oldest first: post the newest, remember the rest.
			log.Warn("feed published too many new items at once; posting the newest and recording the rest as seen",
				"new", len(items), "posting", keep, "skipped", len(items)-keep)
			for _, it := range items[:len(items)-keep] {
				identity, linkKey := Identity(it)
				r.Skipped = append(r.Skipped, store.Article{Identity: identity, LinkKey: linkKey, Link: it.Link, Title: it.Title,
					Published: it.Published, Fingerprint: Fingerprint(it)})
			}
			items = items[len(items)-keep:]
		}
		// One build, so one cap on page fetches covers new and changed
		// items (new ones last: they are fetched first).
		built := p.build(ctx, append(slices.Clip(changed), items...))
		r.Updated, r.Articles = built[:len(changed)], built[len(changed):]
		for i := range r.Updated {
			r.Updated[i].Fingerprint = Fingerprint(changed[i])
		}
		for i := range r.Articles {
			r.Articles[i].Fingerprint = Fingerprint(items[i])
			if p.Stories != nil {
				r.Articles[i].Story = p.Stories.Assign(f.ID, r.Articles[i])
			}
		}
	}
	n, err := p.Store.RecordPoll(context.WithoutCancel(ctx), r)
	if err != nil {
		return &storeError{err}
	}
	if n > 0 {
		log.Info("new articles", "count", n)
		if p.OnNew != nil {
			p.OnNew()
		}
	}
	return nil
}

// changedItems returns the known items whose text changed in substance
// since they were stored (their Fingerprint differs): summarized again, they
// go to r.Updated and their posts are edited. Items stored before
// fingerprints existed get theirs recorded in r.Fingerprints, without an edit.
func (p *Poller) changedItems(ctx context.Context, feedID int64, all, fresh []Item, r *store.PollResult) ([]Item, error) {
	isNew := make(map[string]bool, len(fresh))
	for _, it := range fresh {
		id, _ := Identity(it)
		isNew[id] = true
	}
	var known []Item
	var ids []string
	for _, it := range all {
		if id, _ := Identity(it); !isNew[id] {
			known = append(known, it)
			ids = append(ids, id)
		}
	}
	if len(known) == 0 {
		return nil, nil
	}
	stored, err := p.Store.ArticleFingerprints(ctx, feedID, ids)
	if err != nil {
		return nil, err
	}
	var changed []Item
	for i, it := range known {
		old, ok := stored[ids[i]]
		fp := Fingerprint(it)
		switch {
		case !ok || old == fp:
		case old == "":
			if r.Fingerprints == nil {
				r.Fingerprints = map[string]string{}
			}
			r.Fingerprints[ids[i]] = fp
		default:
			changed = append(changed, it)
		}
	}
	return changed, nil
}

// build summarizes new items, fetching the pages of teasers for at most
// fullTextPerPoll of them, newest first: the rest use the feed's own text.
func (p *Poller) build(ctx context.Context, items []Item) []store.Article {
	// Full-text fetches must end well within the lease, or another process
	// could claim the feed meanwhile; past the deadline the builder falls
	// back to the feed's own text.
	bctx, cancel := context.WithTimeout(ctx, p.lease()/2)
	defer cancel()
	out := make([]store.Article, len(items))
	for i, it := range items {
		if len(items)-i <= fullTextPerPoll {
			out[i] = p.Articles.Article(bctx, it, p.Sentences)
		} else {
			out[i] = p.Articles.FeedArticle(bctx, it, p.Sentences)
		}
	}
	return out
}

func (p *Poller) maxNew() int {
	if p.MaxNew > 0 {
		return p.MaxNew
	}
	return 5
}

// unknownItems drops the items the store already has, so a changed feed
// costs one full-text fetch per new item and none for old ones, and puts the
// rest oldest first: that is the order they are delivered in. It also
// returns the keys of every item listed (identities and link keys).
func (p *Poller) unknownItems(ctx context.Context, feedID int64, items []Item) ([]Item, []string, error) {
	type ident struct{ identity, linkKey string }
	ids := make([]ident, len(items))
	keys := make([]string, 0, 2*len(items))
	for i, it := range items {
		ids[i].identity, ids[i].linkKey = Identity(it)
		keys = append(keys, ids[i].identity)
		if ids[i].linkKey != "" {
			keys = append(keys, ids[i].linkKey)
		}
	}
	known, err := p.Store.KnownArticles(ctx, feedID, keys)
	if err != nil {
		return nil, nil, err
	}
	var fresh []Item
	for i, it := range items {
		if !known[ids[i].identity] && (ids[i].linkKey == "" || !known[ids[i].linkKey]) {
			fresh = append(fresh, it)
		}
	}
	// Feeds list newest first: reverse, then sort by date when every item
	// has one (a partial order would be no order at all).
	slices.Reverse(fresh)
	if !slices.ContainsFunc(fresh, func(it Item) bool { return it.Published.IsZero() }) {
		slices.SortStableFunc(fresh, func(a, b Item) int { return a.Published.Compare(b.Published) })
	}
	return fresh, keys, nil
}

// failureDelay is the backoff after the n-th consecutive failure: the poll
// interval doubling each time, at most an hour, at least what the server's
// Retry-After asked; a failing feed is tried hourly.
func (p *Poller) failureDelay(n int, err error) time.Duration {
	d := failingInterval
	if n < store.FailingThreshold {
		d = p.Interval
		for i := 1; i < n && d < failingInterval; i++ {
			d *= 2
		}
		d = min(d, failingInterval)
	}
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > d {
		d = min(se.RetryAfter, 24*time.Hour)
	}
	return p.jitter(d)
}

func (p *Poller) jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*2-1)*jitterFraction*float64(d))
}

func (p *Poller) lease() time.Duration {
	if p.Lease > 0 {
		return p.Lease
	}
	return 2 * time.Minute
}
