package jwtkeys

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/sqlite"
)

var start = time.Unix(1_800_000_000, 0).UTC()

func setup(t testing.TB) (*sqlite.DB, *atrest.Box, *clock.Fake) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/opensts.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := atrest.New(atrest.GenerateKey())
	return st, box, clock.NewFake(start)
}

func mustOpen(tb testing.TB, st opensts.SigningKeys, box *atrest.Box, clk *clock.Fake) *Manager {
	tb.Helper()
	m, err := Open(context.Background(), Config{Store: st, Box: box, Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func mustList(tb testing.TB, st opensts.SigningKeys) []opensts.SigningKey {
	tb.Helper()
	keys, err := st.ListSigningKeys(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}

// jwks parses the manager's JWKS with go-jose, checking every key's
// public-only RFC 7517 shape on the way.
func jwks(t testing.TB, m *Manager) jose.JSONWebKeySet {
	t.Helper()
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(m.JWKS(), &raw); err != nil {
		t.Fatalf("JWKS %s: %v", m.JWKS(), err)
	}
	for _, k := range raw.Keys {
		var want []string
		switch k["kty"] {
		case "RSA":
			want = []string{"alg", "e", "kid", "kty", "n", "use"}
		case "EC":
			want = []string{"alg", "crv", "kid", "kty", "use", "x", "y"}
			if k["crv"] != "P-384" || k["alg"] != es384 {
				t.Errorf("EC key %v: want crv P-384, alg ES384", k)
			}
		}
		var got []string
		for name := range k {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || k["use"] != "sig" {
			t.Errorf("JWK members %v, want %v with use sig: %v", got, want, k)
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(m.JWKS(), &set); err != nil {
		t.Fatalf("go-jose cannot parse the JWKS: %v", err)
	}
	return set
}

func kids(set jose.JSONWebKeySet) []string {
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KeyID)
	}
	return ids
}

// verify checks a token against the JWKS as a relying party would and
// returns the id of the key that signed it.
func verify(t testing.TB, m *Manager, token, alg string, payload []byte) string {
	t.Helper()
	obj, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		t.Fatalf("ParseSigned: %v", err)
	}
	h := obj.Signatures[0].Protected
	if h.Algorithm != alg || h.ExtraHeaders["typ"] != "JWT" || h.KeyID == "" || h.JSONWebKey != nil {
		t.Fatalf("header alg %q typ %v kid %q jwk %v; want alg %s, typ JWT, a kid, no jwk", h.Algorithm, h.ExtraHeaders["typ"], h.KeyID, h.JSONWebKey, alg)
	}
	set := jwks(t, m)
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s: %d keys in the JWKS", h.KeyID, len(keys))
	}
	got, err := obj.Verify(keys[0])
	if err != nil {
		t.Fatalf("Verify with the published key: %v", err)
	}
	if string(got) != string(payload) {
		t.Fatalf("payload %q, want %q", got, payload)
	}
	return h.KeyID
}

func mustSign(t testing.TB, m *Manager, alg string) string {
	t.Helper()
	payload := []byte(`{"iss":"https://sts.example.com","sub":"arn:aws:iam::123456789012:role/R","aud":"https://rp.example.com"}`)
	tok, err := m.Sign(alg, payload)
	if err != nil {
		t.Fatalf("Sign %s: %v", alg, err)
	}
	return verify(t, m, tok, alg, payload)
}

func TestOpen_InitialKeys(t *testing.T) {
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	keys := mustList(t, st)
	if len(keys) != 2 {
		t.Fatalf("%d keys on a fresh store, want one per algorithm", len(keys))
	}
	idPattern := regexp.MustCompile(`^[a-z2-7]{16}$`)
	for i, alg := range []string{rs256, es384} {
		k := keys[i]
		if k.Algorithm != alg || !idPattern.MatchString(k.ID) || !k.CreatedAt.Equal(start) || !k.ActiveAt.Equal(start) ||
			!k.RetiredAt.IsZero() || !k.ExpiresAt.IsZero() {
			t.Errorf("key %d = %+v; want %s, a 16-character base32 id, created and active now, current", i, k, alg)
		}
		if _, err := x509.ParsePKIXPublicKey(k.Public); err != nil {
			t.Errorf("%s public key: %v", alg, err)
		}
		if _, err := x509.ParsePKCS8PrivateKey(k.Sealed); err == nil {
			t.Errorf("%s private key stored in the clear", alg)
		}
	}
	if got, want := kids(jwks(t, m)), []string{keys[0].ID, keys[1].ID}; !slices.Equal(got, want) {
		t.Errorf("JWKS kids %v, want %v", got, want)
	}

	// Opening again (another node, a restart) adds nothing.
	clk.Advance(time.Hour)
	m2 := mustOpen(t, st, box, clk)
	if d := cmp.Diff(keys, mustList(t, st)); d != "" {
		t.Errorf("keys after a second Open (-want +got):\n%s", d)
	}
	if string(m2.JWKS()) != string(m.JWKS()) {
		t.Errorf("a second node publishes %s, the first %s", m2.JWKS(), m.JWKS())
	}
}

// Several nodes opening an empty store at once agree on one key set.
func TestOpen_Concurrent(t *testing.T) {
	st, box, clk := setup(t)
	var wg sync.WaitGroup
	sets := make([]string, 4)
	for i := range sets {
		wg.Go(func() {
			m, err := Open(context.Background(), Config{Store: st, Box: box, Now: clk.Now})
			if err != nil {
				t.Error(err)
				return
			}
			sets[i] = string(m.JWKS())
		})
	}
	wg.Wait()
	if n := len(mustList(t, st)); n != 2 {
		t.Fatalf("%d keys after concurrent first opens, want 2", n)
	}
	for _, s := range sets {
		if s != sets[0] {
			t.Fatalf("nodes publish different sets: %v", sets)
		}
	}
}

func TestSign(t *testing.T) {
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	keys := mustList(t, st)
	for _, tc := range []struct {
		name, alg string
		wantKid   string
	}{
		{"ok/RS256", rs256, keys[0].ID},
		{"ok/ES384", es384, keys[1].ID},
		{"fail/HS256", "HS256", ""},
		{"fail/none", "none", ""},
		{"fail/lower case", "rs256", ""},
		{"fail/empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wantKid == "" {
				if tok, err := m.Sign(tc.alg, []byte(`{}`)); err == nil {
					t.Fatalf("Sign(%q) = %s, want an error", tc.alg, tok)
				}
				return
			}
			if kid := mustSign(t, m, tc.alg); kid != tc.wantKid {
				t.Errorf("signed with %s, want %s", kid, tc.wantKid)
			}
		})
	}
}

func TestRotate_PublishesAhead(t *testing.T) {
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	old := mustList(t, st)
	clk.Advance(24 * time.Hour)
	rotatedAt := clk.Now()
	if err := m.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys := mustList(t, st)
	if len(keys) != 4 {
		t.Fatalf("%d keys after a rotation, want 4", len(keys))
	}
	activeAt := rotatedAt.Add(10 * time.Minute)
	pending := map[string]string{}
	for _, k := range keys {
		switch {
		case k.ID == old[0].ID || k.ID == old[1].ID:
			if !k.RetiredAt.Equal(activeAt) || !k.ExpiresAt.Equal(activeAt.Add(time.Hour+5*time.Minute)) {
				t.Errorf("retired key %s: retired %v expires %v; want %v and an hour and five minutes later", k.ID, k.RetiredAt, k.ExpiresAt, activeAt)
			}
		default:
			pending[k.Algorithm] = k.ID
			if !k.CreatedAt.Equal(rotatedAt) || !k.ActiveAt.Equal(activeAt) || !k.RetiredAt.IsZero() {
				t.Errorf("new key %+v: want created %v, active %v, current", k, rotatedAt, activeAt)
			}
		}
	}
	if len(pending) != 2 {
		t.Fatalf("new keys %v, want one per algorithm", pending)
	}
	// The JWKS has the pending keys first, and the current ones.
	want := []string{pending[rs256], pending[es384], old[0].ID, old[1].ID}
	if got := kids(jwks(t, m)); !slices.Equal(got, want) {
		t.Errorf("JWKS kids %v, want %v", got, want)
	}
	steps := []struct {
		name  string
		at    time.Time
		using map[string]string
	}{
		{"right after rotating", rotatedAt, map[string]string{rs256: old[0].ID, es384: old[1].ID}},
		{"a second before ActiveAt", activeAt.Add(-time.Second), map[string]string{rs256: old[0].ID, es384: old[1].ID}},
		{"at ActiveAt", activeAt, pending},
		{"later", activeAt.Add(time.Hour), pending},
	}
	for _, s := range steps {
		clk.Set(s.at)
		for alg, want := range s.using {
			if got := mustSign(t, m, alg); got != want {
				t.Errorf("%s: %s signed with %s, want %s", s.name, alg, got, want)
			}
		}
	}
}

func TestRotate_RetiredPublishedUntilExpiry(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	old := mustList(t, st)
	if err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	expires := mustList(t, st)[3].ExpiresAt
	if expires.IsZero() {
		t.Fatal("the retired key has no ExpiresAt")
	}
	published := func(when string, want bool) {
		t.Helper()
		if err := m.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		ids := kids(jwks(t, m))
		for _, k := range old {
			if got := slices.Contains(ids, k.ID); got != want {
				t.Errorf("%s: retired key %s published = %v, want %v", when, k.ID, got, want)
			}
		}
		if len(ids) != 2 && !want {
			t.Errorf("%s: JWKS %v, want the two current keys", when, ids)
		}
	}
	clk.Set(expires.Add(-time.Second))
	published("a second before ExpiresAt", true)
	clk.Set(expires)
	published("at ExpiresAt", false)
	if n := len(mustList(t, st)); n != 4 {
		t.Errorf("%d keys in the store before pruning, want 4", n)
	}
	m.tick(ctx) // prunes
	keys := mustList(t, st)
	if len(keys) != 2 || slices.ContainsFunc(keys, func(k opensts.SigningKey) bool { return k.ID == old[0].ID || k.ID == old[1].ID }) {
		t.Errorf("keys after pruning: %+v", keys)
	}

	// A rotation prunes too.
	if err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	if err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(mustList(t, st)); n != 4 {
		t.Errorf("%d keys after two rotations a day apart, want 4 (the first one's retired keys pruned)", n)
	}
}

// countingStore counts the writes that reach the store.
type countingStore struct {
	opensts.SigningKeys
	updates, writes atomic.Int32
}

func (c *countingStore) UpdateSigningKeys(ctx context.Context, fn func([]opensts.SigningKey) ([]opensts.SigningKey, error)) error {
	c.updates.Add(1)
	return c.SigningKeys.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		next, err := fn(cur)
		if err == nil {
			c.writes.Add(1)
		}
		return next, err
	})
}

