package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
)

const (
	// Algorithm is the only signing algorithm OpenSTS accepts.
	Algorithm = "AWS4-HMAC-SHA256"
	// Terminator ends every credential scope.
	Terminator = "aws4_request"
	// MaxSkew is how far the request time may be from the server's clock,
	// for both forms (shared/spec/sts-spec.md §5.5, §5.7).
	MaxSkew = 15 * time.Minute

	amzDateFormat = "20060102T150405Z"
	dateFormat    = "20060102"
)

// Request is the SigV4 authentication of one HTTP request, as Parse found it,
// together with the canonical request and string to sign computed from it.
type Request struct {
	AccessKeyID   string
	Date          string    // yyyymmdd from the credential scope
	Region        string    // from the credential scope; any syntactically valid region
	Service       string    // from the credential scope; see CheckService
	Time          time.Time // X-Amz-Date (or Date header), UTC
	SignedHeaders []string  // as listed by the request, in its order
	SecurityToken string    // X-Amz-Security-Token header or query value, "" if none
	Presigned     bool      // query-string authentication

	// Expires is X-Amz-Expires of a presigned request (0 if absent). Like AWS
	// STS, OpenSTS does not enforce it: a presigned request is valid within
	// MaxSkew of Time (shared/spec/sts-spec.md §5.7).
	Expires time.Duration

	terminator   string
	amzDate      string // request time as the string to sign holds it
	signature    [32]byte
	signatureOK  bool // the signature was 64 lower-case hex digits
	payloadOK    bool // X-Amz-Content-SHA256, when given, matches the body
	canonical    []byte
	stringToSign []byte
	signedBuf    [8]string // backs SignedHeaders for the usual short lists
}

// CanonicalRequest returns the canonical request computed from the request,
// for debug logging on SignatureDoesNotMatch. It contains no secret.
func (r *Request) CanonicalRequest() string { return string(r.canonical) }

// StringToSign returns the string to sign computed from the request, for
// debug logging. It contains no secret.
func (r *Request) StringToSign() string { return string(r.stringToSign) }

// Parse extracts and syntax-checks the SigV4 signature of r, header form
// (Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...) or presigned query form (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature, optional
// X-Amz-Security-Token), and computes the canonical request and string to
// sign. body is the complete request body, already read by the caller; the
// payload hash is its SHA-256, unless the request states X-Amz-Content-SHA256
// (then Verify also checks that value against body).
//
// Errors, in AWS's order: ErrMissingAuthentication; *IncompleteError
// (missing or malformed components, bad date, unsupported algorithm,
// credential not of five parts); *MismatchError when host is not signed.
// Parse does not fail on credential-scope problems (region syntax,
// terminator, scope date): AWS reports them after the time check, combined
// with the service check, so CheckService reports them; Verify refuses such a
// request too.
func Parse(r *http.Request, body []byte) (*Request, error) {
	if r == nil || r.URL == nil {
		return nil, errors.New("sigv4: parse: nil request")
	}
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	auth := ""
	if v := r.Header["Authorization"]; len(v) > 0 {
		auth = strings.TrimSpace(v[0])
	}
	_, hasAlg := first(query, "X-Amz-Algorithm")
	_, hasCred := first(query, "X-Amz-Credential")
	switch {
	case auth != "" && (hasAlg || hasCred):
		return nil, incomplete(msgFoundBoth)
	case hasAlg || hasCred:
		return parsePresigned(r, body, query)
	case auth == "" || !strings.HasPrefix(auth, "AWS4-"):
		return nil, ErrMissingAuthentication
	}
	return parseHeader(r, body, query, auth)
}

func isSep(c byte) bool { return c == ' ' || c == ',' || c == '\t' }

