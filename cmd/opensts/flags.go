package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/node"
)

// envName is a flag's environment twin: --data-dir is OPENSTS_DATA_DIR.
func envName(flag string) string {
	return "OPENSTS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// sharedEnv are the flags whose twin is the same in every command: the
// administration commands work on the server's data dir and store, so
// OPENSTS_DATA_DIR and OPENSTS_STORE set for the server serve them too.
var sharedEnv = map[string]bool{"data-dir": true, "store": true, "audit-log": true}

// noEnv are the flags without a twin: a variable left in the environment
// must not turn a server start into printing its configuration.
var noEnv = map[string]bool{"help": true, "print-config": true}

// envFor is the environment twin of cmd's flag, or "" for none. The
// server's flags have the short form (--listen is OPENSTS_LISTEN); a
// subcommand's own flags carry the command's path, so that a variable meant
// for one command does not quietly change another: --user of opensts
// audit is OPENSTS_AUDIT_USER, --file of opensts mfa import-hardware is
// OPENSTS_MFA_IMPORT_HARDWARE_FILE. --data-dir, --store and --audit-log
// are shared.
func envFor(cmd *cobra.Command, flag string) string {
	if noEnv[flag] {
		return ""
	}
	if cmd == nil || sharedEnv[flag] || cmd.Name() == "server" {
		return envName(flag)
	}
	path := strings.Fields(cmd.CommandPath())
	if len(path) > 0 {
		path = path[1:] // "opensts"
	}
	return envName(strings.Join(append(path, flag), "-"))
}

// Where a flag's value came from, for --print-config.
const (
	fromDefault = "default"
	fromFlag    = "flag"
	fromEnv     = "env"
	fromFile    = "file"
)

// sourcesKey stores, in a command's annotations, where each flag's value
// came from.
const sourcesKey = "opensts.sources"

// withEnv gives every flag of cmd its OPENSTS_* twin, and, when cmd has a
// --config flag, reads a TOML configuration file whose keys are flag names
// (listen = "0.0.0.0:7070"). Precedence: command line, then environment,
// then file, then default. All of it happens in one place, so --help and
// behaviour never drift: the usage text names the variable.
func withEnv(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[envKey] = "yes"
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		file, err := configFile(cmd)
		if err != nil {
			return err
		}
		sources := map[string]string{}
		var errs []error
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			env := envFor(cmd, f.Name)
			v, inEnv := os.LookupEnv(env)
			switch {
			case f.Changed:
				sources[f.Name] = fromFlag
			case inEnv && env != "":
				if err := f.Value.Set(v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %v", env, err))
				}
				sources[f.Name] = fromEnv
			case file != nil && file[f.Name] != nil:
				if err := setFromFile(f, file[f.Name]); err != nil {
					errs = append(errs, fmt.Errorf("config file key %q: %v", f.Name, err))
				}
				sources[f.Name] = fromFile
			default:
				sources[f.Name] = fromDefault
			}
		})
		for k := range file {
			if cmd.Flags().Lookup(k) == nil || k == "config" {
				errs = append(errs, fmt.Errorf("config file key %q is not a flag of %s", k, cmd.CommandPath()))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if cmd.Annotations == nil {
			cmd.Annotations = map[string]string{}
		}
		var b strings.Builder
		for k, v := range sources {
			b.WriteString(k + "=" + v + ";")
		}
		cmd.Annotations[sourcesKey] = b.String()
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
	return cmd
}

// envKey marks, in a command's annotations, a command whose flags have
// environment twins (withEnv).
const envKey = "opensts.env"

// nameEnvironment adds each flag's environment twin to its usage text, in
// every command under root that withEnv made: the twin depends on the
// command's path, known once the tree is built.
func nameEnvironment(root *cobra.Command) {
	if root.Annotations[envKey] != "" {
		root.Flags().VisitAll(func(f *pflag.Flag) {
			if env := envFor(root, f.Name); env != "" {
				f.Usage += fmt.Sprintf(" (env %s)", env)
			}
		})
	}
	for _, c := range root.Commands() {
		nameEnvironment(c)
	}
}

// configFile loads the TOML file named by --config or OPENSTS_CONFIG.
func configFile(cmd *cobra.Command) (map[string]any, error) {
	f := cmd.Flags().Lookup("config")
	if f == nil {
		return nil, nil
	}
	path := f.Value.String()
	if !f.Changed {
		if v, ok := os.LookupEnv(envFor(cmd, "config")); ok {
			path = v
		}
	}
	if path == "" {
		return nil, nil
	}
	m := map[string]any{}
	if _, err := toml.DecodeFile(path, &m); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return m, nil
}

// setFromFile sets a flag from a TOML value: a string, number or boolean,
// or for a list flag an array of strings (or one comma-separated string).
func setFromFile(f *pflag.Flag, v any) error {
	switch t := v.(type) {
	case string, bool, int64, float64:
		return f.Value.Set(fmt.Sprint(t))
	case []any:
		sv, ok := f.Value.(pflag.SliceValue)
		if !ok {
			return fmt.Errorf("want a string, number or boolean, got an array")
		}
		items := make([]string, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("array member %d: want a string, got %T", i+1, e)
			}
			items[i] = s
		}
		return sv.Replace(items)
	}
	return fmt.Errorf("want a string, number or boolean, got %T", v)
}

// flagSources returns where each flag's value came from.
func flagSources(cmd *cobra.Command) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(cmd.Annotations[sourcesKey], ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// sortedFlags lists cmd's flags by name.
func sortedFlags(cmd *cobra.Command) []*pflag.Flag {
	var out []*pflag.Flag
	cmd.Flags().VisitAll(func(f *pflag.Flag) { out = append(out, f) })
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// storeFlags are --data-dir, --store and --audit-log for the
// administration commands that work on the store directly, as the server
// does.
type storeFlags struct{ dataDir, store, auditLog string }

func (s *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.dataDir, "data-dir", "./opensts-data", "data directory of the server")
	cmd.Flags().StringVar(&s.store, "store", "", "store URL, as for opensts server")
	cmd.Flags().StringVar(&s.auditLog, "audit-log", "", `audit trail to record the change in, as for opensts server: default <data-dir>/audit.jsonl, "-" for standard output, "off" for none`)
}

// open opens the store and the master key the server uses (OPENSTS_MASTER_KEY
// or the data dir's master.key, never created here). The store must exist:
// an administration command never creates one. The caller closes the store.
func (s storeFlags) open(ctx context.Context) (opensts.Store, *atrest.Box, error) {
	st, err := openExisting(ctx, s.store, s.dataDir)
	if err != nil {
		return nil, nil, err
	}
	box, err := node.MasterKey(ctx, st, s.dataDir, os.Getenv("OPENSTS_MASTER_KEY"), false)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, box, nil
}