func TestRotate_TwoManagersRotateOnce(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		rotate func(m *Manager)
	}{
		{"scheduled", func(m *Manager) { m.tick(ctx) }},
		{"Rotate", func(m *Manager) {
			if err := m.Rotate(ctx); err != nil {
				t.Error(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqliteStore, box, clk := setup(t)
			st := &countingStore{SigningKeys: sqliteStore}
			a, b := mustOpen(t, st, box, clk), mustOpen(t, st, box, clk)
			// Not yet due: the schedule writes nothing.
			clk.Advance(30*24*time.Hour - time.Second)
			before := st.writes.Load()
			a.tick(ctx)
			if st.writes.Load() != before {
				t.Fatal("tick wrote before a rotation was due")
			}
			clk.Advance(time.Second)
			var wg sync.WaitGroup
			for _, m := range []*Manager{a, b} {
				wg.Go(func() { tc.rotate(m) })
			}
			wg.Wait()
			if n := len(mustList(t, st)); n != 4 {
				t.Fatalf("%d keys after two nodes rotated together, want 4", n)
			}
			if got := st.writes.Load() - before; got != 1 {
				t.Errorf("%d writes, want 1", got)
			}
			if err := a.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if string(a.JWKS()) != string(b.JWKS()) {
				t.Error("the nodes publish different sets")
			}
			// Until the next period, the schedule only prunes the retired
			// keys, once between the two nodes.
			clk.Advance(29 * 24 * time.Hour)
			before = st.writes.Load()
			a.tick(ctx)
			b.tick(ctx)
			if got := st.writes.Load() - before; got != 1 {
				t.Errorf("%d writes within the period after a rotation, want 1 (pruning)", got)
			}
			if n := len(mustList(t, st)); n != 2 {
				t.Errorf("%d keys after pruning, want 2", n)
			}
		})
	}
}

func TestRun_Schedule(t *testing.T) {
	st, box, clk := setup(t)
	m, err := Open(context.Background(), Config{Store: st, Box: box, Now: clk.Now, RotateEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(365 * 24 * time.Hour)
	m.tick(context.Background())
	if n := len(mustList(t, st)); n != 2 {
		t.Errorf("%d keys a year on with scheduled rotation off, want 2", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	cancel()
	<-done
}

func TestOpen_TamperedKeyRefused(t *testing.T) {
	ctx := context.Background()
	other := func(t *testing.T, box *atrest.Box) opensts.SigningKey {
		k, err := generate(box, es384, start, start)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, box *atrest.Box, k *opensts.SigningKey)
	}{
		{"sealed byte flipped", func(_ *testing.T, _ *atrest.Box, k *opensts.SigningKey) { k.Sealed[len(k.Sealed)/2] ^= 1 }},
		{"sealed truncated", func(_ *testing.T, _ *atrest.Box, k *opensts.SigningKey) { k.Sealed = k.Sealed[:len(k.Sealed)-1] }},
		{"id changed", func(_ *testing.T, _ *atrest.Box, k *opensts.SigningKey) { k.ID = "aaaaaaaaaaaaaaaa" }},
		{"algorithm relabelled", func(_ *testing.T, _ *atrest.Box, k *opensts.SigningKey) { k.Algorithm = rs256 }},
		{"another key's sealed private key", func(t *testing.T, box *atrest.Box, k *opensts.SigningKey) {
			k.Sealed = other(t, box).Sealed
		}},
		{"another key's public key", func(t *testing.T, box *atrest.Box, k *opensts.SigningKey) {
			k.Public = other(t, box).Public
		}},
		{"sealed under another master key", func(t *testing.T, _ *atrest.Box, k *opensts.SigningKey) {
			foreign, _ := atrest.New(atrest.GenerateKey())
			*k = other(t, foreign)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, box, clk := setup(t)
			m := mustOpen(t, st, box, clk)
			good := m.JWKS()
			err := st.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
				k := &cur[1] // the ES384 key
				k.Sealed = slices.Clone(k.Sealed)
				tc.tamper(t, box, k)
				return cur, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Open(ctx, Config{Store: st, Box: box, Now: clk.Now}); err == nil {
				t.Error("Open loaded a tampered key")
			}
			if err := m.Refresh(ctx); err == nil {
				t.Error("Refresh loaded a tampered key")
			}
			// The running node keeps the set it had.
			if string(m.JWKS()) != string(good) {
				t.Error("a failed refresh changed the JWKS")
			}
			mustSign(t, m, es384)
		})
	}
}

// Sign and JWKS race with Refresh and Rotate (run with -race).
func TestSign_ConcurrentWithRefresh(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				alg := algorithms[i%2]
				tok, err := m.Sign(alg, []byte(`{"n":1}`))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES384}); err != nil {
					t.Error(err)
					return
				}
				_ = m.JWKS()
			}
		})
	}
	for i := range 20 {
		if i%10 == 5 {
			if err := m.Rotate(ctx); err != nil {
				t.Error(err)
			}
		}
		clk.Advance(time.Minute)
		if err := m.Refresh(ctx); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	mustSign(t, m, rs256)
	mustSign(t, m, es384)
}

