package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the edge's Prometheus collectors, registered on an injected
// registry (no globals).
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	issued   *prometheus.CounterVec
	mfaFail  prometheus.Counter
	throttle *prometheus.CounterVec
}

// NewMetrics registers the edge's collectors on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opensts_requests_total",
			Help: "Query-protocol requests by service, action and AWS error code (empty code: success).",
		}, []string{"service", "action", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "opensts_request_duration_seconds",
			Help:    "Time to answer a Query-protocol request, by service and action.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"service", "action"}),
		issued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opensts_credentials_issued_total",
			Help: "Temporary credentials issued, by kind (GetSessionToken, GetFederationToken) and whether MFA was proven.",
		}, []string{"kind", "mfa"}),
	}
	m.mfaFail = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "opensts_mfa_failures_total",
		Help: "GetSessionToken requests naming an MFA device that were refused (wrong, replayed or throttled code, unknown device).",
	})
	m.throttle = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opensts_throttled_requests_total",
		Help: "Requests refused with Throttling (rate limits) or ServiceUnavailable (too many in progress), by reason.",
	}, []string{"reason"})
	reg.MustRegister(m.requests, m.latency, m.issued, m.mfaFail, m.throttle)
	return m
}

// observe logs one line per request and updates the metrics. Unknown
// actions are counted as "unknown" so clients cannot grow label sets.
func (s *Server) observe(ctx context.Context, c *call, svc *service, action, code string, start time.Time, err error) {
	if _, ok := svc.ops[action]; !ok {
		action = "unknown"
	}
	elapsed := s.cfg.Now().Sub(start)
	if m := s.cfg.Metrics; m != nil {
		m.requests.WithLabelValues(svc.name, action, code).Inc()
		m.latency.WithLabelValues(svc.name, action).Observe(elapsed.Seconds())
		switch {
		case code == "Throttling":
			m.throttle.WithLabelValues("rate").Inc()
		case errors.Is(err, errBusy):
			m.throttle.WithLabelValues("concurrency").Inc()
		case action == "GetSessionToken" && code == "AccessDenied" && c.p.get("SerialNumber") != nil:
			m.mfaFail.Inc()
		}
	}
	// One line per request at debug level: at info a busy node would spend
	// much of its time logging; metrics count requests, the audit trail
	// records issuance and mutations, and failures of the server itself are
	// logged at error level by writeError. The line's attributes are not
	// even built unless it is written (they cost a request six
	// allocations).
	if !s.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"request_id", c.requestID, "service", svc.name, "action", action, "duration", elapsed}
	if c.caller != nil {
		attrs = append(attrs, "account", c.caller.AccountID, "access_key_id", c.caller.AccessKeyID)
	}
	if code != "" {
		attrs = append(attrs, "code", code)
	}
	s.log.DebugContext(ctx, "request", attrs...)
}

func (s *Server) countIssued(kind string, mfa bool) {
	if m := s.cfg.Metrics; m != nil {
		v := "false"
		if mfa {
			v = "true"
		}
		m.issued.WithLabelValues(kind, v).Inc()
	}
}

func writeJSON(w io.Writer, v any) {
	b, _ := json.Marshal(v) // maps of strings always marshal
	w.Write(b)
}
