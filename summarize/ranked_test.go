package summarize

import (
	"reflect"
	"testing"
)

// TestRankedServesEveryLength checks the promise of Summary.Ranked: the
// best n of the ranking, in article order, is what Summarize returns for

// TestSentencesOnly checks that Options.SentencesOnly changes nothing but
// the Ranked and Keywords it leaves out, for every length and budget.
func TestSentencesOnly(t *testing.T) {
	docs := []Document{harbor(t), {Title: "Report", Text: syntheticText(3000, 9)},
		{Text: "Only one sentence here, and it is short."}, {Text: "   "}}
	for _, a := range sampleDev(t, 40) {
		docs = append(docs, Document{Title: a.Title, Text: a.Text, Language: a.Language})
	}
	for di, doc := range docs {
		for _, opts := range []Options{{}, {Sentences: 1}, {Sentences: 3}, {Sentences: MaxRanked}, {Sentences: MaxRanked + 5},
			{Sentences: 40}, {Ratio: 0.3}, {Sentences: 3, MaxChars: 200}, {Sentences: 5, MaxChars: 90}} {
			want, werr := Summarize(doc, opts)
			opts.SentencesOnly = true
			got, gerr := Summarize(doc, opts)
			want.Ranked, want.Keywords = nil, nil
			if werr != gerr || !reflect.DeepEqual(got, want) {
				t.Errorf("doc %d, %+v: %+v, %v\nwant %+v, %v", di, opts, got, gerr, want, werr)
			}
		}
	}
}

// n sentences, for every n from 1 to MaxRanked.
func TestRankedServesEveryLength(t *testing.T) {
	docs := []Document{harbor(t), {Title: "Report", Text: syntheticText(3000, 9)},
		{Text: "Only one sentence here, and it is short."},
		{Title: "Short", Text: "First point made here today. Second point. Third point made later on. Ok. That is all there is to say."}}
	for _, a := range sampleDev(t, 40) {
		docs = append(docs, Document{Title: a.Title, Text: a.Text, Language: a.Language})
	}
	for di, doc := range docs {
		full, err := Summarize(doc, Options{Sentences: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Ranked) > MaxRanked {
			t.Fatalf("doc %d: %d ranked sentences", di, len(full.Ranked))
		}
		seen := map[int]bool{}
		for _, r := range full.Ranked {
			if seen[r.Index] || r.Index < 0 || r.Index >= full.Stats.SentencesTotal {
				t.Fatalf("doc %d: bad or repeated index %d", di, r.Index)
			}
			seen[r.Index] = true
		}
		if got := Pick(full.Ranked, 3); !reflect.DeepEqual(got, full.Sentences) {
			t.Errorf("doc %d: Pick 3 = %q, Sentences = %q", di, got, full.Sentences)
		}
		for n := 1; n <= MaxRanked; n++ {
			s, _ := Summarize(doc, Options{Sentences: n})
			if got := Pick(full.Ranked, n); !reflect.DeepEqual(got, s.Sentences) {
				t.Errorf("doc %d, n=%d: Pick = %q\nSummarize = %q", di, n, got, s.Sentences)
			}
			if !reflect.DeepEqual(s.Ranked, full.Ranked) {
				t.Errorf("doc %d, n=%d: the ranking depends on n", di, n)
			}
		}
	}
}

func TestPick(t *testing.T) {
	r := []Ranked{{4, "e"}, {0, "a"}, {2, "c"}}
	for n, want := range map[int][]string{-1: {}, 0: {}, 1: {"e"}, 2: {"a", "e"}, 3: {"a", "c", "e"}, 9: {"a", "c", "e"}} {
		if got := Pick(r, n); !reflect.DeepEqual(got, want) {
			t.Errorf("Pick(%d) = %q, want %q", n, got, want)
		}
	}
	if r[0].Index != 4 {
		t.Error("Pick reordered its argument")
	}
	if got := Pick(nil, 3); len(got) != 0 {
		t.Errorf("Pick(nil) = %q", got)
	}
}

// sampleDev returns every k-th article of the evaluation files (English
// and French), or none when they are absent.
func sampleDev(t testing.TB, n int) []devArticle {
	var out []devArticle
	for _, name := range []string{"dev.jsonl", "fr-orangesum.jsonl"} {
		arts, err := readEval(name)
		if err != nil {
			continue
		}
		step := max(1, len(arts)/n)
		for i := 0; i < len(arts); i += step {
			out = append(out, arts[i])
		}
	}
	return out
}

// TestHeadlineInText: a text that opens with its own headline (as feeds
// and extracted pages often do) does not give it as a summary sentence.
func TestHeadlineInText(t *testing.T) {
	doc := harbor(t)
	doc.Text = doc.Title + "\n" + doc.Text
	s, err := Summarize(doc, Options{Sentences: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Ranked {
		if r.Text == doc.Title {
			t.Errorf("the headline is ranked: %q", r.Text)
		}
	}
	plain, _ := Summarize(harbor(t), Options{Sentences: 10})
	if s.Stats.WordsBefore != plain.Stats.WordsBefore || s.Stats.SentencesTotal != plain.Stats.SentencesTotal {
		t.Errorf("stats count the headline: %+v vs %+v", s.Stats, plain.Stats)
	}
}

// TestSummarizer checks that a Summarizer, used for article after
// article (junk among them), summarizes each as Summarize does.
func TestSummarizer(t *testing.T) {
	docs := []Document{harbor(t), {Text: "\x00\x01 junk"}, {Title: "Report", Text: syntheticText(3000, 9)}, {Text: ""}}
	for _, a := range sampleDev(t, 40) {
		docs = append(docs, Document{Title: a.Title, Text: a.Text, Language: a.Language})
	}
	var s Summarizer
	for round := 0; round < 2; round++ {
		for di, doc := range docs {
			for _, opts := range []Options{{}, {Sentences: 5, MaxChars: 300}, {Sentences: 3, SentencesOnly: true}} {
				want, werr := Summarize(doc, opts)
				got, gerr := s.Summarize(doc, opts)
				if werr != gerr || !reflect.DeepEqual(got, want) {
					t.Fatalf("doc %d, %+v: %+v, %v\nwant %+v, %v", di, opts, got, gerr, want, werr)
				}
			}
		}
	}
}
