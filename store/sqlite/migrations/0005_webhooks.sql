-- Posting targets (issue 11): channel webhooks and thread starts.

-- The webhook the bot created in a channel and posts through for the
-- subscriptions with a webhook rule: one per channel. token is a secret.
CREATE TABLE webhooks (
	channel_id TEXT    PRIMARY KEY,
	webhook_id TEXT    NOT NULL,
	token      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Threads still to be started on posted messages (a start that failed for
-- now), retried without posting the article again; one per delivery.
CREATE TABLE thread_starts (
	delivery_id INTEGER PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
	channel_id  TEXT    NOT NULL,
	message_id  TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	retry_at    INTEGER NOT NULL,
	error       TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);
CREATE INDEX thread_starts_retry_at ON thread_starts (retry_at);
