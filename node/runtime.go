package node

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage-collector target opensts server runs with
// unless GOGC is set. A node's live heap is small (tens of megabytes) and
// every request allocates, so collecting less often trades a little memory
// for throughput (docs/benchmarks.md).
const DefaultGCPercent = 400

// TuneRuntime applies DefaultGCPercent unless the operator set GOGC.
func TuneRuntime() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(DefaultGCPercent)
	}
}
