package stories

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	sbarabic "github.com/blevesearch/snowballstem/arabic"
	sbdutch "github.com/blevesearch/snowballstem/dutch"
	sbenglish "github.com/blevesearch/snowballstem/english"
	sbfrench "github.com/blevesearch/snowballstem/french"
	sbgerman "github.com/blevesearch/snowballstem/german"
	sbhungarian "github.com/blevesearch/snowballstem/hungarian"
	sbitalian "github.com/blevesearch/snowballstem/italian"
	sbnorwegian "github.com/blevesearch/snowballstem/norwegian"
	sbportuguese "github.com/blevesearch/snowballstem/portuguese"
	sbrussian "github.com/blevesearch/snowballstem/russian"
	sbspanish "github.com/blevesearch/snowballstem/spanish"
	sbswedish "github.com/blevesearch/snowballstem/swedish"
	sbturkish "github.com/blevesearch/snowballstem/turkish"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// token is one word of an article as the tokenizer saw it, before stemming.
type token struct {
	word  string // lower case
	pos   float32
	cap   bool // starts with a capital letter
	first bool // starts a sentence, where a capital says nothing
	acro  bool // an acronym: two to six capital letters
	num   bool // digits
	cjk   bool // a character bigram of a script written without spaces
	title bool
}

// language knows how to reduce a word to its term and which words carry no
// content. The stop lists only need to be good enough to recognize the
// language and to keep function words out of a cold window, where idf
// cannot yet tell them apart from content words.
type language struct {
	code string
	// stem is nil for truncation, in languages Snowball has no stemmer
	// for.
	stem func(word string) string
	stop func(word string) bool
	// capsAreNames is false where every noun is capitalized (German), so a
	// capital letter says nothing about a name.
	capsAreNames bool
}

// snowball makes a stemmer of one of the official Snowball algorithms,
// as generated for Go by the Snowball compiler (blevesearch/snowballstem):
// twice as fast as kljensen/snowball's rune-based port, which is kept for
// its stop lists.
func snowball(alg func(*snowballstem.Env) bool) func(string) string {
	return func(w string) string {
		env := snowballstem.NewEnv(w)
		alg(env)
		return env.Current()
	}
}

func stopSet(words string) func(string) bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return func(w string) bool { return m[w] }
}

// newLanguages builds the language table. It is built per Matcher rather than
// kept in a package variable so the package holds no mutable state at all.
func newLanguages() []*language {
	englishExtra := stopSet("said says would could also one two new year years last first told mr mrs ms according many much may might like get got made make well back still even since")
	return []*language{
		{code: "en", stem: snowball(sbenglish.Stem), stop: func(w string) bool { return english.IsStopWord(w) || englishExtra(w) }, capsAreNames: true},
		{code: "es", stem: snowball(sbspanish.Stem), stop: spanish.IsStopWord, capsAreNames: true},
		{code: "fr", stem: snowball(sbfrench.Stem), stop: french.IsStopWord, capsAreNames: true},
		{code: "ru", stem: snowball(sbrussian.Stem), stop: russian.IsStopWord, capsAreNames: true},
		{code: "sv", stem: snowball(sbswedish.Stem), stop: swedish.IsStopWord, capsAreNames: true},
		{code: "no", stem: snowball(sbnorwegian.Stem), stop: norwegian.IsStopWord, capsAreNames: true},
		{code: "hu", stem: snowball(sbhungarian.Stem), stop: hungarian.IsStopWord, capsAreNames: true},
		{code: "de", stem: snowball(sbgerman.Stem), stop: stopSet("der die das und ist nicht ein eine einer eines einem einen dem den des von zu mit sich auf für im in an als auch es er sie wir ihr sind war wurde werden wird hat haben bei nach aus wie noch nur oder aber so dass um über vor am zum zur bis durch mehr schon sein seine ihre kann man wenn diese dieser dieses diesem diesen hier vom seit gegen ich du mich mir mein meine meinen meiner unser unsere unseres unserer uns euch ihm ihn ihnen dies jetzt sehr immer wieder alle alles etwas nichts was wer wo warum weil denn doch ja nein dann da damit also sondern gibt geht habe hatte hatten sei seien wäre würde würden können könnte müssen muss soll sollen will wollen keine kein keinen viel viele ob zwischen unter ohne beim ins neue neuen heute gestern bereits sowie laut rund sagte sagt")},
		{code: "it", stem: snowball(sbitalian.Stem), stop: stopSet("il lo la i gli le un una uno di da del della dei delle dello degli in con su per tra fra e è non che chi si sono era ha hanno al alla allo ai agli nel nella negli come anche più ma o se ci questo questa quello quella questi essere stato stata dopo sul sulla dal dalla all ad ed cui loro suo sua suoi sue nostro mio già ancora sempre molto tutto tutti fatto quando dove perché così poi oggi ieri")},
		{code: "pt", stem: snowball(sbportuguese.Stem), stop: stopSet("o a os as um uma uns umas de do da dos das em no na nos nas por para com e é não que se ao aos à às pelo pela mais mas foi ser são está como também seu sua já entre quando muito")},
		{code: "nl", stem: snowball(sbdutch.Stem), stop: stopSet("de het een en van in is dat op te zijn met voor niet aan er om ook als bij of door over maar nog tot uit naar dan wel werd worden heeft hebben deze die dit was ze hij zij wij")},
		{code: "pl", stop: stopSet("i w z na do się nie że to jest o jak po a od za co przez ale dla jego jej ich są był była było by już tak tym tego które który która oraz lub czy może tylko przy pod także jako")},
		{code: "tr", stem: snowball(sbturkish.Stem), stop: stopSet("ve bir bu da de için ile olarak çok daha gibi ne o en ama şu olan kadar sonra göre ise her ki mi değil var yok olduğu içinde üzerinde tarafından ancak ayrıca bunun buna bu bunu şöyle böyle diye dedi olan olduğunu oldu olacak sadece hem ya veya yani artık bile değil kendi tüm bütün yeni ilk son büyük")},
		{code: "ar", stem: snowball(sbarabic.Stem), stop: stopSet("في من على إلى عن أن التي الذي مع هذا هذه كان قد لا ما أو بين بعد كل إن هو هي ذلك تلك وقد كما عند حيث منذ ضد خلال لم لن ثم وفي")},
	}
}

