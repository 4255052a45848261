package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// knownChunk keeps each query under SQLite's bound-parameter limit.
const knownChunk = 200

// KnownArticles reports which keys the feed already has as an identity or a
// link key.
func (s *Store) KnownArticles(ctx context.Context, feedID int64, keys []string) (map[string]bool, error) {
	known := make(map[string]bool)
	for len(keys) > 0 {
		n := min(len(keys), knownChunk)
		if err := s.known(ctx, feedID, keys[:n], known); err != nil {
			return nil, fmt.Errorf("sqlite: known articles of feed %d: %w", feedID, err)
		}
		keys = keys[n:]
	}
	return known, nil
}

func (s *Store) known(ctx context.Context, feedID int64, keys []string, into map[string]bool) error {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")
	// The feed id and the keys, once for each of the four SELECTs (identity
	// and link key, in articles and in pruned_articles).
	one := make([]any, 0, len(keys)+1)
	one = append(one, feedID)
	for _, k := range keys {
		one = append(one, k)
	}
	args := make([]any, 0, 4*len(one))
	for range 4 {
		args = append(args, one...)
	}
	// Pruned articles count as known: their items may still be in the feed.
	q := `SELECT identity FROM %[1]s WHERE feed_id = ? AND identity IN (%[2]s)
		UNION SELECT link_key FROM %[1]s WHERE feed_id = ? AND link_key <> '' AND link_key IN (%[2]s)`
	rows, err := s.db.QueryContext(ctx,
		fmt.Sprintf(q, "articles", marks)+" UNION "+fmt.Sprintf(q, "pruned_articles", marks), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		into[k] = true
	}
	return rows.Err()
}
