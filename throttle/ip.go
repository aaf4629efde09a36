package throttle

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// ipKey names one address bucket: an IPv4 /32 (bits 32) or an IPv6 /64
// (bits 64), or, with bits 0, the single bucket shared by every value that
// does not parse as an address.
type ipKey struct {
	hi, lo uint64
	bits   uint8
}

// parseIPKey maps "addr" or "addr:port" to its bucket without allocating
// for well-formed input.
func parseIPKey(s string) ipKey {
	var addr netip.Addr
	var err error
	// A bare IPv4 address has no colon and a bare IPv6 address at least
	// two; a port is present when the value is bracketed or has exactly
	// one colon. Choosing the parser up front keeps the error path (which
	// allocates) out of the common case.
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		var ap netip.AddrPort
		ap, err = netip.ParseAddrPort(s)
		addr = ap.Addr()
	} else {
		addr, err = netip.ParseAddr(s)
	}
	if err != nil {
		return ipKey{}
	}
	addr = addr.Unmap()
	if addr.Is4() {
		b := addr.As4()
		return ipKey{lo: uint64(binary.BigEndian.Uint32(b[:])), bits: 32}
	}
	// The zone, if any, is dropped: fe80::/64 is one bucket whatever the
	// interface.
	b := addr.As16()
	return ipKey{hi: binary.BigEndian.Uint64(b[:8]), bits: 64}
}

// hash mixes the key with a per-table seed. Neighbouring addresses differ
// only in their last bits, so every input bit must reach the low bits that
// pick the shard: two rounds of the MurmurHash3 finaliser do that.
func (k ipKey) hash(s0, s1 uint64) uint64 {
	h := fmix64(k.hi ^ s0)
	return fmix64(h ^ k.lo ^ uint64(k.bits)<<56 ^ s1)
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb93e53fe1a85
	h ^= h >> 33
	return h
}
