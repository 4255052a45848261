package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// The column lists below and their scan helpers go together: a query selects
// feedCols (with alias f), subCols (s), articleCols (a), deliveryCols (d) and
// hands the same pointers to Scan in the same order.

const feedCols = `f.id, f.url, f.title, f.site_url, f.etag, f.last_modified, f.next_poll_at,
	f.last_polled_at, f.last_success_at, f.error_count, f.last_error, f.skipped_items, f.created_at`

// feedDest returns the scan destinations for feedCols; call done after Scan.
func feedDest(f *store.Feed) (dest []any, done func()) {
	var polled, success *time.Time
	dest = []any{&f.ID, &f.URL, &f.Title, &f.SiteURL, &f.ETag, &f.LastModified, &f.NextPollAt,
		&polled, &success, &f.ErrorCount, &f.LastError, &f.SkippedItems, &f.CreatedAt}
	return dest, func() {
		f.NextPollAt = f.NextPollAt.UTC()
		f.CreatedAt = f.CreatedAt.UTC()
		f.LastPolledAt = timeOf(polled)
		f.LastSuccessAt = timeOf(success)
	}
}

const subCols = `s.id, s.guild_id, s.channel_id, s.feed_id, s.created_by, s.created_at,
	s.paused, s.pause_reason, s.failing_notified, s.rules, s.dropped_filtered, s.dropped_daily`

func subDest(s *store.Subscription) (dest []any, done func()) {
	dest = []any{&s.ID, &s.GuildID, &s.ChannelID, &s.FeedID, &s.CreatedBy, &s.CreatedAt,
		&s.Paused, &s.PauseReason, &s.FailingNotified, &s.Rules, &s.DroppedFiltered, &s.DroppedDaily}
	return dest, func() { s.CreatedAt = s.CreatedAt.UTC() }
}

const articleCols = `a.id, a.feed_id, a.identity, a.link_key, a.link, a.title, a.author, a.image_url,
	a.published, a.summary, a.ranked, a.keywords, a.sentences_total, a.words_before, a.words_after, a.created_at, a.story, a.fingerprint, a.categories`

func articleDest(a *store.Article) (dest []any, done func()) {
	var published *time.Time
	dest = []any{&a.ID, &a.FeedID, &a.Identity, &a.LinkKey, &a.Link, &a.Title, &a.Author, &a.ImageURL,
		&published, &a.Summary, &a.Ranked, &a.Keywords, &a.SentencesTotal, &a.WordsBefore, &a.WordsAfter, &a.CreatedAt, &a.Story, &a.Fingerprint, &a.Categories}
	return dest, func() {
		a.Published = timeOf(published)
		a.CreatedAt = a.CreatedAt.UTC()
		a.Summary = orNil(a.Summary)
		a.Keywords = orNil(a.Keywords)
		a.Categories = orNil(a.Categories)
	}
}

const deliveryCols = `d.id, d.subscription_id, d.article_id, d.state, d.message_id, d.error,
	d.attempts, d.created_at, d.attempted_at, d.kind`

func deliveryDest(d *store.Delivery) (dest []any, done func()) {
	var attempted *time.Time
	dest = []any{&d.ID, &d.SubscriptionID, &d.ArticleID, &d.State, &d.MessageID, &d.Error,
		&d.Attempts, &d.CreatedAt, &attempted, &d.Kind}
	return dest, func() {
		d.CreatedAt = d.CreatedAt.UTC()
		d.AttemptedAt = timeOf(attempted)
	}
}

// scanSubscription reads subCols followed by feedCols.
func scanSubscription(row pgx.Row) (store.Subscription, error) {
	var s store.Subscription
	sd, sdone := subDest(&s)
	fd, fdone := feedDest(&s.Feed)
	if err := row.Scan(append(sd, fd...)...); err != nil {
		return store.Subscription{}, err
	}
	sdone()
	fdone()
	return s, nil
}

// scanFeed reads feedCols.
func scanFeed(row pgx.Row) (store.Feed, error) {
	var f store.Feed
	fd, done := feedDest(&f)
	if err := row.Scan(fd...); err != nil {
		return store.Feed{}, err
	}
	done()
	return f, nil
}
