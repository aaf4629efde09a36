package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/certs"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/samlidentity"
	"github.com/opensts/opensts/throttle"
	"github.com/opensts/opensts/webidentity"
)

// serverConfig is the server command's configuration, parsed from flags,
// their OPENSTS_* twins and the configuration file.
type serverConfig struct {
	Listen, MetricsListen string
	MetricsTLS            bool
	DataDir, Store        string
	Region                string
	LogFormat, LogLevel   string
	KeyRotation           time.Duration
	CredentialCacheTTL    time.Duration
	Grace                 time.Duration

	TLSCert, TLSKey string
	InsecureHTTP    bool
	TrustedProxies  []string

	OIDCCABundle          string
	OIDCDiscoveryURLs     []string
	OIDCAllowHTTPLoopback bool
	SAMLRecipients        []string
	IssuerURL             string
	SAMLAudiences         []string

	AuditLog        string
	AuditSync       bool
	AuditMaxSize    int64
	AuditMaxBackups int

	ThrottleKeyRate  float64
	ThrottleKeyBurst int
	ThrottleIPRate   float64
	ThrottleIPBurst  int

	MaxConcurrent     int
	MaxBodyBytes      int64
	MaxHeaderBytes    int
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration

	Config      string
	PrintConfig bool
	Dev         bool
}

// Development mode (--dev): well-known root credentials, published here and
// in the docs, for tests and demos. Never secret: --dev serves on loopback
// only and its store lives in a temporary directory removed on exit.
const (
	devAccountID       = "123456789012"
	devAccessKeyID     = "AKIAOPENSTSDEVROOT01"
	devSecretAccessKey = "openstsDevRootSecretNotSecret0123456789a"
)

// devRoot is the fixed root of --dev.
func devRoot() iam.RootCredentials {
	return iam.RootCredentials{AccountID: devAccountID, AccessKeyID: devAccessKeyID, SecretAccessKey: devSecretAccessKey}
}

// checkDev refuses what --dev cannot honour: a network listener (its root
// credentials are public) or a store it would not own.
func (c serverConfig) checkDev(sources map[string]string) error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err == nil && !loopback(c.Listen) {
		errs = append(errs, fmt.Errorf("--dev serves root credentials anyone can read in the documentation, so it listens on loopback addresses only (127.0.0.1:7070, [::1]:7070, localhost:7070), not %s", c.Listen))
	}
	if c.Store != "" {
		errs = append(errs, errors.New("--dev keeps its store in a temporary directory removed on exit; do not give --store"))
	}
	if src := sources["data-dir"]; src != "" && src != fromDefault {
		errs = append(errs, fmt.Errorf("--dev keeps its data in a temporary directory removed on exit; do not give --data-dir (set by %s)", src))
	}
	return errors.Join(errs...)
}