func parseHeader(r *http.Request, body []byte, query []param, auth string) (*Request, error) {
	if len(auth) > maxAuthHeader {
		return nil, incomplete(msgAuthTooLong)
	}
	// The algorithm, then components separated by "," and/or whitespace.
	i := 0
	for i < len(auth) && !isSep(auth[i]) {
		i++
	}
	alg := auth[:i]
	var cred, signedRaw, sig string
	var haveCred, haveSigned, haveSig bool
	for i < len(auth) {
		for i < len(auth) && isSep(auth[i]) {
			i++
		}
		j := i
		for j < len(auth) && !isSep(auth[j]) {
			j++
		}
		tok := auth[i:j]
		i = j
		if tok == "" {
			continue
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, missingEqual(tok, auth)
		}
		switch k {
		case "Credential":
			if !haveCred {
				cred, haveCred = v, true
			}
		case "SignedHeaders":
			if !haveSigned {
				signedRaw, haveSigned = v, true
			}
		case "Signature":
			if !haveSig {
				sig, haveSig = v, true
			}
		}
	}
	xAmzDate := firstHeader(r.Header, "X-Amz-Date")
	httpDate := firstHeader(r.Header, "Date")
	var msg string
	if cred == "" {
		msg += msgRequiresParam("Credential")
	}
	if sig == "" {
		msg += msgRequiresParam("Signature")
	}
	if !haveSigned {
		msg += msgRequiresParam("SignedHeaders")
	}
	if xAmzDate == "" && httpDate == "" {
		msg += msgRequiresDate
	}
	if msg != "" {
		return nil, missingParams(msg, auth)
	}

	req := &Request{SecurityToken: firstHeader(r.Header, "X-Amz-Security-Token")}
	if xAmzDate != "" {
		var ok bool
		if req.Time, ok = parseAmzDate(xAmzDate); !ok {
			return nil, incomplete(msgBadDate(xAmzDate))
		}
	} else {
		var ok bool
		if req.Time, ok = parseHTTPDate(httpDate); !ok {
			return nil, incomplete(msgBadDate(httpDate))
		}
	}
	req.Time = req.Time.UTC()
	req.amzDate = xAmzDate
	if xAmzDate == "" {
		req.amzDate = req.Time.Format(amzDateFormat)
	}
	if err := req.parseCommon(alg, cred, signedRaw, sig); err != nil {
		return nil, err
	}
	payload, ok := r.Header[contentSHA256]
	if err := req.finish(r, body, query, signedRaw, payload, ok); err != nil {
		return nil, err
	}
	return req, nil
}

func parsePresigned(r *http.Request, body []byte, query []param) (*Request, error) {
	alg, _ := first(query, "X-Amz-Algorithm")
	cred, _ := first(query, "X-Amz-Credential")
	sig, _ := first(query, "X-Amz-Signature")
	signedRaw, _ := first(query, "X-Amz-SignedHeaders")
	amzDate, _ := first(query, "X-Amz-Date")
	var msg string
	for _, p := range [...]struct{ name, value string }{
		{"X-Amz-Algorithm", alg},
		{"X-Amz-Credential", cred},
		{"X-Amz-Signature", sig},
		{"X-Amz-SignedHeaders", signedRaw},
		{"X-Amz-Date", amzDate},
	} {
		if p.value == "" {
			msg += msgQueryMustHave(p.name)
		}
	}
	if msg != "" {
		return nil, incomplete(msg + msgQueryReexamine)
	}
	for _, v := range [...]string{alg, cred, sig, signedRaw, amzDate} {
		if len(v) > maxAuthHeader {
			return nil, incomplete(msgAuthTooLong)
		}
	}
	req := &Request{Presigned: true}
	req.SecurityToken, _ = first(query, "X-Amz-Security-Token")
	t, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, incomplete(msgBadDate(amzDate))
	}
	req.Time, req.amzDate = t, amzDate
	if err := req.parseCommon(alg, cred, signedRaw, sig); err != nil {
		return nil, err
	}
	if v, ok := first(query, "X-Amz-Expires"); ok {
		n, err := parseExpires(v)
		if err != nil {
			return nil, err
		}
		req.Expires = time.Duration(n) * time.Second
	}
	// The payload hash: X-Amz-Content-SHA256 from the query, else from the
	// header (as botocore signs it), else the body's.
	var declared []string
	if v, ok := first(query, "X-Amz-Content-Sha256"); ok {
		declared = []string{v}
	} else if v, ok := first(query, "X-Amz-Content-SHA256"); ok {
		declared = []string{v}
	} else if v, ok := r.Header[contentSHA256]; ok {
		declared = v
	}
	if err := req.finish(r, body, query, signedRaw, declared, declared != nil); err != nil {
		return nil, err
	}
	return req, nil
}

