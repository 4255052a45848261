package stories

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// feature is one term of an article with its weight before idf.
type feature struct {
	key  string
	w    float32
	t    *term // the key's entry in the idf table when features ran, or nil
	head bool  // a word of the headline
	text bool  // a word of the text after the headline
}

// Weights of where a word stands and what it is. The headline says what the
// story is; the lead repeats it with details; later text drifts into
// background that different stories share.
const (
	maxTitleTokens = 48
	maxTextTokens  = 160
	// headTokens is how many words of the text stand for the headline
	// of an article without one (the headline then often starts the
	// text).
	headTokens   = 15
	titleWeight  = 2
	leadTokens   = 50
	leadWeight   = 1
	restWeight   = 0.5
	nameBoost    = 1.5
	numberBoost  = 1.5
	phraseWeight = 0.5
)

// features turns an article into weighted terms. It uses m's scratch buffers
// and word cache, so m.mu must be held, and the terms it returns are valid
// until its next call: an assignment's features are copied into the window,
// and a buffer per article would be most of what an assignment allocates.
func (m *Matcher) features(a Article) []feature {
	toks := tokenize(m.toks[:0], a.Title, true, maxTitleTokens)
	nTitle := len(toks)
	toks = tokenize(toks, a.Text, false, nTitle+maxTextTokens)
	m.toks = toks[:0]
	// What is known of each word, looked up once: detect needs its stop
	// words, the terms below its stem and its entry in the idf table.
	ws := m.wordBuf[:0]
	for _, t := range toks {
		var wi *wordInfo
		if !t.cjk && !t.num {
			wi = m.word(t.word)
		}
		ws = append(ws, wi)
	}
	m.wordBuf = ws[:0]
	lang := m.detect(toks, ws)
	if lang == nil {
		lang = m.byScript(toks)
	}
	var langBit uint16 // lang's bit in wordInfo.stops
	for j, l := range m.langs {
		if l == lang {
			langBit = 1 << j
		}
	}
	// A headline in Title Case capitalizes every word; only its acronyms
	// are then known to be names.
	titleCase := false
	if nTitle > 0 {
		caps, words := 0, 0
		for _, t := range toks[:nTitle] {
			if t.cjk || t.num || utf8.RuneCountInString(t.word) < 4 {
				continue
			}
			words++
			if t.cap {
				caps++
			}
		}
		titleCase = words >= 3 && caps*10 >= words*6
	}
	feats := m.feats[:0]
	index := m.index
	clear(index)
	boost := m.boost[:0]
	add := func(key string, t *term, w, b float32) int {
		j, ok := index[key]
		if !ok {
			j = len(feats)
			index[key] = j
			feats = append(feats, feature{key: key, t: t})
			boost = append(boost, 1)
		}
		feats[j].w += w
		boost[j] = max(boost[j], b)
		return j
	}
	prev, prevTitle := "", false
	for i, t := range toks {
		head := t.title || (nTitle == 0 && i < headTokens)
		key := t.word
		var tm *term
		b := float32(1)
		switch {
		case t.cjk:
			tm = m.terms[key]
		case t.num:
			if !isYear(key) {
				b = numberBoost
			}
			tm = m.terms[key]
		default:
			if utf8.RuneCountInString(key) < 2 || ws[i].stops&langBit != 0 {
				continue
			}
			if t.acro || (t.cap && !t.first && !(t.title && titleCase) && (lang == nil || lang.capsAreNames)) {
				b = nameBoost
			}
			key, tm = m.termOf(ws[i], lang)
			if key == "" {
				continue
			}
		}
		var w float32
		switch {
		case t.title:
			w = titleWeight
		case i-nTitle < leadTokens:
			w = leadWeight
		default:
			w = restWeight
		}
		if j := add(key, tm, w, b); head {
			feats[j].head = true
		} else {
			feats[j].text = true
		}
		if t.cjk {
			// Character bigrams are phrases already.
			prev = ""
			continue
		}
		// Pairs of neighbouring content words ("price war", "costume
		// change") are rarer than either word: two stories about one
		// person share the name, seldom the phrases around it.
		if prev != "" && prevTitle == t.title {
			x, y := prev, key
			if y < x {
				x, y = y, x // word order varies between outlets
			}
			key, t := m.phrase(x, y)
			add(key, t, phraseWeight*w, 1)
		}
		prev, prevTitle = key, t.title
	}
	for j := range feats {
		w := feats[j].w
		if w > 1 {
			// Sublinear: the fifth mention of a word says less than the first.
			w = 1 + float32(math.Log(float64(w)))
		}
		feats[j].w = w * boost[j]
	}
	m.boost = boost[:0]
	m.feats = feats[:0]
	return feats
}

