// Package throttle limits request rates with token buckets, one bucket per
// access key id and one per source address, so the server can answer AWS's
// Throttling / "Rate exceeded" (400) and SDKs back off and retry as they do
// against AWS.
//
// A Limiter holds two independent tables of buckets (golang.org/x/time/rate):
//
//   - Keys: Config.KeyRate requests per second per access key id, bursting
//     to Config.KeyBurst.
//   - Addresses: Config.IPRate requests per second per source address,
//     bursting to Config.IPBurst. IPv4 addresses are tracked one per /32.
//     IPv6 addresses are grouped by /64: a single host is normally handed a
//     whole /64 (SLAAC, privacy addresses, RFC 7934) and can pick a fresh
//     address from it for every request, so a per-/128 bucket would not
//     limit it at all. The cost is that hosts sharing one /64 share one
//     bucket. IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) count as the
//     IPv4 address they carry.
//
// A rate of 0 disables that table: its Allow method always says yes and
// remembers nothing.
//
// Every bucket is independent: a burst from one key or address spends only
// its own tokens and never slows another key or address. The only thing they
// share is the memory bound. Each table remembers at most Config.MaxTracked
// entries (default 100,000); when it is full the least recently used entry
// is forgotten. A forgotten key or address that comes back starts again with
// a full bucket, so a client idle long enough to be evicted (or one evicted
// by a flood of other clients) may get one extra burst. That is the price of
// bounded memory; size MaxTracked above the number of clients active within
// a refill period (Burst/Rate seconds) and it never matters, because a bucket
// that has sat idle that long is full anyway. Stats reports evictions so an
// operator can see when the bound is too small. An entry costs about 150
// bytes, so a full table at the default bound holds about 15 MB.
//
// Tables are split into up to 64 shards, each with its own lock and an
// equal share of the bound, chosen by a hash seeded per Limiter so clients
// cannot aim at one shard. Eviction is least-recently-used within a shard:
// close to global LRU, but a shard can fill before the table does (with as
// many distinct clients as the bound, about 1% are evicted early). The total
// never exceeds MaxTracked. Checking a key or address the table already
// knows does not allocate.
//
// Where to call it: AllowIP before any other work on a request (it is cheap
// and protects signature verification and the store), AllowKey once the
// request's signature has been verified, so that access key ids made up by
// unauthenticated clients cannot fill the key table and push real keys out.
//
// Time comes from Config.Now; the package never sleeps or starts goroutines.
// It imports the standard library and golang.org/x/time/rate only, and knows
// nothing of HTTP: mapping a refusal to the Throttling error is package api's
// job.
package throttle
