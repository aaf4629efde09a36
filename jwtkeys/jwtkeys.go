package jwtkeys

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
)

// skew is added to MaxTokenLifetime for how long a retired key stays
// published: a relying party whose clock runs this much behind still finds
// the key of a token it accepts.
const skew = 5 * time.Minute

// Config configures a Manager. Zero durations take the defaults noted.
type Config struct {
	Store  opensts.SigningKeys
	Box    *atrest.Box
	Now    func() time.Time
	Logger *slog.Logger
	// RotateEvery rotates the keys once the newest is this old (default 30
	// days); negative disables scheduled rotation (call Rotate instead).
	RotateEvery time.Duration
	// RefreshEvery reloads the set from the store (default 30 s): the bound
	// on how long another node's rotation takes to show here.
	RefreshEvery time.Duration
	// PublishAhead is how long a new key is published before it signs
	// (default 10 min), so that relying parties that cache the JWKS have it
	// before the first token it signs. Keep it above RefreshEvery plus the
	// relying parties' cache time.
	PublishAhead time.Duration
	// MaxTokenLifetime is the longest lifetime of a token signed
	// (GetWebIdentityToken: 1 h, the default); a retired key stays published
	// this long plus 5 minutes after its successor takes over.
	MaxTokenLifetime time.Duration
}

// Manager holds the opened key set. It is safe for concurrent use.
type Manager struct {
	cfg   Config
	state atomic.Pointer[state]
	mu    sync.Mutex // serializes refreshes
}

// state is one loaded key set, immutable once published.
type state struct {
	keys  []*key            // as stored
	byAlg map[string][]*key // newest ActiveAt first
	jwks  []byte            // the published keys, rendered
	ids   []string          // the published keys' ids, in JWKS order
}

// errNoChange aborts an UpdateSigningKeys whose updater found nothing to do.
var errNoChange = errors.New("signing keys unchanged")

