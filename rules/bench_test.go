package rules

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecide is one item against full include and exclude lists, the
// worst a poll can ask of a subscription.
func BenchmarkDecide(b *testing.B) {
	var words, regexes []string
	for i := range MaxTerms / 2 {
		words = append(words, fmt.Sprintf("word%d phrase", i))
		regexes = append(regexes, fmt.Sprintf(`title:/(?i)\bre%d\b/`, i))
	}
	f := Filter{Include: mustTerms(b, strings.Join(words, ", ")+", "+strings.Join(regexes, ", ")),
		Exclude: mustTerms(b, strings.Join(words, ", "))}
	it := Item{
		Title:      "Strong earthquake hits Japan's coast",
		Summary:    strings.Repeat("A magnitude-7.1 quake struck off Fukushima. No tsunami warning was issued. ", 10),
		Categories: []string{"World", "Asia"},
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Decide(it)
	}
}

func BenchmarkRender(b *testing.B) {
	t := mustTemplate(b, "{mention} **{title}** · {source}\n{summary}\n<{link}>")
	v := sample
	v.Summary = strings.Repeat("The harbour was closed again. ", 100)
	b.ReportAllocs()
	for b.Loop() {
		t.Render(v, MaxContent)
	}
}
