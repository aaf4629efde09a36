package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/internal/oidctest"
	"github.com/opensts/opensts/node"
)

// spec describes a server the ratio mode loads. With -procs it is what a
// child is given, as JSON after -serve.
type spec struct {
	Kind string // "node" or "bare"

	// A node's data directory; whether its audit trail is on; whether an
	// OpenID Connect provider runs beside it, for AssumeRoleWithWebIdentity;
	// and, in a child, where to write its heap profile when it stops.
	DataDir     string `json:",omitempty"`
	Audit       bool   `json:",omitempty"`
	WebIdentity bool   `json:",omitempty"`
	MemProfile  string `json:",omitempty"`

	// The size of the bare handler's response body.
	BodyBytes int `json:",omitempty"`
}

// ready is what a started server reports: where it listens, its
// GOMAXPROCS and, for a node, the root credentials and a web identity
// token signed by its provider.
type ready struct {
	Addr             string
	GOMAXPROCS       int
	AccessKeyID      string `json:",omitempty"`
	SecretAccessKey  string `json:",omitempty"`
	WebIdentityToken string `json:",omitempty"`
}

// server is a started server, in this process or in a child.
type server struct {
	ready
	pid   int    // the child's process id; 0 in this process
	child *child // nil in this process
	stop  func() error
}

// start starts the server s describes: in this process, or in a child
// process (procs) pinned to cpus (when set).
func start(ctx context.Context, s spec, procs bool, cpus []int) (*server, error) {
	if procs {
		return startChild(ctx, s, cpus)
	}
	r, stop, err := listen(ctx, s)
	if err != nil {
		return nil, err
	}
	return &server{ready: r, stop: stop}, nil
}

// cpuTimes reads the CPU time used so far by the server's process and by
// this one. In this process the server's cannot be told from the load's,
// and both are 0.
func (s *server) cpuTimes() (server, load time.Duration, err error) {
	if s.pid == 0 {
		return 0, 0, nil
	}
	server, err1 := cpuTime(strconv.Itoa(s.pid))
	load, err2 := cpuTime("self")
	return server, load, errors.Join(err1, err2)
}

// listen starts the server s describes on a loopback port and returns how
// to reach it and how to stop it.
func listen(ctx context.Context, s spec) (ready, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ready{}, nil, err
	}
	r := ready{Addr: ln.Addr().String(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	switch s.Kind {
	case "node":
		return serveNode(ctx, s, ln, r)
	case "bare":
		return r, serveBare(ln, s.BodyBytes), nil
	}
	ln.Close()
	return ready{}, nil, fmt.Errorf("unknown server kind %q", s.Kind)
}

// The OpenID Connect provider beside a node (spec.WebIdentity) has this
// issuer, and the token it signs this subject and audience.
const (
	webIdentityIssuer   = "https://idp.load.test"
	webIdentitySubject  = "repo:octo/app:ref:refs/heads/main"
	webIdentityAudience = "sts.amazonaws.com"
)

// serveNode runs a node on ln as opensts server does: SQLite in the data
// directory, the real http.Server settings.
func serveNode(ctx context.Context, s spec, ln net.Listener, r ready) (ready, func() error, error) {
	// The server's own default logger (text, info level), writing nowhere.
	cfg := node.Config{DataDir: s.DataDir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if s.Audit {
		cfg.Audit = audit.Config{Path: filepath.Join(s.DataDir, "audit.jsonl")}
	}
	var idp *oidctest.IdP
	fail := func(err error) (ready, func() error, error) {
		ln.Close()
		if idp != nil {
			idp.Close()
		}
		return ready{}, nil, err
	}
	if s.WebIdentity {
		var err error
		if idp, err = oidctest.Start(webIdentityIssuer); err != nil {
			return fail(err)
		}
		idp.Configure(&cfg.WebIdentity)
		if r.WebIdentityToken, err = idp.Sign(idp.Claims(webIdentitySubject, webIdentityAudience), false); err != nil {
			return fail(err)
		}
	}
	n, err := node.Open(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	r.AccessKeyID, r.SecretAccessKey = n.Root.AccessKeyID, n.Root.SecretAccessKey
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- n.Serve(ctx, ln, node.ServeOptions{Grace: time.Second}) }()
	return r, func() error {
		cancel()
		err := errors.Join(<-served, n.Close())
		if idp != nil {
			idp.Close()
		}
		return err
	}, nil
}

// serveBare serves on ln a handler that reads the request and answers size
// bytes: what net/http alone costs.
func serveBare(ln net.Listener, size int) func() error {
	body := bytes.Repeat([]byte("x"), size)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/xml")
			w.Write(body)
		}),
	}
	go srv.Serve(ln)
	return srv.Close
}

