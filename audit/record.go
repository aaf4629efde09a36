package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/opensts/opensts"
)

// Record is one line of the audit trail: a CloudTrail record (event version
// 1.08) with CloudTrail's field names and order. Record is both what Log
// writes and what Scan decodes, so marshalling a scanned Record reproduces
// its line.
type Record struct {
	EventVersion    string       `json:"eventVersion"`
	UserIdentity    UserIdentity `json:"userIdentity"`
	EventTime       time.Time    `json:"eventTime"` // whole seconds, UTC: "2006-01-02T15:04:05Z"
	EventSource     string       `json:"eventSource"`
	EventName       string       `json:"eventName"`
	AWSRegion       string       `json:"awsRegion"`
	SourceIPAddress string       `json:"sourceIPAddress"`
	UserAgent       string       `json:"userAgent"`
	ErrorCode       string       `json:"errorCode,omitempty"`
	ErrorMessage    string       `json:"errorMessage,omitempty"`
	// RequestParameters and ResponseElements are JSON objects, or null when
	// the event has none. Scan decodes their numbers as json.Number.
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	EventCategory      string         `json:"eventCategory"`

	// Set by encode for appendRecord: the event id it made up when the
	// event had none, the payloads written in place of RequestParameters
	// and ResponseElements, and the secret-named members they left out.
	newID                         [36]byte
	requestObject, responseObject opensts.AuditObject
	dropped                       []string
}

// UserIdentity is CloudTrail's userIdentity element: who signed the request.
// Every field but userName is always present, empty when unknown (a request
// refused before its signer was identified).
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId"`
	UserName    string `json:"userName,omitempty"`
	// IdentityProvider names the identity provider of a WebIdentityUser.
	IdentityProvider string `json:"identityProvider,omitempty"`
}

// CloudTrail constants for the records OpenSTS writes.
const (
	eventVersion  = "1.08"
	eventType     = "AwsApiCall"
	eventCategory = "Management"
	maxDepth      = 32 // nesting beyond this is replaced, which also breaks reference cycles
)

// secretKeys are the member names, lower-cased with '_' and '-' removed, that
// are dropped from requestParameters and responseElements at any depth. The
// first eight are the STS and IAM members that carry secrets (secret access
// keys, session tokens, MFA codes, virtual MFA seeds and QR codes, console
// passwords); then their IAM and SigV4 relatives (ChangePassword,
// service-specific credentials, server certificates, X-Amz-Security-Token),
// and the identity-provider tokens federation presents.
var secretKeys = map[string]bool{
	"secretaccesskey":     true,
	"sessiontoken":        true,
	"tokencode":           true,
	"authenticationcode1": true,
	"authenticationcode2": true,
	"base32stringseed":    true,
	"qrcodepng":           true,
	"password":            true,
	"oldpassword":         true,
	"newpassword":         true,
	"servicepassword":     true,
	"privatekey":          true,
	"securitytoken":       true,
	"xamzsecuritytoken":   true,
	"webidentitytoken":    true, // AssumeRoleWithWebIdentity's JWT
	"samlassertion":       true, // AssumeRoleWithSAML's assertion
}

// isSecretKey reports whether a member named k must never be written.
func isSecretKey(k string) bool {
	if len(k) > 32 {
		return false // longer than any secret name, even with separators
	}
	var b [32]byte
	n := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b[n] = c
		n++
	}
	return secretKeys[string(b[:n])]
}

// readOnly reports CloudTrail's readOnly for an action: true for Get* and
// List* reads, false otherwise. GetSessionToken and GetFederationToken
// create credentials, so CloudTrail marks them false, and so do we.
func readOnly(name string) bool {
	switch name {
	case "GetSessionToken", "GetFederationToken":
		return false
	}
	return strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
}

