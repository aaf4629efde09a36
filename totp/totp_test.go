package totp

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// rfcSeed is the SHA-1 secret of RFC 4226 Appendix D and RFC 6238 Appendix B.
var rfcSeed = []byte("12345678901234567890")

// Fixed clock: now is in the middle of step nowStep.
const (
	nowStep = int64(56_666_667) // 2023-11-14T22:13:30Z … 22:13:59Z
	nowUnix = nowStep*30 + 15
)

var now = time.Unix(nowUnix, 0)

// mustDistinct fails the test if the fixture codes for steps from..to are not
// all different, so that a coincidence cannot make a case pass or fail.
func mustDistinct(tb testing.TB, seed []byte, from, to int64) {
	tb.Helper()
	seen := map[string]int64{}
	for s := from; s <= to; s++ {
		c := Code(seed, s)
		if prev, ok := seen[c]; ok {
			tb.Fatalf("fixture: steps %d and %d share a code; pick another time", prev, s)
		}
		seen[c] = s
	}
}

func TestCode_RFC4226(t *testing.T) {
	// RFC 4226 Appendix D: counter, truncated value, HOTP value.
	tests := []struct {
		counter   int64
		truncated uint32
		code      string
	}{
		{0, 1284755224, "755224"},
		{1, 1094287082, "287082"},
		{2, 137359152, "359152"},
		{3, 1726969429, "969429"},
		{4, 1640338314, "338314"},
		{5, 868254676, "254676"},
		{6, 1918287922, "287922"},
		{7, 82162583, "162583"},
		{8, 673399871, "399871"},
		{9, 645520489, "520489"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("ok/counter-%d", tt.counter), func(t *testing.T) {
			if got := newHOTP(rfcSeed).truncated(tt.counter); got != tt.truncated {
				t.Errorf("truncated = %d, want %d", got, tt.truncated)
			}
			if got := Code(rfcSeed, tt.counter); got != tt.code {
				t.Errorf("Code = %s, want %s", got, tt.code)
			}
		})
	}
}

func TestCode_RFC6238(t *testing.T) {
	// RFC 6238 Appendix B, SHA-1 rows: time, T (hex), 8-digit TOTP. The same
	// 31-bit value reduced mod 10^6 is the last six of its eight digits.
	tests := []struct {
		unix  int64
		step  int64
		totp8 string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("ok/%d", tt.unix), func(t *testing.T) {
			at := time.Unix(tt.unix, 0)
			if got := Step(at); got != tt.step {
				t.Fatalf("Step = %#x, want %#x", got, tt.step)
			}
			want := tt.totp8[len(tt.totp8)-Digits:]
			if got := Code(rfcSeed, tt.step); got != want {
				t.Errorf("Code = %s, want %s", got, want)
			}
			if step, err := Verify(rfcSeed, want, at, 0); err != nil || step != tt.step {
				t.Errorf("Verify = %d, %v; want %d, nil", step, err, tt.step)
			}
		})
	}
}

func TestCode_ZeroPadded(t *testing.T) {
	// Counter 7 of RFC 4226 gives 162583; find a step whose code starts with
	// 0 to pin the padding.
	for s := range int64(100) {
		if v := newHOTP(rfcSeed).value(s); v < 100000 {
			if got, want := Code(rfcSeed, s), fmt.Sprintf("%06d", v); got != want {
				t.Fatalf("Code(%d) = %q, want %q", s, got, want)
			}
			return
		}
	}
	t.Fatal("fixture: no code below 100000 in the first 100 steps")
}

func TestStep(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*3600)
	tests := []struct {
		name string
		at   time.Time
		want int64
	}{
		{"ok/epoch", time.Unix(0, 0), 0},
		{"ok/last-nanosecond-of-step-0", time.Unix(29, 999_999_999), 0},
		{"ok/edge-of-step-1", time.Unix(30, 0), 1},
		{"ok/edge-minus-1ns", time.Unix(30*nowStep, 0).Add(-time.Nanosecond), nowStep - 1},
		{"ok/edge", time.Unix(30*nowStep, 0), nowStep},
		{"ok/location-does-not-matter", time.Unix(30*nowStep, 0).In(utc8), nowStep},
		{"ok/before-1970-floors", time.Unix(-1, 0), -1},
		{"ok/before-1970-edge", time.Unix(-30, 0), -1},
		{"ok/before-1970-past-edge", time.Unix(-31, 0), -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Step(tt.at); got != tt.want {
				t.Errorf("Step(%v) = %d, want %d", tt.at, got, tt.want)
			}
		})
	}
}

