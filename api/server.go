package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/issuer"
	"github.com/opensts/opensts/sigv4"
	"github.com/opensts/opensts/throttle"
)

// DefaultMaxBodyBytes bounds a request body. The largest legitimate body is
// a 131,072-character IAM policy document, percent-encoded.
const DefaultMaxBodyBytes = 1 << 20

// Config wires a Server.
type Config struct {
	Authenticator *access.Authenticator
	Authorizer    *access.Authorizer
	Issuer        *issuer.Issuer
	IAM           *iam.Service
	Logger        *slog.Logger
	Now           func() time.Time
	// RequestID returns a new request id; the default is a random UUID.
	RequestID    func() string
	MaxBodyBytes int64
	Metrics      *Metrics
	// Throttle, when set, limits request rates per source IP and per
	// access key (AWS's Throttling, "Rate exceeded").
	Throttle *throttle.Limiter
	// MaxConcurrent bounds requests in progress; beyond it requests are
	// refused at once with ServiceUnavailable (0: no bound).
	MaxConcurrent int
	// Messages encodes authorization failure messages for AuthorizeRequest
	// and decodes them for DecodeAuthorizationMessage (nil: neither).
	Messages *access.Messages
	// Auditor records every credential issued or refused and every IAM
	// mutation before the answer is sent (nil: no audit trail).
	Auditor opensts.Auditor
	// Region is reported in audit records when a request names none.
	Region string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for the client address.
	TrustedProxies []netip.Prefix
}

// Server is the Query-protocol handler.
type Server struct {
	cfg   Config
	log   *slog.Logger
	slots chan struct{}
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Authenticator == nil || cfg.Authorizer == nil || cfg.Issuer == nil || cfg.IAM == nil {
		return nil, errors.New("api: Authenticator, Authorizer, Issuer and IAM are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestID == nil {
		cfg.RequestID = newUUID
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	srv := &Server{cfg: cfg, log: cfg.Logger}
	if cfg.MaxConcurrent > 0 {
		srv.slots = make(chan struct{}, cfg.MaxConcurrent)
	}
	return srv, nil
}

// service is STS or IAM: its version, namespace and operations.
type service struct {
	name      string // signing name: "sts" or "iam"
	version   string
	namespace string
	endpoint  string // CloudTrail eventSource
	ops       map[string]*operation
}

// call is one request in flight.
type call struct {
	start  time.Time
	r      *http.Request
	p      params
	caller *opensts.Principal
	// identity is, for an unsigned operation, who the handler found the
	// caller to be (a web identity), for the audit trail.
	identity  *opensts.EventIdentity
	sig       *sigv4.Request
	requestID string
	sourceIP  string  // clientIP, found once for throttling, conditions and the audit
	body      *[]byte // the request body's pooled buffer, until the answer is written
	// auditParams is the request's parameters as its audit record's payload.
	auditParams auditParams
}

var (
	stsService = &service{name: "sts", version: "2011-06-15", namespace: nsSTS, endpoint: "sts.amazonaws.com"}
	iamService = &service{name: "iam", version: "2010-05-08", namespace: nsIAM, endpoint: "iam.amazonaws.com"}
)

func init() {
	stsService.ops = opsByName(stsOperations)
	iamService.ops = opsByName(iamOperations)
}

func opsByName(ops []*operation) map[string]*operation {
	m := make(map[string]*operation, len(ops))
	for _, op := range ops {
		op.response, op.result = op.name+"Response", op.name+"Result"
		m[op.name] = op
	}
	return m
}

func serviceFor(version string) *service {
	switch version {
	case stsService.version:
		return stsService
	case iamService.version:
		return iamService
	}
	return nil
}

// ServeHTTP handles one Query-protocol request.
//
// The order bounds what a client can cost before it is authenticated: the
// method and the source address's rate are checked first, then the body is
// read (at most MaxBodyBytes, within the server's read timeout) and decoded
// within fixed bounds, and only then is a MaxConcurrent slot taken. A client
// that trickles its body holds a connection, never a slot.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	c := &call{r: r, requestID: s.cfg.RequestID(), start: start, sourceIP: s.clientIP(r)}
	w.Header().Set("x-amzn-RequestId", c.requestID)
	ctx := r.Context()
	svc, body, err := s.read(w, c)
	if err == nil && s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		default:
			err = errBusy
		}
	}
	var op *operation
	if err == nil {
		svc, op, err = s.prepare(ctx, c, svc, body)
	}
	var result *node
	if err == nil {
		ri := access.RequestInfo{SourceIP: c.sourceIP, SecureTransport: r.TLS != nil, Region: s.cfg.Region, UserAgent: r.UserAgent(), Time: start}
		if c.sig != nil { // unsigned operations have no credential scope
			ri.Region = c.sig.Region
		}
		ctx = access.WithRequestInfo(ctx, ri)
		result, err = s.invoke(ctx, op, c)
	}
	s.finish(ctx, w, c, svc, op, result, err)
	c.release()
}

