-- Posting targets (issue 11): channel webhooks and thread starts.

-- The webhook the bot created in a channel and posts through for the
-- subscriptions with a webhook rule: one per channel. token is a secret.
CREATE TABLE webhooks (
    channel_id text        PRIMARY KEY,
    webhook_id text        NOT NULL,
    token      text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- Threads still to be started on posted messages (a start that failed for
-- now), retried without posting the article again; one per delivery.
CREATE TABLE thread_starts (
    delivery_id bigint      PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    channel_id  text        NOT NULL,
    message_id  text        NOT NULL,
    name        text        NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0,
    retry_at    timestamptz NOT NULL,
    error       text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);
CREATE INDEX thread_starts_retry_at_idx ON thread_starts (retry_at);
