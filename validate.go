package opensts

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pattern is a model regular expression: Text is the pattern exactly as AWS's
// service model writes it (it appears verbatim in ValidationError messages);
// the compiled form is Go's equivalent, anchored.
type Pattern struct {
	Text string
	re   *regexp.Regexp
	// class, when set, is the pattern as a character class repeated
	// (nonEmpty: + rather than *), matched rune by rune instead of by the
	// regular expression: the same answer (TestClassPatterns,
	// FuzzClassPatterns) for the long members (policy documents), at a
	// fraction of the cost.
	class    func(rune) bool
	ascii    *[utf8.RuneSelf]bool // class's answers for ASCII, looked up per byte
	nonEmpty bool
}

// NewPattern pairs AWS's pattern text with a Go regular expression that means
// the same (Go has no \uXXXX escape, so callers spell those \x{XXXX}).
func NewPattern(modelText, goExpr string) Pattern {
	return Pattern{Text: modelText, re: regexp.MustCompile(`\A(?:` + goExpr + `)\z`)}
}

// classPattern is NewPattern for a repeated character class, with class
// deciding each rune.
func classPattern(modelText, goExpr string, nonEmpty bool, class func(rune) bool) Pattern {
	p := NewPattern(modelText, goExpr)
	p.class, p.nonEmpty = class, nonEmpty
	p.ascii = new([utf8.RuneSelf]bool)
	for r := range rune(utf8.RuneSelf) {
		p.ascii[r] = class(r)
	}
	return p
}

// Match reports whether s satisfies the whole pattern.
func (p Pattern) Match(s string) bool {
	if p.class == nil {
		return p.re.MatchString(s)
	}
	if s == "" {
		return !p.nonEmpty
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !p.ascii[c] {
				return false
			}
			i++
			continue
		}
		// Invalid UTF-8 decodes as U+FFFD here as in package regexp.
		r, n := utf8.DecodeRuneInString(s[i:])
		if !p.class(r) {
			return false
		}
		i += n
	}
	return true
}

// Model patterns shared by STS and IAM members (botocore service models).
var (
	// PatternUserName: IAM user and group names, federated user names.
	PatternName = NewPattern(`[\w+=,.@-]*`, `[\w+=,.@-]*`)
	// PatternNameNonEmpty is the IAM form of the same class (one or more).
	PatternNameNonEmpty = NewPattern(`[\w+=,.@-]+`, `[\w+=,.@-]+`)
	// PatternSerialNumber: MFA device serial numbers and ARNs (STS form).
	PatternSerialNumber = NewPattern(`[\w+=/:,.@-]*`, `[\w+=/:,.@-]*`)
	// PatternSerialNumberIAM is IAM's form (one or more).
	PatternSerialNumberIAM = NewPattern(`[\w+=/:,.@-]+`, `[\w+=/:,.@-]+`)
	// PatternTokenCode: six-digit MFA codes (STS form).
	PatternTokenCode = NewPattern(`[\d]*`, `[0-9]*`)
	// PatternAuthCode: IAM authentication codes.
	PatternAuthCode = NewPattern(`[\d]+`, `[0-9]+`)
	// PatternPolicyText: policy documents (TAB, LF, CR, U+0020–U+00FF).
	PatternPolicyText = classPattern(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`, true,
		func(r rune) bool { return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xFF) })
	// PatternARN: policy ARNs in PolicyDescriptorType and IAM arnType.
	PatternARN = classPattern(`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`,
		`[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{0085}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}]+`, true,
		func(r rune) bool {
			return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
				(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD)
		})
	// PatternTagKey and PatternTagValue: session and IAM tags.
	PatternTagKey   = NewPattern(`[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	PatternTagValue = NewPattern(`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	// PatternAccessKeyID: access key ids in requests.
	PatternAccessKeyID    = NewPattern(`[\w]*`, `[\w]*`)
	PatternAccessKeyIDIAM = NewPattern(`[\w]+`, `[\w]+`)
	// PatternPath: IAM entity paths.
	PatternPath = NewPattern(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F})`)
	// PatternPolicyPath: IAM managed-policy paths.
	PatternPolicyPath = NewPattern(`((/[A-Za-z0-9\.,\+@=_-]+)*)/`, `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	// PatternMarker: IAM pagination markers.
	PatternMarker = NewPattern(`[\u0020-\u00FF]+`, `[\x{0020}-\x{00FF}]+`)
)

// StringRule is one member's model constraints. Min and Max count Unicode code
// points, as AWS does (spec §2.8); zero means "no bound".
type StringRule struct {
	Required bool
	Min, Max int
	Pattern  *Pattern
	// Sensitive members (secrets, identity tokens) fail without their value.
	Sensitive bool
}

// CheckString records every failure of value against rule under field, in
// AWS's order: null, pattern, minimum length, maximum length.
func (e *ValidationError) CheckString(field string, value *string, rule StringRule) {
	if value == nil {
		if rule.Required {
			e.Add(field, nil, "not be null")
		}
		return
	}
	v := *value
	add := func(constraint string) {
		e.Fields = append(e.Fields, FieldError{Field: field, Value: value, Sensitive: rule.Sensitive, Constraint: constraint})
	}
	if rule.Pattern != nil && !rule.Pattern.Match(v) {
		add("satisfy regular expression pattern: " + rule.Pattern.Text)
	}
	n := utf8.RuneCountInString(v)
	if rule.Min > 0 && n < rule.Min {
		add("have length greater than or equal to " + strconv.Itoa(rule.Min))
	}
	if rule.Max > 0 && n > rule.Max {
		add("have length less than or equal to " + strconv.Itoa(rule.Max))
	}
}

// CheckInt records a range failure of value under field; nil passes unless required.
func (e *ValidationError) CheckInt(field string, value *int64, required bool, min, max int64) {
	if value == nil {
		if required {
			e.Add(field, nil, "not be null")
		}
		return
	}
	if *value >= min && *value <= max {
		return
	}
	s := strconv.FormatInt(*value, 10)
	if *value < min {
		e.Add(field, &s, "have value greater than or equal to "+strconv.FormatInt(min, 10))
	}
	if *value > max {
		e.Add(field, &s, "have value less than or equal to "+strconv.FormatInt(max, 10))
	}
}

// CheckEnum records a failure when value is not one of allowed.
func (e *ValidationError) CheckEnum(field string, value *string, required bool, allowed ...string) {
	if value == nil {
		if required {
			e.Add(field, nil, "not be null")
		}
		return
	}
	for _, a := range allowed {
		if *value == a {
			return
		}
	}
	list := "["
	for i, a := range allowed {
		if i > 0 {
			list += ", "
		}
		list += a
	}
	e.Add(field, value, "satisfy enum value set: "+list+"]")
}

// ValidSessionName reports whether s is a role session name as AWS's
// pattern and bounds allow it ([\w+=,.@-]{2,64}): what the RoleSessionName
// an identity provider asserts must be.
func ValidSessionName(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && PatternNameNonEmpty.Match(s)
}

// ValidSourceIdentity reports whether s may be a session's source
// identity: a valid session name that does not begin with the reserved
// prefix "aws:" (in any case).
func ValidSourceIdentity(s string) bool {
	return ValidSessionName(s) && !strings.HasPrefix(strings.ToLower(s), "aws:")
}
