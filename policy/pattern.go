package policy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled policy string: literal text, the wildcards * and ?,
// and policy variables (${aws:username}, ${aws:PrincipalTag/team, 'default'}).
// Matching resolves variables from the request context without building
// strings, so a decision allocates nothing for them.

type partKind uint8

const (
	partLit   partKind = iota
	partVar            // text is the default, key the lowercased context key
	partStar           // any run of characters, including none
	partQmark          // exactly one character
)

type part struct {
	kind       partKind
	hasDefault bool
	text       string
	key        string
}

type pattern struct {
	parts []part
	// lit is the whole pattern when it is one literal (the common case),
	// matched with a plain comparison; shape marks other common shapes
	// matched without the general algorithm.
	lit    string
	isLit  bool
	hasVar bool
	shape  shape
}

type shape uint8

const (
	shapeGeneral  shape = iota
	shapePrefix         // lit*
	shapeSuffix         // *lit
	shapeContains       // *lit*
	shapeAny            // *
)

// compilePattern compiles s. wild makes * and ? wildcards; vars makes ${…}
// policy variables (policy language 2012-10-17 only). An unterminated or
// malformed ${…} is literal text.
func compilePattern(s string, wild, vars bool) pattern {
	specials := ""
	switch {
	case wild && vars:
		specials = "*?$"
	case wild:
		specials = "*?"
	case vars:
		specials = "$"
	}
	if !strings.ContainsAny(s, specials) {
		// The common case: plain text.
		p := pattern{isLit: true, lit: s}
		if s != "" {
			p.parts = []part{{kind: partLit, text: s}}
		}
		return p
	}
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, part{kind: partLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case vars && c == '$' && strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				lit.WriteByte(c)
				i++
				continue
			}
			body := s[i+2 : i+2+end]
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				i += end + 3
				continue
			}
			key, def, hasDef, ok := parseVariable(body)
			if !ok {
				lit.WriteByte(c)
				i++
				continue
			}
			flush()
			p.parts = append(p.parts, part{kind: partVar, key: strings.ToLower(key), text: def, hasDefault: hasDef})
			p.hasVar = true
			i += end + 3
		case wild && c == '*':
			flush()
			if n := len(p.parts); n == 0 || p.parts[n-1].kind != partStar {
				p.parts = append(p.parts, part{kind: partStar})
			}
			i++
		case wild && c == '?':
			flush()
			p.parts = append(p.parts, part{kind: partQmark})
			i++
		default:
			j := len(s)
			if k := strings.IndexAny(s[i+1:], specials); k >= 0 {
				j = i + 1 + k
			}
			lit.WriteString(s[i:j])
			i = j
		}
	}
	flush()
	p.classify()
	return p
}

// classify records the fast paths a pattern allows.
func (p *pattern) classify() {
	ps := p.parts
	is := func(i int, k partKind) bool { return ps[i].kind == k }
	switch {
	case len(ps) == 0:
		p.isLit = true
	case len(ps) == 1 && is(0, partLit):
		p.isLit, p.lit = true, ps[0].text
	case len(ps) == 1 && is(0, partStar):
		p.shape = shapeAny
	case len(ps) == 2 && is(0, partLit) && is(1, partStar):
		p.shape, p.lit = shapePrefix, ps[0].text
	case len(ps) == 2 && is(0, partStar) && is(1, partLit):
		p.shape, p.lit = shapeSuffix, ps[1].text
	case len(ps) == 3 && is(0, partStar) && is(1, partLit) && is(2, partStar):
		p.shape, p.lit = shapeContains, ps[1].text
	}
}

// parseVariable splits the body of ${…} into its context key and optional
// default, written ${key, 'default'} (reference_policies_variables,
// "Specifying default values").
func parseVariable(body string) (key, def string, hasDef, ok bool) {
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = strings.TrimSpace(body[:i])
		rest := strings.TrimSpace(body[i+1:])
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return "", "", false, false
		}
		def, hasDef = rest[1:len(rest)-1], true
	} else {
		key = body
	}
	if key == "" || strings.ContainsAny(key, " \t\r\n${'") {
		return "", "", false, false
	}
	return key, def, hasDef, true
}

// varKeys appends the context keys the pattern's variables refer to (see
// appendKeyRef).
func (p *pattern) varKeys(dst []keyRef, raw string) []keyRef {
	if !p.hasVar {
		return dst
	}
	for _, pt := range p.parts {
		if pt.kind == partVar {
			dst = appendKeyRef(dst, keyRef{lower: pt.key, name: variableName(raw, pt.key), optional: pt.hasDefault})
		}
	}
	return dst
}

