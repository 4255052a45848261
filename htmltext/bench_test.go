package htmltext

import (
	"runtime"
	"strings"
	"testing"
)

// BenchmarkTextHostile converts 10 MB descriptions built to make a
// tree-building converter keep millions of nodes. It reports the bytes
// allocated per conversion (an upper bound of the converter's peak) and
// the heap in use right after (HeapInuse), in MB:
//
//	go test ./htmltext -run '^$' -bench TextHostile -benchtime 3x
func BenchmarkTextHostile(b *testing.B) {
	const size = 10 << 20
	inputs := []struct{ name, unit, tail string }{
		{"nested-b", "<b>", "deep"},
		{"nested-div", "<div>", "deep"},
		{"flat-tags", "<i>x</i>", ""},
		{"unclosed-video", "a<video>", "tail"},
		{"entities", "&amp;&#x202E;&lt;", ""},
	}
	for _, in := range inputs {
		s := strings.Repeat(in.unit, size/len(in.unit)) + in.tail
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			var ms runtime.MemStats
			peak := uint64(0)
			for b.Loop() {
				_ = Text(s)
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ReportMetric(float64(peak)/(1<<20), "heap-inuse-MB")
		})
	}
}
