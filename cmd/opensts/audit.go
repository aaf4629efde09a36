package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts/audit"
)

func newAuditCommand() *cobra.Command {
	var f audit.Filter
	var file, dataDir, since, until string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Search the audit trail: who got which credentials, who changed what",
		Long: `Read the audit trail (the current file and its rotated predecessors, oldest
first) and print the records that match every filter given.

Examples:
  opensts audit --event GetFederationToken --user Bob --since 24h   # who got credentials for Bob in the last day?
  opensts audit --access-key-id AKIA…                               # what a key did, and where it came from
  opensts audit --errors-only --since 2026-11-25T00:00:00Z          # every refusal since a time

Times are RFC 3339 or a duration back from now (24h, 90m).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Since, err = parseWhen(since); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if f.Until, err = parseWhen(until); err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			if file == "" {
				file = filepath.Join(dataDir, "audit.jsonl")
			}
			out := cmd.OutOrStdout()
			n := 0
			if !asJSON {
				fmt.Fprintf(out, "%-20s  %-22s  %-44s  %-20s  %s\n", "TIME", "EVENT", "CALLER", "ISSUED/TARGET", "RESULT")
			}
			err = audit.Scan(file, f, func(r audit.Record) error {
				n++
				if asJSON {
					b, err := json.Marshal(r)
					if err != nil {
						return err
					}
					fmt.Fprintln(out, string(b))
					return nil
				}
				result := "ok"
				if r.ErrorCode != "" {
					result = r.ErrorCode + ": " + r.ErrorMessage
				}
				caller := r.UserIdentity.ARN
				if caller == "" {
					caller = r.UserIdentity.PrincipalID // an administration command's operator
				}
				fmt.Fprintf(out, "%-20s  %-22s  %-44s  %-20s  %s\n", r.EventTime.UTC().Format(time.RFC3339), r.EventName, caller, target(r), result)
				return nil
			})
			if err != nil {
				return err
			}
			if !asJSON {
				fmt.Fprintf(out, "%d record(s)\n", n)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&file, "file", "", "audit file (default <data-dir>/audit.jsonl)")
	fl.StringVar(&dataDir, "data-dir", "./opensts-data", "data directory of the server")
	fl.StringVar(&f.UserName, "user", "", "IAM user or federated user name (signer, requested name, or user acted on)")
	fl.StringVar(&f.AccessKeyID, "access-key-id", "", "access key that signed, was issued, or was acted on")
	fl.StringVar(&f.EventName, "event", "", "action, e.g. GetSessionToken")
	fl.StringVar(&f.ErrorCode, "error", "", "AWS error code, e.g. AccessDenied")
	fl.StringVar(&f.Principal, "principal", "", "substring of the caller's or issued federated user's ARN")
	fl.BoolVar(&f.ErrorsOnly, "errors-only", false, "only refused requests")
	fl.StringVar(&since, "since", "", "from this time (2026-12-04T10:00:00Z), day (2026-12-04) or this long ago (24h, 7d)")
	fl.StringVar(&until, "until", "", "before this time (2026-12-04T10:00:00Z), day (2026-12-04) or this long ago (24h, 7d)")
	fl.BoolVar(&asJSON, "json", false, "print matching records as JSON lines")
	return withEnv(cmd)
}

// parseWhen reads an RFC 3339 time or a duration back from now.
func parseWhen(s string) (time.Time, error) {
	return parseWhenAt(s, time.Now())
}

// parseWhenAt reads a point in time as people write it, relative to now:
// a time (RFC 3339, 2026-12-04T10:00:00Z), a day (2026-12-04, from its
// start in UTC), or how long ago (90m, 24h, 7d, 2w; Go durations too).
func parseWhenAt(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); n != "" && (unit == "d" || unit == "w") {
		if k, err := strconv.Atoi(n); err == nil && k <= 100_000 {
			days := k
			if unit == "w" {
				days *= 7
			}
			return now.AddDate(0, 0, -days), nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give a time (2026-12-04T10:00:00Z), a day (2026-12-04) or how long ago (90m, 24h, 7d, 2w)", s)
}

// target is what a record issued or acted on: the federated user or
// session key issued, or the user or key acted on.
func target(r audit.Record) string {
	if fu, ok := r.ResponseElements["federatedUser"].(map[string]any); ok {
		if arn, ok := fu["arn"].(string); ok {
			return arn
		}
	}
	if cr, ok := r.ResponseElements["credentials"].(map[string]any); ok {
		if id, ok := cr["accessKeyId"].(string); ok {
			return id
		}
	}
	for _, k := range []string{"userName", "name", "accessKeyId", "policyName", "groupName", "serialNumber"} {
		if v, ok := r.RequestParameters[k].(string); ok {
			return v
		}
	}
	return ""
}
