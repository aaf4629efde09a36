package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/policy"
)

// Quotas (IAM quotas page, spec §6.4).
const (
	MaxUsersPerAccount   = 5000
	MaxAccessKeysPerUser = 2
)

// Config wires a Service.
type Config struct {
	Store      opensts.Store
	Box        *atrest.Box
	Authorizer opensts.Authorizer
	// Policies resolves identity policies for SimulatePrincipalPolicy: the
	// authorizer's own resolver, so simulations evaluate what requests are
	// evaluated against.
	Policies PolicyResolver
	Now      func() time.Time
	// CredentialsChanged, when set, is told after every change to a
	// long-term key (its id) or to users (empty id), so caches of what
	// authentication read are dropped at once.
	CredentialsChanged func(accessKeyID string)
	// IssuerURL is the URL this deployment is reached at, the base of the
	// accounts' web identity token issuers (--issuer-url); empty refuses
	// EnableOutboundWebIdentityFederation.
	IssuerURL string
}

// PolicyResolver resolves the identity policies of a user (its own, its
// groups', its permissions boundary) or a group (its own), compiled.
type PolicyResolver interface {
	IdentityInput(ctx context.Context, accountID string, owner opensts.Owner) (policy.Input, error)
}

// Service runs IAM use cases.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Box == nil || cfg.Authorizer == nil || cfg.Policies == nil {
		return nil, errors.New("iam: Store, Box, Authorizer and Policies are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// changed reports a change to a long-term key, or to users when id is empty.
func (s *Service) changed(accessKeyID string) {
	if s.cfg.CredentialsChanged != nil {
		s.cfg.CredentialsChanged(accessKeyID)
	}
}

// authorize authorizes an action that has no condition keys of its own. An
// action with keys must go through authorizeWith: a missing key can make a
// Deny silently not apply, so using this one for it is a bug, refused.
func (s *Service) authorize(ctx context.Context, caller *opensts.Principal, action, resource string) error {
	if opensts.ActionKeys("iam:"+action) != 0 {
		return fmt.Errorf("iam:%s has condition keys: it must be authorized with its request facts", action)
	}
	return s.authorizeWith(ctx, caller, action, resource, opensts.RequestFacts{})
}

// authorizeWith authorizes iam:action on resource with the request-context
// keys AWS supplies for it, drawn from f by the one table of condition keys
// (opensts.ConditionContext): what the request sets (tags, a policy ARN, a
// boundary) and what it acts on (the resource's tags, a user's boundary).
func (s *Service) authorizeWith(ctx context.Context, caller *opensts.Principal, action, resource string, f opensts.RequestFacts) error {
	action = "iam:" + action
	return s.cfg.Authorizer.Authorize(ctx, caller, action, resource, opensts.ConditionContext(action, f))
}

// Common model rules (botocore iam service-2.json).
var (
	ruleUserName         = opensts.StringRule{Required: true, Min: 1, Max: 64, Pattern: &opensts.PatternNameNonEmpty}
	ruleExistingUserName = opensts.StringRule{Min: 1, Max: 128, Pattern: &opensts.PatternNameNonEmpty}
	rulePath             = opensts.StringRule{Min: 1, Max: 512, Pattern: &opensts.PatternPath}
	rulePathPrefix       = opensts.StringRule{Min: 1, Max: 512, Pattern: &patternPathPrefix}
	ruleMarker           = opensts.StringRule{Min: 1, Max: 320, Pattern: &opensts.PatternMarker}
	ruleAccessKeyID      = opensts.StringRule{Required: true, Min: 16, Max: 128, Pattern: &opensts.PatternAccessKeyIDIAM}
	ruleARN              = opensts.StringRule{Min: 20, Max: 2048, Pattern: &opensts.PatternARN}

	patternPathPrefix = opensts.NewPattern(`\u002F[\u0021-\u007F]*`, `\x{002F}[\x{0021}-\x{007F}]*`)
)

// required returns rule with Required set.
func required(r opensts.StringRule) opensts.StringRule { r.Required = true; return r }

// ListInput is the paging part of IAM list requests.
type ListInput struct {
	Marker   *string
	MaxItems *int64
}

func (in ListInput) validate(v *opensts.ValidationError) {
	v.CheckString("marker", in.Marker, ruleMarker)
	v.CheckInt("maxItems", in.MaxItems, false, 1, 1000)
}

func (in ListInput) options(pathPrefix *string) opensts.ListOptions {
	o := opensts.ListOptions{}
	if in.Marker != nil {
		o.Marker = *in.Marker
	}
	if in.MaxItems != nil {
		o.MaxItems = int(*in.MaxItems)
	}
	if pathPrefix != nil {
		o.PathPrefix = *pathPrefix
	}
	return o
}

// pageOf pages a short list held in memory (a user's keys, a policy's
// versions, a user's tags): the marker is the key of the first item of the
// next page, and a marker that names no item is InvalidInput.
func pageOf[T any](items []T, key func(T) string, li ListInput) (opensts.Page[T], error) {
	return pageItems(items, key, li.options(nil))
}

// pageItems is pageOf with the listing options already read.
func pageItems[T any](items []T, key func(T) string, opt opensts.ListOptions) (opensts.Page[T], error) {
	start := 0
	if opt.Marker != "" {
		start = slices.IndexFunc(items, func(it T) bool { return key(it) == opt.Marker })
		if start < 0 {
			return opensts.Page[T]{}, opensts.Errorf(opensts.ErrInvalidInput, "Invalid Marker.")
		}
	}
	end := min(start+opt.Limit(), len(items))
	page := opensts.Page[T]{Items: items[start:end]}
	if end < len(items) {
		page.Marker = key(items[end])
	}
	return page, nil
}

// noSuchUser is IAM's NoSuchEntity for a user name.
func noSuchUser(name string) error {
	return opensts.Errorf(opensts.ErrNotFound, "The user with name %s cannot be found.", name)
}

// TagInput is one requested tag; nil members were absent.
type TagInput struct {
	Key, Value *string
}

// MaxTags is the tag quota per user, policy or device.
const MaxTags = 50

func validateTags(v *opensts.ValidationError, tags []TagInput) {
	if len(tags) > MaxTags {
		n := fmt.Sprint(len(tags))
		v.Add("tags", &n, fmt.Sprintf("have length less than or equal to %d", MaxTags))
	}
	for i, t := range tags {
		prefix := fmt.Sprintf("tags.%d.member.", i+1)
		v.CheckString(prefix+"key", t.Key, opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &opensts.PatternTagKey})
		v.CheckString(prefix+"value", t.Value, opensts.StringRule{Required: true, Max: 256, Pattern: &opensts.PatternTagValue})
	}
}

