package policy

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON reader. encoding/json cannot report where a
// value sits in the text, and it silently keeps the last of two duplicate
// keys; IAM needs both: SimulateCustomPolicy reports statement positions and a
// policy with duplicate keys is malformed.

type nodeKind uint8

const (
	kindObject nodeKind = iota + 1
	kindArray
	kindString
	kindNumber
	kindBool
	kindNull
)

func (k nodeKind) String() string {
	switch k {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindNull:
		return "null"
	}
	return "nothing"
}

// node is one JSON value with where it sits in the text. Lines and columns are
// 1-based and count characters, as IAM's positions do.
type node struct {
	kind    nodeKind
	str     string // decoded string, or the literal text of a number or boolean
	members []member
	elems   []*node
	pos     Position // first character of the value
	end     Position // just after the last character of the value
}

type member struct {
	key string
	pos Position // the opening quote of the key
	val *node
}

// get returns the member named key, or nil.
func (n *node) get(key string) *member {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// maxDepth bounds nesting. The deepest valid policy nests five levels
// (document, Statement array, statement, Condition, operator block, values).
const maxDepth = 32

type reader struct {
	s     string
	i     int
	line  int
	col   int
	depth int
}

func (r *reader) here() Position { return Position{Line: r.line, Column: r.col} }

func (r *reader) errorf(p Position, format string, args ...any) *SyntaxError {
	return &SyntaxError{
		Message: fmt.Sprintf("Invalid JSON: "+format+" (line %d, column %d)", append(args, p.Line, p.Column)...),
		Line:    p.Line,
		Column:  p.Column,
	}
}

// advance moves past one byte that is not a line break and not part of a
// multi-byte character.
func (r *reader) advance() {
	r.i++
	r.col++
}

// advanceRune moves past one character, counting line breaks. A CR LF pair
// is one line break.
func (r *reader) advanceRune() {
	c := r.s[r.i]
	switch {
	case c == '\n':
		r.i++
		r.line++
		r.col = 1
	case c == '\r':
		r.i++
		if r.i < len(r.s) && r.s[r.i] == '\n' {
			r.i++
		}
		r.line++
		r.col = 1
	case c < utf8.RuneSelf:
		r.i++
		r.col++
	default:
		_, w := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += w
		r.col++
	}
}

func (r *reader) skipSpace() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.advanceRune()
		default:
			return
		}
	}
}

// describe names the character at the reader for error messages.
func (r *reader) describe() string {
	if r.i >= len(r.s) {
		return "end of input"
	}
	c, _ := utf8.DecodeRuneInString(r.s[r.i:])
	if c < 0x20 || c == 0x7f {
		return fmt.Sprintf("character U+%04X", c)
	}
	return fmt.Sprintf("character %q", c)
}

// readJSON parses one JSON document.
func readJSON(s string) (*node, *SyntaxError) {
	r := &reader{s: s, line: 1, col: 1}
	r.skipSpace()
	if r.i >= len(s) {
		return nil, &SyntaxError{Message: "The policy document is empty", Line: r.line, Column: r.col}
	}
	n, err := r.value()
	if err != nil {
		return nil, err
	}
	r.skipSpace()
	if r.i < len(s) {
		return nil, r.errorf(r.here(), "unexpected %s after the end of the policy document", r.describe())
	}
	return n, nil
}

func (r *reader) value() (*node, *SyntaxError) {
	if r.i >= len(r.s) {
		return nil, r.errorf(r.here(), "unexpected end of input; expected a value")
	}
	switch c := r.s[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		p := r.here()
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return &node{kind: kindString, str: s, pos: p, end: r.here()}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	case c == 't':
		return r.literal("true", kindBool)
	case c == 'f':
		return r.literal("false", kindBool)
	case c == 'n':
		return r.literal("null", kindNull)
	}
	return nil, r.errorf(r.here(), "unexpected %s; expected a value (object, array, string, number, true, false or null)", r.describe())
}

