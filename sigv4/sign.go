package sigv4

import (
	"encoding/hex"
	"errors"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// unsignedHeaders are never signed by Sign: they are rewritten by proxies
// and transports, or (Authorization) carry the signature itself. Content-Length
// is left to the transport, which derives it from the body.
var unsignedHeaders = map[string]bool{
	"authorization":       true,
	"connection":          true,
	"content-length":      true,
	"expect":              true,
	"keep-alive":          true,
	"proxy-authenticate":  true,
	"proxy-authorization": true,
	"te":                  true,
	"trailer":             true,
	"transfer-encoding":   true,
	"upgrade":             true,
	"user-agent":          true,
	"x-amzn-trace-id":     true,
}

// Sign is a small client-side signer used by OpenSTS's own tools and tests:
// it signs r in header form, in place, with the given credentials at time t.
// body is the request body (the caller sets r.Body). It sets X-Amz-Date,
// X-Amz-Security-Token (when sessionToken is not empty) and Authorization,
// and signs host and every header present except hop-by-hop ones,
// User-Agent, Content-Length and X-Amzn-Trace-Id. If r has an
// X-Amz-Content-SHA256 header, that value is the payload hash, as for
// verification.
func Sign(r *http.Request, body []byte, accessKeyID, secret, sessionToken, region, service string, t time.Time) error {
	switch {
	case r == nil || r.URL == nil:
		return errors.New("sigv4: sign: nil request")
	case accessKeyID == "" || strings.ContainsAny(accessKeyID, "/ ,="):
		return errors.New("sigv4: sign: invalid access key id")
	case !validRegion(region):
		return errors.New("sigv4: sign: invalid region")
	case !validRegion(service):
		return errors.New("sigv4: sign: invalid service")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	// Merge keys set in non-canonical case: the server sees one header.
	for k, v := range r.Header {
		if ck := textproto.CanonicalMIMEHeaderKey(k); ck != k {
			delete(r.Header, k)
			r.Header[ck] = append(r.Header[ck], v...)
		}
	}
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	if sessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", sessionToken)
	} else {
		r.Header.Del("X-Amz-Security-Token")
	}

	signed := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); !unsignedHeaders[lk] && lk != "host" {
			signed = append(signed, lk)
		}
	}
	slices.Sort(signed)
	signed = slices.Compact(signed)
	if len(signed) > maxSignedHeaders {
		return errors.New("sigv4: sign: more than 64 headers to sign")
	}
	signedRaw := strings.Join(signed, ";")

	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return errors.New("sigv4: sign: malformed query string")
	}
	payload := []byte(r.Header.Get(contentSHA256))
	if len(payload) == 0 {
		h := hexSHA256(body)
		payload = h[:]
	}
	canonical, err := appendCanonicalRequest(nil, canonicalInput{
		r:           r,
		query:       query,
		signed:      signed,
		signedRaw:   signedRaw,
		payloadHash: payload,
	})
	if err != nil {
		return errors.New("sigv4: sign: a header value exceeds 8192 bytes")
	}
	date := amzDate[:len(dateFormat)]
	scope := string(appendScope(nil, date, region, service, Terminator))
	sts := appendStringToSign(nil, amzDate, date, region, service, Terminator, canonical)
	key := deriveKey(secret, date, region, service)
	mac := hmacSHA256(key[:], sts)
	r.Header.Set("Authorization", Algorithm+" Credential="+accessKeyID+"/"+scope+
		", SignedHeaders="+signedRaw+", Signature="+hex.EncodeToString(mac[:]))
	return nil
}
