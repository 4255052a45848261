package summarize

import "testing"

// BenchmarkDev summarizes the dev articles (skipped without them): the
// figure the articles-per-second target is about.
func BenchmarkDev(b *testing.B) {
	arts := loadDev(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := arts[i%len(arts)]
		if _, err := Summarize(Document{Title: a.Title, Text: a.Text}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDevCold summarizes every dev article with a fresh workspace, as
// one run of `newsbot summarize -jsonl` on one core does: the first-time
// work per distinct word (hashing, growing the vocab, stemming, stop-word
// lookups) that BenchmarkDev's warm vocab hides. One iteration is the
// whole file.
func BenchmarkDevCold(b *testing.B) {
	arts := loadDev(b)
	b.ReportAllocs()
	for b.Loop() {
		idle.Lock()
		clear(idle.list)
		idle.list = idle.list[:0]
		idle.Unlock()
		for _, a := range arts {
			if _, err := Summarize(Document{Title: a.Title, Text: a.Text}, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
