package postgres

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	cases := []struct {
		name, in, want string
		// secret must not survive, in any piece listed.
		secret []string
	}{
		{"ok/URL password", "postgres://opensts:hunter2@db:5432/x?sslmode=require", "postgres://opensts:xxxxx@db:5432/x?sslmode=require", []string{"hunter2"}},
		{"ok/postgresql scheme", "postgresql://u:hunter2@db/x", "postgresql://u:xxxxx@db/x", []string{"hunter2"}},
		{"ok/no password", "postgres://opensts@db/x", "postgres://opensts@db/x", nil},
		{"ok/no user info", "postgres://db:5432/x?sslmode=disable", "postgres://db:5432/x?sslmode=disable", nil},
		{"ok/sqlite", "sqlite:///var/lib/opensts.db", "sqlite:///var/lib/opensts.db", nil},
		{"ok/plain path", "/var/lib/opensts/opensts.db", "/var/lib/opensts/opensts.db", nil},
		{"ok/empty", "", "", nil},
		{"ok/encoded password", "postgres://u:p%40ss@db/x", "postgres://u:xxxxx@db/x", []string{"p%40ss"}},
		{"ok/empty user", "postgres://:hunter2@db/x", "postgres://:xxxxx@db/x", []string{"hunter2"}},
		{"ok/password parameter", "postgres://u@db/x?password=hunter2&sslmode=disable", "postgres://u@db/x?password=xxxxx&sslmode=disable", []string{"hunter2"}},
		{"ok/sslpassword parameter", "postgres://u@db/x?sslpassword=hunter2", "postgres://u@db/x?sslpassword=xxxxx", []string{"hunter2"}},
		{"ok/encoded parameter name", "postgres://u@db/x?pass%77ord=hunter2", "postgres://u@db/x?pass%77ord=xxxxx", []string{"hunter2"}},
		{"ok/other scheme", "mysql://u:hunter2@db/x", "mysql://u:xxxxx@db/x", []string{"hunter2"}},

		// URLs that do not parse, or parse into the wrong parts.
		{"fail-parse/bad escape", "postgres://u:p%zz@h/db", "postgres://u:xxxxx@h/db", []string{"p%zz"}},
		{"fail-parse/hash", "postgres://u:pa#ss@h/db", "postgres://u:xxxxx@h/db", []string{"pa#ss", "ss@"}},
		{"fail-parse/slash", "postgres://u:pa/ss@h/db", "postgres://u:xxxxx@h/db", []string{"pa/ss", "ss@"}},
		{"fail-parse/question mark", "postgres://u:pa?ss@h/db", "postgres://u:xxxxx@h/db", []string{"pa?ss", "ss@"}},
		{"fail-parse/at sign", "postgres://u:pa@ss@h/db", "postgres://u:xxxxx@h/db", []string{"pa@ss"}},
		{"fail-parse/digits then slash", "postgres://u:12/secret@h/db", "postgres://u:xxxxx@h/db", []string{"secret"}},
		{"fail-parse/postgresql", "postgresql://u:pa#ss%zz@h:5432/db?sslmode=require", "postgresql://u:xxxxx@h:5432/db?sslmode=require", []string{"pa#ss", "%zz"}},
		{"fail-parse/ampersand in parameter", "postgres://u@h/db?password=p1&p2&sslmode=disable", "postgres://u@h/db?password=xxxxx&xxxxx&sslmode=disable", []string{"p1", "p2"}},
		{"fail-parse/hash in parameter", "postgres://u@h/db?password=ab#cd", "postgres://u@h/db?password=xxxxx", []string{"ab", "cd"}},
		{"fail-parse/at sign in query", "postgres://u@h/db?application_name=a@b&password=hunter2", "postgres://u:xxxxx@b&password=xxxxx", []string{"hunter2"}},

		// libpq keyword/value strings.
		{"kv/plain", "host=h user=u password=secret dbname=d", "host=h user=u password=xxxxx dbname=d", []string{"secret"}},
		{"kv/quoted", "password='s e c'", "password=xxxxx", []string{"s e c", "e c"}},
		{"kv/quoted with escapes", `host=h password='it\'s a secret' dbname=d`, "host=h password=xxxxx dbname=d", []string{"secret", "it"}},
		{"kv/spaces around =", "host = h password = secret", "host = h password = xxxxx", []string{"secret"}},
		{"kv/escaped space", `password=sec\ ret host=h`, "password=xxxxx host=h", []string{"sec", "ret"}},
		{"kv/sslpassword", "host=h sslpassword=secret", "host=h sslpassword=xxxxx", []string{"secret"}},
		{"kv/unterminated quote", "host='h password=secret", "host=xxxxx", []string{"secret"}},
		{"kv/not key=value", "host=h password secret", "host=h xxxxx", []string{"secret"}},
		{"kv/scheme inside a value", "host=h password=a://secret@x", "host=h password=xxxxx", []string{"secret", "a://"}},

		// Neither a URL nor key=value.
		{"other/missing slashes", "postgres:u:secret@h/db", "xxxxx@h/db", []string{"secret"}},
		{"other/no scheme", "u:secret@h/db?x=1", "xxxxx", []string{"secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactDSN(tc.in)
			if got != tc.want {
				t.Errorf("RedactDSN(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, s := range tc.secret {
				if strings.Contains(got, s) {
					t.Errorf("RedactDSN(%q) = %q still holds %q", tc.in, got, s)
				}
			}
		})
	}
}

// Scrub takes passwords out of an error's text, whatever quoted them, and
// keeps the error's chain.
func TestScrub(t *testing.T) {
	for _, tc := range []struct{ dsn, secret string }{
		{"postgres://u:hunter2@h/db", "hunter2"},
		{"postgres://u:p%40ss@h/db", "p@ss"},
		{"postgres://u:pa#ss@h/db", "pa#ss"},
		{"postgres://u@h/db?password=ab&cd", "cd"},
		{"host=h password='s e c'", "s e c"},
		// pgx takes "localhost:12" for host and port and prints the rest as
		// the database name.
		{"postgres://localhost:12/hunter2@h/db", "hunter2@h/db"},
	} {
		err := Scrub(fmt.Errorf("connect with %q: %w", tc.secret, fs.ErrNotExist), "sqlite:///x", tc.dsn)
		if strings.Contains(err.Error(), tc.secret) {
			t.Errorf("Scrub(%q): %q still holds %q", tc.dsn, err, tc.secret)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Scrub(%q) lost the error chain: %v", tc.dsn, err)
		}
	}
	plain := errors.New("no password here")
	if got := Scrub(plain, "postgres://u:hunter2@h/db"); got != plain {
		t.Errorf("Scrub changed an error without a password: %v", got)
	}
	if Scrub(nil, "postgres://u:hunter2@h/db") != nil {
		t.Error("Scrub(nil) is not nil")
	}
}
