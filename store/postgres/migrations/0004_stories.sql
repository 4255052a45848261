-- Stories: one post per story per channel, edited as outlets join.

-- The story an article belongs to: the key ("feed/identity") of the story's
-- first article; an article that starts a story has its own key.
ALTER TABLE articles ADD COLUMN story text NOT NULL DEFAULT '';
-- A digest of the item's headline and text as the feed gave them, so a
-- changed article is noticed without summarizing it again.
ALTER TABLE articles ADD COLUMN fingerprint text NOT NULL DEFAULT '';
CREATE INDEX articles_story_idx ON articles (story) WHERE story <> '';

-- What a delivery does: post a message, or edit the one it posted (the
-- article changed).
ALTER TABLE deliveries ADD COLUMN kind text NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'edit'));

-- Per channel, the message that shows a story, and the article it was
-- posted for.
CREATE TABLE story_posts (
    channel_id text        NOT NULL,
    story      text        NOT NULL,
    message_id text        NOT NULL,
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (channel_id, story)
);
CREATE INDEX story_posts_created_at_idx ON story_posts (created_at);

-- Grouping is on unless a server turns it off.
ALTER TABLE guild_settings ADD COLUMN stories boolean NOT NULL DEFAULT true;
