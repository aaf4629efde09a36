//go:build race

package policy

import "time"

// hostileBound is how long the hostile inputs may take; the race detector
// slows matching several times over.
const hostileBound = 5 * time.Second
