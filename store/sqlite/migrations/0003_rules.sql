-- Per-subscription rules (issue 11): filters, mentions, look, daily limit.

-- The rules as one JSON document (store.Rules): always read and written
-- whole, so a later rule needs no migration. '{}' is no rules.
ALTER TABLE subscriptions ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
-- Items the rules kept from posting, shown in /feed list: refused by the
-- filter, or over the daily limit.
ALTER TABLE subscriptions ADD COLUMN dropped_filtered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN dropped_daily INTEGER NOT NULL DEFAULT 0;
