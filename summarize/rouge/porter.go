package rouge

// This file is a port of NLTK's PorterStemmer in its default
// NLTK_EXTENSIONS mode, the stemmer Google's rouge-score package uses
// (rouge_scorer.RougeScorer(use_stemmer=True)). It follows the Python code
// rule for rule, including the order in which suffix rules are tried: the
// first rule whose suffix matches decides, even when its condition fails.

var porterIrregular = map[string]string{
	"sky": "sky", "skies": "sky",
	"dying":   "die",
	"lying":   "lie",
	"tying":   "tie",
	"news":    "news",
	"innings": "inning", "inning": "inning",
	"outings": "outing", "outing": "outing",
	"cannings": "canning", "canning": "canning",
	"howe":    "howe",
	"proceed": "proceed",
	"exceed":  "exceed",
	"succeed": "succeed",
}

// PorterStem stems a lower-case ASCII word as nltk.stem.porter.PorterStemmer()
// does.
func PorterStem(word string) string {
	if s, ok := porterIrregular[word]; ok {
		return s
	}
	if len(word) <= 2 {
		return word
	}
	w := word
	w = step1a(w)
	w = step1b(w)
	w = step1c(w)
	w = step2(w)
	w = step3(w)
	w = step4(w)
	w = step5a(w)
	w = step5b(w)
	return w
}

func isCons(w string, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		if i == 0 {
			return true
		}
		return !isCons(w, i-1)
	}
	return true
}

// measure counts the "vc" transitions of the stem's consonant/vowel pattern.
func measure(stem string) int {
	n := 0
	prevVowel := false
	for i := 0; i < len(stem); i++ {
		c := isCons(stem, i)
		if c && prevVowel {
			n++
		}
		prevVowel = !c
	}
	return n
}

func positive(stem string) bool { return measure(stem) > 0 }
func gt1(stem string) bool      { return measure(stem) > 1 }

func containsVowel(stem string) bool {
	for i := 0; i < len(stem); i++ {
		if !isCons(stem, i) {
			return true
		}
	}
	return false
}

func endsDouble(w string) bool {
	n := len(w)
	return n >= 2 && w[n-1] == w[n-2] && isCons(w, n-1)
}

func endsCVC(w string) bool {
	n := len(w)
	if n >= 3 && isCons(w, n-3) && !isCons(w, n-2) && isCons(w, n-1) {
		switch w[n-1] {
		case 'w', 'x', 'y':
		default:
			return true
		}
	}
	return n == 2 && !isCons(w, 0) && isCons(w, 1)
}

func hasSuffix(w, s string) bool { return len(w) >= len(s) && w[len(w)-len(s):] == s }

type rule struct {
	suffix, repl string
	cond         func(stem string) bool
}

// apply applies the first rule whose suffix matches, if its condition holds.
func apply(w string, rules []rule) string {
	for _, r := range rules {
		if hasSuffix(w, r.suffix) {
			stem := w[:len(w)-len(r.suffix)]
			if r.cond == nil || r.cond(stem) {
				return stem + r.repl
			}
			return w
		}
	}
	return w
}

var step1aRules = []rule{{"sses", "ss", nil}, {"ies", "i", nil}, {"ss", "ss", nil}, {"s", "", nil}}

func step1a(w string) string {
	if len(w) == 4 && hasSuffix(w, "ies") {
		return w[:1] + "ie"
	}
	return apply(w, step1aRules)
}