func (r *reader) enter(p Position) *SyntaxError {
	r.depth++
	if r.depth > maxDepth {
		return r.errorf(p, "values are nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (r *reader) object() (*node, *SyntaxError) {
	n := &node{kind: kindObject, pos: r.here()}
	if err := r.enter(n.pos); err != nil {
		return nil, err
	}
	r.advance() // {
	r.skipSpace()
	if r.i < len(r.s) && r.s[r.i] == '}' {
		r.advance()
		n.end = r.here()
		r.depth--
		return n, nil
	}
	var seen map[string]struct{}
	for {
		if r.i >= len(r.s) || r.s[r.i] != '"' {
			return nil, r.errorf(r.here(), "unexpected %s; expected a quoted member name", r.describe())
		}
		kp := r.here()
		key, err := r.str()
		if err != nil {
			return nil, err
		}
		if seen == nil && len(n.members) == 16 {
			// Many members: find duplicates by map, not by scanning.
			seen = make(map[string]struct{}, 32)
			for i := range n.members {
				seen[n.members[i].key] = struct{}{}
			}
		}
		dup := false
		if seen != nil {
			_, dup = seen[key]
			seen[key] = struct{}{}
		} else {
			dup = n.get(key) != nil
		}
		if dup {
			return nil, &SyntaxError{
				Message: fmt.Sprintf("Duplicate key %q: each element may appear only once in an object (line %d, column %d)", key, kp.Line, kp.Column),
				Line:    kp.Line,
				Column:  kp.Column,
			}
		}
		r.skipSpace()
		if r.i >= len(r.s) || r.s[r.i] != ':' {
			return nil, r.errorf(r.here(), "unexpected %s; expected ':' after member name %q", r.describe(), key)
		}
		r.advance()
		r.skipSpace()
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		if n.members == nil {
			n.members = make([]member, 0, 8)
		}
		n.members = append(n.members, member{key: key, pos: kp, val: v})
		r.skipSpace()
		if r.i >= len(r.s) {
			return nil, r.errorf(r.here(), "unexpected end of input; expected ',' or '}'")
		}
		switch r.s[r.i] {
		case ',':
			r.advance()
			r.skipSpace()
		case '}':
			r.advance()
			n.end = r.here()
			r.depth--
			return n, nil
		default:
			return nil, r.errorf(r.here(), "unexpected %s; expected ',' or '}'", r.describe())
		}
	}
}

func (r *reader) array() (*node, *SyntaxError) {
	n := &node{kind: kindArray, pos: r.here()}
	if err := r.enter(n.pos); err != nil {
		return nil, err
	}
	r.advance() // [
	r.skipSpace()
	if r.i < len(r.s) && r.s[r.i] == ']' {
		r.advance()
		n.end = r.here()
		r.depth--
		return n, nil
	}
	for {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		r.skipSpace()
		if r.i >= len(r.s) {
			return nil, r.errorf(r.here(), "unexpected end of input; expected ',' or ']'")
		}
		switch r.s[r.i] {
		case ',':
			r.advance()
			r.skipSpace()
		case ']':
			r.advance()
			n.end = r.here()
			r.depth--
			return n, nil
		default:
			return nil, r.errorf(r.here(), "unexpected %s; expected ',' or ']'", r.describe())
		}
	}
}

func (r *reader) literal(word string, k nodeKind) (*node, *SyntaxError) {
	p := r.here()
	if !strings.HasPrefix(r.s[r.i:], word) {
		return nil, r.errorf(p, "unexpected %s; expected a value (object, array, string, number, true, false or null)", r.describe())
	}
	r.i += len(word)
	r.col += len(word)
	if r.i < len(r.s) && isWordByte(r.s[r.i]) {
		return nil, r.errorf(p, "unexpected %s; expected a value (object, array, string, number, true, false or null)", r.describe())
	}
	return &node{kind: k, str: word, pos: p, end: r.here()}, nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (r *reader) number() (*node, *SyntaxError) {
	p := r.here()
	start := r.i
	bad := func() (*node, *SyntaxError) {
		return nil, r.errorf(p, "malformed number %q", r.s[start:min(r.i+1, len(r.s))])
	}
	if r.s[r.i] == '-' {
		r.advance()
	}
	switch {
	case r.i < len(r.s) && r.s[r.i] == '0':
		r.advance()
	case r.i < len(r.s) && r.s[r.i] >= '1' && r.s[r.i] <= '9':
		for r.i < len(r.s) && isDigit(r.s[r.i]) {
			r.advance()
		}
	default:
		return bad()
	}
	if r.i < len(r.s) && r.s[r.i] == '.' {
		r.advance()
		if r.i >= len(r.s) || !isDigit(r.s[r.i]) {
			return bad()
		}
		for r.i < len(r.s) && isDigit(r.s[r.i]) {
			r.advance()
		}
	}
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.advance()
		if r.i < len(r.s) && (r.s[r.i] == '+' || r.s[r.i] == '-') {
			r.advance()
		}
		if r.i >= len(r.s) || !isDigit(r.s[r.i]) {
			return bad()
		}
		for r.i < len(r.s) && isDigit(r.s[r.i]) {
			r.advance()
		}
	}
	if r.i < len(r.s) && isWordByte(r.s[r.i]) {
		return bad()
	}
	return &node{kind: kindNumber, str: r.s[start:r.i], pos: p, end: r.here()}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str reads a quoted string and returns it decoded.
func (r *reader) str() (string, *SyntaxError) {
	open := r.here()
	r.advance() // "
	start := r.i
	// Fast path: no escapes.
	for r.i < len(r.s) {
		c := r.s[r.i]
		if c == '"' {
			s := r.s[start:r.i]
			r.advance()
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		r.advanceRune()
	}
	var b strings.Builder
	b.WriteString(r.s[start:r.i])
	for {
		if r.i >= len(r.s) {
			return "", r.errorf(open, "string starting here is not terminated")
		}
		c := r.s[r.i]
		switch {
		case c == '"':
			r.advance()
			return b.String(), nil
		case c < 0x20:
			return "", r.errorf(r.here(), "control character U+%04X must be escaped inside a string", c)
		case c != '\\':
			j := r.i
			r.advanceRune()
			b.WriteString(r.s[j:r.i])
			continue
		}
		esc := r.here()
		r.advance() // backslash
		if r.i >= len(r.s) {
			return "", r.errorf(open, "string starting here is not terminated")
		}
		e := r.s[r.i]
		r.advance()
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			c1, ok := r.hex4()
			if !ok {
				return "", r.errorf(esc, "invalid \\u escape: expected four hexadecimal digits")
			}
			rn := rune(c1)
			if utf16.IsSurrogate(rn) {
				rn = utf8.RuneError
				if c1 < 0xdc00 && strings.HasPrefix(r.s[r.i:], `\u`) {
					save, saveCol := r.i, r.col
					r.i += 2
					r.col += 2
					if c2, ok := r.hex4(); ok {
						if d := utf16.DecodeRune(rune(c1), rune(c2)); d != utf8.RuneError {
							rn = d
						} else {
							r.i, r.col = save, saveCol
						}
					} else {
						r.i, r.col = save, saveCol
					}
				}
			}
			b.WriteRune(rn)
		default:
			return "", r.errorf(esc, "invalid escape sequence \\%c", e)
		}
	}
}

func (r *reader) hex4() (uint16, bool) {
	if r.i+4 > len(r.s) {
		return 0, false
	}
	var v uint16
	for k := 0; k < 4; k++ {
		c := r.s[r.i+k]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	r.i += 4
	r.col += 4
	return v, true
}
