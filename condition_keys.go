package opensts

import "slices"

// ConditionKeys is a set of the action-specific request-context keys AWS
// supplies when it authorizes an action: the third column of the Service
// Authorization Reference ("Actions, resources, and condition keys for AWS
// Identity and Access Management" and "… for AWS Security Token Service"),
// which for IAM includes the keys of the resource acted on.
type ConditionKeys uint16

// The keys, each with the value it carries.
const (
	// KeyRequestTags: aws:RequestTag/${TagKey} for every tag the request
	// sets, and aws:TagKeys, their keys (absent when it sets none).
	KeyRequestTags ConditionKeys = 1 << iota
	// KeyTagKeys: aws:TagKeys alone, the keys an Untag* request removes.
	KeyTagKeys
	// KeyResourceTags: aws:ResourceTag/${TagKey} for every tag of the
	// resource acted on (a user, a managed policy, an MFA device, an OIDC
	// or SAML provider).
	KeyResourceTags
	// KeyIAMResourceTags: iam:ResourceTag/${TagKey}, the same tags under
	// IAM's own name (users and roles only).
	KeyIAMResourceTags
	// KeyPolicyARN: iam:PolicyARN, the managed policy attached or detached.
	KeyPolicyARN
	// KeyExternalID, KeyRoleSessionName, KeySourceIdentity,
	// KeyTransitiveTagKeys: AssumeRole's sts:ExternalId, sts:RoleSessionName,
	// sts:SourceIdentity and sts:TransitiveTagKeys, the values requested
	// (absent when not).
	KeyExternalID
	KeyRoleSessionName
	KeySourceIdentity
	KeyTransitiveTagKeys
	// KeyIdentityTokenAudience, KeyDurationSeconds, KeySigningAlgorithm:
	// GetWebIdentityToken's sts:IdentityTokenAudience (every requested
	// audience), sts:DurationSeconds (the token's lifetime, the default
	// when none is requested) and sts:SigningAlgorithm.
	KeyIdentityTokenAudience
	KeyDurationSeconds
	KeySigningAlgorithm
	// KeyPermissionsBoundary: iam:PermissionsBoundary, the boundary the
	// request sets (CreateUser, CreateRole, Put*PermissionsBoundary) or, for
	// actions on an existing user or role, its current boundary; absent
	// when none.
	KeyPermissionsBoundary
)

// userKeys and roleKeys are the keys of an IAM user or role as the resource
// acted on.
const (
	userKeys = KeyResourceTags | KeyIAMResourceTags
	roleKeys = KeyResourceTags | KeyIAMResourceTags
)

