package audit

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opensts/opensts"
)

// history writes a small, rotated audit trail and returns its path. Each
// event's RequestID names it.
func history(t *testing.T) string {
	t.Helper()
	alice := opensts.EventIdentity{Type: "IAMUser", PrincipalID: "AIDAALICE", ARN: "arn:aws:iam::123456789012:user/alice",
		AccountID: "123456789012", AccessKeyID: "AKIAALICE", UserName: "alice"}
	broker := opensts.EventIdentity{Type: "IAMUser", PrincipalID: "AIDABROKER", ARN: "arn:aws:iam::123456789012:user/broker",
		AccountID: "123456789012", AccessKeyID: "AKIABROKER", UserName: "broker"}
	bob := opensts.EventIdentity{Type: "IAMUser", PrincipalID: "AIDABOB", ARN: "arn:aws:iam::123456789012:user/bob",
		AccountID: "123456789012", AccessKeyID: "AKIABOB", UserName: "bob"}
	admin := opensts.EventIdentity{Type: "Root", PrincipalID: "123456789012", ARN: "arn:aws:iam::123456789012:root",
		AccountID: "123456789012", AccessKeyID: "AKIAROOT"}
	issued := func(key string) map[string]any {
		return map[string]any{"credentials": map[string]any{"accessKeyId": key, "expiration": "2024-06-02T21:00:00Z"}}
	}
	federated := func(name, key string) map[string]any {
		m := issued(key)
		m["federatedUser"] = map[string]any{"arn": "arn:aws:sts::123456789012:federated-user/" + name,
			"federatedUserId": "123456789012:" + name}
		return m
	}
	events := []opensts.Event{
		{RequestID: "1-alice-session", Name: "GetSessionToken", Time: day1.Add(10 * time.Hour), Identity: alice,
			RequestParameters: map[string]any{"durationSeconds": 3600}, ResponseElements: issued("ASIAALICE1")},
		{RequestID: "2-bob-federated", Name: "GetFederationToken", Time: day2.Add(9 * time.Hour), Identity: broker,
			RequestParameters: map[string]any{"name": "Bob"}, ResponseElements: federated("Bob", "ASIABOB1")},
		{RequestID: "3-bob-denied", Name: "GetFederationToken", Time: day2.Add(11 * time.Hour), Identity: broker,
			RequestParameters: map[string]any{"name": "bob"}, ErrorCode: "AccessDenied", ErrorMessage: "User: arn:aws:iam::123456789012:user/broker is not authorized to perform: sts:GetFederationToken"},
		{RequestID: "4-carol-federated", Name: "GetFederationToken", Time: day2.Add(12 * time.Hour), Identity: broker,
			RequestParameters: map[string]any{"name": "Carol"}, ResponseElements: federated("Carol", "ASIACAROL1")},
		{RequestID: "5-create-bob", Name: "CreateUser", Source: "iam.amazonaws.com", Time: day2.Add(13 * time.Hour), Identity: admin,
			RequestParameters: map[string]any{"userName": "bob"}},
		{RequestID: "6-bad-key", Name: "GetSessionToken", Time: day2.Add(14 * time.Hour),
			Identity: opensts.EventIdentity{AccessKeyID: "AKIAUNKNOWN"}, ErrorCode: "InvalidClientTokenId",
			ErrorMessage: "The security token included in the request is invalid."},
		{RequestID: "7-bob-session", Name: "GetSessionToken", Time: day3.Add(8 * time.Hour), Identity: bob,
			ResponseElements: issued("ASIABOB2")},
		{RequestID: "8-bob-key", Name: "CreateAccessKey", Source: "iam.amazonaws.com", Time: day3.Add(9 * time.Hour), Identity: admin,
			RequestParameters: map[string]any{"userName": "bob"},
			ResponseElements:  map[string]any{"accessKey": map[string]any{"accessKeyId": "AKIABOB2", "userName": "bob"}}},
		{RequestID: "9-bob-key-off", Name: "UpdateAccessKey", Source: "iam.amazonaws.com", Time: day3.Add(10 * time.Hour), Identity: admin,
			RequestParameters: map[string]any{"userName": "bob", "accessKeyId": "AKIABOB", "status": "Inactive"}},
	}
	path := tempPath(t)
	l := mustOpen(t, Config{Path: path, MaxSize: 1500, MaxBackups: 100}, nil)
	for _, e := range events {
		if e.Source == "" {
			e.Source = "sts.amazonaws.com"
		}
		l.Record(t.Context(), e)
	}
	mustClose(t, l)
	if files, _ := logFiles(path); len(files) < 3 {
		t.Fatalf("history spans %d files; want several to exercise rotation", len(files))
	}
	return path
}

func requestIDs(recs []Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RequestID
	}
	return ids
}

