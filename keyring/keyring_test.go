package keyring

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/sqlite"
	"github.com/opensts/opensts/token"
)

func setup(t *testing.T) (*sqlite.DB, *atrest.Box, *clock.Fake) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/opensts.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := atrest.New(atrest.GenerateKey())
	return st, box, clock.NewFake(time.Unix(1_800_000_000, 0))
}

func claims(now time.Time) token.Claims {
	return token.Claims{
		AccessKeyID: "ASIAAAAAAAAAAAAAAAAA", SecretAccessKey: "0123456789012345678901234567890123456789",
		Kind: token.SessionToken, Holder: token.User, AccountID: "123456789012", HolderID: "AIDAAAAAAAAAAAAAAAAAA",
		SourceAccessKeyID: "AKIAAAAAAAAAAAAAAAAA",
		IssuedAt:          now, ExpiresAt: now.Add(time.Hour),
	}
}

// Several nodes opening an empty store at once agree on one first key.
func TestOpen_ConcurrentFirstKey(t *testing.T) {
	st, box, clk := setup(t)
	var wg sync.WaitGroup
	ids := make([]uint32, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := Open(context.Background(), Config{Store: st, Box: box, Now: clk.Now})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = m.Ring().Active().ID
		}()
	}
	wg.Wait()
	keys, _ := st.ListTokenKeys(context.Background())
	if len(keys) != 1 {
		t.Fatalf("%d keys after concurrent first opens, want 1", len(keys))
	}
	for _, id := range ids {
		if id != keys[0].ID {
			t.Fatalf("nodes disagree on the active key: %v", ids)
		}
	}
}

// A rotation by one node is picked up by another at once for a newer key,
// and tokens sealed before it keep opening until the old key expires.
func TestRotate_AcrossNodes(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	a, err := Open(ctx, Config{Store: st, Box: box, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, Config{Store: st, Box: box, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	old, err := token.Seal(a.Ring(), claims(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	newID, err := a.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := token.Seal(a.Ring(), claims(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if b.Ring().Has(newID) {
		t.Fatal("b knew the new key before refreshing")
	}
	if b.RefreshForKey(ctx, newID) {
		t.Fatal("b reloaded twice within 10 ms")
	}
	clk.Advance(20 * time.Millisecond)
	if !b.RefreshForKey(ctx, newID) {
		t.Fatal("b did not pick up a newer key")
	}
	for _, tok := range []string{old, fresh} {
		if _, err := token.Open(b.Ring(), tok, clk.Now()); err != nil {
			t.Fatalf("b opens a token: %v", err)
		}
	}
	// An id that exists nowhere is reported missing (and reloads are rate-limited).
	if b.RefreshForKey(ctx, 9999) {
		t.Fatal("a key that exists nowhere was reported")
	}
	// After the longest session the retired key could have sealed, it is pruned.
	clk.Advance(MaxSessionLifetime + time.Minute)
	if _, err := a.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _ := st.ListTokenKeys(ctx)
	if len(keys) != 2 {
		t.Fatalf("%d keys after the first retired key expired, want 2", len(keys))
	}
}

// Scheduled rotation: several nodes on the same schedule rotate once.
func TestRotate_ScheduleOncePerPeriod(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	a, _ := Open(ctx, Config{Store: st, Box: box, Now: clk.Now})
	b, _ := Open(ctx, Config{Store: st, Box: box, Now: clk.Now})
	clk.Advance(25 * time.Hour)
	ida, err := a.rotate(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	idb, err := b.rotate(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := st.ListTokenKeys(ctx)
	if ida != idb || len(keys) != 2 {
		t.Fatalf("two nodes on one schedule: active %d and %d, %d keys; want one rotation", ida, idb, len(keys))
	}
}

// Another master key cannot open the ring, and says why.
func TestOpen_WrongMasterKey(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	if _, err := Open(ctx, Config{Store: st, Box: box, Now: clk.Now}); err != nil {
		t.Fatal(err)
	}
	other, _ := atrest.New(atrest.GenerateKey())
	if _, err := Open(ctx, Config{Store: st, Box: other, Now: clk.Now}); err == nil {
		t.Fatal("a ring opened under another master key")
	}
}

// countingRing counts writes to the key ring.
type countingRing struct {
	opensts.KeyRing
	writes int
}

func (c *countingRing) UpdateTokenKeys(ctx context.Context, fn func([]opensts.TokenKey) ([]opensts.TokenKey, error)) error {
	c.writes++
	return c.KeyRing.UpdateTokenKeys(ctx, fn)
}

// The periodic tick only reads until a rotation is due, then rotates once.
func TestTick_WritesOnlyWhenRotationIsDue(t *testing.T) {
	ctx := context.Background()
	st, box, clk := setup(t)
	ring := &countingRing{KeyRing: st}
	m, err := Open(ctx, Config{Store: ring, Box: box, Now: clk.Now, RotateEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	first := m.Ring().Active().ID
	opened := ring.writes
	for range 10 {
		clk.Advance(5 * time.Minute)
		m.tick(ctx)
	}
	if ring.writes != opened || m.Ring().Active().ID != first {
		t.Fatalf("%d writes and active key %d before rotation was due", ring.writes-opened, m.Ring().Active().ID)
	}
	clk.Advance(11 * time.Minute)
	m.tick(ctx)
	if ring.writes != opened+1 || m.Ring().Active().ID == first {
		t.Fatalf("due rotation: %d writes, active key %d", ring.writes-opened, m.Ring().Active().ID)
	}
}
