package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// claimable is the condition for a delivery (d) that may be claimed at $1:
// pending, retry due, and the claim free or expired (claim_until < now).
const claimable = `d.state = 'pending'
	  AND (d.retry_at IS NULL OR d.retry_at <= $1)
	  AND (d.claim_until IS NULL OR d.claim_until < $1)`

// claimDeliveriesSQL claims pending deliveries in one statement, oldest
// first, at most $2 ($2 NULL: no limit):
//
//   - picked finds claimable deliveries of unpaused subscriptions and locks
//     them FOR UPDATE SKIP LOCKED, which re-checks the conditions on the
//     row's latest version (READ COMMITTED): a delivery another process is
//     claiming right now is passed over, and one it has just claimed no
//     longer qualifies, so none is ever taken twice, and LIMIT counts only
//     the rows actually locked;
//   - claimed stamps the claim's owner ($3) and end ($4);
//   - the final SELECT joins what the deliverer needs: subscription, feed
//     and article.
const claimDeliveriesSQL = `
WITH picked AS (
	SELECT d.id FROM deliveries d
	WHERE ` + claimable + `
	  AND d.subscription_id IN (SELECT id FROM subscriptions WHERE NOT paused)
	ORDER BY d.id
	LIMIT $2
	FOR UPDATE OF d SKIP LOCKED
),` + claimTail

// claimDeliveriesCappedSQL is claimDeliveriesSQL with at most $5 per
// subscription: ranked numbers the claimable deliveries oldest first within
// each subscription, and picked keeps those ranked $5 or better before
// locking them as above (a window function cannot sit beside FOR UPDATE,
// hence two steps). Ranking reads every claimable delivery, a few
// milliseconds for 5,000; the alternative of counting, for each candidate in
// id order, the earlier ones of its subscription (bounded by LIMIT $5) is
// faster on an even backlog but ten times slower when one subscription holds
// most of it, which is exactly the backlog of a channel that was stuck.
const claimDeliveriesCappedSQL = `
WITH ranked AS (
	SELECT d.id, row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.id) AS rn
	FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
	WHERE ` + claimable + ` AND NOT s.paused
), picked AS (
	SELECT d.id FROM deliveries d
	WHERE d.id IN (SELECT id FROM ranked WHERE rn <= $5::int)
	  AND ` + claimable + `
	ORDER BY d.id
	LIMIT $2
	FOR UPDATE SKIP LOCKED
),` + claimTail

const claimTail = ` claimed AS (
	UPDATE deliveries d SET claim_owner = $3, claim_until = $4
	FROM picked WHERE d.id = picked.id
	RETURNING d.*
)
SELECT ` + deliveryCols + `, ` + subCols + `, ` + feedCols + `, ` + articleCols + `
FROM claimed d
JOIN subscriptions s ON s.id = d.subscription_id
JOIN feeds f ON f.id = s.feed_id
JOIN articles a ON a.id = d.article_id
ORDER BY d.id`

// ClaimDeliveries claims up to o.Limit pending deliveries for o.Owner until
// o.Now+o.Lease, oldest first, at most o.PerSubscription per subscription,
// each with its subscription, feed and article. An unsettled claim expires
// (claim_until < now) and the delivery is claimable again.
func (s *Store) ClaimDeliveries(ctx context.Context, o store.ClaimOptions) ([]store.Delivery, error) {
	now, until, limit := s.claimBounds(o)
	var rows pgx.Rows
	var err error
	if o.PerSubscription > 0 {
		rows, err = s.pool.Query(ctx, claimDeliveriesCappedSQL, now, limit, o.Owner, until, o.PerSubscription)
	} else {
		rows, err = s.pool.Query(ctx, claimDeliveriesSQL, now, limit, o.Owner, until)
	}
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	ds, err := pgx.AppendRows(make([]store.Delivery, 0), rows, scanFullDelivery)
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	return ds, nil
}

// scanFullDelivery reads deliveryCols, subCols, feedCols and articleCols.
func scanFullDelivery(row pgx.CollectableRow) (store.Delivery, error) {
	var d store.Delivery
	dd, ddone := deliveryDest(&d)
	sd, sdone := subDest(&d.Subscription)
	fd, fdone := feedDest(&d.Subscription.Feed)
	ad, adone := articleDest(&d.Article)
	dest := append(append(append(dd, sd...), fd...), ad...)
	if err := row.Scan(dest...); err != nil {
		return store.Delivery{}, err
	}
	ddone()
	sdone()
	fdone()
	adone()
	return d, nil
}

// MarkPosted settles a delivery as posted with its Discord message id.
func (s *Store) MarkPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	return s.execOne(ctx, "mark posted", `
		UPDATE deliveries SET state = 'posted', message_id = $2, posted_at = $3, error = '',
			retry_at = NULL, claim_owner = NULL, claim_until = NULL
		WHERE id = $1`, deliveryID, messageID, at.UTC())
}

// MarkFailed settles a delivery as failed for good, with the reason. A
// delivery already posted (by a process whose claim outlived ours) stays
// posted.
func (s *Store) MarkFailed(ctx context.Context, deliveryID int64, reason string) error {
	return s.execOne(ctx, "mark failed", `
		UPDATE deliveries SET
			state = CASE WHEN state = 'posted' THEN state ELSE 'failed' END,
			error = CASE WHEN state = 'posted' THEN error ELSE $2 END,
			retry_at = NULL, claim_owner = NULL, claim_until = NULL
		WHERE id = $1`, deliveryID, clean(reason))
}

// ReleaseDelivery gives a claimed delivery back, pending, to be retried at
// retryAt (zero: at once), counting the failed attempt and noting the
// transient error. A delivery settled
// meanwhile keeps its state.
func (s *Store) ReleaseDelivery(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error {
	return s.execOne(ctx, "release delivery", `
		UPDATE deliveries SET
			attempts = CASE WHEN state = 'pending' THEN attempts + 1 ELSE attempts END,
			error = CASE WHEN state = 'pending' THEN $3 ELSE error END,
			retry_at = CASE WHEN state = 'pending' THEN $2::timestamptz ELSE retry_at END,
			claim_owner = NULL, claim_until = NULL
		WHERE id = $1`, deliveryID, nullTime(retryAt), clean(reason))
}

// PendingDeliveries counts the deliveries not yet posted or failed.
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, wrap("pending deliveries", err)
	}
	return n, nil
}

// Deliveries returns a subscription's deliveries by id, without their
// subscription and article filled in.
func (s *Store) Deliveries(ctx context.Context, subscriptionID int64) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryCols+` FROM deliveries d
		WHERE d.subscription_id = $1 ORDER BY d.id`, subscriptionID)
	if err != nil {
		return nil, wrap("deliveries", err)
	}
	ds, err := pgx.AppendRows(make([]store.Delivery, 0), rows, func(row pgx.CollectableRow) (store.Delivery, error) {
		var d store.Delivery
		dest, done := deliveryDest(&d)
		if err := row.Scan(dest...); err != nil {
			return store.Delivery{}, err
		}
		done()
		return d, nil
	})
	if err != nil {
		return nil, wrap("deliveries", err)
	}
	return ds, nil
}
