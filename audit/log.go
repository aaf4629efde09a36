package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opensts/opensts"
)

// Defaults and limits.
const (
	DefaultMaxSize       = 100 << 20 // bytes per file before rotation
	DefaultMaxBackups    = 10        // rotated files kept: PATH.1 … PATH.10
	DefaultFlushInterval = time.Second

	// flushBytes bounds one write (a batch) and forces an fsync once this
	// many bytes are unsynced, whatever the interval.
	flushBytes = 256 << 10
	// queueSize bounds the events waiting for the writer. When it is full,
	// Record blocks (backpressure) rather than drop an event.
	queueSize = 10000
)

// Config configures a Log. The zero value of every field but Path works.
type Config struct {
	// Path is the JSON Lines file to append to, or "-" for standard output
	// (no rotation, no fsync). A file is created 0600; its directory must
	// exist.
	Path string
	// MaxSize is the size in bytes a file may reach before it is rotated
	// (default 100 MiB). A line is never split: a line that would cross the
	// limit starts the next file.
	MaxSize int64
	// MaxBackups is how many rotated files are kept, PATH.1 (newest) to
	// PATH.MaxBackups (oldest); the oldest is deleted on rotation (default
	// 10).
	MaxBackups int
	// FlushInterval is the longest a written event waits for fsync in the
	// default mode (default 1 s).
	FlushInterval time.Duration
	// Sync makes Record return only after its event is fsynced; by default
	// it returns once the event is written (handed to the operating
	// system). See the package documentation for the trade-off.
	Sync bool
	// Logger receives the Log's own warnings and errors (default: discard).
	Logger *slog.Logger
	// Now stamps events that carry no time (default time.Now).
	Now func() time.Time
}

// Log is the audit trail: an append-only, size-rotated JSON Lines file of
// CloudTrail-shaped records. It is an opensts.Auditor and is safe for
// concurrent use.
type Log struct {
	path       string // "" when writing to standard output
	maxSize    int64
	maxBackups int
	interval   time.Duration
	sync       bool
	log        *slog.Logger
	now        func() time.Time
	wrap       func(sink) sink // tests: observe or stall the file

	queue chan entry
	// mu is held for reading by Record while it hands an event over and for
	// writing by Close, so no event is enqueued after the writer's last
	// drain.
	mu         sync.RWMutex
	closed     bool
	stop       chan struct{} // closed by Close: drain, fsync, exit
	done       chan struct{} // closed by the writer when it has exited
	syncerDone chan struct{} // closed by the syncer when it has exited
	kick       chan struct{} // default mode: flushBytes are unsynced, the syncer should fsync
	closing    atomic.Bool   // Close has begun: the writer accepts events even while failing
	once       sync.Once
	err        error // Close's result, set by the writer before done

	full   atomic.Bool  // a backpressure episode is in progress
	waited atomic.Int64 // Records that blocked during the episode
	warned sync.Map     // secret-named members already reported, per action
	lateMu sync.Mutex   // serialises Records that arrive after Close

	// File state, guarded by io: the writer goroutine holds it while it
	// takes, writes (and in Sync mode fsyncs) a batch, a Record that finds
	// the writer idle holds it to write its own line (Record's direct
	// path), and the syncer holds it around, not during, its fsync.
	io          sync.Mutex
	out         sink
	gen         int    // counts the files out has been: rotation replaces it
	size        int64  // bytes in the current file
	synced      int64  // size at the last fsync
	batch       []byte // lines taken from the queue, not yet written
	waiters     []chan struct{}
	failing     bool // the last write, or Sync mode's fsync, failed (reported once)
	syncFailing bool // default mode: the syncer's last fsync failed (reported once)
	rotateHold  bool // a rotation failed: no retry before the next tick
}

type entry struct {
	line []byte
	done chan struct{} // signalled once the line is written (Sync mode: fsynced)
}

// sink is where lines go: the audit file, or standard output.
type sink interface {
	io.Writer
	Sync() error
	Close() error
}

// stdout is standard output; a variable so tests can capture it.
var stdout io.Writer = os.Stdout

type stdoutSink struct{}

func (stdoutSink) Write(p []byte) (int, error) { return stdout.Write(p) }
func (stdoutSink) Sync() error                 { return nil }
func (stdoutSink) Close() error                { return nil }

var _ opensts.Auditor = (*Log)(nil)

// Open opens (creating it 0600 if needed) the audit trail described by cfg
// and starts its writer. If the file ends in a partial line, left by a crash,
// it is rotated away untouched, so the partial line stays the last line of
// its file and no new line is ever glued to it.
func Open(cfg Config) (*Log, error) { return open(cfg, options{}) }

// options are knobs for tests.
type options struct {
	wrap      func(sink) sink // observe or stall the file
	queueSize int             // default queueSize
}

