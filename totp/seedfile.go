package totp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// HardwareToken is an OATH TOTP hardware token as its vendor's seed file
// describes it: the serial number printed on it (the SerialNumber callers
// pass to EnableMFADevice and GetSessionToken) and its secret seed.
type HardwareToken struct {
	Serial string
	Seed   []byte
}

// ErrEncryptedPSKC is wrapped by ParseSeedFile's error for a PSKC file whose
// secrets are encrypted.
var ErrEncryptedPSKC = errors.New("encrypted PSKC (EncryptionKey/EncryptedValue) is not supported: " +
	"ask the vendor for the file with plaintext secrets (PlainValue)")

// SeedFileError says where a seed file is wrong. It never contains a seed,
// nor any field of a text file (with the columns swapped, the "serial" would
// be the seed); only a PSKC SerialNo that passed validation is quoted.
type SeedFileError struct {
	// Line is the 1-based line of the problem (for PSKC, where the
	// KeyPackage starts or where the XML breaks); 0 if it is the whole file.
	Line int
	// Element names the PSKC element, e.g. "KeyPackage 2, serial GAHT12345678";
	// empty for text files.
	Element string
	Err     error
}

func (e *SeedFileError) Error() string {
	var b strings.Builder
	b.WriteString("seed file")
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Element != "" {
		fmt.Fprintf(&b, " (%s)", e.Element)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *SeedFileError) Unwrap() error { return e.Err }

// Seed file limits. RFC 4226 §4 requires at least 128-bit secrets; more
// than one HMAC-SHA-1 block (64 bytes) is not something a TOTP token ships.
const (
	minSeedSize  = 16
	maxSeedSize  = 64
	minSerialLen = 9
	maxSerialLen = 256
)

// maxSeedFileSize bounds what ParseSeedFile reads: 16 MiB holds some ten
// thousand PSKC KeyPackages. A variable so tests can lower it.
var maxSeedFileSize int64 = 16 << 20

// serialPattern is the IAM SerialNumber pattern (EnableMFADevice,
// sts-spec.md §6.2); its length is 9–256.
var serialPattern = regexp.MustCompile(`^[\w+=/:,.@-]+$`)

// ParseSeedFile reads the TOTP seed files hardware token vendors ship, in
// either of two forms, told apart by the first character:
//
//  1. Text, one token a line: "serial,seed", "serial;seed", "serial<TAB>seed"
//     or "serial seed". The seed is hex (optionally 0x-prefixed) or base32
//     (as DecodeSeed reads it); hex is assumed when every character is a hex
//     digit and the count is even, since base32 of a real seed is almost
//     never that. With whitespace as separator, the seed may itself be
//     written in space-separated groups. '#' starts a comment; blank lines
//     are skipped; a first line naming its columns ("serial,seed",
//     "Serial Number;Secret Key", …) is a header and skipped. Fields may be
//     double-quoted. Extra columns are an error, not guessed at.
//  2. RFC 6030 PSKC XML (<KeyContainer>, any namespace prefix): one token per
//     KeyPackage, serial from DeviceInfo/SerialNo (else the Key's Id), seed
//     from Key/Data/Secret/PlainValue (base64). The Key must be TOTP
//     (Algorithm urn:ietf:params:xml:ns:keyprov:pskc:totp, or the draft's
//     …pskc#totp) with our parameters where the file states them:
//     ResponseFormat Length 6 DECIMAL, Suite SHA1, TimeInterval 30, Time 0.
//     Feitian c200 tokens, for one, default to 60 s and are refused here
//     rather than failing every code later. Encrypted files (EncryptionKey,
//     EncryptedValue) wrap ErrEncryptedPSKC.
//
// Serials must match the IAM pattern [\w+=/:,.@-]+ and be 9–256 characters;
// seeds must be 16–64 bytes. A serial may appear once (compared case
// insensitively) and two tokens may not share a seed. A file with no token
// is an error. Errors are *SeedFileError and never contain seed material.
func ParseSeedFile(r io.Reader) ([]HardwareToken, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSeedFileSize+1))
	if err != nil {
		return nil, &SeedFileError{Err: fmt.Errorf("read: %w", err)}
	}
	if int64(len(data)) > maxSeedFileSize {
		return nil, &SeedFileError{Err: fmt.Errorf("larger than %d MiB", maxSeedFileSize>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	c := newCollector()
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '<' {
		err = parsePSKC(data, c)
	} else {
		err = parseText(data, c)
	}
	if err != nil {
		return nil, err
	}
	if len(c.tokens) == 0 {
		return nil, &SeedFileError{Err: errors.New("no tokens found")}
	}
	return c.tokens, nil
}

// collector validates tokens and rejects duplicates.
type collector struct {
	tokens  []HardwareToken
	serials map[string]int // upper-case serial → line
	seeds   map[string]int // seed → line
}

func newCollector() *collector {
	return &collector{serials: map[string]int{}, seeds: map[string]int{}}
}

// add validates and keeps one token; line and element locate it in errors.
func (c *collector) add(line int, element, serial string, seed []byte) error {
	fail := func(err error) error { return &SeedFileError{Line: line, Element: element, Err: err} }
	if !validSerial(serial) {
		return fail(fmt.Errorf("serial number is not %d–%d characters of [\\w+=/:,.@-]", minSerialLen, maxSerialLen))
	}
	if len(seed) < minSeedSize || len(seed) > maxSeedSize {
		return fail(fmt.Errorf("seed is %d bytes, want %d to %d", len(seed), minSeedSize, maxSeedSize))
	}
	key := strings.ToUpper(serial)
	if first, dup := c.serials[key]; dup {
		return fail(fmt.Errorf("duplicate serial number (first at line %d)", first))
	}
	if first, dup := c.seeds[string(seed)]; dup {
		return fail(fmt.Errorf("same seed as the token at line %d", first))
	}
	c.serials[key] = line
	c.seeds[string(seed)] = line
	c.tokens = append(c.tokens, HardwareToken{Serial: serial, Seed: bytes.Clone(seed)})
	return nil
}

func validSerial(s string) bool {
	return len(s) >= minSerialLen && len(s) <= maxSerialLen && serialPattern.MatchString(s)
}

func parseText(data []byte, c *collector) error {
	first := true
	for i, raw := range strings.Split(string(data), "\n") {
		line := i + 1
		text := raw
		if k := strings.IndexByte(text, '#'); k >= 0 {
			text = text[:k] // neither serials nor seeds contain '#'
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		fields := splitFields(text)
		var seed []byte
		err := fmt.Errorf("want 2 fields (serial, seed), found %d", len(fields))
		if len(fields) == 2 {
			seed, err = decodeTextSeed(fields[1])
		}
		if first {
			first = false
			if isHeader(fields) && (err != nil || !validSerial(fields[0]) || len(seed) < minSeedSize) {
				continue
			}
		}
		if err != nil {
			return &SeedFileError{Line: line, Err: err}
		}
		if err := c.add(line, "", fields[0], seed); err != nil {
			return err
		}
	}
	return nil
}

// splitFields splits a text line on the first separator kind it contains:
// ',', ';', tab, else runs of spaces (the seed then being all fields after
// the first, so it may be grouped). Fields are trimmed and unquoted;
// trailing empty fields (spreadsheet exports) are dropped.
func splitFields(text string) []string {
	var fields []string
	switch {
	case strings.ContainsRune(text, ','):
		fields = strings.Split(text, ",")
	case strings.ContainsRune(text, ';'):
		fields = strings.Split(text, ";")
	case strings.ContainsRune(text, '\t'):
		fields = strings.Split(text, "\t")
	default:
		f := strings.Fields(text)
		if len(f) > 2 {
			f = []string{f[0], strings.Join(f[1:], "")}
		}
		return f
	}
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
			f = strings.TrimSpace(f[1 : len(f)-1])
		}
		fields[i] = f
	}
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	return fields
}

// isHeader reports whether a line names columns, like "serial,seed" or
// "Serial Number;Secret Key". Only a first line that does so and does not
// hold a valid token is taken for a header.
func isHeader(fields []string) bool {
	if len(fields) == 0 {
		return false
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch r {
			case ' ', '_', '-', '.', '/', '(', ')':
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	switch norm(fields[0]) {
	case "serial", "serialno", "serialnumber", "sn", "token", "tokenserial", "tokenid", "device", "deviceserial", "id":
		return true
	}
	if len(fields) > 1 {
		switch norm(fields[1]) {
		case "seed", "secret", "key", "secretkey", "seedkey", "hexseed", "seedhex", "base32seed", "seedbase32",
			"otpseed", "otpkey", "otpsecret", "tokenseed", "sharedsecret":
			return true
		}
	}
	return false
}

// decodeTextSeed reads a hex or base32 seed; errors never quote it.
func decodeTextSeed(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		seed, err := hex.DecodeString(rest)
		if err != nil {
			return nil, errors.New("seed is not valid hex")
		}
		return seed, nil
	}
	if isHex(s) {
		return hex.DecodeString(s) // cannot fail: checked
	}
	seed, err := DecodeSeed(s)
	if err != nil {
		return nil, errors.New("seed is neither hex nor base32")
	}
	return seed, nil
}

func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// PSKC (RFC 6030) elements we read. Names match whatever namespace prefix the
// file uses.
type pskcKeyPackage struct {
	DeviceInfo struct {
		SerialNo string `xml:"SerialNo"`
	} `xml:"DeviceInfo"`
	Keys []pskcKey `xml:"Key"`
}

type pskcKey struct {
	ID         string `xml:"Id,attr"`
	Algorithm  string `xml:"Algorithm,attr"`
	Parameters struct {
		Suite          *string `xml:"Suite"`
		ResponseFormat *struct {
			Length   string `xml:"Length,attr"`
			Encoding string `xml:"Encoding,attr"`
		} `xml:"ResponseFormat"`
	} `xml:"AlgorithmParameters"`
	Data struct {
		Secret       *pskcValue `xml:"Secret"`
		Time         *pskcValue `xml:"Time"`
		TimeInterval *pskcValue `xml:"TimeInterval"`
	} `xml:"Data"`
}

type pskcValue struct {
	PlainValue     *string   `xml:"PlainValue"`
	EncryptedValue *struct{} `xml:"EncryptedValue"`
}

const (
	pskcTOTP      = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
	pskcTOTPDraft = "urn:ietf:params:xml:ns:keyprov:pskc#totp"
)

func parsePSKC(data []byte, c *collector) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	malformed := func(err error) error {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			// The decoder's message may quote document text, which may be a secret.
			return &SeedFileError{Line: se.Line, Err: errors.New("malformed XML")}
		}
		line, _ := dec.InputPos()
		return &SeedFileError{Line: line, Err: errors.New("malformed XML or a character encoding other than UTF-8")}
	}
	root := false
	packages := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !root {
				return &SeedFileError{Err: errors.New("no KeyContainer element")}
			}
			return malformed(io.ErrUnexpectedEOF)
		}
		if err != nil {
			return malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := dec.InputPos()
			if !root {
				if t.Name.Local != "KeyContainer" {
					return &SeedFileError{Line: line, Err: errors.New("root element is not a PSKC KeyContainer")}
				}
				root = true
				continue
			}
			switch t.Name.Local {
			case "EncryptionKey":
				return &SeedFileError{Line: line, Element: "EncryptionKey", Err: ErrEncryptedPSKC}
			case "KeyPackage":
				packages++
				var kp pskcKeyPackage
				if err := dec.DecodeElement(&kp, &t); err != nil {
					return malformed(err)
				}
				if err := addKeyPackage(c, line, packages, &kp); err != nil {
					return err
				}
			default:
				if err := dec.Skip(); err != nil {
					return malformed(err)
				}
			}
		case xml.EndElement:
			return nil // end of KeyContainer; anything after it is ignored
		}
	}
}

