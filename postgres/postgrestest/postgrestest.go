// Package postgrestest gives tests a PostgreSQL database of their own on
// the server named by HEARTH_TEST_POSTGRES, which ./scripts/test starts.
// It is for tests only, of package postgres and of the commands that run
// hearth on PostgreSQL end to end.
package postgrestest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// ServerEnv names the environment variable holding the test server's URL.
const ServerEnv = "HEARTH_TEST_POSTGRES"

// ServerURL returns the test server's URL, failing the test when none is
// given: a store test that silently skipped would prove nothing.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(ServerEnv)
	if u == "" {
		tb.Fatalf("%s is not set: run ./scripts/test, which starts a throwaway PostgreSQL server (or ./scripts/with-postgres go test ./postgres/...)", ServerEnv)
	}
	return u
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// adminDB returns a connection pool to the test server, shared by the tests
// of one binary, for making and dropping schemas.
func adminDB(tb testing.TB) *sql.DB {
	tb.Helper()
	u := ServerURL(tb)
	adminOnce.Do(func() {
		if admin, adminErr = sql.Open("pgx", u); adminErr == nil {
			adminErr = admin.Ping()
		}
	})
	if adminErr != nil {
		tb.Fatalf("connect to the server in %s: %v", ServerEnv, adminErr)
	}
	return admin
}

// NewURL makes an empty schema on the test server, dropped when the test
// ends, and returns a URL whose search_path points at it: each test gets a
// database of its own for the price of a CREATE SCHEMA.
func NewURL(tb testing.TB) string {
	tb.Helper()
	db := adminDB(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(ServerURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// QueryRow runs one query returning one row directly on the database at u,
// bypassing hearth, to check what is really stored.
func QueryRow(tb testing.TB, u, query string, dest ...any) {
	tb.Helper()
	conn, err := sql.Open("pgx", u)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(query).Scan(dest...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
