package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// claimFeedsSQL leases due feeds in one statement. The inner SELECT picks
// feeds that are due, have at least one unpaused subscription and whose
// lease is free or expired (lease_until < now), oldest due first. FOR UPDATE
// SKIP LOCKED makes concurrent claimers pass over each other's rows instead
// of waiting (a feed whose poll is being recorded is skipped too), and under
// READ COMMITTED the lease condition is re-checked on the latest row version
// once locked, so a feed another process leased a moment ago is dropped
// rather than taken twice. The UPDATE then stamps the lease.
const claimFeedsSQL = `
WITH due AS (
	SELECT f.id FROM feeds f
	WHERE f.next_poll_at <= $1
	  AND (f.lease_until IS NULL OR f.lease_until < $1)
	  AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND NOT s.paused)
	ORDER BY f.next_poll_at, f.id
	LIMIT $2
	FOR UPDATE OF f SKIP LOCKED
), leased AS (
	UPDATE feeds f SET lease_owner = $3, lease_until = $4
	FROM due WHERE f.id = due.id
	RETURNING f.*
)
SELECT ` + feedCols + ` FROM leased f ORDER BY f.next_poll_at, f.id`

// ClaimDueFeeds leases up to o.Limit due feeds to o.Owner until o.Now+o.Lease.
func (s *Store) ClaimDueFeeds(ctx context.Context, o store.ClaimOptions) ([]store.Feed, error) {
	now, until, limit := s.claimBounds(o)
	rows, err := s.pool.Query(ctx, claimFeedsSQL, now, limit, o.Owner, until)
	if err != nil {
		return nil, wrap("claim due feeds", err)
	}
	feeds, err := pgx.AppendRows(make([]store.Feed, 0), rows,
		func(row pgx.CollectableRow) (store.Feed, error) { return scanFeed(row) })
	if err != nil {
		return nil, wrap("claim due feeds", err)
	}
	return feeds, nil
}

// claimBounds reads the claim options: the time (default the clock), the
// lease's end (default lease 5 minutes) and the row limit (NULL, no limit,
// when not positive).
func (s *Store) claimBounds(o store.ClaimOptions) (now, until time.Time, limit any) {
	now = o.Now.UTC()
	if o.Now.IsZero() {
		now = s.now()
	}
	lease := o.Lease
	if lease <= 0 {
		lease = defaultLease
	}
	if o.Limit > 0 {
		limit = o.Limit
	}
	return now, now.Add(lease), limit
}

// recordPollSQL locks the feed row, applies a successful poll to it and, if
// the feed was failing, lets its subscriptions be told again next time. It
// returns 1, or 0 if there is no such feed. The lock comes first, so polls
// of one feed from several processes take turns and the later one finds the
// articles already there.
const recordPollSQL = `
WITH old AS (
	SELECT id, error_count FROM feeds WHERE id = $1 FOR UPDATE
), updated AS (
	UPDATE feeds f SET
		title = CASE WHEN $2 <> '' THEN $2 ELSE f.title END,
		site_url = CASE WHEN $3 <> '' THEN $3 ELSE f.site_url END,
		etag = CASE WHEN $4 THEN f.etag ELSE $5 END,
		last_modified = CASE WHEN $4 THEN f.last_modified ELSE $6 END,
		last_polled_at = $7::timestamptz, last_success_at = $7::timestamptz,
		error_count = 0, last_error = $11,
		next_poll_at = $8,
		lease_owner = CASE WHEN f.lease_owner = $9 THEN NULL ELSE f.lease_owner END,
		lease_until = CASE WHEN f.lease_owner = $9 THEN NULL ELSE f.lease_until END
	FROM old WHERE f.id = old.id
	RETURNING f.id
), recovered AS (
	UPDATE subscriptions s SET failing_notified = false
	FROM old WHERE s.feed_id = old.id AND old.error_count >= $10 AND s.failing_notified
)
SELECT count(*) FROM updated`

