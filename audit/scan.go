package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrMalformed reports a complete line of an audit file that is not a
// record: the file was damaged or is not an audit trail. (A partial last
// line, left by a crash, is skipped instead.)
var ErrMalformed = errors.New("malformed audit record")

// ErrStop, returned by Scan's callback, ends the scan early; Scan then
// returns nil.
var ErrStop = errors.New("stop scan")

// Filter selects records. Its zero value matches every record; each field
// that is set must match.
type Filter struct {
	// UserName matches, case-insensitively, the signer's
	// userIdentity.userName, the requested federated user name
	// (requestParameters.name of GetFederationToken) or the IAM user acted
	// on (requestParameters.userName). "Who got credentials for Bob?" is
	// EventName GetFederationToken with UserName Bob.
	UserName string
	// AccessKeyID matches, case-insensitively, the key that signed the
	// request (userIdentity.accessKeyId), the key issued
	// (responseElements.credentials.accessKeyId,
	// responseElements.accessKey.accessKeyId) or the key acted on
	// (requestParameters.accessKeyId). So it finds both what a key did and
	// where it came from.
	AccessKeyID string
	// EventName matches the action, case-insensitively.
	EventName string
	// ErrorCode matches the AWS error code, case-insensitively.
	ErrorCode string
	// Principal matches, as a case-insensitive substring, the signer's ARN
	// (userIdentity.arn) or the federated user issued
	// (responseElements.federatedUser.arn).
	Principal string
	// Since (inclusive) and Until (exclusive) bound eventTime; zero is
	// unbounded.
	Since, Until time.Time
	// ErrorsOnly keeps only refused requests (those with an errorCode).
	ErrorsOnly bool
}

// Match reports whether r passes f.
func (f Filter) Match(r Record) bool {
	if f.EventName != "" && !strings.EqualFold(r.EventName, f.EventName) {
		return false
	}
	if f.ErrorCode != "" && !strings.EqualFold(r.ErrorCode, f.ErrorCode) {
		return false
	}
	if f.ErrorsOnly && r.ErrorCode == "" {
		return false
	}
	if !f.Since.IsZero() && r.EventTime.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !r.EventTime.Before(f.Until) {
		return false
	}
	if f.UserName != "" {
		names := []string{r.UserIdentity.UserName, str(r.RequestParameters, "userName")}
		if r.EventName == "GetFederationToken" {
			names = append(names, str(r.RequestParameters, "name"))
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, f.UserName) }) {
			return false
		}
	}
	if f.AccessKeyID != "" {
		keys := []string{
			r.UserIdentity.AccessKeyID,
			str(r.RequestParameters, "accessKeyId"),
			str(r.ResponseElements, "credentials", "accessKeyId"),
			str(r.ResponseElements, "accessKey", "accessKeyId"),
		}
		if !slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, f.AccessKeyID) }) {
			return false
		}
	}
	if f.Principal != "" {
		p := strings.ToLower(f.Principal)
		arns := []string{r.UserIdentity.ARN, str(r.ResponseElements, "federatedUser", "arn")}
		if !slices.ContainsFunc(arns, func(a string) bool { return strings.Contains(strings.ToLower(a), p) }) {
			return false
		}
	}
	return true
}

// str returns the string at path in m, or "".
func str(m map[string]any, path ...string) string {
	for i, k := range path {
		v, ok := m[k]
		if !ok {
			return ""
		}
		if i == len(path)-1 {
			s, _ := v.(string)
			return s
		}
		if m, ok = v.(map[string]any); !ok {
			return ""
		}
	}
	return ""
}

