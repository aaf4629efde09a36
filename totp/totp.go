package totp

import (
	"crypto/hmac"
	"crypto/sha1" // RFC 6238 with SHA-1 is what AWS virtual and OATH hardware tokens compute.
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"
	"time"
)

// Parameters of every code this package computes or accepts: HMAC-SHA-1, a
// 30 s step counted from the Unix epoch (T0 = 0) and 6 digits, which is what
// AWS virtual devices and the OATH TOTP hardware tokens AWS accepts use
// (sts-spec.md §3.3).
const (
	Digits = 6
	Period = 30 * time.Second
)

// Windows for VerifyConsecutive, in time steps either side of now. AWS does
// not publish its windows (sts-spec.md §8), so these follow FreeIPA's
// defaults (ipatokenTOTPauthWindow 300 s, ipatokenTOTPsyncWindow 86400 s in
// freeipa daemons/ipa-slapi-plugins/libotp/otp_config.c).
//
// Two consecutive codes are a 40-bit secret (10^12), so even the widest window
// leaves a guess about 6e-9 likely per request; the window only bounds how
// stale or how far off the device clock may be.
const (
	// EnableWindow (±5 min) is for EnableMFADevice. A fresh authenticator app
	// runs on an NTP-synced phone; the margin covers a user who reads the two
	// codes and submits them a few minutes later, which AWS accepts too
	// ("submitting late still succeeds", sts-spec.md §6.3).
	EnableWindow = 10
	// ResyncWindow (±24 h) is for ResyncMFADevice, whose purpose is to find a
	// device whose clock has wandered: hardware tokens drift by minutes a
	// year, and a phone set by hand may be an hour or more off. Hardware
	// tokens imported long before they are enabled may need it for
	// EnableMFADevice too.
	ResyncWindow = 2880
	// MaxWindow caps any window passed to VerifyConsecutive, bounding the
	// work one request can cause to 2*MaxWindow+2 HMAC computations.
	MaxWindow = ResyncWindow
)

var (
	// ErrInvalidCode means the code is wrong, malformed (not exactly six
	// ASCII digits) or outside the accepted window.
	ErrInvalidCode = errors.New("authentication code is not valid")
	// ErrReplayed means the code is right but for a time step already used:
	// no code is accepted twice (RFC 6238 §5.2).
	ErrReplayed = errors.New("authentication code was already used")
)

// modulus is 10^Digits.
const modulus = 1_000_000

const periodSeconds = int64(Period / time.Second)

// Step returns the RFC 6238 time step of t: floor(Unix seconds / 30).
func Step(t time.Time) int64 {
	s := t.Unix()
	q := s / periodSeconds
	if s%periodSeconds < 0 {
		q-- // floor, not truncation, before 1970
	}
	return q
}

// Code returns the code for seed at step, zero-padded to Digits: the RFC 4226
// HOTP value with the step as counter.
func Code(seed []byte, step int64) string {
	v := newHOTP(seed).value(step)
	var b [Digits]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:])
}

// Verify checks code against the steps of now-1, now and now+1 (one step of
// clock drift either side: a code is good from the start of the step before
// its own to the end of the step after, 90 s) and returns the step it
// matched. Only a step strictly greater than lastUsedStep is accepted; the
// caller stores the returned step as the device's new last used step, so a
// code once accepted is never accepted again (RFC 6238 §5.2), and no code
// older than the newest one accepted is accepted either.
//
// All three steps are always computed and compared in constant time, so the
// time taken does not say which step (if any) matched. If the code matches
// several steps (a one-in-a-million coincidence) the latest acceptable one
// is returned, so the same code cannot be accepted again within the window.
//
// A code that is not exactly six ASCII digits, or an empty seed, is
// ErrInvalidCode without computing anything. A right code for a step at or
// before lastUsedStep is ErrReplayed; callers answering clients should treat
// both alike. A caller that has recorded a device's drift passes now shifted
// by that many periods.
func Verify(seed []byte, code string, now time.Time, lastUsedStep int64) (step int64, err error) {
	want, ok := parseCode(code)
	if !ok || len(seed) == 0 {
		return 0, ErrInvalidCode
	}
	h := newHOTP(seed)
	cur := Step(now)
	var accepted, matched int
	for d := int64(-1); d <= 1; d++ {
		s := cur + d
		eq := subtle.ConstantTimeEq(int32(h.value(s)), int32(want))
		newer := 0
		if s > lastUsedStep { // step numbers are not secret; the match is
			newer = 1
		}
		step = selectInt64(eq&newer, s, step)
		accepted |= eq & newer
		matched |= eq
	}
	switch {
	case accepted == 1:
		return step, nil
	case matched == 1:
		return 0, ErrReplayed
	default:
		return 0, ErrInvalidCode
	}
}

