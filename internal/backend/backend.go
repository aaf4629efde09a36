// Package backend holds what the store backends (sqlite, postgres) share
// that is not SQL: loading their embedded migrations, the encoding of tags,
// paging markers and policy version ids, the errors for missing entities and
// quotas, and the checks a snapshot must pass before it is restored. Each
// backend still writes its own SQL (STYLE.md §5).
package backend

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opensts/opensts"
)

// Migration is one embedded migrations/NNNN_name.sql file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the migrations/*.sql files of fsys in version order,
// requiring versions 1, 2, 3, … without gaps.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// NotFound is the error for a missing entity, described by what.
func NotFound(what string) error {
	return fmt.Errorf("%s: %w", what, opensts.ErrNotFound)
}

// LimitExceeded is the error for a quota that a write would pass.
func LimitExceeded(what string, limit int) error {
	return fmt.Errorf("%s quota of %d: %w", what, limit, opensts.ErrLimitExceeded)
}

// EncodeTags stores tags as JSON ("[]" when none).
func EncodeTags(tags []opensts.Tag) (string, error) {
	if len(tags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("encode tags: %w", err)
	}
	return string(b), nil
}

// EncodeIDs stores a string map (a role's trusted principals' ids) as a JSON
// object, keys sorted.
func EncodeIDs(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode ids: %w", err)
	}
	return string(b), nil
}

