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

// TestAsciiWord checks the eight-bytes-at-a-time word reader against one
// byte at a time, for every byte at every position.
func TestAsciiWord(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			b := []byte("aZ09mQzA")
			b[pos] = byte(c)
			var v uint64
			for k := 7; k >= 0; k-- {
				v = v<<8 | uint64(b[k])
			}
			low, n := asciiWord(v)
			wantN := 0
			for wantN < 8 && byteClass[b[wantN]] != classSep && byteClass[b[wantN]] <= classUpper {
				wantN++
			}
			var wantLow uint64
			for k := wantN - 1; k >= 0; k-- {
				wantLow = wantLow<<8 | uint64(unicode.ToLower(rune(b[k])))
			}
			if n != wantN || low != wantLow {
				t.Fatalf("asciiWord(%q) = %#x, %d; want %#x, %d", b, low, n, wantLow, wantN)
			}
		}
	}
}

// TestWordIDs checks that a word gets one id whatever its case and however
// it is read (the fast path hashes it as hashWord does).
func TestWordIDs(t *testing.T) {
	ws := new(workspace)
	ws.reset()
	for _, w := range []string{"a", "portsmouth", "abcdefgh", "abcdefghijklmnop", "abcdefghijklmnopq", "x2024", "l'homme", "café", "don't"} {
		up := strings.ToUpper(w[:1]) + w[1:]
		text := w + " " + strings.ToUpper(w) + ", " + up + ". (" + w + ") " + w
		ids, n := ws.splitWords(text, nil)
		if n != 5 || len(ids) != 5 {
			t.Fatalf("%q: %d words, ids %v", text, n, ids)
		}
		for _, id := range ids {
			if id != ids[0] || string(ws.word(id)) != w {
				t.Errorf("%q: ids %v, word %q", text, ids, ws.word(id))
			}
		}
	}
}
