package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"
)

var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "é ü 😀 中文", "bad \xff utf8 \xc3", "line\u2028para\u2029end",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`,
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestAppendObject_MatchesEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings {
		m := map[string]any{
			"b": s, "a": []any{s, map[string]any{"z": s, "y": nil, "x": true}}, s: int64(-42),
			"n": json.Number("900"), "f": 1.5, "l": []string{s, "x"}, "e": map[string]any{}, "nil": []string(nil),
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := AppendObject(nil, m); !bytes.Equal(got, want) {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
	}
	if got := AppendObject(nil, nil); string(got) != "null" {
		t.Fatalf("nil map: %s", got)
	}
}