// variableName finds the spelling of the variable key in the policy text.
func variableName(raw, lower string) string {
	for i := 0; ; {
		j := strings.Index(raw[i:], "${")
		if j < 0 {
			return lower
		}
		i += j + 2
		end := strings.IndexByte(raw[i:], '}')
		if end < 0 {
			return lower
		}
		key, _, _, ok := parseVariable(raw[i : i+end])
		if ok && strings.ToLower(key) == lower {
			return key
		}
	}
}

// resolve returns the value of a variable part: the single context value of
// its key, else its default. Multivalued keys cannot be variables.
func (pt *part) resolve(ctx *Context) (string, bool) {
	if v, ok := ctx.lookup(pt.key); ok && len(v) == 1 {
		return v[0], true
	}
	if pt.hasDefault {
		return pt.text, true
	}
	return "", false
}

// varBytes is the length of the pattern's variable values in ctx.
func (p *pattern) varBytes(ctx *Context) int {
	if !p.hasVar {
		return 0
	}
	n := 0
	for i := range p.parts {
		if p.parts[i].kind == partVar {
			v, _ := p.parts[i].resolve(ctx)
			n += len(v)
		}
	}
	return n
}

// text returns the pattern's value with variables substituted, for patterns
// without wildcards. A pattern of one part needs no allocation.
func (p *pattern) text(ctx *Context) (string, bool) {
	if p.isLit {
		return p.lit, true
	}
	if len(p.parts) == 1 {
		return p.parts[0].resolve(ctx)
	}
	var b strings.Builder
	for i := range p.parts {
		pt := &p.parts[i]
		switch pt.kind {
		case partVar:
			v, ok := pt.resolve(ctx)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		case partStar:
			b.WriteByte('*')
		case partQmark:
			b.WriteByte('?')
		default:
			b.WriteString(pt.text)
		}
	}
	return b.String(), true
}

// cost bounds the work of matching a value of n bytes, in the units of
// Budget (about a nanosecond each): a call, a pass over the value and the
// pattern, a step per part, and for what is tried at every start of the
// value — middle segments with ?, and folded (action) patterns, which index
// scans plainly — the value's length times theirs. It walks the parts of
// a general pattern, as matching does, so patterns carry no extra fields.
func (p *pattern) cost(n int, fold bool) int {
	c := matchCall + n + len(p.lit)
	switch {
	case p.isLit || p.shape == shapeAny || p.shape == shapePrefix || p.shape == shapeSuffix:
		return c
	case p.shape == shapeContains:
		if fold {
			return c + 2*n*min(len(p.lit), n)
		}
		return c
	}
	size, qscan := p.measure()
	c += size + matchPart*len(p.parts)
	if fold {
		return c + 2*n*min(size, n)
	}
	return c + 8*n*min(qscan, n)
}

// maxScan stands for "as long as the value" in cost estimates.
const maxScan = 1 << 30

// measure returns the pattern's length, its variables counted as their keys,
// and the length of its middle segments that hold ? (a variable in one
// counts as maxScan: its value is known only when matching).
func (p *pattern) measure() (size, qscan int) {
	ps := p.parts
	first, last := nextStar(ps, 0), len(ps)
	for last > 0 && ps[last-1].kind != partStar {
		last--
	}
	seg, hasQ := 0, false
	for i := range ps {
		size += len(ps[i].text) + len(ps[i].key)
		if ps[i].kind != partLit {
			size++
		}
		if i <= first || i >= last {
			continue // the first and last segments are matched in place
		}
		switch ps[i].kind {
		case partStar:
			if hasQ {
				qscan += seg
			}
			seg, hasQ = 0, false
		case partQmark:
			seg, hasQ = seg+1, true
		case partVar:
			seg = min(seg+maxScan, maxScan)
		default:
			seg += len(ps[i].text)
		}
	}
	return size, min(qscan, maxScan)
}

// matchCall is the fixed cost of trying one pattern; matchPart that of each
// part of a pattern matched by globParts.
const (
	matchCall = 32
	matchPart = 16
)

