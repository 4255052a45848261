package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"newsbot/store"
)

// ArticleFingerprints returns the fingerprints the feed's articles were
// stored with, by identity.
func (s *Store) ArticleFingerprints(ctx context.Context, feedID int64, identities []string) (map[string]string, error) {
	out := make(map[string]string, len(identities))
	if len(identities) == 0 {
		return out, nil
	}
	list, err := json.Marshal(identities)
	if err != nil {
		return nil, wrap("article fingerprints", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT identity, fingerprint FROM articles
		WHERE feed_id = ? AND identity IN (SELECT value FROM json_each(?))`, feedID, string(list))
	if err != nil {
		return nil, wrap("article fingerprints", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, fp string
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, wrap("article fingerprints", err)
		}
		out[id] = fp
	}
	return out, wrap("article fingerprints", rows.Err())
}

// RecentArticles returns articles recorded since the given time, oldest
// first, with what a story matcher reads: a window of them is loaded at
// start, so rankings, keywords and the rest stay in the database.
func (s *Store) RecentArticles(ctx context.Context, since time.Time, limit int) ([]store.Article, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, feed_id, identity, link_key, title, summary, published_at, story
		FROM articles WHERE created_at >= ? ORDER BY id LIMIT ?`, ts(since), limit)
	if err != nil {
		return nil, wrap("recent articles", err)
	}
	defer rows.Close()
	out := []store.Article{}
	for rows.Next() {
		var a store.Article
		var summary string
		var published sql.NullInt64
		if err := rows.Scan(&a.ID, &a.FeedID, &a.Identity, &a.LinkKey, &a.Title, &summary, &published, &a.Story); err != nil {
			return nil, wrap("recent articles", err)
		}
		if a.Summary, err = decodeList(summary); err != nil {
			return nil, wrap("recent articles", err)
		}
		a.Published = fromTS(published)
		out = append(out, a)
	}
	return out, wrap("recent articles", rows.Err())
}

// StoryPost returns the channel's message for a story posted since the
// given time.
func (s *Store) StoryPost(ctx context.Context, channelID, story string, since time.Time) (store.StoryPost, error) {
	p := store.StoryPost{ChannelID: channelID, Story: story}
	var created sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT message_id, article_id, created_at FROM story_posts
		WHERE channel_id = ? AND story = ? AND created_at >= ?`, channelID, story, ts(since)).
		Scan(&p.MessageID, &p.ArticleID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.StoryPost{}, store.ErrNotFound
	}
	if err != nil {
		return store.StoryPost{}, wrap("story post", err)
	}
	p.CreatedAt = fromTS(created)
	return p, nil
}

// StoryOutlets returns the first article of each feed posted in the channel
// for the story, oldest first.
func (s *Store) StoryOutlets(ctx context.Context, channelID, story string) ([]store.Outlet, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.feed_id, f.title, a.title, a.link
		FROM deliveries d
		JOIN subscriptions s ON s.id = d.subscription_id
		JOIN articles a ON a.id = d.article_id
		JOIN feeds f ON f.id = a.feed_id
		WHERE s.channel_id = ? AND a.story = ? AND d.state = 'posted'
		ORDER BY d.posted_at, d.id`, channelID, story)
	if err != nil {
		return nil, wrap("story outlets", err)
	}
	defer rows.Close()
	return scanOutlets(rows)
}

func scanOutlets(rows *sql.Rows) ([]store.Outlet, error) {
	out := []store.Outlet{}
	seen := map[int64]bool{}
	for rows.Next() {
		var o store.Outlet
		if err := rows.Scan(&o.ArticleID, &o.FeedID, &o.FeedTitle, &o.Title, &o.Link); err != nil {
			return nil, wrap("story outlets", err)
		}
		if !seen[o.FeedID] {
			seen[o.FeedID] = true
			out = append(out, o)
		}
	}
	return out, wrap("story outlets", rows.Err())
}

// TopStories returns the stories of the guild's feeds with articles since
// the given time, most outlets (distinct feeds) first, each with its first
// article among those feeds, in one query.
func (s *Store) TopStories(ctx context.Context, guildID string, since time.Time, limit int) ([]store.TopStory, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH top AS (
			SELECT min(a.id) AS id, count(DISTINCT a.feed_id) AS outlets, max(a.id) AS latest
			FROM articles a
			WHERE a.story <> '' AND a.created_at >= ?1
			  AND a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = ?2)
			GROUP BY a.story
			ORDER BY outlets DESC, latest DESC
			LIMIT ?3
		)
		SELECT top.outlets, `+articleCols+` FROM top JOIN articles a ON a.id = top.id
		ORDER BY top.outlets DESC, top.latest DESC`, ts(since), guildID, limit)
	if err != nil {
		return nil, wrap("top stories", err)
	}
	defer rows.Close()
	top := []store.TopStory{}
	for rows.Next() {
		var t store.TopStory
		var r articleRow
		if err := rows.Scan(append([]any{&t.Outlets}, r.dest()...)...); err != nil {
			return nil, wrap("top stories", err)
		}
		if t.Article, err = r.article(); err != nil {
			return nil, wrap("top stories", err)
		}
		top = append(top, t)
	}
	return top, wrap("top stories", rows.Err())
}

// updateArticles stores changed articles anew and turns each posted
// delivery of them back into pending edits of their messages.
func updateArticles(ctx context.Context, tx *sql.Tx, feedID int64, arts []store.Article) error {
	for _, a := range arts {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE articles SET title = ?, author = ?, image_url = ?, summary = ?, ranked = ?,
				keywords = ?, sentences_total = ?, words_before = ?, words_after = ?, fingerprint = ?
			WHERE feed_id = ? AND identity = ? RETURNING id`,
			a.Title, a.Author, a.ImageURL, encodeList(a.Summary), encodeRanked(a.Ranked), encodeList(a.Keywords),
			a.SentencesTotal, a.WordsBefore, a.WordsAfter, a.Fingerprint, feedID, a.Identity).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // pruned meanwhile
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', kind = 'edit', attempts = 0,
				retry_at = NULL, error = '', claim_owner = '', claim_until = NULL
			WHERE article_id = ? AND state = 'posted' AND message_id <> ''`, id); err != nil {
			return err
		}
	}
	return nil
}

// refingerprint records new fingerprints of articles whose change was not
// one of substance, so they are not summarized again on every poll.
func refingerprint(ctx context.Context, tx *sql.Tx, feedID int64, fps map[string]string) error {
	for identity, fp := range fps {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET fingerprint = ? WHERE feed_id = ? AND identity = ?`, fp, feedID, identity); err != nil {
			return err
		}
	}
	return nil
}

// recordStoryPost makes a posted delivery's message the one that shows its
// article's story in the channel (a new post, or the same message shown
// for a newer article of the same feed).
func recordStoryPost(ctx context.Context, tx *sql.Tx, deliveryID int64, messageID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO story_posts (channel_id, story, message_id, article_id, created_at)
		SELECT s.channel_id, a.story, ?1, a.id, ?2
		FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id JOIN articles a ON a.id = d.article_id
		WHERE d.id = ?3 AND a.story <> ''
		ON CONFLICT (channel_id, story) DO UPDATE SET
			article_id = excluded.article_id,
			created_at = CASE WHEN story_posts.message_id = excluded.message_id THEN story_posts.created_at ELSE excluded.created_at END,
			message_id = excluded.message_id`, messageID, ts(at), deliveryID)
	return err
}
