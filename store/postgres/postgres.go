// Package postgres is the PostgreSQL implementation of store.Store, for
// running several newsbot processes against one database.
//
// Work is shared through the database: feeds are leased for polling and
// deliveries are claimed for posting with SELECT ... FOR UPDATE SKIP LOCKED,
// each claim carrying an owner and an expiry, so any number of processes can
// take due work without two taking the same row, and the work of a process
// that dies is taken by the others once its leases expire.
//
// Articles are deduplicated by unique indexes (feed, identity) and (feed,
// non-empty link key) with INSERT ... ON CONFLICT DO NOTHING, deliveries by
// (subscription, article), and RecordPoll locks the feed row first, so the
// same items recorded by two processes at once still make each article and
// each delivery exactly once.
//
// # Operations
//
//   - Pool size: pool_max_conns in the URL (default DefaultMaxConns = 10).
//     Each process needs about one connection per concurrent poll worker and
//     deliverer plus a few; the sum over all processes must stay under the
//     server's max_connections (100 by default).
//   - Leases: the ClaimOptions.Lease of the callers. A lease must outlast the
//     work it covers (a slow feed fetch, a rate-limited post), or another
//     process takes the work while it is still being done; it bounds how
//     long a dead process's work waits. The expiry compares the callers'
//     clocks (ClaimOptions.Now), so processes on several machines need
//     synchronized clocks (NTP), with skew far below the lease.
//   - Times are stored as timestamptz at microsecond resolution.
//   - Behind PgBouncer in transaction mode, add
//     default_query_exec_mode=exec to the URL (no named prepared
//     statements); migrations take a transaction-level advisory lock, which
//     works there too.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"newsbot/store"
)

// DefaultMaxConns is the pool size when the URL has no pool_max_conns.
const DefaultMaxConns = 10

// defaultLease is the lease of a claim whose options give none.
const defaultLease = 5 * time.Minute

// Store is a store.Store backed by a PostgreSQL connection pool. It is safe
// for concurrent use, also by several processes sharing one database.
type Store struct {
	pool *pgxpool.Pool
	// Now is the clock for the times the store stamps itself (created_at and
	// the like, and claims whose options carry no time). Tests replace it.
	Now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user@host/db?...),
// applies the embedded migrations it has not seen yet and returns the store.
// The pool size comes from the URL's pool_max_conns (default
// DefaultMaxConns); other pgxpool parameters (pool_min_conns,
// pool_max_conn_lifetime, ...) and runtime parameters such as search_path
// are honoured too. A database migrated by a newer binary is refused with an
// error wrapping store.ErrSchemaTooNew.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	// The pool connects lazily; a first connection now makes an unreachable
	// server or a bad password a clear error at start.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", describe(cfg), err)
	}
	s := &Store{pool: pool, Now: time.Now}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// describe names the server and database of cfg, without the password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// SetNow replaces the clock (storetest.Clocked).
func (s *Store) SetNow(now func() time.Time) { s.Now = now }

// Pool returns the underlying pool, for health checks and metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// LeaseCounts reports how many feed leases and delivery claims owner holds
// right now (live ones only: a lease is live up to and including its end), for the ops metrics of one process.
func (s *Store) LeaseCounts(ctx context.Context, owner string) (feeds, deliveries int, err error) {
	now := s.now()
	err = s.pool.QueryRow(ctx, `
		SELECT
			(SELECT count(*) FROM feeds WHERE lease_owner = $1 AND lease_until >= $2),
			(SELECT count(*) FROM deliveries WHERE claim_owner = $1 AND claim_until >= $2 AND state = 'pending')`,
		owner, now).Scan(&feeds, &deliveries)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: lease counts: %w", err)
	}
	return feeds, deliveries, nil
}

// now is the store's clock in UTC, at the microsecond resolution that
// timestamptz keeps, so what is written reads back equal.
func (s *Store) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// wrap turns a driver error into the store's: no rows becomes
// store.ErrNotFound; the operation name prefixes the message.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, store.ErrNotFound)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return fmt.Errorf("postgres: %s: %w (%s)", op, store.ErrConflict, pgErr.ConstraintName)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// nullTime is t for a timestamptz parameter, or NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf reads back a nullable timestamptz: zero for NULL, UTC otherwise.
func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// clean makes text from the wild storable: PostgreSQL text holds neither
// NUL bytes nor invalid UTF-8 (SQLite takes both), and a feed that carries
// them must not fail every poll.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cleanAll is clean over a list, never nil (for NOT NULL text[] columns).
func cleanAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = clean(s)
	}
	return out
}

// orNil makes empty slices nil, so what was stored as nil reads back nil.
func orNil(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}
