package webidentity

// ForgetVerified empties v's verified-token cache, so a benchmark measures
// a token's first verification.
func ForgetVerified(v *Verifier) {
	v.mu.Lock()
	clear(v.verified)
	v.mu.Unlock()
}