// requestTags are the validated tags a request sets, as its condition keys
// see them (aws:RequestTag/<key>, aws:TagKeys), duplicates included.
func requestTags(in []TagInput) []opensts.Tag {
	out := make([]opensts.Tag, 0, len(in))
	for _, t := range in {
		if t.Key != nil && t.Value != nil {
			out = append(out, opensts.Tag{Key: *t.Key, Value: *t.Value})
		}
	}
	return out
}

// toTags converts validated tags, refusing duplicate keys (case-insensitive).
func toTags(in []TagInput) ([]opensts.Tag, error) {
	out := make([]opensts.Tag, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		k := strings.ToLower(*t.Key)
		if seen[k] {
			return nil, opensts.Errorf(opensts.ErrInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, opensts.Tag{Key: *t.Key, Value: *t.Value})
	}
	return out, nil
}

// mergeTags adds or overwrites tags (keys compare case-insensitively),
// refusing more than MaxTags in all. It returns a new slice: an updater may
// run more than once on the same value.
func mergeTags(cur, add []opensts.Tag) ([]opensts.Tag, error) {
	out := slices.Clone(cur)
	for _, t := range add {
		i := slices.IndexFunc(out, func(c opensts.Tag) bool { return strings.EqualFold(c.Key, t.Key) })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, opensts.Errorf(opensts.ErrLimitExceeded, "The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags drops the tags with the given keys (case-insensitively);
// absent keys are ignored. It returns a new slice.
func removeTags(cur []opensts.Tag, keys []string) []opensts.Tag {
	return slices.DeleteFunc(slices.Clone(cur), func(t opensts.Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(t.Key, k) })
	})
}

// checkTagKeys validates an Untag* request's TagKeys: required, each 1–128
// of the tag-key characters.
func checkTagKeys(v *opensts.ValidationError, keys []string) {
	if keys == nil {
		v.Add("tagKeys", nil, "not be null")
	}
	for i, k := range keys {
		v.CheckString(fmt.Sprintf("tagKeys.%d.member", i+1), &k, opensts.StringRule{Min: 1, Max: 128, Pattern: &opensts.PatternTagKey})
	}
}
