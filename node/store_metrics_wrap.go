package node

import (
	"context"
	"time"

	"github.com/opensts/opensts"
)

// observedStore wraps a Store, timing every operation and counting its
// failures for Prometheus. Each method only delegates. The Store is a
// field, not embedded, so a method added to opensts.Store and not here
// fails the assertion below instead of passing through unobserved.
type observedStore struct {
	inner opensts.Store
	m     *storeMetrics
}

var _ opensts.Store = observedStore{}

// Close is not a store operation: it is not observed.
func (s observedStore) Close() error { return s.inner.Close() }

func (s observedStore) Ping(ctx context.Context) (err error) {
	defer s.m.observe("Ping", time.Now(), &err)
	return s.inner.Ping(ctx)
}

func (s observedStore) InitDefaultAccount(ctx context.Context, a opensts.Account, rootKey opensts.AccessKey) (r0 opensts.Account, r1 bool, err error) {
	defer s.m.observe("InitDefaultAccount", time.Now(), &err)
	r0, r1, err = s.inner.InitDefaultAccount(ctx, a, rootKey)
	return r0, r1, err
}

func (s observedStore) DefaultAccount(ctx context.Context) (r0 opensts.Account, err error) {
	defer s.m.observe("DefaultAccount", time.Now(), &err)
	r0, err = s.inner.DefaultAccount(ctx)
	return r0, err
}

func (s observedStore) GetAccount(ctx context.Context, id string) (r0 opensts.Account, err error) {
	defer s.m.observe("GetAccount", time.Now(), &err)
	r0, err = s.inner.GetAccount(ctx, id)
	return r0, err
}

func (s observedStore) CreateUser(ctx context.Context, u opensts.User, maxUsers int) (err error) {
	defer s.m.observe("CreateUser", time.Now(), &err)
	return s.inner.CreateUser(ctx, u, maxUsers)
}

func (s observedStore) GetUser(ctx context.Context, accountID, name string) (r0 opensts.User, err error) {
	defer s.m.observe("GetUser", time.Now(), &err)
	r0, err = s.inner.GetUser(ctx, accountID, name)
	return r0, err
}

func (s observedStore) GetUserByID(ctx context.Context, accountID, userID string) (r0 opensts.User, err error) {
	defer s.m.observe("GetUserByID", time.Now(), &err)
	r0, err = s.inner.GetUserByID(ctx, accountID, userID)
	return r0, err
}

func (s observedStore) ListUsers(ctx context.Context, accountID string, opt opensts.ListOptions) (r0 opensts.Page[opensts.User], err error) {
	defer s.m.observe("ListUsers", time.Now(), &err)
	r0, err = s.inner.ListUsers(ctx, accountID, opt)
	return r0, err
}

func (s observedStore) UpdateUser(ctx context.Context, accountID, userID string, fn func(*opensts.User) error) (err error) {
	defer s.m.observe("UpdateUser", time.Now(), &err)
	return s.inner.UpdateUser(ctx, accountID, userID, fn)
}

func (s observedStore) DeleteUser(ctx context.Context, accountID, userID string) (err error) {
	defer s.m.observe("DeleteUser", time.Now(), &err)
	return s.inner.DeleteUser(ctx, accountID, userID)
}

func (s observedStore) CreateRole(ctx context.Context, r opensts.Role, maxRoles int) (err error) {
	defer s.m.observe("CreateRole", time.Now(), &err)
	return s.inner.CreateRole(ctx, r, maxRoles)
}

func (s observedStore) GetRole(ctx context.Context, accountID, name string) (r0 opensts.Role, err error) {
	defer s.m.observe("GetRole", time.Now(), &err)
	r0, err = s.inner.GetRole(ctx, accountID, name)
	return r0, err
}

func (s observedStore) GetRoleByID(ctx context.Context, accountID, roleID string) (r0 opensts.Role, err error) {
	defer s.m.observe("GetRoleByID", time.Now(), &err)
	r0, err = s.inner.GetRoleByID(ctx, accountID, roleID)
	return r0, err
}

func (s observedStore) ListRoles(ctx context.Context, accountID string, opt opensts.ListOptions) (r0 opensts.Page[opensts.Role], err error) {
	defer s.m.observe("ListRoles", time.Now(), &err)
	r0, err = s.inner.ListRoles(ctx, accountID, opt)
	return r0, err
}

