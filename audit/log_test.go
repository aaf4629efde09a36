package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// probe wraps the audit file: it keeps a copy of every byte written, the
// length that was durable at the last fsync, and can stall writes or slow
// fsyncs.
type probe struct {
	sink
	mu         sync.Mutex
	written    []byte
	writes     int // successful Writes
	synced     int // len(written) at the last successful Sync
	syncs      int
	gate       chan struct{} // if set, Write waits until it is closed
	stalled    chan struct{} // closed when a Write first waits at gate
	stallOnce  sync.Once
	writeDelay time.Duration
	syncDelay  time.Duration
	syncGate   chan struct{} // if set, Sync waits until it is closed
	syncStall  chan struct{} // closed when a Sync first waits at syncGate
	syncOnce   sync.Once
}

func (p *probe) wrap(s sink) sink { p.sink = s; return p }

func (p *probe) Write(b []byte) (int, error) {
	if p.gate != nil {
		p.stallOnce.Do(func() { close(p.stalled) })
		<-p.gate
	}
	time.Sleep(p.writeDelay)
	n, err := p.sink.Write(b)
	p.mu.Lock()
	p.written = append(p.written, b[:n]...)
	if err == nil {
		p.writes++
	}
	p.mu.Unlock()
	return n, err
}

func (p *probe) Sync() error {
	if p.syncGate != nil {
		p.syncOnce.Do(func() { close(p.syncStall) })
		<-p.syncGate
	}
	time.Sleep(p.syncDelay)
	p.mu.Lock()
	n := len(p.written)
	p.mu.Unlock()
	if err := p.sink.Sync(); err != nil {
		return err
	}
	p.mu.Lock()
	p.synced, p.syncs = n, p.syncs+1
	p.mu.Unlock()
	return nil
}

func (p *probe) durable(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Contains(p.written[:p.synced], []byte(`"eventID":"`+id+`"`))
}

// wrote reports whether the line of event id has been written, fsynced or
// not.
func (p *probe) wrote(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Contains(p.written, []byte(`"eventID":"`+id+`"`))
}

func (p *probe) writeCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes
}

func (p *probe) counts() (written, synced, syncs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.written), p.synced, p.syncs
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOpen_Errors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
		want string
		is   error
	}{
		{"fail/no-path", Config{}, "path is required", nil},
		{"fail/negative-values", Config{Path: filepath.Join(dir, "a"), MaxSize: -1, MaxBackups: -1, FlushInterval: -1},
			"max size -1 is negative\nmax backups -1 is negative\nflush interval -1ns is negative", nil},
		{"fail/missing-dir", Config{Path: filepath.Join(dir, "nope", "audit.jsonl")}, "", fs.ErrNotExist},
		{"fail/directory", Config{Path: dir}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(tt.cfg)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestOpen_CreatesPrivateFileAndAppends(t *testing.T) {
	path := tempPath(t)
	for round := range 2 {
		l := mustOpen(t, Config{Path: path}, nil)
		l.Record(t.Context(), seqEvent(round, 0))
		mustClose(t, l)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
	if diff := cmp.Diff([]string{seqID(0), seqID(1)}, eventIDs(mustScan(t, path, Filter{}))); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestLog_Rotation(t *testing.T) {
	tests := []struct {
		name       string
		maxSize    int64
		maxBackups int
		pad        int
		events     int
		wantFiles  int // PATH plus backups; 0: don't check
		oneLine    bool
	}{
		{name: "ok/keeps-everything", maxSize: 4 << 10, maxBackups: 1000, pad: 100, events: 100},
		{name: "ok/drops-oldest", maxSize: 4 << 10, maxBackups: 3, pad: 100, events: 100, wantFiles: 4},
		{name: "ok/single-backup", maxSize: 4 << 10, maxBackups: 1, pad: 100, events: 100, wantFiles: 2},
		{name: "ok/line-larger-than-max", maxSize: 300, maxBackups: 1000, pad: 600, events: 12, oneLine: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path, MaxSize: tt.maxSize, MaxBackups: tt.maxBackups}, nil)
			for i := range tt.events {
				l.Record(t.Context(), seqEvent(i, tt.pad))
			}
			mustClose(t, l)

			files, err := logFiles(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) < 2 {
				t.Fatalf("only %d file(s): no rotation happened", len(files))
			}
			if tt.wantFiles != 0 && len(files) != tt.wantFiles {
				t.Errorf("%d files, want %d: %v", len(files), tt.wantFiles, files)
			}
			if _, err := os.Stat(fmt.Sprintf("%s.%d", path, tt.maxBackups+1)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("backup beyond MaxBackups exists (err %v)", err)
			}
			for _, name := range files {
				b, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				fi, _ := os.Stat(name)
				if perm := fi.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s: mode %o, want 600", name, perm)
				}
				lines := bytes.Count(b, []byte("\n"))
				switch {
				case len(b) == 0 && name != path:
					t.Errorf("%s is empty", name)
				case len(b) > 0 && b[len(b)-1] != '\n':
					t.Errorf("%s ends in a partial line", name)
				case tt.oneLine && lines != 1 && name != path:
					t.Errorf("%s holds %d lines, want 1", name, lines)
				case !tt.oneLine && int64(len(b)) > tt.maxSize:
					t.Errorf("%s is %d bytes, over MaxSize %d", name, len(b), tt.maxSize)
				}
			}

			// Every surviving event is whole, present once, in order, and
			// the survivors are the newest ones.
			got := eventIDs(mustScan(t, path, Filter{}))
			first := tt.events - len(got)
			want := make([]string, 0, len(got))
			for i := first; i < tt.events; i++ {
				want = append(want, seqID(i))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if tt.wantFiles == 0 && first != 0 {
				t.Errorf("%d oldest events lost with MaxBackups %d", first, tt.maxBackups)
			}
		})
	}
}

func TestLog_ConcurrentRecords(t *testing.T) {
	const writers, each = 16, 100
	path := tempPath(t)
	l := mustOpen(t, Config{Path: path, MaxSize: 32 << 10, MaxBackups: 1000}, nil)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				l.Record(t.Context(), seqEvent(w*each+i, 40))
			}
		})
	}
	wg.Wait()
	mustClose(t, l)

	lines := 0
	files, _ := logFiles(path)
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines++
			if !json.Valid(sc.Bytes()) {
				t.Errorf("%s: invalid line %q", name, sc.Text())
			}
		}
		f.Close()
	}
	if lines != writers*each {
		t.Errorf("%d lines, want %d", lines, writers*each)
	}
	seen := map[string]bool{}
	last := map[int]int{} // writer → last sequence seen: each writer's events stay in order
	for _, r := range mustScan(t, path, Filter{}) {
		if seen[r.EventID] {
			t.Errorf("event %s written twice", r.EventID)
		}
		seen[r.EventID] = true
		var seq int
		fmt.Sscanf(r.EventID, "evt-%d", &seq)
		w := seq / each
		if prev, ok := last[w]; ok && seq <= prev {
			t.Errorf("writer %d: event %d after %d", w, seq, prev)
		}
		last[w] = seq
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct events, want %d", len(seen), writers*each)
	}
}

