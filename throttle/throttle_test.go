package throttle

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts/internal/clock"
)

var epoch = time.Unix(1_700_000_000, 0)

func mustNew(tb testing.TB, cfg Config) *Limiter {
	tb.Helper()
	l, err := New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	return l
}

func TestNew_Config(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		problems int // 0: valid
	}{
		{name: "ok/zero value limits nothing", cfg: Config{}},
		{name: "ok/both", cfg: Config{KeyRate: 10, KeyBurst: 20, IPRate: 50, IPBurst: 100, MaxTracked: 10}},
		{name: "ok/fractional rate", cfg: Config{KeyRate: 0.5, KeyBurst: 1}},
		{name: "ok/burst without rate is ignored", cfg: Config{KeyBurst: 5}},
		{name: "fail/negative key rate", cfg: Config{KeyRate: -1, KeyBurst: 1}, problems: 1},
		{name: "fail/negative ip rate", cfg: Config{IPRate: -0.5, IPBurst: 1}, problems: 1},
		{name: "fail/NaN rate", cfg: Config{KeyRate: math.NaN(), KeyBurst: 1}, problems: 1},
		{name: "fail/infinite rate", cfg: Config{IPRate: math.Inf(1), IPBurst: 1}, problems: 1},
		{name: "fail/key burst 0 with rate", cfg: Config{KeyRate: 1}, problems: 1},
		{name: "fail/ip burst 0 with rate", cfg: Config{IPRate: 1}, problems: 1},
		{name: "fail/negative burst", cfg: Config{IPBurst: -1}, problems: 1},
		{name: "fail/negative MaxTracked", cfg: Config{MaxTracked: -1}, problems: 1},
		{name: "fail/every problem reported", cfg: Config{KeyRate: -1, IPRate: 2, IPBurst: 0, MaxTracked: -5}, problems: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.cfg)
			if tt.problems == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if l == nil {
					t.Fatal("New returned a nil Limiter")
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			var joined interface{ Unwrap() []error }
			if !errors.As(err, &joined) {
				t.Fatalf("error %v is not a joined error", err)
			}
			if got := len(joined.Unwrap()); got != tt.problems {
				t.Errorf("reported %d problems (%v), want %d", got, err, tt.problems)
			}
		})
	}
}

// step advances the clock by advance, then makes calls requests; the first
// allowed of them must succeed and the rest be refused.
type step struct {
	advance time.Duration
	calls   int
	allowed int
}

func TestLimiter_BurstThenRefill(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{
			name: "ok/burst 3 at 2 per second",
			rate: 2, burst: 3,
			steps: []step{
				{0, 5, 3},                      // full bucket on first sight
				{499 * time.Millisecond, 1, 0}, // 0.998 tokens: not yet
				{1 * time.Millisecond, 2, 1},   // exactly one token at 500 ms
				{10 * time.Second, 5, 3},       // refill stops at the burst
			},
		},
		{
			name: "ok/burst 1 at one per 10 seconds",
			rate: 0.1, burst: 1,
			steps: []step{
				{0, 2, 1},
				{9999 * time.Millisecond, 1, 0},
				{1 * time.Millisecond, 2, 1},
			},
		},
		{
			name: "ok/partial tokens carry over",
			rate: 1, burst: 2,
			steps: []step{
				{0, 3, 2},
				{1500 * time.Millisecond, 3, 1}, // 1.5 tokens: one request, 0.5 left
				{500 * time.Millisecond, 2, 1},  // 0.5 + 0.5
			},
		},
		{
			name: "ok/fast rate",
			rate: 100, burst: 5,
			steps: []step{
				{0, 6, 5},
				{10 * time.Millisecond, 2, 1},
				{50 * time.Millisecond, 10, 5},
			},
		},
		{
			name: "ok/clock going backwards grants nothing",
			rate: 1, burst: 1,
			steps: []step{
				{0, 1, 1},
				{-time.Hour, 1, 0},
				{time.Hour, 1, 0}, // back where it was: still empty
				{time.Second, 1, 1},
			},
		},
	}
	for _, tt := range tests {
		for _, kind := range []string{"key", "ip"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				clk := clock.NewFake(epoch)
				cfg := Config{Now: clk.Now}
				allow := func() bool { return false }
				var refused func(Stats) uint64
				if kind == "key" {
					cfg.KeyRate, cfg.KeyBurst = tt.rate, tt.burst
					l := mustNew(t, cfg)
					allow = func() bool { return l.AllowKey("AKIAEXAMPLE") }
					refused = func(Stats) uint64 { return l.Stats().RefusedKeys }
				} else {
					cfg.IPRate, cfg.IPBurst = tt.rate, tt.burst
					l := mustNew(t, cfg)
					allow = func() bool { return l.AllowIP("192.0.2.1:5555") }
					refused = func(Stats) uint64 { return l.Stats().RefusedIPs }
				}
				var wantRefused uint64
				for i, s := range tt.steps {
					clk.Advance(s.advance)
					for c := range s.calls {
						want := c < s.allowed
						if got := allow(); got != want {
							t.Fatalf("step %d (+%v) call %d: allowed %v, want %v", i, s.advance, c+1, got, want)
						}
					}
					wantRefused += uint64(s.calls - s.allowed)
				}
				if got := refused(Stats{}); got != wantRefused {
					t.Errorf("Stats refused = %d, want %d", got, wantRefused)
				}
			})
		}
	}
}

