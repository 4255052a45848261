package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// ChannelWebhook returns the webhook the bot posts through in a channel.
func (s *Store) ChannelWebhook(ctx context.Context, channelID string) (store.Webhook, error) {
	w := store.Webhook{ChannelID: channelID}
	err := s.pool.QueryRow(ctx, `SELECT webhook_id, token, created_at FROM webhooks WHERE channel_id = $1`, channelID).
		Scan(&w.ID, &w.Token, &w.CreatedAt)
	if err != nil {
		return store.Webhook{}, wrap("channel webhook", err)
	}
	w.CreatedAt = w.CreatedAt.UTC()
	return w, nil
}

// SaveWebhook records a channel's webhook, replacing the one it had, which
// is kept among the channel's past webhooks.
func (s *Store) SaveWebhook(ctx context.Context, w store.Webhook) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now()
	}
	return wrap("save webhook", s.inTx(ctx, func(tx pgx.Tx) error {
		if err := retireWebhook(ctx, tx, clean(w.ChannelID), "webhook_id <> $3", clean(w.ID), s.now()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO webhooks (channel_id, webhook_id, token, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (channel_id) DO UPDATE SET webhook_id = excluded.webhook_id, token = excluded.token, created_at = excluded.created_at`,
			clean(w.ChannelID), clean(w.ID), clean(w.Token), w.CreatedAt.UTC())
		return err
	}))
}

// ForgetWebhook deletes a channel's webhook if it is still webhookID, and
// keeps it among the channel's past webhooks.
func (s *Store) ForgetWebhook(ctx context.Context, channelID, webhookID string) error {
	return wrap("forget webhook", s.inTx(ctx, func(tx pgx.Tx) error {
		if err := retireWebhook(ctx, tx, clean(channelID), "webhook_id = $3", clean(webhookID), s.now()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE channel_id = $1 AND webhook_id = $2`, clean(channelID), clean(webhookID))
		return err
	}))
}

// retireWebhook copies the channel's webhook, if it matches cond (on $3,
// webhookID), to its past webhooks.
func retireWebhook(ctx context.Context, tx pgx.Tx, channelID, cond, webhookID string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO past_webhooks (channel_id, webhook_id, retired_at)
		SELECT channel_id, webhook_id, $1::timestamptz FROM webhooks WHERE channel_id = $2 AND `+cond+`
		ON CONFLICT DO NOTHING`, at, channelID, webhookID)
	return err
}

// PastWebhooks returns the ids of the webhooks the bot held in a channel
// before its current one, newest first (at most store.MaxPastWebhooks).
func (s *Store) PastWebhooks(ctx context.Context, channelID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT webhook_id FROM past_webhooks WHERE channel_id = $1
		ORDER BY retired_at DESC, webhook_id LIMIT $2`, clean(channelID), store.MaxPastWebhooks)
	if err != nil {
		return nil, wrap("past webhooks", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap("past webhooks", err)
}

// AddThreadStart records a thread to start later; a delivery has at most
// one, and adding it again keeps the first.
func (s *Store) AddThreadStart(ctx context.Context, t store.ThreadStart) error {
	now := s.now()
	if t.RetryAt.IsZero() {
		t.RetryAt = now
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO thread_starts (delivery_id, channel_id, message_id, name, attempts, retry_at, error, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id) DO NOTHING`,
		t.DeliveryID, clean(t.ChannelID), clean(t.MessageID), clean(t.Name), t.Attempts, t.RetryAt.UTC(), clean(t.Error), now)
	return wrap("add thread start", err)
}

// DueThreadStarts returns the thread starts due at now, earliest first.
func (s *Store) DueThreadStarts(ctx context.Context, now time.Time, limit int) ([]store.ThreadStart, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT delivery_id, channel_id, message_id, name, attempts, retry_at, error, created_at
		FROM thread_starts WHERE retry_at <= $1 ORDER BY retry_at, delivery_id LIMIT $2`, now.UTC(), lim)
	if err != nil {
		return nil, wrap("due thread starts", err)
	}
	defer rows.Close()
	out := []store.ThreadStart{}
	for rows.Next() {
		var t store.ThreadStart
		if err := rows.Scan(&t.DeliveryID, &t.ChannelID, &t.MessageID, &t.Name, &t.Attempts, &t.RetryAt, &t.Error, &t.CreatedAt); err != nil {
			return nil, wrap("due thread starts", err)
		}
		t.RetryAt, t.CreatedAt = t.RetryAt.UTC(), t.CreatedAt.UTC()
		out = append(out, t)
	}
	return out, wrap("due thread starts", rows.Err())
}

// RetryThreadStart counts a failed attempt and sets the next one.
func (s *Store) RetryThreadStart(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error {
	return s.execOne(ctx, "retry thread start",
		`UPDATE thread_starts SET attempts = attempts + 1, retry_at = $2, error = $3 WHERE delivery_id = $1`,
		deliveryID, retryAt.UTC(), clean(reason))
}

// FinishThreadStart deletes a thread start; one already gone (finished by
// another process: starts are idempotent) is no error.
func (s *Store) FinishThreadStart(ctx context.Context, deliveryID int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM thread_starts WHERE delivery_id = $1`, deliveryID)
	return wrap("finish thread start", err)
}
