package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opensts/opensts"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

func TestLog_LineShape(t *testing.T) {
	tests := []struct {
		name   string
		event  opensts.Event
		golden string
	}{
		{"ok/get-session-token", gstEvent(), "get_session_token.jsonl"},
		{"fail/get-federation-token-access-denied", gftDeniedEvent(), "get_federation_token_access_denied.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path}, nil)
			l.Record(t.Context(), tt.event)
			mustClose(t, l)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tt.golden)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
			if bytes.Count(got, []byte("\n")) != 1 || got[len(got)-1] != '\n' {
				t.Errorf("want exactly one line ending in a newline, got %q", got)
			}

			// Scanning the line and encoding the Record again reproduces it.
			recs := mustScan(t, path, Filter{})
			if len(recs) != 1 {
				t.Fatalf("scanned %d records, want 1", len(recs))
			}
			var again bytes.Buffer
			enc := json.NewEncoder(&again)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(recs[0]); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), again.String()); diff != "" {
				t.Errorf("re-encoded record (-line +record):\n%s", diff)
			}
		})
	}
}

// TestLog_FieldOrder pins CloudTrail's member order and spelling at the top
// level, independently of the golden files.
func TestLog_FieldOrder(t *testing.T) {
	path := tempPath(t)
	l := mustOpen(t, Config{Path: path}, nil)
	l.Record(t.Context(), gftDeniedEvent())
	mustClose(t, l)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
		"responseElements", "requestID", "eventID", "readOnly", "eventType", "managementEvent",
		"recipientAccountId", "eventCategory",
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("top-level members (-want +got):\n%s", diff)
	}
}

func TestLog_Defaults(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		name  string
		event opensts.Event
		check func(t *testing.T, r Record, line string)
	}{
		{
			name:  "ok/no-time-uses-now",
			event: opensts.Event{Name: "CreateUser", Source: "iam.amazonaws.com"},
			check: func(t *testing.T, r Record, line string) {
				if !r.EventTime.Equal(fixedNow()) {
					t.Errorf("eventTime = %v, want %v", r.EventTime, fixedNow())
				}
			},
		},
		{
			name:  "ok/no-event-id-gets-uuid",
			event: opensts.Event{Name: "CreateUser", Time: day1},
			check: func(t *testing.T, r Record, line string) {
				if !uuid.MatchString(r.EventID) {
					t.Errorf("eventID = %q, want a random UUID", r.EventID)
				}
			},
		},
		{
			name:  "ok/nil-parameters-are-null",
			event: opensts.Event{Name: "GetSessionToken", Time: day1},
			check: func(t *testing.T, r Record, line string) {
				for _, want := range []string{`"requestParameters":null`, `"responseElements":null`} {
					if !strings.Contains(line, want) {
						t.Errorf("line lacks %s: %s", want, line)
					}
				}
				for _, absent := range []string{"errorCode", "errorMessage", "userName"} {
					if strings.Contains(line, absent) {
						t.Errorf("line has empty %s: %s", absent, line)
					}
				}
			},
		},
		{
			name:  "ok/identity-fields-always-present",
			event: opensts.Event{Name: "GetSessionToken", Time: day1, ErrorCode: "InvalidClientTokenId"},
			check: func(t *testing.T, r Record, line string) {
				want := `"userIdentity":{"type":"","principalId":"","arn":"","accountId":"","accessKeyId":""}`
				if !strings.Contains(line, want) {
					t.Errorf("line lacks %s: %s", want, line)
				}
			},
		},
		{
			name:  "ok/read-only-for-reads",
			event: opensts.Event{Name: "ListAccessKeys", Time: day1},
			check: func(t *testing.T, r Record, line string) {
				if !r.ReadOnly {
					t.Error("ListAccessKeys: readOnly = false, want true")
				}
			},
		},
		{
			name: "ok/unencodable-values-kept-described",
			event: opensts.Event{Name: "CreateUser", Time: day1, RequestParameters: map[string]any{
				"userName": "bob", "f": func() {}, "nan": 0.0 / zero(), "ch": make(chan int),
			}},
			check: func(t *testing.T, r Record, line string) {
				if got := r.RequestParameters["userName"]; got != "bob" {
					t.Errorf("userName = %v, want bob", got)
				}
				if got := r.RequestParameters["nan"]; got != "NaN" {
					t.Errorf("nan = %v, want \"NaN\"", got)
				}
			},
		},
		{
			name: "ok/cycle-does-not-hang",
			event: func() opensts.Event {
				m := map[string]any{"a": 1}
				m["self"] = m
				return opensts.Event{Name: "CreateUser", Time: day1, RequestParameters: m}
			}(),
			check: func(t *testing.T, r Record, line string) {
				if !strings.Contains(line, "nested too deeply") {
					t.Errorf("line = %s, want the cycle cut", line)
				}
			},
		},
		{
			name: "ok/html-not-escaped",
			event: opensts.Event{Name: "GetFederationToken", Time: day1, UserAgent: "a<b>&c",
				RequestParameters: map[string]any{"policy": `{"Condition":{"StringLike":{"x":"<&>"}}}`}},
			check: func(t *testing.T, r Record, line string) {
				if !strings.Contains(line, `"userAgent":"a<b>&c"`) || !strings.Contains(line, `<&>`) {
					t.Errorf("line = %s, want <, > and & verbatim", line)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path}, nil)
			l.Record(t.Context(), tt.event)
			mustClose(t, l)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			recs := mustScan(t, path, Filter{})
			if len(recs) != 1 {
				t.Fatalf("scanned %d records, want 1", len(recs))
			}
			tt.check(t, recs[0], string(b))
		})
	}
}

func zero() float64 { return 0 }

func TestRecord_EventTimeUTCSeconds(t *testing.T) {
	path := tempPath(t)
	l := mustOpen(t, Config{Path: path}, nil)
	e := gstEvent() // 12:30:45.987654321 CEST
	l.Record(t.Context(), e)
	mustClose(t, l)
	b, _ := os.ReadFile(path)
	if want := `"eventTime":"2024-06-01T10:30:45Z"`; !bytes.Contains(b, []byte(want)) {
		t.Errorf("line lacks %s: %s", want, b)
	}
	if want := `"expiration":"2024-06-01T11:30:45Z"`; !bytes.Contains(b, []byte(want)) {
		t.Errorf("line lacks %s: %s", want, b)
	}
}
