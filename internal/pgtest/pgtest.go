// Package pgtest gives tests a PostgreSQL database of their own.
//
// The tests run against the server named by NEWSBOT_TEST_POSTGRES_URL, and
// skip without it (saying how to enable them) unless NEWSBOT_REQUIRE_POSTGRES
// is set, as CI does: there a missing server is a failure, never a skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// SkipMessage says how to enable the PostgreSQL tests.
const SkipMessage = "PostgreSQL tests skipped: set NEWSBOT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/newsbot_test?sslmode=disable to run them (see README, \"Tests\")"

// URL returns the test server's URL, or skips (or fails, in CI) without one.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("NEWSBOT_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("NEWSBOT_REQUIRE_POSTGRES") != "" {
			tb.Fatal("NEWSBOT_REQUIRE_POSTGRES is set but NEWSBOT_TEST_POSTGRES_URL is not")
		}
		tb.Skip(SkipMessage)
	}
	return u
}

// Fresh creates an empty schema, dropped when the test ends, and returns a
// connection URL whose search_path points at it: each test gets a database
// of its own, and tests can run in parallel and again and again.
func Fresh(tb testing.TB) string {
	tb.Helper()
	base := URL(tb)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to NEWSBOT_TEST_POSTGRES_URL: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "newsbot_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse NEWSBOT_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
