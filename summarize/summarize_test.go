package summarize

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// harbor returns the 700-word test article: its first line is the title.
func harbor(t testing.TB) Document {
	b, err := os.ReadFile("testdata/harbor.txt")
	if err != nil {
		t.Fatal(err)
	}
	title, text, _ := strings.Cut(string(b), "\n")
	return Document{Title: title, Text: text}
}

func TestSummarizeArticle(t *testing.T) {
	doc := harbor(t)
	s, err := Summarize(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Sentences) != DefaultSentences {
		t.Fatalf("got %d sentences, want %d: %q", len(s.Sentences), DefaultSentences, s.Sentences)
	}
	if !strings.HasPrefix(s.Sentences[0], "The city council of Portsmouth voted") {
		t.Errorf("first sentence should be the lead without its dateline, got %q", s.Sentences[0])
	}
	// In the article's order.
	last := -1
	for _, sent := range s.Sentences {
		i := strings.Index(doc.Text, sent)
		if i < 0 {
			t.Fatalf("sentence not in the article: %q", sent)
		}
		if i < last {
			t.Errorf("sentences out of order: %q", s.Sentences)
		}
		last = i
	}
	if s.Language != "en" {
		t.Errorf("Language = %q", s.Language)
	}
	st := s.Stats
	if st.SentencesTotal < 30 || st.SentencesKept != 3 || st.WordsBefore < 600 || st.WordsAfter <= 0 || st.WordsAfter >= st.WordsBefore {
		t.Errorf("odd stats %+v", st)
	}
	if r := st.Reduction(); r < 70 || r > 95 {
		t.Errorf("Reduction = %d", r)
	}
	for _, k := range []string{"barrier", "city", "storm"} {
		if !contains(s.Keywords, k) {
			t.Errorf("keywords %q lack %q", s.Keywords, k)
		}
	}
	// The result owns its strings: later calls reuse the buffers.
	kw := strings.Join(s.Keywords, ",")
	for i := 0; i < 3; i++ {
		Summarize(Document{Text: syntheticText(3000, uint64(i))}, Options{})
	}
	if again := strings.Join(s.Keywords, ","); again != kw {
		t.Errorf("keywords changed after other calls: %q, was %q", again, kw)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStatsReduction(t *testing.T) {
	for _, tt := range []struct {
		s    Stats
		want int
	}{
		{Stats{WordsBefore: 100, WordsAfter: 16}, 84},
		{Stats{WordsBefore: 0, WordsAfter: 0}, 0},
		{Stats{WordsBefore: 10, WordsAfter: 10}, 0},
		{Stats{WordsBefore: 3, WordsAfter: 1}, 67},
	} {
		if got := tt.s.Reduction(); got != tt.want {
			t.Errorf("%+v.Reduction() = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	doc := harbor(t)
	s, _ := Summarize(doc, Options{Sentences: 5})
	if len(s.Sentences) != 5 {
		t.Errorf("Sentences 5: got %d", len(s.Sentences))
	}
	s, _ = Summarize(doc, Options{Ratio: 0.2})
	if n := len(s.Sentences); n < 5 || n > 9 {
		t.Errorf("Ratio 0.2 of ~35 sentences: got %d", n)
	}
	for _, max := range []int{100, 300, 600} {
		s, _ = Summarize(doc, Options{Sentences: 3, MaxChars: max})
		total := 0
		for i, sent := range s.Sentences {
			total += utf8.RuneCountInString(sent)
			if i > 0 {
				total++
			}
			if !strings.Contains(doc.Text, sent) {
				t.Errorf("MaxChars %d: sentence was cut: %q", max, sent)
			}
		}
		if total > max {
			t.Errorf("MaxChars %d: %d characters", max, total)
		}
		if len(s.Sentences) == 0 {
			t.Errorf("MaxChars %d: nothing fits", max)
		}
	}
	// Nothing fits: no sentences, no error.
	s, err := Summarize(doc, Options{MaxChars: 5})
	if err != nil || len(s.Sentences) != 0 {
		t.Errorf("MaxChars 5: %q, %v", s.Sentences, err)
	}
}

func TestShortTexts(t *testing.T) {
	s, err := Summarize(Document{Text: "Only one sentence here, and it is short."}, Options{})
	if err != nil || len(s.Sentences) != 1 {
		t.Fatalf("one sentence: %q, %v", s.Sentences, err)
	}
	s, err = Summarize(Document{Text: "First point made here today. Second point made later on. That is all."}, Options{Sentences: 10})
	if err != nil || len(s.Sentences) != 3 {
		t.Fatalf("fewer sentences than asked: %q, %v", s.Sentences, err)
	}
	s, err = Summarize(Document{Text: "Breaking"}, Options{})
	if err != nil || len(s.Sentences) != 1 || s.Sentences[0] != "Breaking" {
		t.Fatalf("one word: %q, %v", s.Sentences, err)
	}
}

func TestGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([]byte, 64<<10)
	for i := range binary {
		binary[i] = byte(rng.UintN(256))
	}
	for name, text := range map[string]string{
		"empty":       "",
		"spaces":      " \n\t \n ",
		"punctuation": "... --- !!! ??? *** 123 456",
		"binary":      string(binary),
		"nul bytes":   strings.Repeat("\x00", 1000),
		"markup only": "<html><body><script>var x = 1;</script></body></html>",
	} {
		html := name == "markup only"
		_, err := Summarize(Document{Text: text, HTML: html}, Options{})
		if !errors.Is(err, ErrNoText) {
			t.Errorf("%s: err = %v, want ErrNoText", name, err)
		}
	}
}

// TestHugeText checks that 5 MB of text gives a summary in bounded time.
func TestHugeText(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	text := syntheticText(900_000, 7) // about 5.5 MB
	if len(text) < 5<<20 {
		t.Fatalf("only %d bytes", len(text))
	}
	start := time.Now()
	s, err := Summarize(Document{Title: "Report", Text: text}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Sentences) != 3 {
		t.Errorf("got %d sentences", len(s.Sentences))
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("5 MB took %v", d)
	}
	// One huge line without any punctuation.
	blob := strings.Repeat("word ", 1<<20)
	if _, err := Summarize(Document{Text: blob}, Options{}); err != nil {
		t.Errorf("one long line: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	doc := harbor(t)
	first, _ := Summarize(doc, Options{Sentences: 4})
	for i := 0; i < 20; i++ {
		again, _ := Summarize(doc, Options{Sentences: 4})
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("run %d differs:\n%+v\n%+v", i, first, again)
		}
	}
}

func TestHTML(t *testing.T) {
	html := `<html><head><title>x</title><style>p{color:red}</style></head><body>
<nav>Home | News | Sport</nav>
<article><h1>Storm floods town</h1>
<p>The storm flooded the <b>old town</b> on Tuesday night, and the water reached a meter in the square.</p>
<figure><img src="a.jpg"><figcaption>Photo: the square under water</figcaption></figure>
<p>The mayor said the city would build a barrier across the harbor.<br>It would cost $1.2 billion.</p>
<script>trackPageView();</script>
<p>Residents were divided about the plan &amp; its cost.</p></article>
<footer>Copyright 2025</footer></body></html>`
	s, err := Summarize(Document{Text: html, HTML: true}, Options{Sentences: 10})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(s.Sentences, "\n")
	for _, bad := range []string{"<", "trackPageView", "color:red", "Home | News", "figcaption", "Copyright"} {
		if strings.Contains(joined, bad) {
			t.Errorf("summary contains %q:\n%s", bad, joined)
		}
	}
	for _, want := range []string{"The storm flooded the old town on Tuesday night", "It would cost $1.2 billion.", "plan & its cost."} {
		if !strings.Contains(joined, want) {
			t.Errorf("summary lacks %q:\n%s", want, joined)
		}
	}
}

func TestLanguages(t *testing.T) {
	tests := []struct{ lang, text string }{
		{"fr", "Le conseil municipal a voté mardi la construction d'une digue dans le port de la ville. Le projet coûtera plus d'un milliard de dollars selon le maire. Les habitants sont divisés sur le financement de cette digue. La construction doit commencer en 2027 et durer six ans. Les pêcheurs demandent des passages pour leurs bateaux."},
		{"es", "El ayuntamiento aprobó el martes la construcción de un dique en el puerto de la ciudad. El proyecto costará más de mil millones de dólares según la alcaldesa. Los vecinos están divididos sobre la financiación del dique. Las obras empezarán en 2027 y durarán seis años. Los pescadores piden pasos para sus barcos."},
		{"de", "Der Stadtrat hat am Dienstag den Bau eines Sperrwerks im Hafen der Stadt beschlossen. Das Projekt soll mehr als eine Milliarde Dollar kosten, sagte die Bürgermeisterin. Die Bewohner sind über die Finanzierung des Sperrwerks geteilt. Der Bau soll 2027 beginnen und sechs Jahre dauern. Die Fischer fordern Durchfahrten für ihre Boote."},
		{"en", harbor(t).Text},
	}
	for _, tt := range tests {
		s, err := Summarize(Document{Text: tt.text}, Options{Sentences: 2})
		if err != nil {
			t.Errorf("%s: %v", tt.lang, err)
			continue
		}
		if s.Language != tt.lang {
			t.Errorf("detected %q, want %q", s.Language, tt.lang)
		}
		if len(s.Sentences) != 2 {
			t.Errorf("%s: %d sentences", tt.lang, len(s.Sentences))
		}
		// Given explicitly, the language is used as is.
		s, err = Summarize(Document{Text: tt.text, Language: strings.ToUpper(tt.lang) + "-XX"}, Options{})
		if err != nil || s.Language != tt.lang {
			t.Errorf("explicit %s: %q, %v", tt.lang, s.Language, err)
		}
	}
	// An unknown code falls back to detection.
	s, _ := Summarize(Document{Text: tests[0].text, Language: "xx"}, Options{})
	if s.Language != "fr" {
		t.Errorf("unknown code: detected %q", s.Language)
	}
}

func TestNoDuplicateInSummary(t *testing.T) {
	lead := "The company said on Monday that its profit had doubled in the third quarter thanks to strong sales in Asia."
	text := lead + " Analysts were surprised by the size of the jump.\nNEW YORK (Reuters) - " + lead + "\n" +
		"The company also said it would hire 2,000 people next year. " + lead
	s, err := Summarize(Document{Title: "Profit doubles", Text: text}, Options{Sentences: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sent := range s.Sentences {
		if strings.Contains(sent, "profit had doubled") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the lead appears %d times: %q", n, s.Sentences)
	}
}

// syntheticText builds a deterministic article of about n words: sentences
// of 8 to 35 words drawn from a Zipf-distributed vocabulary, four to a
// paragraph. The benchmarks' long texts use it.
func syntheticText(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 42))
	const vocab = 20000
	words := make([]string, vocab)
	syll := []string{"ka", "lo", "mer", "tin", "sa", "ro", "ven", "di", "pul", "chi", "bar", "est", "ion", "ter", "ma", "nu"}
	for i := range words {
		var b strings.Builder
		for k := 0; k < 2+i%3; k++ {
			b.WriteString(syll[(i/(k*7+1)+k*5)%len(syll)])
		}
		b.WriteString(string(rune('a' + i%26)))
		words[i] = b.String()
	}
	common := []string{"the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "he", "as", "said"}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), 1.1, 2, vocab-1)
	var b strings.Builder
	count, inPara := 0, 0
	for count < n {
		length := 8 + rng.IntN(28)
		for i := 0; i < length; i++ {
			var w string
			if rng.IntN(3) == 0 {
				w = common[rng.IntN(len(common))]
			} else {
				w = words[zipf.Uint64()]
			}
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if i < length-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(". ")
		count += length
		if inPara++; inPara == 4 {
			b.WriteString("\n")
			inPara = 0
		}
	}
	return b.String()
}

// TestConcurrent runs summaries in parallel (the shared caches are the
// point); run it with -race.
func TestConcurrent(t *testing.T) {
	doc := harbor(t)
	want, _ := Summarize(doc, Options{})
	texts := []string{doc.Text, syntheticText(2000, 3), syntheticText(3000, 4)}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i := 0; i < 20; i++ {
				if i%3 == 0 {
					got, _ := Summarize(doc, Options{})
					if !reflect.DeepEqual(got, want) {
						t.Errorf("goroutine %d: summary changed", g)
						return
					}
					continue
				}
				Summarize(Document{Text: texts[(g+i)%len(texts)]}, Options{Sentences: 2 + g})
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

// TestSortSet checks sortSet against slices.Sort and slices.Compact.
func TestSortSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 2000; n++ {
		set := make([]int32, rng.IntN(40))
		for i := range set {
			set[i] = int32(rng.IntN(1 + len(set)))
		}
		want := slices.Clone(set)
		slices.Sort(want)
		want = slices.Compact(want)
		if got := sortSet(set); !slices.Equal(got, want) {
			t.Fatalf("sortSet = %v, want %v", got, want)
		}
	}
}

// TestDenseNorm checks denseNorm against the norm over the union of the
// sentences' terms, each counted once, with terms shared by several
// sentences, and that it leaves the vector as it found it.
func TestDenseNorm(t *testing.T) {
	union := func(v []float64, from []*sent) float64 {
		seen := make(map[int32]bool)
		var sum float64
		for _, s := range from {
			for _, t := range s.set {
				if !seen[t] {
					seen[t] = true
					sum += v[t] * v[t]
				}
			}
		}
		return math.Sqrt(sum)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 1000; n++ {
		v := make([]float64, 30)
		for i := range v {
			if rng.IntN(4) > 0 {
				v[i] = rng.Float64() * 5
			}
		}
		var from []*sent
		for k := rng.IntN(4); k >= 0; k-- {
			var set []int32
			for i := range int32(len(v)) {
				if rng.IntN(3) == 0 {
					set = append(set, i)
				}
			}
			from = append(from, &sent{set: set})
		}
		w := slices.Clone(v)
		want := union(v, from)
		if got := denseNorm(v, from); math.Abs(got-want) > 1e-9*want || !slices.Equal(v, w) {
			t.Fatalf("denseNorm = %v, want %v", got, want)
		}
	}
}
