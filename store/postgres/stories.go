package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// ArticleFingerprints returns the fingerprints the feed's articles were
// stored with, by identity.
func (s *Store) ArticleFingerprints(ctx context.Context, feedID int64, identities []string) (map[string]string, error) {
	out := make(map[string]string, len(identities))
	if len(identities) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT identity, fingerprint FROM articles WHERE feed_id = $1 AND identity = ANY($2)`,
		feedID, cleanAll(identities))
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
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id, feed_id, identity, link_key, title, summary, published, story
		FROM articles WHERE created_at >= $1 ORDER BY id LIMIT $2`, since.UTC(), lim)
	if err != nil {
		return nil, wrap("recent articles", err)
	}
	arts, err := pgx.AppendRows(make([]store.Article, 0), rows, func(row pgx.CollectableRow) (store.Article, error) {
		var a store.Article
		var published *time.Time
		if err := row.Scan(&a.ID, &a.FeedID, &a.Identity, &a.LinkKey, &a.Title, &a.Summary, &published, &a.Story); err != nil {
			return store.Article{}, err
		}
		a.Published = timeOf(published)
		a.Summary = orNil(a.Summary)
		return a, nil
	})
	return arts, wrap("recent articles", err)
}

// StoryPost returns the channel's message for a story posted since the
// given time.
func (s *Store) StoryPost(ctx context.Context, channelID, story string, since time.Time) (store.StoryPost, error) {
	p := store.StoryPost{ChannelID: channelID, Story: story}
	err := s.pool.QueryRow(ctx, `SELECT message_id, article_id, created_at FROM story_posts
		WHERE channel_id = $1 AND story = $2 AND created_at >= $3`, channelID, story, since.UTC()).
		Scan(&p.MessageID, &p.ArticleID, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.StoryPost{}, store.ErrNotFound
	}
	if err != nil {
		return store.StoryPost{}, wrap("story post", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// StoryOutlets returns the first article of each feed posted in the channel
// for the story, oldest first.
func (s *Store) StoryOutlets(ctx context.Context, channelID, story string) ([]store.Outlet, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.feed_id, f.title, a.title, a.link
		FROM deliveries d
		JOIN subscriptions s ON s.id = d.subscription_id
		JOIN articles a ON a.id = d.article_id
		JOIN feeds f ON f.id = a.feed_id
		WHERE s.channel_id = $1 AND a.story = $2 AND d.state = 'posted'
		ORDER BY d.posted_at, d.id`, channelID, story)
	if err != nil {
		return nil, wrap("story outlets", err)
	}
	defer rows.Close()
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
// article among those feeds.
func (s *Store) TopStories(ctx context.Context, guildID string, since time.Time, limit int) ([]store.TopStory, error) {
	rows, err := s.pool.Query(ctx, `
		WITH top AS (
			SELECT min(a.id) AS id, count(DISTINCT a.feed_id) AS outlets, max(a.id) AS latest
			FROM articles a
			WHERE a.story <> '' AND a.created_at >= $1
			  AND a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = $2)
			GROUP BY a.story
			ORDER BY outlets DESC, latest DESC
			LIMIT $3
		)
		SELECT top.outlets, `+articleCols+` FROM top JOIN articles a ON a.id = top.id
		ORDER BY top.outlets DESC, top.latest DESC`, since.UTC(), guildID, limit)
	if err != nil {
		return nil, wrap("top stories", err)
	}
	top, err := pgx.AppendRows(make([]store.TopStory, 0), rows, func(row pgx.CollectableRow) (store.TopStory, error) {
		var t store.TopStory
		dest, done := articleDest(&t.Article)
		if err := row.Scan(append([]any{&t.Outlets}, dest...)...); err != nil {
			return store.TopStory{}, err
		}
		done()
		return t, nil
	})
	return top, wrap("top stories", err)
}

// MarkStoryPosted is MarkPosted that also makes the message the one showing
// the article's story in its channel, in the same transaction.
func (s *Store) MarkStoryPosted(ctx context.Context, deliveryID int64, messageID string, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	return wrap("mark story posted", s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, markPostedSQL, deliveryID, messageID, at.UTC())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO story_posts (channel_id, story, message_id, article_id, created_at)
			SELECT s.channel_id, a.story, $2, a.id, $3
			FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id JOIN articles a ON a.id = d.article_id
			WHERE d.id = $1 AND a.story <> ''
			ON CONFLICT (channel_id, story) DO UPDATE SET
				article_id = excluded.article_id,
				created_at = CASE WHEN story_posts.message_id = excluded.message_id
					THEN story_posts.created_at ELSE excluded.created_at END,
				message_id = excluded.message_id`, deliveryID, messageID, at.UTC())
		return err
	}))
}

// queueUpdates queues the changed articles' new content and turns each
// posted delivery of them back into a pending edit of its message; and the
// new fingerprints of trivially changed ones.
func queueUpdates(b *pgx.Batch, feedID int64, arts []store.Article, fps map[string]string) int {
	n := 0
	for _, a := range arts {
		ranked := a.Ranked
		if ranked == nil {
			ranked = []store.RankedSentence{}
		}
		b.Queue(`
			WITH a AS (
				UPDATE articles SET title = $3, author = $4, image_url = $5, summary = $6, ranked = $7,
					keywords = $8, sentences_total = $9, words_before = $10, words_after = $11, fingerprint = $12
				WHERE feed_id = $1 AND identity = $2
				RETURNING id
			)
			UPDATE deliveries d SET state = 'pending', kind = 'edit', attempts = 0, retry_at = NULL, error = '',
				claim_owner = NULL, claim_until = NULL
			FROM a WHERE d.article_id = a.id AND d.state = 'posted' AND d.message_id <> ''`,
			feedID, clean(a.Identity), clean(a.Title), clean(a.Author), clean(a.ImageURL), cleanAll(a.Summary),
			cleanRanked(ranked), cleanAll(a.Keywords), a.SentencesTotal, a.WordsBefore, a.WordsAfter, clean(a.Fingerprint))
		n++
	}
	for identity, fp := range fps {
		b.Queue(`UPDATE articles SET fingerprint = $3 WHERE feed_id = $1 AND identity = $2`, feedID, clean(identity), clean(fp))
		n++
	}
	return n
}
