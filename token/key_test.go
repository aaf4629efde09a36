package token

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// keyShape is what Rotate and Prune decide about a key; secrets are random.
type keyShape struct {
	ID                              uint32
	CreatedAt, RetiredAt, ExpiresAt time.Time
}

func shapes(keys []Key) []keyShape {
	out := make([]keyShape, len(keys))
	for i, k := range keys {
		out[i] = keyShape{k.ID, k.CreatedAt, k.RetiredAt, k.ExpiresAt}
	}
	return out
}

func TestRotate(t *testing.T) {
	now := t0
	life := 36 * time.Hour
	created := now.Add(-48 * time.Hour)
	active := func(id uint32) Key { return Key{ID: id, Secret: testSecret("r"), CreatedAt: created} }
	ret := func(id uint32, expires time.Time) Key {
		return retired(active(id), expires.Add(-life), expires)
	}
	for name, tc := range map[string]struct {
		in   []Key
		life time.Duration
		want []keyShape
	}{
		"ok/empty ring starts at 1": {
			in:   nil,
			want: []keyShape{{ID: 1, CreatedAt: now}},
		},
		"ok/one active key": {
			in: []Key{active(1)},
			want: []keyShape{
				{ID: 1, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 2, CreatedAt: now},
			},
		},
		"ok/keeps live retired keys, prunes dead ones": {
			in: []Key{ret(1, now.Add(-time.Second)), ret(2, now), ret(3, now.Add(time.Second)), active(4)},
			want: []keyShape{
				{ID: 3, CreatedAt: created, RetiredAt: now.Add(time.Second - life), ExpiresAt: now.Add(time.Second)},
				{ID: 4, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 5, CreatedAt: now},
			},
		},
		"ok/next id follows the largest, even a pruned one": {
			in: []Key{active(2), ret(9, now.Add(-time.Hour))},
			want: []keyShape{
				{ID: 2, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 10, CreatedAt: now},
			},
		},
		"ok/several active keys are all retired": {
			in: []Key{active(1), active(2)},
			want: []keyShape{
				{ID: 1, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 2, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 3, CreatedAt: now},
			},
		},
		"ok/zero lifetime prunes the retired key at once": {
			in:   []Key{active(1)},
			life: -1,
			want: []keyShape{{ID: 2, CreatedAt: now}},
		},
		"ok/id space exhausted reuses the smallest free id": {
			in: []Key{ret(0, now.Add(time.Hour)), active(math.MaxUint32)},
			want: []keyShape{
				{ID: 0, CreatedAt: created, RetiredAt: now.Add(time.Hour - life), ExpiresAt: now.Add(time.Hour)},
				{ID: math.MaxUint32, CreatedAt: created, RetiredAt: now, ExpiresAt: now.Add(life)},
				{ID: 1, CreatedAt: now},
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			l := life
			if tc.life < 0 {
				l = 0
			}
			in := append([]Key(nil), tc.in...)
			before := shapes(in)
			got := Rotate(in, now, l)
			if d := cmp.Diff(tc.want, shapes(got), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Rotate (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, shapes(in), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Rotate mutated its input:\n%s", d)
			}
			fresh := got[len(got)-1]
			if len(fresh.Secret) != SecretLen || bytes.Equal(fresh.Secret, make([]byte, SecretLen)) {
				t.Errorf("new key secret is %d bytes / all zero", len(fresh.Secret))
			}
			for _, k := range tc.in {
				if bytes.Equal(k.Secret, fresh.Secret) {
					t.Error("new key reuses an old secret")
				}
			}
			if _, err := NewRing(got); err != nil {
				t.Errorf("rotated keys do not make a ring: %v", err)
			}
		})
	}
}

func TestRotate_DoesNotShareBackingArray(t *testing.T) {
	in := make([]Key, 1, 4)
	in[0] = testKey(1, "a")
	out := Rotate(in, t0, time.Hour)
	out[0].ID = 99
	if in[0].ID != 1 || !in[0].Active() {
		t.Fatal("Rotate's result shares memory with its input")
	}
}

func TestPrune(t *testing.T) {
	now := t0
	a := testKey(5, "a")
	r := func(id uint32, expires time.Time) Key { return retired(testKey(id, "x"), now.Add(-time.Hour), expires) }
	for name, tc := range map[string]struct {
		in   []Key
		want []uint32
	}{
		"ok/empty":                  {nil, nil},
		"ok/active only":            {[]Key{a}, []uint32{5}},
		"ok/expired before now":     {[]Key{r(1, now.Add(-time.Nanosecond)), a}, []uint32{5}},
		"ok/expires exactly now":    {[]Key{r(1, now), a}, []uint32{5}},
		"ok/expires after now":      {[]Key{r(1, now.Add(time.Nanosecond)), a}, []uint32{1, 5}},
		"ok/keeps order":            {[]Key{r(3, now.Add(time.Hour)), r(1, now), a, r(2, now.Add(time.Hour))}, []uint32{3, 5, 2}},
		"ok/retired without expiry": {[]Key{r(1, time.Time{}), a}, []uint32{5}},
		"ok/active never pruned":    {[]Key{{ID: 7, Secret: testSecret("7")}}, []uint32{7}},
	} {
		t.Run(name, func(t *testing.T) {
			in := append([]Key(nil), tc.in...)
			before := shapes(in)
			var got []uint32
			for _, k := range Prune(in, now) {
				got = append(got, k.ID)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Prune ids (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, shapes(in), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Prune mutated its input:\n%s", d)
			}
		})
	}
}

func TestNewRing(t *testing.T) {
	good := testKey(1, "a")
	old := retired(testKey(2, "b"), t0, t0.Add(time.Hour))
	withSecret := func(k Key, n int) Key { k.Secret = make([]byte, n); return k }
	for name, tc := range map[string]struct {
		keys   []Key
		wantOK bool
	}{
		"ok/one active":                   {[]Key{good}, true},
		"ok/active and retired":           {[]Key{old, good}, true},
		"ok/retired key already expired":  {[]Key{retired(testKey(3, "c"), t0, t0), good}, true},
		"fail/no keys":                    {nil, false},
		"fail/no active key":              {[]Key{old}, false},
		"fail/two active keys":            {[]Key{good, testKey(2, "b")}, false},
		"fail/duplicate id":               {[]Key{good, retired(testKey(1, "b"), t0, t0.Add(time.Hour))}, false},
		"fail/short secret":               {[]Key{withSecret(good, 31)}, false},
		"fail/long secret":                {[]Key{withSecret(good, 33)}, false},
		"fail/AES-128 secret":             {[]Key{withSecret(good, 16)}, false},
		"fail/no secret":                  {[]Key{withSecret(good, 0)}, false},
		"fail/retired key without expiry": {[]Key{retired(testKey(2, "b"), t0, time.Time{}), good}, false},
		"fail/active key with expiry":     {[]Key{{ID: 1, Secret: testSecret("a"), ExpiresAt: t0}}, false},
		"fail/bad retired secret":         {[]Key{withSecret(old, 8), good}, false},
	} {
		t.Run(name, func(t *testing.T) {
			r, err := NewRing(tc.keys)
			if tc.wantOK {
				if err != nil {
					t.Fatalf("NewRing: %v", err)
				}
				for _, k := range tc.keys {
					if !r.Has(k.ID) {
						t.Errorf("ring lacks key %d", k.ID)
					}
				}
				if r.Has(42) {
					t.Error("ring has key 42")
				}
				return
			}
			if !errors.Is(err, ErrInvalidRing) || r != nil {
				t.Fatalf("NewRing = %v, %v; want ErrInvalidRing", r, err)
			}
		})
	}
}

func TestRing_IsASnapshot(t *testing.T) {
	k := testKey(1, "a")
	secret := bytes.Clone(k.Secret)
	r := mustRing(t, k)
	tok := mustSeal(t, r, sessionClaims())
	clear(k.Secret) // the caller reuses its buffer
	if _, err := Open(r, tok, t0); err != nil {
		t.Fatalf("ring changed with its input: %v", err)
	}
	a := r.Active()
	if a.ID != 1 || !bytes.Equal(a.Secret, secret) || !a.Active() {
		t.Fatalf("Active() = %v", a)
	}
	clear(a.Secret)
	if _, err := Open(r, tok, t0); err != nil {
		t.Fatalf("ring changed through Active(): %v", err)
	}
	if !bytes.Equal(r.Active().Secret, secret) {
		t.Fatal("Active() exposes the ring's own secret")
	}
}
