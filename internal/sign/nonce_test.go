package sign

import (
	"sync"
	"testing"
	"time"
)

func TestNonces_Behaviour(t *testing.T) {
	base := time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC)
	baseµs := base.UnixMicro()
	tests := []struct {
		name  string
		times []time.Time
		want  []int64
	}{
		{
			name:  "follows the clock",
			times: []time.Time{base, base.Add(time.Second)},
			want:  []int64{baseµs, baseµs + 1_000_000},
		},
		{
			name:  "same microsecond",
			times: []time.Time{base, base.Add(300), base.Add(999)},
			want:  []int64{baseµs, baseµs + 1, baseµs + 2},
		},
		{
			name: "clock steps back",
			times: []time.Time{
				base, base.Add(-time.Minute), base.Add(-time.Minute),
				base.Add(time.Millisecond),
			},
			want: []int64{baseµs, baseµs + 1, baseµs + 2, baseµs + 1000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n Nonces
			for i, now := range tt.times {
				if got := n.Next(now); got != tt.want[i] {
					t.Errorf("call %d: Next = %d, want %d", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestNonces_Concurrent(t *testing.T) {
	const workers, calls = 16, 1000
	now := time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC)

	var (
		n    Nonces
		wg   sync.WaitGroup
		seen = make([][]int64, workers)
	)
	for w := range workers {
		wg.Go(func() {
			for range calls {
				// Every call gives the same instant, the worst case.
				seen[w] = append(seen[w], n.Next(now))
			}
		})
	}
	wg.Wait()

	unique := map[int64]bool{}
	for w, got := range seen {
		for i, nonce := range got {
			if i > 0 && nonce <= got[i-1] {
				t.Fatalf("worker %d: nonce %d after %d", w, nonce, got[i-1])
			}
			unique[nonce] = true
		}
	}
	if len(unique) != workers*calls {
		t.Errorf("%d distinct nonces, want %d", len(unique), workers*calls)
	}

	// With one instant, the nonces fill a run starting at it.
	start := now.UnixMicro()
	for i := range int64(workers * calls) {
		if !unique[start+i] {
			t.Fatalf("nonce %d missing", start+i)
		}
	}
}