// TestLog_SyncMode checks that, with Sync, Record returns only once its line
// is fsynced, and that concurrent Records share fsyncs.
func TestLog_SyncMode(t *testing.T) {
	const writers, each = 8, 25
	path := tempPath(t)
	p := &probe{syncDelay: 2 * time.Millisecond}
	// An hour-long interval: only Sync-mode waiters can cause an fsync.
	l := mustOpen(t, Config{Path: path, Sync: true, FlushInterval: time.Hour}, p.wrap)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := w*each + i
				l.Record(t.Context(), seqEvent(id, 0))
				if !p.durable(seqID(id)) {
					t.Errorf("Record(%s) returned before its line was fsynced", seqID(id))
				}
				b, err := os.ReadFile(path)
				if err != nil || !bytes.Contains(b, []byte(seqID(id))) {
					t.Errorf("Record(%s) returned before its line was in the file (err %v)", seqID(id), err)
				}
			}
		})
	}
	wg.Wait()
	_, _, syncs := p.counts()
	if syncs == 0 || syncs > writers*each/2 {
		t.Errorf("%d fsyncs for %d concurrent events, want group commit (at most %d)", syncs, writers*each, writers*each/2)
	}
	t.Logf("%d events, %d fsyncs", writers*each, syncs)
	mustClose(t, l)
}

// TestLog_WrittenBeforeReturn checks that, in the default mode, Record
// returns only once its line has been written to the file, with no fsync
// (issue 9 §5: acknowledged but unaudited after kill -9), and that
// concurrent Records share writes (group commit).
func TestLog_WrittenBeforeReturn(t *testing.T) {
	const writers, each = 16, 15 // under flushBytes in all
	path := tempPath(t)
	// Slow writes let Records gather while one is in progress, as on a
	// busy server. An hour-long interval: nothing is fsynced before Close.
	p := &probe{writeDelay: time.Millisecond}
	l := mustOpen(t, Config{Path: path, FlushInterval: time.Hour}, p.wrap)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := w*each + i
				l.Record(t.Context(), seqEvent(id, 0))
				if !p.wrote(seqID(id)) {
					t.Errorf("Record(%s) returned before its line was written", seqID(id))
				}
				b, err := os.ReadFile(path)
				if err != nil || !bytes.Contains(b, []byte(seqID(id))) {
					t.Errorf("Record(%s) returned before its line was in the file (err %v)", seqID(id), err)
				}
			}
		})
	}
	wg.Wait()
	if _, _, syncs := p.counts(); syncs != 0 {
		t.Errorf("%d fsyncs before Close with an hour-long interval, want 0", syncs)
	}
	writes := p.writeCount()
	if writes == 0 || writes > writers*each/2 {
		t.Errorf("%d writes for %d concurrent events, want group commit (at most %d)", writes, writers*each, writers*each/2)
	}
	t.Logf("%d events, %d writes", writers*each, writes)
	mustClose(t, l)
}

