// Command load drives OpenSTS over loopback and reports throughput,
// latency, errors, CPU time and memory.
//
//	go run ./bench/load -mode ratio   # GetSessionToken vs a bare net/http handler (issue: ≥ 70 %)
//	go run ./bench/load -mode ratio -ops GetSessionToken,AssumeRole,AssumeRole+policy,GetFederationToken+policy
//	go run ./bench/load -mode ratio -procs -server-cpus 0 -client-cpus 1 -ops GetSessionToken,GetCallerIdentity+session
//	go run ./bench/load -mode soak -target http://127.0.0.1:7070 -pid PID -duration 10m
//
// In ratio mode it starts a node exactly as `opensts server` does (SQLite
// in a temporary directory, the real http.Server settings) and, beside it,
// a bare handler answering a body of the same size. The same client, with
// the same concurrency, sends identical signed requests to both,
// alternating phases so machine noise hits both alike; the ratio of their
// throughputs is the figure, since absolute numbers vary with the machine.
// -ops adds other calls to the same alternation, each reported against the
// bare handler and against GetSessionToken:
//
//   - AssumeRole: alice assumes a role trusting her, holding an inline policy;
//   - AssumeRole+policy, GetFederationToken+policy: with a 500-byte session
//     policy, the same on every request, as clients send it;
//   - GetFederationToken+distinct-policy: with a 500-byte session policy
//     that never repeats (each request signed anew), so that no cache of
//     the server's has seen it;
//   - GetCallerIdentity+session: signed with credentials from
//     GetSessionToken;
//   - AssumeRoleWithWebIdentity: unsigned, presenting a token of an OpenID
//     Connect provider run beside the node.
//
// By default both servers run in the load tool's process. With -procs each
// runs in a child process of its own (the tool, run again with -serve), and
// the tool reads each child's CPU time from /proc before and after every
// phase: the server's CPU time per request, for each call and for the bare
// handler, is a figure that does not depend on how the machine's cores are
// shared between server and load. -server-cpus and -client-cpus pin the
// children and the tool to CPU lists, each process's GOMAXPROCS following
// its list; -cpuprofile then profiles the children, one file per server and
// phase.
//
// In soak mode it runs a mixed workload (GetSessionToken,
// GetFederationToken, calls signed with the temporary credentials, IAM
// mutations) against a running server and reports every interval.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/sigv4"
)

