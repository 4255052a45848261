package postgres

import (
	"context"
	"fmt"
)

// KnownArticles reports which keys the feed already has as an identity or a
// link key.
func (s *Store) KnownArticles(ctx context.Context, feedID int64, keys []string) (map[string]bool, error) {
	known := make(map[string]bool)
	if len(keys) == 0 {
		return known, nil
	}
	rows, err := s.pool.Query(ctx,
		`SELECT identity FROM articles WHERE feed_id = $1 AND identity = ANY($2)
		 UNION SELECT link_key FROM articles WHERE feed_id = $1 AND link_key <> '' AND link_key = ANY($2)`, feedID, keys)
	if err != nil {
		return nil, fmt.Errorf("postgres: known articles of feed %d: %w", feedID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("postgres: known articles of feed %d: %w", feedID, err)
		}
		known[k] = true
	}
	return known, rows.Err()
}
