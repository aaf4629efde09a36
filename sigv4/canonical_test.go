package sigv4

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Expected values are botocore's quote(normalize_url_path(path), safe='/~').
func TestAppendCanonicalURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b/../c", "/a/c"},
		{"//a//", "/a/"},
		{"/./", "/"},
		{"/a%20b", "/a%2520b"},
		{"/\u00fc", "/%C3%BC"},
		{"/..", "/"},
		{"/a/..", "/"},
		{"/a/./b/.", "/a/b"},
		{"a/b", "a/b"},
		{"/a/b/", "/a/b/"},
		{"/~user/!x*()", "/~user/%21x%2A%28%29"},
		{"/.hidden/x", "/.hidden/x"},
		{"/a/../../b", "/b"},
	}
	for _, tt := range tests {
		t.Run("ok/"+tt.path, func(t *testing.T) {
			if got := string(appendCanonicalURI(nil, tt.path)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		presigned bool
		want      string
	}{
		{name: "ok/empty", raw: "", want: ""},
		{name: "ok/sorted by key then value", raw: "b=2&a=2&a=1&A=3", want: "A=3&a=1&a=2&b=2"},
		{name: "ok/key without value", raw: "Param1&x=", want: "Param1=&x="},
		{name: "ok/empty segments dropped", raw: "&&a=1&&", want: "a=1"},
		{name: "ok/plus is a space", raw: "a=b+c", want: "a=b%20c"},
		{name: "ok/re-encoded from decoded values", raw: "k=%7e%2a%41", want: "k=~%2AA"},
		{name: "ok/sorted after encoding", raw: "k=a-b&k=a/b", want: "k=a%2Fb&k=a-b"},
		{name: "ok/semicolon is data", raw: "a=b;c", want: "a=b%3Bc"},
		{name: "ok/utf-8", raw: "n=%C3%BC\u00e9", want: "n=%C3%BC%C3%A9"},
		{name: "ok/header form keeps X-Amz-Signature", raw: "X-Amz-Signature=abc&a=1", want: "X-Amz-Signature=abc&a=1"},
		{name: "ok/presigned drops every X-Amz-Signature", raw: "X-Amz-Signature=abc&a=1&X-Amz-Signature=d", presigned: true, want: "a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := parseQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendCanonicalQuery(nil, ps, tt.presigned)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPost, "https://sts.example.com:8443/", nil)
	r.ContentLength = 42
	r.Header.Add("X-Multi", "  a   b  ")
	r.Header.Add("X-Multi", "c\td")
	r.Header.Add("Content-Md5", "x")
	r.Header["My Header"] = []string{"kept as received"} // not a token: stored verbatim
	got, err := appendCanonicalHeaders(nil, r, []string{"content-length", "content-md5", "host", "missing", "My Header", "x-multi"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "content-length:42\ncontent-md5:x\nhost:sts.example.com:8443\nmissing:\nmy header:kept as received\nx-multi:a b,c\td\n"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestHeaderValues_MatchesTextproto(t *testing.T) {
	h := http.Header{}
	names := []string{"X-Amz-Date", "x_amz_custom", "CONTENT-MD5", "a1-b2-c3", "Amz-Sdk-Invocation-Id", "X-Long-" + strings.Repeat("abcdefgh-", 9)}
	for i, n := range names {
		h.Add(n, string(rune('a'+i)))
	}
	for i, n := range names {
		for _, variant := range []string{n, lower(n), upper(n)} {
			if got := headerValues(h, variant); !slices.Equal(got, []string{string(rune('a' + i))}) {
				t.Errorf("headerValues(%q) = %q", variant, got)
			}
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
