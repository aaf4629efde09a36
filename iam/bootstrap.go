package iam

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
)

// RootCredentials are the account root's first access key. On first start
// they come from the operator (OPENSTS_ROOT_*) or are generated.
type RootCredentials struct {
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
}

var (
	accountIDShape = regexp.MustCompile(`^[0-9]{12}$`)
	keyIDShape     = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	secretShape    = regexp.MustCompile(`^[\x21-\x7e]{16,128}$`)
)

// Validate checks operator-supplied values; empty fields are generated.
// Errors never contain the secret.
func (c RootCredentials) Validate() error {
	var errs []error
	if c.AccountID != "" && !accountIDShape.MatchString(c.AccountID) {
		errs = append(errs, errors.New("OPENSTS_ACCOUNT_ID must be 12 digits"))
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		errs = append(errs, errors.New("OPENSTS_ROOT_ACCESS_KEY_ID and OPENSTS_ROOT_SECRET_ACCESS_KEY must be set together"))
	}
	if c.AccessKeyID != "" && !keyIDShape.MatchString(c.AccessKeyID) {
		errs = append(errs, errors.New("OPENSTS_ROOT_ACCESS_KEY_ID must be 16–128 upper-case letters and digits"))
	}
	if c.SecretAccessKey != "" && !secretShape.MatchString(c.SecretAccessKey) {
		errs = append(errs, errors.New("OPENSTS_ROOT_SECRET_ACCESS_KEY must be 16–128 printable ASCII characters without spaces"))
	}
	return errors.Join(errs...)
}

// Bootstrap creates the default account and its root access key on first
// start, from want where set and generated otherwise, and returns the
// credentials with created true so the caller can show them once. On later
// starts nothing changes and created is false: if the operator still passes
// root credentials or an account id they must match what the store holds,
// so a changed environment is reported instead of silently ignored.
func Bootstrap(ctx context.Context, store opensts.Store, box *atrest.Box, want RootCredentials, now time.Time) (RootCredentials, bool, error) {
	if err := want.Validate(); err != nil {
		return RootCredentials{}, false, err
	}
	got := want
	if got.AccountID == "" {
		got.AccountID = opensts.NewAccountID()
	}
	if got.AccessKeyID == "" {
		got.AccessKeyID = opensts.NewAccessKeyID(got.AccountID)
		got.SecretAccessKey = opensts.NewSecretAccessKey()
	}
	key := opensts.AccessKey{
		ID: got.AccessKeyID, AccountID: got.AccountID, UserID: got.AccountID,
		Status: opensts.AccessKeyActive, CreatedAt: now.UTC(),
	}
	key.SealedSecret = box.Seal([]byte(got.SecretAccessKey), key.SecretAAD())
	acct, created, err := store.InitDefaultAccount(ctx, opensts.Account{ID: got.AccountID, CreatedAt: now.UTC()}, key)
	if err != nil {
		return RootCredentials{}, false, fmt.Errorf("initialize default account: %w", err)
	}
	if created {
		return got, true, nil
	}
	if want.AccountID != "" && want.AccountID != acct.ID {
		return RootCredentials{}, false, fmt.Errorf("OPENSTS_ACCOUNT_ID is %s but this store's account is %s; the account is fixed at first start", want.AccountID, acct.ID)
	}
	if want.AccessKeyID != "" {
		if err := checkRootKey(ctx, store, box, acct.ID, want); err != nil {
			return RootCredentials{}, false, err
		}
	}
	return RootCredentials{AccountID: acct.ID}, false, nil
}

func checkRootKey(ctx context.Context, store opensts.Store, box *atrest.Box, accountID string, want RootCredentials) error {
	k, err := store.GetAccessKey(ctx, want.AccessKeyID)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && (k.AccountID != accountID || !k.IsRoot())) {
		return fmt.Errorf("OPENSTS_ROOT_ACCESS_KEY_ID %s is not a root access key of this store; root credentials are fixed at first start", want.AccessKeyID)
	}
	if err != nil {
		return fmt.Errorf("check root access key: %w", err)
	}
	secret, err := box.Open(k.SealedSecret, k.SecretAAD())
	if err != nil {
		return fmt.Errorf("open root access key (is OPENSTS_MASTER_KEY the key this store was created with?): %w", err)
	}
	if subtle.ConstantTimeCompare(secret, []byte(want.SecretAccessKey)) != 1 {
		return fmt.Errorf("OPENSTS_ROOT_SECRET_ACCESS_KEY does not match the stored secret of %s; root credentials are fixed at first start", want.AccessKeyID)
	}
	return nil
}
