package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"newsbot/store"
)

// ClaimDeliveries claims pending deliveries of active subscriptions that are
// due and not claimed by anyone else, oldest first, at most o.PerSubscription
// per subscription (when > 0) and o.Limit in all, and returns them with their
// subscription, feed and article.
func (s *Store) ClaimDeliveries(ctx context.Context, o store.ClaimOptions) ([]store.Delivery, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = -1
	}
	perSub := o.PerSubscription
	if perSub <= 0 {
		perSub = -1
	}
	now := ts(o.Now)
	var out []store.Delivery
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Deliveries are taken in id order and each one only if fewer than
		// ?4 claimable ones of its subscription come before it (a count
		// bounded by LIMIT on the (subscription_id, id) index), so the scan
		// stops after ?5 rows instead of ranking every pending delivery.
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET claim_owner = ?1, claim_until = ?2
			WHERE id IN (
				SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
				WHERE d.state = 'pending'
				  AND s.paused = 0
				  AND (d.retry_at IS NULL OR d.retry_at <= ?3)
				  AND (d.claim_until IS NULL OR d.claim_until < ?3)
				  AND (?4 < 0 OR (SELECT count(*) FROM (
						SELECT 1 FROM deliveries e
						WHERE e.subscription_id = d.subscription_id AND e.state = 'pending' AND e.id < d.id
						  AND (e.retry_at IS NULL OR e.retry_at <= ?3)
						  AND (e.claim_until IS NULL OR e.claim_until < ?3)
						LIMIT ?4)) < ?4)
				ORDER BY d.id
				LIMIT ?5)
			RETURNING id`,
			o.Owner, ts(o.Now.Add(o.Lease)), now, perSub, limit)
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
	return wrap("mark posted", s.updateOne(ctx, `UPDATE deliveries SET
			state = 'posted', message_id = ?, posted_at = ?, error = '', claim_owner = '', claim_until = NULL
		WHERE id = ?`, messageID, ts(at), deliveryID))
}

// MarkFailed records a delivery as failed for good.
func (s *Store) MarkFailed(ctx context.Context, deliveryID int64, reason string) error {
	return wrap("mark failed", s.updateOne(ctx, `UPDATE deliveries SET
			state = 'failed', error = ?, claim_owner = '', claim_until = NULL
		WHERE id = ?`, reason, deliveryID))
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

// PendingDeliveries counts the deliveries still to be posted.
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE state = 'pending'`).Scan(&n)
	return n, wrap("pending deliveries", err)
}

// Deliveries returns every delivery of a subscription, by id, without the
// subscription and article filled.
func (s *Store) Deliveries(ctx context.Context, subscriptionID int64) ([]store.Delivery, error) {
	ds, err := queryDeliveries(ctx, s.db, false, `WHERE d.subscription_id = ? ORDER BY d.id`, subscriptionID)
	return ds, wrap("deliveries", err)
}
