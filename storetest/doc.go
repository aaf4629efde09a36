// Package storetest is the conformance suite every opensts.Store passes:
// Run(t, newStore) runs one subtest per entity and per rule of the contract
// in the root package's store.go, each on a fresh store.
//
// It imports the root package, testing and go-cmp only, and is imported only
// by the _test.go files of storage backends (sqlite, postgres).
//
// Where store.go leaves a choice open, the suite pins one, so that every
// backend behaves the same:
//
//   - Times come back in UTC and keep at least microseconds; a backend may
//     drop (truncate or round) anything finer. Optional times (EnableDate,
//     LockedUntil, RetiredAt, ExpiresAt) come back zero when stored zero.
//   - Nil and empty slices are equivalent; binary fields (SealedSecret,
//     SealedSeed, TokenKey.Sealed) round-trip byte for byte.
//   - Quotas count what the owner already has: a create fails with
//     ErrLimitExceeded when count >= limit, so a limit of 0 allows nothing.
//     The aggregate inline-policy size may reach maxTotalSize exactly.
//     Idempotent operations (AddUserToGroup, AttachPolicy) succeed at the
//     limit when nothing changes.
//   - Listings sort by the case-folded name (strings.ToLower), byte order;
//     MFA devices by serial number, byte order. PathPrefix is a plain string
//     prefix (no wildcards). A marker the store did not issue fails with
//     ErrInvalidInput. A non-empty marker is never followed by an empty page.
//   - Creating anything in an account that does not exist, or for a user or
//     group that does not exist, fails with ErrNotFound; so do the listings
//     of one user's or group's things (ListAccessKeys, ListGroupsForUser,
//     ListGroupMembers, ListInlinePolicies, ListAttachedPolicies) and every
//     lookup with the wrong account id. Account-wide listings (ListUsers,
//     ListGroups, ListPolicies, ListMFADevices) of an unknown account are
//     empty.
//   - Updater funcs: fields the contract calls immutable are ignored
//     (restored), never an error. UpdateUser keeps only Tags and
//     PermissionsBoundary (Path and Name too are immutable);
//     UpdateAccessKey keeps Status and SealedSecret (resealing);
//     UpdateMFADevice keeps everything but AccountID, SerialNumber, Kind,
//     Name, Path and CreatedAt. Assigning a device to an unknown user fails
//     with ErrNotFound. fn's error is returned (errors.Is works) and nothing
//     is written.
//   - InitDefaultAccount refuses, with ErrInvalidInput, a root key whose
//     AccountID or UserID is not the account id.
//   - MFA serial numbers compare exactly; user, group, managed and inline
//     policy names case-insensitively. A replaced inline policy takes the
//     new spelling of its name.
//   - Policy versions: CreatePolicyVersion and SetDefaultPolicyVersion set
//     the policy's UpdatedAt to now; v1 is created at the policy's
//     CreatedAt; ListPolicyVersions is newest first. DeletePolicyVersion of
//     the default fails with DependentVersions.
//   - DeletePolicy fails with DependentAttachments while the policy is
//     attached or is a user's permissions boundary, then with
//     DependentVersions while non-default versions remain.
//     AttachmentCount counts users and groups, not boundaries.
//   - IdentityPolicies is one snapshot: a concurrent membership change is
//     seen whole or not at all (on PostgreSQL that takes a REPEATABLE READ
//     read-only transaction). Documents come user inline, user managed,
//     group inline, group managed; groups by name, policies by name. ID is
//     the inline policy name or the managed policy ARN. The boundary
//     resolves to a policy of the same account by name (case-insensitive)
//     and path (exact); a boundary that resolves to nothing is an error,
//     never silently dropped.
//   - The key ring lists in the order the last updater returned; duplicate
//     key ids fail the update with ErrAlreadyExists.
//
// newStore must hand out a fresh, empty store on every call and register
// its own cleanup (Close) with t.Cleanup. Updater funcs in the suite never
// call back into the store.
package storetest
