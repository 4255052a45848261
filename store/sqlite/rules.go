package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"newsbot/store"
)

// rulesColumn scans the subscriptions.rules JSON document into a
// store.Rules, so that every query selecting subCols reads the rules too.
type rulesColumn struct{ r *store.Rules }

func (c rulesColumn) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*c.r = store.Rules{}
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("rules column: unexpected %T", src)
	}
	r := store.Rules{}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("rules column: %w", err)
	}
	*c.r = r
	return nil
}

// SaveRules replaces one of the guild's subscriptions' rules.
func (s *Store) SaveRules(ctx context.Context, guildID string, subscriptionID int64, r store.Rules) (store.Subscription, error) {
	doc, err := json.Marshal(r)
	if err != nil {
		return store.Subscription{}, fmt.Errorf("sqlite: save rules: %w", err)
	}
	var sub store.Subscription
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET rules = ? WHERE id = ? AND guild_id = ?`,
			string(doc), subscriptionID, guildID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return notFoundOr(err)
		}
		var row subFeedRow
		err = tx.QueryRowContext(ctx, `SELECT `+subCols+`, `+feedCols+`
			FROM subscriptions s JOIN feeds f ON f.id = s.feed_id WHERE s.id = ?`, subscriptionID).Scan(row.dest()...)
		sub = row.sub()
		return err
	})
	if err != nil {
		return store.Subscription{}, wrap("save rules", err)
	}
	return sub, nil
}

// notFoundOr is err, or store.ErrNotFound when there is none: an UPDATE
// that touched no row.
func notFoundOr(err error) error {
	if err != nil {
		return err
	}
	return store.ErrNotFound
}

// ResumeSubscription unpauses one of the guild's subscriptions. Its
// pending deliveries were released when it was paused, so they are
// claimable at once, in order.
func (s *Store) ResumeSubscription(ctx context.Context, guildID string, subscriptionID int64) error {
	return wrap("resume subscription", s.updateOne(ctx,
		`UPDATE subscriptions SET paused = 0, pause_reason = '' WHERE id = ? AND guild_id = ?`, subscriptionID, guildID))
}

// PostedSince counts the messages the subscription posted after since, on
// the (subscription_id, posted_at) index of posted deliveries. A delivery
// that edited a message posted earlier (a story's later outlet, of this or
// another subscription, or a changed article) made no message, and the
// message_id index finds that earlier post.
func (s *Store) PostedSince(ctx context.Context, subscriptionID int64, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries d
		WHERE d.subscription_id = ?1 AND d.state = 'posted' AND d.posted_at > ?2
		AND NOT EXISTS (SELECT 1 FROM deliveries e
			WHERE e.message_id = d.message_id AND e.state = 'posted'
			AND (e.posted_at < d.posted_at OR (e.posted_at = d.posted_at AND e.id < d.id)))`,
		subscriptionID, ts(since)).Scan(&n)
	return n, wrap("posted since", err)
}

// MarkDropped settles a pending delivery a rule dropped and counts it on
// its subscription, in one transaction, so the count never drifts from the
// deliveries. One already settled (posted by a process whose claim
// outlived ours) is left alone and not counted.
func (s *Store) MarkDropped(ctx context.Context, deliveryID int64, why store.DropReason, detail string) error {
	counter, err := dropCounter(why)
	if err != nil {
		return fmt.Errorf("sqlite: mark dropped: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var subID int64
		err := tx.QueryRowContext(ctx, `UPDATE deliveries SET
				state = 'failed', error = ?, retry_at = NULL, claim_owner = '', claim_until = NULL, attempted_at = NULL
			WHERE id = ? AND state = 'pending' RETURNING subscription_id`,
			store.DroppedPrefix+string(why)+"): "+detail, deliveryID).Scan(&subID)
		if errors.Is(err, sql.ErrNoRows) {
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = ?)`, deliveryID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return store.ErrNotFound
			}
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET `+counter+` = `+counter+` + 1 WHERE id = ?`, subID)
		return err
	})
	return wrap("mark dropped", err)
}

// dropCounter is the subscriptions column that counts drops for why.
func dropCounter(why store.DropReason) (string, error) {
	switch why {
	case store.DropFiltered:
		return "dropped_filtered", nil
	case store.DropDaily:
		return "dropped_daily", nil
	}
	return "", fmt.Errorf("unknown drop reason %q", why)
}
