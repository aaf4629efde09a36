// Command load drives OpenSTS over loopback and reports throughput,
// latency, errors and memory.
//
//	go run ./bench/load -mode ratio   # GetSessionToken vs a bare net/http handler (issue: ≥ 70 %)
//	go run ./bench/load -mode ratio -ops GetSessionToken,AssumeRole,AssumeRole+policy,GetFederationToken+policy
//	go run ./bench/load -mode soak -target http://127.0.0.1:7070 -pid PID -duration 10m
//
// In ratio mode it starts a node in-process exactly as `opensts server`
// does (SQLite in a temporary directory, the real http.Server settings) and,
// beside it, a bare handler answering a body of the same size. The same
// client, with the same concurrency, sends identical signed requests to
// both, alternating phases so machine noise hits both alike; the ratio of
// their throughputs is the figure, since absolute numbers vary with the
// machine. -ops adds other calls to the same alternation, each
// reported against the bare handler and against GetSessionToken:
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
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/internal/oidctest"
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
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server and client) to this file")
	flag.StringVar(&o.memProfile, "memprofile", "", "ratio: write a heap profile at the end of the run to this file")
	flag.StringVar(&o.ops, "ops", "GetSessionToken", "ratio: comma-separated calls measured side by side: GetSessionToken, GetCallerIdentity+session, AssumeRole, AssumeRole+policy, GetFederationToken+policy, GetFederationToken+distinct-policy, AssumeRoleWithWebIdentity")
	flag.Parse()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch o.mode {
	case "ratio":
		err = ratio(o)
	case "soak":
		err = soak(o)
	default:
		err = fmt.Errorf("unknown -mode %q", o.mode)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
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

// rssKB reads VmRSS of a process from /proc (0 where unavailable).
func rssKB(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
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

func ratio(o options) error {
	node.TuneRuntime() // as opensts server does
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "opensts-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The server's own default logger (text, info level), writing nowhere.
	cfg := node.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if o.audit {
		cfg.Audit = audit.Config{Path: filepath.Join(dir, "audit.jsonl")}
	}
	var idp *oidctest.IdP
	if slices.Contains(strings.Split(o.ops, ","), "AssumeRoleWithWebIdentity") {
		if idp, err = oidctest.Start("https://idp.load.test"); err != nil {
			return err
		}
		defer idp.Close()
		idp.Configure(&cfg.WebIdentity)
	}
	n, err := node.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go n.Serve(ctx, ln, node.ServeOptions{Grace: time.Second})
	sts := newClient("http://"+ln.Addr().String(), o.concurrency)
	root := creds{id: n.Root.AccessKeyID, secret: n.Root.SecretAccessKey}
	alice, err := newUser(sts, root, "alice")
	if err != nil {
		return err
	}
	reqs, err := opRequests(sts, root, alice, strings.Split(o.ops, ","), idp)
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
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	bareBody := bytes.Repeat([]byte("x"), len(sample))
	bareSrv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/xml")
			w.Write(bareBody)
		}),
	}
	go bareSrv.Serve(bareLn)
	defer bareSrv.Close()
	bare := newClient("http://"+bareLn.Addr().String(), o.concurrency)

	opFor := func(c *client, next func() (signed, error)) func(int) error {
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
	run(o.concurrency, o.warmup, opFor(bare, reqs[0].next))
	for _, r := range reqs {
		run(o.concurrency, o.warmup, opFor(sts, r.next))
	}
	storeBefore := dirSize(dir)
	rssBefore := rssKB("self")
	heapBefore := liveHeap()
	phase := o.duration / time.Duration(2*(1+len(reqs)))
	bareS := make([]*stats, 0, 2)
	stsS := make([][]*stats, len(reqs))
	for range 2 {
		bareS = append(bareS, run(o.concurrency, phase, opFor(bare, reqs[0].next)))
		for i, r := range reqs {
			stsS[i] = append(stsS[i], run(o.concurrency, phase, opFor(sts, r.next)))
		}
	}
	rps := func(ss []*stats) float64 {
		var total int64
		for _, s := range ss {
			total += s.ok.Load()
		}
		return float64(total) / (phase * time.Duration(len(ss))).Seconds()
	}
	errs := func(ss []*stats) int64 {
		var total int64
		for _, s := range ss {
			total += s.errs.Load()
		}
		return total
	}
	bRPS, gstRPS := rps(bareS), rps(stsS[0])
	fmt.Printf("concurrency %d, %s measured per server in 2 alternating phases, response body %d bytes, audit trail %v\n", o.concurrency, 2*phase, len(sample), o.audit)
	fmt.Printf("%-34s %9.0f req/s  p50 %8s  p99 %8s  errors %d\n", "bare handler", bRPS, bareS[1].percentile(.5), bareS[1].percentile(.99), errs(bareS))
	var e1 int64
	var last any
	issued := 0.0
	for i, r := range reqs {
		sRPS := rps(stsS[i])
		if r.issues {
			issued += sRPS * (2 * phase).Seconds()
		}
		fmt.Printf("%-34s %9.0f req/s  p50 %8s  p99 %8s  errors %d  %5.1f %% of bare, %5.1f %% of %s\n", r.name, sRPS,
			stsS[i][1].percentile(.5), stsS[i][1].percentile(.99), errs(stsS[i]), 100*sRPS/bRPS, 100*sRPS/gstRPS, reqs[0].name)
		if n := errs(stsS[i]); n > 0 {
			e1 += n
			last = stsS[i][1].lastErr.Load()
		}
	}
	fmt.Printf("ratio             %9.1f %%\n", 100*gstRPS/bRPS)
	fmt.Printf("store files       %d bytes before, %d after %d sessions\n", storeBefore, dirSize(dir), int64(issued))
	fmt.Printf("process RSS       %d kB before, %d kB after\n", rssBefore, rssKB("self"))
	e2 := errs(bareS)
	bareS, stsS = nil, nil // the client's own latency records are not server memory
	heapAfter := liveHeap()
	if o.memProfile != "" {
		if f, err := os.Create(o.memProfile); err == nil {
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	sessions := issued
	fmt.Printf("live heap         %d kB before, %d kB after (after GC): %+.2f bytes per session issued\n",
		heapBefore>>10, heapAfter>>10, (float64(heapAfter)-float64(heapBefore))/sessions)
	if e := e1 + e2; e > 0 {
		return fmt.Errorf("%d errors; last: %v", e, last)
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
// are alice's but for AssumeRoleWithWebIdentity, which presents one token
// of idp, unsigned.
func opRequests(c *client, root, alice creds, names []string, idp *oidctest.IdP) ([]opRequest, error) {
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
			wf, err := webIdentityForm(c, root, idp)
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

// webIdentityForm registers idp as an OIDC provider, creates a role
// trusting it with a condition on the audience and the subject, and
// returns an AssumeRoleWithWebIdentity request presenting one of its
// tokens (valid for an hour).
func webIdentityForm(c *client, root creds, idp *oidctest.IdP) (url.Values, error) {
	if _, err := c.call(root, iamForm("CreateOpenIDConnectProvider", "Url", idp.Issuer, "ClientIDList.member.1", "sts.amazonaws.com")); err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(idp.Issuer, "https://")
	b, err := c.call(root, iamForm("CreateRole", "RoleName", "WebCI", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::`+text(mustCall(c, root, stsForm("GetCallerIdentity")), "Account")+
			`:oidc-provider/`+host+`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+host+`:aud":"sts.amazonaws.com"},"StringLike":{"`+host+`:sub":"repo:octo/*"}}}]}`))
	if err != nil {
		return nil, err
	}
	tok, err := idp.Sign(idp.Claims("repo:octo/app:ref:refs/heads/main", "sts.amazonaws.com"), false)
	if err != nil {
		return nil, err
	}
	return stsForm("AssumeRoleWithWebIdentity", "RoleArn", text(b, "Arn"), "RoleSessionName", "load", "DurationSeconds", "900", "WebIdentityToken", tok), nil
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
