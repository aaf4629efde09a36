package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/opensts/opensts/audit"
)

// kill -9 while IAM writes are being acknowledged, in the default audit
// mode: every request the server acknowledged has its audit record, because
// a Record returns only once its line has been handed to the operating
// system (issue 9 §5). Several rounds, each killing the server at a
// different moment of a stream of acknowledgements.
func TestProcess_AuditedBeforeAcknowledged(t *testing.T) {
	t.Parallel()
	const (
		rounds  = 3
		workers = 32
		// killAfter acknowledgements, the server is killed while the
		// workers keep sending.
		killAfter = 800
	)
	for round := range rounds {
		dir := t.TempDir()
		p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir,
			"--throttle-key-rate", "0", "--throttle-ip-rate", "0")
		acked, late := auditLoad(t, p, round, workers, killAfter)
		if len(acked) < killAfter {
			t.Fatalf("round %d: only %d writes acknowledged before the server died:\n%s", round, len(acked), p.log())
		}

		recorded := map[string]bool{}
		err := audit.Scan(filepath.Join(dir, "audit.jsonl"), audit.Filter{}, func(r audit.Record) error {
			recorded[r.RequestID] = true
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: read the audit trail: %v", round, err)
		}
		var missing []string
		for _, id := range acked {
			if !recorded[id] {
				missing = append(missing, id)
			}
		}
		t.Logf("round %d: %d writes acknowledged (%d of them read after the kill), %d audit records, %d acknowledged but unaudited",
			round, len(acked), late, len(recorded), len(missing))
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Errorf("round %d: %d of %d acknowledged writes have no audit record after kill -9: %v",
				round, len(missing), len(acked), missing)
		}
	}
}

// auditLoad runs workers that create users as fast as the server answers,
// sends SIGKILL once killAfter writes are acknowledged, and returns the
// request ID of every acknowledged write, including those read after the
// signal (answered just before it), and how many those were.
func auditLoad(t *testing.T, p *process, round, workers, killAfter int) (acked []string, late int) {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	cfg := procEnv(t, p, procRoot).v2Config(procRoot)
	cfg.HTTPClient = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	client := iam.NewFromConfig(cfg)

	var (
		mu       sync.Mutex
		killed   bool
		killOnce sync.Once
	)
	kill := func() {
		killOnce.Do(func() {
			mu.Lock()
			killed = true
			mu.Unlock()
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("kill -9: %v", err)
			}
		})
	}
	// A failsafe: kill after 10 s even if the writes are slow.
	failsafe := time.AfterFunc(10*time.Second, kill)
	defer failsafe.Stop()

	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				out, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("r%d-w%d-%d", round, w, i))})
				if err != nil {
					return // the server is gone (or failing: the count check reports it)
				}
				id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
				if !ok || id == "" {
					t.Errorf("CreateUser acknowledged without a request ID")
					return
				}
				mu.Lock()
				acked = append(acked, id)
				if killed {
					late++
				}
				n := len(acked)
				mu.Unlock()
				if n == killAfter {
					kill()
				}
			}
		})
	}
	wg.Wait()
	kill() // in case every worker failed before killAfter
	<-p.done
	p.done <- nil // p.stop, at cleanup, finds the process already gone
	return acked, late
}
