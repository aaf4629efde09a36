package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
)

// AccessKeyView is an access key as IAM shows it; Secret is set only by
// CreateAccessKey (IAM returns a secret once, at creation).
type AccessKeyView struct {
	opensts.AccessKey
	UserName string // empty for the account root
	Secret   string
}

// CreateAccessKey creates a long-term key for a user, or for the caller when
// the name is omitted (the root creates root keys). At most two per user.
func (s *Service) CreateAccessKey(ctx context.Context, caller *opensts.Principal, in UserRef) (AccessKeyView, error) {
	if err := in.Validate(); err != nil {
		return AccessKeyView{}, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return AccessKeyView{}, err
	}
	if err := s.authorizeWith(ctx, caller, "CreateAccessKey", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return AccessKeyView{}, err
	}
	secret := opensts.NewSecretAccessKey()
	k := opensts.AccessKey{
		AccountID: caller.AccountID,
		UserID:    t.ownerID(caller.AccountID),
		Status:    opensts.AccessKeyActive,
		CreatedAt: s.now(),
	}
	// Ids carry 40 random bits; a collision is retried with a fresh id.
	for range 3 {
		k.ID = opensts.NewAccessKeyID(caller.AccountID)
		k.SealedSecret = s.cfg.Box.Seal([]byte(secret), k.SecretAAD())
		err = s.cfg.Store.CreateAccessKey(ctx, k, MaxAccessKeysPerUser)
		if !errors.Is(err, opensts.ErrAlreadyExists) {
			break
		}
	}
	switch {
	case errors.Is(err, opensts.ErrLimitExceeded):
		return AccessKeyView{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)
	case errors.Is(err, opensts.ErrNotFound):
		return AccessKeyView{}, noSuchUser(t.user.Name)
	case err != nil:
		return AccessKeyView{}, fmt.Errorf("create access key: %w", err)
	}
	return AccessKeyView{AccessKey: k, UserName: t.user.Name, Secret: secret}, nil
}

// ListAccessKeysInput mirrors IAM ListAccessKeys.
type ListAccessKeysInput struct {
	UserRef
	ListInput
}

// Validate: UserName 1–128; Marker; MaxItems 1–1000.
func (in ListAccessKeysInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, ruleExistingUserName)
	in.validate(&v)
	return v.Err()
}

// ListAccessKeys lists a user's keys (or the caller's), oldest first.
func (s *Service) ListAccessKeys(ctx context.Context, caller *opensts.Principal, in ListAccessKeysInput) (opensts.Page[AccessKeyView], error) {
	var page opensts.Page[AccessKeyView]
	if err := in.Validate(); err != nil {
		return page, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return page, err
	}
	if err := s.authorizeWith(ctx, caller, "ListAccessKeys", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return page, err
	}
	keys, err := s.cfg.Store.ListAccessKeys(ctx, caller.AccountID, t.ownerID(caller.AccountID))
	if err != nil {
		return page, fmt.Errorf("list access keys: %w", err)
	}
	// A user has at most two keys, so paging happens here.
	keyPage, err := pageOf(keys, func(k opensts.AccessKey) string { return k.ID }, in.ListInput)
	if err != nil {
		return page, err
	}
	for _, k := range keyPage.Items {
		page.Items = append(page.Items, AccessKeyView{AccessKey: k, UserName: t.user.Name})
	}
	page.Marker = keyPage.Marker
	return page, nil
}

// AccessKeyRef names a key of a user (or of the caller).
type AccessKeyRef struct {
	AccessKeyID *string
	UserRef
}

func (in AccessKeyRef) validate(v *opensts.ValidationError) {
	v.CheckString("accessKeyId", in.AccessKeyID, ruleAccessKeyID)
	v.CheckString("userName", in.UserName, ruleExistingUserName)
}

// key finds the named key of the target user; a key of anyone else is
// NoSuchEntity, as in IAM.
func (s *Service) key(ctx context.Context, caller *opensts.Principal, in AccessKeyRef, action string) (opensts.AccessKey, error) {
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return opensts.AccessKey{}, err
	}
	if err := s.authorizeWith(ctx, caller, action, t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return opensts.AccessKey{}, err
	}
	k, err := s.cfg.Store.GetAccessKey(ctx, *in.AccessKeyID)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && (k.AccountID != caller.AccountID || k.UserID != t.ownerID(caller.AccountID))) {
		return opensts.AccessKey{}, opensts.Errorf(opensts.ErrNotFound, "The Access Key with id %s cannot be found.", *in.AccessKeyID)
	}
	if err != nil {
		return opensts.AccessKey{}, err // the store's error names what it looked up
	}
	return k, nil
}

// UpdateAccessKeyInput mirrors IAM UpdateAccessKey.
type UpdateAccessKeyInput struct {
	AccessKeyRef
	Status *string
}

// Validate: AccessKeyId 16–128; Status one of Active, Inactive, Expired.
func (in UpdateAccessKeyInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("accessKeyId", in.AccessKeyID, ruleAccessKeyID)
	v.CheckEnum("status", in.Status, true, "Active", "Inactive", "Expired")
	v.CheckString("userName", in.UserName, ruleExistingUserName)
	return v.Err()
}

// UpdateAccessKey activates or deactivates a key. Deactivating a key also
// stops every session it requested.
func (s *Service) UpdateAccessKey(ctx context.Context, caller *opensts.Principal, in UpdateAccessKeyInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if *in.Status == "Expired" {
		return opensts.Errorf(opensts.ErrInvalidInput, "The status Expired cannot be set with UpdateAccessKey; use Active or Inactive.")
	}
	k, err := s.key(ctx, caller, in.AccessKeyRef, "UpdateAccessKey")
	if err != nil {
		return err
	}
	err = s.cfg.Store.UpdateAccessKey(ctx, k.ID, func(k *opensts.AccessKey) error {
		k.Status = opensts.AccessKeyStatus(*in.Status)
		return nil
	})
	s.changed(k.ID)
	if err != nil {
		return fmt.Errorf("update access key: %w", err)
	}
	return nil
}

// DeleteAccessKeyInput mirrors IAM DeleteAccessKey.
type DeleteAccessKeyInput struct {
	AccessKeyRef
}

// Validate: AccessKeyId 16–128; UserName 1–128.
func (in DeleteAccessKeyInput) Validate() error {
	var v opensts.ValidationError
	in.validate(&v)
	return v.Err()
}

// DeleteAccessKey deletes a key; sessions it requested stop working.
func (s *Service) DeleteAccessKey(ctx context.Context, caller *opensts.Principal, in DeleteAccessKeyInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	k, err := s.key(ctx, caller, in.AccessKeyRef, "DeleteAccessKey")
	if err != nil {
		return err
	}
	err = s.cfg.Store.DeleteAccessKey(ctx, k.ID)
	s.changed(k.ID)
	if err != nil && !errors.Is(err, opensts.ErrNotFound) {
		return fmt.Errorf("delete access key: %w", err)
	}
	return nil
}
