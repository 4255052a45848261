package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"newsbot/store"
)

// Subscribe records a subscription, creating its feed if the URL is new and
// recording the feed's current items as seen, in one transaction.
func (s *Store) Subscribe(ctx context.Context, ns store.NewSubscription) (store.Subscription, error) {
	if ns.Feed.URL == "" {
		return store.Subscription{}, errors.New("sqlite: subscribe: empty feed URL")
	}
	now := s.now()
	var sub store.Subscription
	err := s.write(ctx, func(tx *sql.Tx) error {
		next := ns.NextPollAt
		if next.IsZero() {
			next = now
		}
		var fr feedRow
		err := tx.QueryRowContext(ctx, `INSERT INTO feeds AS f (url, title, site_url, next_poll_at, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET
				title    = CASE WHEN excluded.title    <> '' THEN excluded.title    ELSE f.title    END,
				site_url = CASE WHEN excluded.site_url <> '' THEN excluded.site_url ELSE f.site_url END
			RETURNING `+feedReturning,
			ns.Feed.URL, ns.Feed.Title, ns.Feed.SiteURL, ts(next), ts(now)).Scan(fr.dest()...)
		if err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		feed := fr.feed()

		var exists int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE guild_id = ? AND channel_id = ? AND feed_id = ?`,
			ns.GuildID, ns.ChannelID, feed.ID).Scan(&exists)
		if err != nil {
			return err
		}
		if exists > 0 {
			return store.ErrConflict
		}

		var sr subRow
		err = tx.QueryRowContext(ctx, `INSERT INTO subscriptions AS s (guild_id, channel_id, feed_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+subReturning,
			ns.GuildID, ns.ChannelID, feed.ID, ns.CreatedBy, ts(now)).Scan(sr.dest()...)
		if err != nil {
			return err
		}
		if err := s.recordSeen(ctx, tx, feed.ID, sr.s.ID, ns.Seen, now); err != nil {
			return err
		}
		sub = sr.sub()
		sub.Feed = feed
		return nil
	})
	if err != nil {
		return store.Subscription{}, wrap("subscribe", err)
	}
	return sub, nil
}

// recordSeen keeps a new subscription from posting the items its feed lists
// now. Items the store does not know yet are owed to the feed's other
// active subscriptions with a real summary, which only the poller makes: so
// they go in the new subscription's baseline and the poller delivers them to
// everyone else. With no other active subscription nobody is owed them, and
// they are recorded as seen at once.
func (s *Store) recordSeen(ctx context.Context, tx *sql.Tx, feedID, subID int64, seen []store.Article, now time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	var others bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = ? AND id <> ? AND paused = 0)`,
		feedID, subID).Scan(&others)
	if err != nil {
		return err
	}
	if !others {
		_, err := s.insertArticles(ctx, tx, feedID, seen, now, false)
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO subscription_baseline (subscription_id, identity, link_key, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, a := range seen {
		identity, err := a.Key()
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, subID, identity, a.LinkKey, ts(now)); err != nil {
			return err
		}
	}
	return nil
}

// Unsubscribe removes one of the guild's subscriptions and its deliveries.
// The feed stays (see the package comment).
func (s *Store) Unsubscribe(ctx context.Context, guildID string, subscriptionID int64) (store.Subscription, error) {
	var sub store.Subscription
	err := s.write(ctx, func(tx *sql.Tx) error {
		var r subFeedRow
		err := tx.QueryRowContext(ctx, `SELECT `+subCols+`, `+feedCols+`
			FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
			WHERE s.id = ? AND s.guild_id = ?`, subscriptionID, guildID).Scan(r.dest()...)
		if err != nil {
			return err
		}
		sub = r.sub()
		_, err = tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, subscriptionID)
		return err
	})
	if err != nil {
		return store.Subscription{}, wrap("unsubscribe", err)
	}
	return sub, nil
}

// ListSubscriptions returns the guild's subscriptions with their feeds, by id.
func (s *Store) ListSubscriptions(ctx context.Context, guildID string) ([]store.Subscription, error) {
	subs, err := s.querySubscriptions(ctx, `WHERE s.guild_id = ? ORDER BY s.id`, guildID)
	return subs, wrap("list subscriptions", err)
}

func (s *Store) querySubscriptions(ctx context.Context, where string, args ...any) ([]store.Subscription, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+subCols+`, `+feedCols+`
		FROM subscriptions s JOIN feeds f ON f.id = s.feed_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	subs := []store.Subscription{}
	for rows.Next() {
		var r subFeedRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, err
		}
		subs = append(subs, r.sub())
	}
	return subs, rows.Err()
}

// PauseSubscription stops deliveries to a subscription, with the reason.
func (s *Store) PauseSubscription(ctx context.Context, subscriptionID int64, reason string) error {
	return wrap("pause subscription", s.updateOne(ctx,
		`UPDATE subscriptions SET paused = 1, pause_reason = ? WHERE id = ?`, reason, subscriptionID))
}

// FailingFeedNotices returns the active subscriptions whose feed is failing
// and that have not been told, with their feeds, by id.
func (s *Store) FailingFeedNotices(ctx context.Context) ([]store.Subscription, error) {
	subs, err := s.querySubscriptions(ctx, `WHERE s.paused = 0 AND s.failing_notified = 0 AND f.error_count >= ? ORDER BY s.id`,
		store.FailingThreshold)
	return subs, wrap("failing feed notices", err)
}

// MarkFailingNotified records that a subscription was told its feed fails.
func (s *Store) MarkFailingNotified(ctx context.Context, subscriptionID int64) error {
	return wrap("mark failing notified", s.updateOne(ctx,
		`UPDATE subscriptions SET failing_notified = 1 WHERE id = ?`, subscriptionID))
}

// GuildSettings returns the guild's settings, or the defaults.
func (s *Store) GuildSettings(ctx context.Context, guildID string, defaultSentences int) (store.GuildSettings, error) {
	g := store.GuildSettings{GuildID: guildID}
	var format string
	err := s.db.QueryRowContext(ctx, `SELECT sentences, format, show_stats, stories FROM guild_settings WHERE guild_id = ?`, guildID).
		Scan(&g.Sentences, &format, &g.ShowStats, &g.Stories)
	if errors.Is(err, sql.ErrNoRows) {
		return store.DefaultGuildSettings(guildID, defaultSentences), nil
	}
	if err != nil {
		return store.GuildSettings{}, wrap("guild settings", err)
	}
	g.Format = store.Format(format)
	return g, nil
}

// SaveGuildSettings stores the guild's settings.
func (s *Store) SaveGuildSettings(ctx context.Context, g store.GuildSettings) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO guild_settings (guild_id, sentences, format, show_stats, stories) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET
				sentences = excluded.sentences, format = excluded.format, show_stats = excluded.show_stats, stories = excluded.stories`,
			g.GuildID, g.Sentences, string(g.Format), g.ShowStats, g.Stories)
		return err
	})
	return wrap("save guild settings", err)
}

// updateOne runs an UPDATE that must touch exactly one row.
func (s *Store) updateOne(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