func TestLimiter_Disabled(t *testing.T) {
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: 1})
	for range 100 {
		if !l.AllowIP("192.0.2.1") {
			t.Fatal("AllowIP refused with IPRate 0")
		}
	}
	l.AllowKey("a")
	if !l.AllowKey("b") {
		t.Fatal("AllowKey refused a fresh key")
	}
	if got, want := l.Stats(), (Stats{TrackedKeys: 2}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}

	off := mustNew(t, Config{})
	for range 100 {
		if !off.AllowKey("a") || !off.AllowIP("192.0.2.1") {
			t.Fatal("zero Config refused a request")
		}
	}
	if got := off.Stats(); got != (Stats{}) {
		t.Errorf("Stats = %+v, want zero", got)
	}
}

// TestLimiter_Isolation: a key or address that has spent its bucket, and
// keeps hammering, leaves every other bucket untouched.
func TestLimiter_Isolation(t *testing.T) {
	const burst = 5
	clk := clock.NewFake(epoch)
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: burst, IPRate: 1, IPBurst: burst, Now: clk.Now})

	for range 1000 {
		l.AllowKey("AKIANOISY")
		l.AllowIP("192.0.2.66")
	}
	if l.AllowKey("AKIANOISY") || l.AllowIP("192.0.2.66") {
		t.Fatal("noisy key or address still allowed after 1000 requests")
	}
	for _, key := range []string{"AKIAQUIET1", "AKIAQUIET2", "192.0.2.66"} {
		for i := range burst {
			if !l.AllowKey(key) {
				t.Fatalf("key %s refused on request %d of its burst %d", key, i+1, burst)
			}
		}
		if l.AllowKey(key) {
			t.Errorf("key %s allowed beyond its burst", key)
		}
	}
	for _, ip := range []string{"192.0.2.67", "2001:db8::1", "[2001:db8:0:1::1]:443"} {
		for i := range burst {
			if !l.AllowIP(ip) {
				t.Fatalf("address %s refused on request %d of its burst %d", ip, i+1, burst)
			}
		}
	}
}

