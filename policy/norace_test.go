//go:build !race

package policy

import "time"

// hostileBound is how long the hostile inputs may take: generous for a
// loaded 2-core CI machine, yet far below the seconds to minutes they took
// before.
const hostileBound = time.Second
