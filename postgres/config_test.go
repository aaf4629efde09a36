package postgres

import (
	"testing"
	"time"
)

func TestPoolConfig(t *testing.T) {
	for _, tc := range []struct {
		name, dsn      string
		maxConns       int32
		connectTimeout time.Duration
		appName        string
	}{
		{"defaults URL", "postgres://u:p@db.example/opensts", DefaultMaxConns, DefaultConnectTimeout, "opensts"},
		{"defaults keyword", "host=db.example user=u dbname=opensts", DefaultMaxConns, DefaultConnectTimeout, "opensts"},
		{"overrides URL", "postgres://u:p@db.example/opensts?pool_max_conns=3&connect_timeout=2&application_name=node-a", 3, 2 * time.Second, "node-a"},
		{"overrides keyword", "host=db.example pool_max_conns=25 connect_timeout=9", 25, 9 * time.Second, "opensts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := poolConfig(tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MaxConns != tc.maxConns {
				t.Errorf("MaxConns = %d, want %d", cfg.MaxConns, tc.maxConns)
			}
			if cfg.ConnConfig.ConnectTimeout != tc.connectTimeout {
				t.Errorf("ConnectTimeout = %s, want %s", cfg.ConnConfig.ConnectTimeout, tc.connectTimeout)
			}
			if got := cfg.ConnConfig.RuntimeParams["application_name"]; got != tc.appName {
				t.Errorf("application_name = %q, want %q", got, tc.appName)
			}
		})
	}
}