type options struct {
	mode        string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	target      string
	pid         int
	accessKey   string
	secretKey   string
	interval    time.Duration
	audit       bool
	cpuProfile  string
	memProfile  string
	ops         string
	procs       bool
	serverCPUs  []int
	clientCPUs  []int
	serve       string
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "ratio", "ratio (GetSessionToken vs bare handler) or soak (mixed workload against -target)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time (ratio: split over alternating phases)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up per server (ratio mode)")
	flag.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients")
	flag.StringVar(&o.target, "target", "", "soak: URL of a running opensts server")
	flag.IntVar(&o.pid, "pid", 0, "soak: process id of that server, to report its RSS")
	flag.StringVar(&o.accessKey, "access-key-id", os.Getenv("AWS_ACCESS_KEY_ID"), "soak: root access key id")
	flag.StringVar(&o.secretKey, "secret-access-key", os.Getenv("AWS_SECRET_ACCESS_KEY"), "soak: root secret access key")
	flag.DurationVar(&o.interval, "interval", time.Minute, "soak: report interval")
	flag.BoolVar(&o.audit, "audit", true, "ratio: keep the audit trail on, as opensts server does by default")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile to this file: of the whole process (servers and load); with -procs, of each server in each measured phase, to FILE.bare.1, FILE.GetSessionToken.1, …")
	flag.StringVar(&o.memProfile, "memprofile", "", "ratio: write a heap profile of the node at the end of the run to this file")
	flag.StringVar(&o.ops, "ops", "GetSessionToken", "ratio: comma-separated calls measured side by side: GetSessionToken, GetCallerIdentity+session, AssumeRole, AssumeRole+policy, GetFederationToken+policy, GetFederationToken+distinct-policy, AssumeRoleWithWebIdentity")
	flag.BoolVar(&o.procs, "procs", false, "ratio: run the node and the bare handler each in a child process, and report their CPU time per request")
	flag.Func("server-cpus", "ratio with -procs: pin the servers to this CPU list (such as 0, or 0-1)", cpuList(&o.serverCPUs))
	flag.Func("client-cpus", "pin the load tool (in-process, the servers too) to this CPU list", cpuList(&o.clientCPUs))
	flag.StringVar(&o.serve, "serve", "", "internal: run the server this JSON spec describes (how -procs starts its children)")
	flag.Parse()
	if err := load(o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// cpuList is a flag.Func that parses a CPU list into dst.
func cpuList(dst *[]int) func(string) error {
	return func(list string) (err error) {
		*dst, err = parseCPUs(list)
		return err
	}
}

// load does what the flags ask.
func load(o options) (err error) {
	if o.serve != "" {
		return serveChild(o.serve)
	}
	if o.procs && o.mode != "ratio" {
		return errors.New("-procs is for -mode ratio")
	}
	if o.serverCPUs != nil && !o.procs {
		return errors.New("-server-cpus needs -procs")
	}
	if o.clientCPUs != nil {
		if err := pinSelf(o.clientCPUs); err != nil {
			return fmt.Errorf("-client-cpus: %w", err)
		}
	}
	if o.cpuProfile != "" && !o.procs {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, f.Close())
		}()
	}
	switch o.mode {
	case "ratio":
		return ratio(o)
	case "soak":
		return soak(o)
	}
	return fmt.Errorf("unknown -mode %q", o.mode)
}

// creds are signing credentials.
type creds struct{ id, secret, token string }

// client sends Query-protocol requests to one base URL.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// signed is a prepared request: body and signed headers, replayed as is.
type signed struct {
	body   string
	header http.Header
}

func sign(c creds, form url.Values, service string) (signed, error) {
	body := form.Encode()
	r, _ := http.NewRequest(http.MethodPost, "http://opensts.invalid/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(r, []byte(body), c.id, c.secret, c.token, "us-east-1", service, time.Now()); err != nil {
		return signed{}, err
	}
	return signed{body: body, header: r.Header}, nil
}

// send posts a prepared request and returns status and body.
func (c *client) send(s signed) (int, []byte, error) {
	r, err := http.NewRequest(http.MethodPost, c.base+"/", strings.NewReader(s.body))
	if err != nil {
		return 0, nil, err
	}
	r.Header = s.header.Clone()
	r.Host = "opensts.invalid" // the signed host
	resp, err := c.http.Do(r)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// call signs and sends one request, failing on a non-200 answer.
func (c *client) call(cr creds, form url.Values) ([]byte, error) {
	service := "sts"
	if form.Get("Version") == "2010-05-08" {
		service = "iam"
	}
	s, err := sign(cr, form, service)
	if err != nil {
		return nil, err
	}
	code, body, err := c.send(s)
	if err != nil {
		return nil, err
	}
	if code != 200 {
		return body, fmt.Errorf("%s: HTTP %d: %s", form.Get("Action"), code, body)
	}
	return body, nil
}

func form(version, action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func stsForm(action string, kv ...string) url.Values { return form("2011-06-15", action, kv...) }
func iamForm(action string, kv ...string) url.Values { return form("2010-05-08", action, kv...) }

func text(body []byte, name string) string {
	_, rest, ok := bytes.Cut(body, []byte("<"+name+">"))
	if !ok {
		return ""
	}
	v, _, _ := bytes.Cut(rest, []byte("</"+name+">"))
	return string(v)
}

// newUser creates a user with a key as root.
func newUser(c *client, root creds, name string) (creds, error) {
	if _, err := c.call(root, iamForm("CreateUser", "UserName", name)); err != nil {
		return creds{}, err
	}
	b, err := c.call(root, iamForm("CreateAccessKey", "UserName", name))
	if err != nil {
		return creds{}, err
	}
	return creds{id: text(b, "AccessKeyId"), secret: text(b, "SecretAccessKey")}, nil
}

// stats collects outcomes and latencies of one phase.
type stats struct {
	mu       sync.Mutex
	lat      []time.Duration
	ok, errs atomic.Int64
	lastErr  atomic.Value
}

func (s *stats) record(d time.Duration, err error) {
	if err != nil {
		s.errs.Add(1)
		s.lastErr.Store(err.Error())
		return
	}
	s.ok.Add(1)
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
}

func (s *stats) percentile(p float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lat) == 0 {
		return 0
	}
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	return s.lat[min(len(s.lat)-1, int(p*float64(len(s.lat))))]
}

// run drives op from n workers for d and returns the stats.
func run(n int, d time.Duration, op func(worker int) error) *stats {
	s := &stats{}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				start := time.Now()
				err := op(w)
				s.record(time.Since(start), err)
			}
		}()
	}
	wg.Wait()
	return s
}