// child is a server in its own process (-procs): this program, run again
// with -serve. The child prints its ready line, as JSON, on stdout, then
// answers each command line read from stdin with "ok" or an error:
//
//	profile PATH   start a CPU profile written to PATH
//	stop           stop it
//
// It shuts down when its stdin closes.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startChild starts a child running the server s describes, pinned to cpus
// when set, and reads its ready line.
func startChild(ctx context.Context, s spec, cpus []int) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	arg, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "-serve", string(arg))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	run := cmd.Start
	if cpus != nil {
		run = func() error { return runPinned(cpus, cmd.Start) }
	}
	if err := run(); err != nil {
		return nil, fmt.Errorf("start %s server: %w", s.Kind, err)
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	srv := &server{pid: cmd.Process.Pid, child: c, stop: c.close}
	if !c.out.Scan() {
		return nil, errors.Join(fmt.Errorf("%s server ended before it was ready", s.Kind), c.close())
	}
	if err := json.Unmarshal(c.out.Bytes(), &srv.ready); err != nil {
		return nil, errors.Join(fmt.Errorf("%s server's ready line: %w", s.Kind, err), c.close())
	}
	return srv, nil
}

// do sends the child one command and waits for its answer.
func (c *child) do(command string) error {
	if _, err := io.WriteString(c.in, command+"\n"); err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	if !c.out.Scan() {
		return fmt.Errorf("%s: the server ended", command)
	}
	if answer := c.out.Text(); answer != "ok" {
		return fmt.Errorf("%s: %s", command, answer)
	}
	return nil
}

// close shuts the child down and waits for it, killing it if it has not
// ended within ten seconds.
func (c *child) close() error {
	c.in.Close()
	kill := time.AfterFunc(10*time.Second, func() { c.cmd.Process.Kill() })
	defer kill.Stop()
	return c.cmd.Wait()
}

// serveChild is the child's side of -procs: it runs the server specJSON
// describes, prints its ready line and obeys commands until stdin closes.
func serveChild(specJSON string) error {
	var s spec
	if err := json.Unmarshal([]byte(specJSON), &s); err != nil {
		return fmt.Errorf("-serve: %w", err)
	}
	node.TuneRuntime() // as opensts server does
	r, stop, err := listen(context.Background(), s)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return errors.Join(err, stop())
	}
	var prof profiler
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		answer := "ok"
		if err := prof.do(in.Text()); err != nil {
			answer = err.Error()
		}
		fmt.Println(answer) // if the load tool is gone, the next Scan ends the loop
	}
	return errors.Join(in.Err(), prof.stop(), writeHeapProfile(s.MemProfile), stop())
}

// profiler is a child's CPU profile, started and stopped on command.
type profiler struct{ f *os.File }

func (p *profiler) do(command string) error {
	switch verb, path, _ := strings.Cut(command, " "); verb {
	case "profile":
		if err := p.stop(); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		p.f = f
		return nil
	case "stop":
		return p.stop()
	}
	return fmt.Errorf("unknown command %q", command)
}

func (p *profiler) stop() error {
	if p.f == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := p.f.Close()
	p.f = nil
	return err
}

// writeHeapProfile writes this process's heap profile, after a collection,
// to path if one is given.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
}
