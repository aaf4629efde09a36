package throttle

import (
	"fmt"
	"sync/atomic"
	"testing"
)

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("AKIA%016d", i)
	}
	return keys
}

// spread runs allow in parallel over keys, each goroutine starting at a
// different place so they do not move in step.
func spread(b *testing.B, keys []string, allow func(string) bool) {
	var worker atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1) * 7919)
		for pb.Next() {
			allow(keys[i%len(keys)])
			i++
		}
	})
}

// BenchmarkAllowKey: many goroutines checking keys the limiter already
// knows, the steady state of a busy server.
func BenchmarkAllowKey(b *testing.B) {
	keys := benchKeys(1024)
	l := mustNew(b, Config{KeyRate: 1e6, KeyBurst: 1000})
	for _, k := range keys {
		l.AllowKey(k)
	}
	spread(b, keys, l.AllowKey)
}

// BenchmarkAllowKey_OneKey: every goroutine on the same key, the worst
// case for contention (one shard lock).
func BenchmarkAllowKey_OneKey(b *testing.B) {
	l := mustNew(b, Config{KeyRate: 1e6, KeyBurst: 1000})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.AllowKey("AKIAIOSFODNN7EXAMPLE")
		}
	})
}

// BenchmarkAllowKey_Churn: every request from a key the limiter has not
// seen, with the table full, so each one evicts. This is the cost of a
// flood of new keys, and its B/op is the memory of one entry.
func BenchmarkAllowKey_Churn(b *testing.B) {
	keys := benchKeys(1 << 16)
	l := mustNew(b, Config{KeyRate: 1, KeyBurst: 1, MaxTracked: 1024})
	spread(b, keys, l.AllowKey)
}

// BenchmarkAllowIP: known addresses given as http.Request.RemoteAddr is.
func BenchmarkAllowIP(b *testing.B) {
	addrs := make([]string, 1024)
	for i := range addrs {
		if i%2 == 0 {
			addrs[i] = fmt.Sprintf("10.0.%d.%d:%d", i>>8, i&0xff, 40000+i)
		} else {
			addrs[i] = fmt.Sprintf("[2001:db8:%x::1]:%d", i, 40000+i)
		}
	}
	l := mustNew(b, Config{IPRate: 1e6, IPBurst: 1000})
	for _, a := range addrs {
		l.AllowIP(a)
	}
	spread(b, addrs, l.AllowIP)
}