// liveHeapKB reads the server's live heap after its last collection from
// its /metrics (go_gc_heap_live_bytes); 0 when unavailable.
func liveHeapKB(c *client) int64 {
	resp, err := c.http.Get(c.base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go_gc_heap_live_bytes "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f) >> 10
		}
	}
	return 0
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func dirSize(dir string) int64 {
	var total int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), "opensts.db") {
			total += fi.Size()
		}
	}
	return total
}

// A target is what one phase loads: the bare handler, or one call on the
// node.
type target struct {
	name   string
	label  string // in profile file names
	srv    *server
	send   func(worker int) error
	issues bool // each request issues a session
	phases []phase
}

// phase is one measured stretch of load on one server: the client's view,
// its length, and the CPU time used meanwhile by the server's process
// (-procs only) and by this one.
type phase struct {
	*stats
	wall, serverCPU, loadCPU time.Duration
}

// measure loads t's server from n workers for d and records the phase.
// Given a profile path, the server (a child) profiles the phase to it.
func (t *target) measure(n int, d time.Duration, profile string) error {
	if profile != "" {
		if err := t.srv.child.do("profile " + profile); err != nil {
			return err
		}
	}
	server0, load0, err := t.srv.cpuTimes()
	if err != nil {
		return err
	}
	begin := time.Now()
	s := run(n, d, t.send)
	wall := time.Since(begin)
	server1, load1, err := t.srv.cpuTimes()
	if err != nil {
		return err
	}
	t.phases = append(t.phases, phase{stats: s, wall: wall, serverCPU: server1 - server0, loadCPU: load1 - load0})
	if profile != "" {
		return t.srv.child.do("stop")
	}
	return nil
}

// tally is the sum of a target's phases.
type tally struct {
	ok, errs                 int64
	wall, serverCPU, loadCPU time.Duration
	lastErr                  any
}

func (t *target) tally() tally {
	var s tally
	for _, p := range t.phases {
		s.ok += p.ok.Load()
		s.errs += p.errs.Load()
		s.wall += p.wall
		s.serverCPU += p.serverCPU
		s.loadCPU += p.loadCPU
		if e := p.lastErr.Load(); e != nil {
			s.lastErr = e
		}
	}
	return s
}

func (s tally) rps() float64 { return float64(s.ok) / s.wall.Seconds() }

// cpuMicros is the server's CPU time per successful request, in µs.
func (s tally) cpuMicros() float64 { return 1e6 * s.serverCPU.Seconds() / float64(s.ok) }

// busy is the share of one CPU that cpu is over the tally's phases.
func (s tally) busy(cpu time.Duration) float64 { return 100 * cpu.Seconds() / s.wall.Seconds() }

// sender sends next's requests with c, failing on anything but a 200
// answer with a body.
func sender(c *client, next func() (signed, error)) func(int) error {
	return func(int) error {
		req, err := next()
		if err != nil {
			return err
		}
		code, body, err := c.send(req)
		if err != nil {
			return err
		}
		if code != 200 || len(body) == 0 {
			return fmt.Errorf("HTTP %d", code)
		}
		return nil
	}
}