func (s observedStore) UpdateRole(ctx context.Context, accountID, roleID string, fn func(*opensts.Role) error) (err error) {
	defer s.m.observe("UpdateRole", time.Now(), &err)
	return s.inner.UpdateRole(ctx, accountID, roleID, fn)
}

func (s observedStore) DeleteRole(ctx context.Context, accountID, roleID string) (err error) {
	defer s.m.observe("DeleteRole", time.Now(), &err)
	return s.inner.DeleteRole(ctx, accountID, roleID)
}

func (s observedStore) CreateOIDCProvider(ctx context.Context, p opensts.OIDCProvider, maxProviders int) (err error) {
	defer s.m.observe("CreateOIDCProvider", time.Now(), &err)
	return s.inner.CreateOIDCProvider(ctx, p, maxProviders)
}

func (s observedStore) GetOIDCProvider(ctx context.Context, accountID, url string) (r0 opensts.OIDCProvider, err error) {
	defer s.m.observe("GetOIDCProvider", time.Now(), &err)
	r0, err = s.inner.GetOIDCProvider(ctx, accountID, url)
	return r0, err
}

func (s observedStore) GetOIDCProviderByID(ctx context.Context, accountID, id string) (r0 opensts.OIDCProvider, err error) {
	defer s.m.observe("GetOIDCProviderByID", time.Now(), &err)
	r0, err = s.inner.GetOIDCProviderByID(ctx, accountID, id)
	return r0, err
}

func (s observedStore) ListOIDCProviders(ctx context.Context, accountID string) (r0 []opensts.OIDCProvider, err error) {
	defer s.m.observe("ListOIDCProviders", time.Now(), &err)
	r0, err = s.inner.ListOIDCProviders(ctx, accountID)
	return r0, err
}

func (s observedStore) UpdateOIDCProvider(ctx context.Context, accountID, id string, fn func(*opensts.OIDCProvider) error) (err error) {
	defer s.m.observe("UpdateOIDCProvider", time.Now(), &err)
	return s.inner.UpdateOIDCProvider(ctx, accountID, id, fn)
}

func (s observedStore) DeleteOIDCProvider(ctx context.Context, accountID, id string) (err error) {
	defer s.m.observe("DeleteOIDCProvider", time.Now(), &err)
	return s.inner.DeleteOIDCProvider(ctx, accountID, id)
}

func (s observedStore) CreateSAMLProvider(ctx context.Context, p opensts.SAMLProvider, maxProviders int) (err error) {
	defer s.m.observe("CreateSAMLProvider", time.Now(), &err)
	return s.inner.CreateSAMLProvider(ctx, p, maxProviders)
}

func (s observedStore) GetSAMLProvider(ctx context.Context, accountID, name string) (r0 opensts.SAMLProvider, err error) {
	defer s.m.observe("GetSAMLProvider", time.Now(), &err)
	r0, err = s.inner.GetSAMLProvider(ctx, accountID, name)
	return r0, err
}

func (s observedStore) GetSAMLProviderByID(ctx context.Context, accountID, id string) (r0 opensts.SAMLProvider, err error) {
	defer s.m.observe("GetSAMLProviderByID", time.Now(), &err)
	r0, err = s.inner.GetSAMLProviderByID(ctx, accountID, id)
	return r0, err
}

func (s observedStore) ListSAMLProviders(ctx context.Context, accountID string) (r0 []opensts.SAMLProvider, err error) {
	defer s.m.observe("ListSAMLProviders", time.Now(), &err)
	r0, err = s.inner.ListSAMLProviders(ctx, accountID)
	return r0, err
}

func (s observedStore) UpdateSAMLProvider(ctx context.Context, accountID, id string, fn func(*opensts.SAMLProvider) error) (err error) {
	defer s.m.observe("UpdateSAMLProvider", time.Now(), &err)
	return s.inner.UpdateSAMLProvider(ctx, accountID, id, fn)
}

func (s observedStore) DeleteSAMLProvider(ctx context.Context, accountID, id string) (err error) {
	defer s.m.observe("DeleteSAMLProvider", time.Now(), &err)
	return s.inner.DeleteSAMLProvider(ctx, accountID, id)
}

