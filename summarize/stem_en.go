package summarize

import (
	"strings"

	"github.com/kljensen/snowball/english"
)

// stemEnglish is english.Stem(word, stemStop), the snowball (Porter2)
// stemmer the package has always used, made fast for the words it sees
// most: lower-case ASCII letters, digits and apostrophes. For those it
// runs the same steps as github.com/kljensen/snowball/english v0.10.0,
// line for line and quirk for quirk, on bytes instead of runes and
// without allocating until the result; any other word goes to snowball
// itself. Snowball costs about 2.5 µs a word, which made stemming a cold
// vocabulary a quarter of a batch run. TestStemEnglish and
// FuzzStemEnglish check it against snowball.
func stemEnglish(word string, stemStop bool) string {
	if !stemStop || !plainEnglish(word) {
		return english.Stem(word, stemStop)
	}
	if len(word) <= 2 {
		return word
	}
	if s, ok := enSpecial[word]; ok {
		return s
	}
	var arr [32]byte
	w := enWord{b: append(arr[:0], word...)}
	w.r1, w.r2 = len(w.b), len(w.b)
	w.preprocess()
	w.step0()
	w.step1a()
	w.step1b()
	w.step1c()
	w.step2()
	w.step3()
	w.step4()
	w.step5()
	for i, c := range w.b { // postprocess: uncapitalize the Ys
		if c == 'Y' {
			w.b[i] = 'y'
		}
	}
	if string(w.b) == word {
		return word
	}
	return string(w.b)
}

// plainEnglish reports whether word has only bytes that snowball's
// lower-casing and trimming leave alone and that are one rune each.
func plainEnglish(word string) bool {
	for i := 0; i < len(word); i++ {
		c := word[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '\'') {
			return false
		}
	}
	return true
}

// enSpecial is snowball's stemSpecialWord.
var enSpecial = map[string]string{
	"skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
	"singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
	"cosmos": "cosmos", "bias": "bias", "andes": "andes", "inning": "inning",
	"innings": "inning", "outing": "outing", "outings": "outing", "canning": "canning",
	"cannings": "canning", "herring": "herring", "herrings": "herring",
	"earring": "earring", "earrings": "earring", "proceed": "proceed",
	"proceeds": "proceed", "proceeded": "proceed", "proceeding": "proceed",
	"exceed": "exceed", "exceeds": "exceed", "exceeded": "exceed",
	"exceeding": "exceed", "succeed": "succeed", "succeeds": "succeed",
	"succeeded": "succeed", "succeeding": "succeed",
}

// enWord is a word being stemmed, as snowballword.SnowballWord: its bytes
// (one rune each) and where its R1 and R2 regions start.
type enWord struct {
	b      []byte
	r1, r2 int
}

func enVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// suffixList holds a step's suffixes by their last byte, each bucket in
// the step's order, so that firstSuffix compares only the few that can
// match.
type suffixList [256][]string

func newSuffixList(suffixes ...string) *suffixList {
	var l suffixList
	for _, s := range suffixes {
		l[s[len(s)-1]] = append(l[s[len(s)-1]], s)
	}
	return &l
}

// firstSuffix returns the first of the suffixes (in the step's order) that
// the word ends with, or "".
func (w *enWord) firstSuffix(l *suffixList) string {
	n := len(w.b)
	if n == 0 {
		return ""
	}
	for _, s := range l[w.b[n-1]] {
		if len(s) <= n && string(w.b[n-len(s):]) == s {
			return s
		}
	}
	return ""
}

// replace replaces the last n bytes with repl and keeps the regions
// within the word (ReplaceSuffixRunes, RemoveLastNRunes).
func (w *enWord) replace(n int, repl string) {
	w.b = append(w.b[:len(w.b)-n], repl...)
	w.r1 = min(w.r1, len(w.b))
	w.r2 = min(w.r2, len(w.b))
}

// vnv is romance.VnvSuffix with English vowels.
func (w *enWord) vnv(start int) int {
	for i := 1; i < len(w.b[start:]); i++ {
		j := start + i
		if enVowel(w.b[j-1]) && !enVowel(w.b[j]) {
			return j + 1
		}
	}
	return len(w.b)
}

func (w *enWord) preprocess() {
	// trimLeftApostrophes, with its range loop: a word of apostrophes
	// only keeps its last one.
	k := 0
	for k = 0; k < len(w.b)-1; k++ {
		if w.b[k] != '\'' {
			break
		}
	}
	if k > 0 {
		w.b = w.b[k:]
		w.r1 -= k
		w.r2 -= k
	}
	// capitalizeYs
	for i, c := range w.b {
		if c == 'y' && (i == 0 || enVowel(w.b[i-1])) {
			w.b[i] = 'Y'
		}
	}
	// r1r2
	switch {
	case strings.HasPrefix(string(w.b), "gener"):
		w.r1 = 5
	case strings.HasPrefix(string(w.b), "commun"):
		w.r1 = 6
	case strings.HasPrefix(string(w.b), "arsen"):
		w.r1 = 5
	default:
		w.r1 = w.vnv(0)
	}
	w.r2 = w.vnv(w.r1)
}

