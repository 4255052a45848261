package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"newsbot/store"
)

// ClaimDueFeeds leases up to o.Limit due feeds that have an active
// subscription and no live lease, earliest next poll first.
func (s *Store) ClaimDueFeeds(ctx context.Context, o store.ClaimOptions) ([]store.Feed, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	now := ts(o.Now)
	var feeds []store.Feed
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE feeds AS f SET lease_owner = ?, lease_until = ?
			WHERE f.id IN (
				SELECT c.id FROM feeds c
				WHERE c.next_poll_at <= ?
				  AND (c.lease_until IS NULL OR c.lease_until < ?)
				  AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = c.id AND s.paused = 0)
				ORDER BY c.next_poll_at, c.id
				LIMIT ?)
			RETURNING `+feedReturning,
			o.Owner, ts(o.Now.Add(o.Lease)), now, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r feedRow
			if err := rows.Scan(r.dest()...); err != nil {
				return err
			}
			feeds = append(feeds, r.feed())
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap("claim due feeds", err)
	}
	sort.SliceStable(feeds, func(i, j int) bool {
		if !feeds[i].NextPollAt.Equal(feeds[j].NextPollAt) {
			return feeds[i].NextPollAt.Before(feeds[j].NextPollAt)
		}
		return feeds[i].ID < feeds[j].ID
	})
	return feeds, nil
}

// RecordPoll applies a successful poll: the feed's state, and its new
// articles each with a pending delivery per active subscription, in one
// transaction.
func (s *Store) RecordPoll(ctx context.Context, r store.PollResult) (int, error) {
	now := s.now()
	var added int
	err := s.write(ctx, func(tx *sql.Tx) error {
		var errorCount int
		if err := tx.QueryRowContext(ctx, `SELECT error_count FROM feeds WHERE id = ?`, r.FeedID).Scan(&errorCount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE feeds SET
				title           = CASE WHEN ?1 <> '' THEN ?1 ELSE title END,
				site_url        = CASE WHEN ?2 <> '' THEN ?2 ELSE site_url END,
				etag            = CASE WHEN ?3 THEN etag ELSE ?4 END,
				last_modified   = CASE WHEN ?3 THEN last_modified ELSE ?5 END,
				last_polled_at  = ?6,
				last_success_at = ?6,
				error_count     = 0,
				last_error      = '',
				next_poll_at    = ?7,
				lease_until     = CASE WHEN lease_owner = ?8 THEN NULL ELSE lease_until END,
				lease_owner     = CASE WHEN lease_owner = ?8 THEN '' ELSE lease_owner END
			WHERE id = ?9`,
			r.Title, r.SiteURL, r.NotModified, r.ETag, r.LastModified, ts(r.PolledAt), ts(r.NextPollAt), r.Owner, r.FeedID)
		if err != nil {
			return err
		}
		if errorCount >= store.FailingThreshold {
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET failing_notified = 0 WHERE feed_id = ? AND failing_notified = 1`, r.FeedID); err != nil {
				return err
			}
		}
		if r.NotModified {
			return nil
		}
		added, err = s.insertArticles(ctx, tx, r.FeedID, r.Articles, now)
		return err
	})
	if err != nil {
		return 0, wrap("record poll", err)
	}
	return added, nil
}

// RecordPollFailure applies a failed poll and returns the feed as updated.
func (s *Store) RecordPollFailure(ctx context.Context, f store.PollFailure) (store.Feed, error) {
	var feed store.Feed
	err := s.write(ctx, func(tx *sql.Tx) error {
		var r feedRow
		err := tx.QueryRowContext(ctx, `UPDATE feeds AS f SET
				error_count    = error_count + 1,
				last_error     = ?1,
				last_polled_at = ?2,
				next_poll_at   = ?3,
				lease_until    = CASE WHEN lease_owner = ?4 THEN NULL ELSE lease_until END,
				lease_owner    = CASE WHEN lease_owner = ?4 THEN '' ELSE lease_owner END
			WHERE id = ?5
			RETURNING `+feedReturning,
			f.Error, ts(f.PolledAt), ts(f.NextPollAt), f.Owner, f.FeedID).Scan(r.dest()...)
		feed = r.feed()
		return err
	})
	if err != nil {
		return store.Feed{}, wrap("record poll failure", err)
	}
	return feed, nil
}

// insertArticles records the articles the feed does not know yet (by
// identity, or by a non-empty link key; pruned ones included), each with a
// pending delivery for every active subscription of the feed, and returns
// how many were new.
func (s *Store) insertArticles(ctx context.Context, tx *sql.Tx, feedID int64, articles []store.Article, now time.Time) (int, error) {
	if len(articles) == 0 {
		return 0, nil
	}
	known, err := tx.PrepareContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND identity = ?2)
			OR (?3 <> '' AND EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND link_key = ?3))
			OR EXISTS (SELECT 1 FROM pruned_articles WHERE feed_id = ?1 AND identity = ?2)
			OR (?3 <> '' AND EXISTS (SELECT 1 FROM pruned_articles WHERE feed_id = ?1 AND link_key = ?3))`)
	if err != nil {
		return 0, err
	}
	defer known.Close()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO articles (feed_id, identity, link_key, link, title, author, image_url,
			published_at, summary, keywords, sentences_total, words_before, words_after, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (feed_id, identity) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer insert.Close()
	deliver, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (subscription_id, article_id, created_at)
		SELECT id, ?, ? FROM subscriptions WHERE feed_id = ? AND paused = 0
		ON CONFLICT (subscription_id, article_id) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer deliver.Close()

	added := 0
	for _, a := range articles {
		identity := a.Identity
		if identity == "" {
			identity = a.LinkKey
		}
		if identity == "" {
			return 0, errors.New("article without identity or link key")
		}
		var isKnown bool
		if err := known.QueryRowContext(ctx, feedID, identity, a.LinkKey).Scan(&isKnown); err != nil {
			return 0, err
		}
		if isKnown {
			continue
		}
		res, err := insert.ExecContext(ctx, feedID, identity, a.LinkKey, a.Link, a.Title, a.Author, a.ImageURL,
			ts(a.Published), encodeList(a.Summary), encodeList(a.Keywords), a.SentencesTotal, a.WordsBefore, a.WordsAfter, ts(now))
		if err != nil {
			return 0, fmt.Errorf("article %q: %w", identity, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue
		}
		id, err := res.LastInsertId()
		if err != nil {
			return 0, err
		}
		if s.hookAfterArticle != nil {
			s.hookAfterArticle()
		}
		if _, err := deliver.ExecContext(ctx, id, ts(now), feedID); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}
