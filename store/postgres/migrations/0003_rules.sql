-- Per-subscription rules (issue 11): filters, mentions, look, daily limit.

-- The rules as one JSON document (store.Rules): always read and written
-- whole, so a later rule needs no migration. '{}' is no rules.
ALTER TABLE subscriptions
    ADD COLUMN rules jsonb NOT NULL DEFAULT '{}',
    -- Items the rules kept from posting, shown in /feed list: refused by
    -- the filter, or over the daily limit.
    ADD COLUMN dropped_filtered integer NOT NULL DEFAULT 0,
    ADD COLUMN dropped_daily integer NOT NULL DEFAULT 0;
