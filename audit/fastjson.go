package audit

import (
	"strconv"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/jsonw"
)

// appendRecord renders r as one JSON object exactly as encoding/json does
// with HTML escaping off (field order of Record, map keys sorted, the same
// string escapes), without reflection: every audited request pays for it.
// Values the scrubber produced are plain JSON values; anything else falls
// back to encoding/json.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"eventVersion":`...)
	b = jsonw.AppendString(b, r.EventVersion)
	b = append(b, `,"userIdentity":{"type":`...)
	b = jsonw.AppendString(b, r.UserIdentity.Type)
	b = append(b, `,"principalId":`...)
	b = jsonw.AppendString(b, r.UserIdentity.PrincipalID)
	b = append(b, `,"arn":`...)
	b = jsonw.AppendString(b, r.UserIdentity.ARN)
	b = append(b, `,"accountId":`...)
	b = jsonw.AppendString(b, r.UserIdentity.AccountID)
	b = append(b, `,"accessKeyId":`...)
	b = jsonw.AppendString(b, r.UserIdentity.AccessKeyID)
	if r.UserIdentity.UserName != "" {
		b = append(b, `,"userName":`...)
		b = jsonw.AppendString(b, r.UserIdentity.UserName)
	}
	if r.UserIdentity.IdentityProvider != "" {
		b = append(b, `,"identityProvider":`...)
		b = jsonw.AppendString(b, r.UserIdentity.IdentityProvider)
	}
	b = append(b, `},"eventTime":"`...)
	b = r.EventTime.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","eventSource":`...)
	b = jsonw.AppendString(b, r.EventSource)
	b = append(b, `,"eventName":`...)
	b = jsonw.AppendString(b, r.EventName)
	b = append(b, `,"awsRegion":`...)
	b = jsonw.AppendString(b, r.AWSRegion)
	b = append(b, `,"sourceIPAddress":`...)
	b = jsonw.AppendString(b, r.SourceIPAddress)
	b = append(b, `,"userAgent":`...)
	b = jsonw.AppendString(b, r.UserAgent)
	if r.ErrorCode != "" {
		b = append(b, `,"errorCode":`...)
		b = jsonw.AppendString(b, r.ErrorCode)
	}
	if r.ErrorMessage != "" {
		b = append(b, `,"errorMessage":`...)
		b = jsonw.AppendString(b, r.ErrorMessage)
	}
	b = append(b, `,"requestParameters":`...)
	b = r.appendPayload(b, r.requestObject, r.RequestParameters)
	b = append(b, `,"responseElements":`...)
	b = r.appendPayload(b, r.responseObject, r.ResponseElements)
	b = append(b, `,"requestID":`...)
	b = jsonw.AppendString(b, r.RequestID)
	b = append(b, `,"eventID":`...)
	if r.EventID == "" && r.newID != [36]byte{} {
		b = append(append(append(b, '"'), r.newID[:]...), '"')
	} else {
		b = jsonw.AppendString(b, r.EventID)
	}
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, r.ReadOnly)
	b = append(b, `,"eventType":`...)
	b = jsonw.AppendString(b, r.EventType)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, r.ManagementEvent)
	b = append(b, `,"recipientAccountId":`...)
	b = jsonw.AppendString(b, r.RecipientAccountID)
	b = append(b, `,"eventCategory":`...)
	b = jsonw.AppendString(b, r.EventCategory)
	return append(b, "}\n"...)
}

// appendPayload writes a request's parameters or response elements: the
// payload object when there is one, asked to leave out secret-named
// members (those it did leave out are noted for a warning), else the
// already scrubbed map.
func (r *Record) appendPayload(b []byte, obj opensts.AuditObject, m map[string]any) []byte {
	if obj == nil {
		return jsonw.AppendObject(b, m)
	}
	b, dropped := obj.AppendJSON(b, isSecretKey)
	if dropped != "" {
		r.dropped = append(r.dropped, dropped)
	}
	return b
}
