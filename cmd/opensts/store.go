package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/sqlite"
)

func newStoreCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{Use: "store", Short: "Copy the store to another backend, or back it up"})
	cmd.AddCommand(newStoreCopyCommand(), newStoreBackupCommand(), newStoreRestoreCommand())
	return cmd
}

func newStoreCopyCommand() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --from URL --to URL",
		Short: "Copy everything in one store into another, empty one (e.g. SQLite to PostgreSQL)",
		Long: `Copy the whole content of one store into another, empty store: typically
from the embedded SQLite store of a single node to PostgreSQL, to run several
nodes on it (see docs/multi-node.md).

  opensts store copy --from sqlite:///var/lib/opensts/opensts.db \
                     --to 'postgres://opensts:…@db.example:5432/opensts?sslmode=verify-full'

Stores are named as --store names them: sqlite:///path (the embedded store is
<data-dir>/opensts.db) or postgres://…. Accounts, users, groups, access keys,
MFA devices (with their replay and lockout state), managed policies with every
version and version counter, inline policies, attachments, the
session-token key ring, the web identity token signing keys and each
account's outbound web identity federation switch are copied with their
ids, times and sealed bytes unchanged.

The master key stays the same: secrets are copied still sealed under it, so
the servers on the new store must use the master key of the old one
(OPENSTS_MASTER_KEY, or copy <data-dir>/master.key into their data dir). Then
every access key, MFA device and unexpired session token keeps working.

The target must be empty: the copy refuses a store that holds anything (a
store any server has started on holds an account and a key ring). It is
written in one transaction, so it is complete or absent. Stop the servers on
the source first: what they write after the copy has read the source is not
copied. The command needs no master key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStoreCopy(cmd.Context(), cmd.OutOrStdout(), from, to)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "store to copy from: sqlite:///path or postgres://…")
	cmd.Flags().StringVar(&to, "to", "", "empty store to copy into: postgres://… or sqlite:///path")
	return withEnv(cmd)
}

func runStoreCopy(ctx context.Context, w io.Writer, from, to string) error {
	var errs []error
	if from == "" {
		errs = append(errs, errors.New("--from is required"))
	}
	if to == "" {
		errs = append(errs, errors.New("--to is required"))
	}
	if from != "" && from == to {
		errs = append(errs, errors.New("--from and --to name the same store"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	src, err := openExisting(ctx, from, "")
	if err != nil {
		return err
	}
	defer src.Close()
	srcSnap, ok := src.(opensts.Snapshotter)
	if !ok {
		return fmt.Errorf("store %s cannot be copied", node.RedactDSN(from))
	}
	snap, err := srcSnap.Snapshot(ctx)
	if err != nil {
		return err
	}
	if len(snap.Accounts) == 0 {
		return fmt.Errorf("store %s is empty: nothing to copy", node.RedactDSN(from))
	}

	dst, err := node.OpenStore(ctx, to, "")
	if err != nil {
		return err
	}
	defer dst.Close()
	dstSnap, ok := dst.(opensts.Snapshotter)
	if !ok {
		return fmt.Errorf("store %s cannot be copied into", node.RedactDSN(to))
	}
	if err := dstSnap.Restore(ctx, snap); err != nil {
		if errors.Is(err, opensts.ErrConflict) {
			return fmt.Errorf("store %s is not empty; store copy only writes into an empty store", node.RedactDSN(to))
		}
		return err
	}
	// Read the copy back: what is reported is what the target holds.
	got, err := dstSnap.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("read back the copy: %w", err)
	}
	want, have := counts(snap), counts(got)
	for i := range want {
		if want[i] != have[i] {
			return fmt.Errorf("the copy holds %d %s, the source %d", have[i].n, have[i].what, want[i].n)
		}
	}
	fmt.Fprintf(w, "Copied %s to %s:\n", node.RedactDSN(from), node.RedactDSN(to))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range have {
		fmt.Fprintf(tw, "  %s\t%d\n", c.what, c.n)
	}
	tw.Flush()
	fmt.Fprintln(w, "Servers on the new store need the master key of the old one (OPENSTS_MASTER_KEY or <data-dir>/master.key).")
	return nil
}

type count struct {
	what string
	n    int
}

func counts(s *opensts.Snapshot) []count {
	versions := 0
	for _, p := range s.Policies {
		versions += len(p.Versions)
	}
	return []count{
		{"accounts", len(s.Accounts)},
		{"users", len(s.Users)},
		{"roles", len(s.Roles)},
		{"OIDC providers", len(s.OIDCProviders)},
		{"SAML providers", len(s.SAMLProviders)},
		{"groups", len(s.Groups)},
		{"group memberships", len(s.Memberships)},
		{"access keys", len(s.AccessKeys)},
		{"MFA devices", len(s.MFADevices)},
		{"managed policies", len(s.Policies)},
		{"policy versions", versions},
		{"inline policies", len(s.InlinePolicies)},
		{"policy attachments", len(s.Attachments)},
		{"token keys", len(s.TokenKeys)},
		{"signing keys", len(s.SigningKeys)},
		{"outbound federation settings", len(s.OutboundFederations)},
	}
}

// openExisting opens a store that must exist already: opening a SQLite
// path that does not exist would create an empty database. An empty store
// names the data dir's opensts.db, as for the server.
func openExisting(ctx context.Context, store, dataDir string) (opensts.Store, error) {
	path, ok := "", strings.HasPrefix(store, "sqlite://")
	if ok {
		var err error
		if path, err = node.SQLitePath(store); err != nil {
			return nil, err
		}
	}
	if store == "" {
		path, ok = filepath.Join(dataDir, "opensts.db"), true
	}
	if ok {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	return node.OpenStore(ctx, store, dataDir)
}

func newStoreBackupCommand() *cobra.Command {
	var dataDir, store string
	cmd := &cobra.Command{
		Use:   "backup PATH",
		Short: "Write a consistent copy of the embedded SQLite store to PATH while servers keep running",
		Long: `Write a consistent copy of the embedded SQLite store to PATH, a new file, while
