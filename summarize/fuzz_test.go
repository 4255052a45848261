package summarize

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSummarize checks that no input panics, that the result is either a
// summary or ErrNoText, and that every sentence is valid UTF-8 text the
// article holds (after cleaning, and after HTML is turned into text).
func FuzzSummarize(f *testing.F) {
	f.Add("Hello world. This is a test of the U.S. summarizer. It works.", "Title", false, 3, 0)
	f.Add("(CNN)A trip. Mr. Smith said \"no.\" Then... (Reporting by X; Editing by Y)", "", false, 2, 50)
	f.Add("<p>One <b>bold</b> claim.</p><p>Another one &amp; more.</p>", "", true, 1, 0)
	f.Add("\x00\xff\xfe binary junk \x01", "x", false, 3, 0)
	f.Add(strings.Repeat("word ", 300), "", false, 0, 10)
	f.Add("Él dijo: «¿Qué pasa?». Ella respondió. Fin.", "", false, 3, 0)
	f.Fuzz(func(t *testing.T, text, title string, html bool, n, maxChars int) {
		opts := Options{Sentences: n % 20, MaxChars: maxChars % 10000}
		s, err := Summarize(Document{Title: title, Text: text, HTML: html}, opts)
		if err != nil {
			if !errors.Is(err, ErrNoText) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(s.Sentences) > max(opts.Sentences, DefaultSentences) && opts.Sentences > 0 {
			t.Fatalf("%d sentences for %d asked", len(s.Sentences), opts.Sentences)
		}
		chars := 0
		for i, sent := range s.Sentences {
			if !utf8.ValidString(sent) || strings.TrimSpace(sent) == "" {
				t.Fatalf("bad sentence %q", sent)
			}
			if !html && utf8.ValidString(text) && !strings.Contains(text, sent) && !strings.Contains(strings.Join(strings.Fields(text), " "), sent) {
				t.Fatalf("sentence %q is not in the text", sent)
			}
			chars += utf8.RuneCountInString(sent)
			if i > 0 {
				chars++
			}
		}
		if opts.MaxChars > 0 && chars > opts.MaxChars {
			t.Fatalf("%d characters over a budget of %d", chars, opts.MaxChars)
		}
		if s.Stats.SentencesKept != len(s.Sentences) || s.Stats.WordsAfter > s.Stats.WordsBefore ||
			(len(s.Sentences) > 0 && s.Stats.WordsAfter == 0) || s.Stats.SentencesKept > s.Stats.SentencesTotal {
			t.Fatalf("odd stats %+v", s.Stats)
		}
		// The ranking serves every length: its best n in article order are
		// the summary of n sentences.
		if len(s.Ranked) == 0 || len(s.Ranked) > MaxRanked {
			t.Fatalf("%d ranked sentences", len(s.Ranked))
		}
		want := opts.Sentences
		if want <= 0 {
			want = DefaultSentences
		}
		if opts.MaxChars <= 0 && want <= MaxRanked {
			if got := Pick(s.Ranked, want); !slices.Equal(got, s.Sentences) {
				t.Fatalf("Pick(Ranked, %d) = %q, Sentences = %q", want, got, s.Sentences)
			}
		}
		for _, r := range s.Ranked {
			if r.Index < 0 || r.Index >= s.Stats.SentencesTotal {
				t.Fatalf("ranked index %d of %d sentences", r.Index, s.Stats.SentencesTotal)
			}
		}
	})
}
