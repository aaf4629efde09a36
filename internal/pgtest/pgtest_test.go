package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

func TestDSNHelpers(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, password string
	}{
		{"url", "postgres://u:p%40ss@127.0.0.1:5432/db?sslmode=disable", "p@ss"},
		{"url password param", "postgresql://u@127.0.0.1/db?password=pw", "pw"},
		{"keyword", `host=127.0.0.1 user=u password='it\'s a\\b' dbname=db`, `it's a\b`},
		{"keyword plain", "host=127.0.0.1 password=pw dbname=db", "pw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Password(tc.dsn); got != tc.password {
				t.Errorf("Password = %q, want %q", got, tc.password)
			}
			cfg, err := pgconn.ParseConfig(WithHostPort(WithParam(tc.dsn, "search_path", "it's here"), "10.1.2.3", 6543))
			if err != nil {
				t.Fatalf("parse the rewritten DSN: %v", err)
			}
			if cfg.Host != "10.1.2.3" || cfg.Port != 6543 {
				t.Errorf("host:port = %s:%d, want 10.1.2.3:6543", cfg.Host, cfg.Port)
			}
			if got := cfg.RuntimeParams["search_path"]; got != "it's here" {
				t.Errorf("search_path = %q", got)
			}
		})
	}
}

// Each DSN is a schema of its own, and goes away with its test.
func TestDSNIsolated(t *testing.T) {
	ctx := context.Background()
	connect := func(t *testing.T, dsn string) *pgx.Conn {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	var first string
	t.Run("first", func(t *testing.T) {
		first = DSN(t)
		if _, err := connect(t, first).Exec(ctx, `CREATE TABLE marker (x int)`); err != nil {
			t.Fatal(err)
		}
	})
	second := connect(t, DSN(t))
	var n int
	if err := second.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'marker'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a table of a finished test's schema is still there (%d)", n)
	}
	if _, err := second.Exec(ctx, `CREATE TABLE marker (x int)`); err != nil {
		t.Errorf("a fresh schema is not empty: %v", err)
	}
}

// The proxy forwards, cuts and forwards again.
func TestProxy(t *testing.T) {
	ctx := context.Background()
	p, dsn := NewProxy(t, DSN(t))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	p.Down()
	if err := conn.Ping(ctx); err == nil {
		t.Error("ping through a cut proxy succeeded")
	}
	if c, err := pgx.Connect(ctx, dsn); err == nil {
		c.Close(ctx)
		t.Error("connect through a proxy that is down succeeded")
	}
	p.Up()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect after Up: %v", err)
	}
	c.Close(ctx)
}
