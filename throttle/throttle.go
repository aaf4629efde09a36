package throttle

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxTracked is the bound on remembered keys, and separately on
// remembered addresses, when Config.MaxTracked is 0.
const DefaultMaxTracked = 100_000

// ErrInvalidConfig is wrapped by every error New returns.
var ErrInvalidConfig = errors.New("invalid throttle config")

// Config sets the rates. The zero value is valid and limits nothing.
type Config struct {
	// KeyRate is the sustained rate, in requests per second, allowed to one
	// access key id. 0 disables per-key limiting.
	KeyRate float64
	// KeyBurst is how many requests one access key id may make at once
	// before KeyRate applies. At least 1 when KeyRate > 0.
	KeyBurst int
	// IPRate is the sustained rate, in requests per second, allowed to one
	// source address (IPv4 /32, IPv6 /64). 0 disables per-address limiting.
	IPRate float64
	// IPBurst is how many requests one source address may make at once
	// before IPRate applies. At least 1 when IPRate > 0.
	IPBurst int
	// MaxTracked bounds the keys, and separately the addresses, remembered
	// at once; the least recently used are forgotten beyond it. 0 means
	// DefaultMaxTracked.
	MaxTracked int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Stats are counters for metrics. Tracked counts are a snapshot; the others
// only grow.
type Stats struct {
	TrackedKeys int    // access key ids currently remembered
	TrackedIPs  int    // source addresses (/32 or /64) currently remembered
	RefusedKeys uint64 // requests AllowKey refused
	RefusedIPs  uint64 // requests AllowIP refused
	EvictedKeys uint64 // keys forgotten to stay within MaxTracked
	EvictedIPs  uint64 // addresses forgotten to stay within MaxTracked
}

// Limiter decides whether a request may proceed. It is safe for concurrent
// use.
type Limiter struct {
	now  func() time.Time
	keys *table[string] // nil when per-key limiting is off
	ips  *table[ipKey]  // nil when per-address limiting is off
}

// New checks cfg and returns a Limiter. Every problem is reported at once,
// each wrapping ErrInvalidConfig.
func New(cfg Config) (*Limiter, error) {
	return newLimiter(cfg, defaultShards)
}

func newLimiter(cfg Config, maxShards int) (*Limiter, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	checkRate := func(name string, r float64, burstName string, burst int) {
		switch {
		case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
			bad("%s %v: must be a finite number >= 0", name, r)
		case r > 0 && burst < 1:
			bad("%s %d: must be at least 1 when %s is set", burstName, burst, name)
		case burst < 0:
			bad("%s %d: must not be negative", burstName, burst)
		}
	}
	checkRate("KeyRate", cfg.KeyRate, "KeyBurst", cfg.KeyBurst)
	checkRate("IPRate", cfg.IPRate, "IPBurst", cfg.IPBurst)
	if cfg.MaxTracked < 0 {
		bad("MaxTracked %d: must not be negative", cfg.MaxTracked)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	maxTracked := cfg.MaxTracked
	if maxTracked == 0 {
		maxTracked = DefaultMaxTracked
	}
	l := &Limiter{now: cfg.Now}
	if l.now == nil {
		l.now = time.Now
	}
	// Shards are picked by a hash seeded per Limiter, so a client cannot
	// choose keys or addresses that all land in one shard.
	if cfg.KeyRate > 0 {
		seed := maphash.MakeSeed()
		hash := func(k string) uint64 { return maphash.String(seed, k) }
		// Clone keys before keeping them: the caller's string may point
		// into a whole request buffer.
		l.keys = newTable(rate.Limit(cfg.KeyRate), cfg.KeyBurst, maxTracked, maxShards, hash, strings.Clone)
	}
	if cfg.IPRate > 0 {
		s0, s1 := rand.Uint64(), rand.Uint64()
		hash := func(k ipKey) uint64 { return k.hash(s0, s1) }
		l.ips = newTable(rate.Limit(cfg.IPRate), cfg.IPBurst, maxTracked, maxShards, hash, nil)
	}
	return l, nil
}

// AllowKey reports whether a request signed with accessKeyID may proceed
// now, taking one token from that key's bucket if so. It always reports
// true when per-key limiting is off.
func (l *Limiter) AllowKey(accessKeyID string) bool {
	if l.keys == nil {
		return true
	}
	return l.keys.allow(accessKeyID, l.now())
}

// AllowIP reports whether a request from ip may proceed now, taking one
// token from that address's bucket if so. It always reports true when
// per-address limiting is off.
//
// ip may be a bare address or an address with a port, as in
// http.Request.RemoteAddr ("192.0.2.1:5555", "[2001:db8::1]:443"). Values
// that parse as neither share one bucket of their own: they are not exempt,
// and they cannot spend the tokens of a real address.
func (l *Limiter) AllowIP(ip string) bool {
	if l.ips == nil {
		return true
	}
	return l.ips.allow(parseIPKey(ip), l.now())
}

// Stats returns the current counters.
func (l *Limiter) Stats() Stats {
	var s Stats
	if l.keys != nil {
		s.TrackedKeys, s.RefusedKeys, s.EvictedKeys = l.keys.stats()
	}
	if l.ips != nil {
		s.TrackedIPs, s.RefusedIPs, s.EvictedIPs = l.ips.stats()
	}
	return s
}