// match reports whether s matches the pattern. fold compares ASCII letters
// case-insensitively (the pattern must then be lowercased). A variable that
// cannot be resolved matches nothing (reference_policies_variables, "Policy
// variables with no value").
func (p *pattern) match(s string, ctx *Context, fold bool) bool {
	switch {
	case p.isLit:
		if fold {
			return equalFoldASCII(s, p.lit)
		}
		return s == p.lit
	case p.shape == shapeAny:
		return true
	case p.shape == shapePrefix:
		return hasPrefix(s, p.lit, fold)
	case p.shape == shapeSuffix:
		return len(s) >= len(p.lit) && hasPrefix(s[len(s)-len(p.lit):], p.lit, fold)
	case p.shape == shapeContains:
		return contains(s, p.lit, fold)
	}
	var buf [4]string
	var vals []string
	if p.hasVar {
		vals = buf[:0]
		for i := range p.parts {
			if p.parts[i].kind == partVar {
				v, ok := p.parts[i].resolve(ctx)
				if !ok {
					return false
				}
				vals = append(vals, v)
			}
		}
	}
	return globParts(p.parts, vals, s, fold)
}

// globParts matches s against parts. vals holds the resolved variables in
// order.
//
// The parts between stars are segments; each consumes a fixed number of
// characters (a literal its own, ? one). The first segment must match at the
// start and the last at the end, so each has one place to try; every segment
// in between is matched where it first occurs after the previous one. Taking
// the leftmost occurrence is never wrong with * as the only variable-length
// wildcard: it leaves the most of s for what follows. No star is revisited:
// the first and last segments and the literal ones in between (found with
// strings.Index) cost time linear in s and the pattern; a middle segment
// holding ? is tried at each start, at most len(s) × its length, which
// pattern.cost charges to the request's Budget. The backtracking matcher
// this replaces took (len(s) - m) × m steps for m parts after a star that
// almost match everywhere (*a?a?…b against aaa…); its answers are the
// reference FuzzGlob compares with.
//
// Characters are what utf8.DecodeRuneInString steps over: a rune, or one
// byte of an invalid sequence. Policy text is valid UTF-8, so literals start
// and end on character boundaries; a variable whose value is not valid UTF-8
// is compared byte for byte like any literal.
func globParts(parts []part, vals []string, s string, fold bool) bool {
	a := nextStar(parts, 0)
	pos, ok := matchAt(parts[:a], vals, s, 0, fold)
	if !ok {
		return false
	}
	if a == len(parts) {
		return pos == len(s)
	}
	vals = vals[varCount(parts[:a]):]
	for {
		b := nextStar(parts, a+1)
		seg := parts[a+1 : b]
		if b == len(parts) {
			return matchSuffix(seg, vals, s, pos, fold)
		}
		end, ok := find(seg, vals, s, pos, fold)
		if !ok {
			return false
		}
		pos = end
		vals = vals[varCount(seg):]
		a = b
	}
}

// nextStar returns the index of the first star at or after i, or len(parts).
func nextStar(parts []part, i int) int {
	for ; i < len(parts); i++ {
		if parts[i].kind == partStar {
			return i
		}
	}
	return i
}

func varCount(seg []part) int {
	n := 0
	for i := range seg {
		if seg[i].kind == partVar {
			n++
		}
	}
	return n
}

// matchAt matches the star-free segment seg at s[i:] and returns where the
// match ends.
func matchAt(seg []part, vals []string, s string, i int, fold bool) (int, bool) {
	for k := range seg {
		pt := &seg[k]
		switch pt.kind {
		case partQmark:
			if i >= len(s) {
				return 0, false
			}
			i += runeLen(s[i:])
		case partVar:
			v := vals[0]
			vals = vals[1:]
			if !hasPrefix(s[i:], v, fold) {
				return 0, false
			}
			i += len(v)
		default:
			if !hasPrefix(s[i:], pt.text, fold) {
				return 0, false
			}
			i += len(pt.text)
		}
	}
	return i, true
}

// segmentSize returns the bytes of literal text (variables resolved) and the
// number of ? in a star-free segment.
func segmentSize(seg []part, vals []string) (lit, qmarks int) {
	for k := range seg {
		switch seg[k].kind {
		case partQmark:
			qmarks++
		case partVar:
			lit += len(vals[0])
			vals = vals[1:]
		default:
			lit += len(seg[k].text)
		}
	}
	return lit, qmarks
}

// matchSuffix reports whether the segment after the last star matches s
// from some position at or after pos to its end. The segment consumes a fixed
// number of characters, so the only candidate start is that many characters
// before the end.
func matchSuffix(seg []part, vals []string, s string, pos int, fold bool) bool {
	if len(seg) == 0 {
		return true // the pattern ends with a star
	}
	lit, qmarks := segmentSize(seg, vals)
	if len(s)-pos < lit+qmarks {
		return false
	}
	start := len(s) - lit
	if qmarks > 0 {
		chars := qmarks
		vs := vals
		for k := range seg {
			switch seg[k].kind {
			case partVar:
				chars += utf8.RuneCountInString(vs[0])
				vs = vs[1:]
			case partLit:
				chars += utf8.RuneCountInString(seg[k].text)
			}
		}
		start = len(s)
		for ; chars > 0; chars-- {
			if start <= pos {
				return false
			}
			_, w := utf8.DecodeLastRuneInString(s[pos:start])
			start -= w
		}
	}
	end, ok := matchAt(seg, vals, s, start, fold)
	return ok && end == len(s)
}

