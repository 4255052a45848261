package stem

import "testing"

func TestFor(t *testing.T) {
	tests := []struct {
		code, word, want string
	}{
		{"en", "running", "run"},
		{"en", "generously", "generous"},
		{"en-GB", "ponies", "poni"},
		{"fr", "continuellement", "continuel"},
		{"de", "häuser", "haus"},
		{"it", "abbandonata", "abbandon"},
		{"es", "corriendo", "corr"},
		{"nb", "havnedistriktene", "havnedistrikt"},
		{"tr", "kitaplar", "kitap"},
		{"ru", "машинами", "машин"},
	}
	for _, tt := range tests {
		f := For(tt.code)
		if f == nil {
			t.Errorf("For(%q) = nil", tt.code)
			continue
		}
		if got := f(tt.word); got != tt.want {
			t.Errorf("For(%q)(%q) = %q, want %q", tt.code, tt.word, got, tt.want)
		}
	}
}

func TestForUnknown(t *testing.T) {
	for _, code := range []string{"", "zh", "ja", "xx"} {
		if For(code) != nil {
			t.Errorf("For(%q) is not nil", code)
		}
	}
	if n := len(Languages()); n != len(algorithms) {
		t.Errorf("Languages() has %d codes, want %d", n, len(algorithms))
	}
}

func BenchmarkEnglish(b *testing.B) {
	f := For("en")
	words := []string{"running", "generously", "international", "government", "said", "elections", "stadium"}
	for i := 0; b.Loop(); i++ {
		f(words[i%len(words)])
	}
}
