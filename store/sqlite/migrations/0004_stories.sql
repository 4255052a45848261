-- Stories: one post per story per channel, edited as outlets join.

-- The story an article belongs to: the key ("feed/identity") of the story's
-- first article; an article that starts a story has its own key.
ALTER TABLE articles ADD COLUMN story TEXT NOT NULL DEFAULT '';
-- A digest of the item's headline and text as the feed gave them, so a
-- changed article is noticed without summarizing it again.
ALTER TABLE articles ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_story ON articles (story) WHERE story <> '';

-- What a delivery does: post a message, or edit the one it posted (the
-- article changed).
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'edit'));

-- Per channel, the message that shows a story, and the article it was
-- posted for.
CREATE TABLE story_posts (
	channel_id TEXT    NOT NULL,
	story      TEXT    NOT NULL,
	message_id TEXT    NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (channel_id, story)
) WITHOUT ROWID;
CREATE INDEX story_posts_created_at ON story_posts (created_at);

-- Grouping is on unless a server turns it off.
ALTER TABLE guild_settings ADD COLUMN stories INTEGER NOT NULL DEFAULT 1;
