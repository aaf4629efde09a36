package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	c := NewFake(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v, want %v", c.Now(), start)
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(start); got != 90*time.Second {
		t.Fatalf("advanced %v, want 90s", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatal("Set did not move the clock")
	}
}

func TestOffset(t *testing.T) {
	var c Offset
	c.Advance(-time.Hour)
	if d := time.Since(c.Now()); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("offset clock is %v behind, want about 1h", d)
	}
}