// VerifyConsecutive checks two codes a device showed one after the other, as
// EnableMFADevice and ResyncMFADevice receive them (AuthenticationCode1, then
// AuthenticationCode2 one step later), and returns the step of the second.
// The second code's step may be up to window steps either side of now (see
// EnableWindow and ResyncWindow); window is clamped to [0, MaxWindow].
//
// Every candidate step is computed and compared in constant time. There is no
// replay check: the caller stores the returned step as the device's last
// used step (and, for a device already in use, may require it to exceed the
// stored one); the difference between it and Step(now) is the device's drift.
func VerifyConsecutive(seed []byte, code1, code2 string, now time.Time, window int) (step int64, err error) {
	want1, ok1 := parseCode(code1)
	want2, ok2 := parseCode(code2)
	if !ok1 || !ok2 || len(seed) == 0 {
		return 0, ErrInvalidCode
	}
	w := int64(min(max(window, 0), MaxWindow))
	h := newHOTP(seed)
	cur := Step(now)
	prev := h.value(cur - w - 1)
	matched := 0
	for s := cur - w; s <= cur+w; s++ {
		v := h.value(s)
		ok := subtle.ConstantTimeEq(int32(prev), int32(want1)) & subtle.ConstantTimeEq(int32(v), int32(want2))
		step = selectInt64(ok, s, step)
		matched |= ok
		prev = v
	}
	if matched == 0 {
		return 0, ErrInvalidCode
	}
	return step, nil
}

// hotp computes RFC 4226 values for one seed, reusing one HMAC.
type hotp struct {
	mac hash.Hash
	msg [8]byte // the counter; kept here so that it does not escape per call
	sum []byte
}

func newHOTP(seed []byte) *hotp {
	return &hotp{mac: hmac.New(sha1.New, seed), sum: make([]byte, 0, sha1.Size)}
}

// value returns the code for counter as a number below 10^Digits.
func (h *hotp) value(counter int64) uint32 {
	return h.truncated(counter) % modulus
}

// truncated returns the 31-bit dynamic truncation of HMAC-SHA-1(seed,
// counter) (RFC 4226 §5.3), the counter as an 8-byte big-endian integer.
func (h *hotp) truncated(counter int64) uint32 {
	binary.BigEndian.PutUint64(h.msg[:], uint64(counter))
	h.mac.Reset()
	h.mac.Write(h.msg[:])
	h.sum = h.mac.Sum(h.sum[:0])
	off := h.sum[len(h.sum)-1] & 0x0f
	return binary.BigEndian.Uint32(h.sum[off:off+4]) & 0x7fffffff
}

// parseCode accepts exactly Digits ASCII digits. The submitted code is the
// caller's own input, so parsing it need not be constant time.
func parseCode(code string) (uint32, bool) {
	if len(code) != Digits {
		return 0, false
	}
	var v uint32
	for i := range len(code) {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint32(c-'0')
	}
	return v, true
}

// selectInt64 returns a if v is 1 and b if v is 0, without branching.
func selectInt64(v int, a, b int64) int64 {
	mask := -int64(v)
	return a&mask | b&^mask
}
