// Package keyring keeps the session-token key ring of package token in the
// store, sealed under the master key, and in memory on every node. It creates
// the first key, rotates (by command or on a schedule), prunes retired keys
// once the longest session they sealed has expired, and picks up rotations
// made by other nodes: periodically, and at once when a token names a key
// this node has not seen yet.
//
// Imports the root package, atrest and token.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/token"
)

// MaxSessionLifetime is the longest session OpenSTS issues (129600 s, 36 h,
// seeds/GetSessionTokenInput.txt). A retired key is kept at least this long.
const MaxSessionLifetime = 129600 * time.Second

// Config configures a Manager. Zero durations take the defaults noted.
type Config struct {
	Store  opensts.KeyRing
	Box    *atrest.Box
	Now    func() time.Time
	Logger *slog.Logger
	// RotateEvery rotates the active key once it is this old; 0 disables
	// scheduled rotation (rotate with `opensts keys rotate`).
	RotateEvery time.Duration
	// RefreshEvery reloads the ring from the store (default 30 s): the bound
	// on how long another node's rotation takes to be used for sealing here.
	RefreshEvery time.Duration
	// MinRefreshGap rate-limits reloads triggered by unknown key ids
	// (default 1 s), so garbage tokens cannot turn into store load.
	MinRefreshGap time.Duration
}

// Manager holds the current ring. It is safe for concurrent use.
type Manager struct {
	cfg  Config
	ring atomic.Pointer[token.Ring]

	mu          sync.Mutex // serializes reloads
	lastRefresh time.Time
}