// RecordPoll applies a successful poll: the feed's validators and schedule,
// a reset error count, and the new articles each with a pending delivery for
// every unpaused subscription of the feed, all in one transaction. The lease
// is released if r.Owner still holds it; a result from a lost lease is still
// applied (the articles dedupe), but leaves the new owner's lease alone.
//
// It is one round trip: the feed update and the article inserts go as one
// pipelined batch, which PostgreSQL runs as one implicit transaction.
func (s *Store) RecordPoll(ctx context.Context, r store.PollResult) (int, error) {
	b := &pgx.Batch{}
	b.Queue(recordPollSQL, r.FeedID, clean(r.Title), clean(r.SiteURL), r.NotModified, clean(r.ETag), clean(r.LastModified),
		nullTime(r.PolledAt), r.NextPollAt.UTC(), r.Owner, store.FailingThreshold, clean(r.Warning))
	now := s.now()
	var arts, skipped []store.Article
	if !r.NotModified {
		arts, skipped = r.Articles, r.Skipped
		if len(r.Present) > 0 {
			b.Queue(`UPDATE pruned_articles SET seen_at = $3
				WHERE feed_id = $1 AND (identity = ANY($2) OR (link_key <> '' AND link_key = ANY($2)))`,
				r.FeedID, cleanAll(r.Present), now)
		}
	}
	updates := 0
	if !r.NotModified {
		updates = queueUpdates(b, r.FeedID, r.Updated, r.Fingerprints)
	}
	if err := queueArticles(b, r.FeedID, skipped, now, insertSkipped); err != nil {
		return 0, wrap("record poll", err)
	}
	if err := queueArticles(b, r.FeedID, arts, now, insertDeliver); err != nil {
		return 0, wrap("record poll", err)
	}
	br := s.pool.SendBatch(ctx, b)
	n, err := readPoll(br, len(r.Present) > 0 && !r.NotModified, updates, skipped, arts)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, wrap("record poll", err)
	}
	return n, nil
}

// readPoll reads the results of RecordPoll's batch.
func readPoll(br pgx.BatchResults, touched bool, updates int, skipped, arts []store.Article) (int, error) {
	var found int
	if err := br.QueryRow().Scan(&found); err != nil {
		return 0, err
	}
	if found == 0 {
		return 0, pgx.ErrNoRows
	}
	if touched {
		if _, err := br.Exec(); err != nil {
			return 0, err
		}
	}
	for range updates {
		if _, err := br.Exec(); err != nil {
			return 0, err
		}
	}
	if _, err := readArticles(br, skipped); err != nil {
		return 0, err
	}
	return readArticles(br, arts)
}

// RecordPollFailure counts a failed poll, reschedules the feed and releases
// the lease if f.Owner still holds it. It returns the feed as updated, so the
// poller can see whether it just became failing.
func (s *Store) RecordPollFailure(ctx context.Context, f store.PollFailure) (store.Feed, error) {
	feed, err := scanFeed(s.pool.QueryRow(ctx, `
		UPDATE feeds f SET
			error_count = error_count + 1,
			last_error = $2,
			last_polled_at = $3::timestamptz,
			next_poll_at = $4,
			lease_owner = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_owner END,
			lease_until = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_until END
		WHERE id = $1
		RETURNING `+feedCols,
		f.FeedID, clean(f.Error), nullTime(f.PolledAt), f.NextPollAt.UTC(), f.Owner))
	if err != nil {
		return store.Feed{}, wrap("record poll failure", err)
	}
	return feed, nil
}

