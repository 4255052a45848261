package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"café", 4},
		{"日本", 2},
		{"😀", 2},
		{"🇯🇵", 4},
		{"👍🏽", 4},
		{"e\u0301", 2},
	}
	for _, tt := range tests {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "Short text.", 11, "Short text."},
		{"zero limit", "Short text.", 0, ""},
		{"negative limit", "Short text.", -3, ""},
		{"limit one", "Short text.", 1, "…"},
		{"sentence boundary", "First one here. Second one is longer.", 30, "First one here. …"},
		{"sentence with closing quote", `He said "no." Then he left the room.`, 25, `He said "no." …`},
		{"question and exclamation", "Why? Because! And then some more words", 20, "Why? Because! …"},
		{"sentence too early: word boundary", "Hi. Then a very long sentence without an end", 30, "Hi. Then a very long sentence…"},
		{"initials are not a sentence end", "Talks with the U.S. and allies went on", 24, "Talks with the U.S. and…"},
		{"word boundary", "one two three four five six", 16, "one two three…"},
		{"trailing comma dropped", "alpha, beta, gamma delta", 14, "alpha, beta…"},
		{"hard cut", "abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"},
		{"word too early: hard cut", "a bcdefghijklmnopqrstuvwxyz", 10, "a bcdefgh…"},
		{"multi-byte letters", "Économie française en hausse", 19, "Économie française…"},
		{"CJK sentence stop", "日本で地震。津波の心配はありません。", 10, "日本で地震。 …"},
		{"CJK hard cut", "日本で地震があり津波の心配はありません", 8, "日本で地震があ…"},
		{"emoji count two", "😀😀😀😀😀😀", 7, "😀😀😀…"},
		{"emoji not split", "ab😀cd", 4, "ab…"},
		{"skin tone kept with its emoji", "ok 👍🏽👍🏽👍🏽", 8, "ok 👍🏽…"},
		{"ZWJ family kept whole", "x👨‍👩‍👧y", 8, "x…"},
		{"flag kept whole", "🇯🇵🇫🇷🇩🇪", 7, "🇯🇵…"},
		{"combining accent kept", "cafe\u0301s", 5, "caf…"},
		{"escape backslash not left dangling", `abcdefgh\*ijk`, 10, "abcdefgh…"},
		{"escaped backslash kept", `abcdefg\\*ijk`, 10, `abcdefg\\…`},
		{"only a huge emoji", "👨‍👩‍👧‍👦", 5, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.limit)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if Width(got) > max(tt.limit, 0) {
				t.Errorf("Truncate(%q, %d) = %q is %d wide", tt.in, tt.limit, got, Width(got))
			}
		})
	}
}

// TestTruncateDiscordLength cuts a long article as the bot will, to
// Discord's 2,000, and checks the result against JavaScript's count.
func TestTruncateDiscordLength(t *testing.T) {
	s := strings.Repeat("Die Straße ist gesperrt 🚧. ", 200)
	got := Truncate(s, MaxContent)
	if w := utf16Len(got); w > MaxContent || w < MaxContent-40 {
		t.Errorf("cut to %d UTF-16 units, want at most %d and not much less", w, MaxContent)
	}
	if !strings.HasSuffix(got, "🚧. …") || !utf8.ValidString(got) {
		t.Errorf("cut %q, want a sentence end", got[len(got)-20:])
	}
}

// utf16Len counts independently of Width, as JavaScript does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if utf8.RuneLen(r) == 4 {
			n++
		}
	}
	return n
}
