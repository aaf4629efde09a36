package node

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opensts/opensts"
)

// storeMetrics are the store's Prometheus collectors.
type storeMetrics struct {
	latency *prometheus.HistogramVec
	errors  *prometheus.CounterVec
}

func newStoreMetrics(reg prometheus.Registerer) *storeMetrics {
	m := &storeMetrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "opensts_store_operation_duration_seconds",
			Help:    "Store operation latency by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opensts_store_errors_total",
			Help: "Store operations that failed for a reason other than an expected answer (not found, exists, limit, conflict), by operation.",
		}, []string{"operation"}),
	}
	reg.MustRegister(m.latency, m.errors)
	return m
}

func (m *storeMetrics) observe(op string, start time.Time, err *error) {
	m.latency.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if e := *err; e != nil && !expected(e) {
		m.errors.WithLabelValues(op).Inc()
	}
}

// expected errors are answers, not failures.
func expected(err error) bool {
	for _, k := range []error{opensts.ErrNotFound, opensts.ErrAlreadyExists, opensts.ErrLimitExceeded, opensts.ErrDeleteConflict, opensts.ErrConflict, opensts.ErrInvalidInput} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