// Open loads the key set, first creating one active key per algorithm for
// any algorithm that has no current key (ActiveAt now: there is nothing to
// publish ahead of on a fresh store), in one UpdateSigningKeys, so several
// nodes opening an empty store at once agree on one set.
func Open(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.Box == nil {
		return nil, errors.New("jwtkeys: Store and Box are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RotateEvery == 0 {
		cfg.RotateEvery = 30 * 24 * time.Hour
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = 30 * time.Second
	}
	if cfg.PublishAhead <= 0 {
		cfg.PublishAhead = 10 * time.Minute
	}
	if cfg.MaxTokenLifetime <= 0 {
		cfg.MaxTokenLifetime = time.Hour
	}
	m := &Manager{cfg: cfg}
	if err := m.init(ctx); err != nil {
		return nil, fmt.Errorf("initialize signing keys: %w", err)
	}
	if err := m.Refresh(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// init creates the missing first keys. Keys are generated before the
// store's lock is taken (an RSA key takes a while), and only when a read
// shows some are missing.
func (m *Manager) init(ctx context.Context) error {
	stored, err := m.cfg.Store.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	missing := missingAlgorithms(stored)
	if len(missing) == 0 {
		return nil
	}
	now := m.cfg.Now()
	fresh := map[string]opensts.SigningKey{}
	for _, alg := range missing {
		if fresh[alg], err = generate(m.cfg.Box, alg, now, now); err != nil {
			return err
		}
	}
	err = m.cfg.Store.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		missing := missingAlgorithms(cur)
		if len(missing) == 0 {
			return nil, errNoChange
		}
		out := slices.Clone(cur)
		for _, alg := range missing {
			k, ok := fresh[alg]
			if !ok { // another node retired this algorithm's key meanwhile: unlikely
				var err error
				if k, err = generate(m.cfg.Box, alg, now, now); err != nil {
					return nil, err
				}
			}
			out = append(out, k)
		}
		return out, nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err == nil {
		m.cfg.Logger.InfoContext(ctx, "signing keys created", "algorithms", missing)
	}
	return err
}

// missingAlgorithms lists the algorithms without a current (unretired) key.
func missingAlgorithms(keys []opensts.SigningKey) []string {
	var missing []string
	for _, alg := range algorithms {
		if !slices.ContainsFunc(keys, func(k opensts.SigningKey) bool { return k.Algorithm == alg && k.RetiredAt.IsZero() }) {
			missing = append(missing, alg)
		}
	}
	return missing
}

// Sign signs payload (the JWT claims, JSON) as a compact JWS whose
// protected header holds alg, kid and typ "JWT", with the newest key of alg
// that has started signing and is neither retired nor expired yet.
func (m *Manager) Sign(alg string, payload []byte) (string, error) {
	st := m.state.Load()
	keys, ok := st.byAlg[alg]
	if !ok {
		return "", fmt.Errorf("sign: unsupported algorithm %q", alg)
	}
	now := m.cfg.Now()
	for _, k := range keys {
		if k.stored.ActiveAt.After(now) {
			continue // published ahead, not signing yet
		}
		if !k.stored.RetiredAt.IsZero() && !now.Before(k.stored.RetiredAt) {
			break // its successor is gone: its tokens would outlive its publication
		}
		jws, err := k.signer.Sign(payload)
		if err != nil {
			return "", fmt.Errorf("sign with key %s: %w", k.stored.ID, err)
		}
		return jws.CompactSerialize()
	}
	return "", fmt.Errorf("sign: no %s key is active", alg)
}

// JWKS returns the JSON Web Key Set ({"keys":[…]}, RFC 7517) of every
// published key: pending, current, and retired until its ExpiresAt. It is
// rendered when the set changes, not per call; callers must not modify it.
func (m *Manager) JWKS() []byte { return m.state.Load().jwks }

// Refresh reloads the set from the store. Keys already opened are reused;
// a key that does not open (another master key, tampering) fails the
// refresh and the previous set stays in use. Keys of an algorithm this
// release does not sign with are ignored (neither used nor published nor
// retired), so that a later release may add one.
func (m *Manager) Refresh(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	stored, err := m.cfg.Store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	prev := m.state.Load()
	opened := make(map[string]*key)
	if prev != nil {
		for _, k := range prev.keys {
			opened[k.stored.ID] = k
		}
	}
	st := &state{byAlg: make(map[string][]*key, len(algorithms))}
	for _, alg := range algorithms {
		st.byAlg[alg] = nil
	}
	for _, s := range stored {
		if !slices.Contains(algorithms, s.Algorithm) {
			// A later release's algorithm: left to the nodes that know it,
			// so that a mixed-version cluster keeps working.
			continue
		}
		k := opened[s.ID]
		if k == nil || !same(k.stored, s) {
			if k, err = open(m.cfg.Box, s); err != nil {
				return fmt.Errorf("load signing keys: %w", err)
			}
		} else {
			k = &key{stored: s, signer: k.signer, jwk: k.jwk} // times may have changed
		}
		st.keys = append(st.keys, k)
		st.byAlg[s.Algorithm] = append(st.byAlg[s.Algorithm], k)
	}
	for _, keys := range st.byAlg {
		slices.SortStableFunc(keys, newestFirst)
	}
	if err := st.render(m.cfg.Now(), prev); err != nil {
		return err
	}
	m.state.Store(st)
	return nil
}

func newestFirst(a, b *key) int {
	return cmp.Or(b.stored.ActiveAt.Compare(a.stored.ActiveAt), b.stored.CreatedAt.Compare(a.stored.CreatedAt))
}

// render sets jwks to the keys published at now: newest first, RS256
// before ES384 among keys that start signing together. It reuses prev's
// rendering when the same keys are published.
func (st *state) render(now time.Time, prev *state) error {
	var published []*key
	for _, alg := range algorithms {
		for _, k := range st.byAlg[alg] {
			if k.stored.ExpiresAt.IsZero() || now.Before(k.stored.ExpiresAt) {
				published = append(published, k)
			}
		}
	}
	slices.SortStableFunc(published, func(a, b *key) int { return b.stored.ActiveAt.Compare(a.stored.ActiveAt) })
	for _, k := range published {
		st.ids = append(st.ids, k.stored.ID)
	}
	if prev != nil && slices.Equal(prev.ids, st.ids) {
		st.jwks = prev.jwks
		return nil
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(published))}
	for _, k := range published {
		set.Keys = append(set.Keys, k.jwk)
	}
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("render JWKS: %w", err)
	}
	st.jwks = b
	return nil
}

// Rotate adds a pending key per algorithm, active PublishAhead from now,
// retires the current keys at that moment (RetiredAt is the new ActiveAt;
// ExpiresAt is RetiredAt + MaxTokenLifetime + 5 min) and prunes expired
// keys, in one UpdateSigningKeys. It rotates the set this node last loaded:
// when another node has rotated since, that rotation stands and this call
// only loads it, so nodes rotating together rotate once.
func (m *Manager) Rotate(ctx context.Context) error {
	_, err := m.rotate(ctx, 0)
	return err
}

// rotate rotates when the set is still the one last loaded and, when
// minAge > 0, its newest key of some algorithm is at least minAge old. It
// reports whether it rotated.
func (m *Manager) rotate(ctx context.Context, minAge time.Duration) (bool, error) {
	seen := newestIDs(m.state.Load().keys)
	now := m.cfg.Now()
	active := now.Add(m.cfg.PublishAhead)
	var fresh []opensts.SigningKey
	for _, alg := range algorithms {
		k, err := generate(m.cfg.Box, alg, now, active)
		if err != nil {
			return false, fmt.Errorf("rotate signing keys: %w", err)
		}
		fresh = append(fresh, k)
	}
	err := m.cfg.Store.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		var curKeys []*key
		for _, s := range cur {
			if slices.Contains(algorithms, s.Algorithm) {
				curKeys = append(curKeys, &key{stored: s})
			}
		}
		if ids := newestIDs(curKeys); !maps.Equal(ids, seen) || (minAge > 0 && !due(curKeys, now, minAge)) {
			return nil, errNoChange
		}
		out := slices.Clone(fresh)
		for _, k := range cur {
			if !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt) {
				continue // pruned
			}
			if k.RetiredAt.IsZero() && slices.Contains(algorithms, k.Algorithm) {
				k.RetiredAt, k.ExpiresAt = active, active.Add(m.cfg.MaxTokenLifetime+skew)
			}
			out = append(out, k)
		}
		return out, nil
	})
	rotated := err == nil
	if err != nil && !errors.Is(err, errNoChange) {
		return false, fmt.Errorf("rotate signing keys: %w", err)
	}
	return rotated, m.Refresh(ctx)
}