func TestScan_Filters(t *testing.T) {
	path := history(t)
	all := []string{"1-alice-session", "2-bob-federated", "3-bob-denied", "4-carol-federated", "5-create-bob",
		"6-bad-key", "7-bob-session", "8-bob-key", "9-bob-key-off"}
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"ok/everything", Filter{}, all},
		{"ok/who-got-credentials-for-bob-yesterday",
			Filter{EventName: "GetFederationToken", UserName: "Bob", Since: day2, Until: day3},
			[]string{"2-bob-federated", "3-bob-denied"}},
		{"ok/user-name-any-role", Filter{UserName: "BOB"},
			[]string{"2-bob-federated", "3-bob-denied", "5-create-bob", "7-bob-session", "8-bob-key", "9-bob-key-off"}},
		{"ok/user-name-signer", Filter{UserName: "alice"}, []string{"1-alice-session"}},
		{"ok/user-name-none", Filter{UserName: "mallory"}, nil},
		{"ok/access-key-signer", Filter{AccessKeyID: "akiaalice"}, []string{"1-alice-session"}},
		{"ok/access-key-issued-session", Filter{AccessKeyID: "ASIABOB1"}, []string{"2-bob-federated"}},
		{"ok/access-key-created-and-changed", Filter{AccessKeyID: "AKIABOB2"}, []string{"8-bob-key"}},
		{"ok/access-key-used-and-acted-on", Filter{AccessKeyID: "AKIABOB"}, []string{"7-bob-session", "9-bob-key-off"}},
		{"ok/event-name", Filter{EventName: "getsessiontoken"}, []string{"1-alice-session", "6-bad-key", "7-bob-session"}},
		{"ok/error-code", Filter{ErrorCode: "AccessDenied"}, []string{"3-bob-denied"}},
		{"ok/errors-only", Filter{ErrorsOnly: true}, []string{"3-bob-denied", "6-bad-key"}},
		{"ok/principal-federated-user", Filter{Principal: "federated-user/bob"}, []string{"2-bob-federated"}},
		{"ok/principal-signer", Filter{Principal: "user/broker"}, []string{"2-bob-federated", "3-bob-denied", "4-carol-federated"}},
		{"ok/since-inclusive-until-exclusive", Filter{Since: day2.Add(9 * time.Hour), Until: day2.Add(12 * time.Hour)},
			[]string{"2-bob-federated", "3-bob-denied"}},
		{"ok/since-only", Filter{Since: day3}, []string{"7-bob-session", "8-bob-key", "9-bob-key-off"}},
		{"ok/until-only", Filter{Until: day2}, []string{"1-alice-session"}},
		{"ok/combined-none", Filter{EventName: "GetFederationToken", UserName: "Bob", Since: day3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := requestIDs(mustScan(t, path, tt.filter))
			if diff := cmp.Diff(tt.want, got, cmpEmpty); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal(a, b)
})

