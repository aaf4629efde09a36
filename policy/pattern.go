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

// varKeys appends the context keys the pattern's variables refer to.
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

// globParts matches s against parts, backtracking to the last star on a
// mismatch. vals holds the resolved variables in order.
func globParts(parts []part, vals []string, s string, fold bool) bool {
	pi, si, vi := 0, 0, 0
	starPi, starSi, starVi := -1, 0, 0
	for {
		if pi < len(parts) {
			pt := &parts[pi]
			switch pt.kind {
			case partStar:
				starPi, starSi, starVi = pi, si, vi
				pi++
				continue
			case partQmark:
				if si < len(s) {
					si += runeLen(s[si:])
					pi++
					continue
				}
			case partVar:
				v := vals[vi]
				if hasPrefix(s[si:], v, fold) {
					si += len(v)
					pi++
					vi++
					continue
				}
			default:
				if hasPrefix(s[si:], pt.text, fold) {
					si += len(pt.text)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		starSi += runeLen(s[starSi:])
		pi, si, vi = starPi+1, starSi, starVi
	}
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
