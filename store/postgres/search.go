package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// searchSQL finds the guild's articles matching a full-text query.
//
// The query is untrusted user text, so it goes through websearch_to_tsquery,
// which accepts anything ("quoted phrases", or, -not) and never raises a
// syntax error. Only feeds the guild subscribes to are searched.
//
// Ranking: score = ts_rank(search, query) / (1 + age_days / 7), where
// age_days is how long before now ($3) the article was published (never
// negative). ts_rank weighs title (A) over keywords (B) over summary (C); the
// divisor halves an article's score when it is a week old and thirds it at
// two weeks, so a fresh, fair match beats an old, strong one, but relevance
// still counts among articles of similar age. Ties go to the newer article.
const searchSQL = `
WITH q AS (SELECT websearch_to_tsquery('english', $2) AS q)
SELECT ` + articleCols + `
FROM articles a, q
WHERE a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = $1)
  AND a.search @@ q.q
ORDER BY ts_rank(a.search, q.q)
         / (1 + greatest(extract(epoch FROM $3::timestamptz - a.published), 0) / 604800.0) DESC,
         a.published DESC, a.id DESC
LIMIT $4`

// latestSQL is the blank query: the guild's newest articles.
const latestSQL = `
SELECT ` + articleCols + `
FROM articles a
WHERE a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = $1)
ORDER BY a.published DESC, a.id DESC
LIMIT $2`

// SearchArticles returns up to limit of the guild's articles matching query,
// best first (see searchSQL for the ranking). A blank query returns the
// newest articles; a query of stop words alone matches nothing.
func (s *Store) SearchArticles(ctx context.Context, guildID, query string, limit int) ([]store.Article, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	var rows pgx.Rows
	var err error
	if strings.TrimSpace(query) == "" {
		rows, err = s.pool.Query(ctx, latestSQL, guildID, lim)
	} else {
		rows, err = s.pool.Query(ctx, searchSQL, guildID, query, s.now(), lim)
	}
	if err != nil {
		return nil, wrap("search articles", err)
	}
	arts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Article, error) {
		var a store.Article
		dest, done := articleDest(&a)
		if err := row.Scan(dest...); err != nil {
			return store.Article{}, err
		}
		done()
		return a, nil
	})
	if err != nil {
		return nil, wrap("search articles", err)
	}
	return arts, nil
}

// PruneArticles deletes the articles first seen before the given time, with
// their deliveries, except those still waiting to be delivered. It returns
// how many were deleted.
func (s *Store) PruneArticles(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM articles a
		WHERE a.created_at < $1
		  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = a.id AND d.state = 'pending')`,
		before.UTC())
	if err != nil {
		return 0, wrap("prune articles", err)
	}
	return int(tag.RowsAffected()), nil
}
