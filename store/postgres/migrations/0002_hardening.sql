-- Round 2 hardening: the outbox's in-flight marker, ranked sentences, flood
-- counts, per-subscription baselines and a bounded pruned_articles.

-- When a post began and was never settled (NULL: none): a later claimer
-- looks for the message before posting again.
ALTER TABLE deliveries ADD COLUMN attempted_at timestamptz;
-- Posts in the rate window are counted per subscription.
CREATE INDEX deliveries_posted_sub_idx ON deliveries (subscription_id, posted_at) WHERE state = 'posted';

-- {"i": position, "t": sentence} objects, best first.
ALTER TABLE articles ADD COLUMN ranked jsonb NOT NULL DEFAULT '[]';

-- Items recorded as seen without a post because the feed flooded.
ALTER TABLE feeds ADD COLUMN skipped_items integer NOT NULL DEFAULT 0;

-- The items a feed listed when a subscription was made and that the store
-- did not know yet: the poller summarizes and delivers them to the feed's
-- other subscriptions, never to this one.
CREATE TABLE subscription_baseline (
    subscription_id bigint      NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    identity        text        NOT NULL,
    link_key        text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, identity)
);
CREATE INDEX subscription_baseline_link_key_idx ON subscription_baseline (subscription_id, link_key) WHERE link_key <> '';
CREATE INDEX subscription_baseline_created_at_idx ON subscription_baseline (created_at);

-- When a pruned identity was last listed by its feed: one the feed no longer
-- lists is forgotten after the retention period.
ALTER TABLE pruned_articles ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX pruned_articles_seen_at_idx ON pruned_articles (seen_at);
