package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// Input bounds. Every loop over client input is bounded by one of these, so a
// hostile request costs at most a few hundred kilobytes of work.
const (
	maxAuthHeader    = 8 << 10   // bytes of the Authorization header
	maxHeaderValue   = 8 << 10   // bytes of one signed header's values, joined
	maxSignedHeaders = 64        // names in SignedHeaders
	maxQueryBytes    = 256 << 10 // bytes of the raw query string
	maxQueryParams   = 1000      // parameters in the query string
	maxExpires       = 604800    // X-Amz-Expires, seconds (one week)
)

const (
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	contentSHA256   = "X-Amz-Content-Sha256" // canonical form of X-Amz-Content-SHA256
)

// param is one query parameter: its decoded key and value (what the API sees)
// and their RFC 3986 encodings (what the canonical query string holds).
type param struct {
	key, value   string
	ekey, evalue string
}

// parseQuery splits a raw query string the way net/url does ("&"-separated,
// "+" is a space, "key" alone has an empty value), keeping every occurrence in
// order. Unlike net/url it refuses malformed escapes instead of dropping the
// pair, so a parameter the API layer would not see can never be signed
// silently, and vice versa.
func parseQuery(raw string) ([]param, error) {
	if raw == "" {
		return nil, nil
	}
	if len(raw) > maxQueryBytes {
		return nil, incomplete(msgQueryTooLong)
	}
	n := strings.Count(raw, "&") + 1
	if n > maxQueryParams {
		return nil, incomplete(msgQueryTooLong)
	}
	ps := make([]param, 0, n)
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		key, err := unescapeQuery(k)
		if err != nil {
			return nil, err
		}
		value, err := unescapeQuery(v)
		if err != nil {
			return nil, err
		}
		ps = append(ps, param{key: key, value: value, ekey: encode(key, false), evalue: encode(value, false)})
	}
	return ps, nil
}

// first returns the decoded value of the first parameter named key.
func first(ps []param, key string) (string, bool) {
	for i := range ps {
		if ps[i].key == key {
			return ps[i].value, true
		}
	}
	return "", false
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeQuery decodes %XX escapes and "+" (a space), as
// url.QueryUnescape does. It returns s itself when there is nothing to decode.
func unescapeQuery(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", incomplete(msgQueryBadEscape(s[i:]))
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", incomplete(msgQueryBadEscape(s[i : i+3]))
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

const upperhex = "0123456789ABCDEF"

// encode percent-encodes every byte outside the RFC 3986 unreserved set (and
// "/" when keepSlash), with upper-case hex. It returns s itself when nothing
// needs encoding.
func encode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	return string(appendEncoded(b, s, keepSlash))
}

func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
	}
	return dst
}

// appendCanonicalURI appends the canonical URI of an escaped request path:
// dot segments and empty segments removed (RFC 3986 §5.2.4, plus the
// collapsing of "//" AWS services require), then every byte outside the
// unreserved set and "/" percent-encoded. The path is the escaped form the
// client sent, so an escape such as "%20" is encoded again ("%2520"), as
// every AWS SDK does for services other than S3.
func appendCanonicalURI(dst []byte, path string) []byte {
	if path == "" {
		return append(dst, '/')
	}
	if path[0] == '/' && !strings.Contains(path, "//") && !strings.Contains(path, "/.") {
		return appendEncoded(dst, path, true) // already normal: the common case
	}
	var segs []string
	rest := path
	for rest != "" {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	start := len(dst)
	if path[0] == '/' {
		dst = append(dst, '/')
	}
	for i, seg := range segs {
		if i > 0 {
			dst = append(dst, '/')
		}
		dst = appendEncoded(dst, seg, false)
	}
	if path[len(path)-1] == '/' && len(segs) > 0 {
		dst = append(dst, '/')
	}
	if len(dst) == start {
		dst = append(dst, '/')
	}
	return dst
}

// appendCanonicalQuery appends the parameters sorted by encoded key, then
// encoded value, as "k=v" joined with "&". With presigned set, every
// X-Amz-Signature parameter is left out. ps is sorted in place.
func appendCanonicalQuery(dst []byte, ps []param, presigned bool) []byte {
	slices.SortFunc(ps, func(a, b param) int {
		if c := strings.Compare(a.ekey, b.ekey); c != 0 {
			return c
		}
		return strings.Compare(a.evalue, b.evalue)
	})
	sep := false
	for i := range ps {
		if presigned && ps[i].key == "X-Amz-Signature" {
			continue
		}
		if sep {
			dst = append(dst, '&')
		}
		sep = true
		dst = append(dst, ps[i].ekey...)
		dst = append(dst, '=')
		dst = append(dst, ps[i].evalue...)
	}
	return dst
}

// headerValues returns the values of the header named name (any case), the
// way the server received them. Go's server stores every header under its
// canonical key (textproto.CanonicalMIMEHeaderKey) unless the name holds a
// byte outside the token set, in which case it is stored as received; a
// lookup is therefore one or two map accesses, never a scan of the headers,
// whose number the client controls. Client-side requests must likewise use
// canonical keys (Header.Set and Header.Add do).
func headerValues(h http.Header, name string) []string {
	if !isToken(name) {
		return h[name]
	}
	var buf [64]byte
	if len(name) > len(buf) {
		return h[textproto.CanonicalMIMEHeaderKey(name)]
	}
	k := buf[:len(name)]
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		k[i] = c
		upper = c == '-'
	}
	return h[string(k)]
}

