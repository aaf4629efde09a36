package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// Policy quotas (IAM quotas page; spec §4.2, §6.4). Sizes count characters
// other than whitespace, as IAM does.
const (
	MaxUserInlineSize     = 2048
	MaxGroupInlineSize    = 5120
	MaxRoleInlineSize     = 10240
	MaxManagedPolicySize  = 6144
	MaxPolicyVersions     = 5
	MaxAttachedPolicies   = 10
	MaxManagedPolicies    = 1500
	MaxGroupsPerAccount   = 300
	MaxGroupsPerUser      = 10
	maxPolicyDocumentSize = 131072
)

var (
	rulePolicyName     = opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &opensts.PatternNameNonEmpty}
	rulePolicyDocument = opensts.StringRule{Required: true, Min: 1, Max: maxPolicyDocumentSize, Pattern: &opensts.PatternPolicyText}
	rulePolicyARN      = opensts.StringRule{Required: true, Min: 20, Max: 2048, Pattern: &opensts.PatternARN}
	rulePolicyPath     = opensts.StringRule{Min: 1, Max: 512, Pattern: &opensts.PatternPolicyPath}
	ruleGroupName      = opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &opensts.PatternNameNonEmpty}
	ruleVersionID      = opensts.StringRule{Required: true, Pattern: &patternVersionID}
	ruleDescription    = opensts.StringRule{Max: 1000}

	patternVersionID = opensts.NewPattern(`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
)

// EncodeDocument renders a stored policy document the way IAM returns it
// from GetUserPolicy, GetGroupPolicy and GetPolicyVersion: URL-encoded per
// RFC 3986 (the AWS CLI decodes it; the SDKs leave that to the caller).
func EncodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// parseIdentityPolicy checks a document for use as an identity policy.
func parseIdentityPolicy(doc string) error {
	_, err := policy.Parse(doc, policy.Identity)
	return err
}

// ---- owners: users and groups ----

// owner is a user or group that holds inline and attached policies.
type owner struct {
	ref  opensts.Owner
	kind string // "user" or "group", for messages
	name string
	arn  string
	// facts is what the owner contributes to condition keys: a user's tags
	// and boundary (a group has none).
	facts opensts.RequestFacts
}

func (s *Service) userOwner(ctx context.Context, caller *opensts.Principal, name string) (owner, error) {
	u, err := s.cfg.Store.GetUser(ctx, caller.AccountID, name)
	if errors.Is(err, opensts.ErrNotFound) {
		return owner{}, noSuchUser(name)
	}
	if err != nil {
		return owner{}, err // the store's error names what it looked up
	}
	return owner{ref: opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}, kind: "user", name: u.Name, arn: u.ARN(),
		facts: target{user: u}.facts(opensts.RequestFacts{})}, nil
}

func noSuchGroup(name string) error {
	return opensts.Errorf(opensts.ErrNotFound, "The group with name %s cannot be found.", name)
}

func (s *Service) group(ctx context.Context, caller *opensts.Principal, name string) (opensts.Group, error) {
	g, err := s.cfg.Store.GetGroup(ctx, caller.AccountID, name)
	if errors.Is(err, opensts.ErrNotFound) {
		return g, noSuchGroup(name)
	}
	if err != nil {
		return g, err // the store's error names what it looked up
	}
	return g, nil
}

func (s *Service) groupOwner(ctx context.Context, caller *opensts.Principal, name string) (owner, error) {
	g, err := s.group(ctx, caller, name)
	if err != nil {
		return owner{}, err
	}
	return owner{ref: opensts.Owner{Kind: opensts.OwnerGroup, ID: g.ID}, kind: "group", name: g.Name, arn: g.ARN()}, nil
}

// withPolicy adds the managed policy an Attach/Detach request names
// (iam:PolicyARN): the stored policy's ARN when it exists, so a name typed
// in another case cannot step around a condition on the exact ARN; else the
// ARN as typed. The policy is looked up before authorization for this, and
// whether it exists is told only to a caller allowed to attach it.
func (o owner) withPolicy(p opensts.ManagedPolicy, typed string) opensts.RequestFacts {
	f := o.facts
	f.PolicyARN = typed
	if p.ID != "" {
		f.PolicyARN = p.ARN()
	}
	return f
}

// ownerKind is what the policy actions of one kind of owner differ by.
type ownerKind struct {
	member string             // the request member naming the owner, lowerCamel
	rule   opensts.StringRule // its constraints
	noun   string             // in action names: Put<noun>Policy
	inline int                // the owner's aggregate inline-policy quota
	quota  string             // the attached-policy quota's name
}

// ownerKinds are the kinds of owner of inline and attached policies.
var ownerKinds = map[opensts.OwnerKind]ownerKind{
	opensts.OwnerUser:  {"userName", required(ruleExistingUserName), "User", MaxUserInlineSize, "PoliciesPerUser"},
	opensts.OwnerGroup: {"groupName", ruleGroupName, "Group", MaxGroupInlineSize, "PoliciesPerGroup"},
	opensts.OwnerRole:  {"roleName", ruleRoleName, "Role", MaxRoleInlineSize, "PoliciesPerRole"},
}

// ownerOf resolves the user, group or role an inline/attached-policy action
// names.
func (s *Service) ownerOf(ctx context.Context, caller *opensts.Principal, kind opensts.OwnerKind, name string) (owner, error) {
	switch kind {
	case opensts.OwnerGroup:
		return s.groupOwner(ctx, caller, name)
	case opensts.OwnerRole:
		r, err := s.role(ctx, caller.AccountID, name)
		if err != nil {
			return owner{}, err
		}
		return owner{ref: opensts.Owner{Kind: opensts.OwnerRole, ID: r.ID}, kind: "role", name: r.Name, arn: r.ARN(),
			facts: roleFacts(r, opensts.RequestFacts{})}, nil
	}
	return s.userOwner(ctx, caller, name)
}

// actionFor names the IAM action for an owner kind: ("Put", "Policy") is
// iam:PutUserPolicy, iam:PutGroupPolicy or iam:PutRolePolicy.
func actionFor(kind opensts.OwnerKind, verb, noun string) string {
	return verb + ownerKinds[kind].noun + noun
}

// checkOwnerName validates the member naming the owner.
func checkOwnerName(v *opensts.ValidationError, kind opensts.OwnerKind, name *string) {
	k := ownerKinds[kind]
	v.CheckString(k.member, name, k.rule)
}

// ---- inline policies ----

// InlinePolicyInput names an inline policy of a user or group.
type InlinePolicyInput struct {
	Owner          opensts.OwnerKind
	OwnerName      *string
	PolicyName     *string
	PolicyDocument *string // PutUserPolicy/PutGroupPolicy only
}

func (in InlinePolicyInput) validate(withDoc bool) error {
	var v opensts.ValidationError
	checkOwnerName(&v, in.Owner, in.OwnerName)
	v.CheckString("policyName", in.PolicyName, rulePolicyName)
	if withDoc {
		v.CheckString("policyDocument", in.PolicyDocument, rulePolicyDocument)
	}
	return v.Err()
}

// PutInlinePolicy creates or replaces an inline policy (PutUserPolicy,
// PutGroupPolicy). A user's inline policies total at most 2,048 characters
// (groups 5,120), whitespace not counted.
func (s *Service) PutInlinePolicy(ctx context.Context, caller *opensts.Principal, in InlinePolicyInput) error {
	if err := in.validate(true); err != nil {
		return err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return err
	}
	if err := s.authorizeWith(ctx, caller, actionFor(in.Owner, "Put", "Policy"), o.arn, o.facts); err != nil {
		return err
	}
	if err := parseIdentityPolicy(*in.PolicyDocument); err != nil {
		return err
	}
	limit := ownerKinds[in.Owner].inline
	err = s.cfg.Store.PutInlinePolicy(ctx, caller.AccountID, o.ref,
		opensts.InlinePolicy{Name: *in.PolicyName, Document: *in.PolicyDocument}, policy.Size(*in.PolicyDocument), limit)
	switch {
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.Errorf(opensts.ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", limit, o.kind, o.name)
	case errors.Is(err, opensts.ErrNotFound):
		return s.ownerGone(in.Owner, o.name)
	case err != nil:
		return fmt.Errorf("put %s policy: %w", o.kind, err)
	}
	return nil
}

func (s *Service) ownerGone(kind opensts.OwnerKind, name string) error {
	switch kind {
	case opensts.OwnerGroup:
		return noSuchGroup(name)
	case opensts.OwnerRole:
		return noSuchRole(name)
	}
	return noSuchUser(name)
}

func noSuchInline(o owner, name string) error {
	return opensts.Errorf(opensts.ErrNotFound, "The %s policy with name %s cannot be found.", o.kind, name)
}

// GetInlinePolicy returns an inline policy (GetUserPolicy, GetGroupPolicy).
func (s *Service) GetInlinePolicy(ctx context.Context, caller *opensts.Principal, in InlinePolicyInput) (opensts.InlinePolicy, string, error) {
	if err := in.validate(false); err != nil {
		return opensts.InlinePolicy{}, "", err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return opensts.InlinePolicy{}, "", err
	}
	if err := s.authorizeWith(ctx, caller, actionFor(in.Owner, "Get", "Policy"), o.arn, o.facts); err != nil {
		return opensts.InlinePolicy{}, "", err
	}
	p, err := s.cfg.Store.GetInlinePolicy(ctx, caller.AccountID, o.ref, *in.PolicyName)
	if errors.Is(err, opensts.ErrNotFound) {
		return p, "", noSuchInline(o, *in.PolicyName)
	}
	if err != nil {
		return p, "", fmt.Errorf("get %s policy: %w", o.kind, err)
	}
	return p, o.name, nil
}

// DeleteInlinePolicy deletes an inline policy (DeleteUserPolicy, DeleteGroupPolicy).
func (s *Service) DeleteInlinePolicy(ctx context.Context, caller *opensts.Principal, in InlinePolicyInput) error {
	if err := in.validate(false); err != nil {
		return err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return err
	}
	if err := s.authorizeWith(ctx, caller, actionFor(in.Owner, "Delete", "Policy"), o.arn, o.facts); err != nil {
		return err
	}
	err = s.cfg.Store.DeleteInlinePolicy(ctx, caller.AccountID, o.ref, *in.PolicyName)
	if errors.Is(err, opensts.ErrNotFound) {
		return noSuchInline(o, *in.PolicyName)
	}
	if err != nil {
		return fmt.Errorf("delete %s policy: %w", o.kind, err)
	}
	return nil
}

// ListOwnedInput names a user or group whose policies are listed.
type ListOwnedInput struct {
	Owner      opensts.OwnerKind
	OwnerName  *string
	PathPrefix *string // ListAttached*Policies only
	ListInput
}

func (in ListOwnedInput) validate() error {
	var v opensts.ValidationError
	checkOwnerName(&v, in.Owner, in.OwnerName)
	v.CheckString("pathPrefix", in.PathPrefix, rulePolicyPath)
	in.ListInput.validate(&v)
	return v.Err()
}

// ListInlinePolicies lists inline policy names (ListUserPolicies, ListGroupPolicies).
func (s *Service) ListInlinePolicies(ctx context.Context, caller *opensts.Principal, in ListOwnedInput) (opensts.Page[string], error) {
	if err := in.validate(); err != nil {
		return opensts.Page[string]{}, err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return opensts.Page[string]{}, err
	}
	if err := s.authorizeWith(ctx, caller, actionFor(in.Owner, "List", "Policies"), o.arn, o.facts); err != nil {
		return opensts.Page[string]{}, err
	}
	page, err := s.cfg.Store.ListInlinePolicies(ctx, caller.AccountID, o.ref, in.options(nil))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}

// ---- managed policies ----

// lookupPolicy resolves a managed policy ARN: one of the AWS managed
// policies OpenSTS provides (opensts.AWSManagedPolicies), or a customer
// managed policy of the account (name compared case-insensitively, path
// exactly). found is false when the ARN names no such policy; an ARN that
// is not a policy ARN is InvalidInput.
func (s *Service) lookupPolicy(ctx context.Context, accountID, arn string) (p opensts.ManagedPolicy, found bool, err error) {
	acct, kind, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || kind != "policy" {
		return p, false, opensts.Errorf(opensts.ErrInvalidInput, "ARN %s is not valid.", arn)
	}
	if acct == opensts.AWSAccount {
		p, _, found = opensts.AWSManagedPolicyByARN(arn)
		return p, found, nil
	}
	if acct != accountID {
		return p, false, nil
	}
	p, err = s.cfg.Store.GetPolicy(ctx, accountID, name)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && p.Path != path) {
		return opensts.ManagedPolicy{}, false, nil
	}
	if err != nil {
		return opensts.ManagedPolicy{}, false, err // the store's error names what it looked up
	}
	return p, true, nil
}

// notAttachable is AWS's NoSuchEntity for a policy ARN that names nothing
// attachable; for an AWS managed policy OpenSTS does not provide, it says
// which ones it does.
func notAttachable(arn string) error {
	if opensts.IsAWSManagedPolicyARN(arn) {
		return opensts.Errorf(opensts.ErrNotFound, "Policy %s does not exist or is not attachable. The AWS managed policies OpenSTS provides are %s.", arn, opensts.AWSManagedPolicyNames())
	}
	return opensts.Errorf(opensts.ErrNotFound, "Policy %s does not exist or is not attachable.", arn)
}

// policyByARN resolves a managed policy ARN for an action on the policy or
// an attachment: NoSuchEntity when it names no policy.
func (s *Service) policyByARN(ctx context.Context, caller *opensts.Principal, arn string) (opensts.ManagedPolicy, error) {
	p, found, err := s.lookupPolicy(ctx, caller.AccountID, arn)
	if err != nil {
		return p, err
	}
	if !found {
		acct, _, _, _, _ := opensts.ParseIAMARN(arn)
		if acct == caller.AccountID {
			return p, opensts.Errorf(opensts.ErrNotFound, "Policy %s was not found.", arn)
		}
		return p, notAttachable(arn)
	}
	return p, nil
}

// boundaryPolicy resolves a permissions-boundary ARN: an AWS managed
// policy OpenSTS provides or a customer managed policy of the account.
func (s *Service) boundaryPolicy(ctx context.Context, accountID, arn string) (opensts.ManagedPolicy, error) {
	acct, _, _, _, _ := opensts.ParseIAMARN(arn)
	if acct != accountID && acct != opensts.AWSAccount {
		return opensts.ManagedPolicy{}, opensts.Errorf(opensts.ErrInvalidInput, "ARN %s is not valid.", arn)
	}
	p, found, err := s.lookupPolicy(ctx, accountID, arn)
	if err == nil && !found {
		err = notAttachable(arn)
	}
	return p, err
}

// awsImmutable refuses a change to an AWS managed policy.
func awsImmutable(p opensts.ManagedPolicy) error {
	if p.AccountID != opensts.AWSAccount {
		return nil
	}
	return opensts.Errorf(opensts.ErrInvalidInput, "Policy %s is an AWS managed policy, which cannot be changed.", p.ARN())
}

// CreatePolicyInput mirrors IAM CreatePolicy.
type CreatePolicyInput struct {
	PolicyName     *string
	Path           *string
	PolicyDocument *string
	Description    *string
	Tags           []TagInput
}

// Validate: PolicyName 1–128; Path 1–512 of the policy-path pattern;
// PolicyDocument 1–131072 of the policy character set; Description ≤ 1000.
func (in CreatePolicyInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("policyName", in.PolicyName, rulePolicyName)
	v.CheckString("path", in.Path, rulePolicyPath)
	v.CheckString("policyDocument", in.PolicyDocument, rulePolicyDocument)
	v.CheckString("description", in.Description, ruleDescription)
	validateTags(&v, in.Tags)
	return v.Err()
}

// checkManagedDocument parses a managed-policy document and enforces its
// 6,144-character quota.
func checkManagedDocument(doc string) error {
	d, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		return err
	}
	if err := d.RequireCurrentVersion(); err != nil {
		return err
	}
	if n := policy.Size(doc); n > MaxManagedPolicySize {
		return opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for PolicySize: %d", MaxManagedPolicySize)
	}
	return nil
}

// CreatePolicy creates a customer managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, caller *opensts.Principal, in CreatePolicyInput) (opensts.ManagedPolicy, error) {
	if err := in.Validate(); err != nil {
		return opensts.ManagedPolicy{}, err
	}
	now := s.now()
	p := opensts.ManagedPolicy{
		AccountID: caller.AccountID, ID: opensts.NewID(opensts.PrefixManagedPolicy, 17),
		Name: *in.PolicyName, Path: "/", DefaultVersionID: "v1", CreatedAt: now, UpdatedAt: now,
	}
	if in.Path != nil {
		p.Path = *in.Path
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if err := s.authorizeWith(ctx, caller, "CreatePolicy", p.ARN(), opensts.RequestFacts{Tags: requestTags(in.Tags)}); err != nil {
		return opensts.ManagedPolicy{}, err
	}
	if err := checkManagedDocument(*in.PolicyDocument); err != nil {
		return opensts.ManagedPolicy{}, err
	}
	tags, err := toTags(in.Tags)
	if err != nil {
		return opensts.ManagedPolicy{}, err
	}
	p.Tags = tags
	switch err := s.cfg.Store.CreatePolicy(ctx, p, *in.PolicyDocument, MaxManagedPolicies); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.ManagedPolicy{}, opensts.Errorf(opensts.ErrAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", p.Name)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.ManagedPolicy{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for PoliciesPerAccount: %d", MaxManagedPolicies)
	case err != nil:
		return opensts.ManagedPolicy{}, fmt.Errorf("create policy: %w", err)
	}
	return p, nil
}

// PolicyRef names a managed policy by ARN.
type PolicyRef struct {
	PolicyArn *string
}

func (in PolicyRef) validate(v *opensts.ValidationError) {
	v.CheckString("policyArn", in.PolicyArn, rulePolicyARN)
}

// managedFor validates, resolves and authorizes an action on a policy.
func (s *Service) managedFor(ctx context.Context, caller *opensts.Principal, in PolicyRef, action string, extra func(*opensts.ValidationError)) (opensts.ManagedPolicy, error) {
	var v opensts.ValidationError
	in.validate(&v)
	if extra != nil {
		extra(&v)
	}
	if err := v.Err(); err != nil {
		return opensts.ManagedPolicy{}, err
	}
	p, err := s.policyByARN(ctx, caller, *in.PolicyArn)
	if err != nil {
		return p, err
	}
	return p, s.authorizeWith(ctx, caller, action, p.ARN(), opensts.RequestFacts{ResourceTags: p.Tags})
}

// GetPolicy describes a managed policy, with how many users, groups and
// roles of the account it is attached to and how many it bounds.
func (s *Service) GetPolicy(ctx context.Context, caller *opensts.Principal, in PolicyRef) (opensts.ManagedPolicy, error) {
	p, err := s.managedFor(ctx, caller, in, "GetPolicy", nil)
	if err != nil {
		return p, err
	}
	es, err := s.cfg.Store.PolicyEntities(ctx, caller.AccountID, p.ID, p.ARN())
	if err != nil {
		return p, fmt.Errorf("get policy: %w", err)
	}
	p.AttachmentCount, p.BoundaryUsageCount = usageCounts(es)
	return p, nil
}

// usageCounts counts a policy's attachments and boundary uses.
func usageCounts(es []opensts.PolicyEntity) (attached, bounds int) {
	for _, e := range es {
		if e.Boundary {
			bounds++
		} else {
			attached++
		}
	}
	return attached, bounds
}

// DeletePolicy deletes a managed policy that is not attached and has no
// versions besides the default.
func (s *Service) DeletePolicy(ctx context.Context, caller *opensts.Principal, in PolicyRef) error {
	p, err := s.managedFor(ctx, caller, in, "DeletePolicy", nil)
	if err == nil {
		err = awsImmutable(p)
	}
	if err != nil {
		return err
	}
	err = s.cfg.Store.DeletePolicy(ctx, caller.AccountID, p.ID)
	if dc := deleteConflict(err); dc != nil {
		return dc
	}
	if err != nil && !errors.Is(err, opensts.ErrNotFound) {
		return fmt.Errorf("delete policy: %w", err)
	}
	return nil
}

// ListPoliciesInput mirrors IAM ListPolicies.
type ListPoliciesInput struct {
	Scope        *string
	OnlyAttached *bool
	PathPrefix   *string
	ListInput
}

// awsMarker starts the markers of ListPolicies' first section, the AWS
// managed policies: "aws.<name>" continues with that policy, "aws." with
// the customer managed policies. Store markers are base64url and never
// contain a dot.
const awsMarker = "aws."

// ListPolicies lists managed policies: with Scope AWS the AWS managed
// policies OpenSTS provides, with Local the account's customer managed
// policies, with All (the default) the first and then the second, paged
// as one listing. OnlyAttached keeps those attached to a user, group or
// role of the account.
func (s *Service) ListPolicies(ctx context.Context, caller *opensts.Principal, in ListPoliciesInput) (opensts.Page[opensts.ManagedPolicy], error) {
	var (
		v    opensts.ValidationError
		page opensts.Page[opensts.ManagedPolicy]
	)
	v.CheckEnum("scope", in.Scope, false, "All", "AWS", "Local")
	v.CheckString("pathPrefix", in.PathPrefix, rulePolicyPath)
	in.validate(&v)
	if err := v.Err(); err != nil {
		return page, err
	}
	if err := s.authorize(ctx, caller, "ListPolicies", "arn:aws:iam::"+caller.AccountID+":policy/"); err != nil {
		return page, err
	}
	scope := "All"
	if in.Scope != nil {
		scope = *in.Scope
	}
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	opt := in.options(in.PathPrefix)
	if next, ok := strings.CutPrefix(opt.Marker, awsMarker); scope != "Local" && (ok || opt.Marker == "") {
		aws, err := s.awsPolicies(ctx, caller.AccountID, opt.PathPrefix, onlyAttached)
		if err != nil {
			return page, err
		}
		if ok && next == "" {
			aws = nil // "aws.": that part is done
		}
		if page, err = pageItems(aws, func(p opensts.ManagedPolicy) string { return p.Name }, opensts.ListOptions{Marker: next, MaxItems: opt.MaxItems}); err != nil {
			return page, err
		}
		switch {
		case page.Marker != "":
			page.Marker = awsMarker + page.Marker
			return page, nil
		case scope == "AWS":
			return page, nil
		case len(page.Items) == opt.Limit():
			// The customer policies follow, if there are any.
			local, err := s.cfg.Store.ListPolicies(ctx, caller.AccountID, onlyAttached, opensts.ListOptions{PathPrefix: opt.PathPrefix, MaxItems: 1})
			if err != nil {
				return page, listError(err)
			}
			if len(local.Items) > 0 {
				page.Marker = awsMarker
			}
			return page, nil
		}
		opt.Marker, opt.MaxItems = "", opt.Limit()-len(page.Items)
	} else if scope == "AWS" {
		return page, opensts.Errorf(opensts.ErrInvalidInput, "Invalid Marker.")
	}
	local, err := s.cfg.Store.ListPolicies(ctx, caller.AccountID, onlyAttached, opt)
	if err != nil {
		return page, listError(err)
	}
	page.Items, page.Marker = append(page.Items, local.Items...), local.Marker
	return page, nil
}

// awsPolicies are the AWS managed policies OpenSTS provides, with their
// attachment counts in the account, filtered by path and attachment.
func (s *Service) awsPolicies(ctx context.Context, accountID, pathPrefix string, onlyAttached bool) ([]opensts.ManagedPolicy, error) {
	var out []opensts.ManagedPolicy
	for _, p := range opensts.AWSManagedPolicies() {
		if !strings.HasPrefix(p.Path, pathPrefix) {
			continue
		}
		es, err := s.cfg.Store.PolicyEntities(ctx, accountID, p.ID, p.ARN())
		if err != nil {
			return nil, fmt.Errorf("list policies: %w", err)
		}
		p.AttachmentCount, p.BoundaryUsageCount = usageCounts(es)
		if !onlyAttached || p.AttachmentCount > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// PolicyVersionInput names a version of a managed policy.
type PolicyVersionInput struct {
	PolicyRef
	VersionID      *string
	PolicyDocument *string // CreatePolicyVersion
	SetAsDefault   *bool   // CreatePolicyVersion
}

// CreatePolicyVersion adds a version (at most five per policy).
func (s *Service) CreatePolicyVersion(ctx context.Context, caller *opensts.Principal, in PolicyVersionInput) (opensts.PolicyVersion, error) {
	p, err := s.managedFor(ctx, caller, in.PolicyRef, "CreatePolicyVersion", func(v *opensts.ValidationError) {
		v.CheckString("policyDocument", in.PolicyDocument, rulePolicyDocument)
	})
	if err == nil {
		err = awsImmutable(p)
	}
	if err != nil {
		return opensts.PolicyVersion{}, err
	}
	if err := checkManagedDocument(*in.PolicyDocument); err != nil {
		return opensts.PolicyVersion{}, err
	}
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	pv, err := s.cfg.Store.CreatePolicyVersion(ctx, caller.AccountID, p.ID, *in.PolicyDocument, setDefault, MaxPolicyVersions, s.now())
	if errors.Is(err, opensts.ErrLimitExceeded) {
		return pv, opensts.Errorf(opensts.ErrLimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", MaxPolicyVersions)
	}
	if err != nil {
		return pv, fmt.Errorf("create policy version: %w", err)
	}
	return pv, nil
}

func (s *Service) version(ctx context.Context, caller *opensts.Principal, in PolicyVersionInput, action string) (opensts.ManagedPolicy, opensts.PolicyVersion, error) {
	p, err := s.managedFor(ctx, caller, in.PolicyRef, action, func(v *opensts.ValidationError) {
		v.CheckString("versionId", in.VersionID, ruleVersionID)
	})
	if err != nil {
		return p, opensts.PolicyVersion{}, err
	}
	if p.AccountID == opensts.AWSAccount {
		if pv := awsVersion(p); pv.VersionID == *in.VersionID {
			return p, pv, nil
		}
		return p, opensts.PolicyVersion{}, opensts.Errorf(opensts.ErrNotFound, "Policy %s version %s does not exist or is not attachable.", p.ARN(), *in.VersionID)
	}
	pv, err := s.cfg.Store.GetPolicyVersion(ctx, caller.AccountID, p.ID, *in.VersionID)
	if errors.Is(err, opensts.ErrNotFound) {
		return p, pv, opensts.Errorf(opensts.ErrNotFound, "Policy %s version %s does not exist or is not attachable.", p.ARN(), *in.VersionID)
	}
	if err != nil {
		return p, pv, fmt.Errorf("get policy version: %w", err)
	}
	return p, pv, nil
}

// awsVersion is the version of an AWS managed policy that OpenSTS has: its
// default version, as AWS last published it.
func awsVersion(p opensts.ManagedPolicy) opensts.PolicyVersion {
	_, doc, _ := opensts.AWSManagedPolicyByID(p.ID)
	return opensts.PolicyVersion{VersionID: p.DefaultVersionID, Document: doc, IsDefault: true, CreatedAt: p.UpdatedAt}
}

// GetPolicyVersion returns one version with its document.
func (s *Service) GetPolicyVersion(ctx context.Context, caller *opensts.Principal, in PolicyVersionInput) (opensts.PolicyVersion, error) {
	_, pv, err := s.version(ctx, caller, in, "GetPolicyVersion")
	return pv, err
}

// ListPolicyVersions lists a policy's versions, newest first, as IAM does.
func (s *Service) ListPolicyVersions(ctx context.Context, caller *opensts.Principal, in PolicyRef, li ListInput) (opensts.Page[opensts.PolicyVersion], error) {
	var page opensts.Page[opensts.PolicyVersion]
	p, err := s.managedFor(ctx, caller, in, "ListPolicyVersions", li.validate)
	if err != nil {
		return page, err
	}
	var vs []opensts.PolicyVersion
	if p.AccountID == opensts.AWSAccount {
		vs = []opensts.PolicyVersion{awsVersion(p)}
	} else if vs, err = s.cfg.Store.ListPolicyVersions(ctx, caller.AccountID, p.ID); err != nil {
		return page, fmt.Errorf("list policy versions: %w", err)
	}
	// At most five versions: page here.
	return pageOf(vs, func(v opensts.PolicyVersion) string { return v.VersionID }, li)
}

// DeletePolicyVersion deletes a version other than the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, caller *opensts.Principal, in PolicyVersionInput) error {
	p, pv, err := s.version(ctx, caller, in, "DeletePolicyVersion")
	if err == nil {
		err = awsImmutable(p)
	}
	if err != nil {
		return err
	}
	if pv.IsDefault {
		return opensts.Errorf(opensts.ErrDeleteConflict, "Cannot delete the default version of a policy.")
	}
	err = s.cfg.Store.DeletePolicyVersion(ctx, caller.AccountID, p.ID, pv.VersionID)
	if errors.Is(err, opensts.ErrDeleteConflict) {
		return opensts.Errorf(opensts.ErrDeleteConflict, "Cannot delete the default version of a policy.")
	}
	if err != nil && !errors.Is(err, opensts.ErrNotFound) {
		return fmt.Errorf("delete policy version: %w", err)
	}
	return nil
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, caller *opensts.Principal, in PolicyVersionInput) error {
	p, pv, err := s.version(ctx, caller, in, "SetDefaultPolicyVersion")
	if err == nil {
		err = awsImmutable(p)
	}
	if err != nil {
		return err
	}
	if err := s.cfg.Store.SetDefaultPolicyVersion(ctx, caller.AccountID, p.ID, pv.VersionID, s.now()); err != nil {
		return fmt.Errorf("set default policy version: %w", err)
	}
	return nil
}

// ---- attachments ----

// AttachInput names a managed policy and the user or group it is attached to.
type AttachInput struct {
	Owner     opensts.OwnerKind
	OwnerName *string
	PolicyRef
}

func (in AttachInput) validate() error {
	var v opensts.ValidationError
	if in.Owner == opensts.OwnerUser {
		v.CheckString("userName", in.OwnerName, ruleUserName) // AttachUserPolicy's userNameType: 1–64
	} else {
		checkOwnerName(&v, in.Owner, in.OwnerName)
	}
	in.PolicyRef.validate(&v)
	return v.Err()
}

// AttachPolicy attaches a managed policy (AttachUserPolicy, AttachGroupPolicy);
// at most ten per user or group.
func (s *Service) AttachPolicy(ctx context.Context, caller *opensts.Principal, in AttachInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return err
	}
	p, err := s.policyByARN(ctx, caller, *in.PolicyArn)
	if aerr := s.authorizeWith(ctx, caller, actionFor(in.Owner, "Attach", "Policy"), o.arn, o.withPolicy(p, *in.PolicyArn)); aerr != nil {
		return aerr
	}
	if errors.Is(err, opensts.ErrNotFound) {
		return notAttachable(*in.PolicyArn)
	}
	if err != nil {
		return err
	}
	err = s.cfg.Store.AttachPolicy(ctx, caller.AccountID, o.ref, p.ID, MaxAttachedPolicies)
	switch {
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for %s: %d", ownerKinds[in.Owner].quota, MaxAttachedPolicies)
	case errors.Is(err, opensts.ErrNotFound):
		return notAttachable(*in.PolicyArn)
	case err != nil:
		return fmt.Errorf("attach policy: %w", err)
	}
	return nil
}

// DetachPolicy detaches a managed policy (DetachUserPolicy, DetachGroupPolicy).
func (s *Service) DetachPolicy(ctx context.Context, caller *opensts.Principal, in AttachInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return err
	}
	p, err := s.policyByARN(ctx, caller, *in.PolicyArn)
	if aerr := s.authorizeWith(ctx, caller, actionFor(in.Owner, "Detach", "Policy"), o.arn, o.withPolicy(p, *in.PolicyArn)); aerr != nil {
		return aerr
	}
	notAttached := opensts.Errorf(opensts.ErrNotFound, "Policy %s was not found.", *in.PolicyArn)
	if errors.Is(err, opensts.ErrNotFound) {
		return notAttached
	}
	if err != nil {
		return err
	}
	err = s.cfg.Store.DetachPolicy(ctx, caller.AccountID, o.ref, p.ID)
	if errors.Is(err, opensts.ErrNotFound) {
		return notAttached
	}
	if err != nil {
		return fmt.Errorf("detach policy: %w", err)
	}
	return nil
}

// ListAttachedPolicies lists managed policies attached to a user or group.
func (s *Service) ListAttachedPolicies(ctx context.Context, caller *opensts.Principal, in ListOwnedInput) (opensts.Page[opensts.AttachedPolicy], error) {
	if err := in.validate(); err != nil {
		return opensts.Page[opensts.AttachedPolicy]{}, err
	}
	o, err := s.ownerOf(ctx, caller, in.Owner, *in.OwnerName)
	if err != nil {
		return opensts.Page[opensts.AttachedPolicy]{}, err
	}
	if err := s.authorizeWith(ctx, caller, actionFor(in.Owner, "ListAttached", "Policies"), o.arn, o.facts); err != nil {
		return opensts.Page[opensts.AttachedPolicy]{}, err
	}
	page, err := s.cfg.Store.ListAttachedPolicies(ctx, caller.AccountID, o.ref, in.options(in.PathPrefix))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}