servers keep running on it (SQLite's VACUUM INTO: one read snapshot, writers are
not blocked), readable by its owner only (mode 0600). The copy opens as a store
of its own: point --store (or --data-dir) at it to restore. Secrets in it stay
sealed under the master key, which is not part of the copy: back up
<data-dir>/master.key (or OPENSTS_MASTER_KEY) separately, and keep the two apart.

For a PostgreSQL store use PostgreSQL's tools, e.g.
  pg_dump --format=custom --file=opensts.dump 'postgres://…'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStoreBackup(cmd.Context(), cmd.OutOrStdout(), dataDir, store, args[0])
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "./opensts-data", "data directory of the server, whose opensts.db is backed up")
	cmd.Flags().StringVar(&store, "store", "", "store URL, as for opensts server: empty or sqlite:///path")
	return withEnv(cmd)
}

// embeddedPath is the SQLite database file that --data-dir and --store
// name for store backup and restore (what: "backup" or "restore").
func embeddedPath(dataDir, store, what string) (string, error) {
	if store == "" {
		return filepath.Join(dataDir, "opensts.db"), nil
	}
	if !strings.HasPrefix(store, "sqlite://") {
		tool := "pg_dump, e.g. pg_dump --format=custom --file=opensts.dump 'postgres://…'"
		if what == "restore" {
			tool = "pg_restore"
		}
		return "", fmt.Errorf("store %s works on the embedded SQLite store; %s is not one. For PostgreSQL use %s", what, node.RedactDSN(store), tool)
	}
	return node.SQLitePath(store)
}

func runStoreBackup(ctx context.Context, w io.Writer, dataDir, store, dest string) error {
	path, err := embeddedPath(dataDir, store, "backup")
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(w, "Backed up %s to %s. Back up the master key separately.\n", path, dest)
	return nil
}

func newStoreRestoreCommand() *cobra.Command {
	var dataDir, store string
	cmd := &cobra.Command{
		Use:   "restore BACKUP",
		Short: "Replace the embedded SQLite store with a copy written by store backup; refused while a server runs on it",
		Long: `Replace the embedded SQLite store (<data-dir>/opensts.db, or --store
sqlite:///path) with BACKUP, a copy written by opensts store backup.

Stop every server on the store first: a server keeps the database file it
opened, so a file replaced under it is not read, and what it writes goes to
the old one. Servers on an embedded store hold <database>.lock while they run,
and restore refuses while any does; a server started during a restore refuses
to start. (A server whose database file is replaced by hand logs an error and
fails /readyz until it is restarted.)

BACKUP is checked before anything is replaced: it must open as a store of
this version or older, hold an account, and its secrets must be sealed
under the master key the servers use (OPENSTS_MASTER_KEY or
<data-dir>/master.key). The database is then replaced in one rename, and its
-wal and -shm files removed. BACKUP itself is not changed.

For a PostgreSQL store use PostgreSQL's tools (pg_restore).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStoreRestore(cmd.Context(), cmd.OutOrStdout(), dataDir, store, args[0])
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "./opensts-data", "data directory of the server, whose opensts.db is replaced")
	cmd.Flags().StringVar(&store, "store", "", "store URL, as for opensts server: empty or sqlite:///path")
	return withEnv(cmd)
}

func runStoreRestore(ctx context.Context, w io.Writer, dataDir, store, backup string) (err error) {
	path, err := embeddedPath(dataDir, store, "restore")
	if err != nil {
		return err
	}
	if _, err := os.Stat(backup); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return fmt.Errorf("store directory: %w", err)
	}
	lock, err := node.LockForRestore(path)
	if err != nil {
		return fmt.Errorf("store restore: %w", err)
	}
	defer lock.Close()

	// The backup is copied beside the database and checked there, so that
	// the replacement is one rename and the backup is never opened for
	// writing.
	tmp := path + ".restoring"
	removeTmp := func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}
	removeTmp()
	defer func() {
		if err != nil {
			removeTmp()
		}
	}()
	if err := copyFile(backup, tmp); err != nil {
		return fmt.Errorf("copy the backup: %w", err)
	}
	if err := checkRestorable(ctx, tmp, dataDir, store); err != nil {
		return fmt.Errorf("backup %s cannot be restored: %w", backup, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	removeTmp()
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	fmt.Fprintf(w, "Restored %s from %s. Start the servers with the master key of the backup.\n", path, backup)
	return nil
}

// checkRestorable opens the copy at path as a store and checks that it
// holds an account whose secrets the configured master key opens.
func checkRestorable(ctx context.Context, path, dataDir, store string) error {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.DefaultAccount(ctx); err != nil {
		if errors.Is(err, opensts.ErrNotFound) {
			return errors.New("it holds no account (not a backup of a store a server ran on)")
		}
		return err
	}
	// The master key file is in the data dir, whatever --store says.
	_, err = node.MasterKey(ctx, db, dataDir, os.Getenv("OPENSTS_MASTER_KEY"), false)
	return err
}

// copyFile copies src to a new file dst (mode 0600) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
