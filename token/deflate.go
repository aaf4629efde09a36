package token

import "math/bits"

// fixedDeflater compresses into one DEFLATE block with the fixed Huffman
// codes of RFC 1951 section 3.2.6, after greedy LZ77 matching over a hash
// chain. It skips what makes a general DEFLATE writer expensive on a
// session policy of a few hundred bytes (building and sending Huffman
// tables for every block, resetting a large window), at the cost of
// somewhat larger output on text with few repeats; every DEFLATE reader
// inflates it, so tokens packed this way open on every release. Not safe
// for concurrent use; the zero value is ready.
type fixedDeflater struct {
	head [1 << chainHashBits]int32 // position+1 of the newest 4-byte sequence with this hash
	prev []int32                   // position+1 of the previous one, per position
	out  []byte
	acc  uint64 // bits not yet in out, least significant first
	n    uint   // how many
}

const (
	chainHashBits = 12
	maxChain      = 16    // candidates tried per position
	minMatch      = 4     // shorter repeats are sent as literals
	maxMatch      = 258   // DEFLATE's longest match
	maxDistance   = 32768 // DEFLATE's window
)

// deflate appends to dst the DEFLATE stream of src and returns it.
func (d *fixedDeflater) deflate(dst, src []byte) []byte {
	clear(d.head[:])
	if cap(d.prev) < len(src) {
		d.prev = make([]int32, len(src))
	}
	prev := d.prev[:len(src)]
	d.out, d.acc, d.n = dst, 0, 0
	d.bits(0b011, 3) // BFINAL = 1, BTYPE = 01 (fixed codes)
	insert := func(p int) {
		if p+minMatch <= len(src) {
			h := hash4(src[p:])
			prev[p] = d.head[h]
			d.head[h] = int32(p + 1)
		}
	}
	for i := 0; i < len(src); {
		length, distance := 0, 0
		if i+minMatch <= len(src) {
			limit := min(maxMatch, len(src)-i)
			cand := int(d.head[hash4(src[i:])]) - 1
			for tries := 0; cand >= 0 && tries < maxChain && i-cand <= maxDistance; tries++ {
				n := 0
				for n < limit && src[cand+n] == src[i+n] {
					n++
				}
				if n > length {
					length, distance = n, i-cand
					if n == limit {
						break
					}
				}
				cand = int(prev[cand]) - 1
			}
		}
		if length < minMatch {
			d.literal(src[i])
			insert(i)
			i++
			continue
		}
		d.match(length, distance)
		for end := i + length; i < end; i++ {
			insert(i)
		}
	}
	d.symbol(256) // end of block
	if d.n > 0 {
		d.out = append(d.out, byte(d.acc))
	}
	out := d.out
	d.out = nil
	return out
}

func hash4(b []byte) uint32 {
	v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	return (v * 2654435761) >> (32 - chainHashBits)
}

// bits writes the low n bits of v, least significant first.
func (d *fixedDeflater) bits(v uint64, n uint) {
	d.acc |= v << d.n
	d.n += n
	for d.n >= 8 {
		d.out = append(d.out, byte(d.acc))
		d.acc >>= 8
		d.n -= 8
	}
}

// code writes an n-bit Huffman code, most significant bit first.
func (d *fixedDeflater) code(c uint32, n uint) {
	d.bits(uint64(bits.Reverse32(c)>>(32-n)), n)
}

func (d *fixedDeflater) literal(b byte) {
	if b < 144 {
		d.code(0b00110000+uint32(b), 8)
	} else {
		d.code(0b110010000+uint32(b)-144, 9)
	}
}

// symbol writes a length symbol or end of block (256 to 285).
func (d *fixedDeflater) symbol(s int) {
	if s < 280 {
		d.code(uint32(s-256), 7)
	} else {
		d.code(0b11000000+uint32(s-280), 8)
	}
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// match writes a <length, distance> pair.
func (d *fixedDeflater) match(length, distance int) {
	i := len(lengthBase) - 1
	if length < maxMatch {
		i-- // 258 has its own code; 227 to 257 are code 284
		for int(lengthBase[i]) > length {
			i--
		}
	}
	d.symbol(257 + i)
	d.bits(uint64(length-int(lengthBase[i])), uint(lengthExtra[i]))
	j := len(distBase) - 1
	for int(distBase[j]) > distance {
		j--
	}
	d.code(uint32(j), 5)
	d.bits(uint64(distance-int(distBase[j])), uint(distExtra[j]))
}