func BenchmarkSign(b *testing.B) {
	st, box, clk := setup(b)
	m := mustOpen(b, st, box, clk)
	payload := []byte(`{"iss":"https://sts.example.com","sub":"arn:aws:iam::123456789012:role/R","aud":"https://rp.example.com","exp":1800003600,"iat":1800000000}`)
	for _, alg := range []string{rs256, es384} {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Sign(alg, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A key of an algorithm a later release adds is left alone: not loaded,
// not published, not retired by a rotation.
func TestRefresh_UnknownAlgorithmLeftAlone(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	m := mustOpen(t, st, box, clk)
	future := opensts.SigningKey{ID: "zzzzzzzzzzzzzzzz", Algorithm: "EdDSA", Sealed: []byte("sealed by a later release"), Public: []byte{1},
		CreatedAt: start, ActiveAt: start}
	err := st.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		return append(cur, future), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Refresh(ctx); err != nil {
		t.Fatalf("Refresh with a later release's key: %v", err)
	}
	if slices.Contains(kids(jwks(t, m)), future.ID) {
		t.Error("a key of an unknown algorithm is published")
	}
	if _, err := m.Sign("EdDSA", []byte(`{}`)); err == nil {
		t.Error("Sign with an unknown algorithm succeeded")
	}
	if err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	keys := mustList(t, st)
	i := slices.IndexFunc(keys, func(k opensts.SigningKey) bool { return k.ID == future.ID })
	if i < 0 || !keys[i].RetiredAt.IsZero() {
		t.Errorf("after a rotation the later release's key is %+v", keys)
	}
	if len(keys) != 5 {
		t.Errorf("%d keys after a rotation, want 5", len(keys))
	}
}
