package audit

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

// Fixed instants: the tests never read the wall clock for event times.
var (
	day1 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 1)
	day3 = day1.AddDate(0, 0, 2)
)

func fixedNow() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }

// logBuf collects the Log's own log output.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *logBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *logBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func newLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// mustOpen opens a Log (through open, so a test may wrap the file) and
// closes it at the end of the test if the test has not.
func mustOpen(tb testing.TB, cfg Config, wrap func(sink) sink) *Log {
	tb.Helper()
	return mustOpenOpts(tb, cfg, options{wrap: wrap})
}

func mustOpenOpts(tb testing.TB, cfg Config, opts options) *Log {
	tb.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	l, err := open(cfg, opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func mustClose(tb testing.TB, l *Log) {
	tb.Helper()
	if err := l.Close(); err != nil {
		tb.Fatalf("close: %v", err)
	}
}

func tempPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "audit.jsonl")
}

// mustScan returns every record of the trail at path, oldest first.
func mustScan(tb testing.TB, path string, f Filter) []Record {
	tb.Helper()
	var recs []Record
	if err := Scan(path, f, func(r Record) error { recs = append(recs, r); return nil }); err != nil {
		tb.Fatalf("scan: %v", err)
	}
	return recs
}

func eventIDs(recs []Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.EventID
	}
	return ids
}

func seqID(i int) string { return fmt.Sprintf("evt-%06d", i) }

// seqEvent is a small GetSessionToken event identified by seqID(i); pad
// lengthens it.
func seqEvent(i, pad int) opensts.Event {
	e := gstEvent()
	e.EventID = seqID(i)
	e.RequestID = fmt.Sprintf("req-%06d", i)
	e.ResponseElements = nil
	if pad > 0 {
		e.RequestParameters = map[string]any{"padding": strings.Repeat("x", pad)}
	}
	return e
}

// gstEvent is a successful GetSessionToken with MFA, as issuer would record
// it, except that it also carries the MFA code and the issued secrets, which
// the Log must drop.
func gstEvent() opensts.Event {
	return opensts.Event{
		Time:      time.Date(2024, 6, 1, 12, 30, 45, 987654321, time.FixedZone("CEST", 2*60*60)),
		Source:    "sts.amazonaws.com",
		Name:      "GetSessionToken",
		RequestID: "8d0bd3a0-6b1c-4f3e-9a51-0c8f2f3b7e11",
		EventID:   "3f9c1e52-2d7b-4a8e-8c4f-5b6a7d8e9f01",
		Region:    "us-east-1",
		Identity: opensts.EventIdentity{
			Type:        "IAMUser",
			PrincipalID: "AIDAQAAAAAAAAAAAAAAA",
			ARN:         "arn:aws:iam::123456789012:user/alice",
			AccountID:   "123456789012",
			AccessKeyID: "AKIAQAAAAAAAAAAAAAAA",
			UserName:    "alice",
		},
		SourceIP:  "203.0.113.10",
		UserAgent: "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/sts#1.52.0",
		RequestParameters: map[string]any{
			"durationSeconds": 3600,
			"serialNumber":    "arn:aws:iam::123456789012:mfa/alice",
			"tokenCode":       "123456",
		},
		ResponseElements: map[string]any{
			"credentials": map[string]any{
				"accessKeyId":     "ASIAQAAAAAAAAAAAAAAB",
				"expiration":      time.Date(2024, 6, 1, 11, 30, 45, 0, time.UTC),
				"sessionToken":    "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
				"secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			},
		},
	}
}

// gftDeniedEvent is a GetFederationToken refused with AccessDenied.
func gftDeniedEvent() opensts.Event {
	return opensts.Event{
		Time:      time.Date(2024, 6, 2, 9, 15, 0, 0, time.UTC),
		Source:    "sts.amazonaws.com",
		Name:      "GetFederationToken",
		RequestID: "c2a7f4e6-91d3-4b0a-8f25-7e6d5c4b3a29",
		EventID:   "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		Region:    "us-east-1",
		Identity: opensts.EventIdentity{
			Type:        "IAMUser",
			PrincipalID: "AIDAQBBBBBBBBBBBBBBB",
			ARN:         "arn:aws:iam::123456789012:user/broker",
			AccountID:   "123456789012",
			AccessKeyID: "AKIAQBBBBBBBBBBBBBBB",
			UserName:    "broker",
		},
		SourceIP:  "198.51.100.7",
		UserAgent: "aws-cli/2.17.0 md/command#sts.get-federation-token",
		RequestParameters: map[string]any{
			"name":            "Bob",
			"durationSeconds": 43200,
			"policy":          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`,
		},
		ErrorCode:    "AccessDenied",
		ErrorMessage: "User: arn:aws:iam::123456789012:user/broker is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::123456789012:federated-user/Bob because no identity-based policy allows the sts:GetFederationToken action",
	}
}
