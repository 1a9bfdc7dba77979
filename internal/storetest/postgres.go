package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/tandemhq/tandem/internal/scrum"
)

// PostgresDSN returns a connection string to a fresh, empty schema of the
// PostgreSQL database named by TANDEM_TEST_POSTGRES, dropped when the test
// ends. Without that variable the test is skipped locally and fails in CI
// (CI=true), so CI can never pass by skipping PostgreSQL.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TANDEM_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TANDEM_TEST_POSTGRES is not set; CI must run the PostgreSQL suite")
		}
		t.Skip("TANDEM_TEST_POSTGRES is not set; skipping the PostgreSQL suite")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	schema := "t_" + strings.ToLower(scrum.NewID())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema (is PostgreSQL at %s running?): %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TANDEM_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
