-- Round 2 hardening: the outbox's in-flight marker, ranked sentences, flood
-- counts, per-subscription baselines and a bounded pruned_articles.

-- When a post began and was never settled (NULL: none): a later claimer
-- looks for the message before posting again.
ALTER TABLE deliveries ADD COLUMN attempted_at INTEGER;
-- Posts in the rate window are counted per subscription.
CREATE INDEX deliveries_posted_subscription ON deliveries (subscription_id, posted_at) WHERE state = 'posted';

-- JSON array of {"i": position, "t": sentence}, best first.
ALTER TABLE articles ADD COLUMN ranked TEXT NOT NULL DEFAULT '[]';

-- Items recorded as seen without a post because the feed flooded.
ALTER TABLE feeds ADD COLUMN skipped_items INTEGER NOT NULL DEFAULT 0;

-- The items a feed listed when a subscription was made and that the store
-- did not know yet: the poller summarizes and delivers them to the feed's
-- other subscriptions, never to this one.
CREATE TABLE subscription_baseline (
	subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	identity        TEXT    NOT NULL,
	link_key        TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (subscription_id, identity)
) WITHOUT ROWID;
CREATE INDEX subscription_baseline_link_key ON subscription_baseline (subscription_id, link_key) WHERE link_key <> '';
CREATE INDEX subscription_baseline_created_at ON subscription_baseline (created_at);

-- When a pruned identity was last listed by its feed: one the feed no longer
-- lists is forgotten after the retention period.
ALTER TABLE pruned_articles ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE pruned_articles SET seen_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
CREATE INDEX pruned_articles_seen_at ON pruned_articles (seen_at);
