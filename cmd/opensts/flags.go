package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envName is a flag's environment twin: --data-dir is OPENSTS_DATA_DIR.
func envName(flag string) string {
	return "OPENSTS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// withEnv gives every flag of cmd its OPENSTS_* twin, in one place so help
// and behaviour never drift: the usage text names the variable, and before
// the command runs every flag not set on the command line takes the
// variable's value when it is set.
func withEnv(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Usage += fmt.Sprintf(" (env %s)", envName(f.Name))
	})
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		var errs []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Changed {
				return
			}
			if v, ok := os.LookupEnv(envName(f.Name)); ok {
				if err := f.Value.Set(v); err != nil {
					errs = append(errs, fmt.Sprintf("%s: %v", envName(f.Name), err))
				}
			}
		})
		if len(errs) > 0 {
			return fmt.Errorf("invalid environment: %s", strings.Join(errs, "; "))
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
	return cmd
}
