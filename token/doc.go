// Package token owns OpenSTS's session tokens: the stateless, sealed
// SessionToken that GetSessionToken and GetFederationToken return, and the
// key ring that seals and opens them (DESIGN.md, key decision 1).
//
// A token carries everything needed to check a request signed with its
// temporary credentials — the temporary access key id and secret, the
// account and principal, expiry, the MFA fact, the session policy, policy
// ARNs and tags — so any node holding the ring opens any token, and issuing
// or verifying a session touches no database. Nothing here grows with the
// number of sessions issued.
//
// # Wire format
//
// A token is padded standard base64 ([A-Za-z0-9+/=], as AWS's) of a binary
// envelope, at most MaxTokenLen (4,096) characters, AWS's cap (spec §1.7):
//
//	offset  size  field
//	0       1     version, 0x01
//	1       4     key id, uint32 big endian
//	5       12    random nonce
//	17      n+16  AES-256-GCM ciphertext of the claims, then the tag
//
// The first five bytes (version and key id) are the GCM associated data, so
// neither can be changed without the token failing to authenticate. The
// plaintext is a versioned binary encoding of Claims (varints and
// length-prefixed fields, described beside appendClaims), whose session
// policy, policy ARNs and tags are stored as Pack packs them: raw DEFLATE of
// their binary encoding. PackedBudget's comment shows why a packing within
// budget always fits the 4,096-character cap.
//
// Open checks, in order: size and base64 (one spelling per token), version,
// key id, GCM authentication, claims decoding, expiry — so garbage costs no
// decryption, and only an authentic token is reported expired. The packed
// section inflates to at most 64 KiB.
//
// # Key ring and rotation
//
// A ring holds exactly one active key, which seals, and any number of
// retired keys, which only open. Rotate retires the active key with
// ExpiresAt = now + the longest session it may have sealed, adds a new
// active key with the next id, and prunes retired keys past ExpiresAt; Prune
// does the pruning alone. A token therefore opens until it expires even
// across rotations, and fails with ErrUnknownKey once its key is gone. Ring
// values are immutable snapshots; rotation builds a new one. Nonces are
// random, so a key should seal far fewer than 2^32 tokens: rotating daily
// keeps that true at thousands of sessions a second.
//
// Storage of the ring (keys sealed under the master key) belongs to the
// store and package atrest; mapping this package's errors to AWS error codes
// (InvalidClientTokenId, ExpiredToken, PackedPolicyTooLarge) belongs to
// package api.
//
// Package token imports only the standard library.
package token
