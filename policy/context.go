package policy

import "strings"

// Context holds the request-context keys that conditions test and policy
// variables read (aws:username, aws:MultiFactorAuthPresent,
// aws:PrincipalTag/team, …). Key names are case-insensitive
// (reference_policies_condition-keys); values keep their case. Every key may
// hold several values; conditions convert them to numbers, dates, addresses
// or booleans as their operator requires. A nil *Context is an empty one.
type Context struct {
	m map[string][]string
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{m: make(map[string][]string, 16)}
}

// Set replaces the values of key. Setting a key with no values makes it
// present but empty, which conditions treat as absent.
func (c *Context) Set(key string, values ...string) {
	if c.m == nil {
		c.m = make(map[string][]string, 16)
	}
	c.m[strings.ToLower(key)] = append([]string(nil), values...)
}

// Delete removes key.
func (c *Context) Delete(key string) {
	delete(c.m, strings.ToLower(key))
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(strings.ToLower(key))
}

// Clone returns a copy that can be changed without affecting c.
func (c *Context) Clone() *Context {
	n := NewContext()
	if c != nil {
		for k, v := range c.m {
			n.m[k] = v // values are never modified in place
		}
	}
	return n
}

// lookup finds an already lowercased key.
func (c *Context) lookup(lower string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.m[lower]
	return v, ok
}
