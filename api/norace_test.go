//go:build !race

package api_test

import "time"

// costBound is how long a hostile request may take: generous for a loaded
// 2-core CI machine, yet far below the minutes of CPU such requests took
// before evaluation work was bounded.
const costBound = time.Second
