package rules

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Item is what a rule looks at: the plain text of one feed item.
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
	words map[Field][][]string // per field, the words of each of its texts
}

func newView(it Item) *view {
	return &view{it: it, words: make(map[Field][][]string, 4)}
}

// texts are the strings a field stands for; FieldText is two of them, so
// that a phrase never runs from the headline into the summary.
func (v *view) texts(f Field) []string {
	switch f {
	case FieldTitle:
		return []string{v.it.Title}
	case FieldSummary:
		return []string{v.it.Summary}
	case FieldAuthor:
		return []string{v.it.Author}
	case FieldCategory:
		return v.it.Categories
	default:
		return []string{v.it.Title, v.it.Summary}
	}
}

func (v *view) wordsOf(f Field) [][]string {
	if w, ok := v.words[f]; ok {
		return w
	}
	texts := v.texts(f)
	w := make([][]string, len(texts))
	for i, s := range texts {
		w[i] = splitWords(s)
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
// words, ignoring case.
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
		// EqualFold knows that Σ, σ and ς are one letter; comparing
		// lower-cased strings would not.
		if !strings.EqualFold(a[i], b[i]) {
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
	return unicode.In(r, unicode.L, unicode.M, unicode.N)
}

func isIdeograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