func ratio(o options) (err error) {
	if !o.procs {
		node.TuneRuntime() // as opensts server does; a child applies it to itself
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "opensts-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	names := strings.Split(o.ops, ",")
	nodeSpec := spec{Kind: "node", DataDir: dir, Audit: o.audit, WebIdentity: slices.Contains(names, "AssumeRoleWithWebIdentity")}
	if o.procs {
		nodeSpec.MemProfile = o.memProfile
	}
	nodeSrv, err := start(ctx, nodeSpec, o.procs, o.serverCPUs)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, nodeSrv.stop()) }()
	sts := newClient("http://"+nodeSrv.Addr, o.concurrency)
	defer sts.http.CloseIdleConnections() // before the node stops: it waits for open connections
	root := creds{id: nodeSrv.AccessKeyID, secret: nodeSrv.SecretAccessKey}
	alice, err := newUser(sts, root, "alice")
	if err != nil {
		return err
	}
	reqs, err := opRequests(sts, root, alice, names, nodeSrv.WebIdentityToken)
	if err != nil {
		return err
	}
	first, err := reqs[0].next()
	if err != nil {
		return err
	}
	_, sample, err := sts.send(first)
	if err != nil {
		return err
	}
	bareSrv, err := start(ctx, spec{Kind: "bare", BodyBytes: len(sample)}, o.procs, o.serverCPUs)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, bareSrv.stop()) }()
	bare := newClient("http://"+bareSrv.Addr, o.concurrency)
	defer bare.http.CloseIdleConnections()

	targets := []*target{{name: "bare handler", label: "bare", srv: bareSrv, send: sender(bare, reqs[0].next)}}
	for _, r := range reqs {
		targets = append(targets, &target{name: r.name, label: r.name, srv: nodeSrv, send: sender(sts, r.next), issues: r.issues})
	}
	for _, t := range targets {
		run(o.concurrency, o.warmup, t.send)
	}
	rssPid, rssName := "self", "process RSS"
	var heapBefore uint64
	if o.procs {
		rssPid, rssName = strconv.Itoa(nodeSrv.pid), "node RSS"
	} else {
		heapBefore = liveHeap()
	}
	storeBefore, rssBefore := dirSize(dir), rssKB(rssPid)
	phaseLen := o.duration / time.Duration(2*len(targets))
	for round := 1; round <= 2; round++ {
		for _, t := range targets {
			profile := ""
			if o.procs && o.cpuProfile != "" {
				profile = fmt.Sprintf("%s.%s.%d", o.cpuProfile, t.label, round)
			}
			if err := t.measure(o.concurrency, phaseLen, profile); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
	}

	fmt.Printf("concurrency %d, %s measured per server in 2 alternating phases, response body %d bytes, audit trail %v\n", o.concurrency, (2 * phaseLen).Round(time.Millisecond), len(sample), o.audit)
	if o.procs {
		err = errors.Join(placement("node", nodeSrv.pid, nodeSrv.GOMAXPROCS, o.serverCPUs),
			placement("bare handler", bareSrv.pid, bareSrv.GOMAXPROCS, o.serverCPUs),
			placement("load tool", os.Getpid(), runtime.GOMAXPROCS(0), o.clientCPUs))
	} else if o.clientCPUs != nil {
		err = placement("load tool and servers", os.Getpid(), runtime.GOMAXPROCS(0), o.clientCPUs)
	}
	if err != nil {
		return err
	}
	bareT, ref := targets[0].tally(), targets[1].tally()
	refCol := "% of " + targets[1].name
	fmt.Printf("%-34s %8s %9s %9s %7s %10s %*s\n", "", "req/s", "p50", "p99", "errors", "% of bare", len(refCol), refCol)
	for _, t := range targets {
		s, last := t.tally(), t.phases[len(t.phases)-1]
		fmt.Printf("%-34s %8.0f %9s %9s %7d %10.1f %*.1f\n", t.name, s.rps(),
			last.percentile(.5).Round(time.Microsecond), last.percentile(.99).Round(time.Microsecond), s.errs,
			100*s.rps()/bareT.rps(), len(refCol), 100*s.rps()/ref.rps())
	}
	fmt.Printf("ratio             %9.1f %%\n", 100*ref.rps()/bareT.rps())
	if o.procs {
		refCol = "× " + targets[1].name
		fmt.Printf("\n%-34s %8s %7s %*s %12s %10s\n", "server CPU per request", "µs", "× bare", len(refCol), refCol, "server busy", "load busy")
		for _, t := range targets {
			s := t.tally()
			fmt.Printf("%-34s %8.1f %7.2f %*.2f %10.0f %% %8.0f %%\n", t.name, s.cpuMicros(),
				s.cpuMicros()/bareT.cpuMicros(), len(refCol), s.cpuMicros()/ref.cpuMicros(), s.busy(s.serverCPU), s.busy(s.loadCPU))
		}
		if o.cpuProfile != "" {
			fmt.Printf("CPU profiles: %s.<server>.<phase>, such as go tool pprof -top %s.%s.*\n", o.cpuProfile, o.cpuProfile, targets[1].label)
		}
		fmt.Println()
	}

	var issued, errs int64
	var lastErr any
	for _, t := range targets {
		s := t.tally()
		if t.issues {
			issued += s.ok
		}
		if s.errs > 0 {
			errs, lastErr = errs+s.errs, s.lastErr
		}
	}
	fmt.Printf("store files       %d bytes before, %d after %d sessions\n", storeBefore, dirSize(dir), issued)
	fmt.Printf("%-17s %d kB before, %d kB after\n", rssName, rssBefore, rssKB(rssPid))
	if !o.procs {
		targets = nil // the client's own latency records are not server memory
		heapAfter := liveHeap()
		if err := writeHeapProfile(o.memProfile); err != nil {
			return err
		}
		fmt.Printf("live heap         %d kB before, %d kB after (after GC): %+.2f bytes per session issued\n",
			heapBefore>>10, heapAfter>>10, (float64(heapAfter)-float64(heapBefore))/float64(issued))
	}
	if errs > 0 {
		return fmt.Errorf("%d errors; last: %v", errs, lastErr)
	}
	return nil
}