// loopback reports whether addr binds only loopback interfaces.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Validate reports every problem at once.
func (c serverConfig) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	_, _, listenErr := net.SplitHostPort(c.Listen)
	if listenErr != nil {
		add("--listen %q: want host:port, for example 127.0.0.1:7070 (%v)", c.Listen, listenErr)
	}
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			add("--metrics-listen %q: want host:port, for example 127.0.0.1:9090 (%v)", c.MetricsListen, err)
		}
	}
	if c.MetricsTLS && (c.MetricsListen == "" || c.TLSCert == "") {
		add("--metrics-tls serves --metrics-listen with the certificate of --tls-cert: give both (without --metrics-listen, /metrics is on the main listener, with its scheme)")
	}
	if c.DataDir == "" {
		add("--data-dir must not be empty")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("--log-format %q: want text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		add("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.KeyRotation < 0 || (c.KeyRotation > 0 && c.KeyRotation < time.Minute) {
		add("--key-rotation %s: want 0 (off) or at least 1m", c.KeyRotation)
	}
	if c.CredentialCacheTTL < 0 || c.CredentialCacheTTL > time.Minute {
		add("--credential-cache-ttl %s: want 0 (off) to 1m", c.CredentialCacheTTL)
	}
	if _, err := c.trustedProxies(); err != nil {
		add("--trusted-proxy: %v", err)
	}
	if _, err := c.webIdentity(); err != nil {
		add("%v", err)
	}
	if c.IssuerURL != "" {
		u, err := url.Parse(c.IssuerURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			add("--issuer-url %q: want the https:// URL relying parties reach this deployment at, without query or fragment", c.IssuerURL)
		}
	}
	for _, r := range c.SAMLRecipients {
		if u, err := url.Parse(r); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("--saml-recipient %q: not an http(s) URL", r)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		add("--tls-cert and --tls-key must be given together")
	}
	if listenErr == nil && c.TLSCert == "" && !c.InsecureHTTP && !loopback(c.Listen) {
		add("--listen %s is not a loopback address: serve TLS (--tls-cert, --tls-key) or pass --insecure-http to accept plain HTTP from the network", c.Listen)
	}
	for name, v := range map[string]float64{"--throttle-key-rate": c.ThrottleKeyRate, "--throttle-ip-rate": c.ThrottleIPRate} {
		if v < 0 {
			add("%s %v: must not be negative", name, v)
		}
	}
	for name, v := range map[string]int{"--throttle-key-burst": c.ThrottleKeyBurst, "--throttle-ip-burst": c.ThrottleIPBurst, "--max-concurrent": c.MaxConcurrent,
		"--audit-max-backups": c.AuditMaxBackups, "--max-header-bytes": c.MaxHeaderBytes} {
		if v < 0 {
			add("%s %d: must not be negative", name, v)
		}
	}
	if c.MaxBodyBytes < 4096 {
		add("--max-body-bytes %d: at least 4096", c.MaxBodyBytes)
	}
	for name, d := range map[string]time.Duration{"--shutdown-grace": c.Grace, "--read-header-timeout": c.ReadHeaderTimeout, "--read-timeout": c.ReadTimeout,
		"--write-timeout": c.WriteTimeout, "--idle-timeout": c.IdleTimeout} {
		if d <= 0 {
			add("%s %s: must be positive", name, d)
		}
	}
	return errors.Join(errs...)
}

// webIdentity is how AssumeRoleWithWebIdentity reaches identity providers:
// --oidc-ca-bundle read and parsed, --oidc-discovery-url split into its
// ISSUER=URL pairs.
func (c serverConfig) webIdentity() (webidentity.Config, error) {
	var wi webidentity.Config
	wi.AllowHTTPLoopback = c.OIDCAllowHTTPLoopback
	if c.OIDCCABundle != "" {
		pem, err := os.ReadFile(c.OIDCCABundle)
		if err != nil {
			return wi, fmt.Errorf("--oidc-ca-bundle: %w", err)
		}
		if wi.RootCAs, err = webidentity.LoadRoots(pem); err != nil {
			return wi, fmt.Errorf("--oidc-ca-bundle %s: %w", c.OIDCCABundle, err)
		}
	}
	for _, pair := range c.OIDCDiscoveryURLs {
		issuer, target, ok := strings.Cut(pair, "=")
		if !ok {
			return wi, fmt.Errorf("--oidc-discovery-url %q: want ISSUER=URL, for example https://idp.test=http://127.0.0.1:5556/.well-known/openid-configuration", pair)
		}
		if err := iam.ValidOIDCProviderURL(issuer); err != nil {
			return wi, fmt.Errorf("--oidc-discovery-url %q: the issuer is not a provider URL IAM accepts: %v", pair, err)
		}
		if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return wi, fmt.Errorf("--oidc-discovery-url %q: %q is not an http(s) URL", pair, target)
		}
		if wi.DiscoveryURLs == nil {
			wi.DiscoveryURLs = map[string]string{}
		}
		wi.DiscoveryURLs[issuer] = target
	}
	return wi, nil
}

