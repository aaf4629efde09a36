// Command opensts is the OpenSTS server and its administration tool.
//
//	opensts server          serve STS and IAM (see opensts server --help)
//	opensts keys rotate     rotate the session-token key ring
//
// Every flag has an OPENSTS_* environment twin: --data-dir is
// OPENSTS_DATA_DIR. A flag given on the command line wins over the
// environment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "opensts:", err)
		os.Exit(1)
	}
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

Every flag has an OPENSTS_* environment twin (--data-dir is OPENSTS_DATA_DIR);
a flag given on the command line wins over the environment.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServerCommand(), newKeysCommand(), newMFACommand(), newAuditCommand(), newStoreCommand())
	return root
}