// Scan calls fn, oldest first, for every record of the audit trail at path
// that matches f: the rotated files PATH.N … PATH.1, then PATH. Path "-"
// reads standard input. A partial last line (a crash, or a write in
// progress) is skipped; any other undecodable line fails the scan with
// ErrMalformed. fn's error ends the scan and is returned, except ErrStop,
// which ends it with nil.
//
// All files are opened before the first is read, so a rotation by a running
// server during the scan neither skips nor repeats a file, unless it deletes
// the oldest one before it is opened.
func Scan(path string, f Filter, fn func(Record) error) error {
	err := scan(path, f, fn)
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

func scan(path string, f Filter, fn func(Record) error) error {
	if path == "-" {
		return scanReader(os.Stdin, "-", f, fn)
	}
	names, err := logFiles(path)
	if err != nil {
		return fmt.Errorf("scan audit log %s: %w", path, err)
	}
	var files []*os.File
	defer func() {
		for _, fh := range files {
			fh.Close()
		}
	}()
	for _, name := range names {
		fh, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // rotated away since the listing
		}
		if err != nil {
			return fmt.Errorf("scan audit log: %w", err)
		}
		files = append(files, fh)
	}
	if len(files) == 0 {
		return fmt.Errorf("scan audit log %s: %w", path, fs.ErrNotExist)
	}
	for _, fh := range files {
		if err := scanReader(fh, fh.Name(), f, fn); err != nil {
			return err
		}
	}
	return nil
}

// logFiles lists PATH.N … PATH.1 that exist, oldest (highest N) first, then
// PATH.
func logFiles(path string) ([]string, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	type backup struct {
		n    int
		name string
	}
	var backups []backup
	for _, e := range entries {
		suffix, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(suffix)
		if err != nil || n < 1 || strconv.Itoa(n) != suffix {
			continue
		}
		backups = append(backups, backup{n, filepath.Join(dir, e.Name())})
	}
	slices.SortFunc(backups, func(a, b backup) int { return b.n - a.n })
	names := make([]string, 0, len(backups)+1)
	for _, b := range backups {
		names = append(names, b.name)
	}
	return append(names, path), nil
}

func scanReader(r io.Reader, name string, f Filter, fn func(Record) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	pre, scratch := f.prefilter(), []byte(nil)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if len(bytes.TrimSpace(line)) > 0 && !pre.skip(line, &scratch) {
			rec, derr := decodeRecord(line)
			switch {
			case derr == nil:
				if f.Match(rec) {
					if err := fn(rec); err != nil {
						return err
					}
				}
			case line[len(line)-1] != '\n':
				// The last line was cut short: skip it.
			default:
				return fmt.Errorf("scan audit log %s line %d: %w: %v", name, n, ErrMalformed, derr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("scan audit log %s: %w", name, err)
		}
	}
}

// readLine returns the next line with its '\n', or the unterminated rest at
// EOF, however long.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, err
	}
	long := bytes.Clone(line)
	for err == bufio.ErrBufferFull {
		line, err = br.ReadSlice('\n')
		long = append(long, line...)
	}
	return long, err
}

func decodeRecord(line []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return Record{}, err
	}
	if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
		return Record{}, errors.New("data after the record")
	}
	if r.EventTime.IsZero() || r.EventName == "" {
		return Record{}, errors.New("no eventTime or eventName")
	}
	return r, nil
}

// prefilter is what a line must contain, ASCII lower-cased, to possibly
// match a Filter. Checking it is about ten times cheaper than decoding, so a
// search through a large trail decodes only its candidates.
type prefilter [][]byte

// prefilter returns f's string criteria that appear verbatim in a matching
// line: those of printable ASCII that no JSON encoder escapes (some escape
// '/' and HTML's <, > and &).
func (f Filter) prefilter() prefilter {
	var p prefilter
	for _, s := range []string{f.UserName, f.AccessKeyID, f.EventName, f.ErrorCode, f.Principal} {
		if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
			return r < 0x20 || r > 0x7e || strings.ContainsRune(`"\/<>&`, r)
		}) {
			p = append(p, []byte(strings.ToLower(s)))
		}
	}
	if f.ErrorsOnly {
		p = append(p, []byte(`"errorcode"`))
	}
	return p
}

// skip reports whether line certainly cannot match: it has a JSON object's
// outline, is plain ASCII without \u escapes (so case folding is ASCII's and
// every value is spelled out), and lacks one of p. Any other line is decoded,
// so damage is still reported. scratch is reused between calls.
func (p prefilter) skip(line []byte, scratch *[]byte) bool {
	if len(p) == 0 {
		return false
	}
	t := bytes.TrimSpace(line)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return false
	}
	low := (*scratch)[:0]
	for i, c := range t {
		switch {
		case c >= 0x80:
			return false
		case c == '\\' && i+1 < len(t) && t[i+1] == 'u':
			return false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	*scratch = low
	for _, needle := range p {
		if !bytes.Contains(low, needle) {
			return true
		}
	}
	return false
}