func (s observedStore) CreateGroup(ctx context.Context, g opensts.Group, maxGroups int) (err error) {
	defer s.m.observe("CreateGroup", time.Now(), &err)
	return s.inner.CreateGroup(ctx, g, maxGroups)
}

func (s observedStore) GetGroup(ctx context.Context, accountID, name string) (r0 opensts.Group, err error) {
	defer s.m.observe("GetGroup", time.Now(), &err)
	r0, err = s.inner.GetGroup(ctx, accountID, name)
	return r0, err
}

func (s observedStore) ListGroups(ctx context.Context, accountID string, opt opensts.ListOptions) (r0 opensts.Page[opensts.Group], err error) {
	defer s.m.observe("ListGroups", time.Now(), &err)
	r0, err = s.inner.ListGroups(ctx, accountID, opt)
	return r0, err
}

func (s observedStore) DeleteGroup(ctx context.Context, accountID, groupID string) (err error) {
	defer s.m.observe("DeleteGroup", time.Now(), &err)
	return s.inner.DeleteGroup(ctx, accountID, groupID)
}

func (s observedStore) AddUserToGroup(ctx context.Context, accountID, groupID, userID string, maxGroupsPerUser int) (err error) {
	defer s.m.observe("AddUserToGroup", time.Now(), &err)
	return s.inner.AddUserToGroup(ctx, accountID, groupID, userID, maxGroupsPerUser)
}

func (s observedStore) RemoveUserFromGroup(ctx context.Context, accountID, groupID, userID string) (err error) {
	defer s.m.observe("RemoveUserFromGroup", time.Now(), &err)
	return s.inner.RemoveUserFromGroup(ctx, accountID, groupID, userID)
}

func (s observedStore) ListGroupsForUser(ctx context.Context, accountID, userID string, opt opensts.ListOptions) (r0 opensts.Page[opensts.Group], err error) {
	defer s.m.observe("ListGroupsForUser", time.Now(), &err)
	r0, err = s.inner.ListGroupsForUser(ctx, accountID, userID, opt)
	return r0, err
}

func (s observedStore) ListGroupMembers(ctx context.Context, accountID, groupID string, opt opensts.ListOptions) (r0 opensts.Page[opensts.User], err error) {
	defer s.m.observe("ListGroupMembers", time.Now(), &err)
	r0, err = s.inner.ListGroupMembers(ctx, accountID, groupID, opt)
	return r0, err
}

func (s observedStore) CreateAccessKey(ctx context.Context, k opensts.AccessKey, maxPerUser int) (err error) {
	defer s.m.observe("CreateAccessKey", time.Now(), &err)
	return s.inner.CreateAccessKey(ctx, k, maxPerUser)
}

func (s observedStore) GetAccessKey(ctx context.Context, id string) (r0 opensts.AccessKey, err error) {
	defer s.m.observe("GetAccessKey", time.Now(), &err)
	r0, err = s.inner.GetAccessKey(ctx, id)
	return r0, err
}

func (s observedStore) ListAccessKeys(ctx context.Context, accountID, userID string) (r0 []opensts.AccessKey, err error) {
	defer s.m.observe("ListAccessKeys", time.Now(), &err)
	r0, err = s.inner.ListAccessKeys(ctx, accountID, userID)
	return r0, err
}

func (s observedStore) UpdateAccessKey(ctx context.Context, id string, fn func(*opensts.AccessKey) error) (err error) {
	defer s.m.observe("UpdateAccessKey", time.Now(), &err)
	return s.inner.UpdateAccessKey(ctx, id, fn)
}

func (s observedStore) DeleteAccessKey(ctx context.Context, id string) (err error) {
	defer s.m.observe("DeleteAccessKey", time.Now(), &err)
	return s.inner.DeleteAccessKey(ctx, id)
}

func (s observedStore) CreateMFADevice(ctx context.Context, d opensts.MFADevice, maxDevices int) (err error) {
	defer s.m.observe("CreateMFADevice", time.Now(), &err)
	return s.inner.CreateMFADevice(ctx, d, maxDevices)
}

func (s observedStore) GetMFADevice(ctx context.Context, accountID, serial string) (r0 opensts.MFADevice, err error) {
	defer s.m.observe("GetMFADevice", time.Now(), &err)
	r0, err = s.inner.GetMFADevice(ctx, accountID, serial)
	return r0, err
}

