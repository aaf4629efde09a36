package policy

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition operators, as documented in reference_policies_elements_condition_operators
// and reference_policies_multi-value-conditions.

type family uint8

const (
	famString family = iota + 1
	famStringFold
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type comparison uint8

const (
	cmpEq comparison = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAll
	setForAny
)

type operator struct {
	fam      family
	cmp      comparison
	negated  bool // matches when no policy value matches
	ifExists bool
	set      setQualifier
}

var baseOperators = map[string]operator{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringFold},
	"StringNotEqualsIgnoreCase": {fam: famStringFold, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famARN},
	"ArnLike":                   {fam: famARN},
	"ArnNotEquals":              {fam: famARN, negated: true},
	"ArnNotLike":                {fam: famARN, negated: true},
	"Null":                      {fam: famNull},
}

// parseOperator parses names such as "ForAnyValue:StringLikeIfExists".
// Operator names are case-sensitive.
func parseOperator(name string) (operator, bool) {
	var set setQualifier
	switch {
	case strings.HasPrefix(name, "ForAllValues:"):
		set, name = setForAll, name[len("ForAllValues:"):]
	case strings.HasPrefix(name, "ForAnyValue:"):
		set, name = setForAny, name[len("ForAnyValue:"):]
	}
	op, ok := baseOperators[name]
	if !ok {
		base, found := strings.CutSuffix(name, "IfExists")
		if !found {
			return operator{}, false
		}
		if op, ok = baseOperators[base]; !ok || op.fam == famNull {
			return operator{}, false
		}
		op.ifExists = true
	}
	if op.fam == famNull && set != setNone {
		return operator{}, false
	}
	op.set = set
	return op, true
}

// allowsVariables reports whether policy variables are substituted in the
// operator's values: string, ARN and Boolean operators
// (reference_policies_variables, "Where you can use policy variables").
func (o operator) allowsVariables() bool {
	switch o.fam {
	case famString, famStringFold, famStringLike, famARN, famBool:
		return true
	}
	return false
}

// cond is one compiled (operator, key, values) triple.
type cond struct {
	op    operator
	key   string // lowercased
	strs  []pattern
	arns  []arnPattern
	nums  []float64
	dates []time.Time
	ips   []netip.Prefix
	bins  [][]byte
	nulls []bool
}

// compileCondition validates and compiles the values of one condition key.
// It returns a description of the first bad value, or "".
func compileCondition(op operator, key string, values []string, vars bool) (cond, int, string) {
	c := cond{op: op, key: strings.ToLower(key)}
	vars = vars && op.allowsVariables()
	for i, v := range values {
		switch op.fam {
		case famString, famStringFold:
			c.strs = append(c.strs, compilePattern(v, false, vars))
		case famStringLike:
			c.strs = append(c.strs, compilePattern(v, true, vars))
		case famBool:
			p := compilePattern(v, false, vars)
			if p.isLit && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return c, i, "is not a Boolean: use \"true\" or \"false\""
			}
			c.strs = append(c.strs, p)
		case famARN:
			c.arns = append(c.arns, compileARNPattern(v, vars))
		case famNumeric:
			f, ok := parseNumber(v)
			if !ok {
				return c, i, "is not a number"
			}
			c.nums = append(c.nums, f)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return c, i, "is not a date: use ISO 8601 (for example 2024-01-31T12:00:00Z) or epoch seconds"
			}
			c.dates = append(c.dates, t)
		case famIP:
			p, ok := parseCIDR(v)
			if !ok {
				return c, i, "is not an IP address or CIDR block"
			}
			c.ips = append(c.ips, p)
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return c, i, "is not base64-encoded binary data"
			}
			c.bins = append(c.bins, b)
		case famNull:
			switch strings.ToLower(v) {
			case "true":
				c.nulls = append(c.nulls, true)
			case "false":
				c.nulls = append(c.nulls, false)
			default:
				return c, i, "is not valid for Null: use \"true\" (key absent) or \"false\" (key present)"
			}
		}
	}
	return c, 0, ""
}

// eval evaluates the condition against the request context.
//
// Missing keys (reference_policies_elements_condition_operators): false for
// every operator except negated ones, which are true; …IfExists is true;
// Null tests presence. Set operators (reference_policies_multi-value-conditions):
// ForAllValues is true when the key is absent or every request value matches;
// ForAnyValue is false when absent and true when some request value matches.
// With several policy values a positive operator needs one to match (OR) and a
// negated operator needs none to match (NOR).
func (c *cond) eval(ctx *Context, b *Budget) bool {
	vals, _ := ctx.lookup(c.key)
	present := len(vals) > 0
	if c.op.fam == famNull {
		for _, wantAbsent := range c.nulls {
			if wantAbsent != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.op.ifExists:
			return true
		case c.op.set == setForAll:
			return true
		case c.op.set == setForAny:
			return false
		}
		return c.op.negated
	}
	switch c.op.set {
	case setForAll:
		for _, r := range vals {
			if c.matchAny(r, ctx, b) == c.op.negated {
				return false
			}
		}
		return true
	case setForAny:
		for _, r := range vals {
			if c.matchAny(r, ctx, b) != c.op.negated {
				return true
			}
		}
		return false
	}
	for _, r := range vals {
		if c.matchAny(r, ctx, b) {
			return !c.op.negated
		}
	}
	return c.op.negated
}