// parseAmzDate parses exactly yyyymmddThhmmssZ (ISO 8601 basic format, UTC).
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateFormat) || s[8] != 'T' || s[15] != 'Z' || !allDigits(s[:8]) || !allDigits(s[9:15]) {
		return time.Time{}, false
	}
	t, err := time.Parse(amzDateFormat, s)
	return t, err == nil
}

// parseExpires accepts a decimal number of seconds from 0 to one week.
func parseExpires(v string) (int, error) {
	s := v
	if strings.HasPrefix(s, "-") {
		s = s[1:]
		if s != "" && allDigits(s) {
			return 0, incomplete(msgExpiresNegative)
		}
		return 0, incomplete(msgExpiresNotInt)
	}
	s = strings.TrimPrefix(s, "+")
	if s == "" || !allDigits(s) {
		return 0, incomplete(msgExpiresNotInt)
	}
	s = strings.TrimLeft(s, "0")
	if len(s) > 6 {
		return 0, incomplete(msgExpiresTooLarge)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	if n > maxExpires {
		return 0, incomplete(msgExpiresTooLarge)
	}
	return n, nil
}

// parseHTTPDate parses a Date header: the formats of http.ParseTime, or RFC
// 1123 with a numeric zone, which botocore sends ("... 03:04:05 -0000").
func parseHTTPDate(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC1123Z, s)
	return t, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func firstHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseCommon checks, in AWS's order, that host is signed, the algorithm and
// the credential's shape, and records the signature.
func (req *Request) parseCommon(alg, cred, signedRaw, sig string) error {
	n := strings.Count(signedRaw, ";") + 1
	if n > maxSignedHeaders {
		return incomplete(msgTooManySigned)
	}
	req.SignedHeaders = req.signedBuf[:0]
	if n > len(req.signedBuf) {
		req.SignedHeaders = make([]string, 0, n)
	}
	hostSigned := false
	for rest := signedRaw; ; {
		name, more, found := strings.Cut(rest, ";")
		req.SignedHeaders = append(req.SignedHeaders, name)
		if strings.EqualFold(name, "host") || name == ":authority" {
			hostSigned = true
		}
		if !found {
			break
		}
		rest = more
	}
	if !hostSigned {
		return mismatch(msgHostUnsigned)
	}
	if alg != Algorithm {
		return incomplete(msgBadAlgorithm(alg))
	}
	// AWS ignores trailing slashes of the credential.
	parts := strings.TrimRight(cred, "/")
	var elems [5]string
	k := 0
	for rest := parts; k < len(elems); k++ {
		e, more, found := strings.Cut(rest, "/")
		elems[k] = e
		rest = more
		if !found {
			if k != len(elems)-1 {
				return incomplete(msgBadCredential(cred))
			}
			break
		}
		if k == len(elems)-1 {
			return incomplete(msgBadCredential(cred))
		}
	}
	req.AccessKeyID, req.Date, req.Region, req.Service, req.terminator = elems[0], elems[1], elems[2], elems[3], elems[4]
	if len(sig) == 2*len(req.signature) && isLowerHex(sig) {
		_, err := hex.Decode(req.signature[:], []byte(sig))
		req.signatureOK = err == nil
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// finish computes the payload hash, the canonical request and the string to
// sign.
func (req *Request) finish(r *http.Request, body []byte, query []param, signedRaw string, declared []string, hasDeclared bool) error {
	bodyHash := hexSHA256(body)
	payload := bodyHash[:]
	req.payloadOK = true
	if hasDeclared {
		d := ""
		if len(declared) > 0 {
			d = declared[0]
		}
		if len(d) > maxHeaderValue {
			return incomplete(msgHeaderTooLong("x-amz-content-sha256"))
		}
		req.payloadOK = payloadMatches(d, body, bodyHash)
		payload = []byte(d)
	}
	// Look each signed header up once, to size the buffer and to build.
	var valuesBuf [maxSignedHeaders][]string
	values := valuesBuf[:len(req.SignedHeaders)]
	size := 256 + len(r.Method) + len(r.Host) + len(r.URL.RawPath) + 3*len(r.URL.Path) + 3*len(r.URL.RawQuery) + 2*len(signedRaw) + len(payload)
	for i, name := range req.SignedHeaders {
		if strings.EqualFold(name, "host") || name == ":authority" {
			continue // from r.Host
		}
		values[i] = headerValues(r.Header, name)
		for _, v := range values[i] {
			size += len(v) + 1
		}
	}
	size = min(size, 1<<20)
	stsSize := len(Algorithm) + len(req.amzDate) + len(req.Date) + len(req.Region) + len(req.Service) + len(req.terminator) + 64 + 6
	// One buffer: the canonical request, then the string to sign.
	buf := make([]byte, 0, size+stsSize)
	canonical, err := appendCanonicalRequest(buf, canonicalInput{
		r:           r,
		query:       query,
		presigned:   req.Presigned,
		signed:      req.SignedHeaders,
		values:      values,
		signedRaw:   signedRaw,
		payloadHash: payload,
	})
	if err != nil {
		return err
	}
	req.canonical = canonical[:len(canonical):len(canonical)]
	rest := canonical[len(canonical):]
	if cap(rest) < stsSize {
		rest = make([]byte, 0, stsSize)
	}
	req.stringToSign = appendStringToSign(rest, req.amzDate, req.Date, req.Region, req.Service, req.terminator, req.canonical)
	return nil
}

// payloadMatches reports whether a declared X-Amz-Content-SHA256 value may be
// accepted for body: the hex SHA-256 of body (either case), or
// UNSIGNED-PAYLOAD for an empty body only. For a Query-protocol service the
// body carries the whole operation; accepting an unsigned body would let
// anyone who sees a signed request replay it with other parameters.
func payloadMatches(declared string, body []byte, bodyHash [64]byte) bool {
	if declared == unsignedPayload {
		return len(body) == 0
	}
	if len(declared) != sha256.Size*2 {
		return false
	}
	return strings.EqualFold(declared, string(bodyHash[:]))
}

// validRegion reports whether s is a plausible region name: lower-case
// letters, digits and hyphens, 1 to 64 characters. Any such region is
// accepted, as clients sign with their profile region when pointed at a
// custom endpoint (shared/spec/sts-spec.md §1.1).
func validRegion(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// scopeMessage returns AWS's combined message for the credential-scope
// problems of r, in AWS's order (region, service, terminator, date), or "".
// The service is checked only when services is not empty.
func (r *Request) scopeMessage(services []string) string {
	var msg string
	if !validRegion(r.Region) {
		if r.Region == "" {
			msg += msgBadRegion
		} else {
			msg += msgBadRegionNot(r.Region)
		}
	}
	if len(services) > 0 {
		ok := false
		for _, s := range services {
			if r.Service == s {
				ok = true
				break
			}
		}
		if !ok {
			msg += msgBadService(services[0])
		}
	}
	if r.terminator != Terminator {
		msg += msgBadTerminator(r.terminator)
	}
	if len(r.amzDate) < len(dateFormat) {
		msg += msgBadScopeDate(r.Date, "", r.amzDate)
	} else if day := r.amzDate[:len(dateFormat)]; r.Date != day {
		msg += msgBadScopeDate(r.Date, day, r.amzDate)
	}
	return msg
}

// CheckService checks the credential scope: a syntactically valid region,
// one of the allowed services, the aws4_request terminator and a scope date
// equal to the request's date. It returns a *MismatchError with AWS's
// combined message naming the first allowed service, or nil. With no allowed
// services the service is not checked.
func (r *Request) CheckService(allowed ...string) error {
	if msg := r.scopeMessage(allowed); msg != "" {
		return mismatch(msg)
	}
	return nil
}

// CheckTime enforces the request-time window at server time now: the request
// time must be within MaxSkew (15 minutes) of now, inclusive, compared to the
// second. This holds for presigned requests too, whatever X-Amz-Expires says:
// AWS STS treats a presigned URL as valid for 15 minutes after X-Amz-Date
// (shared/spec/sts-spec.md §5.7), and EKS tokens rely on it.
func (r *Request) CheckTime(now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	if early := now.Add(-MaxSkew); r.Time.Before(early) {
		return mismatch(msgExpired(r.Time.Format(amzDateFormat), early.Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	if late := now.Add(MaxSkew); r.Time.After(late) {
		return mismatch(msgNotYetCurrent(r.Time.Format(amzDateFormat), late.Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	return nil
}