func (s observedStore) ListMFADevices(ctx context.Context, accountID string, f opensts.MFAFilter, opt opensts.ListOptions) (r0 opensts.Page[opensts.MFADevice], err error) {
	defer s.m.observe("ListMFADevices", time.Now(), &err)
	r0, err = s.inner.ListMFADevices(ctx, accountID, f, opt)
	return r0, err
}

func (s observedStore) UpdateMFADevice(ctx context.Context, accountID, serial string, fn func(*opensts.MFADevice) error) (err error) {
	defer s.m.observe("UpdateMFADevice", time.Now(), &err)
	return s.inner.UpdateMFADevice(ctx, accountID, serial, fn)
}

func (s observedStore) DeleteMFADevice(ctx context.Context, accountID, serial string) (err error) {
	defer s.m.observe("DeleteMFADevice", time.Now(), &err)
	return s.inner.DeleteMFADevice(ctx, accountID, serial)
}

func (s observedStore) CreatePolicy(ctx context.Context, p opensts.ManagedPolicy, doc string, maxPolicies int) (err error) {
	defer s.m.observe("CreatePolicy", time.Now(), &err)
	return s.inner.CreatePolicy(ctx, p, doc, maxPolicies)
}

func (s observedStore) GetPolicy(ctx context.Context, accountID, name string) (r0 opensts.ManagedPolicy, err error) {
	defer s.m.observe("GetPolicy", time.Now(), &err)
	r0, err = s.inner.GetPolicy(ctx, accountID, name)
	return r0, err
}

func (s observedStore) ListPolicies(ctx context.Context, accountID string, onlyAttached bool, opt opensts.ListOptions) (r0 opensts.Page[opensts.ManagedPolicy], err error) {
	defer s.m.observe("ListPolicies", time.Now(), &err)
	r0, err = s.inner.ListPolicies(ctx, accountID, onlyAttached, opt)
	return r0, err
}

func (s observedStore) DeletePolicy(ctx context.Context, accountID, policyID string) (err error) {
	defer s.m.observe("DeletePolicy", time.Now(), &err)
	return s.inner.DeletePolicy(ctx, accountID, policyID)
}

func (s observedStore) CreatePolicyVersion(ctx context.Context, accountID, policyID, doc string, setDefault bool, maxVersions int, now time.Time) (r0 opensts.PolicyVersion, err error) {
	defer s.m.observe("CreatePolicyVersion", time.Now(), &err)
	r0, err = s.inner.CreatePolicyVersion(ctx, accountID, policyID, doc, setDefault, maxVersions, now)
	return r0, err
}

func (s observedStore) GetPolicyVersion(ctx context.Context, accountID, policyID, versionID string) (r0 opensts.PolicyVersion, err error) {
	defer s.m.observe("GetPolicyVersion", time.Now(), &err)
	r0, err = s.inner.GetPolicyVersion(ctx, accountID, policyID, versionID)
	return r0, err
}

func (s observedStore) ListPolicyVersions(ctx context.Context, accountID, policyID string) (r0 []opensts.PolicyVersion, err error) {
	defer s.m.observe("ListPolicyVersions", time.Now(), &err)
	r0, err = s.inner.ListPolicyVersions(ctx, accountID, policyID)
	return r0, err
}

func (s observedStore) DeletePolicyVersion(ctx context.Context, accountID, policyID, versionID string) (err error) {
	defer s.m.observe("DeletePolicyVersion", time.Now(), &err)
	return s.inner.DeletePolicyVersion(ctx, accountID, policyID, versionID)
}

func (s observedStore) SetDefaultPolicyVersion(ctx context.Context, accountID, policyID, versionID string, now time.Time) (err error) {
	defer s.m.observe("SetDefaultPolicyVersion", time.Now(), &err)
	return s.inner.SetDefaultPolicyVersion(ctx, accountID, policyID, versionID, now)
}

func (s observedStore) PutInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, p opensts.InlinePolicy, size, maxTotalSize int) (err error) {
	defer s.m.observe("PutInlinePolicy", time.Now(), &err)
	return s.inner.PutInlinePolicy(ctx, accountID, owner, p, size, maxTotalSize)
}

