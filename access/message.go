package access

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/policy"
)

// Encoded authorization failure messages (roles-spec §5): a denial's
// details, sealed so that only OpenSTS can read them, for the caller to
// hand to someone allowed sts:DecodeAuthorizationMessage.
const (
	// MaxEncodedMessage is DecodeAuthorizationMessage's EncodedMessage
	// bound (botocore sts model).
	MaxEncodedMessage = 10240
	// messageLifetime is how long a message can be decoded.
	messageLifetime = 24 * time.Hour
)

// messageAAD binds sealed messages to their purpose: a sealed secret
// access key or seed never opens as a message, nor the reverse.
var messageAAD = []byte("opensts authorization message v1")

// Messages seals and opens authorization failure messages under the
// master key, so every node of a fleet decodes what any node encoded.
type Messages struct {
	Box *atrest.Box
	Now func() time.Time
}

// The decoded message, in AWS's shape: lists are {"items": […]} and list
// scalars {"value": …}.
type (
	msgItems[T any] struct {
		Items []T `json:"items"`
	}
	msgValue struct {
		Value string `json:"value"`
	}
	msgStatement struct {
		StatementID     string             `json:"statementId"`
		Effect          string             `json:"effect"`
		Principals      msgItems[msgValue] `json:"principals"`
		PrincipalGroups msgItems[msgValue] `json:"principalGroups"`
		Actions         msgItems[msgValue] `json:"actions"`
		Resources       msgItems[msgValue] `json:"resources"`
		Conditions      msgItems[msgValue] `json:"conditions"`
	}
	msgCondition struct {
		Key    string             `json:"key"`
		Values msgItems[msgValue] `json:"values"`
	}
	msgContext struct {
		Principal struct {
			ID  string `json:"id"`
			ARN string `json:"arn"`
		} `json:"principal"`
		Action     string                 `json:"action"`
		Resource   string                 `json:"resource"`
		Conditions msgItems[msgCondition] `json:"conditions"`
	}
	decodedMessage struct {
		Allowed           bool                   `json:"allowed"`
		ExplicitDeny      bool                   `json:"explicitDeny"`
		MatchedStatements msgItems[msgStatement] `json:"matchedStatements"`
		Failures          msgItems[msgValue]     `json:"failures"`
		Context           msgContext             `json:"context"`
	}
	sealedMessage struct {
		Expires int64           `json:"exp"`
		Message json.RawMessage `json:"msg"`
	}
)

// Encode returns the encoded message for a decision on action and resource
// by p, with the request-context keys given (those of the request, not
// every global key). It is empty for an allowed decision, and the
// conditions are dropped first, then the statements, should the message
// not fit MaxEncodedMessage.
func (m *Messages) Encode(p *opensts.Principal, action, resource string, d policy.Decision, context map[string][]string) string {
	if d.IsAllowed() {
		return ""
	}
	msg := decodedMessage{ExplicitDeny: d.Effect == policy.ExplicitDeny}
	msg.MatchedStatements.Items = []msgStatement{}
	for _, st := range d.Matched {
		msg.MatchedStatements.Items = append(msg.MatchedStatements.Items, msgStatement{StatementID: st.Sid, Effect: "DENY",
			Principals: emptyItems(), PrincipalGroups: emptyItems(), Actions: emptyItems(), Resources: emptyItems(), Conditions: emptyItems()})
	}
	msg.Failures = emptyItems()
	msg.Context.Principal.ID, msg.Context.Principal.ARN = p.UserID(), p.ARN()
	msg.Context.Action, msg.Context.Resource = action, resource
	msg.Context.Conditions.Items = []msgCondition{}
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := msgCondition{Key: k, Values: emptyItems()}
		for _, v := range context[k] {
			c.Values.Items = append(c.Values.Items, msgValue{Value: v})
		}
		msg.Context.Conditions.Items = append(msg.Context.Conditions.Items, c)
	}
	for {
		enc := m.seal(msg)
		if len(enc) <= MaxEncodedMessage {
			return enc
		}
		switch {
		case len(msg.Context.Conditions.Items) > 0:
			msg.Context.Conditions.Items = nil
		case len(msg.MatchedStatements.Items) > 0:
			msg.MatchedStatements.Items = nil
		default:
			return "" // cannot happen: what is left is a principal, an action and a resource
		}
	}
}

func emptyItems() msgItems[msgValue] { return msgItems[msgValue]{Items: []msgValue{}} }

// seal compresses, seals and encodes a message with its expiry.
func (m *Messages) seal(msg decodedMessage) string {
	body, _ := json.Marshal(msg) // plain data: cannot fail
	raw, _ := json.Marshal(sealedMessage{Expires: m.Now().Add(messageLifetime).Unix(), Message: body})
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(raw)
	w.Close()
	return base64.RawURLEncoding.EncodeToString(m.Box.Seal(z.Bytes(), messageAAD))
}

// errMessage is DecodeAuthorizationMessage's refusal of anything OpenSTS
// did not encode, or encoded more than a day ago.
var errMessage = opensts.Errorf(opensts.ErrInvalidAuthorizationMessage, "The encoded authorization message is not valid or has expired.")

// Decode opens an encoded message and returns its JSON document.
func (m *Messages) Decode(encoded string) (string, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", errMessage
	}
	z, err := m.Box.Open(sealed, messageAAD)
	if err != nil {
		return "", errMessage
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 1<<20))
	if err != nil {
		return "", errMessage
	}
	var sm sealedMessage
	if err := json.Unmarshal(raw, &sm); err != nil || len(sm.Message) == 0 {
		return "", errors.Join(errMessage, err)
	}
	if m.Now().Unix() >= sm.Expires {
		return "", errMessage
	}
	return string(sm.Message), nil
}