// phrase returns the key of the phrase of terms x and y and its entry in
// the idf table, if any, whose key string it reuses.
func (m *Matcher) phrase(x, y string) (string, *term) {
	b := append(append(append(m.keyBuf[:0], x...), 1), y...)
	m.keyBuf = b
	if t := m.terms[string(b)]; t != nil {
		return t.key, t
	}
	return string(b), nil
}

// wordInfo is what the matcher knows of a word (lower case, unstemmed),
// cached since most words of an article were seen before: one lookup stands
// for the stop lists of every language, the stemmer, which costs more than
// everything else an assignment does, and the idf table.
type wordInfo struct {
	word    string    // the word, a copy: a token's word may hold on to its article's text
	stops   uint16    // the languages (bit i for m.langs[i]) the word is a stop word of
	stemmed bool      // stem is the word's term in lang
	lang    *language // nil: no language known, and the word is truncated
	stem    string    // "": the word is no term (a stop word once stemmed)
	t       *term     // stem's entry in the idf table when last looked up; stale once t.df is 0
}

// maxWords bounds the word cache; clearing it costs only recomputation.
const maxWords = 200_000

// word returns what is known of w, learning its stop lists if it is new.
func (m *Matcher) word(w string) *wordInfo {
	if wi := m.words[w]; wi != nil {
		return wi
	}
	wi := &wordInfo{word: strings.Clone(w)}
	for j, l := range m.langs {
		if l.stop(w) {
			wi.stops |= 1 << j
		}
	}
	if len(m.words) >= maxWords {
		clear(m.words)
	}
	m.words[wi.word] = wi
	return wi
}

// termOf returns the term of wi's word in lang ("" for none) and its entry
// in the idf table, if any. A term dropped from the table since it was
// looked up has no articles left (t.df is 0), and a term of that key added
// since is another, so a cached entry is used only while it has articles.
func (m *Matcher) termOf(wi *wordInfo, lang *language) (string, *term) {
	if !wi.stemmed || wi.lang != lang {
		wi.stemmed, wi.lang, wi.stem, wi.t = true, lang, reduce(lang, wi.word), nil
	}
	if wi.stem == "" {
		return "", nil
	}
	if wi.t == nil || wi.t.df <= 0 {
		wi.t = m.terms[wi.stem]
	}
	return wi.stem, wi.t
}

// reduce maps a word to its term in lang (stemmed, or truncated where
// there is no stemmer), "" for none.
func reduce(lang *language, w string) string {
	s := w
	switch {
	case lang == nil:
		s = truncate(w)
	case lang.stem != nil:
		s = lang.stem(w)
	default:
		s = truncate(w)
	}
	if lang != nil && lang.stop(s) {
		s = ""
	}
	return s
}

// byScript guesses the language of a text too short to hold stop words
// from its letters: Latin headlines are most often English, and the English
// stemmer does little harm to other Latin-script languages.
func (m *Matcher) byScript(toks []token) *language {
	for _, t := range toks {
		if t.cjk || t.num {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t.word)
		code := ""
		switch {
		case unicode.Is(unicode.Latin, r):
			code = "en"
		case unicode.Is(unicode.Cyrillic, r):
			code = "ru"
		case unicode.Is(unicode.Arabic, r):
			code = "ar"
		default:
			return nil
		}
		for _, l := range m.langs {
			if l.code == code {
				return l
			}
		}
		return nil
	}
	return nil
}

func isYear(s string) bool {
	return len(s) == 4 && (s[:2] == "19" || s[:2] == "20")
}
