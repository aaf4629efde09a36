package node

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/postgres"
)

// PostgreSQL stores: --store postgres://user:pass@host:5432/db?sslmode=…
// (postgresql:// too). The whole URL goes to pgx, so it may also carry
// pool_max_conns, connect_timeout, search_path and the like.
func init() {
	open := func(ctx context.Context, dsn string) (opensts.Store, error) {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	openers["postgres"] = open
	openers["postgresql"] = open
}