// insertArticleSQL inserts one article unless the feed already has one with
// the same identity or link key (both unique: ON CONFLICT DO NOTHING) or had
// one that was pruned (pruned_articles). With $15 set, a newly inserted one
// gets a pending delivery for every unpaused subscription of the feed whose
// baseline does not list it; with $16 set, it counts as a skipped item of
// the feed. It returns 1 if the article was new, else 0.
const insertArticleSQL = `
WITH a AS (
	INSERT INTO articles (feed_id, identity, link_key, link, title, author, image_url, published,
		summary, ranked, keywords, sentences_total, words_before, words_after, created_at, story, fingerprint, categories)
	SELECT $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::timestamptz,
		$9::text[], $17::jsonb, $10::text[], $11::int, $12::int, $13::int, $14::timestamptz, $18::text, $19::text, $20::text[]
	WHERE NOT EXISTS (
		SELECT 1 FROM pruned_articles p
		WHERE p.feed_id = $1 AND (p.identity = $2 OR ($3 <> '' AND p.link_key = $3)))
	ON CONFLICT DO NOTHING
	RETURNING id
), d AS (
	INSERT INTO deliveries (subscription_id, article_id, created_at)
	SELECT s.id, a.id, $14 FROM a JOIN subscriptions s ON s.feed_id = $1 AND NOT s.paused
	WHERE $15::boolean AND NOT EXISTS (
		SELECT 1 FROM subscription_baseline b
		WHERE b.subscription_id = s.id AND (b.identity = $2 OR ($3 <> '' AND b.link_key = $3)))
	ON CONFLICT DO NOTHING
), skipped AS (
	UPDATE feeds SET skipped_items = skipped_items + 1
	WHERE id = $1 AND $16::boolean AND EXISTS (SELECT 1 FROM a)
)
SELECT count(*) FROM a`

// insertMode says what becomes of a newly recorded article.
type insertMode int

const (
	insertSeen    insertMode = iota // recorded only
	insertDeliver                   // delivered to the feed's subscriptions
	insertSkipped                   // recorded and counted as skipped (a flood)
)

// insertArticles records articles of one feed in one round trip and returns
// how many were new. The caller holds the feed's row lock.
func insertArticles(ctx context.Context, tx pgx.Tx, feedID int64, arts []store.Article, now time.Time, mode insertMode) (int, error) {
	if len(arts) == 0 {
		return 0, nil
	}
	b := &pgx.Batch{}
	if err := queueArticles(b, feedID, arts, now, mode); err != nil {
		return 0, err
	}
	br := tx.SendBatch(ctx, b)
	n, err := readArticles(br, arts)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// queueArticles queues insertArticleSQL for each article, in order, so an
// item repeated within the list is recorded once.
func queueArticles(b *pgx.Batch, feedID int64, arts []store.Article, now time.Time, mode insertMode) error {
	for _, a := range arts {
		identity, err := a.Key()
		if err != nil {
			return err
		}
		ranked := a.Ranked
		if ranked == nil {
			ranked = []store.RankedSentence{}
		}
		b.Queue(insertArticleSQL, feedID, clean(identity), clean(a.LinkKey), clean(a.Link), clean(a.Title),
			clean(a.Author), clean(a.ImageURL), nullTime(a.Published), cleanAll(a.Summary), cleanAll(a.Keywords),
			a.SentencesTotal, a.WordsBefore, a.WordsAfter, now, mode == insertDeliver, mode == insertSkipped, cleanRanked(ranked),
			clean(a.Story), clean(a.Fingerprint), cleanAll(a.Categories))
	}
	return nil
}

// cleanRanked applies clean to each sentence.
func cleanRanked(r []store.RankedSentence) []store.RankedSentence {
	out := make([]store.RankedSentence, len(r))
	for i, x := range r {
		out[i] = store.RankedSentence{Index: x.Index, Text: clean(x.Text)}
	}
	return out
}

// readArticles reads the results of queueArticles: how many were new.
func readArticles(br pgx.BatchResults, arts []store.Article) (int, error) {
	n := 0
	for i := range arts {
		var one int
		if err := br.QueryRow().Scan(&one); err != nil {
			return 0, fmt.Errorf("article %q: %w", arts[i].Identity, err)
		}
		n += one
	}
	return n, nil
}

// RenewFeedLease extends the owner's live lease on a feed, or reports it
// lost.
func (s *Store) RenewFeedLease(ctx context.Context, feedID int64, owner string, until time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE feeds SET lease_until = $3
		WHERE id = $1 AND lease_owner = $2 AND lease_until >= $4`, feedID, owner, until.UTC(), s.now())
	if err != nil {
		return wrap("renew feed lease", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("renew feed lease", store.ErrLeaseLost)
	}
	return nil
}