func step1b(w string) string {
	if hasSuffix(w, "ied") {
		if len(w) == 4 {
			return w[:1] + "ie"
		}
		return w[:len(w)-3] + "i"
	}
	if hasSuffix(w, "eed") {
		stem := w[:len(w)-3]
		if measure(stem) > 0 {
			return stem + "ee"
		}
		return w
	}
	var stem string
	ok := false
	for _, suf := range [...]string{"ed", "ing"} {
		if hasSuffix(w, suf) {
			s := w[:len(w)-len(suf)]
			if containsVowel(s) {
				stem, ok = s, true
				break
			}
		}
	}
	if !ok {
		return w
	}
	switch {
	case hasSuffix(stem, "at"):
		return stem + "e"
	case hasSuffix(stem, "bl"):
		return stem + "e"
	case hasSuffix(stem, "iz"):
		return stem + "e"
	case endsDouble(stem):
		last := stem[len(stem)-1]
		if last != 'l' && last != 's' && last != 'z' {
			return stem[:len(stem)-1]
		}
		return stem
	}
	if measure(stem) == 1 && endsCVC(stem) {
		return stem + "e"
	}
	return stem
}

func step1c(w string) string {
	if hasSuffix(w, "y") {
		stem := w[:len(w)-1]
		if len(stem) > 1 && isCons(stem, len(stem)-1) {
			return stem + "i"
		}
	}
	return w
}

var step2Rules = []rule{
	{"ational", "ate", positive},
	{"tional", "tion", positive},
	{"enci", "ence", positive},
	{"anci", "ance", positive},
	{"izer", "ize", positive},
	{"bli", "ble", positive},
	{"alli", "al", positive},
	{"entli", "ent", positive},
	{"eli", "e", positive},
	{"ousli", "ous", positive},
	{"ization", "ize", positive},
	{"ation", "ate", positive},
	{"ator", "ate", positive},
	{"alism", "al", positive},
	{"iveness", "ive", positive},
	{"fulness", "ful", positive},
	{"ousness", "ous", positive},
	{"aliti", "al", positive},
	{"iviti", "ive", positive},
	{"biliti", "ble", positive},
	{"fulli", "ful", positive},
}

func step2(w string) string {
	if hasSuffix(w, "alli") && positive(w[:len(w)-4]) {
		return step2(w[:len(w)-4] + "al")
	}
	r := apply(w, step2Rules)
	if r != w {
		return r
	}
	// The rule list ends with ("logi", "log", m(word[:-3]) > 0); it is only
	// reached when no earlier suffix matched at all.
	for _, rr := range step2Rules {
		if hasSuffix(w, rr.suffix) {
			return w
		}
	}
	if hasSuffix(w, "logi") && positive(w[:len(w)-3]) {
		return w[:len(w)-1]
	}
	return w
}

var step3Rules = []rule{
	{"icate", "ic", positive},
	{"ative", "", positive},
	{"alize", "al", positive},
	{"iciti", "ic", positive},
	{"ical", "ic", positive},
	{"ful", "", positive},
	{"ness", "", positive},
}

func step3(w string) string { return apply(w, step3Rules) }

func ionCond(stem string) bool {
	return measure(stem) > 1 && len(stem) > 0 && (stem[len(stem)-1] == 's' || stem[len(stem)-1] == 't')
}

var step4Rules = []rule{
	{"al", "", gt1}, {"ance", "", gt1}, {"ence", "", gt1}, {"er", "", gt1},
	{"ic", "", gt1}, {"able", "", gt1}, {"ible", "", gt1}, {"ant", "", gt1},
	{"ement", "", gt1}, {"ment", "", gt1}, {"ent", "", gt1}, {"ion", "", ionCond},
	{"ou", "", gt1}, {"ism", "", gt1}, {"ate", "", gt1}, {"iti", "", gt1},
	{"ous", "", gt1}, {"ive", "", gt1}, {"ize", "", gt1},
}

func step4(w string) string { return apply(w, step4Rules) }

func step5a(w string) string {
	if hasSuffix(w, "e") {
		stem := w[:len(w)-1]
		m := measure(stem)
		if m > 1 || (m == 1 && !endsCVC(stem)) {
			return stem
		}
	}
	return w
}

func step5b(w string) string {
	if hasSuffix(w, "ll") && measure(w[:len(w)-1]) > 1 {
		return w[:len(w)-1]
	}
	return w
}