// trustedProxies parses --trusted-proxy (CIDRs or addresses).
func (c serverConfig) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// auditPath resolves --audit-log: the data dir's audit.jsonl by default,
// "-" for standard output, "off" for none.
func (c serverConfig) auditPath() string {
	switch c.AuditLog {
	case "":
		return filepath.Join(c.DataDir, "audit.jsonl")
	case "off":
		return ""
	}
	return c.AuditLog
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // validated
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func newServerCommand() *cobra.Command {
	var c serverConfig
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Serve the STS and IAM Query APIs",
		Long: `Serve STS (Version 2011-06-15) and IAM (Version 2010-05-08) on one listener.

On first start OpenSTS creates the default account and its root access key.
They come from the environment when set, and are generated otherwise, printed
once and written to <data-dir>/root-credentials (mode 0600). A restart never
changes them.

For tests and demos, --dev serves from a temporary store removed on exit,
with the fixed root access key ` + devAccessKeyID + ` and a published secret,
printed as export lines (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL); it listens on loopback only.

Configuration: flags, their OPENSTS_* environment twins, and a TOML file
(--config) whose keys are flag names; a flag beats the environment, which
beats the file. --print-config shows the result with secrets redacted.

Environment only (no flag twins, to keep secrets off the command line):
  OPENSTS_ROOT_ACCESS_KEY_ID      root access key id for the first start
  OPENSTS_ROOT_SECRET_ACCESS_KEY  root secret access key for the first start
  OPENSTS_ACCOUNT_ID              12-digit id of the default account (first start)
  OPENSTS_MASTER_KEY              base64 of 32 random bytes; encrypts secrets at
                                  rest. Without it <data-dir>/master.key is used,
                                  generated on first start; a store that already
                                  holds secrets refuses to start without its key
                                  (no new one is made). Nodes sharing a store
                                  must share this key.

Endpoints: the Query APIs at /, /healthz (alive), /readyz (store reachable
and key ring loaded), /metrics (Prometheus; on --metrics-listen if given,
there in plain HTTP unless --metrics-tls).
Signals: SIGINT/SIGTERM stop gracefully; SIGHUP reloads the TLS certificate
(it is also reloaded when its files change).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.PrintConfig {
				printConfig(cmd, c)
				return nil
			}
			if c.Dev {
				if err := c.checkDev(flagSources(cmd)); err != nil {
					return err
				}
				dir, err := os.MkdirTemp("", "opensts-dev-")
				if err != nil {
					return fmt.Errorf("--dev: create a temporary data dir: %w", err)
				}
				defer os.RemoveAll(dir)
				c.DataDir = dir
			}
			if err := c.Validate(); err != nil {
				return err
			}
			return runServer(cmd, c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Listen, "listen", "127.0.0.1:7070", "address to serve on")
	f.StringVar(&c.MetricsListen, "metrics-listen", "", "serve /metrics on this address instead of the main listener, in plain HTTP unless --metrics-tls")
	f.BoolVar(&c.MetricsTLS, "metrics-tls", false, "serve --metrics-listen with HTTPS, with the certificate of --tls-cert; by default it is plain HTTP, for a scraper on a private network")
	f.StringVar(&c.DataDir, "data-dir", "./opensts-data", "directory for the embedded database, master key file, root credentials file and audit log")
	f.StringVar(&c.Store, "store", "", "store URL: empty for SQLite in the data dir, sqlite:///path, or postgres://user:pass@host/db")
	f.StringVar(&c.Region, "region", "us-east-1", "region this node reports (clients may sign with any region)")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.DurationVar(&c.KeyRotation, "key-rotation", 24*time.Hour, "rotate the session-token key ring this often; 0 disables (retired keys keep working until their sessions expire)")
	f.DurationVar(&c.CredentialCacheTTL, "credential-cache-ttl", 2*time.Second, "reuse long-term keys, identity policies and roles read from the store for this long; a change made on another node applies within it; 0 disables")
	f.DurationVar(&c.Grace, "shutdown-grace", 20*time.Second, "on SIGINT/SIGTERM, how long to let requests in flight finish")
	f.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with; reloaded when the file changes")
	f.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	f.BoolVar(&c.InsecureHTTP, "insecure-http", false, "allow plain HTTP on a non-loopback --listen address")
	f.StringSliceVar(&c.TrustedProxies, "trusted-proxy", nil, "reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For gives the client address")
	f.StringVar(&c.OIDCCABundle, "oidc-ca-bundle", "", "PEM file of CA certificates, added to the system roots, that identity providers' HTTPS endpoints may chain to (AssumeRoleWithWebIdentity)")
	f.StringSliceVar(&c.OIDCDiscoveryURLs, "oidc-discovery-url", nil, "ISSUER=URL: fetch the issuer's OpenID discovery document from URL instead of ISSUER/.well-known/openid-configuration (repeatable, or comma-separated)")
	f.BoolVar(&c.OIDCAllowHTTPLoopback, "oidc-allow-http-loopback", false, "allow plain-HTTP discovery and key URLs on loopback addresses (tests only)")
	f.StringVar(&c.IssuerURL, "issuer-url", "", "https:// URL relying parties reach this deployment at: the base of the accounts' web identity token issuers (GetWebIdentityToken); empty turns outbound web identity federation off")
	f.StringSliceVar(&c.SAMLRecipients, "saml-recipient", nil, "URLs, besides AWS's sign-in URLs, that SAML assertions may name as Recipient and Destination (AssumeRoleWithSAML; repeatable)")
	f.StringSliceVar(&c.SAMLAudiences, "saml-audience", nil, "audiences, besides urn:amazon:webservices and https://signin.aws.amazon.com/saml, that SAML assertions may be restricted to (repeatable)")
	f.StringVar(&c.AuditLog, "audit-log", "", `audit trail file (JSON lines): default <data-dir>/audit.jsonl, "-" for standard output, "off" to disable`)
	f.BoolVar(&c.AuditSync, "audit-sync", false, "answer only after the audit record is fsynced (group commit); default: answer once it is written to the file, fsync within a second")
	f.Int64Var(&c.AuditMaxSize, "audit-max-size", 100<<20, "rotate the audit file at this size in bytes")
	f.IntVar(&c.AuditMaxBackups, "audit-max-backups", 10, "rotated audit files to keep")
	f.Float64Var(&c.ThrottleKeyRate, "throttle-key-rate", 50, "requests per second per access key (sessions count against their long-term key); 0 disables")
	f.IntVar(&c.ThrottleKeyBurst, "throttle-key-burst", 100, "burst per access key")
	f.Float64Var(&c.ThrottleIPRate, "throttle-ip-rate", 500, "requests per second per source IP (IPv6: per /64); 0 disables")
	f.IntVar(&c.ThrottleIPBurst, "throttle-ip-burst", 1000, "burst per source IP")
	f.IntVar(&c.MaxConcurrent, "max-concurrent", 1024, "requests in progress at once; beyond it ServiceUnavailable; 0 for no bound")
	f.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted")
	f.IntVar(&c.MaxHeaderBytes, "max-header-bytes", 64<<10, "largest request header block accepted")
	f.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", 5*time.Second, "time a client has to send request headers")
	f.DurationVar(&c.ReadTimeout, "read-timeout", 30*time.Second, "time a client has to send a whole request")
	f.DurationVar(&c.WriteTimeout, "write-timeout", 30*time.Second, "time to write a response")
	f.DurationVar(&c.IdleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	f.StringVar(&c.Config, "config", "", "TOML configuration file whose keys are flag names")
	f.BoolVar(&c.PrintConfig, "print-config", false, "print the effective configuration, secrets redacted, and exit")
	f.BoolVar(&c.Dev, "dev", false, "development mode for tests and demos: a temporary store removed on exit, the fixed root access key "+devAccessKeyID+
		" with a published secret, its export lines printed; loopback addresses only")
	return withEnv(cmd)
}

func runServer(cmd *cobra.Command, c serverConfig) error {
	ctx := cmd.Context()
	node.TuneRuntime()
	logger := newLogger(cmd.ErrOrStderr(), c.LogFormat, c.LogLevel)
	proxies, _ := c.trustedProxies() // validated
	wi, _ := c.webIdentity()         // validated
	// Bind before opening the store: a first start whose port is taken
	// must fail before it creates the account and prints root credentials
	// nobody will see served.
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	var mln net.Listener
	if c.MetricsListen != "" {
		if mln, err = net.Listen("tcp", c.MetricsListen); err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-listen: %w", err)
		}
	}
	closeListeners := func() {
		ln.Close()
		if mln != nil {
			mln.Close()
		}
	}
	masterKey, root := os.Getenv("OPENSTS_MASTER_KEY"), rootFromEnv()
	if c.Dev {
		masterKey, root = "", devRoot()
	}
	n, err := node.Open(ctx, node.Config{
		DataDir:            c.DataDir,
		Store:              c.Store,
		MasterKey:          masterKey,
		Root:               root,
		KeyRotation:        c.KeyRotation,
		CredentialCacheTTL: cacheTTL(c.CredentialCacheTTL),
		Region:             c.Region,
		Throttle:           throttle.Config{KeyRate: c.ThrottleKeyRate, KeyBurst: c.ThrottleKeyBurst, IPRate: c.ThrottleIPRate, IPBurst: c.ThrottleIPBurst},
		MaxConcurrent:      c.MaxConcurrent,
		MaxBodyBytes:       c.MaxBodyBytes,
		Audit:              audit.Config{Path: c.auditPath(), Sync: c.AuditSync, MaxSize: c.AuditMaxSize, MaxBackups: c.AuditMaxBackups},
		MetricsOnMain:      c.MetricsListen == "",
		TrustedProxies:     proxies,
		WebIdentity:        wi,
		IssuerURL:          c.IssuerURL,
		SAML:               samlidentity.Config{Recipients: c.SAMLRecipients, Audiences: c.SAMLAudiences},
		Logger:             logger,
	})
	if err != nil {
		closeListeners()
		return err
	}
	defer n.Close()
	switch {
	case c.Dev:
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		announceDev(cmd.OutOrStdout(), scheme+"://"+ln.Addr().String(), c.Region)
	case n.RootCreated:
		announceRoot(cmd.OutOrStdout(), c.DataDir, n.Root)
	}
	opts := node.ServeOptions{
		Grace: c.Grace, ReadHeaderTimeout: c.ReadHeaderTimeout, ReadTimeout: c.ReadTimeout,
		WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout, MaxHeaderBytes: c.MaxHeaderBytes,
	}
	if c.TLSCert != "" {
		r, err := certs.NewReloader(c.TLSCert, c.TLSKey, logger)
		if err != nil {
			closeListeners()
			return err
		}
		opts.TLS = r.TLSConfig()
		go r.Run(ctx, time.Minute)
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					if err := r.Reload(); err == nil {
						logger.Info("TLS certificate reloaded on SIGHUP")
					}
				}
			}
		}()
	}
	errc := make(chan error, 2)
	if mln != nil {
		// The metrics listener is plain HTTP, as Prometheus scrapes by
		// default, unless --metrics-tls asks for the main listener's TLS.
		mopts, mscheme := opts, "https"
		if !c.MetricsTLS {
			mopts.TLS, mscheme = nil, "http"
		}
		logger.Info("serving metrics", "address", mln.Addr().String(), "scheme", mscheme)
		go func() { errc <- node.Serve(ctx, mln, n.Metrics, logger, mopts) }()
	}
	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
	}
	logger.Info("serving", "address", ln.Addr().String(), "scheme", scheme, "account", n.Root.AccountID, "data_dir", c.DataDir)
	err = n.Serve(ctx, ln, opts)
	if c.MetricsListen != "" {
		if merr := <-errc; err == nil {
			err = merr
		}
	}
	if err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// cacheTTL maps the flag's "0 disables" to node's "negative disables".
func cacheTTL(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func rootFromEnv() iam.RootCredentials {
	return iam.RootCredentials{
		AccountID:       os.Getenv("OPENSTS_ACCOUNT_ID"),
		AccessKeyID:     os.Getenv("OPENSTS_ROOT_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("OPENSTS_ROOT_SECRET_ACCESS_KEY"),
	}
}

// announceDev prints --dev's credentials as shell export lines, for
// eval "$(…)"-style use by tests and demos.
func announceDev(w io.Writer, endpoint, region string) {
	fmt.Fprintf(w, "OpenSTS development server: temporary store, removed on exit; fixed root credentials of account %s.\n"+
		"Never use --dev for anything real: its root secret is published.\n\n", devAccountID)
	fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_DEFAULT_REGION=%s\nexport AWS_ENDPOINT_URL=%s\n\n",
		devAccessKeyID, devSecretAccessKey, region, endpoint)
}

// announceRoot prints the root credentials created at first start. A secret
// the operator supplied is not echoed; a generated one is printed this once
// and kept in a 0600 file.
func announceRoot(w io.Writer, dataDir string, root iam.RootCredentials) {
	if os.Getenv("OPENSTS_ROOT_SECRET_ACCESS_KEY") != "" {
		fmt.Fprintf(w, "OpenSTS created account %s with root access key %s (secret from OPENSTS_ROOT_SECRET_ACCESS_KEY).\n", root.AccountID, root.AccessKeyID)
		return
	}
	path, err := node.WriteRootCredentials(dataDir, root)
	fmt.Fprintf(w, "OpenSTS created account %s. Root credentials (shown once):\n\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n\n",
		root.AccountID, root.AccessKeyID, root.SecretAccessKey)
	if err != nil {
		fmt.Fprintf(w, "Could not write them to a file (%v); store them now.\n", err)
		return
	}
	abs, _ := filepath.Abs(path)
	fmt.Fprintf(w, "They are also in %s (mode 0600, profile opensts-root).\n", abs)
}

// printConfig prints the effective configuration as TOML, each value with
// where it came from; the store URL's password and the environment-only
// secrets are redacted.
func printConfig(cmd *cobra.Command, c serverConfig) {
	w := cmd.OutOrStdout()
	sources := flagSources(cmd)
	fmt.Fprintf(w, "# effective configuration of opensts server (flag > environment > file > default)\n")
	fmt.Fprintf(w, "# It is a valid --config file, but for redacted secrets.\n")
	for _, f := range sortedFlags(cmd) {
		switch f.Name {
		case "print-config", "help":
			continue
		case "config":
			// A configuration file does not name another one.
			fmt.Fprintf(w, "# config: %s  # %s\n", strconv.Quote(f.Value.String()), sources[f.Name])
			continue
		}
		fmt.Fprintf(w, "%-21s = %s  # %s\n", f.Name, tomlValue(f), sources[f.Name])
	}
	fmt.Fprintf(w, "\n# environment only\n")
	for _, name := range []string{"OPENSTS_ROOT_ACCESS_KEY_ID", "OPENSTS_ROOT_SECRET_ACCESS_KEY", "OPENSTS_ACCOUNT_ID", "OPENSTS_MASTER_KEY"} {
		state := "not set"
		if v, ok := os.LookupEnv(name); ok {
			state = "set"
			if name == "OPENSTS_ROOT_ACCESS_KEY_ID" || name == "OPENSTS_ACCOUNT_ID" {
				state = "set: " + v
			}
		}
		fmt.Fprintf(w, "# %s: %s\n", name, state)
	}
	if os.Getenv("OPENSTS_MASTER_KEY") == "" {
		fmt.Fprintf(w, "# master key file: %s\n", filepath.Join(c.DataDir, "master.key"))
	}
}

// tomlValue is a flag's value as a TOML string, or an array of strings
// for a list flag (--trusted-proxy); --store's password is redacted.
func tomlValue(f *pflag.Flag) string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		items := sv.GetSlice()
		quoted := make([]string, len(items))
		for i, v := range items {
			quoted[i] = strconv.Quote(v)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	v := f.Value.String()
	if f.Name == "store" {
		v = node.RedactDSN(v)
	}
	return strconv.Quote(v)
}
