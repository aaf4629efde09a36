package issuer

import (
	"context"

	"github.com/opensts/opensts"
)

// CallerIdentity is GetCallerIdentity's result (spec §3.6).
type CallerIdentity struct {
	Account string
	ARN     string
	UserID  string
}

// GetCallerIdentity describes the caller. It needs no permission and an
// explicit deny does not block it (spec §2.4).
func (s *Issuer) GetCallerIdentity(_ context.Context, caller *opensts.Principal) CallerIdentity {
	return CallerIdentity{Account: caller.AccountID, ARN: caller.ARN(), UserID: caller.UserID()}
}

// GetAccessKeyInfoInput mirrors the STS request.
type GetAccessKeyInfoInput struct {
	AccessKeyID *string
}

// Validate: AccessKeyId required, 16–128 of [\w]*.
func (in GetAccessKeyInfoInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("accessKeyId", in.AccessKeyID, opensts.StringRule{Required: true, Min: 16, Max: 128, Pattern: &opensts.PatternAccessKeyID})
	return v.Err()
}

// GetAccessKeyInfo returns the account that owns an access key. OpenSTS key
// ids encode their account, so it answers for long-term and temporary keys,
// of any account, active or deleted, without revealing their state — as AWS
// does. The caller needs sts:GetAccessKeyInfo.
func (s *Issuer) GetAccessKeyInfo(ctx context.Context, caller *opensts.Principal, in GetAccessKeyInfoInput) (string, error) {
	if err := in.Validate(); err != nil {
		return "", err
	}
	if err := s.cfg.Authorizer.Authorize(ctx, caller, "sts:GetAccessKeyInfo", "*", nil); err != nil {
		return "", err
	}
	acct, ok := opensts.AccountFromKeyID(*in.AccessKeyID)
	if !ok {
		return "", opensts.Errorf(opensts.ErrInvalidParameter, "The access key ID %s was not issued by this service.", *in.AccessKeyID)
	}
	return acct, nil
}
