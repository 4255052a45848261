package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
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
				last_error      = ?10,
				next_poll_at    = ?7,
				lease_until     = CASE WHEN lease_owner = ?8 THEN NULL ELSE lease_until END,
				lease_owner     = CASE WHEN lease_owner = ?8 THEN '' ELSE lease_owner END
			WHERE id = ?9`,
			r.Title, r.SiteURL, r.NotModified, r.ETag, r.LastModified, ts(r.PolledAt), ts(r.NextPollAt), r.Owner, r.FeedID, r.Warning)
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
		if err := touchPruned(ctx, tx, r.FeedID, r.Present, now); err != nil {
			return err
		}
		if err := updateArticles(ctx, tx, r.FeedID, r.Updated); err != nil {
			return err
		}
		if err := refingerprint(ctx, tx, r.FeedID, r.Fingerprints); err != nil {
			return err
		}
		skipped, err := s.insertArticles(ctx, tx, r.FeedID, r.Skipped, now, false)
		if err != nil {
			return err
		}
		if skipped > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE feeds SET skipped_items = skipped_items + ? WHERE id = ?`, skipped, r.FeedID); err != nil {
				return err
			}
		}
		added, err = s.insertArticles(ctx, tx, r.FeedID, r.Articles, now, true)
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
// identity, or by a non-empty link key; pruned ones included) and returns how
// many were new. With deliver set, each gets a pending delivery for every
// active subscription of the feed except those whose baseline lists it.
func (s *Store) insertArticles(ctx context.Context, tx *sql.Tx, feedID int64, articles []store.Article, now time.Time, deliver bool) (int, error) {
	if len(articles) == 0 {
		return 0, nil
	}
	insert, err := tx.PrepareContext(ctx, `INSERT INTO articles (feed_id, identity, link_key, link, title, author, image_url,
			published_at, summary, ranked, keywords, sentences_total, words_before, words_after, created_at, story, fingerprint, categories)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18
		WHERE NOT (`+knownSQL+`)
		ON CONFLICT (feed_id, identity) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer insert.Close()
	deliveries, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (subscription_id, article_id, created_at)
		SELECT s.id, ?1, ?2 FROM subscriptions s
		WHERE s.feed_id = ?3 AND s.paused = 0
		  AND NOT EXISTS (SELECT 1 FROM subscription_baseline b WHERE b.subscription_id = s.id
			AND (b.identity = ?4 OR (?5 <> '' AND b.link_key = ?5)))
		ON CONFLICT (subscription_id, article_id) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer deliveries.Close()

	added := 0
	for _, a := range articles {
		identity, err := a.Key()
		if err != nil {
			return 0, err
		}
		res, err := insert.ExecContext(ctx, feedID, identity, a.LinkKey, a.Link, a.Title, a.Author, a.ImageURL,
			ts(a.Published), encodeList(a.Summary), encodeRanked(a.Ranked), encodeList(a.Keywords),
			a.SentencesTotal, a.WordsBefore, a.WordsAfter, ts(now), a.Story, a.Fingerprint, encodeList(a.Categories))
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
		if deliver {
			if _, err := deliveries.ExecContext(ctx, id, ts(now), feedID, identity, a.LinkKey); err != nil {
				return 0, err
			}
		}
		added++
	}
	return added, nil
}

// knownSQL is true when feed ?1 has, or had before pruning, an article with
// identity ?2 or non-empty link key ?3.
const knownSQL = `EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND identity = ?2)
	OR (?3 <> '' AND EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND link_key = ?3))
	OR EXISTS (SELECT 1 FROM pruned_articles WHERE feed_id = ?1 AND identity = ?2)
	OR (?3 <> '' AND EXISTS (SELECT 1 FROM pruned_articles WHERE feed_id = ?1 AND link_key = ?3))`

// touchPruned marks the pruned identities the feed still lists as seen now,
// so they are remembered while the feed lists them and forgotten after.
func touchPruned(ctx context.Context, tx *sql.Tx, feedID int64, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE pruned_articles SET seen_at = ?1
		WHERE feed_id = ?2 AND (identity IN (SELECT value FROM json_each(?3))
			OR (link_key <> '' AND link_key IN (SELECT value FROM json_each(?3))))`, ts(now), feedID, string(list))
	return err
}

// RenewFeedLease extends the owner's lease on a feed, or reports it lost.
func (s *Store) RenewFeedLease(ctx context.Context, feedID int64, owner string, until time.Time) error {
	now := ts(s.now())
	return wrap("renew feed lease", s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE feeds SET lease_until = ?1
			WHERE id = ?2 AND lease_owner = ?3 AND lease_until >= ?4`, ts(until), feedID, owner, now)
		return leaseHeld(res, err)
	}))
}

// leaseHeld turns a conditional update of one row into ErrLeaseLost when it
// matched nothing.
func leaseHeld(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrLeaseLost
	}
	return nil
}
