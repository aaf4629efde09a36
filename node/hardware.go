package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/totp"
)

// ImportHardwareTokens registers hardware TOTP tokens, unassigned, in the
// default account, their seeds sealed like every secret. It stops at the
// first failure; with skipExisting a serial already registered is counted
// and skipped instead.
func ImportHardwareTokens(ctx context.Context, st opensts.Store, box *atrest.Box, tokens []totp.HardwareToken, skipExisting bool) (imported, skipped int, err error) {
	acct, err := st.DefaultAccount(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("find the default account (start the server once first): %w", err)
	}
	now := time.Now().UTC()
	for _, t := range tokens {
		d := opensts.MFADevice{
			AccountID: acct.ID, SerialNumber: t.Serial, Kind: opensts.MFAHardware, Path: "/",
			SealedSeed: box.Seal(t.Seed, iam.SeedAAD(acct.ID, t.Serial)), CreatedAt: now,
		}
		err := st.CreateMFADevice(ctx, d, iam.MaxMFADevicesPerAccount)
		switch {
		case errors.Is(err, opensts.ErrAlreadyExists) && skipExisting:
			skipped++
		case errors.Is(err, opensts.ErrAlreadyExists):
			return imported, skipped, fmt.Errorf("serial %s is already registered (use --skip-existing to skip it)", t.Serial)
		case err != nil:
			return imported, skipped, fmt.Errorf("register %s: %w", t.Serial, err)
		default:
			imported++
		}
	}
	return imported, skipped, nil
}
