package rules

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Item is what a rule looks at: the plain text of one feed item, not yet
// escaped for Discord. Terms look at Title, Summary, Author and Categories;
// Link, Source and Published are carried for the callers' reports.
type Item struct {
	Title, Summary, Author, Link, Source string
	Categories                           []string
	Published                            time.Time
}

// Match reports whether any term matches the item, and which one first, in
// its canonical form, so /feed test can say why.
func (t Terms) Match(it Item) (matched bool, term string) {
	return t.match(newView(it))
}

func (t Terms) match(v *view) (bool, string) {
	for _, x := range t.terms {
		if v.matches(x) {
			return true, x.String()
		}
	}
	return false, ""
}

// view is an item with its fields split into words, each once and only
// when a term first needs it: several term lists look at the same item.
type view struct {
	it    Item
	words map[field][][]string // per field, the words of each of its texts
}

func newView(it Item) *view {
	return &view{it: it, words: make(map[field][][]string, 4)}
}

// texts are the strings a field stands for; fieldText is two of them, so
// that a phrase never runs from the headline into the summary.
func (v *view) texts(f field) []string {
	switch f {
	case fieldTitle:
		return []string{v.it.Title}
	case fieldSummary:
		return []string{v.it.Summary}
	case fieldAuthor:
		return []string{v.it.Author}
	case fieldCategory:
		return v.it.Categories
	default:
		return []string{v.it.Title, v.it.Summary}
	}
}

func (v *view) wordsOf(f field) [][]string {
	if w, ok := v.words[f]; ok {
		return w
	}
	texts := v.texts(f)
	w := make([][]string, len(texts))
	for i, s := range texts {
		w[i] = foldWords(splitWords(s))
	}
	v.words[f] = w
	return w
}

func (v *view) matches(x term) bool {
	if x.re != nil {
		for _, s := range v.texts(x.field) {
			if x.re.MatchString(s) {
				return true
			}
		}
		return false
	}
	for _, words := range v.wordsOf(x.field) {
		if containsPhrase(words, x.words) {
			return true
		}
	}
	return false
}

// containsPhrase reports whether phrase occurs in words as a run of whole
// words; both are folded (see fold), so case is ignored.
func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if equalWords(words[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// foldWords case-folds words, so that matching can compare them with ==:
// a poll matches every new item against every term, and strings.EqualFold
// on each pair cost most of the time.
func foldWords(words []string) []string {
	for i, w := range words {
		words[i] = fold(w)
	}
	return words
}

// fold maps each letter to one representative of its case-folding orbit,
// the smallest, so that Σ, σ and ς fold alike; strings.ToLower would not
// make ς equal σ.
func fold(w string) string {
	if isASCII(w) {
		return strings.ToLower(w)
	}
	return strings.Map(func(r rune) rune {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		return min
	}, w)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// splitWords cuts s into words: runs of letters, combining marks and
// digits, in any script. Everything else separates words, so "art" is not
// found in "start" but is in "art's", and "COVID-19" is the words "COVID"
// and "19". Chinese and Japanese are written without spaces, so each of
// their characters is a word of its own and "地震" is found in "日本发生地震".
func splitWords(s string) []string {
	var words []string
	start := -1
	for i, r := range s {
		switch {
		case isIdeograph(r):
			if start >= 0 {
				words = append(words, s[start:i])
			}
			words = append(words, s[i:i+utf8.RuneLen(r)])
			start = -1
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				words = append(words, s[start:i])
			}
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf { // most text is ASCII, and the tables are slow
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N)
}

func isIdeograph(r rune) bool {
	return r >= 0x2e80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
