package node

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/api"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/issuer"
	"github.com/opensts/opensts/jwtkeys"
	"github.com/opensts/opensts/keyring"
	"github.com/opensts/opensts/postgres"
	"github.com/opensts/opensts/samlidentity"
	"github.com/opensts/opensts/sigv4"
	"github.com/opensts/opensts/sqlite"
	"github.com/opensts/opensts/throttle"
	"github.com/opensts/opensts/webidentity"
)

// Config is everything a node needs. Zero values take the defaults noted.
type Config struct {
	// DataDir holds the embedded database, the generated master key file and
	// the generated root credentials file.
	DataDir string
	// Store selects the store: "" (SQLite in DataDir), "sqlite:///path" or
	// "postgres://…".
	Store string
	// MasterKey is the base64 master key (OPENSTS_MASTER_KEY); empty uses
	// DataDir/master.key, created only while the store holds no secrets
	// (see the MasterKey function).
	MasterKey string
	// Root is the default account's root credentials for first start.
	Root iam.RootCredentials
	// KeyRotation rotates the token key ring this often; 0 disables.
	KeyRotation time.Duration
	// KeyRefresh reloads the key ring from the store this often (default 30 s).
	KeyRefresh time.Duration
	// CredentialCacheTTL bounds how long long-term keys and users, and the
	// identity policies of users, groups and roles, read from
	// the store are reused (default access.DefaultCredentialCacheTTL;
	// negative disables). It is how long a change made on another node
	// sharing the store can take to apply here.
	CredentialCacheTTL time.Duration

	// Region is reported where a request names none (audit records).
	Region string
	// Throttle limits request rates per access key and per source IP; zero
	// rates disable it.
	Throttle throttle.Config
	// MaxConcurrent bounds requests in progress (0: no bound).
	MaxConcurrent int
	// MaxBodyBytes bounds request bodies (default api.DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Audit configures the audit trail; an empty Path disables it.
	Audit audit.Config
	// MetricsOnMain serves /metrics on the main handler.
	MetricsOnMain bool
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// WebIdentity configures how AssumeRoleWithWebIdentity reaches
	// identity providers (extra CA roots, discovery overrides, plain HTTP on
	// loopback); the node sets its clock and fetch metrics.
	WebIdentity webidentity.Config
	// IssuerURL is the URL this deployment is reached at, the base of the
	// accounts' web identity token issuers (GetWebIdentityToken); empty
	// turns outbound web identity federation off.
	IssuerURL string
	// SAML configures how AssumeRoleWithSAML checks assertions (extra
	// accepted recipients and audiences); the node sets its clock.
	SAML samlidentity.Config

	Logger   *slog.Logger
	Now      func() time.Time
	Registry *prometheus.Registry
	// RequestID overrides request-id generation (tests).
	RequestID func() string
}

// Node is one running OpenSTS node.
type Node struct {
	cfg     Config
	Store   opensts.Store
	Keys    *keyring.Manager
	Box     *atrest.Box // the master key's sealer
	Handler http.Handler
	// Metrics serves /metrics (also mounted on Handler when MetricsOnMain).
	Metrics  http.Handler
	Registry *prometheus.Registry
	Audit    *audit.Log // nil without an audit trail
	// JWTKeys signs web identity tokens; nil without an IssuerURL.
	JWTKeys *jwtkeys.Manager
	// Root holds the generated or supplied root credentials when this start
	// created the default account (RootCreated); otherwise only AccountID.
	Root        iam.RootCredentials
	RootCreated bool

	stop context.CancelFunc
	done chan struct{}

	lock  *os.File   // shared lock of an embedded store (see serving.go)
	watch *fileWatch // an embedded store's file, replaced under the node?
}

