-- Webhooks the bot held in a channel and lost (deleted by a moderator, or
-- replaced): a post they made whose record was lost must still be found
-- before the delivery is retried, or it would be posted twice.
CREATE TABLE past_webhooks (
	channel_id TEXT    NOT NULL,
	webhook_id TEXT    NOT NULL,
	retired_at INTEGER NOT NULL,
	PRIMARY KEY (channel_id, webhook_id)
) WITHOUT ROWID;
