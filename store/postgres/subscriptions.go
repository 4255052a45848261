package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// Subscribe creates the feed if its URL is unknown (else refreshes its title),
// adds the subscription and records the feed's current items as seen, in one
// transaction. Items the store did not know get pending deliveries for the
// feed's other unpaused subscriptions, never for the new one. An existing
// (guild, channel, feed) subscription is store.ErrConflict.
func (s *Store) Subscribe(ctx context.Context, ns store.NewSubscription) (store.Subscription, error) {
	if ns.Feed.URL == "" {
		return store.Subscription{}, errors.New("postgres: subscribe: empty feed URL")
	}
	now := s.now()
	next := ns.NextPollAt
	if next.IsZero() {
		next = now
	}
	var sub store.Subscription
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The upsert locks the feed row until commit, which serializes this
		// with polls recording articles of the same feed.
		feed, err := scanFeed(tx.QueryRow(ctx, `
			INSERT INTO feeds AS f (url, title, site_url, next_poll_at, created_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (url) DO UPDATE SET
				title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE f.title END,
				site_url = CASE WHEN excluded.site_url <> '' THEN excluded.site_url ELSE f.site_url END
			RETURNING `+feedCols,
			ns.Feed.URL, clean(ns.Feed.Title), clean(ns.Feed.SiteURL), next.UTC(), now))
		if err != nil {
			return err
		}
		sd, done := subDest(&sub)
		err = tx.QueryRow(ctx, `
			INSERT INTO subscriptions AS s (guild_id, channel_id, feed_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (guild_id, channel_id, feed_id) DO NOTHING
			RETURNING `+subCols,
			ns.GuildID, ns.ChannelID, feed.ID, ns.CreatedBy, now).Scan(sd...)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		done()
		sub.Feed = feed
		return recordSeen(ctx, tx, feed.ID, sub.ID, ns.Seen, now)
	})
	if err != nil {
		return store.Subscription{}, wrap("subscribe", err)
	}
	return sub, nil
}

// recordSeen keeps a new subscription from posting the items its feed lists
// now. Items the store does not know yet are owed to the feed's other
// unpaused subscriptions with a real summary, which only the poller makes:
// so they go in the new subscription's baseline and the poller delivers them
// to everyone else. With no other unpaused subscription nobody is owed them,
// and they are recorded as seen at once.
func recordSeen(ctx context.Context, tx pgx.Tx, feedID, subID int64, seen []store.Article, now time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	var others bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = $1 AND id <> $2 AND NOT paused)`,
		feedID, subID).Scan(&others)
	if err != nil {
		return err
	}
	if !others {
		_, err := insertArticles(ctx, tx, feedID, seen, now, insertSeen)
		return err
	}
	b := &pgx.Batch{}
	for _, a := range seen {
		identity, err := a.Key()
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO subscription_baseline (subscription_id, identity, link_key, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, subID, clean(identity), clean(a.LinkKey), now)
	}
	return tx.SendBatch(ctx, b).Close()
}

// Unsubscribe deletes one of the guild's subscriptions with its deliveries
// and returns it. The feed and its articles stay: a feed nobody subscribes
// to is simply not polled, and its articles age out with PruneArticles.
func (s *Store) Unsubscribe(ctx context.Context, guildID string, subscriptionID int64) (store.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, `
		WITH s AS (
			DELETE FROM subscriptions WHERE id = $1 AND guild_id = $2 RETURNING *
		)
		SELECT `+subCols+`, `+feedCols+`
		FROM s JOIN feeds f ON f.id = s.feed_id`,
		subscriptionID, guildID))
	if err != nil {
		return store.Subscription{}, wrap("unsubscribe", err)
	}
	return sub, nil
}

// ListSubscriptions returns the guild's subscriptions with their feeds, in
// the order they were made.
func (s *Store) ListSubscriptions(ctx context.Context, guildID string) ([]store.Subscription, error) {
	return s.querySubscriptions(ctx, "list subscriptions", `
		SELECT `+subCols+`, `+feedCols+`
		FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
		WHERE s.guild_id = $1
		ORDER BY s.id`, guildID)
}

func (s *Store) querySubscriptions(ctx context.Context, op, sql string, args ...any) ([]store.Subscription, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	subs := []store.Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		subs = append(subs, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return subs, nil
}

// PauseSubscription stops deliveries to a subscription (its pending ones
// stay pending) and its feed's polling if no other subscription is active.
func (s *Store) PauseSubscription(ctx context.Context, subscriptionID int64, reason string) error {
	return s.execOne(ctx, "pause subscription",
		`UPDATE subscriptions SET paused = true, pause_reason = $2 WHERE id = $1`, subscriptionID, clean(reason))
}

// FailingFeedNotices returns the unpaused subscriptions whose feed is
// failing and whose channel has not been told yet.
func (s *Store) FailingFeedNotices(ctx context.Context) ([]store.Subscription, error) {
	return s.querySubscriptions(ctx, "failing feed notices", `
		SELECT `+subCols+`, `+feedCols+`
		FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
		WHERE NOT s.paused AND NOT s.failing_notified AND f.error_count >= $1
		ORDER BY s.id`, store.FailingThreshold)
}

// MarkFailingNotified records that a subscription's channel was told its
// feed is failing; a successful poll of the feed resets it.
func (s *Store) MarkFailingNotified(ctx context.Context, subscriptionID int64) error {
	return s.execOne(ctx, "mark failing notified",
		`UPDATE subscriptions SET failing_notified = true WHERE id = $1`, subscriptionID)
}

// GuildSettings returns the guild's settings, or the defaults if it has
// saved none.
func (s *Store) GuildSettings(ctx context.Context, guildID string, defaultSentences int) (store.GuildSettings, error) {
	g := store.GuildSettings{GuildID: guildID}
	err := s.pool.QueryRow(ctx,
		`SELECT sentences, format, show_stats, stories FROM guild_settings WHERE guild_id = $1`, guildID).
		Scan(&g.Sentences, &g.Format, &g.ShowStats, &g.Stories)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.DefaultGuildSettings(guildID, defaultSentences), nil
	}
	if err != nil {
		return store.GuildSettings{}, wrap("guild settings", err)
	}
	return g, nil
}

// SaveGuildSettings creates or replaces the guild's settings.
func (s *Store) SaveGuildSettings(ctx context.Context, g store.GuildSettings) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO guild_settings (guild_id, sentences, format, show_stats, stories) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (guild_id) DO UPDATE SET
			sentences = excluded.sentences, format = excluded.format, show_stats = excluded.show_stats,
			stories = excluded.stories`,
		g.GuildID, g.Sentences, string(g.Format), g.ShowStats, g.Stories)
	return wrap("save guild settings", err)
}

// execOne runs a statement that must touch exactly one row; none is
// store.ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, sql string, args ...any) error {
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return wrap(op, pgx.ErrNoRows)
	}
	return nil
}
