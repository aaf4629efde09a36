package main

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/audit"
)

func validConfig() serverConfig {
	return serverConfig{
		Listen: "127.0.0.1:7070", DataDir: "./d", LogFormat: "text", LogLevel: "info", KeyRotation: 24 * time.Hour,
		CredentialCacheTTL: 2 * time.Second, Grace: time.Second, MaxBodyBytes: 1 << 20,
		ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second,
	}
}

// Validate reports every problem at once, including cross-field rules.
func TestServerConfig_Validate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*serverConfig)
		wants []string
	}{
		{"ok/defaults", func(*serverConfig) {}, nil},
		{"ok/non-loopback with TLS", func(c *serverConfig) { c.Listen, c.TLSCert, c.TLSKey = "0.0.0.0:7070", "c.pem", "k.pem" }, nil},
		{"ok/non-loopback with --insecure-http", func(c *serverConfig) { c.Listen, c.InsecureHTTP = "0.0.0.0:7070", true }, nil},
		{"ok/localhost", func(c *serverConfig) { c.Listen = "localhost:7070" }, nil},
		{"ok/IPv6 loopback", func(c *serverConfig) { c.Listen = "[::1]:7070" }, nil},
		{"fail/non-loopback without TLS", func(c *serverConfig) { c.Listen = "0.0.0.0:7070" }, []string{"--insecure-http"}},
		{"fail/all interfaces by empty host", func(c *serverConfig) { c.Listen = ":7070" }, []string{"not a loopback address"}},
		{"fail/half a TLS pair", func(c *serverConfig) { c.TLSCert = "c.pem" }, []string{"--tls-cert and --tls-key"}},
		{"fail/listen without a port", func(c *serverConfig) { c.Listen = "127.0.0.1" }, []string{`--listen "127.0.0.1": want host:port`}},
		{"fail/several problems", func(c *serverConfig) {
			c.LogFormat, c.LogLevel, c.KeyRotation, c.ThrottleKeyRate, c.MaxBodyBytes = "xml", "loud", time.Second, -1, 10
		}, []string{"--log-format", "--log-level", "--key-rotation", "--throttle-key-rate", "--max-body-bytes"}},
		{"ok/metrics TLS", func(c *serverConfig) {
			c.MetricsListen, c.MetricsTLS, c.TLSCert, c.TLSKey = "127.0.0.1:9090", true, "c.pem", "k.pem"
		}, nil},
		{"fail/metrics TLS without TLS", func(c *serverConfig) { c.MetricsListen, c.MetricsTLS = "127.0.0.1:9090", true }, []string{"--metrics-tls"}},
		{"fail/metrics TLS without a metrics listener", func(c *serverConfig) { c.MetricsTLS, c.TLSCert, c.TLSKey = true, "c.pem", "k.pem" }, []string{"--metrics-tls"}},
		{"fail/bad trusted proxy", func(c *serverConfig) { c.TrustedProxies = []string{"10.0.0.0/8", "proxy.example"} }, []string{"--trusted-proxy"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			err := c.Validate()
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// An address without a port is not also called non-loopback.
			if c.Listen == "127.0.0.1" && strings.Contains(err.Error(), "loopback") {
				t.Errorf("error %q also calls 127.0.0.1 non-loopback", err)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"data-dir": "OPENSTS_DATA_DIR", "listen": "OPENSTS_LISTEN", "throttle-key-rate": "OPENSTS_THROTTLE_KEY_RATE"} {
		if got := envName(flag); got != want {
			t.Errorf("envName(%s) = %s, want %s", flag, got, want)
		}
	}
}

// Every flag of every command but --help and --print-config documents its
// environment twin in --help, and no two commands share a twin other than
// OPENSTS_DATA_DIR, OPENSTS_STORE and OPENSTS_AUDIT_LOG.
func TestHelpNamesEnvironment(t *testing.T) {
	root := newRootCommand()
	owner := map[string]string{}
	for _, cmd := range root.Commands() {
		for _, sub := range append(cmd.Commands(), cmd) {
			for _, f := range sortedFlags(sub) {
				env := envFor(sub, f.Name)
				if f.Name == "help" || f.Name == "print-config" {
					if env != "" || strings.Contains(f.Usage, "(env ") {
						t.Errorf("%s --%s has an environment twin", sub.CommandPath(), f.Name)
					}
					continue
				}
				if !strings.Contains(f.Usage, "(env "+env+")") {
					t.Errorf("%s --%s: usage lacks its environment variable %s: %q", sub.CommandPath(), f.Name, env, f.Usage)
				}
				if prev, ok := owner[env]; ok && prev != sub.CommandPath() && !sharedEnv[f.Name] {
					t.Errorf("%s is the twin of a flag of both %s and %s", env, prev, sub.CommandPath())
				}
				owner[env] = sub.CommandPath()
			}
		}
	}
	for path, want := range map[string]string{
		"server listen": "OPENSTS_LISTEN", "audit user": "OPENSTS_AUDIT_USER", "audit json": "OPENSTS_AUDIT_JSON",
		"audit file": "OPENSTS_AUDIT_FILE", "mfa enroll path": "OPENSTS_MFA_ENROLL_PATH", "mfa enroll region": "OPENSTS_MFA_ENROLL_REGION",
		"mfa import-hardware file": "OPENSTS_MFA_IMPORT_HARDWARE_FILE", "keys rotate data-dir": "OPENSTS_DATA_DIR",
		"store copy from": "OPENSTS_STORE_COPY_FROM", "store backup store": "OPENSTS_STORE",
	} {
		words := strings.Fields(path)
		cmd, _, err := root.Find(words[:len(words)-1])
		if err != nil {
			t.Fatal(err)
		}
		if got := envFor(cmd, words[len(words)-1]); got != want {
			t.Errorf("twin of %s = %s, want %s", path, got, want)
		}
	}
}

// OPENSTS_USER, meant for something else, no longer filters opensts audit;
// OPENSTS_AUDIT_USER does. Likewise OPENSTS_JSON and OPENSTS_FILE.
func TestAuditIgnoresGenericEnvironment(t *testing.T) {
	dir := t.TempDir()
	l, err := audit.Open(audit.Config{Path: filepath.Join(dir, "audit.jsonl"), Sync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		l.Record(context.Background(), opensts.Event{Source: "iam.amazonaws.com", Name: "GetUser", Time: time.Now(),
			Identity: opensts.EventIdentity{Type: "IAMUser", UserName: u, ARN: "arn:aws:iam::111122223333:user/" + u}})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	run := func(env ...string) string {
		t.Helper()
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		root := newRootCommand()
		var out strings.Builder
		root.SetOut(&out)
		root.SetArgs([]string{"audit", "--data-dir", dir})
		if err := root.Execute(); err != nil {
			t.Fatalf("audit with %v: %v", env, err)
		}
		return out.String()
	}
	got := run("OPENSTS_USER=bob", "OPENSTS_JSON=true", "OPENSTS_FILE="+filepath.Join(dir, "nonexistent"))
	if !strings.Contains(got, "user/alice") || !strings.Contains(got, "user/bob") || !strings.Contains(got, "2 record(s)") {
		t.Errorf("OPENSTS_USER, OPENSTS_JSON or OPENSTS_FILE changed opensts audit:\n%s", got)
	}
	got = run("OPENSTS_AUDIT_USER=bob")
	if strings.Contains(got, "user/alice") || !strings.Contains(got, "user/bob") {
		t.Errorf("OPENSTS_AUDIT_USER=bob:\n%s", got)
	}
}

// A mistyped subcommand fails (a cron job must not report success), with
// a suggestion when one is close; the group alone prints its help.
func TestMistypedSubcommand(t *testing.T) {
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"keys", "rotat"}, `unknown command "rotat" for "opensts keys"; did you mean rotate?`},
		{[]string{"mfa", "enrol"}, `unknown command "enrol" for "opensts mfa"`},
		{[]string{"store", "cpy"}, `unknown command "cpy" for "opensts store"; did you mean copy?`},
		{[]string{"nosuch"}, `unknown command "nosuch" for "opensts"`},
		{[]string{"keys"}, ""},
		{[]string{"store"}, ""},
	} {
		root := newRootCommand()
		var out strings.Builder
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(c.args)
		err := root.Execute()
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("opensts %v: %v", c.args, err)
		case c.wantErr == "" && !strings.Contains(out.String(), "Usage:"):
			t.Errorf("opensts %v printed no help: %q", c.args, out.String())
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("opensts %v: error %v, want %q", c.args, err, c.wantErr)
		}
	}
}

func TestVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "825a39c"}, {Key: "vcs.time", Value: "2026-12-04T19:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{info, true, "v1.2.3 (revision 825a39c, 2026-12-04T19:00:00Z, modified), go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "(devel), go1.26.8"},
		{nil, false, "unknown (no build information)"},
	} {
		if got := version(c.info, c.ok); got != c.want {
			t.Errorf("version = %q, want %q", got, c.want)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		root := newRootCommand()
		var out strings.Builder
		root.SetOut(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil || !strings.HasPrefix(out.String(), "opensts ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("opensts %v = %q, %v", args, out.String(), err)
		}
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 12, 4, 19, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"90m", now.Add(-90 * time.Minute)},
		{"24h", now.Add(-24 * time.Hour)},
		{"7d", time.Date(2026, 11, 27, 19, 30, 0, 0, time.UTC)},
		{"2w", time.Date(2026, 11, 20, 19, 30, 0, 0, time.UTC)},
		{"2026-12-04", time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)},
		{"2026-11-25T10:00:00Z", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
	} {
		if got, err := parseWhenAt(c.in, now); err != nil || !got.Equal(c.want) {
			t.Errorf("parseWhenAt(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"7", "d", "-7d", "7dw", "yesterday", "2026-13-01", "99999999999d"} {
		_, err := parseWhenAt(in, now)
		if err == nil || !strings.Contains(err.Error(), "how long ago (90m, 24h, 7d, 2w)") {
			t.Errorf("parseWhenAt(%q): %v, want the worded error", in, err)
		}
	}
}