// Open loads the ring, creating the first key when the store has none.
// Several nodes opening an empty store at once agree on one first key.
func Open(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.Box == nil {
		return nil, errors.New("keyring: Store and Box are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = 30 * time.Second
	}
	if cfg.MinRefreshGap <= 0 {
		cfg.MinRefreshGap = time.Second
	}
	m := &Manager{cfg: cfg}
	err := cfg.Store.UpdateTokenKeys(ctx, func(keys []opensts.TokenKey) ([]opensts.TokenKey, error) {
		if len(keys) > 0 {
			return keys, nil
		}
		return m.seal([]token.Key{token.NewKey(1, cfg.Now())}), nil
	})
	if err != nil {
		return nil, fmt.Errorf("initialize token key ring: %w", err)
	}
	if err := m.Refresh(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Ring returns the current ring snapshot.
func (m *Manager) Ring() *token.Ring { return m.ring.Load() }

// Refresh reloads the ring from the store.
func (m *Manager) Refresh(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshLocked(ctx)
}

func (m *Manager) refreshLocked(ctx context.Context) error {
	stored, err := m.cfg.Store.ListTokenKeys(ctx)
	if err != nil {
		return fmt.Errorf("load token key ring: %w", err)
	}
	keys, err := m.open(stored)
	if err != nil {
		return err
	}
	ring, err := token.NewRing(token.Prune(keys, m.cfg.Now()))
	if err != nil {
		return fmt.Errorf("load token key ring: %w", err)
	}
	m.ring.Store(ring)
	m.lastRefresh = m.cfg.Now()
	return nil
}

// RefreshForKey is called when a token names key id that this node does
// not hold: another node may have rotated since this one last loaded the
// ring. It reloads the ring, at most once per MinRefreshGap — or once per
// 10 ms when id is newer than the active key, so a freshly rotated key is
// picked up at once while garbage tokens cannot turn into store load. It
// reports whether the ring now holds the key.
func (m *Manager) RefreshForKey(ctx context.Context, id uint32) bool {
	if r := m.Ring(); r.Has(id) {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.Ring()
	if r.Has(id) {
		return true
	}
	gap := m.cfg.MinRefreshGap
	if id > r.Active().ID {
		gap = 10 * time.Millisecond
	}
	if m.cfg.Now().Sub(m.lastRefresh) < gap {
		return false
	}
	if err := m.refreshLocked(ctx); err != nil {
		m.cfg.Logger.WarnContext(ctx, "token key ring refresh failed", "error", err)
		return false
	}
	return m.Ring().Has(id)
}

// Rotate makes a new active key. The previous key keeps opening tokens until
// the longest session it could have sealed has expired; expired keys are
// pruned. Returns the new active key id.
func (m *Manager) Rotate(ctx context.Context) (uint32, error) {
	return m.rotate(ctx, 0)
}

// rotate rotates when the active key is at least minAge old (0: always), so
// that several nodes running the same schedule rotate once between them.
func (m *Manager) rotate(ctx context.Context, minAge time.Duration) (uint32, error) {
	var active uint32
	err := m.cfg.Store.UpdateTokenKeys(ctx, func(stored []opensts.TokenKey) ([]opensts.TokenKey, error) {
		keys, err := m.open(stored)
		if err != nil {
			return nil, err
		}
		now := m.cfg.Now()
		if minAge > 0 {
			if cur, ok := activeKey(keys); ok && now.Sub(cur.CreatedAt) < minAge {
				active = cur.ID
				return stored, nil
			}
		}
		keys = token.Rotate(keys, now, MaxSessionLifetime)
		cur, _ := activeKey(keys)
		active = cur.ID
		return m.seal(keys), nil
	})
	if err != nil {
		return 0, fmt.Errorf("rotate token key ring: %w", err)
	}
	return active, m.Refresh(ctx)
}

// Run refreshes the ring periodically and rotates on schedule until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.RefreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.tick(ctx)
		}
	}
}

// tick reloads the ring (a read) and, when scheduled rotation is on and the
// active key has reached RotateEvery, rotates. The store is written only
// then; rotate checks the age again inside its transaction, so nodes on
// the same schedule rotate once between them.
func (m *Manager) tick(ctx context.Context) {
	if err := m.Refresh(ctx); err != nil {
		m.cfg.Logger.WarnContext(ctx, "token key ring refresh failed", "error", err)
		return
	}
	if m.cfg.RotateEvery <= 0 {
		return
	}
	before := m.Ring().Active()
	if m.cfg.Now().Sub(before.CreatedAt) < m.cfg.RotateEvery {
		return
	}
	id, err := m.rotate(ctx, m.cfg.RotateEvery)
	if err != nil {
		m.cfg.Logger.ErrorContext(ctx, "scheduled token key rotation failed", "error", err)
		return
	}
	if id != before.ID {
		m.cfg.Logger.InfoContext(ctx, "token key ring rotated", "active_key", id)
	}
}

func activeKey(keys []token.Key) (token.Key, bool) {
	for _, k := range keys {
		if k.RetiredAt.IsZero() {
			return k, true
		}
	}
	return token.Key{}, false
}

func aad(id uint32) []byte { return []byte("opensts token key " + strconv.FormatUint(uint64(id), 10)) }

func (m *Manager) seal(keys []token.Key) []opensts.TokenKey {
	out := make([]opensts.TokenKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, opensts.TokenKey{
			ID: k.ID, Sealed: m.cfg.Box.Seal(k.Secret, aad(k.ID)),
			CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt, ExpiresAt: k.ExpiresAt,
		})
	}
	return out
}

func (m *Manager) open(stored []opensts.TokenKey) ([]token.Key, error) {
	keys := make([]token.Key, 0, len(stored))
	for _, s := range stored {
		secret, err := m.cfg.Box.Open(s.Sealed, aad(s.ID))
		if err != nil {
			return nil, fmt.Errorf("open token key %d (is the master key the one this store was created with?): %w", s.ID, err)
		}
		keys = append(keys, token.Key{ID: s.ID, Secret: secret, CreatedAt: s.CreatedAt, RetiredAt: s.RetiredAt, ExpiresAt: s.ExpiresAt})
	}
	return keys, nil
}
