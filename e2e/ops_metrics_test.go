package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics and parses the Prometheus text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: HTTP %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return families
}

// value sums the samples of a family whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("metric %s missing", name)
	}
	var sum float64
	for _, m := range f.Metric {
		match := true
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func TestOps_Metrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	e.mustSession(alice, nil)
	e.mustSession(alice, nil)
	_, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1)})
	wantAPIError(t, err, "ValidationError", "")
	_, err = e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT12345678"), TokenCode: aws.String("123456")})
	wantAPIError(t, err, "AccessDenied", "")
	e.sts(e.root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob")})

	fams := scrape(t, e.url)
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"opensts_requests_total", map[string]string{"action": "GetSessionToken", "code": ""}, 2},
		{"opensts_requests_total", map[string]string{"action": "GetSessionToken", "code": "ValidationError"}, 1},
		{"opensts_requests_total", map[string]string{"service": "iam", "action": "CreateUser", "code": ""}, 1},
		{"opensts_request_duration_seconds", map[string]string{"action": "GetSessionToken"}, 4},
		{"opensts_credentials_issued_total", map[string]string{"kind": "GetSessionToken"}, 2},
		{"opensts_credentials_issued_total", map[string]string{"kind": "GetFederationToken"}, 1},
		{"opensts_mfa_failures_total", nil, 1},
		{"opensts_store_operation_duration_seconds", map[string]string{"operation": "GetAccessKey"}, 1},
		{"opensts_token_key_age_seconds", nil, 0},
		{"opensts_token_keys", nil, 1},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	if _, ok := fams["opensts_throttled_requests_total"]; ok {
		if v := value(t, fams, "opensts_throttled_requests_total", nil); v != 0 {
			t.Errorf("throttled %v without throttling configured", v)
		}
	}
}