// Open wires a node. Close releases it.
func Open(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.DataDir == "" {
		return nil, errors.New("node: DataDir is required")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	warnIfShared(cfg.Logger, cfg.DataDir)
	// An embedded store is locked against opensts store restore while the
	// node runs, and watched for a file replaced under it.
	var lock *os.File
	dbPath := sqliteDBPath(cfg.Store, cfg.DataDir)
	if dbPath != "" {
		var err error
		if lock, err = lockServing(dbPath); err != nil {
			return nil, err
		}
	}
	unlock := func() {
		if lock != nil {
			lock.Close()
		}
	}
	// The store opens first: whether a missing master key may be generated
	// depends on what it holds.
	store, err := OpenStore(ctx, cfg.Store, cfg.DataDir)
	if err != nil {
		unlock()
		return nil, err
	}
	box, err := MasterKey(ctx, store, cfg.DataDir, cfg.MasterKey, true)
	if err != nil {
		store.Close()
		unlock()
		return nil, err
	}
	n := &Node{cfg: cfg, Store: store, Registry: cfg.Registry, Box: box, lock: lock}
	if dbPath != "" {
		n.watch = newFileWatch(dbPath)
	}
	if err := n.wire(ctx, box); err != nil {
		store.Close()
		unlock()
		return nil, err
	}
	return n, nil
}

func (n *Node) wire(ctx context.Context, box *atrest.Box) error {
	cfg := n.cfg
	root, created, err := iam.Bootstrap(ctx, n.Store, box, cfg.Root, cfg.Now())
	if err != nil {
		return err
	}
	n.Root, n.RootCreated = root, created
	store := observedStore{inner: n.Store, m: newStoreMetrics(n.Registry)}
	n.Keys, err = keyring.Open(ctx, keyring.Config{
		Store: store, Box: box, Now: cfg.Now, Logger: cfg.Logger,
		RotateEvery: cfg.KeyRotation, RefreshEvery: cfg.KeyRefresh,
	})
	if err != nil {
		return err
	}
	authn, err := access.NewAuthenticator(access.AuthenticatorConfig{
		Store: store, Box: box, Keys: n.Keys, Verifier: sigv4.NewVerifier(4096), Now: cfg.Now, Logger: cfg.Logger,
		CacheTTL: cfg.CredentialCacheTTL,
	})
	if err != nil {
		return err
	}
	authz, err := access.NewAuthorizer(access.AuthorizerConfig{Store: store, Roles: store, Providers: store, Now: cfg.Now, IdentityTTL: cfg.CredentialCacheTTL})
	if err != nil {
		return err
	}
	samlCfg := cfg.SAML
	samlCfg.Now = cfg.Now
	wi := cfg.WebIdentity
	wi.Now = cfg.Now
	fetches := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opensts_oidc_fetches_total",
		Help: "Fetches of identity providers' discovery documents and key sets, by result (ok, error).",
	}, []string{"result"})
	n.Registry.MustRegister(fetches)
	wi.OnFetch = func(_ string, err error) {
		if err != nil {
			fetches.WithLabelValues("error").Inc()
		} else {
			fetches.WithLabelValues("ok").Inc()
		}
	}
	iamSvc, err := iam.New(iam.Config{Store: store, Box: box, Authorizer: authz, Policies: authz, Now: cfg.Now, CredentialsChanged: authn.Invalidate,
		IssuerURL: cfg.IssuerURL})
	if err != nil {
		return err
	}
	var tokens *issuer.WebIdentityTokens
	if cfg.IssuerURL != "" {
		if n.JWTKeys, err = jwtkeys.Open(ctx, jwtkeys.Config{Store: store, Box: box, Now: cfg.Now, Logger: cfg.Logger}); err != nil {
			return fmt.Errorf("open web identity token keys: %w", err)
		}
		tokens = &issuer.WebIdentityTokens{IssuerURL: cfg.IssuerURL, Outbound: store, Keys: n.JWTKeys}
	}
	iss, err := issuer.New(issuer.Config{Keys: n.Keys, Authorizer: authz, MFA: iamSvc, Roles: authz, Trust: authz, Now: cfg.Now,
		WebIdentity: &issuer.WebIdentity{Providers: authz, Verifier: webidentity.New(wi), Trust: authz},
		SAML:        &issuer.SAML{Providers: authz, Verifier: samlidentity.New(samlCfg), Trust: authz}, WebIdentityTokens: tokens})
	if err != nil {
		return err
	}
	var limiter *throttle.Limiter
	if cfg.Throttle.KeyRate > 0 || cfg.Throttle.IPRate > 0 {
		if cfg.Throttle.Now == nil {
			cfg.Throttle.Now = cfg.Now
		}
		if limiter, err = throttle.New(cfg.Throttle); err != nil {
			return err
		}
	}
	var auditor opensts.Auditor
	if cfg.Audit.Path != "" {
		if cfg.Audit.Logger == nil {
			cfg.Audit.Logger = cfg.Logger
		}
		if n.Audit, err = audit.Open(cfg.Audit); err != nil {
			return fmt.Errorf("open audit log: %w", err)
		}
		auditor = n.Audit
	}
	n.Registry.MustRegister(
		// Go runtime metrics, plus the live heap after the last collection
		// and the next collection's goal (go_gc_heap_live_bytes,
		// go_gc_heap_goal_bytes): the figures that show whether memory grows.
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/(live|goal):bytes$`)})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "opensts_token_key_age_seconds",
			Help: "Age of the active session-token key.",
		}, func() float64 { return cfg.Now().Sub(n.Keys.Ring().Active().CreatedAt).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "opensts_token_keys",
			Help: "Keys in the session-token key ring (active and retired).",
		}, func() float64 { return float64(n.Keys.Ring().Len()) }),
	)
	srv, err := api.New(api.Config{
		Authenticator: authn, Authorizer: authz, Issuer: iss, IAM: iamSvc,
		Logger: cfg.Logger, Now: cfg.Now, RequestID: cfg.RequestID, Metrics: api.NewMetrics(n.Registry),
		Throttle: limiter, MaxConcurrent: cfg.MaxConcurrent, MaxBodyBytes: cfg.MaxBodyBytes,
		Auditor: auditor, Region: cfg.Region, TrustedProxies: cfg.TrustedProxies,
		Messages: &access.Messages{Box: box, Now: cfg.Now},
	})
	if err != nil {
		return err
	}
	n.Metrics = promhttp.HandlerFor(n.Registry, promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", n.ready)
	if cfg.MetricsOnMain {
		mux.Handle("GET /metrics", n.Metrics)
	}
	if n.JWTKeys != nil {
		d := &api.Discovery{IssuerURL: cfg.IssuerURL, Outbound: store, JWKS: n.JWTKeys.JWKS, Now: cfg.Now}
		if err := d.Register(mux); err != nil {
			return fmt.Errorf("issuer URL: %w", err)
		}
	}
	// The Query API answers on any path: HashiCorp Vault replays a signed
	// GetCallerIdentity to <endpoint>/<path>, that is to "//", which
	// ServeMux would redirect to "/" (a client replaying a POST does not
	// follow it). Only clean paths reach the mux's other routes.
	n.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != cleanPath(p) {
			srv.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})

	runCtx, stop := context.WithCancel(context.Background())
	n.stop, n.done = stop, make(chan struct{})
	go func() {
		defer close(n.done)
		if n.JWTKeys != nil {
			go n.JWTKeys.Run(runCtx)
		}
		go n.watch.run(runCtx.Done(), fileWatchInterval, cfg.Logger)
		n.Keys.Run(runCtx)
	}()
	return nil
}

// ready answers 200 when the store is reachable and the key ring loaded.
func (n *Node) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := n.Store.Ping(ctx); err != nil {
		http.Error(w, "store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	if n.watch.check(n.cfg.Logger) {
		http.Error(w, "store file replaced under the running server; restart it\n", http.StatusServiceUnavailable)
		return
	}
	if n.Keys.Ring() == nil {
		http.Error(w, "key ring not loaded\n", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// DataDir is the node's data directory.
func (n *Node) DataDir() string { return n.cfg.DataDir }

// Close stops background work, flushes the audit trail and closes the store.
func (n *Node) Close() error {
	if n.stop != nil {
		n.stop()
		<-n.done
	}
	var errs []error
	if n.Audit != nil {
		errs = append(errs, n.Audit.Close())
	}
	errs = append(errs, n.Store.Close())
	if n.lock != nil {
		errs = append(errs, n.lock.Close())
	}
	return errors.Join(errs...)
}

// OpenStore opens the store a --store value names: empty for SQLite in
// dataDir, sqlite:///path for a SQLite file (an absolute path; see
// SQLitePath).
func OpenStore(ctx context.Context, dsn, dataDir string) (opensts.Store, error) {
	scheme, _, _ := strings.Cut(dsn, "://")
	open, ok := openers[scheme]
	if dsn == "" {
		// The data dir may be relative (the default is ./opensts-data); a
		// sqlite:// URL may not, so it names the absolute path.
		path, err := filepath.Abs(filepath.Join(dataDir, "opensts.db"))
		if err != nil {
			return nil, fmt.Errorf("open store in data dir %s: %w", dataDir, err)
		}
		open, ok = openers["sqlite"], true
		dsn = "sqlite://" + path
	}
	if !ok {
		return nil, fmt.Errorf("unknown store %q: use sqlite:///path or postgres://…", RedactDSN(dsn))
	}
	s, err := open(ctx, dsn)
	if err != nil {
		if scheme == "postgres" || scheme == "postgresql" {
			// The backend says "open postgres store" but, to keep the
			// password out, not which one.
			return nil, fmt.Errorf("store %s: %w", RedactDSN(dsn), err)
		}
		return nil, err // the SQLite backend names its file
	}
	return s, nil
}

// openers maps a store URL scheme to its backend.
var openers = map[string]func(ctx context.Context, dsn string) (opensts.Store, error){
	"sqlite": func(ctx context.Context, dsn string) (opensts.Store, error) {
		path, err := SQLitePath(dsn)
		if err != nil {
			return nil, err
		}
		return sqlite.Open(ctx, path)
	},
}

// SQLitePath is the file a sqlite:// store URL names. The path must be
// absolute (sqlite:///var/lib/opensts/opensts.db, three slashes):
// sqlite://opensts.db would name a file in whatever directory the command
// runs in, and quietly create an empty store there.
func SQLitePath(dsn string) (string, error) {
	path, ok := strings.CutPrefix(dsn, "sqlite://")
	if !ok {
		return "", fmt.Errorf("store %q is not a sqlite:// URL", RedactDSN(dsn))
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("store %q: the SQLite path must be absolute, as in sqlite:///var/lib/opensts/opensts.db (three slashes) or sqlite://$PWD/%s", dsn, path)
	}
	return path, nil
}

// RedactDSN returns a store URL fit to print, its password masked whatever
// its syntax (see postgres.RedactDSN, which it is).
func RedactDSN(dsn string) string { return postgres.RedactDSN(dsn) }

// warnIfShared logs a warning when users other than the owner may enter or
// list the data dir, which holds the store (user names, policies, sealed
// secrets), the master key file and the root credentials file. It does not
// refuse: the operator may have reasons, and files OpenSTS creates there are
// 0600 anyway.
func warnIfShared(logger *slog.Logger, dir string) {
	fi, err := os.Stat(dir)
	if err != nil {
		return
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		logger.Warn("data directory is accessible to other users; restrict it to the owner",
			"dir", dir, "mode", fmt.Sprintf("%#o", perm), "fix", "chmod 700 "+dir)
	}
}

// ErrMasterKeyMissing is returned by MasterKey when no master key is
// configured but the store already holds secrets sealed under one.
var ErrMasterKeyMissing = errors.New("master key missing")

// ErrMasterKeyMismatch is returned by MasterKey when the configured master
// key is not the one the store's secrets are sealed under.
var ErrMasterKeyMismatch = errors.New("master key does not match the store")

// MasterKey returns the Box for the base64 key b64 (OPENSTS_MASTER_KEY) or,
// when b64 is empty, for dataDir/master.key. When that file does not exist
// and create is set, a new key is generated into it (mode 0600), but only
// for a store that holds nothing sealed yet: a store that does needs the key
// it was sealed with, and MasterKey refuses (ErrMasterKeyMissing) naming the
// file, OPENSTS_MASTER_KEY and the id of the key the store needs, leaving no
// file behind. A key that is not the store's fails with ErrMasterKeyMismatch.
func MasterKey(ctx context.Context, st opensts.Store, dataDir, b64 string, create bool) (*atrest.Box, error) {
	if b64 != "" {
		k, err := atrest.ParseKey(b64)
		if err != nil {
			return nil, fmt.Errorf("OPENSTS_MASTER_KEY: %w", err)
		}
		box, err := atrest.New(k)
		if err != nil {
			return nil, fmt.Errorf("OPENSTS_MASTER_KEY: %w", err)
		}
		if err := checkMasterKey(ctx, st, box, "OPENSTS_MASTER_KEY"); err != nil {
			return nil, err
		}
		return box, nil
	}
	path := filepath.Join(dataDir, "master.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		sealed, want, serr := storeKeyID(ctx, st)
		if serr != nil {
			return nil, serr
		}
		if sealed {
			return nil, missingKeyError(path, want)
		}
		if !create {
			return nil, fmt.Errorf("no master key: set OPENSTS_MASTER_KEY or create %s: %w", path, ErrMasterKeyMissing)
		}
		k := atrest.GenerateKey()
		if err := writeNew(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n")); err != nil {
			if !errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("write master key file: %w", err)
			}
			// Another process created it first; use theirs.
		} else {
			return atrest.New(k)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read master key file: %w", err)
	}
	k, err := atrest.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	box, err := atrest.New(k)
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	if err := checkMasterKey(ctx, st, box, path); err != nil {
		return nil, err
	}
	return box, nil
}

func missingKeyError(path, want string) error {
	id := ""
	if want != "" {
		id = " (key id " + want + ")"
	}
	return fmt.Errorf("%w: the store holds secrets sealed under a master key%s, but OPENSTS_MASTER_KEY is not set and %s does not exist; "+
		"set OPENSTS_MASTER_KEY to that key or restore %s from a backup (a new key cannot open them, so none is generated)",
		ErrMasterKeyMissing, id, path, path)
}

// checkMasterKey refuses a key that is not the one the store's secrets are
// sealed under, naming both ids; from is where the key came from.
func checkMasterKey(ctx context.Context, st opensts.Store, box *atrest.Box, from string) error {
	_, want, err := storeKeyID(ctx, st)
	if err != nil {
		return err
	}
	if want != "" && want != box.KeyID() {
		return fmt.Errorf("%w: the master key from %s has id %s, but the store's secrets are sealed under key id %s; use that key",
			ErrMasterKeyMismatch, from, box.KeyID(), want)
	}
	return nil
}

// storeKeyID reports whether st holds secrets sealed under a master key
// and, when it can tell, that key's id: from the token key ring, else from
// the default account's root access keys. A store with a default account
// holds sealed secrets (its root key) even when no id can be read.
func storeKeyID(ctx context.Context, st opensts.Store) (sealed bool, id string, err error) {
	keys, err := st.ListTokenKeys(ctx)
	if err != nil {
		return false, "", fmt.Errorf("read token key ring: %w", err)
	}
	for _, k := range keys {
		if id, ok := atrest.SealedKeyID(k.Sealed); ok {
			return true, id, nil
		}
	}
	acct, err := st.DefaultAccount(ctx)
	if errors.Is(err, opensts.ErrNotFound) {
		return len(keys) > 0, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read default account: %w", err)
	}
	aks, err := st.ListAccessKeys(ctx, acct.ID, acct.ID)
	if err != nil {
		return false, "", fmt.Errorf("read root access keys: %w", err)
	}
	for _, k := range aks {
		if id, ok := atrest.SealedKeyID(k.SealedSecret); ok {
			return true, id, nil
		}
	}
	return true, "", nil
}

// writeNew creates path with mode 0600, failing if it exists, and syncs it.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteRootCredentials writes generated root credentials to
// DataDir/root-credentials (0600) in the AWS shared-credentials format.
func WriteRootCredentials(dataDir string, c iam.RootCredentials) (string, error) {
	path := filepath.Join(dataDir, "root-credentials")
	data := fmt.Sprintf("# OpenSTS root credentials of account %s, written at first start.\n[opensts-root]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		c.AccountID, c.AccessKeyID, c.SecretAccessKey)
	return path, writeNew(path, []byte(data))
}

// ServeOptions are the HTTP server's settings.
type ServeOptions struct {
	// TLS, when set, serves HTTPS (HTTP/2 negotiated) with this config.
	TLS *tls.Config
	// Grace is how long a shutdown waits for requests in flight.
	Grace time.Duration
	// Timeouts and limits against slow or oversized clients; zero values
	// take the defaults below.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
}

func (o *ServeOptions) defaults() {
	if o.Grace <= 0 {
		o.Grace = 20 * time.Second
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 5 * time.Second
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 30 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 120 * time.Second
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 64 << 10
	}
}

// Serve serves h on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish within Grace, and returns nil.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, o ServeOptions) error {
	o.defaults()
	hs := &http.Server{
		Handler:           withDeadline(h, o.WriteTimeout),
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
		TLSConfig:         o.TLS,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if o.TLS != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.Grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}

// withDeadline gives every request's context the write timeout as its
// deadline: once it has passed the answer can no longer be sent, so work
// still running for the request (policy simulation, store reads) stops. The
// context is also cancelled when the client goes away.
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Serve serves the node's handler on ln; see the package-level Serve.
func (n *Node) Serve(ctx context.Context, ln net.Listener, o ServeOptions) error {
	return Serve(ctx, ln, n.Handler, n.cfg.Logger, o)
}

// cleanPath is the path ServeMux would redirect p to: p without "." and
// ".." elements or repeated slashes, rooted, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
