-- newsbot schema for PostgreSQL, version 1.
-- Times are timestamptz; optional times are NULL rather than a zero value.

-- newsbot_join joins a text array with spaces. array_to_string is only STABLE
-- (it goes through the element type's output function), which a generated
-- column refuses; for text[] the result can never change, so this wrapper is
-- declared IMMUTABLE and is what the search column below uses.
CREATE FUNCTION newsbot_join(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$;

CREATE TABLE feeds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url             text        NOT NULL UNIQUE,
    title           text        NOT NULL DEFAULT '',
    site_url        text        NOT NULL DEFAULT '',
    etag            text        NOT NULL DEFAULT '',
    last_modified   text        NOT NULL DEFAULT '',
    next_poll_at    timestamptz NOT NULL,
    last_polled_at  timestamptz,
    last_success_at timestamptz,
    error_count     integer     NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    -- The poll lease: the process polling the feed and until when. A lease
    -- is live up to and including lease_until; after it, any process may
    -- take the feed.
    lease_owner     text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL
) WITH (fillfactor = 80);
-- Lease columns are deliberately not indexed, and the tables that are
-- claimed leave room on each page (fillfactor): taking or dropping a lease
-- is then a HOT update that touches no index.
CREATE INDEX feeds_next_poll_at_idx ON feeds (next_poll_at, id);

CREATE TABLE subscriptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id         text        NOT NULL,
    channel_id       text        NOT NULL,
    feed_id          bigint      NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    created_by       text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    paused           boolean     NOT NULL DEFAULT false,
    pause_reason     text        NOT NULL DEFAULT '',
    failing_notified boolean     NOT NULL DEFAULT false,
    UNIQUE (guild_id, channel_id, feed_id)
);
CREATE INDEX subscriptions_feed_id_idx ON subscriptions (feed_id);

CREATE TABLE articles (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id         bigint      NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    identity        text        NOT NULL,
    link_key        text        NOT NULL DEFAULT '',
    link            text        NOT NULL DEFAULT '',
    title           text        NOT NULL DEFAULT '',
    author          text        NOT NULL DEFAULT '',
    image_url       text        NOT NULL DEFAULT '',
    published       timestamptz, -- NULL when the feed gave no date
    summary         text[]      NOT NULL DEFAULT '{}',
    keywords        text[]      NOT NULL DEFAULT '{}',
    sentences_total integer     NOT NULL DEFAULT 0,
    words_before    integer     NOT NULL DEFAULT 0,
    words_after     integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    -- Full-text search document: title weighs most, then keywords, then the
    -- summary. The 'english' configuration stems ("elections" finds
    -- "election") and drops stop words.
    search          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, newsbot_join(keywords)), 'B') ||
        setweight(to_tsvector('english'::regconfig, newsbot_join(summary)), 'C')
    ) STORED,
    -- An item is the same article when its identity matches, or when its
    -- normalized link matches (a GUID that changes under the same link is
    -- not a new article). Both are unique, so INSERT ... ON CONFLICT DO
    -- NOTHING dedupes even between processes racing on the same feed.
    UNIQUE (feed_id, identity)
);
CREATE UNIQUE INDEX articles_feed_link_key_idx ON articles (feed_id, link_key) WHERE link_key <> '';
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_created_at_idx ON articles (created_at);

-- Identities of pruned articles, so that an item a feed still lists after
-- the retention period is not taken for a new one and posted again.
CREATE TABLE pruned_articles (
    feed_id  bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    identity text   NOT NULL,
    link_key text   NOT NULL DEFAULT '',
    PRIMARY KEY (feed_id, identity)
);
CREATE INDEX pruned_articles_feed_link_key_idx ON pruned_articles (feed_id, link_key) WHERE link_key <> '';

CREATE TABLE deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    article_id      bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'posted', 'failed')),
    message_id      text        NOT NULL DEFAULT '',
    error           text        NOT NULL DEFAULT '',
    attempts        integer     NOT NULL DEFAULT 0,
    -- A released delivery waits until retry_at.
    retry_at        timestamptz,
    -- The delivery claim: which process is posting it and until when.
    claim_owner     text,
    claim_until     timestamptz,
    posted_at       timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (subscription_id, article_id)
) WITH (fillfactor = 80);
-- The outbox's two ways in: all pending deliveries oldest first, and each
-- subscription's pending ones oldest first (the per-subscription cap).
CREATE INDEX deliveries_pending_idx ON deliveries (id) WHERE state = 'pending';
CREATE INDEX deliveries_pending_sub_idx ON deliveries (subscription_id, id) WHERE state = 'pending';
CREATE INDEX deliveries_article_id_idx ON deliveries (article_id);

CREATE TABLE guild_settings (
    guild_id   text    PRIMARY KEY,
    sentences  integer NOT NULL,
    format     text    NOT NULL,
    show_stats boolean NOT NULL
);
