package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/node"
)

// serverConfig is the server command's configuration, parsed from flags and
// their OPENSTS_* twins.
type serverConfig struct {
	Listen      string
	DataDir     string
	Store       string
	Region      string
	LogFormat   string
	LogLevel    string
	KeyRotation time.Duration
	Grace       time.Duration
}

// Validate reports every problem at once.
func (c serverConfig) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q: %v", c.Listen, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.KeyRotation < 0 || (c.KeyRotation > 0 && c.KeyRotation < time.Minute) {
		errs = append(errs, fmt.Errorf("--key-rotation %s: want 0 (off) or at least 1m", c.KeyRotation))
	}
	if c.Grace <= 0 {
		errs = append(errs, fmt.Errorf("--shutdown-grace %s: must be positive", c.Grace))
	}
	return errors.Join(errs...)
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

Environment (no flag twins, to keep secrets off the command line):
  OPENSTS_ROOT_ACCESS_KEY_ID      root access key id for the first start
  OPENSTS_ROOT_SECRET_ACCESS_KEY  root secret access key for the first start
  OPENSTS_ACCOUNT_ID              12-digit id of the default account (first start)
  OPENSTS_MASTER_KEY              base64 of 32 random bytes; encrypts secrets at
                                  rest. Without it <data-dir>/master.key is used,
                                  generated on first start. Nodes sharing a store
                                  must share this key.

Endpoints: the Query APIs at /, /healthz (alive), /readyz (store reachable
and key ring loaded), /metrics (Prometheus).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.Validate(); err != nil {
				return err
			}
			return runServer(cmd, c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Listen, "listen", "127.0.0.1:7070", "address to serve on")
	f.StringVar(&c.DataDir, "data-dir", "./opensts-data", "directory for the embedded database, master key file and root credentials file")
	f.StringVar(&c.Store, "store", "", "store URL: empty for SQLite in the data dir, sqlite:///path, or postgres://user:pass@host/db")
	f.StringVar(&c.Region, "region", "us-east-1", "region this node reports (clients may sign with any region)")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.DurationVar(&c.KeyRotation, "key-rotation", 24*time.Hour, "rotate the session-token key ring this often; 0 disables (retired keys keep working until their sessions expire)")
	f.DurationVar(&c.Grace, "shutdown-grace", 20*time.Second, "on SIGINT/SIGTERM, how long to let requests in flight finish")
	return withEnv(cmd)
}

func runServer(cmd *cobra.Command, c serverConfig) error {
	ctx := cmd.Context()
	logger := newLogger(cmd.ErrOrStderr(), c.LogFormat, c.LogLevel)
	n, err := node.Open(ctx, node.Config{
		DataDir:     c.DataDir,
		Store:       c.Store,
		MasterKey:   os.Getenv("OPENSTS_MASTER_KEY"),
		Root:        rootFromEnv(),
		KeyRotation: c.KeyRotation,
		Logger:      logger,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if n.RootCreated {
		announceRoot(cmd.OutOrStdout(), c.DataDir, n.Root)
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	logger.Info("serving", "address", ln.Addr().String(), "account", n.Root.AccountID, "data_dir", c.DataDir)
	if err := n.Serve(ctx, ln, c.Grace); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

func rootFromEnv() iam.RootCredentials {
	return iam.RootCredentials{
		AccountID:       os.Getenv("OPENSTS_ACCOUNT_ID"),
		AccessKeyID:     os.Getenv("OPENSTS_ROOT_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("OPENSTS_ROOT_SECRET_ACCESS_KEY"),
	}
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
