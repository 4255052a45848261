package summarize

import (
	"strings"
	"testing"
)

// BenchmarkSummarize700 is a typical article: testdata/harbor.txt, 680 words.
func BenchmarkSummarize700(b *testing.B) {
	doc := harbor(b)
	benchDoc(b, doc)
}

// BenchmarkSummarize5000 and BenchmarkSummarize50000 are long synthetic
// texts (see syntheticText): the cost should grow about linearly.
func BenchmarkSummarize5000(b *testing.B) {
	benchDoc(b, Document{Title: "Report", Text: syntheticText(5000, 1)})
}

func BenchmarkSummarize50000(b *testing.B) {
	benchDoc(b, Document{Title: "Report", Text: syntheticText(50000, 1)})
}

func benchDoc(b *testing.B, doc Document) {
	b.SetBytes(int64(len(doc.Text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarize(doc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplit measures the sentence splitter alone.
func BenchmarkSplit(b *testing.B) {
	text := harbor(b).Text
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Split(text)
	}
}

// TestLinearGrowth checks the cost of a 50,000-word text stays near ten
// times that of a 5,000-word one (the pairwise work is bounded), using
// the allocation count, which unlike time does not depend on the machine.
func TestLinearGrowth(t *testing.T) {
	small := Document{Title: "Report", Text: syntheticText(5000, 1)}
	big := Document{Title: "Report", Text: syntheticText(50000, 1)}
	a := testing.AllocsPerRun(3, func() { Summarize(small, Options{}) })
	c := testing.AllocsPerRun(3, func() { Summarize(big, Options{}) })
	if c > 30*a {
		t.Errorf("allocations grow from %.0f to %.0f for 10x the words", a, c)
	}
	if n := len(strings.Fields(big.Text)); n < 50000 {
		t.Errorf("big text has %d words", n)
	}
}