// encode renders e as one JSON line ending in '\n', secrets removed. It never
// fails: values that JSON cannot represent are replaced by a description.
func (l *Log) encode(ctx context.Context, b []byte, e opensts.Event) []byte {
	t := e.Time
	if t.IsZero() || t.Year() < 1 || t.Year() > 9999 {
		t = l.now()
	}
	s := scrubber{l: l, ctx: ctx, event: e.Name}
	r := Record{
		EventVersion: eventVersion,
		UserIdentity: UserIdentity{
			Type:        e.Identity.Type,
			PrincipalID: e.Identity.PrincipalID,
			ARN:         e.Identity.ARN,
			AccountID:   e.Identity.AccountID,
			AccessKeyID: e.Identity.AccessKeyID,
			UserName:    e.Identity.UserName,

			IdentityProvider: e.Identity.IdentityProvider,
		},
		EventTime:          t.UTC().Truncate(time.Second),
		EventSource:        e.Source,
		EventName:          e.Name,
		AWSRegion:          e.Region,
		SourceIPAddress:    e.SourceIP,
		UserAgent:          e.UserAgent,
		ErrorCode:          e.ErrorCode,
		ErrorMessage:       e.ErrorMessage,
		RequestParameters:  s.object(e.RequestParameters, 0),
		ResponseElements:   s.object(e.ResponseElements, 0),
		RequestID:          e.RequestID,
		EventID:            e.EventID,
		ReadOnly:           readOnly(e.Name),
		EventType:          eventType,
		ManagementEvent:    true,
		RecipientAccountID: e.Identity.AccountID,
		EventCategory:      eventCategory,
	}
	if r.EventID == "" {
		r.newID = newEventID()
	}
	r.requestObject, r.responseObject = e.RequestObject, e.ResponseObject
	b = appendRecord(b, &r)
	for _, name := range r.dropped {
		s.dropped(name)
	}
	return b
}

// newEventID returns a random (version 4) UUID, CloudTrail's eventID form.
func newEventID() [36]byte {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return s
}

// scrubber copies requestParameters and responseElements into plain JSON
// values (maps, slices, strings, numbers, booleans), dropping secret-named
// members at any depth. The caller's maps are never modified.
type scrubber struct {
	l     *Log
	ctx   context.Context
	event string
}

func (s *scrubber) object(m map[string]any, depth int) map[string]any {
	if m == nil {
		return nil
	}
	if depth == 0 && clean(m, 0) {
		// Nothing to drop or convert: encode the caller's map as it is
		// (read only), sparing a copy on every audited request.
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if isSecretKey(k) {
			s.dropped(k)
			continue
		}
		out[k] = s.value(v, depth+1)
	}
	return out
}

func (s *scrubber) value(v any, depth int) any {
	if depth > maxDepth {
		return "(nested too deeply)"
	}
	switch x := v.(type) {
	case nil, string, bool, json.Number,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Sprint(x)
		}
		return x
	case time.Time:
		return x.UTC().Truncate(time.Second).Format(time.RFC3339)
	case map[string]any:
		return s.object(x, depth)
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if isSecretKey(k) {
				s.dropped(k)
				continue
			}
			out[k] = v
		}
		return out
	case []string:
		return x
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = s.value(v, depth+1)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = s.object(v, depth+1)
		}
		return out
	case json.RawMessage:
		return s.generic(x, depth)
	default:
		// Structs, pointers, named types: through JSON, so their JSON member
		// names are scrubbed like any others.
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprintf("(unencodable %T)", x)
		}
		return s.generic(b, depth)
	}
}

// clean reports whether v holds only plain JSON values and no secret-named
// member, so it can be encoded without scrubbing.
func clean(v any, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch x := v.(type) {
	case nil, string, bool, json.Number, int, int64:
		return true
	case map[string]any:
		for k, e := range x {
			if isSecretKey(k) || !clean(e, depth+1) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !clean(e, depth+1) {
				return false
			}
		}
		return true
	case []string:
		return true
	}
	return false
}

// generic decodes JSON text into plain values and scrubs them.
func (s *scrubber) generic(b []byte, depth int) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "(invalid JSON)"
	}
	return s.value(v, depth)
}

// dropped warns, once per action and member name, that a caller passed a
// secret-named member. The value is never logged.
func (s *scrubber) dropped(key string) {
	if _, seen := s.l.warned.LoadOrStore(s.event+"\x00"+key, true); seen {
		return
	}
	s.l.log.WarnContext(s.ctx, "audit event carried a secret-named member; dropped it (callers must not pass secrets)",
		"action", s.event, "member", key)
}
