package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestCountersDoNotGrow: a long-running preview keeps only the counters of
// the last windows, however many keys earlier ones had.
func TestCountersDoNotGrow(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "consent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for hour := range int64(48) {
		for i := range 1000 {
			if _, err := s.Hit(context.Background(), fmt.Sprintf("cid#%d#%d", i, hour), 1_800_000_000+hour*3600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(s.hits); n > 4*1000 {
		t.Errorf("%d counters kept after 48 windows of 1,000 keys", n)
	}
	if n, _ := s.Hit(context.Background(), "cid#7#47", 1_800_000_000+47*3600); n != 2 {
		t.Errorf("a counter of the last window counts %d, want 2", n)
	}
}
