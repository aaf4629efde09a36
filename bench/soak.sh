#!/usr/bin/env bash
# Soak test: build opensts from this checkout, run `opensts server` on the
# embedded store with its production settings (audit trail on, fsync
# batched), and drive a mixed workload for DURATION (default 10m):
# GetSessionToken, GetFederationToken, calls signed with the temporary
# credentials, and IAM mutations. Reports requests, errors, p50/p99 and the
# server's RSS every interval, and the store size at start and end.
#
#   bench/soak.sh            # 10 minutes
#   bench/soak.sh 30s 10s    # duration, report interval
#
# Throttling is disabled for the run: one client machine on loopback would
# otherwise be throttled by design.
set -euo pipefail
duration=${1:-10m}
interval=${2:-1m}
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/opensts" ./cmd/opensts
export OPENSTS_ROOT_ACCESS_KEY_ID=AKIASOAKROOTKEY00001
export OPENSTS_ROOT_SECRET_ACCESS_KEY="soak-root-secret-$(date +%s%N)"
port=$(( 20000 + RANDOM % 20000 ))
"$tmp/opensts" server --listen "127.0.0.1:$port" --data-dir "$tmp/data" \
	--throttle-key-rate 0 --throttle-ip-rate 0 --log-level warn 2>"$tmp/server.log" >/dev/null &
pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

store_size() {
	db=$(stat -c %s "$tmp/data/opensts.db" 2>/dev/null || echo 0)
	wal=$(stat -c %s "$tmp/data/opensts.db-wal" 2>/dev/null || echo 0)
	echo "database $db bytes, write-ahead log $wal bytes (bounded by SQLite's checkpoints)"
}
echo "store at start: $(store_size)"
go run ./bench/load -mode soak -target "http://127.0.0.1:$port" -pid "$pid" -duration "$duration" -interval "$interval" \
	-access-key-id "$OPENSTS_ROOT_ACCESS_KEY_ID" -secret-access-key "$OPENSTS_ROOT_SECRET_ACCESS_KEY"
status=$?
echo "store at end:   $(store_size)"
echo "audit trail:         $(cat "$tmp/data"/audit.jsonl* | wc -l) records"
if grep -qiE 'level=(ERROR|WARN)' "$tmp/server.log"; then
	echo "server warnings/errors:"; grep -iE 'level=(ERROR|WARN)' "$tmp/server.log" | head -20
fi
exit $status