// actionKeys is the one table of request-context keys per action OpenSTS
// authorizes (from the Service Authorization Reference; docs/compatibility.md
// reproduces it). An action not listed gets no action-specific key.
var actionKeys = map[string]ConditionKeys{
	// Users.
	"iam:CreateUser":                    KeyRequestTags | KeyPermissionsBoundary, // the user does not exist yet: no resource tags
	"iam:GetUser":                       userKeys,
	"iam:DeleteUser":                    userKeys,
	"iam:TagUser":                       userKeys | KeyRequestTags,
	"iam:UntagUser":                     userKeys | KeyTagKeys,
	"iam:ListUserTags":                  userKeys,
	"iam:PutUserPermissionsBoundary":    userKeys | KeyPermissionsBoundary,
	"iam:DeleteUserPermissionsBoundary": userKeys | KeyPermissionsBoundary,
	"iam:ListGroupsForUser":             userKeys,
	// Access keys and MFA devices of a user.
	"iam:CreateAccessKey":     userKeys,
	"iam:ListAccessKeys":      userKeys,
	"iam:UpdateAccessKey":     userKeys,
	"iam:DeleteAccessKey":     userKeys,
	"iam:EnableMFADevice":     userKeys,
	"iam:ResyncMFADevice":     userKeys,
	"iam:DeactivateMFADevice": userKeys,
	"iam:ListMFADevices":      userKeys,
	// Virtual MFA devices as resources.
	"iam:CreateVirtualMFADevice": KeyRequestTags,
	"iam:DeleteVirtualMFADevice": KeyResourceTags,
	// Policies of a user.
	"iam:PutUserPolicy":            userKeys | KeyPermissionsBoundary,
	"iam:DeleteUserPolicy":         userKeys | KeyPermissionsBoundary,
	"iam:GetUserPolicy":            userKeys,
	"iam:ListUserPolicies":         userKeys,
	"iam:AttachUserPolicy":         userKeys | KeyPermissionsBoundary | KeyPolicyARN,
	"iam:DetachUserPolicy":         userKeys | KeyPermissionsBoundary | KeyPolicyARN,
	"iam:ListAttachedUserPolicies": userKeys,
	// Roles (iam:RoleTemplateARN concerns AWS's role templates, which
	// OpenSTS does not have).
	"iam:CreateRole":                    KeyRequestTags | KeyPermissionsBoundary, // the role does not exist yet
	"iam:GetRole":                       roleKeys | KeyPermissionsBoundary,
	"iam:UpdateRole":                    roleKeys | KeyPermissionsBoundary,
	"iam:UpdateRoleDescription":         roleKeys | KeyPermissionsBoundary,
	"iam:UpdateAssumeRolePolicy":        roleKeys | KeyPermissionsBoundary,
	"iam:DeleteRole":                    roleKeys | KeyPermissionsBoundary,
	"iam:PutRolePermissionsBoundary":    roleKeys | KeyPermissionsBoundary,
	"iam:DeleteRolePermissionsBoundary": roleKeys | KeyPermissionsBoundary,
	"iam:PutRolePolicy":                 roleKeys | KeyPermissionsBoundary,
	"iam:DeleteRolePolicy":              roleKeys | KeyPermissionsBoundary,
	"iam:GetRolePolicy":                 roleKeys,
	"iam:ListRolePolicies":              roleKeys,
	"iam:AttachRolePolicy":              roleKeys | KeyPermissionsBoundary | KeyPolicyARN,
	"iam:DetachRolePolicy":              roleKeys | KeyPermissionsBoundary | KeyPolicyARN,
	"iam:ListAttachedRolePolicies":      roleKeys,
	"iam:TagRole":                       roleKeys | KeyRequestTags,
	"iam:UntagRole":                     roleKeys | KeyTagKeys,
	"iam:ListRoleTags":                  roleKeys,
	"iam:ListInstanceProfilesForRole":   roleKeys,
	// OpenID Connect providers: aws:ResourceTag is their tags (IAM's own
	// iam:ResourceTag is for users and roles only).
	"iam:CreateOpenIDConnectProvider":             KeyRequestTags, // the provider does not exist yet
	"iam:GetOpenIDConnectProvider":                KeyResourceTags,
	"iam:DeleteOpenIDConnectProvider":             KeyResourceTags,
	"iam:AddClientIDToOpenIDConnectProvider":      KeyResourceTags,
	"iam:RemoveClientIDFromOpenIDConnectProvider": KeyResourceTags,
	"iam:UpdateOpenIDConnectProviderThumbprint":   KeyResourceTags,
	"iam:TagOpenIDConnectProvider":                KeyResourceTags | KeyRequestTags,
	"iam:UntagOpenIDConnectProvider":              KeyResourceTags | KeyTagKeys,
	"iam:ListOpenIDConnectProviderTags":           KeyResourceTags,
	// SAML providers, the same way.
	"iam:CreateSAMLProvider":   KeyRequestTags, // the provider does not exist yet
	"iam:GetSAMLProvider":      KeyResourceTags,
	"iam:UpdateSAMLProvider":   KeyResourceTags,
	"iam:DeleteSAMLProvider":   KeyResourceTags,
	"iam:TagSAMLProvider":      KeyResourceTags | KeyRequestTags,
	"iam:UntagSAMLProvider":    KeyResourceTags | KeyTagKeys,
	"iam:ListSAMLProviderTags": KeyResourceTags,
	// Groups have no condition keys but the policy attached or detached.
	"iam:AttachGroupPolicy": KeyPolicyARN,
	"iam:DetachGroupPolicy": KeyPolicyARN,
	// Managed policies.
	"iam:CreatePolicy":            KeyRequestTags,
	"iam:GetPolicy":               KeyResourceTags,
	"iam:DeletePolicy":            KeyResourceTags,
	"iam:CreatePolicyVersion":     KeyResourceTags,
	"iam:GetPolicyVersion":        KeyResourceTags,
	"iam:ListPolicyVersions":      KeyResourceTags,
	"iam:DeletePolicyVersion":     KeyResourceTags,
	"iam:SetDefaultPolicyVersion": KeyResourceTags,
	"iam:ListEntitiesForPolicy":   KeyResourceTags,
	// The simulator, on a user (a group has no keys).
	"iam:SimulatePrincipalPolicy": userKeys,
	// STS: role sessions and session tags.
	"sts:AssumeRole":                roleKeys | KeyRequestTags | KeyExternalID | KeyRoleSessionName | KeySourceIdentity | KeyTransitiveTagKeys,
	"sts:AssumeRoleWithWebIdentity": roleKeys | KeyRequestTags | KeyRoleSessionName | KeySourceIdentity | KeyTransitiveTagKeys,
	"sts:AssumeRoleWithSAML":        roleKeys | KeyRequestTags | KeyRoleSessionName | KeySourceIdentity | KeyTransitiveTagKeys,
	"sts:TagSession":                roleKeys | KeyRequestTags | KeyTransitiveTagKeys,
	"sts:SetSourceIdentity":         roleKeys | KeySourceIdentity,
	"sts:GetFederationToken":        KeyRequestTags,
	"sts:GetWebIdentityToken":       KeyRequestTags | KeyIdentityTokenAudience | KeyDurationSeconds | KeySigningAlgorithm,
}