func open(cfg Config, opts options) (*Log, error) {
	var errs []error
	if cfg.Path == "" {
		errs = append(errs, errors.New("path is required"))
	}
	if cfg.MaxSize < 0 {
		errs = append(errs, fmt.Errorf("max size %d is negative", cfg.MaxSize))
	}
	if cfg.MaxBackups < 0 {
		errs = append(errs, fmt.Errorf("max backups %d is negative", cfg.MaxBackups))
	}
	if cfg.FlushInterval < 0 {
		errs = append(errs, fmt.Errorf("flush interval %v is negative", cfg.FlushInterval))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l := &Log{
		path:       cfg.Path,
		maxSize:    cfg.MaxSize,
		maxBackups: cfg.MaxBackups,
		interval:   cfg.FlushInterval,
		sync:       cfg.Sync,
		log:        cfg.Logger,
		now:        cfg.Now,
		wrap:       opts.wrap,
		queue:      make(chan entry, cmp.Or(opts.queueSize, queueSize)),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		syncerDone: make(chan struct{}),
		kick:       make(chan struct{}, 1),
	}
	if l.maxSize == 0 {
		l.maxSize = DefaultMaxSize
	}
	if l.maxBackups == 0 {
		l.maxBackups = DefaultMaxBackups
	}
	if l.interval == 0 {
		l.interval = DefaultFlushInterval
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.now == nil {
		l.now = time.Now
	}
	if cfg.Path == "-" {
		l.path = ""
		l.out = l.wrapped(stdoutSink{})
	} else {
		if err := l.openFile(); err != nil {
			return nil, err
		}
	}
	go l.run()
	if l.sync {
		close(l.syncerDone) // every batch is fsynced before its Records return
	} else {
		go l.syncer()
	}
	return l, nil
}

func (l *Log) wrapped(s sink) sink {
	if l.wrap != nil {
		return l.wrap(s)
	}
	return s
}

// openFile opens the audit file for appending, rotating away a file that
// ends in a partial line.
func (l *Log) openFile() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log %s: %w", l.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open audit log %s: %w", l.path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("open audit log %s: not a regular file", l.path)
	}
	l.out, l.size = l.wrapped(f), fi.Size()
	l.synced = l.size
	if l.size > 0 {
		partial, err := endsInPartialLine(l.path, l.size)
		if err != nil {
			f.Close()
			return fmt.Errorf("open audit log %s: %w", l.path, err)
		}
		if partial {
			l.log.Warn("audit log ends in a partial line (a crash while writing); rotating it away untouched", "path", l.path)
			if err := l.rotate(); err != nil {
				f.Close()
				return fmt.Errorf("open audit log %s: %w", l.path, err)
			}
			return nil
		}
	}
	if err := syncDir(filepath.Dir(l.path)); err != nil {
		f.Close()
		return fmt.Errorf("open audit log %s: %w", l.path, err)
	}
	return nil
}

func endsInPartialLine(path string, size int64) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.ReadAt(b[:], size-1); err != nil {
		return false, err
	}
	return b[0] != '\n', nil
}

// Record appends e to the audit trail and returns once its line has been
// written to the file (a write(2) has returned, so a crash of the process
// cannot lose it), or with Config.Sync once it is fsynced. Concurrent Records
// share writes (group commit). It never drops an event: when 10,000 events
// wait for the writer, Record blocks until there is room, and the first
// Record to block in each such episode logs a warning; while the file cannot
// be written, Record waits for it. ctx supplies request context to the Log's
// own log records only; cancelling it does not abandon the event.
//
// Secret-named members of e.RequestParameters and e.ResponseElements are
// dropped (see the package documentation). e is not retained or modified.
//
// A Record after Close does not panic and does not lose the event: it logs an
// error and appends the line synchronously, opening, writing, fsyncing and
// closing the file itself (no rotation).
func (l *Log) Record(ctx context.Context, e opensts.Event) {
	buf := linePool.Get().(*[]byte)
	line := l.encode(ctx, (*buf)[:0], e)
	// The line is copied into the batch before done is signalled, so it
	// goes back to the pool once Record is released.
	defer putLine(buf, line)
	done := donePool.Get().(chan struct{})
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		donePool.Put(done)
		l.recordLate(ctx, e, line)
		return
	}
	ent := entry{line: line, done: done}
	if l.direct(ent) {
		l.mu.RUnlock()
		<-done // already signalled, unless the write failed: then the writer retries it
		donePool.Put(done)
		return
	}
	select {
	case l.queue <- ent:
	default:
		if l.full.CompareAndSwap(false, true) {
			l.log.WarnContext(ctx, "audit queue full; requests wait for the audit writer",
				"capacity", cap(l.queue), "path", l.path)
		}
		l.waited.Add(1)
		l.queue <- ent
	}
	l.mu.RUnlock()
	<-done
	donePool.Put(done)
}