// TestLimiter_IsolationUnderLoad runs the noisy key concurrently with the
// quiet ones on a stopped clock: each quiet key gets exactly its burst.
func TestLimiter_IsolationUnderLoad(t *testing.T) {
	const burst, quiet = 20, 8
	clk := clock.NewFake(epoch)
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: burst, Now: clk.Now})

	stop := make(chan struct{})
	var noisy sync.WaitGroup
	for range 4 {
		noisy.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					l.AllowKey("AKIANOISY")
				}
			}
		})
	}
	var wg sync.WaitGroup
	got := make([]int, quiet)
	for i := range quiet {
		wg.Go(func() {
			for range 3 * burst {
				if l.AllowKey(fmt.Sprintf("AKIAQUIET%d", i)) {
					got[i]++
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	noisy.Wait()
	for i, n := range got {
		if n != burst {
			t.Errorf("quiet key %d: %d requests allowed, want %d", i, n, burst)
		}
	}
}

func TestLimiter_IPGrouping(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"same/ipv6 one /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true},
		{"same/ipv6 with port", "[2001:db8:1:2::1]:443", "2001:db8:1:2:abcd::9", true},
		{"same/ipv6 zone dropped", "fe80::1%eth0", "fe80::2%eth1", true},
		{"same/ipv6 loopback with port", "[::1]:80", "::1", true},
		{"same/ipv4 with port", "192.0.2.1:5555", "192.0.2.1", true},
		{"same/ipv4-mapped is ipv4", "::ffff:192.0.2.1", "192.0.2.1", true},
		{"same/unparseable share one bucket", "not-an-address", "", true},
		{"different/ipv6 next /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"different/ipv4 next /32", "192.0.2.1", "192.0.2.2", false},
		{"different/ipv4-mapped neighbours", "::ffff:192.0.2.1", "::ffff:192.0.2.2", false},
		{"different/ipv4 and ipv6 with equal bits", "0.0.0.0", "::", false},
		{"different/ipv4 and ipv6 loopback", "0.0.0.1", "::1", false},
		{"different/unparseable and an address", "not-an-address", "0.0.0.0", false},
		{"different/unparseable and ipv6 zero", "garbage", "::", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustNew(t, Config{IPRate: 1, IPBurst: 1, Now: clock.NewFake(epoch).Now})
			if !l.AllowIP(tt.a) {
				t.Fatalf("first request from %q refused", tt.a)
			}
			if got := l.AllowIP(tt.b); got == tt.same {
				t.Errorf("after %q spent its token, %q allowed = %v; want same bucket = %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestLimiter_EvictionBound(t *testing.T) {
	for _, max := range []int{1, 2, 3, 64, 100, 1000} {
		t.Run(fmt.Sprintf("ok/MaxTracked %d", max), func(t *testing.T) {
			l := mustNew(t, Config{KeyRate: 1, KeyBurst: 1, IPRate: 1, IPBurst: 1, MaxTracked: max, Now: clock.NewFake(epoch).Now})
			n := 20 * max
			for i := range n {
				l.AllowKey(fmt.Sprintf("AKIA%08d", i))
				l.AllowIP(fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff))
				if i%97 == 0 || i == n-1 {
					if s := l.Stats(); s.TrackedKeys > max || s.TrackedIPs > max {
						t.Fatalf("after %d new entries: tracked %d keys, %d addresses; bound %d", i+1, s.TrackedKeys, s.TrackedIPs, max)
					}
				}
			}
			// Every shard has seen far more keys than it holds, so all
			// are full: the bound is used exactly, not merely respected.
			s := l.Stats()
			want := Stats{
				TrackedKeys: max, TrackedIPs: max,
				EvictedKeys: uint64(n - max), EvictedIPs: uint64(n - max),
			}
			if s != want {
				t.Errorf("Stats = %+v, want %+v", s, want)
			}
		})
	}
}

func TestLimiter_DefaultMaxTracked(t *testing.T) {
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: 1})
	total := 0
	for i := range l.keys.shards {
		total += l.keys.shards[i].max
	}
	if total != DefaultMaxTracked || len(l.keys.shards) != defaultShards {
		t.Errorf("default table: %d shards holding %d, want %d holding %d", len(l.keys.shards), total, defaultShards, DefaultMaxTracked)
	}
}

// TestLimiter_EvictedComesBackFull pins the documented trade-off of the
// memory bound: a forgotten key starts again with a full bucket.
func TestLimiter_EvictedComesBackFull(t *testing.T) {
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: 2, MaxTracked: 1, Now: clock.NewFake(epoch).Now})
	l.AllowKey("a")
	l.AllowKey("a")
	if l.AllowKey("a") {
		t.Fatal("a allowed beyond its burst")
	}
	l.AllowKey("b") // evicts a
	for i := range 2 {
		if !l.AllowKey("a") {
			t.Fatalf("evicted key refused on request %d; want a full bucket", i+1)
		}
	}
	if got := l.Stats().EvictedKeys; got != 2 {
		t.Errorf("EvictedKeys = %d, want 2", got)
	}
}

// TestLimiter_LRUOrder uses a single shard, where eviction order is exact.
func TestLimiter_LRUOrder(t *testing.T) {
	l, err := newLimiter(Config{KeyRate: 1, KeyBurst: 1, MaxTracked: 2, Now: clock.NewFake(epoch).Now}, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.AllowKey("a")
	l.AllowKey("b")
	if l.AllowKey("a") { // refused, but a becomes the most recent
		t.Fatal("a allowed twice with burst 1")
	}
	l.AllowKey("c") // evicts b, the least recently used
	if l.AllowKey("a") {
		t.Error("a was evicted; want b (least recently used) evicted")
	}
	if !l.AllowKey("b") {
		t.Error("b still remembered; want it evicted and back with a full bucket")
	}
}

// TestLimiter_Concurrent: on a stopped clock, however many goroutines share
// a key, exactly burst requests get through; eviction under concurrency
// keeps the bound.
func TestLimiter_Concurrent(t *testing.T) {
	const burst, keys, workers, calls = 50, 16, 8, 100
	clk := clock.NewFake(epoch)
	l := mustNew(t, Config{KeyRate: 1, KeyBurst: burst, IPRate: 1, IPBurst: burst, Now: clk.Now})

	var mu sync.Mutex
	allowed := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			local := map[string]int{}
			for c := range calls {
				for k := range keys {
					key := fmt.Sprintf("AKIA%02d", (k+w+c)%keys)
					if l.AllowKey(key) {
						local[key]++
					}
					// One /64 per k; each worker uses its own host in it.
					if l.AllowIP(fmt.Sprintf("2001:db8:%x::%x", k, w)) {
						local[fmt.Sprintf("2001:db8:%x::/64", k)]++
					}
				}
			}
			mu.Lock()
			for k, n := range local {
				allowed[k] += n
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(allowed) != 2*keys {
		t.Fatalf("%d buckets allowed requests, want %d", len(allowed), 2*keys)
	}
	for k, n := range allowed {
		if n != burst {
			t.Errorf("%s: %d allowed, want exactly %d", k, n, burst)
		}
	}
	const refused = workers*calls*keys - keys*burst
	if s := l.Stats(); s.RefusedKeys != refused || s.RefusedIPs != refused {
		t.Errorf("Stats = %+v, want %d refused of each", s, refused)
	}

	small := mustNew(t, Config{KeyRate: 1, KeyBurst: 1, MaxTracked: 16, Now: clk.Now})
	for w := range workers {
		wg.Go(func() {
			for i := range 2000 {
				small.AllowKey(fmt.Sprintf("k%d-%d", w, i%300))
				if i%500 == 0 {
					clk.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	if s := small.Stats(); s.TrackedKeys != 16 {
		t.Errorf("TrackedKeys = %d after churn, want 16", s.TrackedKeys)
	}
}

func TestLimiter_NoAllocsForKnownEntries(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	l := mustNew(t, Config{KeyRate: 1e6, KeyBurst: 1e6, IPRate: 1e6, IPBurst: 1e6})
	for _, tt := range []struct {
		name string
		f    func() bool
	}{
		{"key", func() bool { return l.AllowKey("AKIAIOSFODNN7EXAMPLE") }},
		{"ipv4 with port", func() bool { return l.AllowIP("192.0.2.1:5555") }},
		{"ipv4", func() bool { return l.AllowIP("192.0.2.1") }},
		{"ipv6 with port", func() bool { return l.AllowIP("[2001:db8::1]:443") }},
		{"ipv6", func() bool { return l.AllowIP("2001:db8::1") }},
	} {
		tt.f()
		if n := testing.AllocsPerRun(1000, func() { tt.f() }); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tt.name, n)
		}
	}
}