// ActionKeys returns the request-context keys AWS supplies for action
// ("iam:CreateUser"; the service prefix in lower case, as OpenSTS writes
// it).
func ActionKeys(action string) ConditionKeys { return actionKeys[action] }

// KeyedActions returns every action with keys, sorted.
func KeyedActions() []string {
	out := make([]string, 0, len(actionKeys))
	for a := range actionKeys {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// keyNames maps each key of a ConditionKeys set to the names the Service
// Authorization Reference writes for it, in the order Names lists them.
var keyNames = []struct {
	key   ConditionKeys
	names []string
}{
	{KeyRequestTags, []string{"aws:RequestTag/${TagKey}", "aws:TagKeys"}},
	{KeyTagKeys, []string{"aws:TagKeys"}},
	{KeyResourceTags, []string{"aws:ResourceTag/${TagKey}"}},
	{KeyIAMResourceTags, []string{"iam:ResourceTag/${TagKey}"}},
	{KeyPermissionsBoundary, []string{"iam:PermissionsBoundary"}},
	{KeyExternalID, []string{"sts:ExternalId"}},
	{KeyRoleSessionName, []string{"sts:RoleSessionName"}},
	{KeySourceIdentity, []string{"sts:SourceIdentity"}},
	{KeyTransitiveTagKeys, []string{"sts:TransitiveTagKeys"}},
	{KeyIdentityTokenAudience, []string{"sts:IdentityTokenAudience"}},
	{KeyDurationSeconds, []string{"sts:DurationSeconds"}},
	{KeySigningAlgorithm, []string{"sts:SigningAlgorithm"}},
	{KeyPolicyARN, []string{"iam:PolicyARN"}},
}

// Names returns the keys of the set as the Service Authorization Reference
// writes them.
func (k ConditionKeys) Names() []string {
	var out []string
	for _, kn := range keyNames {
		if k&kn.key != 0 {
			out = append(out, kn.names...)
		}
	}
	return out
}

// RequestFacts are what a request sets and what it acts on, from which its
// condition keys are drawn. Facts an action's keys do not name are ignored,
// so a use case states everything it knows and the table decides.
type RequestFacts struct {
	// Tags are the tags the request sets; TagKeys the keys it removes.
	Tags    []Tag
	TagKeys []string
	// ResourceTags are the tags of the resource acted on.
	ResourceTags []Tag
	// PolicyARN is the managed policy the request attaches or detaches.
	PolicyARN string
	// PermissionsBoundary is the boundary the request sets, or the current
	// boundary of the user acted on.
	PermissionsBoundary string
	// ExternalID, RoleSessionName, SourceIdentity and TransitiveTagKeys are
	// what an AssumeRole request passes.
	ExternalID, RoleSessionName, SourceIdentity string
	TransitiveTagKeys                           []string
	// IdentityTokenAudience, DurationSeconds and SigningAlgorithm are what
	// a GetWebIdentityToken request asks for.
	IdentityTokenAudience             []string
	DurationSeconds, SigningAlgorithm string
}

// ConditionContext returns the request-context keys AWS supplies for action
// given the request's facts, exactly those of the action's table row (nil
// when there are none).
func ConditionContext(action string, f RequestFacts) map[string][]string {
	keys := actionKeys[action]
	if keys == 0 {
		return nil
	}
	out := map[string][]string{}
	if keys&KeyRequestTags != 0 && len(f.Tags) > 0 {
		names := make([]string, 0, len(f.Tags))
		for _, t := range f.Tags {
			out["aws:RequestTag/"+t.Key] = []string{t.Value}
			names = append(names, t.Key)
		}
		out["aws:TagKeys"] = names
	}
	if keys&KeyTagKeys != 0 && len(f.TagKeys) > 0 {
		out["aws:TagKeys"] = slices.Clone(f.TagKeys)
	}
	for _, t := range f.ResourceTags {
		if keys&KeyResourceTags != 0 {
			out["aws:ResourceTag/"+t.Key] = []string{t.Value}
		}
		if keys&KeyIAMResourceTags != 0 {
			out["iam:ResourceTag/"+t.Key] = []string{t.Value}
		}
	}
	if keys&KeyPolicyARN != 0 && f.PolicyARN != "" {
		out["iam:PolicyARN"] = []string{f.PolicyARN}
	}
	if keys&KeyPermissionsBoundary != 0 && f.PermissionsBoundary != "" {
		out["iam:PermissionsBoundary"] = []string{f.PermissionsBoundary}
	}
	for _, k := range [...]struct {
		bit   ConditionKeys
		name  string
		value string
	}{
		{KeyExternalID, "sts:ExternalId", f.ExternalID},
		{KeyRoleSessionName, "sts:RoleSessionName", f.RoleSessionName},
		{KeySourceIdentity, "sts:SourceIdentity", f.SourceIdentity},
		{KeyDurationSeconds, "sts:DurationSeconds", f.DurationSeconds},
		{KeySigningAlgorithm, "sts:SigningAlgorithm", f.SigningAlgorithm},
	} {
		if keys&k.bit != 0 && k.value != "" {
			out[k.name] = []string{k.value}
		}
	}
	if keys&KeyTransitiveTagKeys != 0 && len(f.TransitiveTagKeys) > 0 {
		out["sts:TransitiveTagKeys"] = slices.Clone(f.TransitiveTagKeys)
	}
	if keys&KeyIdentityTokenAudience != 0 && len(f.IdentityTokenAudience) > 0 {
		out["sts:IdentityTokenAudience"] = slices.Clone(f.IdentityTokenAudience)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