var donePool = sync.Pool{New: func() any { return make(chan struct{}, 1) }}

// linePool holds the buffers records are encoded into. A buffer grown past
// maxPooledLine by an unusually large record is not kept.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledLine = 16 << 10

func putLine(buf *[]byte, line []byte) {
	if cap(line) > maxPooledLine {
		return
	}
	*buf = line[:0]
	linePool.Put(buf)
}

// direct writes e on the caller's goroutine when nothing is queued and the
// writer is idle: on a server that is not busy, a handoff to the writer
// and back would cost more than the write itself. It reports false, having
// done nothing, when another line is queued or being written, or the file
// is failing; the caller then queues e, to be committed with the lines
// gathering while the current write runs.
func (l *Log) direct(e entry) bool {
	if len(l.queue) > 0 || !l.io.TryLock() {
		return false
	}
	defer l.io.Unlock()
	if l.failing || len(l.batch) > 0 || len(l.waiters) > 0 {
		return false
	}
	l.take(e)
	l.commit()
	return true
}

// recordLate writes a line that arrived after Close.
func (l *Log) recordLate(ctx context.Context, e opensts.Event, line []byte) {
	l.log.ErrorContext(ctx, "audit event recorded after close; writing it synchronously",
		"action", e.Name, "request_id", e.RequestID, "path", l.path)
	l.lateMu.Lock()
	defer l.lateMu.Unlock()
	if l.path == "" {
		if _, err := stdout.Write(line); err != nil {
			l.log.ErrorContext(ctx, "audit event lost", "action", e.Name, "request_id", e.RequestID, "err", err)
		}
		return
	}
	err := appendSync(l.path, line)
	if err != nil {
		l.log.ErrorContext(ctx, "audit event lost", "action", e.Name, "request_id", e.RequestID, "err", err)
	}
}

func appendSync(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// Close writes and fsyncs every event recorded before it, stops the writer
// and closes the file. It returns the first error that left events unwritten
// or not fsynced. Calling Close again returns the same result.
func (l *Log) Close() error {
	l.once.Do(func() {
		l.closing.Store(true)
		l.mu.Lock() // waits for Records handing events over
		l.closed = true
		l.mu.Unlock()
		close(l.stop)
	})
	<-l.done
	return l.err
}

// run is the writer. It commits in groups: it takes every line queued
// (up to flushBytes), writes them with one write, releases their Records
// (in Sync mode after an fsync) and starts over; the lines queued while it
// wrote make the next batch. It holds io while it works on the file, so a
// Record writes directly only while the writer is idle. Every interval it
// retries a failed write or rotation.
func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for {
		in := l.queue
		l.io.Lock()
		if l.failing && len(l.batch) >= flushBytes && !l.closing.Load() {
			in = nil // the file is failing: hold the queue (backpressure) rather than buffer without bound
		}
		l.io.Unlock()
		select {
		case e := <-in:
			l.io.Lock()
			l.take(e)
			l.drain(flushBytes)
			l.commit()
			l.io.Unlock()
		case <-tick.C:
			l.io.Lock()
			l.rotateHold = false
			if len(l.batch) > 0 || len(l.waiters) > 0 {
				l.commit()
			}
			l.io.Unlock()
		case <-l.stop:
			<-l.syncerDone // its fsync done, the file is the writer's alone
			l.io.Lock()    // no Record holds it: Close has waited for them all
			l.drain(math.MaxInt)
			l.err = l.finish()
			l.io.Unlock()
			return
		}
	}
}

// syncer fsyncs in the default mode, off the request path: every interval,
// and whenever the writer or a Record reports flushBytes unsynced. It does
// not hold io during the fsync, so lines keep being written meanwhile.
func (l *Log) syncer() {
	defer close(l.syncerDone)
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-l.kick:
		case <-l.stop:
			return // the writer's finish fsyncs the rest
		}
		l.fsync()
	}
}

// fsync fsyncs the bytes written so far (default mode). A rotation while it
// runs has fsynced and closed that file itself.
func (l *Log) fsync() {
	l.io.Lock()
	out, gen, size := l.out, l.gen, l.size
	pending := l.unsynced()
	l.io.Unlock()
	if pending == 0 {
		return
	}
	err := out.Sync()
	l.io.Lock()
	defer l.io.Unlock()
	if gen != l.gen {
		return
	}
	if err != nil {
		if !l.syncFailing {
			l.log.Error("cannot fsync audit log; retrying", "path", l.path, "err", err)
		}
		l.syncFailing = true
		return
	}
	l.synced = max(l.synced, size) // lines written during the fsync are still unsynced
	if l.syncFailing {
		l.syncFailing = false
		l.log.Info("audit log fsyncs again", "path", l.path)
	}
}

