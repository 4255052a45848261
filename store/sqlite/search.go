package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsbot/store"
)

// Search ranking. bm25 weighs a hit in the title 4 times and a keyword 2
// times a hit in the summary; SQLite's bm25 is negative, lower is better.
// Recency divides it by 1 + age/searchHalfLife, age being now minus the
// article's published time (its creation when unknown, 0 if in the future):
//
//	score = bm25(title×4, summary×1, keywords×2) / (1 + age / 7 days)
//
// so a week-old article keeps half its relevance and, among articles equally
// relevant, the newer one comes first. Ties go to the newer id.
const (
	searchWeights  = `4.0, 1.0, 2.0`
	searchHalfLife = 7 * 24 * time.Hour
	// maxSearchTerms bounds the FTS query built from user text.
	maxSearchTerms = 16
	// defaultSearchLimit applies when the caller passes limit <= 0.
	defaultSearchLimit = 10
)

// SearchArticles finds the articles of the guild's feeds matching every word
// of query, best first.
func (s *Store) SearchArticles(ctx context.Context, guildID, query string, limit int) ([]store.Article, error) {
	match := ftsQuery(query)
	if match == "" {
		return []store.Article{}, nil
	}
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+articleCols+`
		FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		WHERE articles_fts MATCH ?1
		  AND a.feed_id IN (SELECT feed_id FROM subscriptions WHERE guild_id = ?2)
		ORDER BY bm25(articles_fts, `+searchWeights+`)
		           / (1.0 + max(0, ?3 - coalesce(a.published_at, a.created_at)) / ?4),
		         coalesce(a.published_at, a.created_at) DESC, a.id DESC
		LIMIT ?5`,
		match, guildID, s.now().UnixMicro(), float64(searchHalfLife.Microseconds()), limit)
	if err != nil {
		return nil, wrap("search articles", err)
	}
	defer rows.Close()
	out := []store.Article{}
	for rows.Next() {
		var r articleRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, wrap("search articles", err)
		}
		a, err := r.article()
		if err != nil {
			return nil, wrap("search articles", err)
		}
		out = append(out, a)
	}
	return out, wrap("search articles", rows.Err())
}

// ftsQuery turns untrusted text into an FTS5 query that cannot be a syntax
// error: every whitespace-separated word becomes a quoted phrase (quotes
// doubled inside), so operators (OR, NOT, NEAR), column filters, '*', '^',
// '-' and parentheses are just text; control characters are blanks; words with no letter or digit, which
// would make empty phrases, are dropped. The phrases are ANDed.
func ftsQuery(q string) string {
	// NUL would cut the query short inside SQLite; no control character or
	// invalid UTF-8 belongs in a search anyway.
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, q)
	var terms []string
	for _, w := range strings.Fields(q) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
		if len(terms) == maxSearchTerms {
			break
		}
	}
	return strings.Join(terms, " ")
}

// PruneArticles deletes the articles recorded before the given time, with
// their deliveries and search entries, and returns how many went. An article
// still waiting to be posted somewhere stays. The identities of pruned
// articles are kept (pruned_articles) so that an item the feed still lists
// is not taken for a new one; those the feed stopped listing before the
// given time are forgotten, with old subscription baselines, so neither
// table grows for ever.
func (s *Store) PruneArticles(ctx context.Context, before time.Time) (int, error) {
	var n int64
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Forget first, so identities pruned now are not forgotten at once
		// whatever the clock says.
		if _, err := tx.ExecContext(ctx, `DELETE FROM pruned_articles WHERE seen_at < ?`, ts(before)); err != nil {
			return err
		}
		const old = `SELECT id FROM articles a WHERE a.created_at < ?1
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = a.id AND d.state = 'pending')`
		_, err := tx.ExecContext(ctx, `INSERT INTO pruned_articles (feed_id, identity, link_key, seen_at)
			SELECT feed_id, identity, link_key, ?2 FROM articles WHERE id IN (`+old+`)
			ON CONFLICT DO NOTHING`, ts(before), ts(now))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id IN (`+old+`)`, ts(before))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM subscription_baseline WHERE created_at < ?`, ts(before))
		return err
	})
	if err != nil {
		return 0, wrap("prune articles", err)
	}
	return int(n), nil
}
