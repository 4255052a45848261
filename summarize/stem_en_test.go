package summarize

import (
	"testing"

	"github.com/kljensen/snowball/english"
)

// TestStemEnglish checks stemEnglish against snowball on every word of the
// evaluation articles (when they are there) and on words built from
// English endings, so that the summaries cannot change.
func TestStemEnglish(t *testing.T) {
	seen := map[string]bool{}
	check := func(w string) {
		if seen[w] {
			return
		}
		seen[w] = true
		if got, want := stemEnglish(w, true), english.Stem(w, true); got != want {
			t.Errorf("stemEnglish(%q) = %q, snowball says %q", w, got, want)
		}
	}
	ws := newWorkspaceForTest()
	if arts, err := readEval("dev.jsonl"); err == nil {
		fr, _ := readEval("fr-orangesum.jsonl")
		for _, a := range append(arts, fr...) {
			ws.reset()
			ws.splitWords(a.Title+"\n"+a.Text, nil)
			for _, v := range ws.localVocab {
				check(string(ws.vocab.bytes(v)))
			}
		}
	}
	stems := []string{"", "a", "y", "ye", "'", "''", "'''", "gener", "commun", "arsen", "sky", "hop",
		"happ", "agre", "pla", "trie", "crie", "abat", "bl", "tr", "nation", "fulli", "luxuri", "ion", "sion",
		"uct", "fer", "tip", "box", "show", "ble", "cab", "sc", "12", "x9", "ly", "yyy", "aye", "kayak"}
	endings := []string{"", "s", "'s", "'s'", "'", "es", "sses", "ies", "ied", "us", "ss", "eed", "eedly",
		"ed", "edly", "ing", "ingly", "at", "bl", "iz", "bb", "tt", "y", "ational", "tional", "enci", "anci",
		"abli", "entli", "izer", "ization", "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli",
		"ousness", "iveness", "iviti", "biliti", "bli", "ogi", "logi", "fulli", "lessli", "li", "cli", "alize",
		"icate", "iciti", "ical", "ful", "ness", "ative", "ement", "ance", "ence", "able", "ible", "ment",
		"ent", "ant", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion", "tion", "al", "er", "ic", "e",
		"le", "ll", "l"}
	for _, s := range stems {
		for _, e := range endings {
			for _, e2 := range []string{"", "s", "ed", "ing", "ly", "e"} {
				check(s + e + e2)
				check("'" + s + e + e2)
			}
		}
	}
	if len(seen) < 10000 {
		t.Errorf("only %d words checked", len(seen))
	}
}

func newWorkspaceForTest() *workspace {
	ws := new(workspace)
	ws.reset()
	return ws
}

// FuzzStemEnglish compares stemEnglish with snowball on any string, most
// of them mapped onto the letters, digits and apostrophes of the fast path.
func FuzzStemEnglish(f *testing.F) {
	f.Add("generously", true)
	f.Add("''y'ies", true)
	f.Add("Hop\u00e9", false)
	f.Fuzz(func(t *testing.T, s string, mapped bool) {
		if mapped {
			const alphabet = "abcdefghijklmnopqrstuvwxyz'aeiouylstngby'01"
			b := []byte(s)
			for i, c := range b {
				b[i] = alphabet[int(c)%len(alphabet)]
			}
			s = string(b)
		}
		for _, stop := range []bool{true, false} {
			if got, want := stemEnglish(s, stop), english.Stem(s, stop); got != want {
				t.Fatalf("stemEnglish(%q, %v) = %q, snowball says %q", s, stop, got, want)
			}
		}
	})
}
