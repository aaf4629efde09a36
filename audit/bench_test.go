package audit

import (
	"context"
	"testing"
)

func BenchmarkRecord(b *testing.B) {
	l := mustOpen(b, Config{Path: tempPath(b)}, nil)
	ctx := context.Background()
	e := gstEvent()
	b.ReportAllocs()
	for b.Loop() {
		l.Record(ctx, e)
	}
	b.StopTimer()
	mustClose(b, l)
}

// BenchmarkRecordParallel is the default mode on a busy server: many
// Records in flight share each write (group commit).
func BenchmarkRecordParallel(b *testing.B) {
	l := mustOpen(b, Config{Path: tempPath(b)}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16) // many requests in flight, as on a busy server
	b.RunParallel(func(pb *testing.PB) {
		e := gstEvent()
		for pb.Next() {
			l.Record(ctx, e)
		}
	})
	b.StopTimer()
	mustClose(b, l)
}

func BenchmarkRecordSync(b *testing.B) {
	l := mustOpen(b, Config{Path: tempPath(b), Sync: true}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16) // many requests in flight, as on a busy server
	b.RunParallel(func(pb *testing.PB) {
		e := gstEvent()
		for pb.Next() {
			l.Record(ctx, e)
		}
	})
	b.StopTimer()
	mustClose(b, l)
}

func BenchmarkScan(b *testing.B) {
	path := tempPath(b)
	l := mustOpen(b, Config{Path: path}, nil)
	const events = 10000
	for i := range events {
		l.Record(context.Background(), seqEvent(i, 0))
	}
	mustClose(b, l)
	for _, bb := range []struct {
		name   string
		filter Filter
	}{
		// "Who got credentials for Bob?" over a trail of other events: the
		// prefilter rejects every line undecoded.
		{"prefiltered", Filter{EventName: "GetFederationToken", UserName: "Bob"}},
		// Every line decoded.
		{"decoded", Filter{Since: day1}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Scan(path, bb.filter, func(Record) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/record")
		})
	}
}
