package access

import (
	"sync"
	"time"

	"github.com/opensts/opensts"
)

// DefaultCredentialCacheTTL bounds how long a node keeps using what it read
// about a long-term key and its user. Changes made through this node apply
// at once (its IAM service invalidates the entries); changes made through
// another node sharing the store apply within this bound (docs/multi-node.md).
const DefaultCredentialCacheTTL = 2 * time.Second

// credentials is what authentication reads per long-term key: the key and,
// for an IAM user's key, the user.
type credentials struct {
	key     opensts.AccessKey
	aad     []byte // key.SecretAAD(), made once
	user    opensts.User
	root    bool
	fetched time.Time
}

// credentialCache holds recently read credentials for at most ttl. It is
// bounded: when full, an arbitrary entry is evicted. Misses are never cached,
// so an unknown key id costs a store read each time (and a new key works
// at once everywhere).
type credentialCache struct {
	ttl time.Duration
	max int
	mu  sync.RWMutex
	m   map[string]credentials
}

func newCredentialCache(ttl time.Duration, max int) *credentialCache {
	return &credentialCache{ttl: ttl, max: max, m: make(map[string]credentials)}
}

func (c *credentialCache) get(id string, now time.Time) (credentials, bool) {
	if c.ttl <= 0 {
		return credentials{}, false
	}
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || now.Sub(e.fetched) >= c.ttl || now.Before(e.fetched) {
		return credentials{}, false
	}
	return e, true
}

func (c *credentialCache) put(id string, e credentials) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = e
	c.mu.Unlock()
}

// invalidate drops one key's entry, or every entry when id is empty.
func (c *credentialCache) invalidate(id string) {
	c.mu.Lock()
	if id == "" {
		clear(c.m)
	} else {
		delete(c.m, id)
	}
	c.mu.Unlock()
}