func (s observedStore) GetInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, name string) (r0 opensts.InlinePolicy, err error) {
	defer s.m.observe("GetInlinePolicy", time.Now(), &err)
	r0, err = s.inner.GetInlinePolicy(ctx, accountID, owner, name)
	return r0, err
}

func (s observedStore) ListInlinePolicies(ctx context.Context, accountID string, owner opensts.Owner, opt opensts.ListOptions) (r0 opensts.Page[string], err error) {
	defer s.m.observe("ListInlinePolicies", time.Now(), &err)
	r0, err = s.inner.ListInlinePolicies(ctx, accountID, owner, opt)
	return r0, err
}

func (s observedStore) DeleteInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, name string) (err error) {
	defer s.m.observe("DeleteInlinePolicy", time.Now(), &err)
	return s.inner.DeleteInlinePolicy(ctx, accountID, owner, name)
}

func (s observedStore) AttachPolicy(ctx context.Context, accountID string, owner opensts.Owner, policyID string, maxAttached int) (err error) {
	defer s.m.observe("AttachPolicy", time.Now(), &err)
	return s.inner.AttachPolicy(ctx, accountID, owner, policyID, maxAttached)
}

func (s observedStore) DetachPolicy(ctx context.Context, accountID string, owner opensts.Owner, policyID string) (err error) {
	defer s.m.observe("DetachPolicy", time.Now(), &err)
	return s.inner.DetachPolicy(ctx, accountID, owner, policyID)
}

func (s observedStore) ListAttachedPolicies(ctx context.Context, accountID string, owner opensts.Owner, opt opensts.ListOptions) (r0 opensts.Page[opensts.AttachedPolicy], err error) {
	defer s.m.observe("ListAttachedPolicies", time.Now(), &err)
	r0, err = s.inner.ListAttachedPolicies(ctx, accountID, owner, opt)
	return r0, err
}

func (s observedStore) PolicyEntities(ctx context.Context, accountID, policyID, arn string) (r0 []opensts.PolicyEntity, err error) {
	defer s.m.observe("PolicyEntities", time.Now(), &err)
	r0, err = s.inner.PolicyEntities(ctx, accountID, policyID, arn)
	return r0, err
}

func (s observedStore) IdentityPolicies(ctx context.Context, accountID string, owner opensts.Owner) (r0 opensts.IdentityPolicies, err error) {
	defer s.m.observe("IdentityPolicies", time.Now(), &err)
	r0, err = s.inner.IdentityPolicies(ctx, accountID, owner)
	return r0, err
}

func (s observedStore) ListTokenKeys(ctx context.Context) (r0 []opensts.TokenKey, err error) {
	defer s.m.observe("ListTokenKeys", time.Now(), &err)
	r0, err = s.inner.ListTokenKeys(ctx)
	return r0, err
}

func (s observedStore) UpdateTokenKeys(ctx context.Context, fn func([]opensts.TokenKey) ([]opensts.TokenKey, error)) (err error) {
	defer s.m.observe("UpdateTokenKeys", time.Now(), &err)
	return s.inner.UpdateTokenKeys(ctx, fn)
}

func (s observedStore) ListSigningKeys(ctx context.Context) (r0 []opensts.SigningKey, err error) {
	defer s.m.observe("ListSigningKeys", time.Now(), &err)
	r0, err = s.inner.ListSigningKeys(ctx)
	return r0, err
}

func (s observedStore) UpdateSigningKeys(ctx context.Context, fn func([]opensts.SigningKey) ([]opensts.SigningKey, error)) (err error) {
	defer s.m.observe("UpdateSigningKeys", time.Now(), &err)
	return s.inner.UpdateSigningKeys(ctx, fn)
}

func (s observedStore) GetOutboundFederation(ctx context.Context, accountID string) (r0 opensts.OutboundFederation, err error) {
	defer s.m.observe("GetOutboundFederation", time.Now(), &err)
	r0, err = s.inner.GetOutboundFederation(ctx, accountID)
	return r0, err
}

func (s observedStore) SetOutboundFederation(ctx context.Context, accountID string, enabled bool, at time.Time) (r0 bool, err error) {
	defer s.m.observe("SetOutboundFederation", time.Now(), &err)
	r0, err = s.inner.SetOutboundFederation(ctx, accountID, enabled, at)
	return r0, err
}
