package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	qrcode "github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/totp"
)

func newMFACommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{Use: "mfa", Short: "Enrol and import MFA devices"})
	cmd.AddCommand(newEnrollCommand(), newImportHardwareCommand())
	return cmd
}

type enrollConfig struct {
	User       string
	DeviceName string
	Path       string
	PNG        string
	Endpoint   string
	Profile    string
	Region     string
	QRInvert   bool
}

func newEnrollCommand() *cobra.Command {
	var c enrollConfig
	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "Create a virtual MFA device, show its QR code and enable it with two codes",
		Long: `Enrol an authenticator app for a user, over the IAM API of a running server.

The command creates a virtual MFA device, draws its QR code in the terminal
(and writes the PNG with --png), then asks for two consecutive codes from the
app and enables the device. Credentials, region and endpoint come from the
usual AWS environment variables (AWS_ACCESS_KEY_ID, AWS_PROFILE,
AWS_ENDPOINT_URL, …) or the shared config files; --endpoint-url overrides.
Without --user the device is enrolled for the caller (the account root or the
calling IAM user).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEnroll(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.User, "user", "", "IAM user to enrol (default: the caller)")
	f.StringVar(&c.DeviceName, "device-name", "", "virtual device name (default: the user name, or root)")
	f.StringVar(&c.Path, "path", "", "virtual device path (default /)")
	f.StringVar(&c.PNG, "png", "", "also write the QR code PNG to this file")
	f.StringVar(&c.Endpoint, "endpoint-url", "", "OpenSTS endpoint (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, or the profile's)")
	f.StringVar(&c.Profile, "profile", "", "AWS profile to use")
	f.StringVar(&c.Region, "region", "", "region to sign with (default: the profile's, else us-east-1)")
	f.BoolVar(&c.QRInvert, "qr-invert", false, "draw the QR code for a light terminal background (dark blocks on light); the default suits light text on a dark background")
	return withEnv(cmd)
}

// skipValidation lets the account root omit UserName, which the SDK's model
// requires; OpenSTS then acts on the caller.
func skipValidation(o *iam.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

func iamClient(ctx context.Context, c enrollConfig) (*iam.Client, error) {
	var opts []func(*config.LoadOptions) error
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	}), nil
}

func runEnroll(ctx context.Context, stdin io.Reader, out io.Writer, c enrollConfig) error {
	client, err := iamClient(ctx, c)
	if err != nil {
		return err
	}
	name := c.DeviceName
	if name == "" {
		name = c.User
	}
	if name == "" {
		name = "root"
	}
	var user *string
	if c.User != "" {
		user = aws.String(c.User)
	}
	in := &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}
	if c.Path != "" {
		in.Path = aws.String(c.Path)
	}
	created, err := client.CreateVirtualMFADevice(ctx, in)
	if err != nil {
		msg := "could not create the virtual MFA device " + name + ": " + forPeople(err)
		if isCode(err, "EntityAlreadyExists") {
			msg += "; choose another --device-name, or delete the old device (aws iam delete-virtual-mfa-device --serial-number …)"
		}
		return errors.New(msg)
	}
	dev := created.VirtualMFADevice
	serial := aws.ToString(dev.SerialNumber)
	seed, err := totp.DecodeSeed(string(dev.Base32StringSeed))
	if err != nil {
		return fmt.Errorf("the server returned an unreadable seed: %w", err)
	}
	account := accountOf(serial)
	uri := totp.URI(name, account, seed)
	qr, err := terminalQR(uri, c.QRInvert)
	if err != nil {
		return abandon(ctx, client, serial, fmt.Errorf("draw QR code: %w", err))
	}
	hint := "(on a light terminal background, rerun with --qr-invert if it does not scan)"
	if c.QRInvert {
		hint = "(drawn for a light background; without --qr-invert for a dark one)"
	}
	fmt.Fprintf(out, "Scan this QR code with your authenticator app %s:\n\n%s\n", hint, qr)
	fmt.Fprintf(out, "Or enter this key by hand: %s\n\nDevice serial number: %s\n\n", string(dev.Base32StringSeed), serial)
	if c.PNG != "" {
		if err := os.WriteFile(c.PNG, dev.QRCodePNG, 0o600); err != nil {
			return fmt.Errorf("write PNG: %w", err)
		}
		fmt.Fprintf(out, "QR code written to %s\n\n", c.PNG)
	}
	// Lines are read beside the prompts, so that Ctrl-C or SIGTERM (which
	// cancel ctx) stop a prompt that waits for input, and the device is
	// deleted as on end of input.
	type line struct {
		text string
		err  error
	}
	lines, done := make(chan line), make(chan struct{})
	defer close(done)
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- line{text: sc.Text()}:
			case <-done:
				return
			}
		}
		err := sc.Err()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		select {
		case lines <- line{err: err}:
		case <-done:
		}
	}()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		select {
		case <-ctx.Done():
			fmt.Fprintln(out)
			return "", fmt.Errorf("enrolment interrupted: %w", context.Cause(ctx))
		case l := <-lines:
			return strings.TrimSpace(l.text), l.err
		}
	}
	for attempt := 1; ; attempt++ {
		code1, err := ask("First code from the app: ")
		if err != nil {
			return abandon(ctx, client, serial, err)
		}
		code2, err := ask("Next code (wait for the app to show a new one): ")
		if err != nil {
			return abandon(ctx, client, serial, err)
		}
		_, err = client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
			UserName: user, SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2),
		}, skipValidation)
		if err == nil {
			fmt.Fprintf(out, "\nMFA device %s is enabled. Use it with:\n  aws sts get-session-token --serial-number %s --token-code <code>\n", serial, serial)
			return nil
		}
		if !isCode(err, "InvalidAuthenticationCode") {
			return abandon(ctx, client, serial, fmt.Errorf("could not enable the MFA device: %s", forPeople(err)))
		}
		if attempt == 3 {
			return abandon(ctx, client, serial, errors.New("the codes were not accepted three times; check that the phone's clock is set automatically, then run the command again"))
		}
		fmt.Fprintln(out, "Those codes were not accepted. Enter two codes in a row as the app shows them: the second only after the app changes it (every 30 seconds). If it keeps failing, check that the phone's clock is set automatically. Try again.")
	}
}

// terminalQR draws a QR code with half-block characters, two rows a line.
// By default the blocks are the light modules (the quiet zone included), so
// it scans where the terminal draws light text on a dark background; invert
// draws the dark modules, for dark text on a light background.
func terminalQR(content string, invert bool) (string, error) {
	qr, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", err
	}
	return qr.ToSmallString(invert), nil
}

// isCode reports whether err is an AWS API error with this code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// forPeople words an SDK error for a person at a terminal: the server's
// message and code, not the SDK's operation and HTTP details; for a failure
// to reach the server, what was tried.
func forPeople(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			return ae.ErrorCode()
		}
		return msg + " (" + ae.ErrorCode() + ")"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		err = oe.Unwrap()
	}
	return "cannot reach OpenSTS (check --endpoint-url or AWS_ENDPOINT_URL, and that the server runs): " + err.Error()
}

// abandon deletes the device a failed enrolment created, so a retry can use
// the same name.
func abandon(ctx context.Context, client *iam.Client, serial string, cause error) error {
	// The cleanup runs even when ctx was cancelled by a signal.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if _, err := client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		return errors.Join(cause, fmt.Errorf("delete the unfinished device %s: %w", serial, err))
	}
	return cause
}

// accountOf reads the account id from a virtual device ARN.
func accountOf(serial string) string {
	acct, _, _, _, ok := opensts.ParseIAMARN(serial)
	if !ok {
		return ""
	}
	return acct
}

func newImportHardwareCommand() *cobra.Command {
	var sf storeFlags
	var file string
	var skipExisting bool
	cmd := &cobra.Command{
		Use:   "import-hardware",
		Short: "Register OATH TOTP hardware tokens from a vendor seed file",
		Long: `Register hardware TOTP tokens (SHA-1, 30 s, 6 digits) in the default account
from the seed file their vendor shipped: RFC 6030 PSKC XML with plaintext
secrets, or text lines "serial,seed" with hex or base32 seeds. Seeds are
encrypted at rest like every secret. Each token can then be enabled for a
user with EnableMFADevice (aws iam enable-mfa-device --serial-number <serial>),
as with AWS hardware tokens. Works directly on the store, like the server
(same --data-dir/--store and master key). The import is recorded in the
server's audit trail (--audit-log) as ImportHardwareMFADevices.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			tokens, err := totp.ParseSeedFile(f)
			if err != nil {
				return err
			}
			st, box, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			n, skipped, err := node.ImportHardwareTokens(ctx, st, box, tokens, skipExisting)
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d hardware token(s), skipped %d already registered\n", n, skipped)
			params := sf.storeParams()
			serials := make([]any, len(tokens))
			for i, t := range tokens {
				serials[i] = t.Serial
			}
			abs, aerr := filepath.Abs(file)
			if aerr != nil {
				abs = file
			}
			params["file"], params["skipExisting"], params["serialNumbers"] = abs, skipExisting, serials
			return errors.Join(err, sf.record(ctx, cmd, st, "ImportHardwareMFADevices", params, map[string]any{"imported": n, "skipped": skipped}, err))
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "seed file (PSKC XML or serial,seed lines)")
	sf.add(cmd)
	cmd.Flags().BoolVar(&skipExisting, "skip-existing", false, "skip serial numbers that are already registered instead of failing")
	_ = cmd.MarkFlagRequired("file")
	return withEnv(cmd)
}
