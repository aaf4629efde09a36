package api

import (
	"net/url"
	"strconv"
	"strings"
)

// params is a decoded Query-protocol request (spec §1.2–1.3): parameter names
// are case-sensitive, the first occurrence of a name wins, and unknown names
// are ignored.
type params url.Values

// decodeParams merges the form body and the URL query; body values come first,
// so a body parameter wins over a query parameter of the same name.
func decodeParams(body []byte, isForm bool, rawQuery string) (params, error) {
	out := url.Values{}
	if isForm && len(body) > 0 {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errMalformedQuery
		}
		out = v
	}
	if rawQuery != "" {
		v, err := url.ParseQuery(rawQuery)
		if err != nil {
			return nil, errMalformedQuery
		}
		for k, vs := range v {
			out[k] = append(out[k], vs...)
		}
	}
	return params(out), nil
}

// get returns the first value of name, or nil when absent.
func (p params) get(name string) *string {
	vs, ok := p[name]
	if !ok || len(vs) == 0 {
		return nil
	}
	v := vs[0]
	return &v
}

// value returns the first value of name, "" when absent.
func (p params) value(name string) string {
	if v := p.get(name); v != nil {
		return *v
	}
	return ""
}

// int32 decodes an integer member the way AWS's Query protocol does: a sign
// and leading zeros are accepted ("+900", "0900"); an empty value, a decimal,
// a non-number or a value outside the signed 32-bit range is MalformedInput.
func (p params) int32(name string) (*int64, error) {
	v := p.get(name)
	if v == nil {
		return nil, nil
	}
	if *v == "" {
		return nil, &malformedInputError{msg: "missing value for decimal type"}
	}
	n, err := strconv.ParseInt(*v, 10, 32)
	if err != nil {
		return nil, &malformedInputError{msg: "Invalid value for parameter " + name + ": expected a 32-bit integer"}
	}
	return &n, nil
}

// bool decodes a boolean member ("true"/"false", any case).
func (p params) bool(name string) (*bool, error) {
	v := p.get(name)
	if v == nil {
		return nil, nil
	}
	switch strings.ToLower(*v) {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, &malformedInputError{msg: "Invalid value for parameter " + name + ": expected true or false"}
}

// maxListMembers bounds how many list members are decoded, so a request
// cannot make the server allocate without limit; validation reports the
// model's own (smaller) limits.
const maxListMembers = 1000

// list decodes a flattened string list, Name.member.N (N from 1). An empty
// "Name=" is an empty list. Decoding stops at the first missing index.
func (p params) list(name string) []string {
	var out []string
	for i := 1; i <= maxListMembers; i++ {
		v := p.get(name + ".member." + strconv.Itoa(i))
		if v == nil {
			break
		}
		out = append(out, *v)
	}
	return out
}

// structs decodes a flattened list of structures, Name.member.N.Field. Each
// element maps field name to its value (absent fields are nil).
func (p params) structs(name string, fields ...string) []map[string]*string {
	var out []map[string]*string
	for i := 1; i <= maxListMembers; i++ {
		prefix := name + ".member." + strconv.Itoa(i) + "."
		m := make(map[string]*string, len(fields))
		found := false
		for _, f := range fields {
			if v := p.get(prefix + f); v != nil {
				m[f] = v
				found = true
			}
		}
		if !found {
			break
		}
		out = append(out, m)
	}
	return out
}
