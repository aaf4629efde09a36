package totp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// Seeds used in the seed-file fixtures.
var (
	seedA = rfcSeed              // hex 3132…3930, base32 GEZDGNBV…
	seedB = bytesRange(0, 20)    // hex 0001…13
	seedC = bytesRange(100, 132) // hex 6465…8283, 32 bytes
	hexA  = hex.EncodeToString(seedA)
	b32B  = EncodeSeed(seedB)
	b64A  = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=" // base64 of seedA
	b64B  = "AAECAwQFBgcICQoLDA0ODxAREhM=" // base64 of seedB
	long  = strings.Repeat("S", 256)       // longest serial
	okAB  = []HardwareToken{{"GAHT12345678", seedA}, {"GAHT12345679", seedB}}
	okABC = append(append([]HardwareToken{}, okAB...), HardwareToken{"GAHT12345680", seedC})
)

func bytesRange(from, to int) []byte {
	b := make([]byte, 0, to-from)
	for i := from; i < to; i++ {
		b = append(b, byte(i))
	}
	return b
}

func mustReadFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pskc", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// pskc wraps key packages in a default-namespace KeyContainer.
func pskc(packages ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
` + strings.Join(packages, "\n") + `
</KeyContainer>
`
}

// keyPackage is one TOTP KeyPackage; data replaces the Data element's
// children and params the AlgorithmParameters' when not empty.
func keyPackage(serial, algorithm, params, data string) string {
	if algorithm == "" {
		algorithm = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
	}
	if params == "" {
		params = `<ResponseFormat Length="6" Encoding="DECIMAL"/>`
	}
	return `  <KeyPackage>
    <DeviceInfo><SerialNo>` + serial + `</SerialNo></DeviceInfo>
    <Key Id="` + serial + `" Algorithm="` + algorithm + `">
      <AlgorithmParameters>` + params + `</AlgorithmParameters>
      <Data>` + data + `</Data>
    </Key>
  </KeyPackage>`
}

func secret(b64 string) string {
	return `<Secret><PlainValue>` + b64 + `</PlainValue></Secret>`
}

func TestParseSeedFile(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []HardwareToken
	}{
		{"ok/csv-hex", "GAHT12345678," + hexA + "\n", okAB[:1]},
		{"ok/csv-base32", "GAHT12345678,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", okAB[:1]},
		{"ok/csv-hex-upper-0x", "GAHT12345678,0X" + strings.ToUpper(hexA), okAB[:1]},
		{"ok/csv-spaces-around-fields", "  GAHT12345678 ,  " + hexA + "  ", okAB[:1]},
		{"ok/whitespace-hex", "GAHT12345678 " + hexA, okAB[:1]},
		{"ok/whitespace-grouped-base32", "GAHT12345678   GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", okAB[:1]},
		{"ok/whitespace-grouped-hex", "GAHT12345678 3132 3334 3536 3738 3930 3132 3334 3536 3738 3930", okAB[:1]},
		{"ok/tab-separated", "GAHT12345678\t" + hexA + "\nGAHT12345679\t" + b32B, okAB},
		{"ok/semicolon-quoted-with-header", "\"Serial Number\";\"Secret Key\"\n\"GAHT12345678\";\"" + hexA + "\"\n", okAB[:1]},
		{"ok/lower-case-base32-padded", "GAHT12345679," + strings.ToLower(b32B) + "====", okAB[1:]},
		{
			"ok/bom-crlf-comments-blank-lines-header",
			"\ufeff# exported 2026-05-01\r\nserial,seed\r\n\r\n  # indented comment\r\nGAHT12345678," + hexA + "  # first\r\n\r\nGAHT12345679," + b32B + "\r\n",
			okAB,
		},
		{"ok/header-sn-secret", "SN secret\nGAHT12345678 " + hexA, okAB[:1]},
		{"ok/header-token-id-otp-key", "Token ID,OTP Key\nGAHT12345678," + hexA, okAB[:1]},
		{"ok/trailing-empty-columns", "GAHT12345678," + hexA + ",,\n", okAB[:1]},
		{"ok/no-final-newline", "GAHT12345678," + hexA + "\nGAHT12345679," + b32B, okAB},
		{"ok/serial-9-chars", "GAHT12345," + hexA, []HardwareToken{{"GAHT12345", seedA}}},
		{"ok/serial-256-chars", long + "," + hexA, []HardwareToken{{long, seedA}}},
		{"ok/serial-iam-punctuation", "hw_token+1=a.b@c-d:/x " + hexA, []HardwareToken{{"hw_token+1=a.b@c-d:/x", seedA}}},
		{"ok/text-fixture", mustReadFile(t, "plain.csv"), okABC},
		{"ok/pskc-fixture", mustReadFile(t, "plain.pskc"), okABC},
		{"ok/pskc-default-namespace", pskc(keyPackage("GAHT12345678", "", "", secret(b64A))), okAB[:1]},
		{
			"ok/pskc-no-namespace-no-parameters",
			`<KeyContainer><KeyPackage><DeviceInfo><SerialNo>GAHT12345679</SerialNo></DeviceInfo>` +
				`<Key Algorithm="URN:IETF:PARAMS:XML:NS:KEYPROV:PSKC:TOTP"><Data>` + secret(b64B) + `</Data></Key></KeyPackage></KeyContainer>`,
			okAB[1:],
		},
		{
			"ok/pskc-leading-whitespace-and-doctype-free-comment",
			"\n\n  <!-- batch 7 -->\n" + pskc(keyPackage("GAHT12345678", "", "", secret(b64A))),
			okAB[:1],
		},
		{
			"ok/pskc-suite-variants",
			pskc(
				keyPackage("GAHT12345678", "", "<Suite>sha-1</Suite>", secret(b64A)),
				keyPackage("GAHT12345679", "", "<Suite>HMAC-SHA-1</Suite>", secret(b64B)),
			),
			okAB,
		},
		{
			"ok/pskc-unknown-elements-ignored",
			pskc(`<MACMethod Algorithm="x"/>`, keyPackage("GAHT12345678", "", "", secret(b64A)+`<TimeDrift><PlainValue>2</PlainValue></TimeDrift>`), `<Signature/>`),
			okAB[:1],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSeedFile(strings.NewReader(tt.input))
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSeedFile_Errors(t *testing.T) {
	shortSeed := "JBSWY3DPEHPK3PXP" // 10 bytes
	longHex := strings.Repeat("ab", 65)
	tests := []struct {
		name    string
		input   string
		line    int    // SeedFileError.Line
		element string // substring of SeedFileError.Element
		is      error  // errors.Is target, if any
		msg     string // substring of the message
		secrets []string
	}{
		{"fail/empty", "", 0, "", nil, "no tokens found", nil},
		{"fail/only-comments", "# nothing here\n\n   \n", 0, "", nil, "no tokens found", nil},
		{"fail/header-only", "serial,seed\n", 0, "", nil, "no tokens found", nil},
		{"fail/one-field", "GAHT12345678\n", 1, "", nil, "want 2 fields (serial, seed), found 1", nil},
		{"fail/three-columns", "GAHT12345678," + hexA + ",30\n", 1, "", nil, "found 3", []string{hexA}},
		{"fail/seed-not-hex-or-base32", "GAHT12345678,%%bad%%value%%", 1, "", nil, "seed is neither hex nor base32", []string{"bad%%value"}},
		{"fail/bad-seed-after-header", "serial,seed\nGAHT12345678,%%bad%%value%%", 2, "", nil, "seed is neither hex nor base32", []string{"bad%%value"}},
		{"fail/first-line-with-word-in-seed-is-not-a-header", "GAHT12345678,my secret\nGAHT12345679," + b32B, 1, "", nil, "seed is 5 bytes", []string{"my secret", b32B}},
		{"fail/header-not-on-first-line", "GAHT12345678," + hexA + "\nserial,seed\n", 2, "", nil, "serial number is not", []string{hexA}},
		{"fail/odd-hex-is-not-base32-either", "GAHT12345678,313233343536373839303132333435363738393", 1, "", nil, "neither hex nor base32", []string{"3132333435"}},
		{"fail/bad-0x-hex", "GAHT12345678,0x31323334353637383930313233343536373839ZZ", 1, "", nil, "seed is not valid hex", []string{"31323334353637"}},
		{"fail/short-seed", "GAHT12345678," + shortSeed, 1, "", nil, "seed is 10 bytes, want 16 to 64", []string{shortSeed}},
		{"fail/long-seed", "GAHT12345678," + longHex, 1, "", nil, "seed is 65 bytes", []string{longHex[:20]}},
		{"fail/serial-too-short", "GAHT1234," + hexA, 1, "", nil, "serial number is not 9–256 characters", []string{hexA}},
		{"fail/serial-too-long", long + "S," + hexA, 1, "", nil, "serial number", []string{hexA}},
		{"fail/serial-bad-character", "GAHT!2345678," + hexA, 1, "", nil, "serial number", []string{hexA}},
		{
			"fail/swapped-columns",
			"# header-less\n" + hexA + ",GAHT12345678\n", 2, "", nil, "seed is neither hex nor base32",
			[]string{hexA, "GAHT12345678"},
		},
		{
			"fail/swapped-columns-base32-serial-quote-neither",
			hexA + ",GAHTQWERTYUI\n", 1, "", nil, "seed is 7 bytes",
			[]string{hexA, "GAHTQWERTYUI"},
		},
		{
			"fail/duplicate-serial-any-case",
			"serial,seed\nGAHT12345678," + hexA + "\n# x\ngaht12345678," + b32B + "\n", 4, "", nil, "duplicate serial number (first at line 2)",
			[]string{hexA, b32B},
		},
		{
			"fail/duplicate-seed",
			"GAHT12345678," + hexA + "\nGAHT12345679,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", 2, "", nil, "same seed as the token at line 1",
			[]string{hexA, "GEZDGNBVGY3TQOJQ"},
		},
		{"fail/pskc-encrypted-fixture", mustReadFile(t, "encrypted.pskc"), 9, "EncryptionKey", ErrEncryptedPSKC, "not supported", nil},
		{
			"fail/pskc-encrypted-value-only",
			pskc(keyPackage("GAHT12345678", "", "", `<Secret><EncryptedValue><CipherData><CipherValue>`+b64A+`</CipherValue></CipherData></EncryptedValue></Secret>`)),
			3, "KeyPackage 1, serial GAHT12345678", ErrEncryptedPSKC, "encrypted PSKC", []string{b64A},
		},
		{
			"fail/pskc-hotp",
			pskc(keyPackage("GAHT12345678", "urn:ietf:params:xml:ns:keyprov:pskc:hotp", "", secret(b64A)+`<Counter><PlainValue>0</PlainValue></Counter>`)),
			3, "KeyPackage 1, serial GAHT12345678", nil, "event-based (HOTP) token", []string{b64A},
		},
		{
			"fail/pskc-other-algorithm",
			pskc(keyPackage("GAHT12345678", "urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1", "", secret(b64A))),
			3, "KeyPackage 1", nil, "algorithm (Key Algorithm) is not urn:ietf:params:xml:ns:keyprov:pskc:totp", []string{b64A},
		},
		{
			"fail/pskc-second-package-60s-step",
			pskc(
				keyPackage("GAHT12345678", "", "", secret(b64A)),
				keyPackage("GAHT12345679", "", "", secret(b64B)+`<TimeInterval><PlainValue>60</PlainValue></TimeInterval>`),
			),
			10, "KeyPackage 2, serial GAHT12345679", nil, "time step (TimeInterval) is 60 s: only 30 s tokens are supported", []string{b64A, b64B},
		},
		{
			"fail/pskc-8-digits",
			pskc(keyPackage("GAHT12345678", "", `<ResponseFormat Length="8" Encoding="DECIMAL"/>`, secret(b64A))),
			3, "KeyPackage 1", nil, "code length (ResponseFormat Length) is not 6", []string{b64A},
		},
		{
			"fail/pskc-hex-response",
			pskc(keyPackage("GAHT12345678", "", `<ResponseFormat Length="6" Encoding="HEXADECIMAL"/>`, secret(b64A))),
			3, "KeyPackage 1", nil, "code encoding (ResponseFormat Encoding) is not DECIMAL", []string{b64A},
		},
		{
			"fail/pskc-sha256",
			pskc(keyPackage("GAHT12345678", "", `<Suite>HMAC-SHA256</Suite>`, secret(b64A))),
			3, "KeyPackage 1", nil, "hash (Suite) is not SHA1", []string{b64A},
		},
		{
			"fail/pskc-time-not-zero",
			pskc(keyPackage("GAHT12345678", "", "", secret(b64A)+`<Time><PlainValue>1700000000</PlainValue></Time>`)),
			3, "KeyPackage 1", nil, "start (Time) is not 0", []string{b64A},
		},
		{
			"fail/pskc-time-interval-not-integer",
			pskc(keyPackage("GAHT12345678", "", "", secret(b64A)+`<TimeInterval><PlainValue>30s</PlainValue></TimeInterval>`)),
			3, "KeyPackage 1", nil, "time step (TimeInterval) PlainValue is not an integer", []string{b64A},
		},
		{
			"fail/pskc-time-interval-encrypted",
			pskc(keyPackage("GAHT12345678", "", "", secret(b64A)+`<TimeInterval><EncryptedValue/></TimeInterval>`)),
			3, "KeyPackage 1", ErrEncryptedPSKC, "encrypted", []string{b64A},
		},
		{"fail/pskc-no-secret", pskc(keyPackage("GAHT12345678", "", "", "")), 3, "KeyPackage 1", nil, "no secret (Data/Secret)", nil},
		{"fail/pskc-secret-without-value", pskc(keyPackage("GAHT12345678", "", "", "<Secret/>")), 3, "KeyPackage 1", nil, "secret has no PlainValue", nil},
		{
			"fail/pskc-secret-not-base64",
			pskc(keyPackage("GAHT12345678", "", "", secret("MTIzNDU2Nzg5MDEy*zQ1Njc4OTA="))),
			3, "KeyPackage 1", nil, "secret PlainValue is not base64", []string{"MTIzNDU2Nzg5MDEy"},
		},
		{
			"fail/pskc-short-secret",
			pskc(keyPackage("GAHT12345678", "", "", secret("MTIzNDU2Nzg5MA=="))),
			3, "KeyPackage 1, serial GAHT12345678", nil, "seed is 10 bytes", []string{"MTIzNDU2Nzg5MA"},
		},
		{
			"fail/pskc-invalid-serial-not-quoted",
			pskc(keyPackage("SN-1", "", "", secret(b64A))),
			3, "KeyPackage 1", nil, "serial number is not 9–256 characters", []string{b64A, "SN-1"},
		},
		{
			"fail/pskc-duplicate-serial",
			pskc(keyPackage("GAHT12345678", "", "", secret(b64A)), keyPackage("GAHT12345678", "", "", secret(b64B))),
			10, "KeyPackage 2", nil, "duplicate serial number (first at line 3)", []string{b64A, b64B},
		},
		{"fail/pskc-no-key", pskc(`<KeyPackage><DeviceInfo><SerialNo>GAHT12345678</SerialNo></DeviceInfo></KeyPackage>`), 3, "KeyPackage 1", nil, "key package has no Key", nil},
		{"fail/pskc-no-packages", pskc(), 0, "", nil, "no tokens found", nil},
		{"fail/pskc-wrong-root", "<html><body>" + b64A + "</body></html>", 1, "", nil, "root element is not a PSKC KeyContainer", []string{b64A}},
		{
			"fail/pskc-truncated",
			strings.TrimSuffix(pskc(keyPackage("GAHT12345678", "", "", secret(b64A))), "</KeyContainer>\n"),
			10, "", nil, "malformed XML", []string{b64A},
		},
		{
			"fail/pskc-mismatched-tag",
			pskc(`<KeyPackage><Key><Data><Secret><PlainValue>` + b64A + `</Secret></Data></Key></KeyPackage>`),
			3, "", nil, "malformed XML", []string{b64A},
		},
		{
			"fail/pskc-entity-not-expanded",
			`<!DOCTYPE KeyContainer [<!ENTITY s "` + b64A + `">]>` + "\n" + pskc(keyPackage("GAHT12345678", "", "", secret("&s;"))),
			0, "", nil, "malformed XML", []string{b64A},
		},
		{
			"fail/pskc-latin1",
			`<?xml version="1.0" encoding="ISO-8859-1"?><KeyContainer/>`,
			1, "", nil, "character encoding other than UTF-8", nil,
		},
		{"fail/xml-without-root", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n", 0, "", nil, "no KeyContainer element", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSeedFile(strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("accepted: %d tokens", len(got))
			}
			checkSeedFileError(t, err, tt.line, tt.element, tt.is, tt.msg, tt.secrets)
		})
	}
}

func checkSeedFileError(t *testing.T, err error, line int, element string, is error, msg string, secrets []string) {
	t.Helper()
	var sfe *SeedFileError
	if !errors.As(err, &sfe) {
		t.Fatalf("err = %T %v, want *SeedFileError", err, err)
	}
	if line != 0 && sfe.Line != line {
		t.Errorf("Line = %d, want %d (%v)", sfe.Line, line, err)
	}
	if !strings.Contains(sfe.Element, element) || (element == "" && sfe.Element != "") {
		t.Errorf("Element = %q, want %q (%v)", sfe.Element, element, err)
	}
	if is != nil && !errors.Is(err, is) {
		t.Errorf("err = %v, want errors.Is %v", err, is)
	}
	if !strings.HasPrefix(err.Error(), "seed file") || !strings.Contains(err.Error(), msg) {
		t.Errorf("message %q does not contain %q", err.Error(), msg)
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(s)) {
			t.Errorf("message %q quotes secret material %q", err.Error(), s)
		}
	}
}

func TestParseSeedFile_Reader(t *testing.T) {
	t.Run("fail/read-error", func(t *testing.T) {
		_, err := ParseSeedFile(iotest.ErrReader(errors.New("disk on fire")))
		checkSeedFileError(t, err, 0, "", nil, "read: disk on fire", nil)
	})
	t.Run("fail/too-large", func(t *testing.T) {
		if maxSeedFileSize != 16<<20 {
			t.Fatalf("limit is %d, documented 16 MiB", maxSeedFileSize)
		}
		defer func(n int64) { maxSeedFileSize = n }(maxSeedFileSize)
		maxSeedFileSize = 1 << 20 // the same code path, 16 times cheaper under -race
		_, err := ParseSeedFile(io.LimitReader(repeatReader('#'), maxSeedFileSize+1))
		checkSeedFileError(t, err, 0, "", nil, "larger than 1 MiB", nil)
		got, err := ParseSeedFile(io.MultiReader(io.LimitReader(repeatReader('#'), maxSeedFileSize-100), strings.NewReader("\nGAHT12345678,"+hexA)))
		if err != nil || len(got) != 1 {
			t.Fatalf("file just under the limit: %d tokens, err %v", len(got), err)
		}
	})
	t.Run("ok/seeds-not-aliased", func(t *testing.T) {
		got, err := ParseSeedFile(strings.NewReader("GAHT12345678," + hexA))
		if err != nil {
			t.Fatal(err)
		}
		got[0].Seed[0] ^= 0xff
		if bytes.Equal(got[0].Seed, seedA) || seedA[0] != '1' {
			t.Fatal("seed shares memory with a fixture")
		}
	})
}

// repeatReader reads its byte forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	block := bytes.Repeat([]byte{byte(r)}, 4096)
	n := 0
	for n < len(p) {
		n += copy(p[n:], block)
	}
	return n, nil
}
