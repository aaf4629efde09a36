package postgres

import (
	"net/url"
	"sort"
	"strings"
)

// mask replaces a password in printed store URLs.
const mask = "xxxxx"

// RedactDSN returns a store URL or PostgreSQL DSN fit to print in an error,
// a log or --print-config: every password in it is replaced by xxxxx.
// It works on any string the operator may have passed, including ones that
// do not parse:
//
//   - URL form (postgres://, postgresql://, or any scheme://): the user
//     information ends at the last '@', so a password holding an unencoded
//     '/', '?', '#', '%' or '@' is masked whole; everything in it after the
//     user name is masked. Query parameters whose name contains "password"
//     (password, sslpassword) are masked too, and so are the '&'-separated
//     pieces after them that hold no '=' (an unencoded '&' in the password).
//   - keyword/value form (host=h password='s e c'): the values of keys
//     containing "password" are masked, quoted or not; from the first thing
//     that is not key=value (or an unterminated quote), the rest is masked.
//   - anything else: when it holds an '@', everything before the last one
//     is masked; otherwise it is returned unchanged (a path, say).
//
// When in doubt it masks too much rather than too little.
func RedactDSN(dsn string) string {
	out, _ := redact(dsn)
	return out
}

// Scrub returns err with every password that the given store URLs carry
// replaced by xxxxx in its text, for errors built by code that may have
// quoted a URL or a piece of one. The result wraps err, so errors.Is and
// errors.As still see the cause; nil stays nil.
func Scrub(err error, dsns ...string) error {
	if err == nil {
		return nil
	}
	var secrets []string
	for _, dsn := range dsns {
		_, s := redact(dsn)
		secrets = append(secrets, s...)
	}
	// Longest first, so that a password containing a shorter one is
	// replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, mask)
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// redact returns dsn with its passwords masked, and the pieces it masked
// (raw and, where they decode, decoded), for Scrub.
func redact(dsn string) (string, []string) {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok && validScheme(scheme) {
		return redactURL(scheme, rest)
	}
	if strings.Contains(dsn, "=") {
		return redactKeywordValue(dsn)
	}
	if at := strings.LastIndexByte(dsn, '@'); at >= 0 {
		secrets := []string{dsn[:at]}
		if _, pw, ok := strings.Cut(dsn[:at], ":"); ok {
			secrets = append(secrets, pw)
		}
		return mask + dsn[at:], secrets
	}
	return dsn, nil
}

// validScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, '+', '-' or '.').
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// secretKey reports whether a parameter name names a password.
func secretKey(k string) bool {
	return strings.Contains(strings.ToLower(k), "password")
}

// withDecoded is s and, when it differs, its percent-decoded form.
func withDecoded(s string) []string {
	out := []string{s}
	if d, err := url.PathUnescape(s); err == nil && d != s {
		out = append(out, d)
	}
	if d, err := url.QueryUnescape(s); err == nil && d != s {
		out = append(out, d)
	}
	return out
}

func redactURL(scheme, rest string) (string, []string) {
	var b strings.Builder
	var secrets []string
	b.WriteString(scheme + "://")
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		if i := strings.IndexAny(userinfo, ":/?#&=@"); i >= 0 {
			// A password, or something ambiguous: keep the user name only.
			b.WriteString(userinfo[:i] + ":" + mask)
			pw := userinfo[i+1:]
			secrets = append(secrets, withDecoded(pw)...)
			// pgx ends the user information at the first '/', making what
			// follows it the database name, which its errors print.
			for j := range len(pw) {
				if strings.IndexByte("/?#", pw[j]) >= 0 && j+1 < len(pw) {
					secrets = append(secrets, pw[j+1:])
				}
			}
		} else {
			b.WriteString(userinfo)
		}
		b.WriteByte('@')
		rest = rest[at+1:]
	}
	// The rest: host, path and query. Mask password parameters, wherever a
	// '?' or '&' starts them.
	afterSecret := false
	for rest != "" {
		i := strings.IndexAny(rest, "?&")
		piece := rest
		if i >= 0 {
			piece = rest[:i]
		}
		k, v, hasEq := strings.Cut(piece, "=")
		switch {
		case hasEq && secretParam(k):
			b.WriteString(k + "=" + mask)
			secrets = append(secrets, withDecoded(v)...)
			afterSecret = true
		case !hasEq && afterSecret:
			// A piece of the previous password cut off by an unencoded '&'.
			b.WriteString(mask)
			secrets = append(secrets, withDecoded(piece)...)
		default:
			b.WriteString(piece)
			afterSecret = false
		}
		if i < 0 {
			break
		}
		b.WriteByte(rest[i])
		rest = rest[i+1:]
	}
	return b.String(), secrets
}

// secretParam reports whether a URL query parameter name names a password,
// also when percent-encoded (pass%77ord); a name that does not decode is
// taken for one.
func secretParam(k string) bool {
	d, err := url.QueryUnescape(k)
	return err != nil || secretKey(d)
}

// redactKeywordValue masks a libpq keyword/value string: key = value pairs
// separated by whitespace, values bare (backslash escapes) or in single
// quotes.
func redactKeywordValue(s string) (string, []string) {
	var b strings.Builder
	var secrets []string
	i := 0
	for {
		j := skipSpace(s, i)
		b.WriteString(s[i:j])
		i = j
		if i == len(s) {
			break
		}
		k := i
		for k < len(s) && s[k] != '=' && !isSpace(s[k]) {
			k++
		}
		key := s[i:k]
		eq := skipSpace(s, k)
		if eq == len(s) || s[eq] != '=' || !validKeyword(key) {
			// Not key=value: mask everything from here.
			b.WriteString(mask)
			secrets = append(secrets, s[i:])
			break
		}
		v := skipSpace(s, eq+1)
		b.WriteString(s[i:v])
		end, closed := valueEnd(s, v)
		val := s[v:end]
		if secretKey(key) || !closed {
			b.WriteString(mask)
			secrets = append(secrets, val, unquote(val))
		} else {
			b.WriteString(val)
		}
		i = end
	}
	return b.String(), secrets
}

// valueEnd returns where the value starting at i ends, and false for an
// unterminated quoted value (which then runs to the end).
func valueEnd(s string, i int) (int, bool) {
	if i < len(s) && s[i] == '\'' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '\'':
				return j + 1, true
			}
		}
		return len(s), false
	}
	j := i
	for ; j < len(s) && !isSpace(s[j]); j++ {
		if s[j] == '\\' {
			j++
		}
	}
	return min(j, len(s)), true
}

// unquote is a keyword/value value without its quotes and escapes.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func validKeyword(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}
