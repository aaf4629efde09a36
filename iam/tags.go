package iam

import (
	"context"

	"github.com/opensts/opensts"
)

// taggable is one kind of IAM entity whose tags the Tag*, Untag* and
// List*Tags operations change and list (users, roles, OIDC and SAML
// providers): how a request names one (find validates the reference and
// extra's members, resolves the entity and authorizes the action with the
// request's facts and the entity's own), how it changes, and where its
// tags are.
type taggable[E any] struct {
	find   func(ctx context.Context, caller *opensts.Principal, ref *string, action string, extra func(*opensts.ValidationError), f opensts.RequestFacts) (E, error)
	update func(ctx context.Context, e E, fn func(*E) error) error
	tags   func(*E) *[]opensts.Tag
}

// tag adds or overwrites tags (keys compare case-insensitively); an entity
// has at most 50.
func (t taggable[E]) tag(ctx context.Context, caller *opensts.Principal, ref *string, action string, in []TagInput) error {
	e, err := t.find(ctx, caller, ref, action, func(v *opensts.ValidationError) {
		if in == nil {
			v.Add("tags", nil, "not be null")
		}
		validateTags(v, in)
	}, opensts.RequestFacts{Tags: requestTags(in)})
	if err != nil {
		return err
	}
	add, err := toTags(in)
	if err != nil {
		return err
	}
	return t.update(ctx, e, func(cur *E) (err error) {
		tags := t.tags(cur)
		*tags, err = mergeTags(*tags, add)
		return err
	})
}

// untag removes tags by key (case-insensitively); absent keys are ignored.
func (t taggable[E]) untag(ctx context.Context, caller *opensts.Principal, ref *string, action string, keys []string) error {
	e, err := t.find(ctx, caller, ref, action, func(v *opensts.ValidationError) {
		checkTagKeys(v, keys)
	}, opensts.RequestFacts{TagKeys: keys})
	if err != nil {
		return err
	}
	return t.update(ctx, e, func(cur *E) error {
		tags := t.tags(cur)
		*tags = removeTags(*tags, keys)
		return nil
	})
}

// list pages through an entity's tags (at most 50: paged here, by key).
func (t taggable[E]) list(ctx context.Context, caller *opensts.Principal, ref *string, action string, li ListInput) (opensts.Page[opensts.Tag], error) {
	e, err := t.find(ctx, caller, ref, action, li.validate, opensts.RequestFacts{})
	if err != nil {
		return opensts.Page[opensts.Tag]{}, err
	}
	return pageOf(*t.tags(&e), func(t opensts.Tag) string { return t.Key }, li)
}

func (s *Service) taggedUsers() taggable[opensts.User] {
	return taggable[opensts.User]{find: s.namedUser, update: s.updateUser, tags: func(u *opensts.User) *[]opensts.Tag { return &u.Tags }}
}

func (s *Service) taggedRoles() taggable[opensts.Role] {
	return taggable[opensts.Role]{find: s.namedRole, update: s.updateRole, tags: func(r *opensts.Role) *[]opensts.Tag { return &r.Tags }}
}

func (s *Service) taggedOIDCProviders() taggable[opensts.OIDCProvider] {
	return taggable[opensts.OIDCProvider]{find: s.namedOIDCProvider, update: s.updateOIDCProvider,
		tags: func(p *opensts.OIDCProvider) *[]opensts.Tag { return &p.Tags }}
}

func (s *Service) taggedSAMLProviders() taggable[opensts.SAMLProvider] {
	return taggable[opensts.SAMLProvider]{find: s.namedSAMLProvider, update: s.updateSAMLProvider,
		tags: func(p *opensts.SAMLProvider) *[]opensts.Tag { return &p.Tags }}
}