// DecodeIDs reads a map stored by EncodeIDs (nil when empty).
func DecodeIDs(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode ids: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// EncodeStrings stores a list of strings (an OIDC provider's client ids or
// thumbprints) as a JSON array, in order ("[]" when empty).
func EncodeStrings(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// DecodeStrings reads a list stored by EncodeStrings (nil when empty).
func DecodeStrings(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// DecodeTags reads tags stored by EncodeTags (nil when none).
func DecodeTags(s string) ([]opensts.Tag, error) {
	var tags []opensts.Tag
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

// Markers are the base64url encoding of the last sort key of a page, so the
// next page starts strictly after it. Both backends issue the same markers.

// EncodeMarker returns the marker after key.
func EncodeMarker(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// DecodeMarker returns the key a marker names; ErrInvalidInput for anything
// a store did not issue.
func DecodeMarker(m string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) == 0 || !utf8.Valid(b) || strings.IndexByte(string(b), 0) >= 0 {
		return "", fmt.Errorf("marker %q: %w", m, opensts.ErrInvalidInput)
	}
	return string(b), nil
}

// Page cuts items to the limit; keys[i] is items[i]'s sort key. Callers ask
// for one item more than the limit to learn whether the listing goes on.
func Page[T any](items []T, keys []string, opt opensts.ListOptions) opensts.Page[T] {
	if n := opt.Limit(); len(items) > n {
		return opensts.Page[T]{Items: items[:n], Marker: EncodeMarker(keys[n-1])}
	}
	return opensts.Page[T]{Items: items}
}

// VersionID formats policy version number n as IAM's "vN".
func VersionID(n int) string { return "v" + strconv.Itoa(n) }

// ParseVersionID accepts exactly the ids VersionID produces.
func ParseVersionID(id string) (int, bool) {
	s, ok := strings.CutPrefix(id, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<31-1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// NormPath is a path as ARNs spell it: "/" when empty.
func NormPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// IdentityDocument names a policy document found for an identity: managed
// policies by their ARN, inline policies by their name.
func IdentityDocument(source opensts.PolicySource, accountID, path, name, doc string) opensts.PolicyDocument {
	id := name
	if source == opensts.SourceManaged || source == opensts.SourceGroupManaged {
		id = opensts.PolicyARN(accountID, path, name)
	}
	return opensts.PolicyDocument{Source: source, ID: id, Document: doc}
}

// BoundaryPolicy is the path and name of the managed policy a
// permissions-boundary ARN names, or a NotFound error when the ARN does not
// name a policy of the account. The backend looks the name up
// case-insensitively and confirms the stored path with MatchesBoundary.
func BoundaryPolicy(accountID, arn string) (path, name string, err error) {
	a, kind, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || kind != "policy" || a != accountID {
		return "", "", NotFound("policy " + arn)
	}
	return path, name, nil
}

// MatchesBoundary checks the stored path of the policy found for a
// boundary ARN against the ARN's path, which compares exactly.
func MatchesBoundary(arn, wantPath, storedPath string) error {
	if NormPath(storedPath) != wantPath {
		return NotFound("policy " + arn)
	}
	return nil
}

// CheckRootKey refuses a first root key that does not belong to the root of
// the account it is created with.
func CheckRootKey(a opensts.Account, rootKey opensts.AccessKey) error {
	if rootKey.AccountID != a.ID || rootKey.UserID != a.ID {
		return fmt.Errorf("root key %s must belong to the account root: %w", rootKey.ID, opensts.ErrInvalidInput)
	}
	return nil
}

// CheckSnapshot refuses snapshots that the schema cannot represent
// faithfully: a default account that is not among the accounts, an OIDC
// provider whose URL is not https://HOST…, a SAML provider without a name
// that fits its ARN, a UUID or metadata, owners of
// an unknown kind, attachments of a policy that is neither in the snapshot
// nor an AWS managed policy, version ids that are not vN, a default version the
// policy does not have, a next-version counter that would hand out a
// kept version's id again, a signing key without an id, algorithm, sealed
// private key, public key or activation time, or an outbound federation
// switch of an account the snapshot does not hold.
func CheckSnapshot(s *opensts.Snapshot) error {
	if s == nil {
		return fmt.Errorf("nil snapshot: %w", opensts.ErrInvalidInput)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("snapshot: "+format+": %w", append(args, opensts.ErrInvalidInput)...)
	}
	if len(s.Accounts) > 0 || s.DefaultAccountID != "" {
		found := false
		for _, a := range s.Accounts {
			found = found || a.ID == s.DefaultAccountID
		}
		if !found {
			return bad("default account %q is not among the accounts", s.DefaultAccountID)
		}
	}
	for _, sp := range s.Policies {
		def, ok := ParseVersionID(sp.Policy.DefaultVersionID)
		if !ok {
			return bad("policy %s: default version %q", sp.Policy.ID, sp.Policy.DefaultVersionID)
		}
		hasDefault := false
		for _, v := range sp.Versions {
			n, ok := ParseVersionID(v.VersionID)
			if !ok || n >= sp.NextVersion {
				return bad("policy %s: version %q with next version %d", sp.Policy.ID, v.VersionID, sp.NextVersion)
			}
			hasDefault = hasDefault || n == def
		}
		if !hasDefault {
			return bad("policy %s: default version %s is missing", sp.Policy.ID, sp.Policy.DefaultVersionID)
		}
	}
	for _, p := range s.OIDCProviders {
		if !strings.HasPrefix(p.URL, "https://") || len(p.URL) == len("https://") {
			return bad("OIDC provider %s: url %q", p.ID, p.URL)
		}
	}
	for _, p := range s.SAMLProviders {
		if p.Name == "" || strings.ContainsAny(p.Name, "/:") || p.UUID == "" || p.MetadataDocument == "" {
			return bad("SAML provider %s: name %q, uuid %q, %d characters of metadata", p.ID, p.Name, p.UUID, len(p.MetadataDocument))
		}
	}
	for _, k := range s.SigningKeys {
		if k.ID == "" || k.Algorithm == "" || len(k.Sealed) == 0 || len(k.Public) == 0 || k.ActiveAt.IsZero() {
			return bad("signing key %q: algorithm %q, %d sealed bytes, %d public bytes, active at %v",
				k.ID, k.Algorithm, len(k.Sealed), len(k.Public), k.ActiveAt)
		}
	}
	accounts := make(map[string]bool, len(s.Accounts))
	for _, a := range s.Accounts {
		accounts[a.ID] = true
	}
	for _, f := range s.OutboundFederations {
		if !accounts[f.AccountID] {
			return bad("outbound federation of %s: no such account", f.AccountID)
		}
	}
	for _, p := range s.InlinePolicies {
		if !KnownOwnerKind(p.Owner.Kind) {
			return bad("inline policy %s: owner kind %q", p.Policy.Name, p.Owner.Kind)
		}
	}
	policies := make(map[string]bool, len(s.Policies))
	for _, sp := range s.Policies {
		policies[sp.Policy.ID] = true
	}
	for _, a := range s.Attachments {
		if !KnownOwnerKind(a.Owner.Kind) {
			return bad("attachment of %s: owner kind %q", a.PolicyID, a.Owner.Kind)
		}
		if _, _, aws := opensts.AWSManagedPolicyByID(a.PolicyID); !aws && !policies[a.PolicyID] {
			return bad("attachment of %s: no such policy", a.PolicyID)
		}
	}
	return nil
}

// KnownOwnerKind reports whether k is a kind of entity that holds policies.
func KnownOwnerKind(k opensts.OwnerKind) bool {
	return k == opensts.OwnerUser || k == opensts.OwnerGroup || k == opensts.OwnerRole
}

// AttachedPolicy names the policy of one attachment row. A customer
// managed policy comes with its stored name and path; an attachment whose
// id names no stored policy must be of an AWS managed policy, which are
// not stored (opensts.AWSManagedPolicies). Anything else is a broken
// store, reported rather than dropped.
func AttachedPolicy(accountID, policyID string, name, path *string) (opensts.AttachedPolicy, error) {
	if name != nil && path != nil {
		return opensts.AttachedPolicy{Name: *name, ARN: opensts.PolicyARN(accountID, *path, *name)}, nil
	}
	p, _, err := attachedAWSPolicy(policyID)
	return opensts.AttachedPolicy{Name: p.Name, ARN: p.ARN()}, err
}

// AWSDocument is the identity document of an attached AWS managed policy,
// found by its policy id.
func AWSDocument(source opensts.PolicySource, policyID string) (opensts.PolicyDocument, error) {
	p, doc, err := attachedAWSPolicy(policyID)
	return opensts.PolicyDocument{Source: source, ID: p.ARN(), Document: doc}, err
}

// attachedAWSPolicy resolves the policy of an attachment that names no
// stored policy: it must be an AWS managed policy.
func attachedAWSPolicy(policyID string) (opensts.ManagedPolicy, string, error) {
	p, doc, ok := opensts.AWSManagedPolicyByID(policyID)
	if !ok {
		return p, "", fmt.Errorf("attachment of policy %s, which does not exist", policyID)
	}
	return p, doc, nil
}

// PageAttached pages the policies attached to one owner, which are few (a
// quota bounds them), so the backend reads them all: PathPrefix filters on
// the policy's path; the order is by case-folded name, then ARN, so a
// customer policy and an AWS managed policy of the same name both appear.
func PageAttached(items []opensts.AttachedPolicy, opt opensts.ListOptions) (opensts.Page[opensts.AttachedPolicy], error) {
	after := ""
	if opt.Marker != "" {
		var err error
		if after, err = DecodeMarker(opt.Marker); err != nil {
			return opensts.Page[opensts.AttachedPolicy]{}, err
		}
	}
	key := func(a opensts.AttachedPolicy) string { return strings.ToLower(a.Name) + "\x01" + a.ARN }
	kept := items[:0]
	for _, a := range items {
		_, _, path, _, _ := opensts.ParseIAMARN(a.ARN)
		if strings.HasPrefix(path, opt.PathPrefix) && key(a) > after {
			kept = append(kept, a)
		}
	}
	slices.SortFunc(kept, func(a, b opensts.AttachedPolicy) int { return strings.Compare(key(a), key(b)) })
	keys := make([]string, len(kept))
	for i, a := range kept {
		keys[i] = key(a)
	}
	return Page(kept, keys, opt), nil
}

// SamePolicy reports whether a permissions-boundary ARN names the managed
// policy whose ARN is policyARN, as boundaries resolve: same account and
// path, names equal but for case.
func SamePolicy(boundaryARN, policyARN string) bool {
	a1, k1, p1, n1, ok1 := opensts.ParseIAMARN(boundaryARN)
	a2, k2, p2, n2, ok2 := opensts.ParseIAMARN(policyARN)
	return ok1 && ok2 && k1 == "policy" && k2 == "policy" && a1 == a2 && p1 == p2 && strings.EqualFold(n1, n2)
}