var (
	enStep0  = newSuffixList("'s'", "'s", "'")
	enStep1a = newSuffixList("sses", "ied", "ies", "us", "ss", "s")
	enStep1b = newSuffixList("eedly", "ingly", "edly", "ing", "eed", "ed")
	enEnds1b = newSuffixList("at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
	enStep2  = newSuffixList(
		"ational", "fulness", "iveness", "ization", "ousness",
		"biliti", "lessli", "tional", "alism", "aliti", "ation",
		"entli", "fulli", "iviti", "ousli", "anci", "abli",
		"alli", "ator", "enci", "izer", "bli", "ogi", "li",
	)
	enStep3 = newSuffixList("ational", "tional", "alize", "icate", "ative", "iciti", "ical", "ful", "ness")
	enStep4 = newSuffixList(
		"ement", "ance", "ence", "able", "ible", "ment",
		"ent", "ant", "ism", "ate", "iti", "ous", "ive",
		"ize", "ion", "al", "er", "ic",
	)
)

func (w *enWord) step0() {
	if s := w.firstSuffix(enStep0); s != "" {
		w.replace(len(s), "")
	}
}

func (w *enWord) step1a() {
	switch s := w.firstSuffix(enStep1a); s {
	case "sses":
		w.replace(len(s), "ss")
	case "ies", "ied":
		if len(w.b) > 4 {
			w.replace(len(s), "i")
		} else {
			w.replace(len(s), "ie")
		}
	case "s":
		for i := 0; i < len(w.b)-2; i++ {
			if enVowel(w.b[i]) {
				w.replace(1, "")
				return
			}
		}
	}
}

func (w *enWord) step1b() {
	s := w.firstSuffix(enStep1b)
	switch s {
	case "eed", "eedly":
		if len(s) <= len(w.b)-w.r1 {
			w.replace(len(s), "ee")
		}
	case "ed", "edly", "ing", "ingly":
		hasVowel := false
		for i := 0; i < len(w.b)-len(s); i++ {
			if enVowel(w.b[i]) {
				hasVowel = true
				break
			}
		}
		if !hasVowel {
			return
		}
		r1, r2 := w.r1, w.r2
		w.replace(len(s), "")
		switch e := w.firstSuffix(enEnds1b); e {
		case "":
			if w.isShort() {
				w.b = append(w.b, 'e')
				w.r1, w.r2 = len(w.b), len(w.b)
				return
			}
		case "at", "bl", "iz":
			w.replace(0, "e")
		default:
			w.replace(1, "")
		}
		w.r1 = min(r1, len(w.b))
		w.r2 = min(r2, len(w.b))
	}
}

// isShort is isShortWord: R1 is empty and the word ends in a short syllable.
func (w *enWord) isShort() bool {
	return w.r1 >= len(w.b) && w.endsShortSyllable(len(w.b))
}

func (w *enWord) endsShortSyllable(i int) bool {
	switch {
	case i == 2:
		return enVowel(w.b[0]) && !enVowel(w.b[1])
	case i >= 3:
		s1, s2, s3 := w.b[i-1], w.b[i-2], w.b[i-3]
		return !enVowel(s1) && s1 != 'w' && s1 != 'x' && s1 != 'Y' && enVowel(s2) && !enVowel(s3)
	}
	return false
}

func (w *enWord) step1c() {
	n := len(w.b)
	if n > 2 && (w.b[n-1] == 'y' || w.b[n-1] == 'Y') && !enVowel(w.b[n-2]) {
		w.b[n-1] = 'i'
	}
}

func (w *enWord) step2() {
	s := w.firstSuffix(enStep2)
	if s == "" || len(s) > len(w.b)-w.r1 {
		return
	}
	n := len(w.b)
	switch s {
	case "li":
		if n >= 3 {
			switch w.b[n-3] {
			case 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't':
				w.replace(2, "")
			}
		}
		return
	case "ogi":
		if n >= 4 && w.b[n-4] == 'l' {
			w.replace(3, "og")
		}
		return
	}
	var repl string
	switch s {
	case "tional":
		repl = "tion"
	case "enci":
		repl = "ence"
	case "anci":
		repl = "ance"
	case "abli":
		repl = "able"
	case "entli":
		repl = "ent"
	case "izer", "ization":
		repl = "ize"
	case "ational", "ation", "ator":
		repl = "ate"
	case "alism", "aliti", "alli":
		repl = "al"
	case "fulness":
		repl = "ful"
	case "ousli", "ousness":
		repl = "ous"
	case "iveness", "iviti":
		repl = "ive"
	case "biliti", "bli":
		repl = "ble"
	case "fulli":
		repl = "ful"
	case "lessli":
		repl = "less"
	}
	w.replace(len(s), repl)
}

func (w *enWord) step3() {
	s := w.firstSuffix(enStep3)
	if s == "" || len(s) > len(w.b)-w.r1 {
		return
	}
	if s == "ative" {
		if len(w.b)-w.r2 >= 5 {
			w.replace(len(s), "")
		}
		return
	}
	var repl string
	switch s {
	case "ational":
		repl = "ate"
	case "tional":
		repl = "tion"
	case "alize":
		repl = "al"
	case "icate", "iciti", "ical":
		repl = "ic"
	}
	w.replace(len(s), repl)
}

func (w *enWord) step4() {
	s := w.firstSuffix(enStep4)
	if s == "" || len(s) > len(w.b)-w.r2 {
		return
	}
	if s == "ion" {
		if n := len(w.b); n >= 4 && (w.b[n-4] == 's' || w.b[n-4] == 't') {
			w.replace(len(s), "")
		}
		return
	}
	w.replace(len(s), "")
}

func (w *enWord) step5() {
	lri := len(w.b) - 1
	if w.r1 > lri {
		return
	}
	if w.b[lri] == 'e' {
		if w.r2 <= lri || !w.endsShortSyllable(lri) {
			w.replace(1, "")
		}
	} else if w.r2 <= lri && w.b[lri] == 'l' && lri-1 >= 0 && w.b[lri-1] == 'l' {
		w.replace(1, "")
	}
}
