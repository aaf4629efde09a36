// Package totp checks the six-digit codes of MFA devices: virtual devices
// created through the IAM API (an authenticator app on a phone) and OATH TOTP
// hardware tokens an operator imports from the vendor's seed file.
//
// It owns the pure building blocks and nothing else:
//
//   - RFC 6238 TOTP with the parameters AWS devices use: HMAC-SHA-1, a 30 s
//     time step counted from the Unix epoch, 6 decimal digits
//     (sts-spec.md §3.3). Nothing else is accepted, so a token programmed
//     with other parameters is refused at import rather than failing later.
//   - Verify, which returns the matched time step. The caller stores it as
//     the device's LastUsedStep (opensts.MFADevice) and passes it back next
//     time, so a code is never accepted twice (RFC 6238 §5.2). Keeping that
//     step atomically per device, across processes, is the store's job.
//   - VerifyConsecutive for EnableMFADevice and ResyncMFADevice, which take
//     two consecutive codes.
//   - Seeds: generation, base32 as Base32StringSeed carries it, the otpauth
//     URI that QRCodePNG encodes (sts-spec.md §6.3), and the seed files
//     hardware vendors ship (ParseSeedFile).
//
// Time always comes from the caller; the package never reads the clock.
// Codes and seeds are secrets: no error returned here contains either, and
// callers must not log them.
//
// Imports the standard library only; it must not import the root package,
// storage, net/http or any protocol package. Packages iam and issuer use it.
package totp
