package summarize

import (
	"testing"

	"github.com/blevesearch/snowballstem"
)

func TestFrenchElision(t *testing.T) {
	for in, want := range map[string]string{
		"l'homme": "homme", "qu'il": "il", "d'une": "une", "jusqu'au": "au", "c'est": "est",
		"aujourd'hui": "aujourd'hui", "homme": "homme", "'": "'", "presqu'île": "presqu'île",
	} {
		if got := frenchElision(in); got != want {
			t.Errorf("frenchElision(%q) = %q, want %q", in, got, want)
		}
	}
	fr := languageByCode("fr")
	if !fr.stop("qu'il") || !fr.stop("c'est") || fr.stop("l'homme") {
		t.Error("French stop words should see through elision")
	}
	if a, b := fr.stem(new(snowballstem.Env), "l'enquête"), fr.stem(new(snowballstem.Env), "enquêtes"); a != b {
		t.Errorf("l'enquête stems to %q, enquêtes to %q", a, b)
	}
}

func TestHasQuote(t *testing.T) {
	for s, want := range map[string]bool{
		`"We will win," he said.`: true,
		`He said: "We will win."`: true,
		`C'est cette liberté qu'ils ont voulu détruire", lance-t-elle.`: true,
		`Ils veulent la guerre, c'est tout ».`:                          true,
		`It is over” he said.`:                                          true,
		`Le ministre a parlé d'une « crise » grave.`:                    false,
		`The “historic” deal was signed on Monday.`:                     false,
		`The "historic" deal was signed on Monday.`:                     false,
		`The deal was signed on Monday.`:                                false,
	} {
		if got := hasQuote(s); got != want {
			t.Errorf("hasQuote(%q) = %v, want %v", s, got, want)
		}
	}
}

// refClosesQuote is closesQuote as one plain loop over the runes.
func refClosesQuote(s string) bool {
	straight, curly, guil := 0, 0, 0
	for _, r := range s {
		switch r {
		case '"':
			straight++
		case '\u201c':
			curly++
		case '\u201d':
			if curly--; curly < 0 {
				return true
			}
		case '\u00ab':
			guil++
		case '\u00bb':
			if guil--; guil < 0 {
				return true
			}
		}
	}
	return straight%2 == 1
}

func FuzzClosesQuote(f *testing.F) {
	f.Add("\u00ab Non. \u00bb a-t-il dit \u00bb.")
	f.Add("He said \u201cyes\u201d and \u201d \" \"")
	f.Add("\xe2\x80 \xc2")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := closesQuote(s), refClosesQuote(s); got != want {
			t.Fatalf("closesQuote(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestStemmers(t *testing.T) {
	tests := []struct{ code, word, want string }{
		{"en", "running", "run"},
		{"en-GB", "ponies", "poni"},
		{"fr", "continuellement", "continuel"},
		{"de", "häuser", "haus"},
		{"it", "abbandonata", "abbandon"},
		{"es", "corriendo", "corr"},
		{"nb", "havnedistriktene", "havnedistrikt"},
		{"ru", "машинами", "машин"},
	}
	for _, tt := range tests {
		l := languageByCode(tt.code)
		if l == nil || l.stem == nil {
			t.Errorf("%s: no stemmer", tt.code)
			continue
		}
		if got := l.stem(new(snowballstem.Env), tt.word); got != tt.want {
			t.Errorf("%s: stem(%q) = %q, want %q", tt.code, tt.word, got, tt.want)
		}
	}
}
