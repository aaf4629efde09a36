package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendRecord renders r as one JSON object exactly as encoding/json does
// with HTML escaping off (field order of Record, map keys sorted, the same
// string escapes), without reflection: every audited request pays for it.
// Values the scrubber produced are plain JSON values; anything else falls
// back to encoding/json.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"eventVersion":`...)
	b = appendString(b, r.EventVersion)
	b = append(b, `,"userIdentity":{"type":`...)
	b = appendString(b, r.UserIdentity.Type)
	b = append(b, `,"principalId":`...)
	b = appendString(b, r.UserIdentity.PrincipalID)
	b = append(b, `,"arn":`...)
	b = appendString(b, r.UserIdentity.ARN)
	b = append(b, `,"accountId":`...)
	b = appendString(b, r.UserIdentity.AccountID)
	b = append(b, `,"accessKeyId":`...)
	b = appendString(b, r.UserIdentity.AccessKeyID)
	if r.UserIdentity.UserName != "" {
		b = append(b, `,"userName":`...)
		b = appendString(b, r.UserIdentity.UserName)
	}
	if r.UserIdentity.IdentityProvider != "" {
		b = append(b, `,"identityProvider":`...)
		b = appendString(b, r.UserIdentity.IdentityProvider)
	}
	b = append(b, `},"eventTime":"`...)
	b = r.EventTime.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","eventSource":`...)
	b = appendString(b, r.EventSource)
	b = append(b, `,"eventName":`...)
	b = appendString(b, r.EventName)
	b = append(b, `,"awsRegion":`...)
	b = appendString(b, r.AWSRegion)
	b = append(b, `,"sourceIPAddress":`...)
	b = appendString(b, r.SourceIPAddress)
	b = append(b, `,"userAgent":`...)
	b = appendString(b, r.UserAgent)
	if r.ErrorCode != "" {
		b = append(b, `,"errorCode":`...)
		b = appendString(b, r.ErrorCode)
	}
	if r.ErrorMessage != "" {
		b = append(b, `,"errorMessage":`...)
		b = appendString(b, r.ErrorMessage)
	}
	b = append(b, `,"requestParameters":`...)
	b = appendObject(b, r.RequestParameters)
	b = append(b, `,"responseElements":`...)
	b = appendObject(b, r.ResponseElements)
	b = append(b, `,"requestID":`...)
	b = appendString(b, r.RequestID)
	b = append(b, `,"eventID":`...)
	b = appendString(b, r.EventID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, r.ReadOnly)
	b = append(b, `,"eventType":`...)
	b = appendString(b, r.EventType)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, r.ManagementEvent)
	b = append(b, `,"recipientAccountId":`...)
	b = appendString(b, r.RecipientAccountID)
	b = append(b, `,"eventCategory":`...)
	b = appendString(b, r.EventCategory)
	return append(b, "}\n"...)
}

func appendObject(b []byte, m map[string]any) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var small [16]string // most objects: no allocation for their keys
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case map[string]any:
		return appendObject(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case []string:
		if x == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']')
	}
	// json.Number, other numbers and anything unusual: encoding/json.
	enc, err := json.Marshal(v)
	if err != nil {
		return appendString(b, "(unencodable)")
	}
	return append(b, enc...)
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping off:
// quotes, backslashes and control characters escaped, invalid UTF-8 as
// U+FFFD, and U+2028/U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