// drain takes queued lines without blocking until the queue is empty or
// the batch holds limit bytes. Close takes them all (limit math.MaxInt),
// when no Record can enqueue any more.
func (l *Log) drain(limit int) {
	for len(l.batch) < limit {
		select {
		case e := <-l.queue:
			l.take(e)
		default:
			l.drained()
			return
		}
	}
}

// drained ends a backpressure episode once the queue is empty.
func (l *Log) drained() {
	if len(l.queue) == 0 && l.full.CompareAndSwap(true, false) {
		l.log.Info("audit queue drained", "waited", l.waited.Swap(0), "path", l.path)
	}
}

// take adds a line to the batch, rotating first if the line would carry the
// file past maxSize. A line always lands whole in one file.
func (l *Log) take(e entry) {
	if l.path != "" && !l.failing && !l.rotateHold {
		pending := l.size + int64(len(l.batch))
		if pending > 0 && pending+int64(len(e.line)) > l.maxSize && l.write() {
			if err := l.rotate(); err != nil {
				// Keep writing to the current file; retry after the next tick.
				l.rotateHold = true
				l.log.Error("cannot rotate audit log; still appending to it", "path", l.path, "err", err)
			}
		}
	}
	l.batch = append(l.batch, e.line...)
	l.waiters = append(l.waiters, e.done)
}

// commit writes the batch and releases its Records: in the default mode
// once written (and the syncer is asked to fsync when flushBytes are
// unsynced), in Sync mode once fsynced too. On error they keep waiting and
// the batch is retried later.
func (l *Log) commit() {
	if !l.write() {
		return
	}
	if l.sync && l.unsynced() > 0 {
		if err := l.out.Sync(); err != nil {
			l.fail("fsync", err)
			return
		}
		l.synced = l.size
	}
	l.release()
	l.recovered()
	if !l.sync && l.unsynced() >= flushBytes {
		select {
		case l.kick <- struct{}{}:
		default: // already asked
		}
	}
}

// write writes the whole batch, reporting whether it is now empty. On error
// the unwritten rest stays batched and is retried later.
func (l *Log) write() bool {
	if len(l.batch) == 0 {
		return true
	}
	n, err := l.out.Write(l.batch)
	l.size += int64(n)
	if err != nil {
		l.batch = l.batch[:copy(l.batch, l.batch[n:])]
		l.fail("write", err)
		return false
	}
	if cap(l.batch) > 4*flushBytes {
		l.batch = nil // a huge line passed through; don't keep its buffer
	} else {
		l.batch = l.batch[:0]
	}
	return true
}

// unsynced is the number of bytes written to the current file since its
// last fsync.
func (l *Log) unsynced() int64 { return l.size - l.synced }

func (l *Log) release() {
	for _, w := range l.waiters {
		w <- struct{}{}
	}
	clear(l.waiters)
	l.waiters = l.waiters[:0]
}

func (l *Log) fail(op string, err error) {
	if !l.failing {
		l.log.Error("cannot "+op+" audit log; retrying, and audited requests wait until it succeeds",
			"path", l.path, "err", err)
	}
	l.failing = true
}

func (l *Log) recovered() {
	if l.failing {
		l.failing = false
		l.log.Info("audit log writable again", "path", l.path)
	}
}

// finish writes and fsyncs what is left, wakes every waiter and closes the
// file.
func (l *Log) finish() error {
	var err error
	if !l.write() {
		err = fmt.Errorf("close audit log: %d bytes of events not written", len(l.batch))
	} else if serr := l.out.Sync(); serr != nil {
		err = fmt.Errorf("close audit log: fsync: %w", serr)
	}
	l.release() // nobody may wait forever; the error reports the loss
	if cerr := l.out.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close audit log: %w", cerr)
	}
	return err
}

// rotate fsyncs and retires the current file: PATH.N-1 → PATH.N … PATH →
// PATH.1 (the oldest, PATH.maxBackups, is deleted), then opens a fresh PATH
// and fsyncs the directory. On error the current file stays in use.
func (l *Log) rotate() error {
	if err := l.out.Sync(); err != nil {
		return err
	}
	l.synced = l.size
	backup := func(i int) string { return l.path + "." + strconv.Itoa(i) }
	if err := os.Remove(backup(l.maxBackups)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for i := l.maxBackups - 1; i >= 1; i-- {
		if err := os.Rename(backup(i), backup(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(l.path, backup(1)); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		// Put the file back so the open handle is PATH again.
		if rerr := os.Rename(backup(1), l.path); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}
	old := l.out
	l.out, l.size, l.synced = l.wrapped(f), 0, 0
	l.gen++
	if err := old.Close(); err != nil {
		l.log.Warn("close rotated audit log", "path", backup(1), "err", err)
	}
	return syncDir(filepath.Dir(l.path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}
