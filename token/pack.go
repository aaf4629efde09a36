package token

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"sync"
)

// PackedBudget is the most bytes the packed session policy (Pack's output)
// may take in a token; Pack's percent is measured against it.
//
// It is chosen so that any packing within budget, sealed with the longest
// other claims Seal accepts, still gives a token of at most MaxTokenLen
// characters:
//
//	token ≤ 4096 base64 characters      ⇔ envelope ≤ 4096/4*3 = 3072 bytes
//	envelope = 1 version + 4 key id + 12 nonce + 16 GCM tag = 33 + plaintext
//	plaintext ≤ 3072 - 33 = 3039 bytes, of which the claims other than the
//	packed section take at most (version 2, a role session)
//	  4 (version, kind, holder, flags) + 3 × 10 (varint times)      =  34
//	  access key id, source key id, holder id: 3 × (1 + 32)         =  99
//	  secret access key 1 + 64, account id 1 + 12                   =  78
//	  session name 1 + 64, source identity 1 + 64                   = 130
//	  transitive bit set (uvarint of 64 bits)                       =  10
//	  packed length prefix (uvarint of ≤ 2048)                      =   2
//	                                                                  ---
//	                                                                  353
//	and version 3 (a web identity or SAML session) adds its federated
//	identity:
//	  provider id 1 + 32, subject type 1 + 64                        =  98
//	  subject, audience: 2 × (2 + 255)                              = 514
//	                                                                  ---
//	                                                                  965
//	so the packed section may take up to 3039 - 965 = 2074 bytes.
//	(Version 1 takes at most 280: no source identity nor transitive set.)
//
// 2048 is the round number below that, and the budget version 1 had.
// TestBudgetArithmetic seals the worst case and checks the result.
const PackedBudget = 2048

// maxUnpacked bounds the inflated size of a packed section, so a packed
// section can never expand into more memory than this, whatever it holds.
// Pack reports more than 100 percent for inputs whose binary encoding is
// larger; valid session policies (≤ 2,048 characters with their ARNs) and
// 50 tags of ASCII text stay far below it.
const maxUnpacked = 64 << 10

// Pack returns the packed form of a session policy, its policy ARNs and its
// session tags — raw DEFLATE of their binary encoding — and the percentage of
// PackedBudget it consumes, ceil(100 * len(packed) / PackedBudget). Above 100
// the caller answers AWS's PackedPolicyTooLarge and Seal refuses the claims.
//
// With no policy, ARNs or tags, packed is nil and percent 0. When the binary
// encoding alone is larger than 64 KiB, packed is nil and percent is
// ceil(100 * encoded / 65536), which is above 100.
//
// The binary encoding is: uvarint length + policy bytes; uvarint count, then
// uvarint length + bytes for each ARN; uvarint count, then key and value
// (each uvarint length + bytes) for each tag.
func Pack(policy string, policyARNs []string, tags []Tag) (packed []byte, percent int) {
	if !hasPacked(policy, policyARNs, tags) {
		return nil, 0
	}
	p := getPacker()
	defer putPacker(p)
	packed, percent = p.pack(policy, policyARNs, tags)
	return bytes.Clone(packed), percent
}

func hasPacked(policy string, arns []string, tags []Tag) bool {
	return policy != "" || len(arns) > 0 || len(tags) > 0
}

func ceilPercent(n, of int) int { return (100*n + of - 1) / of }