// policy500 is a session policy of about 500 bytes.
const policy500 = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadTeamObjects","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],` +
	`"Resource":["arn:aws:s3:::team-data","arn:aws:s3:::team-data/*"]},{"Sid":"WriteOwnPrefix","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],` +
	`"Resource":"arn:aws:s3:::team-data/alice/*"},{"Sid":"Queues","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],` +
	`"Resource":"arn:aws:sqs:us-east-1:*:team-*"},{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]}`

// distinctPolicy is policy500 with its first statement id made from n: the
// same size, but a text no cache has seen.
func distinctPolicy(n int64) string {
	return strings.Replace(policy500, `"Sid":"ReadTeamObjects"`, fmt.Sprintf(`"Sid":"Read%011d"`, n), 1)
}

// opRequest is one call the ratio mode measures.
type opRequest struct {
	name   string
	next   func() (signed, error) // the request to send next
	issues bool                   // whether the call issues a session
}

// replay returns s every time: most calls are signed once and replayed.
func replay(s signed) func() (signed, error) {
	return func() (signed, error) { return s, nil }
}

// opRequests prepares the -ops calls, GetSessionToken first (the
// reference), creating the role and permissions they need as root. They
// are alice's but for AssumeRoleWithWebIdentity, which presents
// webIdentityToken unsigned.
func opRequests(c *client, root, alice creds, names []string, webIdentityToken string) ([]opRequest, error) {
	if names[0] != "GetSessionToken" {
		names = append([]string{"GetSessionToken"}, names...)
	}
	if _, err := c.call(root, iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "issue",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","s3:*","sqs:*"],"Resource":"*"}]}`)); err != nil {
		return nil, err
	}
	var roleARN string
	out := make([]opRequest, 0, len(names))
	for _, name := range names {
		op := opRequest{name: name, issues: true}
		// Unless the case sets op.next, f is signed once, by signer.
		var f url.Values
		signer := alice
		switch name {
		case "GetSessionToken":
			f = stsForm("GetSessionToken", "DurationSeconds", "900")
		case "GetCallerIdentity+session":
			b, err := c.call(alice, stsForm("GetSessionToken", "DurationSeconds", "3600"))
			if err != nil {
				return nil, err
			}
			signer = creds{id: text(b, "AccessKeyId"), secret: text(b, "SecretAccessKey"), token: text(b, "SessionToken")}
			f, op.issues = stsForm("GetCallerIdentity"), false
		case "AssumeRole", "AssumeRole+policy":
			if roleARN == "" {
				b, err := c.call(root, iamForm("CreateRole", "RoleName", "Deploy", "AssumeRolePolicyDocument",
					`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+text(mustCall(c, alice, stsForm("GetCallerIdentity")), "Arn")+`"},"Action":"sts:AssumeRole"}]}`))
				if err != nil {
					return nil, err
				}
				roleARN = text(b, "Arn")
				if _, err := c.call(root, iamForm("PutRolePolicy", "RoleName", "Deploy", "PolicyName", "work",
					"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}]}`)); err != nil {
					return nil, err
				}
			}
			f = stsForm("AssumeRole", "RoleArn", roleARN, "RoleSessionName", "load", "DurationSeconds", "900")
			if name == "AssumeRole+policy" {
				f.Set("Policy", policy500)
			}
		case "GetFederationToken+policy":
			f = stsForm("GetFederationToken", "Name", "load", "DurationSeconds", "900", "Policy", policy500)
		case "GetFederationToken+distinct-policy":
			var n atomic.Int64
			op.next = func() (signed, error) {
				return sign(alice, stsForm("GetFederationToken", "Name", "load", "DurationSeconds", "900", "Policy", distinctPolicy(n.Add(1))), "sts")
			}
		case "AssumeRoleWithWebIdentity":
			wf, err := webIdentityForm(c, root, webIdentityToken)
			if err != nil {
				return nil, err
			}
			// Unsigned, as SDKs send it.
			op.next = replay(signed{body: wf.Encode(), header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}})
		default:
			return nil, fmt.Errorf("unknown -ops call %q", name)
		}
		if op.next == nil {
			r, err := sign(signer, f, "sts")
			if err != nil {
				return nil, err
			}
			op.next = replay(r)
		}
		r, err := op.next()
		if err != nil {
			return nil, err
		}
		if code, body, err := c.send(r); err != nil || code != 200 {
			return nil, fmt.Errorf("%s: HTTP %d %v: %s", name, code, err, body)
		}
		out = append(out, op)
	}
	return out, nil
}

// webIdentityForm registers the provider beside the node as an OIDC
// provider, creates a role trusting it with a condition on the audience
// and the subject, and returns an AssumeRoleWithWebIdentity request
// presenting token.
func webIdentityForm(c *client, root creds, token string) (url.Values, error) {
	if _, err := c.call(root, iamForm("CreateOpenIDConnectProvider", "Url", webIdentityIssuer, "ClientIDList.member.1", webIdentityAudience)); err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(webIdentityIssuer, "https://")
	b, err := c.call(root, iamForm("CreateRole", "RoleName", "WebCI", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::`+text(mustCall(c, root, stsForm("GetCallerIdentity")), "Account")+
			`:oidc-provider/`+host+`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+host+`:aud":"`+webIdentityAudience+`"},"StringLike":{"`+host+`:sub":"repo:octo/*"}}}]}`))
	if err != nil {
		return nil, err
	}
	return stsForm("AssumeRoleWithWebIdentity", "RoleArn", text(b, "Arn"), "RoleSessionName", "load", "DurationSeconds", "900", "WebIdentityToken", token), nil
}

// mustCall is call for setup steps whose failure the next step reports.
func mustCall(c *client, cr creds, f url.Values) []byte {
	b, _ := c.call(cr, f)
	return b
}

// soak runs a mixed workload against a running server.
func soak(o options) error {
	if o.target == "" || o.accessKey == "" || o.secretKey == "" {
		return errors.New("soak needs -target and root credentials (-access-key-id/-secret-access-key or AWS_* env)")
	}
	c := newClient(strings.TrimSuffix(o.target, "/"), o.concurrency)
	root := creds{id: o.accessKey, secret: o.secretKey}
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	users := make([]creds, o.concurrency)
	for i := range users {
		u, err := newUser(c, root, fmt.Sprintf("soak-%s-%d", suffix, i))
		if err != nil {
			return err
		}
		if _, err := c.call(root, iamForm("PutUserPolicy", "UserName", fmt.Sprintf("soak-%s-%d", suffix, i), "PolicyName", "federate",
			"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)); err != nil {
			return err
		}
		users[i] = u
	}
	pid := strconv.Itoa(o.pid)
	var seq atomic.Int64
	op := func(w int) error {
		u := users[w]
		switch n := seq.Add(1); n % 10 {
		case 0, 1, 2, 3:
			b, err := c.call(u, stsForm("GetSessionToken", "DurationSeconds", "900"))
			if err != nil {
				return err
			}
			temp := creds{id: text(b, "AccessKeyId"), secret: text(b, "SecretAccessKey"), token: text(b, "SessionToken")}
			_, err = c.call(temp, stsForm("GetCallerIdentity"))
			return err
		case 4, 5, 6:
			b, err := c.call(u, stsForm("GetFederationToken", "Name", "soak", "Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
			if err != nil {
				return err
			}
			temp := creds{id: text(b, "AccessKeyId"), secret: text(b, "SecretAccessKey"), token: text(b, "SessionToken")}
			_, err = c.call(temp, stsForm("GetCallerIdentity"))
			return err
		case 7:
			_, err := c.call(u, stsForm("GetCallerIdentity"))
			return err
		default:
			name := fmt.Sprintf("soak-tmp-%s-%d", suffix, n)
			if _, err := c.call(root, iamForm("CreateUser", "UserName", name)); err != nil {
				return err
			}
			b, err := c.call(root, iamForm("CreateAccessKey", "UserName", name))
			if err != nil {
				return err
			}
			if _, err := c.call(root, iamForm("DeleteAccessKey", "UserName", name, "AccessKeyId", text(b, "AccessKeyId"))); err != nil {
				return err
			}
			_, err = c.call(root, iamForm("DeleteUser", "UserName", name))
			return err
		}
	}
	start := time.Now()
	fmt.Printf("soak: %d workers against %s for %s; server RSS at start %d kB\n", o.concurrency, o.target, o.duration, rssKB(pid))
	fmt.Printf("%8s %10s %8s %10s %10s %10s %12s\n", "elapsed", "requests", "errors", "p50", "p99", "rss_kB", "live_heap_kB")
	var total, totalErrs int64
	for time.Since(start) < o.duration {
		d := min(o.interval, o.duration-time.Since(start))
		s := run(o.concurrency, d, op)
		total += s.ok.Load()
		totalErrs += s.errs.Load()
		fmt.Printf("%8s %10d %8d %10s %10s %10d %12d\n", time.Since(start).Round(time.Second), total, totalErrs, s.percentile(.5), s.percentile(.99), rssKB(pid), liveHeapKB(c))
		if e := s.lastErr.Load(); e != nil {
			fmt.Printf("last error: %v\n", e)
		}
	}
	fmt.Printf("soak done: %d operations, %d errors, server RSS at end %d kB\n", total, totalErrs, rssKB(pid))
	if totalErrs > 0 {
		return fmt.Errorf("%d errors", totalErrs)
	}
	return nil
}