// bodyPool holds request-body buffers. The body is read into one, kept
// for the signature check, and given back when the request is answered:
// the parameters decoded from it are copies.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledBody bounds the buffers kept: one grown by a rare large body
// (a policy document near its limit) is left to the collector.
const maxPooledBody = 64 << 10

// release gives the call's body buffer back.
func (c *call) release() {
	if c.body != nil && cap(*c.body) <= maxPooledBody {
		*c.body = (*c.body)[:0]
		bodyPool.Put(c.body)
	}
	c.body = nil
}

// readAll reads r to its end, appending to b.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// finish audits, answers and observes a request. The audit record is
// written before the answer, so nothing is acknowledged unaudited.
func (s *Server) finish(ctx context.Context, w http.ResponseWriter, c *call, svc *service, op *operation, result *node, err error) {
	if svc == nil {
		svc = stsService
	}
	name := c.p.value("Action")
	if op != nil {
		name = op.name
	}
	var we *wireError
	if err != nil {
		e := toWire(err, svc)
		we = &e
	}
	if s.cfg.Auditor != nil && op != nil && op.audited() {
		s.audit(ctx, c, svc, op, result, we)
	}
	code := ""
	if err == nil {
		s.writeResult(w, c.r, svc, op, c, result)
	} else {
		code = we.Code
		s.writeError(ctx, w, c.r, svc, c, err, *we)
	}
	s.observe(ctx, c, svc, name, code, c.start, err)
}

// read checks the method and the source address's rate, reads the body and
// decodes the parameters, and finds the service the request's Version names
// (nil when it names none OpenSTS serves). Its cost is bounded by the body
// limit and decodeParams' bounds, whoever the client is.
func (s *Server) read(w http.ResponseWriter, c *call) (*service, []byte, error) {
	r := c.r
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, nil, errMethod
	}
	if t := s.cfg.Throttle; t != nil && !t.AllowIP(c.sourceIP) {
		return nil, nil, opensts.ErrThrottled
	}
	c.body = bodyPool.Get().(*[]byte)
	body, err := readAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes), (*c.body)[:0])
	*c.body = body
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, nil, errBodyTooLarge
		}
		return nil, nil, &malformedInputError{msg: "The request body could not be read."}
	}
	c.p, err = decodeParams(body, isFormContent(r.Header.Get("Content-Type")), r.URL.RawQuery)
	if err != nil {
		return nil, nil, err
	}
	if version := c.p.get("Version"); version != nil {
		return serviceFor(*version), body, nil
	}
	return nil, body, nil
}

// isFormContent reports whether a Content-Type names a URL-encoded form,
// whatever its parameters (charset=utf-8): the media type before any ";",
// without case, as mime.ParseMediaType reads it, but without building the
// parameter map every request would pay for.
func isFormContent(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}

// prepare finds the request's operation and then authenticates it as the
// operation requires. svc is the service the request's Version names, nil
// when it names none. An action OpenSTS does not serve is InvalidAction
// whether or not the request is signed; a request naming no action is
// authenticated first, then refused as MissingAction.
func (s *Server) prepare(ctx context.Context, c *call, svc *service, body []byte) (*service, *operation, error) {
	version, action := c.p.get("Version"), c.p.get("Action")
	var op *operation
	if action != nil && *action != "" {
		switch {
		case version == nil:
			return stsService, nil, &invalidActionError{action: *action, version: "NO_VERSION_SPECIFIED"}
		case svc == nil:
			return stsService, nil, &invalidActionError{action: *action, version: *version}
		}
		var ok bool
		if op, ok = svc.ops[*action]; !ok {
			return svc, nil, &invalidActionError{action: *action, version: *version}
		}
		if op.unsigned {
			return svc, op, nil
		}
	}
	scope := ""
	if svc != nil {
		scope = svc.name
	} else {
		svc = stsService
	}
	var err error
	c.caller, c.sig, err = s.cfg.Authenticator.Authenticate(ctx, c.r, body, scope)
	if err != nil {
		return svc, op, err
	}
	if t := s.cfg.Throttle; t != nil && !t.AllowKey(c.caller.ThrottleKey()) {
		return svc, op, opensts.ErrThrottled
	}
	if op == nil {
		return svc, nil, errMissingAction
	}
	if err := op.sessions.Admit(c.caller, svc.name, op.name); err != nil {
		return svc, op, err
	}
	return svc, op, nil
}

