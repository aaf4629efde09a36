// Package guard protects a Go HTTP service with OpenSTS: wrap a handler, and
// every request must be signed (AWS Signature Version 4) with OpenSTS
// credentials — long-term keys, GetSessionToken sessions or federated users
// — and be allowed by the signer's policies for the action and resource the
// service names. One round trip to OpenSTS (its AuthorizeRequest action)
// answers both "who signed this?" and "may they?".
//
//	g, _ := guard.New(guard.Config{
//		Endpoint: "https://sts.internal:7070",
//		AccessKeyID: svcKey, SecretAccessKey: svcSecret, // the service's own credentials (needs opensts:AuthorizeRequest)
//		Service: "notes",                                 // the signing name clients use
//		Authorize: func(r *http.Request) (string, string) {
//			return "notes:GetNote", "arn:aws:notes:::note" + r.URL.Path
//		},
//	})
//	http.ListenAndServe(":8080", g.Wrap(mux))
//
// Handlers read the signer with PrincipalFrom(r.Context()). Refusals are
// AWS-style XML errors (AccessDenied, SignatureDoesNotMatch, ExpiredToken, …)
// that AWS SDKs understand.
//
// Imports the standard library and package sigv4 only.
package guard

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opensts/opensts/sigv4"
)

// Config configures a Guard.
type Config struct {
	// Endpoint is the OpenSTS base URL.
	Endpoint string
	// AccessKeyID, SecretAccessKey and SessionToken are the service's own
	// credentials; the service needs opensts:AuthorizeRequest.
	AccessKeyID, SecretAccessKey, SessionToken string
	// Region the service signs its calls to OpenSTS with (default us-east-1).
	Region string
	// Service is the signing name clients must use for this service (the
	// credential scope's service). It is required: a signature made for
	// another service, such as a presigned STS GetCallerIdentity URL that a
	// client handed out to prove who it is, must never pass here.
	Service string
	// Authorize names the action and resource a request asks for. A request
	// for which it returns an empty action is refused.
	Authorize func(r *http.Request) (action, resource string)
	// ResourcePolicy, when set, returns the resource's own policy (a JSON
	// policy document naming principals), evaluated with the signer's.
	ResourcePolicy func(r *http.Request, resource string) string
	// Client calls OpenSTS (default: a client with a 10 s timeout).
	Client *http.Client
	// MaxBodyBytes bounds the request bodies the guard reads (default 512 KiB).
	MaxBodyBytes int64
}

// Principal is who signed a request.
type Principal struct {
	ARN, UserID, Account, Type, AccessKeyID string
	// SessionType is GetSessionToken or GetFederationToken for temporary
	// credentials, empty for long-term keys.
	SessionType string
	MFA         bool
}

// Guard is an http.Handler middleware.
type Guard struct {
	cfg Config
}

// New returns a Guard.
func New(cfg Config) (*Guard, error) {
	if cfg.Endpoint == "" || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" || cfg.Service == "" || cfg.Authorize == nil {
		return nil, errors.New("guard: Endpoint, AccessKeyID, SecretAccessKey, Service and Authorize are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 512 << 10
	}
	cfg.Endpoint = strings.TrimSuffix(cfg.Endpoint, "/")
	return &Guard{cfg: cfg}, nil
}

type principalKey struct{}

// PrincipalFrom returns the signer of the request being served.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Decision is OpenSTS's answer for one request.
type Decision struct {
	Authenticated bool
	Allowed       bool
	Principal     Principal
	// ErrorCode and ErrorMessage explain a request that did not authenticate.
	ErrorCode, ErrorMessage string
	// EncodedMessage is the encoded authorization failure message of a
	// denial, for sts:DecodeAuthorizationMessage.
	EncodedMessage string
}

// Wrap returns a handler that lets only allowed requests reach next.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.cfg.MaxBodyBytes))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is too large.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		action, resource := g.cfg.Authorize(r)
		if action == "" {
			writeError(w, http.StatusForbidden, "AccessDenied", "Access denied")
			return
		}
		d, err := g.Check(r.Context(), r, body, action, resource)
		switch {
		case err != nil:
			writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The authorization service is unavailable.")
		case !d.Authenticated:
			status := http.StatusForbidden
			if d.ErrorCode == "IncompleteSignature" || d.ErrorCode == "MalformedQueryString" {
				status = http.StatusBadRequest
			}
			writeError(w, status, d.ErrorCode, d.ErrorMessage)
		case !d.Allowed:
			msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", d.Principal.ARN, action, resource)
			if d.EncodedMessage != "" {
				// As AWS services do: the client may have it decoded.
				msg += ". Encoded authorization failure message: " + d.EncodedMessage
			}
			writeError(w, http.StatusForbidden, "AccessDenied", msg)
		default:
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, d.Principal)))
		}
	})
}

