package node

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestServe_RequestDeadline: every request's context carries the write
// timeout as its deadline, so work for an answer that can no longer be sent
// stops.
func TestServe_RequestDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Duration, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			got <- -1
			return
		}
		got <- time.Until(d)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, h, slog.New(slog.DiscardHandler), ServeOptions{WriteTimeout: 7 * time.Second})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if left := <-got; left <= 6*time.Second || left > 7*time.Second {
		t.Fatalf("request deadline %v from now, want the 7 s write timeout", left)
	}
}