// isToken reports whether name is a non-empty RFC 7230 token, the names
// textproto canonicalises.
func isToken(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// appendHeaderValue appends v with leading and trailing whitespace removed and
// each run of spaces inside collapsed to one, as the SDK signers do.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// appendCanonicalHeaders appends "name:value\n" for each signed header, in
// the order the request lists them. host comes from r.Host (Go moves it out
// of r.Header); content-length from the header if present, else from
// r.ContentLength.
//
// values, when not nil, holds the header values already looked up for each
// signed name (host aside).
func appendCanonicalHeaders(dst []byte, r *http.Request, signed []string, values [][]string) ([]byte, error) {
	for idx, name := range signed {
		start := len(dst)
		for i := 0; i < len(name); i++ {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		dst = append(dst, ':')
		valueStart := len(dst)
		switch {
		case strings.EqualFold(name, "host") || name == ":authority":
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			dst = appendHeaderValue(dst, host)
		default:
			var vals []string
			if values != nil {
				vals = values[idx]
			} else {
				vals = headerValues(r.Header, name)
			}
			if vals == nil && strings.EqualFold(name, "content-length") && r.ContentLength >= 0 {
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
				break
			}
			size := 0
			for _, v := range vals {
				size += len(v) + 1
			}
			if size > maxHeaderValue+1 {
				return dst[:start], incomplete(msgHeaderTooLong(encode(name, false)))
			}
			for i, v := range vals {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendHeaderValue(dst, v)
			}
		}
		if len(dst)-valueStart > maxHeaderValue {
			return dst[:start], incomplete(msgHeaderTooLong(encode(name, false)))
		}
		dst = append(dst, '\n')
	}
	return dst, nil
}

// hexSHA256 returns the lower-case hex SHA-256 of b.
func hexSHA256(b []byte) [64]byte {
	sum := sha256.Sum256(b)
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return out
}

// canonicalInput is everything the canonical request is built from.
type canonicalInput struct {
	r           *http.Request
	query       []param // sorted in place
	presigned   bool
	signed      []string
	values      [][]string // optional: looked-up values of signed, by index
	signedRaw   string     // SignedHeaders as the request states it
	payloadHash []byte
}

// appendCanonicalRequest appends
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//
// (shared/spec/sts-spec.md §5.2).
func appendCanonicalRequest(dst []byte, in canonicalInput) ([]byte, error) {
	method := in.r.Method
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')
	path := ""
	if in.r.URL != nil {
		path = in.r.URL.EscapedPath()
	}
	dst = appendCanonicalURI(dst, path)
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, in.query, in.presigned)
	dst = append(dst, '\n')
	dst, err := appendCanonicalHeaders(dst, in.r, in.signed, in.values)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '\n')
	dst = append(dst, in.signedRaw...)
	dst = append(dst, '\n')
	dst = append(dst, in.payloadHash...)
	return dst, nil
}

// appendStringToSign appends
//
//	AWS4-HMAC-SHA256 \n <amzDate> \n <date>/<region>/<service>/<terminator> \n hex(SHA256(canonical))
func appendStringToSign(dst []byte, amzDate, date, region, service, terminator string, canonical []byte) []byte {
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, amzDate...)
	dst = append(dst, '\n')
	dst = appendScope(dst, date, region, service, terminator)
	dst = append(dst, '\n')
	h := hexSHA256(canonical)
	return append(dst, h[:]...)
}

func appendScope(dst []byte, date, region, service, terminator string) []byte {
	dst = append(dst, date...)
	dst = append(dst, '/')
	dst = append(dst, region...)
	dst = append(dst, '/')
	dst = append(dst, service...)
	dst = append(dst, '/')
	return append(dst, terminator...)
}