// invoke runs the handler, turning a panic into an internal failure so no
// input can take the server down.
func (s *Server) invoke(ctx context.Context, op *operation, c *call) (result *node, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(ctx, "handler panic", "action", op.name, "request_id", c.requestID, "panic", v)
			result, err = nil, errors.New("handler panic")
		}
	}()
	if !op.reads && !op.issues && s.cfg.Authorizer != nil {
		// An IAM change: the next decision on this node reads the identity
		// policies again, whether or not the change went through (a
		// failure can come after the store committed).
		defer s.cfg.Authorizer.Invalidate()
	}
	return op.handle(s, ctx, c)
}

func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, svc *service, op *operation, c *call, result *node) {
	if !op.noOutput {
		if result == nil {
			result = el("")
		}
		result.name = op.result
	}
	if wantsJSON(r) {
		root := &node{name: op.response}
		if !op.noOutput {
			root.kids = append(root.kids, result)
		}
		root.kids = append(root.kids, el("ResponseMetadata", leaf("RequestId", c.requestID)))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(root.marshalJSON())
		return
	}
	// The envelope is written directly, as the node tree would render it
	// (<{Op}Response xmlns>, the result, ResponseMetadata), into a pooled
	// buffer: every request pays for it.
	b := responseBuffers.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteByte('<')
	b.WriteString(op.response)
	b.WriteString(` xmlns="`)
	b.WriteString(svc.namespace)
	b.WriteString("\">\n")
	if !op.noOutput {
		result.writeXML(b, 1, "")
	}
	b.WriteString("  <ResponseMetadata>\n    <RequestId>")
	writeXMLText(b, c.requestID)
	b.WriteString("</RequestId>\n  </ResponseMetadata>\n</")
	b.WriteString(op.response)
	b.WriteString(">\n")
	w.Header()["Content-Type"] = textXML
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	if b.Cap() <= maxPooledResponse {
		responseBuffers.Put(b)
	}
}

// textXML is the Content-Type of XML answers, shared by all of them (the
// server never changes a header's values in place).
var textXML = []string{"text/xml"}

// responseBuffers holds response buffers for reuse; one that grew past
// maxPooledResponse (a large IAM listing) is left to the collector.
var responseBuffers = sync.Pool{New: func() any { b := new(bytes.Buffer); b.Grow(2048); return b }}

const maxPooledResponse = 64 << 10

// writeError renders err, classified as we, as AWS's ErrorResponse.
func (s *Server) writeError(ctx context.Context, w http.ResponseWriter, r *http.Request, svc *service, c *call, err error, we wireError) {
	attrs := []any{"request_id", c.requestID, "code", we.Code, "error", err}
	switch {
	case we.Status >= 500:
		s.log.ErrorContext(ctx, "request failed", attrs...)
	case errors.Is(err, sigv4.ErrSignatureMismatch) && c.sig != nil:
		// No secret in either text; the SDKs' signing logs print the same.
		s.log.DebugContext(ctx, "signature mismatch", append(attrs,
			"canonical_request", redactToken(c.sig.CanonicalRequest(), c.sig.SecurityToken), "string_to_sign", c.sig.StringToSign())...)
	}
	if wantsJSON(r) {
		e := el("Error", leaf("Code", we.Code), leaf("Message", we.Message), leaf("Type", errorType(we)))
		body := map[string]any{"Error": e.value(wireKey), "RequestId": c.requestID}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(we.Status)
		writeJSON(w, body)
		return
	}
	ns := we.Namespace
	if ns == "" {
		ns = svc.namespace
	}
	root := el("ErrorResponse",
		el("Error", leaf("Type", errorType(we)), leaf("Code", we.Code), leaf("Message", we.Message)),
		leaf("RequestId", c.requestID))
	var b bytes.Buffer
	root.writeXML(&b, 0, ns)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(we.Status)
	w.Write(b.Bytes())
}

// redactToken hides a session token in a canonical request (it is signed,
// so it appears there, raw in a header or URI-encoded in a presigned query).
func redactToken(text, token string) string {
	if token == "" {
		return text
	}
	return strings.NewReplacer(token, "<session token>", url.QueryEscape(token), "<session token>",
		strings.ReplaceAll(url.QueryEscape(token), "+", "%20"), "<session token>").Replace(text)
}

func errorType(we wireError) string {
	if we.Sender {
		return "Sender"
	}
	return "Receiver"
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "application/json")
}

// clientIP is the client's address (aws:SourceIp, throttling, audit): the
// peer, or — when the peer is a trusted proxy — the right-most address of
// X-Forwarded-For that is not itself a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.cfg.TrustedProxies) == 0 || !s.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break
		}
		if !s.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