// find matches the star-free segment seg at its leftmost position in s at
// or after from, and returns where that match ends.
func find(seg []part, vals []string, s string, from int, fold bool) (int, bool) {
	if len(seg) == 0 {
		return from, true
	}
	lit, qmarks := segmentSize(seg, vals)
	if len(s)-from < lit+qmarks {
		return 0, false // also spares joining long variable values
	}
	if qmarks == 0 {
		// Literal text only: one search for all of it.
		var text string
		switch {
		case len(seg) > 1:
			text = concat(seg, vals, lit) // variables between literals
		case seg[0].kind == partVar:
			text = vals[0]
		default:
			text = seg[0].text
		}
		i := index(s[from:], text, fold)
		if i < 0 {
			return 0, false
		}
		return from + i + len(text), true
	}
	// With ?: try each start, skipping to occurrences of a leading literal.
	var first string
	if seg[0].kind == partLit {
		first = seg[0].text
	}
	for p := from; len(s)-p >= lit+qmarks; p += runeLen(s[p:]) {
		if first != "" {
			i := index(s[p:], first, fold)
			if i < 0 {
				return 0, false
			}
			p += i
		}
		if end, ok := matchAt(seg, vals, s, p, fold); ok {
			return end, true
		}
	}
	return 0, false
}

// concat joins a segment's literals and variable values (n bytes).
func concat(seg []part, vals []string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for k := range seg {
		if seg[k].kind == partVar {
			b.WriteString(vals[0])
			vals = vals[1:]
			continue
		}
		b.WriteString(seg[k].text)
	}
	return b.String()
}

// index is strings.Index, folding ASCII letters of s when fold is set (sub
// is then lowercase). Folded matching is for action names, at most 128
// characters at every edge (IAM's ActionNameType), so it scans plainly.
func index(s, sub string, fold bool) int {
	if !fold {
		return strings.Index(s, sub)
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func runeLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s)
	return w
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	return equalFoldASCII(s[:len(prefix)], prefix)
}

func contains(s, sub string, fold bool) bool {
	if !fold {
		return strings.Contains(s, sub)
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// equalFoldASCII compares s with lower, which is already lowercase, folding
// only ASCII letters in s. Action names are ASCII.
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// arnPattern is an ARN split into its six colon-separated components, each
// matched on its own so that a wildcard cannot cross a colon
// (reference_policies_elements_condition_operators, ARN condition operators).
// The sixth component is the rest of the ARN and may itself contain colons.
type arnPattern struct {
	comps [6]pattern
	any   bool // the value "*": every ARN
	valid bool // false when the value has fewer than six components
}

func compileARNPattern(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true, valid: true}
	}
	whole := compilePattern(s, true, vars)
	var a arnPattern
	comp := 0
	var cur []part
	for _, pt := range whole.parts {
		if pt.kind != partLit || comp == 5 {
			cur = append(cur, pt)
			continue
		}
		text := pt.text
		for comp < 5 {
			i := strings.IndexByte(text, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				cur = append(cur, part{kind: partLit, text: text[:i]})
			}
			a.comps[comp] = patternOf(cur)
			cur = nil
			comp++
			text = text[i+1:]
		}
		if text != "" {
			cur = append(cur, part{kind: partLit, text: text})
		}
	}
	if comp < 5 {
		return arnPattern{}
	}
	a.comps[5] = patternOf(cur)
	a.valid = true
	return a
}

func patternOf(parts []part) pattern {
	p := pattern{parts: parts}
	for _, pt := range parts {
		if pt.kind == partVar {
			p.hasVar = true
		}
	}
	p.classify()
	return p
}

// cost bounds the work of matching an ARN of n bytes.
func (a *arnPattern) cost(n int) int {
	c := n
	for i := range a.comps {
		c += a.comps[i].cost(n, false)
	}
	return c
}

// match reports whether the ARN s matches, component by component.
func (a *arnPattern) match(s string, ctx *Context) bool {
	if !a.valid {
		return false
	}
	if a.any {
		return true
	}
	rest := s
	for c := 0; c < 5; c++ {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return false
		}
		if !a.comps[c].match(rest[:i], ctx, false) {
			return false
		}
		rest = rest[i+1:]
	}
	return a.comps[5].match(rest, ctx, false)
}