// truncate is the stemmer of languages snowball has none for: the first
// runes of a word. Truncation is crude but works for inflected languages in
// retrieval (suffixes vary, stems rarely do) and never merges words whose
// starts differ.
const truncateRunes = 7

func truncate(w string) string {
	n := 0
	for i := range w {
		if n == truncateRunes {
			return w[:i]
		}
		n++
	}
	return w
}

// isSpaceless reports scripts written without spaces between words, which
// are split into overlapping character bigrams instead of words.
func isSpaceless(r rune) bool {
	if r < 0x0E00 { // below Thai: Latin, Greek, Cyrillic, Arabic, Hebrew, Indic
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenize splits s into words of any script (letters, digits and
// combining marks), bigrams of spaceless scripts, noting capitals at the
// start of a word and whether it starts a sentence. It stops after maxTokens
// tokens in dst, which bounds the work spent on long texts.
func tokenize(dst []token, s string, title bool, maxTokens int) []token {
	sentenceStart := true
	var cjk []rune
	flushCJK := func() {
		if len(cjk) == 1 {
			dst = append(dst, token{word: string(cjk), cjk: true, title: title, pos: float32(len(dst))})
		}
		for i := 0; i+1 < len(cjk); i++ {
			dst = append(dst, token{word: string(cjk[i : i+2]), cjk: true, title: title, pos: float32(len(dst))})
		}
		cjk = cjk[:0]
	}
	i := 0
	for i < len(s) && len(dst) < maxTokens {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isSpaceless(r) {
			cjk = append(cjk, r)
			i += size
			sentenceStart = false
			continue
		}
		if len(cjk) > 0 {
			flushCJK()
		}
		if !isWordRune(r) {
			switch r {
			case '.', '!', '?', '\n', ':', '|', '。', '！', '？', '"', '“', '«', '„', '¿', '¡':
				sentenceStart = true
			}
			i += size
			continue
		}
		start := i
		upper := unicode.IsUpper(r)
		allUpper := upper
		letters, digits := 0, 0
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isSpaceless(r) {
				break
			}
			if !isWordRune(r) {
				// Keep 3,000 and 1.5 whole: a number is a name of a fact.
				if (r == ',' || r == '.') && digits > 0 && letters == 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
					i += size
					continue
				}
				break
			}
			if unicode.IsLetter(r) {
				letters++
				if !unicode.IsUpper(r) {
					allUpper = false
				}
			} else if unicode.IsDigit(r) {
				digits++
			}
			i += size
		}
		w := s[start:i]
		if letters >= 3 && digits == 0 {
			i = skipSuffix(s, i)
		}
		t := token{title: title, pos: float32(len(dst))}
		switch {
		case letters == 0:
			t.num = true
			t.word = stripSeparators(w)
		default:
			t.word = strings.ToLower(w)
			t.cap, t.first = upper, sentenceStart
			t.acro = allUpper && letters >= 2 && letters <= 6
		}
		dst = append(dst, t)
		sentenceStart = false
	}
	if len(cjk) > 0 {
		flushCJK()
	}
	return dst
}

// detect picks the language whose stop words are the most frequent among
// the first tokens: a stop-word count is enough between the languages we
// stem, and a wrong guess only costs some stemming, never a merge by itself.
// ws holds what is known of the words of toks (nil for other tokens).
func (m *Matcher) detect(toks []token, ws []*wordInfo) *language {
	var counts [16]int
	for i := range toks {
		if i == detectTokens {
			break
		}
		if toks[i].cjk || toks[i].num {
			continue
		}
		mask := ws[i].stops
		for j := 0; mask != 0; j++ {
			if mask&1 != 0 {
				counts[j]++
			}
			mask >>= 1
		}
	}
	var best *language
	bestN := 0
	for j, l := range m.langs {
		if counts[j] > bestN {
			best, bestN = l, counts[j]
		}
	}
	return best
}

// detectTokens is how many tokens detect looks at.
const detectTokens = 200

// stripSeparators drops the thousands and decimal separators of a number so
// that 3,000 and 3.000 (the German way) are one term.
func stripSeparators(w string) string {
	if !strings.ContainsAny(w, ",.") {
		return w
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if w[i] != ',' && w[i] != '.' {
			b = append(b, w[i])
		}
	}
	return string(b)
}

// skipSuffix skips, at s[i:], an apostrophe and the short lowercase suffix
// after it that some languages write after a name (Turkish "Ankara'da",
// English "Trump's"), which would otherwise be a word of its own.
func skipSuffix(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r != '\'' && r != '’' {
		return i
	}
	j := i + size
	n := 0
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			break
		}
		if !unicode.IsLower(r) {
			return i
		}
		n++
		j += size
	}
	if n == 0 || n > 3 {
		return i
	}
	return j
}
