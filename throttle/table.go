package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultShards is the most shards a table is split into. 64 locks keep
// contention low on any machine the server is likely to run on, and the
// per-shard share of the default bound (about 1,500 entries) keeps LRU
// order close to global.
const defaultShards = 64

// table is a bounded set of token buckets keyed by K, split into shards that
// each have their own lock, map and least-recently-used list.
type table[K comparable] struct {
	shards []shard[K]
	mask   uint64
	hash   func(K) uint64
	clone  func(K) K // copies a key before it is kept; nil keeps it as is
	limit  rate.Limit
	burst  int
}

type shard[K comparable] struct {
	mu      sync.Mutex
	m       map[K]*entry[K]
	lru     entry[K] // sentinel: lru.next is the most recent, lru.prev the least
	max     int
	refused uint64
	evicted uint64
	_       [64]byte // keeps neighbouring shards' locks off one cache line
}

type entry[K comparable] struct {
	key        K
	lim        *rate.Limiter
	prev, next *entry[K]
}

// newTable splits maxTracked (>= 1) across at most maxShards shards. The
// shard count is a power of two no larger than maxTracked, so every shard
// holds at least one entry and the shares add up to exactly maxTracked.
func newTable[K comparable](limit rate.Limit, burst, maxTracked, maxShards int, hash func(K) uint64, clone func(K) K) *table[K] {
	n := 1
	for n*2 <= maxShards && n*2 <= maxTracked {
		n *= 2
	}
	t := &table[K]{
		shards: make([]shard[K], n),
		mask:   uint64(n - 1),
		hash:   hash,
		clone:  clone,
		limit:  limit,
		burst:  burst,
	}
	for i := range t.shards {
		s := &t.shards[i]
		s.max = maxTracked / n
		if i < maxTracked%n {
			s.max++
		}
		s.m = make(map[K]*entry[K])
		s.lru.next = &s.lru
		s.lru.prev = &s.lru
	}
	return t
}

// allow takes a token from k's bucket at now, creating the bucket (full)
// if k is not remembered.
func (t *table[K]) allow(k K, now time.Time) bool {
	s := &t.shards[t.hash(k)&t.mask]
	s.mu.Lock()
	e, ok := s.m[k]
	switch {
	case !ok:
		e = t.newEntry(s, k)
		s.m[e.key] = e
		s.pushFront(e)
	case s.lru.next != e:
		s.unlink(e)
		s.pushFront(e)
	}
	allowed := e.lim.AllowN(now, 1)
	if !allowed {
		s.refused++
	}
	s.mu.Unlock()
	return allowed
}

// newEntry returns an unlinked entry for k with a full bucket, recycling
// the least recently used entry when the shard is full. s.mu must be held.
func (t *table[K]) newEntry(s *shard[K], k K) *entry[K] {
	if t.clone != nil {
		k = t.clone(k)
	}
	lim := rate.NewLimiter(t.limit, t.burst)
	if len(s.m) < s.max {
		return &entry[K]{key: k, lim: lim}
	}
	e := s.lru.prev
	s.unlink(e)
	delete(s.m, e.key)
	s.evicted++
	e.key, e.lim = k, lim
	return e
}

func (s *shard[K]) unlink(e *entry[K]) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (s *shard[K]) pushFront(e *entry[K]) {
	e.prev = &s.lru
	e.next = s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

func (t *table[K]) stats() (tracked int, refused, evicted uint64) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		tracked += len(s.m)
		refused += s.refused
		evicted += s.evicted
		s.mu.Unlock()
	}
	return tracked, refused, evicted
}
