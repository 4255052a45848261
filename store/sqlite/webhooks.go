package sqlite

import (
	"context"
	"database/sql"
	"time"

	"newsbot/store"
)

// ChannelWebhook returns the webhook the bot posts through in a channel.
func (s *Store) ChannelWebhook(ctx context.Context, channelID string) (store.Webhook, error) {
	w := store.Webhook{ChannelID: channelID}
	var created sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT webhook_id, token, created_at FROM webhooks WHERE channel_id = ?`, channelID).
		Scan(&w.ID, &w.Token, &created)
	if err != nil {
		return store.Webhook{}, wrap("channel webhook", err)
	}
	w.CreatedAt = fromTS(created)
	return w, nil
}

// SaveWebhook records a channel's webhook, replacing the one it had, which
// is kept among the channel's past webhooks.
func (s *Store) SaveWebhook(ctx context.Context, w store.Webhook) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now()
	}
	return wrap("save webhook", s.write(ctx, func(tx *sql.Tx) error {
		if err := retireWebhook(ctx, tx, w.ChannelID, "webhook_id <> ?", w.ID, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (channel_id, webhook_id, token, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET webhook_id = excluded.webhook_id, token = excluded.token, created_at = excluded.created_at`,
			w.ChannelID, w.ID, w.Token, ts(w.CreatedAt))
		return err
	}))
}

// ForgetWebhook deletes a channel's webhook if it is still webhookID, and
// keeps it among the channel's past webhooks.
func (s *Store) ForgetWebhook(ctx context.Context, channelID, webhookID string) error {
	return wrap("forget webhook", s.write(ctx, func(tx *sql.Tx) error {
		if err := retireWebhook(ctx, tx, channelID, "webhook_id = ?", webhookID, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE channel_id = ? AND webhook_id = ?`, channelID, webhookID)
		return err
	}))
}

// retireWebhook copies the channel's webhook, if it matches cond, to its
// past webhooks.
func retireWebhook(ctx context.Context, tx *sql.Tx, channelID, cond, webhookID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO past_webhooks (channel_id, webhook_id, retired_at)
		SELECT channel_id, webhook_id, ? FROM webhooks WHERE channel_id = ? AND `+cond+`
		ON CONFLICT DO NOTHING`, ts(at), channelID, webhookID)
	return err
}

// PastWebhooks returns the ids of the webhooks the bot held in a channel
// before its current one, newest first (at most store.MaxPastWebhooks).
func (s *Store) PastWebhooks(ctx context.Context, channelID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT webhook_id FROM past_webhooks WHERE channel_id = ?
		ORDER BY retired_at DESC, webhook_id LIMIT ?`, channelID, store.MaxPastWebhooks)
	if err != nil {
		return nil, wrap("past webhooks", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("past webhooks", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("past webhooks", rows.Err())
}

// AddThreadStart records a thread to start later; a delivery has at most
// one, and adding it again keeps the first.
func (s *Store) AddThreadStart(ctx context.Context, t store.ThreadStart) error {
	now := s.now()
	if t.RetryAt.IsZero() {
		t.RetryAt = now
	}
	return wrap("add thread start", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO thread_starts (delivery_id, channel_id, message_id, name, attempts, retry_at, error, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
			t.DeliveryID, t.ChannelID, t.MessageID, t.Name, t.Attempts, ts(t.RetryAt), t.Error, ts(now))
		return err
	}))
}

// DueThreadStarts returns the thread starts due at now, earliest first.
func (s *Store) DueThreadStarts(ctx context.Context, now time.Time, limit int) ([]store.ThreadStart, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT delivery_id, channel_id, message_id, name, attempts, retry_at, error, created_at
		FROM thread_starts WHERE retry_at <= ? ORDER BY retry_at, delivery_id LIMIT ?`, ts(now), limit)
	if err != nil {
		return nil, wrap("due thread starts", err)
	}
	defer rows.Close()
	out := []store.ThreadStart{}
	for rows.Next() {
		var t store.ThreadStart
		var retry, created sql.NullInt64
		if err := rows.Scan(&t.DeliveryID, &t.ChannelID, &t.MessageID, &t.Name, &t.Attempts, &retry, &t.Error, &created); err != nil {
			return nil, wrap("due thread starts", err)
		}
		t.RetryAt, t.CreatedAt = fromTS(retry), fromTS(created)
		out = append(out, t)
	}
	return out, wrap("due thread starts", rows.Err())
}

// RetryThreadStart counts a failed attempt and sets the next one.
func (s *Store) RetryThreadStart(ctx context.Context, deliveryID int64, retryAt time.Time, reason string) error {
	return wrap("retry thread start", s.updateOne(ctx,
		`UPDATE thread_starts SET attempts = attempts + 1, retry_at = ?, error = ? WHERE delivery_id = ?`,
		ts(retryAt), reason, deliveryID))
}

// FinishThreadStart deletes a thread start; one already gone (finished by
// another process: starts are idempotent) is no error.
func (s *Store) FinishThreadStart(ctx context.Context, deliveryID int64) error {
	return wrap("finish thread start", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM thread_starts WHERE delivery_id = ?`, deliveryID)
		return err
	}))
}
