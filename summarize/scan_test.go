package summarize

import (
	"strings"
	"testing"
	"unicode"
)

// refWords counts words as scanText promises: white-space separated, with
// a letter or a digit.
func refWords(s string) int {
	n := 0
	for _, f := range strings.FieldsFunc(s, unicode.IsSpace) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) }) >= 0 {
			n++
		}
	}
	return n
}

func TestScanText(t *testing.T) {
	for _, tt := range []struct {
		in    string
		ok    bool
		words int
	}{
		{"", false, 0},
		{"Hello world.", true, 2},
		{"  a -- b — c 42  ", false, 4}, // 3 letters in 8 characters
		{"Sécurité routière\u00a0: 15,6 %", true, 3},
		{"\x00\x01\x02 abc", false, 1},
		{"... --- !!!", false, 0},
		{strings.Repeat("word ", 70000), true, 70000}, // past a lane's 16 bits
	} {
		ok, words := scanText(tt.in)
		if ok != tt.ok || words != tt.words {
			t.Errorf("scanText(%.40q) = %v, %d; want %v, %d", tt.in, ok, words, tt.ok, tt.words)
		}
	}
}

func FuzzScanText(f *testing.F) {
	f.Add("Hello world. 3 \u00a0 é")
	f.Add("\xff\xfe bad")
	f.Fuzz(func(t *testing.T, s string) {
		if _, n := scanText(s); n != refWords(s) {
			t.Fatalf("scanText(%q) counts %d words, want %d", s, n, refWords(s))
		}
	})
}