func TestVerify_Window(t *testing.T) {
	mustDistinct(t, rfcSeed, nowStep-3, nowStep+3)
	tests := []struct {
		name    string
		offset  int64 // step of the code, relative to now
		wantErr error
	}{
		{"fail/step-minus-2", -2, ErrInvalidCode},
		{"ok/step-minus-1", -1, nil},
		{"ok/step-now", 0, nil},
		{"ok/step-plus-1", 1, nil},
		{"fail/step-plus-2", 2, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := nowStep + tt.offset
			step, err := Verify(rfcSeed, Code(rfcSeed, want), now, 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && step != want {
				t.Errorf("step = %d, want %d", step, want)
			}
			if err != nil && step != 0 {
				t.Errorf("step = %d on error, want 0", step)
			}
		})
	}
}

func TestVerify_Boundary(t *testing.T) {
	mustDistinct(t, rfcSeed, nowStep-3, nowStep+3)
	edge := time.Unix(30*nowStep, 0) // first instant of nowStep
	tests := []struct {
		name    string
		at      time.Time
		step    int64
		wantErr error
	}{
		{"ok/at-edge-next-step", edge, nowStep + 1, nil},
		{"ok/at-edge-previous-step", edge, nowStep - 1, nil},
		{"fail/at-edge-two-back", edge, nowStep - 2, ErrInvalidCode},
		{"ok/1ns-before-edge-two-back", edge.Add(-time.Nanosecond), nowStep - 2, nil},
		{"fail/1ns-before-edge-next-step", edge.Add(-time.Nanosecond), nowStep + 1, ErrInvalidCode},
		{"ok/last-second-of-step", edge.Add(29 * time.Second), nowStep + 1, nil},
		{"fail/first-second-of-next-step", edge.Add(30 * time.Second), nowStep - 1, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := Verify(rfcSeed, Code(rfcSeed, tt.step), tt.at, 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && step != tt.step {
				t.Errorf("step = %d, want %d", step, tt.step)
			}
		})
	}
}

func TestVerify_Replay(t *testing.T) {
	mustDistinct(t, rfcSeed, nowStep-3, nowStep+3)
	tests := []struct {
		name     string
		lastUsed int64
		offset   int64
		wantErr  error
	}{
		{"ok/never-used", 0, 0, nil},
		{"ok/last-used-long-ago", nowStep - 100, 0, nil},
		{"ok/last-used-just-below-window", nowStep - 2, -1, nil},
		{"ok/next-step-after-last", nowStep, 1, nil},
		{"fail/same-step-again", nowStep, 0, ErrReplayed},
		{"fail/earlier-step-after-later-used", nowStep, -1, ErrReplayed},
		{"fail/now-after-next-used", nowStep + 1, 0, ErrReplayed},
		{"fail/next-step-already-used", nowStep + 1, 1, ErrReplayed},
		{"fail/last-used-in-future", nowStep + 50, 1, ErrReplayed},
		{"fail/wrong-step-is-invalid-not-replayed", nowStep, 2, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := nowStep + tt.offset
			step, err := Verify(rfcSeed, Code(rfcSeed, want), now, tt.lastUsed)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && step != want {
				t.Errorf("step = %d, want %d", step, want)
			}
		})
	}
}

