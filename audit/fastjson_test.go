package audit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// stdlib renders r with encoding/json, HTML escaping off: the reference the
// fast encoder must match byte for byte.
func stdlib(t testing.TB, r *Record) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "é ü 😀 中文", "bad \xff utf8 \xc3", "line\u2028para\u2029end",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`,
}

func TestAppendRecord_MatchesEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings {
		r := &Record{
			EventVersion: eventVersion, EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: s, ARN: s, UserName: s},
			EventName:    s, UserAgent: s, ErrorCode: s, ErrorMessage: s,
			RequestParameters: map[string]any{
				"b": s, "a": []any{s, map[string]any{"z": s, "y": nil, "x": true}}, s: int64(-42),
				"n": json.Number("900"), "f": 1.5, "l": []string{s, "x"}, "e": map[string]any{},
			},
			ReadOnly: true, EventType: eventType, ManagementEvent: true, EventCategory: eventCategory,
		}
		if got, want := appendRecord(nil, r), stdlib(t, r); !bytes.Equal(got, want) {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
	}
}
