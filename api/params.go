package api

import (
	"net/url"
	"strconv"
	"strings"
)

// params is a decoded Query-protocol request (spec §1.2–1.3): parameter names
// are case-sensitive and unknown names are ignored. Each name has one value:
// decodeParams refuses a name given twice with different values.
type params url.Values

// Bounds on a decoded request. They are checked while the form is split,
// before anything is authenticated, so no request costs more than its bytes
// plus a fixed amount. The largest legitimate requests stay well inside
// them: a SimulateCustomPolicy with 1,000 action names, 1,000 resource ARNs
// and a few hundred context values, or a 131,072-character policy.
const (
	// maxParams bounds the name=value pairs of a request (body and query).
	maxParams = 4096
	// maxNameBytes and maxNameSegments bound a parameter name. No model
	// member is longer (the deepest,
	// ContextEntries.member.N.ContextKeyValues.member.M, has six segments);
	// a longer or deeper name is an unknown parameter and is ignored.
	maxNameBytes    = 256
	maxNameSegments = 8
)

// decodeParams merges the form body and the URL query. A name may appear more
// than once only with the same value (a client may send Action in both):
// anything else is refused, because the canonical query string SigV4 signs
// sorts repeated names, so "which one wins" would be the attacker's choice.
func decodeParams(body []byte, isForm bool, rawQuery string) (params, error) {
	var form string
	if isForm {
		form = string(body)
	}
	// One backing array holds every value (url.Values keeps one slice per
	// name), sized by the separators, within the parameter bound.
	n := min(strings.Count(form, "&")+strings.Count(rawQuery, "&")+2, maxParams)
	d := formDecoder{out: make(url.Values, n), values: make([]string, 0, n)}
	if form != "" {
		if err := d.decode(form); err != nil {
			return nil, err
		}
	}
	if rawQuery != "" {
		if err := d.decode(rawQuery); err != nil {
			return nil, err
		}
	}
	return params(d.out), nil
}

// formDecoder splits application/x-www-form-urlencoded text as
// url.ParseQuery does (& separates, ; is an error, + is a space), counting
// pairs as it goes.
type formDecoder struct {
	out    url.Values
	values []string // backs out's one-element slices
	n      int
}

func (d *formDecoder) decode(s string) error {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if strings.Contains(pair, ";") {
			return errMalformedQuery
		}
		if pair == "" {
			continue
		}
		if d.n++; d.n > maxParams {
			return &malformedInputError{msg: "The request has more than " + strconv.Itoa(maxParams) + " parameters."}
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		if len(rawName) > 3*maxNameBytes || strings.Count(rawName, ".") >= 3*maxNameSegments {
			continue // longer than any escaped member name: unknown, ignored
		}
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return errMalformedQuery
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return errMalformedQuery
		}
		if len(name) > maxNameBytes || strings.Count(name, ".") >= maxNameSegments {
			continue
		}
		if memberIndexTooLarge(name) {
			return &malformedInputError{msg: "The parameter " + printable(name) + " is past the limit of " + strconv.Itoa(maxListMembers) + " members of a list."}
		}
		if prev, ok := d.out[name]; ok {
			if prev[0] != value {
				return &malformedInputError{msg: "The parameter " + printable(name) + " appears more than once."}
			}
			continue
		}
		d.values = append(d.values, value)
		i := len(d.values)
		d.out[name] = d.values[i-1 : i : i]
	}
	return nil
}

// memberIndexTooLarge reports whether a name indexes a list member past
// maxListMembers (Name.member.1001), so a list the decoder would cut short
// is refused instead of silently losing its tail.
func memberIndexTooLarge(name string) bool {
	const seg = ".member."
	for {
		i := strings.Index(name, seg)
		if i < 0 {
			return false
		}
		name = name[i+len(seg):]
		j := 0
		for j < len(name) && name[j] >= '0' && name[j] <= '9' {
			j++
		}
		// More digits than the bound has, or as many and a larger value.
		if j > 0 && name[0] != '0' {
			if j > len(strconv.Itoa(maxListMembers)) {
				return true
			}
			if n, _ := strconv.Atoi(name[:j]); n > maxListMembers {
				return true
			}
		}
		name = name[j:]
	}
}

// printable quotes a client-supplied name for an error message.
func printable(s string) string {
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
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