// prune drops expired keys from the store, if there are any.
func (m *Manager) prune(ctx context.Context) error {
	now := m.cfg.Now()
	err := m.cfg.Store.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		out := slices.DeleteFunc(slices.Clone(cur), func(k opensts.SigningKey) bool {
			return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
		})
		if len(out) == len(cur) {
			return nil, errNoChange
		}
		return out, nil
	})
	if err != nil && !errors.Is(err, errNoChange) {
		return fmt.Errorf("prune signing keys: %w", err)
	}
	return m.Refresh(ctx)
}

// newestIDs maps each algorithm to the id of its newest key.
func newestIDs(keys []*key) map[string]string {
	newest := map[string]*key{}
	for _, k := range keys {
		if n := newest[k.stored.Algorithm]; n == nil || newestFirst(k, n) < 0 {
			newest[k.stored.Algorithm] = k
		}
	}
	ids := make(map[string]string, len(newest))
	for alg, k := range newest {
		ids[alg] = k.stored.ID
	}
	return ids
}

// due reports whether some algorithm's newest key was created at least
// age ago.
func due(keys []*key, now time.Time, age time.Duration) bool {
	newest := map[string]time.Time{}
	for _, k := range keys {
		if t, ok := newest[k.stored.Algorithm]; !ok || k.stored.CreatedAt.After(t) {
			newest[k.stored.Algorithm] = k.stored.CreatedAt
		}
	}
	for _, alg := range algorithms {
		if t, ok := newest[alg]; !ok || now.Sub(t) >= age {
			return true
		}
	}
	return false
}

// Run refreshes the set every RefreshEvery until ctx ends; it rotates once
// the newest key is RotateEvery old and prunes expired keys.
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

// tick reloads the set (a read) and writes only when a rotation is due or
// a key has expired. Due-ness is checked again inside the store's
// transaction, so nodes on the same schedule rotate once between them.
func (m *Manager) tick(ctx context.Context) {
	if err := m.Refresh(ctx); err != nil {
		m.cfg.Logger.WarnContext(ctx, "signing key refresh failed", "error", err)
		return
	}
	st := m.state.Load()
	now := m.cfg.Now()
	if m.cfg.RotateEvery > 0 && due(st.keys, now, m.cfg.RotateEvery) {
		rotated, err := m.rotate(ctx, m.cfg.RotateEvery)
		if err != nil {
			m.cfg.Logger.ErrorContext(ctx, "scheduled signing key rotation failed", "error", err)
			return
		}
		if rotated {
			m.cfg.Logger.InfoContext(ctx, "signing keys rotated", "published", m.state.Load().ids)
		}
		return
	}
	if slices.ContainsFunc(st.keys, func(k *key) bool { return !k.stored.ExpiresAt.IsZero() && !now.Before(k.stored.ExpiresAt) }) {
		if err := m.prune(ctx); err != nil {
			m.cfg.Logger.ErrorContext(ctx, "signing key pruning failed", "error", err)
		}
	}
}