// TestLog_FsyncOffRequestPath checks that, in the default mode, Records do
// not wait for fsync: while one is stalled, they still return once their
// lines are written.
func TestLog_FsyncOffRequestPath(t *testing.T) {
	const events = 100
	p := &probe{syncGate: make(chan struct{}), syncStall: make(chan struct{})}
	l := mustOpen(t, Config{Path: tempPath(t), FlushInterval: 5 * time.Millisecond}, p.wrap)
	release := sync.OnceFunc(func() { close(p.syncGate) })
	t.Cleanup(release) // runs before mustOpen's Close, so a failing test cannot hang

	l.Record(t.Context(), seqEvent(0, 0))
	<-p.syncStall // the interval's fsync is stalled
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := 1 + w; i < events; i += 4 {
					l.Record(t.Context(), seqEvent(i, 0))
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatal("Records waited for a stalled fsync")
	}
	for i := range events {
		if !p.wrote(seqID(i)) {
			t.Errorf("event %s not written", seqID(i))
		}
	}
	release()
	mustClose(t, l)
	if written, synced, _ := p.counts(); synced != written {
		t.Errorf("after Close: %d bytes written, %d fsynced", written, synced)
	}
}

func TestLog_AsyncFsync(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		events   int
		pad      int
	}{
		// The interval elapses: what was written gets fsynced without Close.
		{name: "ok/interval", interval: 20 * time.Millisecond, events: 3},
		// An hour-long interval, but 256 KiB pending force an fsync.
		{name: "ok/size", interval: time.Hour, events: 600, pad: 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{}
			l := mustOpen(t, Config{Path: tempPath(t), FlushInterval: tt.interval}, p.wrap)
			for i := range tt.events {
				l.Record(t.Context(), seqEvent(i, tt.pad))
			}
			eventually(t, "an fsync", func() bool { _, _, syncs := p.counts(); return syncs > 0 })
			if tt.interval == time.Hour {
				if _, synced, _ := p.counts(); synced < flushBytes {
					t.Errorf("fsynced %d bytes, want at least %d", synced, flushBytes)
				}
			} else {
				eventually(t, "the last event fsynced", func() bool { return p.durable(seqID(tt.events - 1)) })
			}
			mustClose(t, l)
		})
	}
}

// TestLog_Backpressure stalls the writer: no Record returns while its line
// is unwritten, more concurrent Records than the queue holds fill it, then
// block, and once the writer resumes every event is written, in order,
// exactly once.
func TestLog_Backpressure(t *testing.T) {
	// A small queue keeps the test fast; the default is pinned below. Every
	// Record waits for its write, so only more producers than the queue
	// holds can fill it.
	const producers, each, queue = 150, 2, 100
	logger, logs := newLogger()
	path := tempPath(t)
	p := &probe{gate: make(chan struct{}), stalled: make(chan struct{})}
	l := mustOpenOpts(t, Config{Path: path, Logger: logger}, options{wrap: p.wrap, queueSize: queue})
	release := sync.OnceFunc(func() { close(p.gate) })
	t.Cleanup(release) // runs before mustOpen's Close, so a failing test cannot hang

	// Stall the writer on a first event, so it holds exactly one line.
	var returned atomic.Int64
	var wg sync.WaitGroup
	first := seqEvent(0, 0)
	first.EventID = "evt-first"
	wg.Go(func() {
		l.Record(t.Context(), first)
		returned.Add(1)
	})
	<-p.stalled

	for w := range producers {
		wg.Go(func() {
			for i := range each {
				l.Record(t.Context(), seqEvent(w*each+i, 0))
				returned.Add(1)
			}
		})
	}
	eventually(t, "a full queue", func() bool { return len(l.queue) == cap(l.queue) })
	eventually(t, "a blocked Record", func() bool { return l.waited.Load() > 0 })
	time.Sleep(100 * time.Millisecond) // give Records the chance to wrongly return
	if got := returned.Load(); got != 0 {
		t.Fatalf("%d Records returned while the writer was stalled before writing their lines", got)
	}
	if got := strings.Count(logs.String(), "audit queue full"); got != 1 {
		t.Errorf("queue-full warning logged %d times in one episode, want 1", got)
	}

	release()
	wg.Wait()
	mustClose(t, l)

	recs := mustScan(t, path, Filter{})
	if len(recs) != 1+producers*each {
		t.Fatalf("%d events written, want %d", len(recs), 1+producers*each)
	}
	if recs[0].EventID != "evt-first" {
		t.Errorf("first event %s, want evt-first", recs[0].EventID)
	}
	next := make([]int, producers)
	for _, r := range recs[1:] {
		var seq int
		fmt.Sscanf(r.EventID, "evt-%d", &seq)
		w := seq / each
		if want := w*each + next[w]; seq != want {
			t.Fatalf("producer %d: got event %d, want %d", w, seq, want)
		}
		next[w]++
	}
	if !strings.Contains(logs.String(), "audit queue drained") {
		t.Error("no log that the queue drained")
	}
}

