package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// SaveRules replaces one of the guild's subscriptions' rules. The rules
// column is jsonb, which pgx scans straight into a store.Rules wherever
// subCols is selected.
func (s *Store) SaveRules(ctx context.Context, guildID string, subscriptionID int64, r store.Rules) (store.Subscription, error) {
	doc, err := json.Marshal(cleanRules(r))
	if err != nil {
		return store.Subscription{}, fmt.Errorf("postgres: save rules: %w", err)
	}
	sub, err := scanSubscription(s.pool.QueryRow(ctx, `
		WITH s AS (
			UPDATE subscriptions SET rules = $3::jsonb WHERE id = $1 AND guild_id = $2 RETURNING *
		)
		SELECT `+subCols+`, `+feedCols+`
		FROM s JOIN feeds f ON f.id = s.feed_id`,
		subscriptionID, guildID, string(doc)))
	if err != nil {
		return store.Subscription{}, wrap("save rules", err)
	}
	return sub, nil
}

// cleanRules makes every text of r storable: jsonb refuses NUL characters
// and invalid UTF-8 as text columns do.
func cleanRules(r store.Rules) store.Rules {
	for _, p := range []*string{&r.Include, &r.Exclude, &r.MentionRole, &r.MentionWhen, &r.Template,
		&r.WebhookName, &r.WebhookAvatar, &r.ForumTag} {
		*p = clean(*p)
	}
	r.Format = store.Format(clean(string(r.Format)))
	return r
}

// ResumeSubscription unpauses one of the guild's subscriptions. Its
// pending deliveries were released when it was paused, so they are
// claimable at once, in order.
func (s *Store) ResumeSubscription(ctx context.Context, guildID string, subscriptionID int64) error {
	return s.execOne(ctx, "resume subscription",
		`UPDATE subscriptions SET paused = false, pause_reason = '' WHERE id = $1 AND guild_id = $2`, subscriptionID, guildID)
}

// PostedSince counts the messages the subscription posted after since, on
// the (subscription_id, posted_at) index of posted deliveries. A delivery
// that edited a message posted earlier (a story's later outlet, of this or
// another subscription, or a changed article) made no message, and the
// message_id index finds that earlier post.
func (s *Store) PostedSince(ctx context.Context, subscriptionID int64, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d
		WHERE d.subscription_id = $1 AND d.state = 'posted' AND d.posted_at > $2
		AND NOT EXISTS (SELECT 1 FROM deliveries e
			WHERE e.message_id = d.message_id AND e.state = 'posted'
			AND (e.posted_at < d.posted_at OR (e.posted_at = d.posted_at AND e.id < d.id)))`,
		subscriptionID, since.UTC()).Scan(&n)
	return n, wrap("posted since", err)
}

// MarkDropped settles a pending delivery a rule dropped and counts it on
// its subscription in one statement, so the count never drifts from the
// deliveries. One already settled (posted by a process whose claim
// outlived ours) is left alone and not counted.
func (s *Store) MarkDropped(ctx context.Context, deliveryID int64, why store.DropReason, detail string) error {
	var filtered, daily int
	switch why {
	case store.DropFiltered:
		filtered = 1
	case store.DropDaily:
		daily = 1
	default:
		return fmt.Errorf("postgres: mark dropped: unknown drop reason %q", why)
	}
	var found bool
	err := s.pool.QueryRow(ctx, `
		WITH d AS (
			UPDATE deliveries SET state = 'failed', error = $2, retry_at = NULL, claim_owner = NULL, claim_until = NULL, attempted_at = NULL
			WHERE id = $1 AND state = 'pending'
			RETURNING subscription_id
		), counted AS (
			UPDATE subscriptions s SET dropped_filtered = s.dropped_filtered + $3, dropped_daily = s.dropped_daily + $4
			FROM d WHERE s.id = d.subscription_id
			RETURNING s.id
		)
		SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = $1) OR EXISTS (SELECT 1 FROM counted)`,
		deliveryID, clean(store.DroppedPrefix+string(why)+"): "+detail), filtered, daily).Scan(&found)
	if err != nil {
		return wrap("mark dropped", err)
	}
	if !found {
		return wrap("mark dropped", pgx.ErrNoRows)
	}
	return nil
}
