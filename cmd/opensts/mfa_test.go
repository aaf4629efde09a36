package main

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// rasterize draws terminal half-block text as a terminal would: fg where a
// character has ink, bg elsewhere, each character one pixel wide and two
// high, scaled up.
func rasterize(text string, fg, bg color.Gray) image.Image {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	w := 0
	for _, l := range lines {
		w = max(w, len([]rune(l)))
	}
	const scale = 4
	rows := 2 * len(lines)
	if last := lines[len(lines)-1]; !strings.ContainsAny(last, "█▄") {
		// An odd number of module rows: the last line's lower half is
		// no module at all, only the terminal's background.
		rows--
	}
	img := image.NewGray(image.Rect(0, 0, w*scale, rows*scale))
	for i := range img.Pix {
		img.Pix[i] = bg.Y
	}
	for y, l := range lines {
		for x, r := range []rune(l) {
			top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
			for dy := 0; dy < 2*scale; dy++ {
				if (dy < scale && !top) || (dy >= scale && !bottom) {
					continue
				}
				for dx := 0; dx < scale; dx++ {
					img.SetGray(x*scale+dx, 2*y*scale+dy, fg)
				}
			}
		}
	}
	return img
}

func decodeImage(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// The default drawing scans as light text on a dark terminal; --qr-invert's
// as dark text on a light one.
func TestTerminalQR(t *testing.T) {
	const uri = "otpauth://totp/OpenSTS:bob@111122223333?secret=JBSWY3DPEHPK3PXP&issuer=OpenSTS"
	white, black := color.Gray{Y: 255}, color.Gray{Y: 0}
	for _, c := range []struct {
		invert bool
		fg, bg color.Gray
		what   string
	}{
		{false, white, black, "default on a dark background"},
		{true, black, white, "--qr-invert on a light background"},
	} {
		text, err := terminalQR(uri, c.invert)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeImage(rasterize(text, c.fg, c.bg))
		if err != nil || got != uri {
			t.Errorf("%s: decoded %q, %v", c.what, got, err)
		}
	}
	plain, _ := terminalQR(uri, false)
	inverted, _ := terminalQR(uri, true)
	if plain == inverted {
		t.Error("--qr-invert draws the same code")
	}
}

// Errors of mfa enroll are worded for people: the server's message and
// code, without the SDK's operation and HTTP details.
func TestForPeople(t *testing.T) {
	api := &smithy.OperationError{ServiceID: "IAM", OperationName: "EnableMFADevice",
		Err: fmt.Errorf("https response error StatusCode: 403, RequestID: 1234: %w",
			&smithy.GenericAPIError{Code: "InvalidAuthenticationCode", Message: "Authentication code for device is not valid."})}
	if got := forPeople(api); got != "Authentication code for device is not valid. (InvalidAuthenticationCode)" {
		t.Errorf("forPeople(API error) = %q", got)
	}
	if !isCode(api, "InvalidAuthenticationCode") || isCode(api, "AccessDenied") {
		t.Error("isCode")
	}
	net := &smithy.OperationError{ServiceID: "IAM", OperationName: "CreateVirtualMFADevice", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}
	if got := forPeople(net); !strings.HasPrefix(got, "cannot reach OpenSTS") || strings.Contains(got, "operation error") {
		t.Errorf("forPeople(network error) = %q", got)
	}
}