// TestVerify_ReplaySequence plays a device's life: each accepted step becomes
// the last used step, as the caller stores it.
func TestVerify_ReplaySequence(t *testing.T) {
	mustDistinct(t, rfcSeed, nowStep-3, nowStep+4)
	last := int64(0)
	use := func(code string, at time.Time) error {
		step, err := Verify(rfcSeed, code, at, last)
		if err == nil {
			if step <= last {
				t.Fatalf("accepted step %d not after last used %d", step, last)
			}
			last = step
		}
		return err
	}
	later := now.Add(Period)
	steps := []struct {
		name    string
		code    string
		at      time.Time
		wantErr error
	}{
		{"ok/next-step-code-early", Code(rfcSeed, nowStep+1), now, nil},
		{"fail/same-code-again", Code(rfcSeed, nowStep+1), now, ErrReplayed},
		{"fail/current-code-after-next-used", Code(rfcSeed, nowStep), now, ErrReplayed},
		{"fail/previous-code-after-next-used", Code(rfcSeed, nowStep-1), now, ErrReplayed},
		{"fail/same-code-a-step-later", Code(rfcSeed, nowStep+1), later, ErrReplayed},
		{"ok/following-code-a-step-later", Code(rfcSeed, nowStep+2), later, nil},
		{"fail/wrong-code", wrongCode(t, rfcSeed, nowStep+2), later, ErrInvalidCode},
	}
	for _, s := range steps {
		if err := use(s.code, s.at); !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
	}
	if last != nowStep+2 {
		t.Errorf("last used step = %d, want %d", last, nowStep+2)
	}
}

// wrongCode returns a well-formed code that matches no step within ±3 of step.
func wrongCode(tb testing.TB, seed []byte, step int64) string {
	tb.Helper()
	for v := 0; v < 1_000_000; v += 111_111 {
		c := fmt.Sprintf("%06d", v)
		hit := false
		for s := step - 3; s <= step+3; s++ {
			hit = hit || Code(seed, s) == c
		}
		if !hit {
			return c
		}
	}
	tb.Fatal("fixture: no wrong code found")
	return ""
}

func TestVerify_Malformed(t *testing.T) {
	good := Code(rfcSeed, nowStep)
	tests := []struct {
		name string
		code string
	}{
		{"fail/empty", ""},
		{"fail/five-digits", "12345"},
		{"fail/seven-digits", "1234567"},
		{"fail/letter", "12345a"},
		{"fail/full-width-digits", "１２３４５６"},
		{"fail/arabic-indic-digits", "٠١٢٣٤٥"},
		{"fail/leading-space", " " + good[1:]},
		{"fail/right-code-with-space", " " + good},
		{"fail/right-code-with-newline", good + "\n"},
		{"fail/right-code-seven-digits", good + "0"},
		{"fail/sign", "+12345"},
		{"fail/minus", "-12345"},
		{"fail/inner-space", "123 45"},
		{"fail/nul", "12345\x00"},
		{"fail/hex", "0x1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if step, err := Verify(rfcSeed, tt.code, now, 0); !errors.Is(err, ErrInvalidCode) || step != 0 {
				t.Fatalf("Verify(%q) = %d, %v; want 0, ErrInvalidCode", tt.code, step, err)
			}
			if step, err := VerifyConsecutive(rfcSeed, tt.code, good, now, EnableWindow); !errors.Is(err, ErrInvalidCode) || step != 0 {
				t.Fatalf("VerifyConsecutive(%q, good) = %d, %v; want 0, ErrInvalidCode", tt.code, step, err)
			}
			if step, err := VerifyConsecutive(rfcSeed, good, tt.code, now, EnableWindow); !errors.Is(err, ErrInvalidCode) || step != 0 {
				t.Fatalf("VerifyConsecutive(good, %q) = %d, %v; want 0, ErrInvalidCode", tt.code, step, err)
			}
			// Refused before any HMAC is set up: no allocation at all.
			if n := testing.AllocsPerRun(10, func() { _, _ = Verify(rfcSeed, tt.code, now, 0) }); n != 0 {
				t.Errorf("malformed code allocated %v times: it was computed", n)
			}
		})
	}
}

func TestVerify_EmptySeed(t *testing.T) {
	for _, seed := range [][]byte{nil, {}} {
		if _, err := Verify(seed, Code(seed, nowStep), now, 0); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("Verify with empty seed: err = %v, want ErrInvalidCode", err)
		}
		if _, err := VerifyConsecutive(seed, Code(seed, nowStep-1), Code(seed, nowStep), now, EnableWindow); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("VerifyConsecutive with empty seed: err = %v, want ErrInvalidCode", err)
		}
	}
}