// matchAny reports whether the request value r matches any policy value under
// the operator's positive form. With a budget, each comparison is charged
// first, and a spent budget matches nothing.
func (c *cond) matchAny(r string, ctx *Context, b *Budget) bool {
	switch c.op.fam {
	case famString, famStringLike:
		for i := range c.strs {
			if b != nil && !b.charge(c.strs[i].cost(len(r), false)) {
				return false
			}
			if c.strs[i].match(r, ctx, false) {
				return true
			}
		}
		return false
	case famStringFold, famBool:
		for i := range c.strs {
			if b != nil && !b.charge(c.strs[i].cost(len(r), false)+c.strs[i].varBytes(ctx)) {
				return false
			}
			if v, ok := c.strs[i].text(ctx); ok && strings.EqualFold(r, v) {
				return true
			}
		}
		return false
	case famARN:
		for i := range c.arns {
			if b != nil && !b.charge(c.arns[i].cost(len(r))) {
				return false
			}
			if c.arns[i].match(r, ctx) {
				return true
			}
		}
		return false
	case famNull:
		return false
	}
	// Numbers, dates, addresses and binary data: r is decoded once and
	// compared with each value.
	if b != nil && !b.charge(len(r)+len(c.nums)+len(c.dates)+len(c.ips)+len(c.bins)) {
		return false
	}
	switch c.op.fam {
	case famNumeric:
		x, ok := parseNumber(r)
		if !ok {
			return false
		}
		for _, v := range c.nums {
			if compare(cmpFloat(x, v), c.op.cmp) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(r)
		if !ok {
			return false
		}
		for _, v := range c.dates {
			if compare(t.Compare(v), c.op.cmp) {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(r)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.ips {
			if p.Contains(a) {
				return true
			}
		}
	case famBinary:
		n := base64.StdEncoding.DecodedLen(len(r))
		var stack [64]byte
		buf := stack[:0]
		if n > len(stack) {
			buf = make([]byte, 0, n)
		}
		got, err := base64.StdEncoding.AppendDecode(buf, []byte(r))
		if err != nil {
			return false
		}
		for _, v := range c.bins {
			if bytes.Equal(got, v) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare reports whether order (request value versus policy value)
// satisfies the comparison.
func compare(order int, c comparison) bool {
	switch c {
	case cmpLt:
		return order < 0
	case cmpLe:
		return order <= 0
	case cmpGt:
		return order > 0
	case cmpGe:
		return order >= 0
	}
	return order == 0
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseCIDR parses a CIDR block or a bare address, which means /32 (IPv4) or
// /128 (IPv6).
func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseDate parses the W3C profile of ISO 8601 that IAM accepts
// (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s…]]TZD) and epoch seconds.
// A missing time zone means UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, ok := epochSeconds(s); ok {
		return time.Unix(n, 0).UTC(), true
	}
	d := dateScanner{s: s}
	year, ok := d.digits(4, 4)
	if !ok {
		return time.Time{}, false
	}
	month, day := 1, 1
	hour, minute, sec, nsec := 0, 0, 0, 0
	offset := 0
	if d.eat('-') {
		if month, ok = d.digits(2, 2); !ok || month < 1 || month > 12 {
			return time.Time{}, false
		}
		if d.eat('-') {
			if day, ok = d.digits(2, 2); !ok || day < 1 || day > daysIn(year, month) {
				return time.Time{}, false
			}
			if d.eat('T') || d.eat('t') {
				if hour, ok = d.digits(1, 2); !ok || hour > 24 {
					return time.Time{}, false
				}
				if !d.eat(':') {
					return time.Time{}, false
				}
				if minute, ok = d.digits(2, 2); !ok || minute > 59 {
					return time.Time{}, false
				}
				if d.eat(':') {
					if sec, ok = d.digits(2, 2); !ok || sec > 60 {
						return time.Time{}, false
					}
					if d.eat('.') {
						start := d.i
						frac, ok := d.digits(1, 9)
						if !ok {
							return time.Time{}, false
						}
						for k := d.i - start; k < 9; k++ {
							frac *= 10
						}
						nsec = frac
						if d.i < len(d.s) && isDigit(d.s[d.i]) {
							return time.Time{}, false
						}
					}
				}
				if offset, ok = d.zone(); !ok {
					return time.Time{}, false
				}
			}
		}
	}
	if d.i != len(d.s) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func epochSeconds(s string) (int64, bool) {
	t := s
	if t[0] == '-' {
		t = t[1:]
	}
	if t == "" || len(t) > 18 {
		return 0, false
	}
	for i := 0; i < len(t); i++ {
		if !isDigit(t[i]) {
			return 0, false
		}
	}
	// Four digits alone are a year in ISO 8601.
	if len(s) == 4 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type dateScanner struct {
	s string
	i int
}

func (d *dateScanner) eat(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *dateScanner) digits(minN, maxN int) (int, bool) {
	n, v := 0, 0
	for d.i < len(d.s) && n < maxN && isDigit(d.s[d.i]) {
		v = v*10 + int(d.s[d.i]-'0')
		d.i++
		n++
	}
	return v, n >= minN
}

// zone parses Z, ±hh, ±hhmm or ±hh:mm, returning the offset from UTC in
// seconds; nothing means UTC.
func (d *dateScanner) zone() (int, bool) {
	if d.i == len(d.s) || d.eat('Z') || d.eat('z') {
		return 0, true
	}
	sign := 1
	switch {
	case d.eat('+'):
	case d.eat('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := d.digits(2, 2)
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	if d.eat(':') {
		if m, ok = d.digits(2, 2); !ok || m > 59 {
			return 0, false
		}
	} else if d.i < len(d.s) {
		if m, ok = d.digits(2, 2); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}