func TestScan_Callback(t *testing.T) {
	path := history(t)
	t.Run("ok/stop", func(t *testing.T) {
		var got []string
		err := Scan(path, Filter{}, func(r Record) error {
			got = append(got, r.RequestID)
			if len(got) == 2 {
				return ErrStop
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Scan = %v, want nil after ErrStop", err)
		}
		if diff := cmp.Diff([]string{"1-alice-session", "2-bob-federated"}, got); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
	t.Run("fail/callback-error", func(t *testing.T) {
		boom := errors.New("boom")
		if err := Scan(path, Filter{}, func(Record) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("Scan = %v, want %v", err, boom)
		}
	})
	t.Run("ok/numbers-kept-exact", func(t *testing.T) {
		recs := mustScan(t, path, Filter{EventName: "GetSessionToken", UserName: "alice"})
		if len(recs) != 1 {
			t.Fatalf("%d records, want 1", len(recs))
		}
		if got, ok := recs[0].RequestParameters["durationSeconds"].(json.Number); !ok || got != "3600" {
			t.Errorf("durationSeconds = %#v, want json.Number 3600", recs[0].RequestParameters["durationSeconds"])
		}
	})
}

func TestScan_CrashLeftovers(t *testing.T) {
	const partial = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","princ`
	tests := []struct {
		name    string
		tail    string // appended to the file after a clean Close
		reopen  bool   // then Open again and record two more events
		filter  Filter
		want    []string
		wantErr error
	}{
		{name: "ok/truncated-last-line", tail: partial, want: []string{seqID(0), seqID(1)}},
		{name: "ok/nul-filled-tail", tail: strings.Repeat("\x00", 64), want: []string{seqID(0), seqID(1)}},
		{name: "ok/truncated-then-reopened", tail: partial, reopen: true,
			want: []string{seqID(0), seqID(1), seqID(2), seqID(3)}},
		{name: "ok/blank-line", tail: "\n", want: []string{seqID(0), seqID(1)}},
		{name: "fail/garbage-line-mid-file", tail: "not json\n", reopen: true, wantErr: ErrMalformed},
		{name: "fail/garbage-line-with-filter", tail: "not json\n", reopen: true, wantErr: ErrMalformed,
			filter: Filter{EventName: "CreateUser"}},
		{name: "fail/cut-object-with-filter", tail: partial + "\n", reopen: true, wantErr: ErrMalformed,
			filter: Filter{UserName: "nobody"}},
		{name: "fail/not-a-record", tail: "{}\n", wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path}, nil)
			l.Record(t.Context(), seqEvent(0, 0))
			l.Record(t.Context(), seqEvent(1, 0))
			mustClose(t, l)
			appendFile(t, path, tt.tail)
			if tt.reopen {
				l := mustOpen(t, Config{Path: path}, nil)
				l.Record(t.Context(), seqEvent(2, 0))
				l.Record(t.Context(), seqEvent(3, 0))
				mustClose(t, l)
			}
			var got []string
			err := Scan(path, tt.filter, func(r Record) error { got = append(got, r.EventID); return nil })
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Scan = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if tt.reopen && !strings.HasSuffix(tt.tail, "\n") {
				// The partial line was rotated away untouched: it is still the
				// end of PATH.1.
				b, err := os.ReadFile(path + ".1")
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(string(b), tt.tail) {
					t.Errorf("PATH.1 does not end with the partial line: %q", b)
				}
			}
		})
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestScan_Files(t *testing.T) {
	t.Run("fail/missing", func(t *testing.T) {
		err := Scan(filepath.Join(t.TempDir(), "none.jsonl"), Filter{}, func(Record) error { return nil })
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Scan = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("ok/backups-only", func(t *testing.T) {
		path := tempPath(t)
		l := mustOpen(t, Config{Path: path}, nil)
		l.Record(t.Context(), seqEvent(0, 0))
		mustClose(t, l)
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{seqID(0)}, eventIDs(mustScan(t, path, Filter{}))); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("ok/ignores-other-names", func(t *testing.T) {
		path := tempPath(t)
		l := mustOpen(t, Config{Path: path}, nil)
		l.Record(t.Context(), seqEvent(0, 0))
		mustClose(t, l)
		for _, name := range []string{path + ".01", path + ".x", path + ".0", path + ".1.gz", path + "x.1"} {
			if err := os.WriteFile(name, []byte("garbage\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]string{seqID(0)}, eventIDs(mustScan(t, path, Filter{}))); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("ok/long-line", func(t *testing.T) {
		path := tempPath(t)
		l := mustOpen(t, Config{Path: path}, nil)
		l.Record(t.Context(), seqEvent(0, 200<<10)) // longer than the read buffer
		l.Record(t.Context(), seqEvent(1, 0))
		mustClose(t, l)
		if diff := cmp.Diff([]string{seqID(0), seqID(1)}, eventIDs(mustScan(t, path, Filter{}))); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

// TestScan_Stdin swaps os.Stdin; it must not run in parallel.
func TestScan_Stdin(t *testing.T) {
	path := history(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = saved })
	all := mustScan(t, path, Filter{})
	want := requestIDs(all[len(all)-countLines(t, path):])
	if diff := cmp.Diff(want, requestIDs(mustScan(t, "-", Filter{}))); diff != "" {
		t.Errorf("stdin records (-want +got):\n%s", diff)
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestPrefilter(t *testing.T) {
	gst := `{"eventVersion":"1.08","eventName":"GetSessionToken","userIdentity":{"userName":"alice"}}` + "\n"
	tests := []struct {
		name   string
		filter Filter
		line   string
		skip   bool
	}{
		{"ok/no-criteria", Filter{}, gst, false},
		{"ok/other-event", Filter{EventName: "GetFederationToken"}, gst, true},
		{"ok/same-event-other-case", Filter{EventName: "getsessiontoken"}, gst, false},
		{"ok/all-needles-present", Filter{EventName: "GetSessionToken", UserName: "ALICE"}, gst, false},
		{"ok/one-needle-missing", Filter{EventName: "GetSessionToken", UserName: "bob"}, gst, true},
		{"ok/errors-only-without-error", Filter{ErrorsOnly: true}, gst, true},
		{"ok/errors-only-with-error", Filter{ErrorsOnly: true}, `{"errorCode":"AccessDenied"}`, false},
		{"ok/escape-prone-needle-unused", Filter{Principal: "user/bob"}, gst, false},
		{"ok/non-ascii-line-decoded", Filter{UserName: "bob"}, `{"userName":"bøb"}`, false},
		{"ok/unicode-escape-line-decoded", Filter{UserName: "bob"}, `{"userName":"\u0062ob"}`, false},
		{"ok/damaged-line-decoded", Filter{UserName: "bob"}, `{"userName":"al`, false},
		{"ok/not-an-object-decoded", Filter{UserName: "bob"}, "garbage\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var scratch []byte
			if got := tt.filter.prefilter().skip([]byte(tt.line), &scratch); got != tt.skip {
				t.Errorf("skip = %v, want %v", got, tt.skip)
			}
		})
	}
}
