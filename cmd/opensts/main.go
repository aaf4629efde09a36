// Command opensts is the OpenSTS server and its administration tool.
//
//	opensts server          serve STS and IAM (see opensts server --help)
//	opensts keys rotate     rotate the session-token key ring
//
// Flags have OPENSTS_* environment twins: the server's --data-dir is
// OPENSTS_DATA_DIR, opensts audit's --user is OPENSTS_AUDIT_USER (see
// envFor). A flag given on the command line wins over the environment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cmd, err := newRootCommand().ExecuteContextC(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "opensts:", scrubStores(cmd, err))
		os.Exit(1)
	}
}

// storeFlagNames are the flags that carry store URLs, which may hold a
// PostgreSQL password.
var storeFlagNames = []string{"store", "from", "to"}

// scrubStores takes the passwords of cmd's store URLs (flags, their
// environment twins) out of err's text: the last line of defence behind
// redacting URLs wherever they are formatted.
func scrubStores(cmd *cobra.Command, err error) error {
	var dsns []string
	for _, name := range storeFlagNames {
		if v, ok := os.LookupEnv(envFor(cmd, name)); ok {
			dsns = append(dsns, v)
		}
		if v, ok := os.LookupEnv(envName(name)); ok {
			dsns = append(dsns, v)
		}
		if cmd == nil {
			continue
		}
		if f := cmd.Flags().Lookup(name); f != nil {
			dsns = append(dsns, f.Value.String())
		}
	}
	return postgres.Scrub(err, dsns...)
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "opensts",
		Short: "OpenSTS: a self-hosted, AWS-compatible Security Token Service",
		Long: `OpenSTS issues short-lived AWS credentials (GetSessionToken with TOTP MFA,
GetFederationToken with session policies) to callers holding long-term IAM
access keys, and answers who signed a request and whether it is allowed.
Standard AWS clients (the AWS CLI, the SDKs, boto3) work against it with only
an endpoint override, e.g. AWS_ENDPOINT_URL=http://127.0.0.1:7070.

Flags have OPENSTS_* environment twins, named in each command's --help: the
server's are short (--data-dir is OPENSTS_DATA_DIR, shared by the commands
that work on the store), other commands' carry their name (--user of opensts
audit is OPENSTS_AUDIT_USER). A flag given on the command line wins over the
environment.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = buildVersion()
	root.SetVersionTemplate("opensts {{.Version}}\n")
	root.AddCommand(newServerCommand(), newKeysCommand(), newMFACommand(), newAuditCommand(), newStoreCommand(), newVersionCommand())
	nameEnvironment(root)
	return root
}

// groupCommand makes a command that only holds subcommands refuse anything
// else: cobra would print its help and exit 0 for "opensts keys rotat", so a
// cron job with a typo would report success. Without arguments it still
// prints its help.
func groupCommand(c *cobra.Command) *cobra.Command {
	c.Args = cobra.ArbitraryArgs
	c.SuggestionsMinimumDistance = 2
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return fmt.Errorf("%s (run '%s --help' for its commands)", msg, cmd.CommandPath())
	}
	return c
}