func TestVerify_OtherSeed(t *testing.T) {
	other := []byte("another seed, twenty")
	code := Code(other, nowStep)
	for s := nowStep - 1; s <= nowStep+1; s++ {
		if Code(rfcSeed, s) == code {
			t.Fatalf("fixture: the other seed's code %s is also rfcSeed's at step %d; pick another seed", code, s)
		}
	}
	if _, err := Verify(rfcSeed, code, now, 0); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("code of another seed: err = %v, want ErrInvalidCode", err)
	}
}

func TestVerifyConsecutive(t *testing.T) {
	mustDistinct(t, rfcSeed, nowStep-EnableWindow-3, nowStep+EnableWindow+3)
	c := func(offset int64) string { return Code(rfcSeed, nowStep+offset) }
	tests := []struct {
		name         string
		code1, code2 string
		window       int
		wantStep     int64 // relative to now
		wantErr      error
	}{
		{"ok/previous-and-current", c(-1), c(0), EnableWindow, 0, nil},
		{"ok/current-and-next", c(0), c(1), EnableWindow, 1, nil},
		{"ok/submitted-late-at-window-edge", c(-EnableWindow - 1), c(-EnableWindow), EnableWindow, -EnableWindow, nil},
		{"ok/device-ahead-at-window-edge", c(EnableWindow - 1), c(EnableWindow), EnableWindow, EnableWindow, nil},
		{"fail/just-past-window-behind", c(-EnableWindow - 2), c(-EnableWindow - 1), EnableWindow, 0, ErrInvalidCode},
		{"fail/just-past-window-ahead", c(EnableWindow), c(EnableWindow + 1), EnableWindow, 0, ErrInvalidCode},
		{"fail/swapped-order", c(0), c(-1), EnableWindow, 0, ErrInvalidCode},
		{"fail/not-consecutive", c(-1), c(1), EnableWindow, 0, ErrInvalidCode},
		{"fail/same-code-twice", c(0), c(0), EnableWindow, 0, ErrInvalidCode},
		{"fail/first-wrong", wrongCode(t, rfcSeed, nowStep), c(0), EnableWindow, 0, ErrInvalidCode},
		{"fail/second-wrong", c(-1), wrongCode(t, rfcSeed, nowStep), EnableWindow, 0, ErrInvalidCode},
		{"ok/window-0-current", c(-1), c(0), 0, 0, nil},
		{"fail/window-0-next", c(0), c(1), 0, 0, ErrInvalidCode},
		{"fail/negative-window-is-0", c(0), c(1), -5, 0, ErrInvalidCode},
		{"ok/negative-window-current", c(-1), c(0), -5, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := VerifyConsecutive(rfcSeed, tt.code1, tt.code2, now, tt.window)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && step != nowStep+tt.wantStep {
				t.Errorf("step = %d, want %d", step, nowStep+tt.wantStep)
			}
			if err != nil && step != 0 {
				t.Errorf("step = %d on error, want 0", step)
			}
		})
	}
}

func TestVerifyConsecutive_ResyncWindow(t *testing.T) {
	c := func(offset int64) string { return Code(rfcSeed, nowStep+offset) }
	tests := []struct {
		name    string
		offset  int64 // step of the second code, relative to now
		window  int
		wantErr error
	}{
		{"ok/an-hour-behind", -120, ResyncWindow, nil},
		{"ok/a-day-ahead", ResyncWindow, ResyncWindow, nil},
		{"ok/a-day-behind", -ResyncWindow, ResyncWindow, nil},
		{"fail/an-hour-behind-with-enable-window", -120, EnableWindow, ErrInvalidCode},
		{"fail/past-max-window-clamped", MaxWindow + 1, MaxWindow + 100, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := VerifyConsecutive(rfcSeed, c(tt.offset-1), c(tt.offset), now, tt.window)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && step != nowStep+tt.offset {
				t.Errorf("step = %d, want %d", step, nowStep+tt.offset)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	seed := NewSeed()
	code := Code(seed, nowStep)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(seed, code, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyConsecutive_Resync(b *testing.B) {
	seed := NewSeed()
	code1, code2 := Code(seed, nowStep-1), Code(seed, nowStep)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyConsecutive(seed, code1, code2, now, ResyncWindow); err != nil {
			b.Fatal(err)
		}
	}
}
