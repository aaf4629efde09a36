package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/opensts/opensts/keyring"
)

func newKeysCommand() *cobra.Command {
	keys := groupCommand(&cobra.Command{Use: "keys", Short: "Manage the session-token key ring"})
	var sf storeFlags
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Make a new active token key; tokens sealed by older keys keep working until they expire",
		Long: `Rotate the session-token key ring in the store. New sessions are sealed with
the new key; the previous key keeps opening the tokens it sealed until the
longest session it could have issued (36 hours) has expired, then it is pruned.
Running servers pick the new key up within their refresh interval (30 s), and
at once when they meet a token sealed by it. Uses OPENSTS_MASTER_KEY or the
data dir's master.key, like the server. The rotation is recorded in the
server's audit trail (--audit-log) as RotateTokenKey.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, box, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := keyring.Open(ctx, keyring.Config{Store: st, Box: box})
			if err != nil {
				return err
			}
			id, err := m.Rotate(ctx)
			if err != nil {
				return errors.Join(err, sf.record(ctx, cmd, st, "RotateTokenKey", sf.storeParams(), nil, err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token key %d is now active\n", id)
			return sf.record(ctx, cmd, st, "RotateTokenKey", sf.storeParams(), map[string]any{"tokenKeyId": id}, nil)
		},
	}
	sf.add(rotate)
	keys.AddCommand(withEnv(rotate))
	return keys
}
