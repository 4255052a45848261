package stories

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAssign feeds arbitrary headlines and texts, valid UTF-8 or not, and
// checks that every article gets a story and that the same article again
// from its own feed is an update of it.
func FuzzAssign(f *testing.F) {
	f.Add("Sbarro files for bankruptcy", "Pizza chain Sbarro filed for Chapter 11 on Monday.")
	f.Add("缅因州男子赢得强力球", "一名缅因州男子赢得100万美元。")
	f.Add("Lufthansa streicht Flüge", "3.000 Flüge, 1,5 Mio. Passagiere")
	f.Add("", "")
	f.Add("\xff\xfe", "a\u0301b ١٢٣ ПРИВЕТ")
	f.Fuzz(func(t *testing.T, title, text string) {
		m := NewMatcher(Options{})
		for i, a := range background[:4] {
			a.ID, a.Feed, a.Published = string(rune('a'+i)), string(rune('A'+i)), t0
			m.Assign(a)
		}
		a := Article{ID: "x", Feed: "f", Link: "https://example.com/x", Title: title, Text: text, Published: t0.Add(time.Hour)}
		r := m.Assign(a)
		if r.Story == "" || r.Score < 0 || r.Score > 1.0000001 {
			t.Fatalf("Assign(%q, %q) = %+v", title, text, r)
		}
		a.ID = "y"
		if r2 := m.Assign(a); r2.Kind != Update || r2.Story != r.Story {
			t.Fatalf("same link again: %+v, want an update of %q", r2, r.Story)
		}
		for _, f := range m.features(a) {
			if f.w <= 0 || (utf8.ValidString(title+text) && !utf8.ValidString(f.key)) {
				t.Fatalf("feature %q weight %v", f.key, f.w)
			}
		}
	})
}
