package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// claimDeliveriesSQL claims pending deliveries in one statement, oldest
// first, at most $2 ($2 NULL: no limit):
//
//   - ranked numbers every pending delivery of an unpaused subscription
//     within its subscription, oldest first (rn), and notes whether it or an
//     earlier one is not claimable now (blocked: waiting out a retry, or
//     held by another process), because a subscription's posts go out in
//     order;
//   - picked keeps the unblocked ones whose rank plus the subscription's
//     posts within the window (since $6) is at most $5, which holds across
//     processes because claimed deliveries stay pending and count in rn,
//     then locks them FOR UPDATE SKIP LOCKED, which re-checks the conditions
//     on the row's latest version (READ COMMITTED): a delivery another
//     process is claiming right now is passed over, and one it has just
//     claimed no longer qualifies, so none is ever taken twice (a window
//     function cannot sit beside FOR UPDATE, hence two steps);
//   - claimed stamps the claim's owner ($3) and end ($4);
//   - the final SELECT joins what the deliverer needs: subscription, feed
//     and article.
const claimDeliveriesSQL = `
WITH ranked AS (
	SELECT d.id, d.subscription_id,
		row_number() OVER w AS rn,
		bool_or(NOT (` + claimable + `)) OVER w AS blocked
	FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
	WHERE d.state = 'pending' AND NOT s.paused
	WINDOW w AS (PARTITION BY d.subscription_id ORDER BY d.id)
), picked AS (
	SELECT d.id FROM deliveries d
	WHERE d.id IN (
		SELECT r.id FROM ranked r
		WHERE NOT r.blocked
		  AND r.rn + (SELECT count(*) FROM deliveries p
			WHERE p.subscription_id = r.subscription_id AND p.state = 'posted' AND p.posted_at > $6) <= $5::bigint)
	  AND d.state = 'pending' AND ` + claimable + `
	ORDER BY d.id
	LIMIT $2
	FOR UPDATE SKIP LOCKED
),`

// claimable is the condition for a delivery (d) that may be claimed at $1:
// retry due, and the claim free or expired (claim_until < now).
const claimable = `(d.retry_at IS NULL OR d.retry_at <= $1)
	  AND (d.claim_until IS NULL OR d.claim_until < $1)`

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
	perSub := int64(math.MaxInt32)
	if o.PerSubscription > 0 {
		perSub = int64(o.PerSubscription)
	}
	rows, err := s.pool.Query(ctx, claimDeliveriesSQL+claimTail, now, limit, o.Owner, until, perSub, now.Add(-o.Window))
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	ds, err := pgx.AppendRows(make([]store.Delivery, 0), rows, scanFullDelivery)
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	return ds, nil
}

// BeginPost confirms the owner's claim, extends it to until and marks the
// attempt, or reports the claim lost.
func (s *Store) BeginPost(ctx context.Context, deliveryID int64, owner string, now, until time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET claim_until = $3, attempted_at = $4
		WHERE id = $1 AND state = 'pending' AND claim_owner = $2 AND claim_until >= $4`,
		deliveryID, owner, until.UTC(), now.UTC())
	if err != nil {
		return wrap("begin post", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("begin post", store.ErrLeaseLost)
	}
	return nil
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
	return s.execOne(ctx, "mark posted", markPostedSQL, deliveryID, messageID, at.UTC())
}

const markPostedSQL = `
	UPDATE deliveries SET state = 'posted', message_id = $2, posted_at = $3, error = '',
		retry_at = NULL, claim_owner = NULL, claim_until = NULL, attempted_at = NULL
	WHERE id = $1`

// MarkFailed settles a delivery as failed for good, with the reason. A
// delivery already posted (by a process whose claim outlived ours) stays
// posted.
func (s *Store) MarkFailed(ctx context.Context, deliveryID int64, reason string) error {
	return s.execOne(ctx, "mark failed", `
		UPDATE deliveries SET
			state = CASE WHEN state = 'posted' THEN state ELSE 'failed' END,
			error = CASE WHEN state = 'posted' THEN error ELSE $2 END,
			retry_at = NULL, claim_owner = NULL, claim_until = NULL, attempted_at = NULL
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

// PendingDeliveries counts the deliveries not yet posted or failed, of
// active subscriptions (a paused one's wait for /feed resume, not the bot).
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND NOT s.paused`).Scan(&n); err != nil {
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
