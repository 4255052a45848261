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