// encodedLen is the size of the binary encoding, or some value above
// maxUnpacked as soon as the sum passes it.
func encodedLen(policy string, arns []string, tags []Tag) int {
	n := uvarintLen(len(policy)) + len(policy) + uvarintLen(len(arns)) + uvarintLen(len(tags))
	for _, a := range arns {
		if n > maxUnpacked {
			return n
		}
		n += uvarintLen(len(a)) + len(a)
	}
	for _, t := range tags {
		if n > maxUnpacked {
			return n
		}
		n += uvarintLen(len(t.Key)) + len(t.Key) + uvarintLen(len(t.Value)) + len(t.Value)
	}
	return n
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

func appendEncoded(b []byte, policy string, arns []string, tags []Tag) []byte {
	b = appendString(b, policy)
	b = binary.AppendUvarint(b, uint64(len(arns)))
	for _, a := range arns {
		b = appendString(b, a)
	}
	b = binary.AppendUvarint(b, uint64(len(tags)))
	for _, t := range tags {
		b = appendString(b, t.Key)
		b = appendString(b, t.Value)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// packer holds the DEFLATE writers and buffers of one packing. Packing
// compresses with fixed Huffman codes first (fixedDeflater: a few
// microseconds for a session policy, where a general DEFLATE writer at
// BestCompression takes about twenty). When that saves less than a quarter
// (text with few repeats, such as random tag values) or does not fit
// PackedBudget, it compresses again at BestCompression and keeps the
// smaller, so no input packs larger than it did with BestCompression
// alone by more than the quarter, and every input that ever fitted still
// fits. Both write raw DEFLATE, which every release inflates alike. A
// BestCompression writer is most of a megabyte, so packers are pooled and
// make theirs on first need.
type packer struct {
	fixed fixedDeflater
	best  *flate.Writer
	raw   []byte
	out   sliceWriter
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

var packers = sync.Pool{New: func() any { return new(packer) }}

func getPacker() *packer  { return packers.Get().(*packer) }
func putPacker(p *packer) { packers.Put(p) }

// pack returns the packed bytes, valid until p is put back and never to be
// changed (they may be shared with other callers through the cache).
func (p *packer) pack(policy string, arns []string, tags []Tag) ([]byte, int) {
	if n := encodedLen(policy, arns, tags); n > maxUnpacked {
		return nil, ceilPercent(n, maxUnpacked)
	}
	p.raw = appendEncoded(p.raw[:0], policy, arns, tags)
	key := sha256.Sum256(p.raw)
	if b, ok := recentPacks.get(key); ok {
		return b, ceilPercent(len(b), PackedBudget)
	}
	p.compress()
	percent := ceilPercent(len(p.out.b), PackedBudget)
	if percent <= 100 {
		recentPacks.put(key, bytes.Clone(p.out.b))
	}
	return p.out.b, percent
}

// compress packs p.raw into p.out.b.
func (p *packer) compress() {
	fixed := p.fixed.deflate(p.out.b[:0], p.raw)
	p.out.b = fixed
	if len(fixed) > PackedBudget || 4*len(fixed) > 3*len(p.raw) {
		if p.best == nil {
			p.best, _ = flate.NewWriter(nil, flate.BestCompression) // a valid level: no error
		}
		p.out.b = fixed[len(fixed):] // after the fixed packing, in the same buffer
		p.best.Reset(&p.out)
		// Writes to a sliceWriter cannot fail, so neither can these.
		p.best.Write(p.raw)
		p.best.Close()
		if best := p.out.b; len(best) < len(fixed) {
			p.out.b = append(fixed[:0], best...)
		} else {
			p.out.b = fixed
		}
	}
}

// packCache keeps the packings of recent session policies, ARNs and tags,
// keyed by the SHA-256 of their encoding: clients tend to send the same
// session policy with every request, and compressing is most of the cost
// of sealing one. Packing is deterministic, so a hit is
// exactly what compressing again would give. Bounded: when full it starts
// over (at most maxRecentPacks × PackedBudget bytes).
type packCache struct {
	mu sync.Mutex
	m  map[[32]byte][]byte
}

const maxRecentPacks = 1024

var recentPacks = packCache{m: make(map[[32]byte][]byte)}

func (c *packCache) get(key [32]byte) ([]byte, bool) {
	c.mu.Lock()
	b, ok := c.m[key]
	c.mu.Unlock()
	return b, ok
}

func (c *packCache) put(key [32]byte, b []byte) {
	c.mu.Lock()
	if len(c.m) >= maxRecentPacks {
		clear(c.m)
	}
	c.m[key] = b
	c.mu.Unlock()
}

// inflater holds a DEFLATE reader and a buffer one byte larger than
// maxUnpacked, so an over-long section is seen without reading further.
type inflater struct {
	src bytes.Reader
	r   io.ReadCloser
	buf [maxUnpacked + 1]byte
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// unpack reverses Pack. It fails on anything Pack cannot have produced:
// corrupt DEFLATE, bytes after the final block, more than maxUnpacked bytes
// inflated, or an encoding that does not decode exactly.
func unpack(packed []byte) (policy string, arns []string, tags []Tag, ok bool) {
	f := inflaters.Get().(*inflater)
	defer inflaters.Put(f)
	f.src.Reset(packed)
	if f.r == nil {
		f.r = flate.NewReader(&f.src)
	} else if err := f.r.(flate.Resetter).Reset(&f.src, nil); err != nil {
		return "", nil, nil, false
	}
	n := 0
	for n < len(f.buf) {
		m, err := f.r.Read(f.buf[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil || m == 0 {
			return "", nil, nil, false
		}
	}
	if n > maxUnpacked || f.src.Len() != 0 {
		return "", nil, nil, false
	}
	return decodeEncoded(f.buf[:n])
}

// decodeEncoded decodes the binary encoding. Every string shares one
// allocation; counts are checked against the bytes left (each ARN takes at
// least one byte, each tag two) before any slice is made.
func decodeEncoded(raw []byte) (policy string, arns []string, tags []Tag, ok bool) {
	s := string(raw)
	d := decoder{b: raw}
	str := func() string {
		sp := d.span()
		return s[sp[0]:sp[1]]
	}
	policy = str()
	if k := d.uvarint(); !d.bad && k > 0 {
		if k > uint64(len(raw)-d.off) {
			return "", nil, nil, false
		}
		arns = make([]string, k)
		for i := range arns {
			arns[i] = str()
		}
	}
	if k := d.uvarint(); !d.bad && k > 0 {
		if k > uint64(len(raw)-d.off)/2 {
			return "", nil, nil, false
		}
		tags = make([]Tag, k)
		for i := range tags {
			tags[i] = Tag{Key: str(), Value: str()}
		}
	}
	if d.bad || d.off != len(raw) {
		return "", nil, nil, false
	}
	return policy, arns, tags, true
}
