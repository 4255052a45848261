-- newsbot's first schema. Times are INTEGER microseconds since the Unix epoch
-- (UTC), NULL when unset; booleans are 0/1.

CREATE TABLE feeds (
	id              INTEGER PRIMARY KEY,
	url             TEXT    NOT NULL UNIQUE,
	title           TEXT    NOT NULL DEFAULT '',
	site_url        TEXT    NOT NULL DEFAULT '',
	etag            TEXT    NOT NULL DEFAULT '',
	last_modified   TEXT    NOT NULL DEFAULT '',
	next_poll_at    INTEGER NOT NULL,
	last_polled_at  INTEGER,
	last_success_at INTEGER,
	error_count     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	lease_owner     TEXT    NOT NULL DEFAULT '',
	lease_until     INTEGER,
	created_at      INTEGER NOT NULL
);
CREATE INDEX feeds_next_poll_at ON feeds (next_poll_at);

CREATE TABLE subscriptions (
	id               INTEGER PRIMARY KEY,
	guild_id         TEXT    NOT NULL,
	channel_id       TEXT    NOT NULL,
	feed_id          INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	created_by       TEXT    NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	paused           INTEGER NOT NULL DEFAULT 0,
	pause_reason     TEXT    NOT NULL DEFAULT '',
	failing_notified INTEGER NOT NULL DEFAULT 0,
	UNIQUE (guild_id, channel_id, feed_id)
);
CREATE INDEX subscriptions_feed_id ON subscriptions (feed_id);

CREATE TABLE articles (
	id              INTEGER PRIMARY KEY,
	feed_id         INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	identity        TEXT    NOT NULL,
	link_key        TEXT    NOT NULL DEFAULT '',
	link            TEXT    NOT NULL DEFAULT '',
	title           TEXT    NOT NULL DEFAULT '',
	author          TEXT    NOT NULL DEFAULT '',
	image_url       TEXT    NOT NULL DEFAULT '',
	published_at    INTEGER,
	summary         TEXT    NOT NULL DEFAULT '[]', -- JSON array of sentences
	keywords        TEXT    NOT NULL DEFAULT '[]', -- JSON array
	sentences_total INTEGER NOT NULL DEFAULT 0,
	words_before    INTEGER NOT NULL DEFAULT 0,
	words_after     INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	UNIQUE (feed_id, identity)
);
CREATE INDEX articles_feed_link_key ON articles (feed_id, link_key);
CREATE INDEX articles_created_at ON articles (created_at);

-- Identities of pruned articles, so that an item a feed still lists after
-- the retention period is not taken for a new one and posted again.
CREATE TABLE pruned_articles (
	feed_id   INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	identity  TEXT    NOT NULL,
	link_key  TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (feed_id, identity)
) WITHOUT ROWID;
CREATE INDEX pruned_articles_feed_link_key ON pruned_articles (feed_id, link_key);

CREATE TABLE guild_settings (
	guild_id   TEXT    PRIMARY KEY,
	sentences  INTEGER NOT NULL,
	format     TEXT    NOT NULL,
	show_stats INTEGER NOT NULL
);

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'posted', 'failed')),
	message_id      TEXT    NOT NULL DEFAULT '',
	error           TEXT    NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	retry_at        INTEGER,
	claim_owner     TEXT    NOT NULL DEFAULT '',
	claim_until     INTEGER,
	created_at      INTEGER NOT NULL,
	posted_at       INTEGER,
	UNIQUE (subscription_id, article_id)
);
CREATE INDEX deliveries_article_id ON deliveries (article_id);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
CREATE INDEX deliveries_pending_subscription ON deliveries (subscription_id, id) WHERE state = 'pending';

-- Full-text search over what a guild can ask /latest about. The index keeps
-- its own copy of the text (sentences and keywords joined by spaces, not JSON)
-- and is kept in sync by triggers, so every path that writes or deletes
-- articles, foreign-key cascades included, updates it.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
	title, summary, keywords,
	tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, title, summary, keywords) VALUES (
		new.id,
		new.title,
		(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.summary)),
		(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.keywords))
	);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	DELETE FROM articles_fts WHERE rowid = old.id;
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, keywords ON articles BEGIN
	DELETE FROM articles_fts WHERE rowid = old.id;
	INSERT INTO articles_fts (rowid, title, summary, keywords) VALUES (
		new.id,
		new.title,
		(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.summary)),
		(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.keywords))
	);
END;
