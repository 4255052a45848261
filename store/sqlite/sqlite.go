// Package sqlite is the SQLite implementation of store.Store, on the pure-Go
// driver modernc.org/sqlite.
//
// The database runs in WAL mode with a busy timeout and foreign keys on (set
// through the DSN, so every pooled connection gets them). Readers never
// block; writes go through one transaction at a time: a semaphore serializes
// them inside the process and every transaction starts with BEGIN IMMEDIATE,
// so a second process on the same file waits (busy_timeout) instead of
// failing with SQLITE_BUSY half-way through a transaction.
//
// Times are stored as INTEGER microseconds since the Unix epoch and come back
// in UTC. Migrations are the embedded migrations/*.sql files, applied in
// order at Open and recorded in schema_migrations.
//
// A feed whose last subscription is removed stays in the database with its
// articles: it is no longer polled (ClaimDueFeeds only returns feeds with an
// active subscription), its articles age out through PruneArticles, and a
// later subscription to the same URL finds its history, so nothing already
// seen is posted again.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"newsbot/store"
)

// Store is a store.Store on one SQLite database.
type Store struct {
	// Now is the clock used for created_at stamps and search recency.
	// Tests replace it; it defaults to time.Now.
	Now func() time.Time

	db *sql.DB
	// writer serializes write transactions within the process (one slot).
	writer chan struct{}
	// hookAfterArticle, when set, runs inside RecordPoll's transaction after
	// each new article is inserted (crash tests).
	hookAfterArticle func()
}

var _ store.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pragmas are set on every connection of the pool.
const pragmas = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_txlock=immediate"

// Open opens (creating if needed) the database at dsn and migrates it. dsn
// is a file path, ":memory:", or a "file:" URI (whose own parameters are
// kept), with or without the "sqlite:" prefix DATABASE_URL gives it.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn = strings.TrimPrefix(dsn, "sqlite:")
	if dsn == "" {
		return nil, errors.New("sqlite: empty database name")
	}
	full := dsn
	if strings.Contains(full, "?") {
		full += "&" + pragmas
	} else {
		full += "?" + pragmas
	}
	db, err := sql.Open("sqlite", full)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	s := &Store{Now: time.Now, db: db, writer: make(chan struct{}, 1)}

	// An in-memory (or temporary) database is private to its connection:
	// keep exactly one, forever.
	var file string
	if err := db.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	if file == "" {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}

	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetNow replaces the clock (storetest.Clocked).
func (s *Store) SetNow(now func() time.Time) { s.Now = now }

// migrations lists the embedded migrations in version order.
func migrations() ([]store.Migration, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	ms, err := store.ReadMigrations(sub)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// migrate applies the migrations the database has not seen, each in its own
// transaction together with its schema_migrations row.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var current int
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
				return err
			}
			if current > known {
				return fmt.Errorf("%w: database is at version %d, this binary knows up to %d", store.ErrSchemaTooNew, current, known)
			}
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, s.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	// A database newer than every migration we have (including none).
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if current > known {
		return fmt.Errorf("sqlite: migrate: %w: database is at version %d, this binary knows up to %d", store.ErrSchemaTooNew, current, known)
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// write runs fn in a write transaction (BEGIN IMMEDIATE), one at a time.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writer }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// notFound turns sql.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// wrap prefixes errors with the package and operation, keeping them
// comparable with errors.Is.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: %s: %w", op, notFound(err))
}

// ts converts a time for storage: microseconds, NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromTS converts a stored time back.
func fromTS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}
