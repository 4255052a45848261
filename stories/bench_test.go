package stories

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkAssign assigns articles against a full 36-hour window of 20,000
// recent articles (one every 6.48 seconds), the window sliding as they come:
// run it with -benchtime=100000x for the 100,000 articles of issue 10. It
// reports articles per second and, after the run, the live heap, which must
// follow the window, not the number of articles assigned.
func BenchmarkAssign(b *testing.B) {
	const window = 20_000
	step := 36 * time.Hour / window
	g := newGenerator(7)
	m := NewMatcher(Options{})
	for i := 0; i < window; i++ {
		m.Assign(g.article(i, t0.Add(time.Duration(i)*step)))
	}
	// Generate outside the timer: the benchmark measures the matcher.
	const pool = 100_000
	arts := make([]Article, min(b.N, pool))
	for i := range arts {
		arts[i] = g.article(window+i, time.Time{})
	}
	joined := 0
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		a := arts[i%len(arts)]
		a.ID = a.ID + "/" + string(rune('a'+i/len(arts)%26))
		a.Published = t0.Add(time.Duration(window+i) * step)
		if m.Assign(a).Kind == Joined {
			joined++
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "articles/s")
	// Per second of CPU used by the process (the matcher and the garbage
	// collector): what one core does, however busy the machine is.
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/cpu-s")
	}
	b.ReportMetric(float64(joined)/float64(b.N), "joined/op")
	arts = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-MiB")
	b.ReportMetric(float64(m.Len()), "window")
	runtime.KeepAlive(m)
}