func TestOpen_DefaultQueue(t *testing.T) {
	l := mustOpen(t, Config{Path: tempPath(t)}, nil)
	if got := cap(l.queue); got != 10000 {
		t.Errorf("queue capacity %d, want 10000", got)
	}
}

func TestLog_Close(t *testing.T) {
	t.Run("ok/flushes-and-fsyncs", func(t *testing.T) {
		p := &probe{}
		path := tempPath(t)
		l := mustOpen(t, Config{Path: path, FlushInterval: time.Hour}, p.wrap)
		for i := range 100 {
			l.Record(t.Context(), seqEvent(i, 0))
		}
		mustClose(t, l)
		if written, synced, _ := p.counts(); written == 0 || synced != written {
			t.Errorf("after Close: %d bytes written, %d fsynced", written, synced)
		}
		if got := len(mustScan(t, path, Filter{})); got != 100 {
			t.Errorf("%d events, want 100", got)
		}
	})
	t.Run("ok/twice", func(t *testing.T) {
		l := mustOpen(t, Config{Path: tempPath(t)}, nil)
		mustClose(t, l)
		if err := l.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	for _, sync := range []bool{false, true} {
		t.Run(fmt.Sprintf("ok/record-after-close/sync=%v", sync), func(t *testing.T) {
			logger, logs := newLogger()
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path, Sync: sync, Logger: logger}, nil)
			l.Record(t.Context(), seqEvent(0, 0))
			mustClose(t, l)
			l.Record(t.Context(), seqEvent(1, 0)) // must not panic, block or lose the event
			if diff := cmp.Diff([]string{seqID(0), seqID(1)}, eventIDs(mustScan(t, path, Filter{}))); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if !strings.Contains(logs.String(), "recorded after close") {
				t.Errorf("no error logged; log:\n%s", logs)
			}
		})
	}
	t.Run("ok/concurrent-with-records", func(t *testing.T) {
		path := tempPath(t)
		l := mustOpen(t, Config{Path: path}, nil)
		var recorded atomic.Int64
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 100 {
					l.Record(t.Context(), seqEvent(w*100+i, 0))
					recorded.Add(1)
				}
			})
		}
		eventually(t, "some records", func() bool { return recorded.Load() > 20 })
		mustClose(t, l)
		wg.Wait()
		if got := len(mustScan(t, path, Filter{})); got != 400 {
			t.Errorf("%d events written, want 400", got)
		}
	})
}

// TestLog_Stdout swaps the package's standard output; it must not run in
// parallel with other tests that use "-".
func TestLog_Stdout(t *testing.T) {
	for _, sync := range []bool{false, true} {
		t.Run(fmt.Sprintf("sync=%v", sync), func(t *testing.T) {
			var out logBuf
			stdout = &out
			t.Cleanup(func() { stdout = os.Stdout })
			l := mustOpen(t, Config{Path: "-", Sync: sync, MaxSize: 10}, nil)
			for i := range 3 {
				l.Record(t.Context(), seqEvent(i, 50))
				if !strings.Contains(out.String(), seqID(i)) {
					t.Errorf("Record(%s) returned before its line was written to standard output", seqID(i))
				}
			}
			mustClose(t, l)
			l.Record(t.Context(), seqEvent(3, 0))
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(got) != 4 {
				t.Fatalf("%d lines on stdout, want 4:\n%s", len(got), out.String())
			}
			for i, line := range got {
				if !strings.Contains(line, seqID(i)) {
					t.Errorf("line %d = %s, want %s", i, line, seqID(i))
				}
			}
		})
	}
}