func addKeyPackage(c *collector, line, n int, kp *pskcKeyPackage) error {
	element := fmt.Sprintf("KeyPackage %d", n)
	if len(kp.Keys) == 0 {
		return &SeedFileError{Line: line, Element: element, Err: errors.New("key package has no Key")}
	}
	for _, k := range kp.Keys {
		serial := strings.TrimSpace(kp.DeviceInfo.SerialNo)
		if serial == "" {
			serial = strings.TrimSpace(k.ID)
		}
		el := element
		if validSerial(serial) {
			el = fmt.Sprintf("%s, serial %s", element, serial)
		}
		seed, err := pskcSeed(&k)
		if err != nil {
			return &SeedFileError{Line: line, Element: el, Err: err}
		}
		if err := c.add(line, el, serial, seed); err != nil {
			return err
		}
	}
	return nil
}

// pskcSeed checks that a Key is a TOTP key with our parameters and returns
// its plaintext secret.
func pskcSeed(k *pskcKey) ([]byte, error) {
	switch alg := strings.ToLower(strings.TrimSpace(k.Algorithm)); {
	case alg == pskcTOTP || alg == pskcTOTPDraft:
	case strings.HasSuffix(alg, "hotp"):
		return nil, errors.New("event-based (HOTP) token: only TOTP tokens are supported")
	default:
		return nil, errors.New("algorithm (Key Algorithm) is not " + pskcTOTP)
	}
	if rf := k.Parameters.ResponseFormat; rf != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(rf.Length)); err != nil || n != Digits {
			return nil, fmt.Errorf("code length (ResponseFormat Length) is not %d", Digits)
		}
		if e := strings.TrimSpace(rf.Encoding); e != "" && !strings.EqualFold(e, "DECIMAL") {
			return nil, errors.New("code encoding (ResponseFormat Encoding) is not DECIMAL")
		}
	}
	if s := k.Parameters.Suite; s != nil {
		suite := strings.ToUpper(strings.TrimSpace(*s))
		suite = strings.ReplaceAll(strings.TrimPrefix(suite, "HMAC-"), "-", "")
		if suite != "SHA1" {
			return nil, errors.New("hash (Suite) is not SHA1: only HMAC-SHA-1 tokens are supported")
		}
	}
	if v := k.Data.TimeInterval; v != nil {
		n, err := pskcInt(v, "time step (TimeInterval)")
		if err != nil {
			return nil, err
		}
		if n != periodSeconds {
			return nil, fmt.Errorf("time step (TimeInterval) is %d s: only %d s tokens are supported", n, periodSeconds)
		}
	}
	if v := k.Data.Time; v != nil {
		n, err := pskcInt(v, "start (Time)")
		if err != nil {
			return nil, err
		}
		if n != 0 {
			return nil, errors.New("start (Time) is not 0: only tokens counting from the Unix epoch are supported")
		}
	}
	v := k.Data.Secret
	switch {
	case v == nil:
		return nil, errors.New("no secret (Data/Secret)")
	case v.EncryptedValue != nil:
		return nil, ErrEncryptedPSKC
	case v.PlainValue == nil:
		return nil, errors.New("secret has no PlainValue")
	}
	seed, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(*v.PlainValue), ""))
	if err != nil {
		return nil, errors.New("secret PlainValue is not base64")
	}
	return seed, nil
}

// pskcInt reads a plaintext integer Data value (RFC 6030 §4.3.4: xs:long).
func pskcInt(v *pskcValue, name string) (int64, error) {
	if v.EncryptedValue != nil {
		return 0, ErrEncryptedPSKC
	}
	if v.PlainValue == nil {
		return 0, fmt.Errorf("%s has no PlainValue", name)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*v.PlainValue), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s PlainValue is not an integer", name)
	}
	return n, nil
}