// Check asks OpenSTS about one request the service received (body already read).
func (g *Guard) Check(ctx context.Context, r *http.Request, body []byte, action, resource string) (Decision, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	form := url.Values{
		"Action":               {"AuthorizeRequest"},
		"Version":              {"2011-06-15"},
		"Method":               {r.Method},
		"Url":                  {scheme + "://" + r.Host + r.URL.RequestURI()},
		"Body":                 {base64.StdEncoding.EncodeToString(body)},
		"SecureTransport":      {strconv.FormatBool(r.TLS != nil)},
		"ActionNames.member.1": {action},
		"Service":              {g.cfg.Service},
	}
	if resource != "" {
		form.Set("ResourceArns.member.1", resource)
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		form.Set("SourceIp", host)
	}
	if g.cfg.ResourcePolicy != nil {
		if rp := g.cfg.ResourcePolicy(r, resource); rp != "" {
			form.Set("ResourcePolicy", rp)
		}
	}
	n := 1
	form.Set("Headers.member.1.Name", "Host")
	form.Set("Headers.member.1.Value", r.Host)
	for name, values := range r.Header {
		for _, v := range values {
			n++
			form.Set("Headers.member."+strconv.Itoa(n)+".Name", name)
			form.Set("Headers.member."+strconv.Itoa(n)+".Value", v)
		}
	}
	payload := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.Endpoint+"/", strings.NewReader(payload))
	if err != nil {
		return Decision{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if err := sigv4.Sign(req, []byte(payload), g.cfg.AccessKeyID, g.cfg.SecretAccessKey, g.cfg.SessionToken, g.cfg.Region, "sts", time.Now()); err != nil {
		return Decision{}, err
	}
	resp, err := g.cfg.Client.Do(req)
	if err != nil {
		return Decision{}, fmt.Errorf("call OpenSTS: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Decision{}, fmt.Errorf("read OpenSTS answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(raw, &e)
		return Decision{}, fmt.Errorf("OpenSTS refused the check: HTTP %d %s: %s", resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	var out struct {
		Response struct {
			Result struct {
				Authenticated, Allowed  string
				ErrorCode, ErrorMessage string
				Principal               struct {
					Arn, UserId, Account, Type, AccessKeyId, SessionType, MultiFactorAuthPresent string
				}
				EvaluationResults []struct{ EncodedAuthorizationMessage string }
			} `json:"AuthorizeRequestResult"`
		} `json:"AuthorizeRequestResponse"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Decision{}, fmt.Errorf("decode OpenSTS answer: %w", err)
	}
	res := out.Response.Result
	p := res.Principal
	encoded := ""
	for _, r := range res.EvaluationResults {
		if encoded == "" {
			encoded = r.EncodedAuthorizationMessage
		}
	}
	return Decision{
		EncodedMessage: encoded,
		Authenticated:  res.Authenticated == "true",
		Allowed:        res.Allowed == "true",
		ErrorCode:      res.ErrorCode,
		ErrorMessage:   res.ErrorMessage,
		Principal: Principal{ARN: p.Arn, UserID: p.UserId, Account: p.Account, Type: p.Type, AccessKeyID: p.AccessKeyId,
			SessionType: p.SessionType, MFA: p.MultiFactorAuthPresent == "true"},
	}, nil
}

// writeError answers an AWS-style XML error, which AWS SDKs parse.
func writeError(w http.ResponseWriter, status int, code, message string) {
	var b bytes.Buffer
	b.WriteString("<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n    <Code>")
	xmlEscape(&b, code)
	b.WriteString("</Code>\n    <Message>")
	xmlEscape(&b, message)
	b.WriteString("</Message>\n  </Error>\n</ErrorResponse>\n")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func xmlEscape(b *bytes.Buffer, s string) {
	b.WriteString(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s))
}
