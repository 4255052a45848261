package postgres

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"newsbot/store"
)

// searchSQL finds the guild's articles matching a full-text query.
//
// The query is untrusted user text, so it goes through plainto_tsquery,
// which reads it as plain words (punctuation and operators are just
// separators), drops stop words, stems the rest ('english') and ANDs them: it
// never raises a syntax error. Only feeds the guild subscribes to are
// searched.
//
// Ranking, the same shape as the SQLite store's:
//
//	score = ts_rank(search, query) / (1 + age / 7 days)
//
// where ts_rank weighs a hit in the title (A) over the keywords (B) over the
// summary (C), and age is now ($3) minus the article's published time (its
// creation when unknown; never negative). A week-old article keeps half its
// relevance, so among equally relevant articles the newer comes first, while
// a much better match can still beat a newer, weaker one. Ties go to the
// newer article, then the higher id.
const searchSQL = `
WITH q AS (SELECT plainto_tsquery('english', $2) AS q)
SELECT ` + articleCols + `
FROM articles a, q
WHERE a.search @@ q.q
  AND a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = $1)
ORDER BY ts_rank(a.search, q.q)
         / (1 + greatest(extract(epoch FROM $3::timestamptz - coalesce(a.published, a.created_at)), 0)
                / 604800.0) DESC,
         coalesce(a.published, a.created_at) DESC, a.id DESC
LIMIT $4`

// defaultSearchLimit applies when the caller passes limit <= 0.
const defaultSearchLimit = 10

// SearchArticles returns up to limit of the guild's articles matching every
// word of query, best first (see searchSQL). A query without words (blank,
// punctuation, stop words only) matches nothing.
func (s *Store) SearchArticles(ctx context.Context, guildID, query string, limit int) ([]store.Article, error) {
	if !strings.ContainsFunc(query, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
		return []store.Article{}, nil
	}
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	rows, err := s.pool.Query(ctx, searchSQL, guildID, clean(query), s.now(), limit)
	if err != nil {
		return nil, wrap("search articles", err)
	}
	arts, err := pgx.AppendRows(make([]store.Article, 0), rows, func(row pgx.CollectableRow) (store.Article, error) {
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

// PruneArticles deletes the articles recorded before the given time, with
// their deliveries, and returns how many went. An article still waiting to be
// posted somewhere stays. Their identities are kept (pruned_articles) so that
// an item the feed still lists is not taken for a new one and posted again;
// those the feed stopped listing before the given time are forgotten, with
// old subscription baselines, so neither table grows for ever.
func (s *Store) PruneArticles(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Forget first, so identities pruned now are not forgotten at once
		// whatever the clock says.
		if _, err := tx.Exec(ctx, `DELETE FROM pruned_articles WHERE seen_at < $1`, before.UTC()); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			WITH gone AS (
				DELETE FROM articles a WHERE a.created_at < $1
				  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = a.id AND d.state = 'pending')
				RETURNING feed_id, identity, link_key
			), kept AS (
				INSERT INTO pruned_articles (feed_id, identity, link_key, seen_at)
				SELECT feed_id, identity, link_key, $2 FROM gone
				ON CONFLICT DO NOTHING
			)
			SELECT count(*) FROM gone`, before.UTC(), s.now()).Scan(&n)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM subscription_baseline WHERE created_at < $1`, before.UTC())
		return err
	})
	if err != nil {
		return 0, wrap("prune articles", err)
	}
	return n, nil
}
