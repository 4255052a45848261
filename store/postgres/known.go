package postgres

import (
	"context"
	"fmt"
)

// knownSQL finds which of $2 the feed $1 has as an identity or a non-empty
// link key, among its articles and its pruned ones (their items may still
// be in the feed, and RecordPoll would not take them for new either).
const knownSQL = `
SELECT identity FROM articles WHERE feed_id = $1 AND identity = ANY($2)
UNION SELECT link_key FROM articles WHERE feed_id = $1 AND link_key <> '' AND link_key = ANY($2)
UNION SELECT identity FROM pruned_articles WHERE feed_id = $1 AND identity = ANY($2)
UNION SELECT link_key FROM pruned_articles WHERE feed_id = $1 AND link_key <> '' AND link_key = ANY($2)`

// KnownArticles reports which keys (identities or link keys) the feed
// already has, so the poller fetches full text for new items only. Keys are
// one array parameter, so any number fits in one query.
func (s *Store) KnownArticles(ctx context.Context, feedID int64, keys []string) (map[string]bool, error) {
	known := make(map[string]bool)
	if len(keys) == 0 {
		return known, nil
	}
	// Keys are stored cleaned (see clean); ask for the cleaned form and
	// answer with the caller's.
	asked := make(map[string][]string, len(keys))
	cleaned := make([]string, 0, len(keys))
	for _, k := range keys {
		c := clean(k)
		if _, dup := asked[c]; !dup {
			cleaned = append(cleaned, c)
		}
		asked[c] = append(asked[c], k)
	}
	rows, err := s.pool.Query(ctx, knownSQL, feedID, cleaned)
	if err != nil {
		return nil, fmt.Errorf("postgres: known articles of feed %d: %w", feedID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("postgres: known articles of feed %d: %w", feedID, err)
		}
		for _, orig := range asked[k] {
			known[orig] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: known articles of feed %d: %w", feedID, err)
	}
	return known, nil
}
