//go:build race

package api_test

import "time"

// costBound is how long a hostile request may take; the race detector slows
// matching several times over.
const costBound = 8 * time.Second
