package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"time"

	"newsbot/store"
)

// ClaimDeliveries claims pending deliveries of active subscriptions that are
// due and not claimed by anyone else, oldest first, o.Limit in all, and
// returns them with their subscription, feed and article.
//
// Each subscription's posts go out in order: a delivery is claimed only if
// every earlier pending one of its subscription is claimable now (none is
// waiting out a retry or held by another process). With o.PerSubscription
// set, a delivery is claimed only while fewer than that many of its
// subscription are pending before it or were posted within o.Window, which
// holds across processes because claimed deliveries stay pending.
func (s *Store) ClaimDeliveries(ctx context.Context, o store.ClaimOptions) ([]store.Delivery, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = -1
	}
	perSub := o.PerSubscription
	if perSub <= 0 {
		perSub = math.MaxInt32
	}
	now := ts(o.Now)
	since := ts(o.Now.Add(-o.Window))
	var out []store.Delivery
	err := s.write(ctx, func(tx *sql.Tx) error {
		// The count of earlier pending deliveries is bounded by LIMIT on the
		// (subscription_id, id) index and comes first, so the order check
		// after it scans at most ?4 rows.
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET claim_owner = ?1, claim_until = ?2
			WHERE id IN (
				SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
				WHERE d.state = 'pending'
				  AND s.paused = 0
				  AND `+claimableSQL("d")+`
				  AND (SELECT count(*) FROM (
						SELECT 1 FROM deliveries e
						WHERE e.subscription_id = d.subscription_id AND e.state = 'pending' AND e.id < d.id
						LIMIT ?4))
					+ (SELECT count(*) FROM deliveries p
						WHERE p.subscription_id = d.subscription_id AND p.state = 'posted' AND p.posted_at > ?6) < ?4
				  AND NOT EXISTS (
						SELECT 1 FROM deliveries e
						WHERE e.subscription_id = d.subscription_id AND e.state = 'pending' AND e.id < d.id
						  AND NOT (`+claimableSQL("e")+`))
				ORDER BY d.id
				LIMIT ?5)
			RETURNING id`,
			o.Owner, ts(o.Now.Add(o.Lease)), now, perSub, limit, since)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = queryDeliveries(ctx, tx, true,
			`WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id`, string(ids))
		return err
	})
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	if out == nil {
		out = []store.Delivery{}
	}
	return out, nil
}

// claimableSQL is the condition for delivery t to be claimable at ?3: its
// retry is due and nobody holds it.
func claimableSQL(t string) string {
	return `(` + t + `.retry_at IS NULL OR ` + t + `.retry_at <= ?3) AND (` + t + `.claim_until IS NULL OR ` + t + `.claim_until < ?3)`
}

// BeginPost confirms the owner's claim, extends it and marks the attempt.
func (s *Store) BeginPost(ctx context.Context, deliveryID int64, owner string, now, until time.Time) error {
	return wrap("begin post", s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET claim_until = ?1, attempted_at = ?2
			WHERE id = ?3 AND state = 'pending' AND claim_owner = ?4 AND claim_until >= ?2`,
			ts(until), ts(now), deliveryID, owner)
		return leaseHeld(res, err)
	}))
}

// scanIDs reads a column of ids into a JSON array, for json_each.
func scanIDs(rows *sql.Rows) ([]byte, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	return json.Marshal(ids)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryDeliveries reads deliveries, with their subscription, feed and
// article when full is set.
func queryDeliveries(ctx context.Context, q querier, full bool, where string, args ...any) ([]store.Delivery, error) {
	query := `SELECT ` + deliveryCols + ` FROM deliveries d ` + where
	if full {
		query = `SELECT ` + deliveryCols + `, ` + subCols + `, ` + feedCols + `, ` + articleCols + `
			FROM deliveries d
			JOIN subscriptions s ON s.id = d.subscription_id
			JOIN feeds f ON f.id = s.feed_id
			JOIN articles a ON a.id = d.article_id ` + where
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Delivery{}
	for rows.Next() {
		var (
			dr deliveryRow
			sr subFeedRow
			ar articleRow
		)
		dest := dr.dest()
		if full {
			dest = append(append(dest, sr.dest()...), ar.dest()...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		d := dr.delivery()
		if full {
			d.Subscription = sr.sub()
			if d.Article, err = ar.article(); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// MarkPosted records a delivery as posted with its Discord message.
func (s *Store) MarkPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error {
	return wrap("mark posted", s.write(ctx, func(tx *sql.Tx) error {
		return markPosted(ctx, tx, deliveryID, messageID, at)
	}))
}

// MarkStoryPosted is MarkPosted that also makes the message the one showing
// the article's story in its channel, in the same transaction.
func (s *Store) MarkStoryPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error {
	return wrap("mark story posted", s.write(ctx, func(tx *sql.Tx) error {
		if err := markPosted(ctx, tx, deliveryID, messageID, at); err != nil {
			return err
		}
		return recordStoryPost(ctx, tx, deliveryID, messageID, at)
	}))
}

func markPosted(ctx context.Context, tx *sql.Tx, deliveryID int64, messageID string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE deliveries SET
			state = 'posted', message_id = ?, posted_at = ?, error = '', claim_owner = '', claim_until = NULL, attempted_at = NULL
		WHERE id = ?`, messageID, ts(at), deliveryID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, store.ErrNotFound)
	}
	return nil
}

// MarkFailed records a delivery as failed for good. One already posted (by
// a process whose claim outlived ours) stays posted.
func (s *Store) MarkFailed(ctx context.Context, deliveryID int64, reason string) error {
	return wrap("mark failed", s.updateOne(ctx, `UPDATE deliveries SET
			state = CASE WHEN state = 'posted' THEN state ELSE 'failed' END,
			error = CASE WHEN state = 'posted' THEN error ELSE ?1 END,
			claim_owner = '', claim_until = NULL, attempted_at = NULL
		WHERE id = ?2`, reason, deliveryID))
}

// ReleaseDelivery gives a claimed delivery back after a transient error, to
// be retried at retryAt. A delivery that is no longer pending (posted or
// failed meanwhile) is left as it is.
func (s *Store) ReleaseDelivery(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM deliveries WHERE id = ?`, deliveryID).Scan(&state); err != nil {
			return err
		}
		if state != string(store.DeliveryPending) {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET
				attempts = attempts + 1, error = ?, retry_at = ?, claim_owner = '', claim_until = NULL
			WHERE id = ?`, reason, ts(retryAt), deliveryID)
		return err
	})
	return wrap("release delivery", err)
}

// PendingDeliveries counts the deliveries still to be posted to active
// subscriptions (a paused one's wait for /feed resume, not for the bot).
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND s.paused = 0`).Scan(&n)
	return n, wrap("pending deliveries", err)
}

// Deliveries returns every delivery of a subscription, by id, without the
// subscription and article filled.
func (s *Store) Deliveries(ctx context.Context, subscriptionID int64) ([]store.Delivery, error) {
	ds, err := queryDeliveries(ctx, s.db, false, `WHERE d.subscription_id = ? ORDER BY d.id`, subscriptionID)
	return ds, wrap("deliveries", err)
}
