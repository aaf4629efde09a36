package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/node"
)

// offlineEventSource is the eventSource of the records administration
// commands write: they are not AWS API calls, so no AWS service name.
const offlineEventSource = "opensts.cli"

// record writes a CloudTrail-shaped record of a change an administration
// command made to the store, to the audit trail the server writes
// (--audit-log as for the server): name is the action (RotateTokenKey),
// opErr the command's failure, if any, after which the store may still
// have changed. The caller is the operating-system user on this host, as
// PrincipalID opensts-cli:USER@HOST. A trail that cannot be written fails
// the command, saying the change was made; without --audit-log and with
// no data dir (a PostgreSQL store used from another host), the command
// says on stderr that it recorded nothing.
func (s storeFlags) record(ctx context.Context, cmd *cobra.Command, st opensts.Store, name string, params, resp map[string]any, opErr error) error {
	path := s.auditLog
	switch path {
	case "off":
		return nil
	case "":
		if _, err := os.Stat(s.dataDir); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(cmd.ErrOrStderr(), "opensts: %s not recorded in an audit trail: the data dir %s does not exist (give --audit-log)\n", name, s.dataDir)
			return nil
		}
		path = filepath.Join(s.dataDir, "audit.jsonl")
	}
	host, _ := os.Hostname()
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	e := opensts.Event{
		Time: time.Now().UTC(), Source: offlineEventSource, Name: name,
		RequestID: opensts.NewID("", 32),
		SourceIP:  host,
		UserAgent: "opensts/" + buildVersion() + " (" + strings.TrimPrefix(cmd.CommandPath(), "opensts ") + ")",
		Identity: opensts.EventIdentity{
			Type: "Operator", PrincipalID: "opensts-cli:" + who + "@" + host,
		},
		RequestParameters: params,
		ResponseElements:  resp,
	}
	if acct, err := st.DefaultAccount(ctx); err == nil {
		e.Identity.AccountID = acct.ID
	}
	if opErr != nil {
		e.ErrorCode, e.ErrorMessage = "ServiceFailure", opErr.Error()
		if errors.Is(opErr, opensts.ErrAlreadyExists) {
			e.ErrorCode = "EntityAlreadyExists"
		}
		e.ResponseElements = nil
	}
	if err := audit.Append(ctx, path, e); err != nil {
		return fmt.Errorf("%s was done, but its audit record could not be written: %w", name, err)
	}
	return nil
}

// storeParams are the request parameters naming the store a command
// worked on, its password redacted.
func (s storeFlags) storeParams() map[string]any {
	if s.store != "" {
		return map[string]any{"store": node.RedactDSN(s.store)}
	}
	abs, err := filepath.Abs(s.dataDir)
	if err != nil {
		abs = s.dataDir
	}
	return map[string]any{"dataDir": abs}
}
