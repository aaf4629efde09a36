package samlidentity

import (
	"container/heap"
	"crypto/sha256"
	"sync"
	"time"
)

// Config configures a Verifier. The zero value works.
type Config struct {
	Now func() time.Time
	// Skew is the clock skew allowed on NotBefore and NotOnOrAfter:
	// 5 minutes when zero, none when negative.
	Skew time.Duration
	// Recipients are Recipient and Destination URLs accepted besides AWS's
	// sign-in URLs (https://signin.aws.amazon.com/saml,
	// https://<region>.signin.aws.amazon.com/saml for any region,
	// https://signin.aws.amazon.com/static/saml), which always are: a
	// deployment's own sign-in URL.
	Recipients []string
	// Audiences are AudienceRestriction values accepted besides
	// urn:amazon:webservices and https://signin.aws.amazon.com/saml,
	// which always are.
	Audiences []string
	// ReplayCacheSize is how many assertion IDs are remembered until
	// their NotOnOrAfter: 100,000 when zero or negative.
	ReplayCacheSize int
}

const (
	defaultSkew            = 5 * time.Minute
	defaultReplayCacheSize = 100000
)

// Verifier verifies SAML responses and remembers the assertions it
// accepted. It is safe for concurrent use.
type Verifier struct {
	now        func() time.Time
	skew       time.Duration
	recipients map[string]bool
	audiences  map[string]bool

	mu   sync.Mutex
	seen map[replayKey]time.Time // accepted assertion → when it may be forgotten
	exp  expiries                // the same entries, soonest first
	max  int
}

// New returns a Verifier for cfg.
func New(cfg Config) *Verifier {
	v := &Verifier{
		now:        cfg.Now,
		skew:       cfg.Skew,
		recipients: map[string]bool{},
		audiences:  map[string]bool{audienceAWS: true, audienceSignin: true},
		seen:       map[replayKey]time.Time{},
		max:        cfg.ReplayCacheSize,
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case v.skew == 0:
		v.skew = defaultSkew
	case v.skew < 0:
		v.skew = 0
	}
	if v.max <= 0 {
		v.max = defaultReplayCacheSize
	}
	for _, r := range cfg.Recipients {
		v.recipients[r] = true
	}
	for _, a := range cfg.Audiences {
		v.audiences[a] = true
	}
	return v
}

// replayKey names an assertion: its issuer, its ID and the public key
// that signed it. The provider is not part of it, so an assertion accepted
// through one provider is refused through another that trusts the same
// key; the key is, so that an IdP registered in another account under the
// same entity id cannot use up a real assertion's ID first.
type replayKey struct {
	issuer, id string
	signer     [sha256.Size]byte
}

func newReplayKey(issuer, id string, signerSPKI []byte) replayKey {
	return replayKey{issuer: issuer, id: id, signer: sha256.Sum256(signerSPKI)}
}

type expiry struct {
	key replayKey
	at  time.Time
}

// expiries is a min-heap of replay entries by expiry time.
type expiries []expiry

func (h expiries) Len() int           { return len(h) }
func (h expiries) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiries) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiries) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// errReplayed and errCacheFull are what use returns.
type useResult int

const (
	useOK useResult = iota
	useReplayed
	useFull
)

// use records k as accepted until until, unless it already is. Entries
// whose time has passed are forgotten first. A full cache refuses (rather
// than forgetting an assertion that could then be replayed).
func (v *Verifier) use(k replayKey, until, now time.Time) useResult {
	v.mu.Lock()
	defer v.mu.Unlock()
	for len(v.exp) > 0 && !v.exp[0].at.After(now) {
		e := heap.Pop(&v.exp).(expiry)
		if at, ok := v.seen[e.key]; ok && at.Equal(e.at) {
			delete(v.seen, e.key)
		}
	}
	if _, ok := v.seen[k]; ok {
		return useReplayed
	}
	if len(v.seen) >= v.max {
		return useFull
	}
	v.seen[k] = until
	heap.Push(&v.exp, expiry{key: k, at: until})
	return useOK
}
