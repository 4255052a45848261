package summarize

import (
	"strings"

	"github.com/blevesearch/snowballstem"
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
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// language knows how to stem and which words carry no content. It holds
// no state: what is learned about words is kept by each workspace's vocab.
type language struct {
	code  string
	index int                                             // in languages
	stem  func(env *snowballstem.Env, word string) string // nil: no stemmer
	stop  func(word string) bool
}

// frenchElision strips the elided word French writes before a vowel:
// "l'homme" is "homme", "qu'il" is "il", "jusqu'au" is "au".
func frenchElision(w string) string {
	i := strings.IndexByte(w, '\'')
	if i <= 0 || i > 7 {
		return w
	}
	switch w[:i] {
	case "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu":
		return w[i+1:]
	}
	return w
}

func setStop(words string) func(string) bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return func(w string) bool { return m[w] }
}

// snowball makes a stemmer of one of the official Snowball algorithms,
// as generated for Go by the Snowball compiler (blevesearch/snowballstem):
// twice as fast as kljensen/snowball's rune-based port, and with more
// languages. kljensen/snowball is kept for its stop lists. The stemmer runs
// in the caller's env, which each vocab keeps, so that stemming a word
// allocates no environment.
func snowball(alg func(*snowballstem.Env) bool) func(*snowballstem.Env, string) string {
	return func(env *snowballstem.Env, w string) string {
		env.SetCurrent(w)
		alg(env)
		return env.Current()
	}
}

// Stop words for languages whose stop list kljensen/snowball lacks; enough
// to recognize the language and to keep function words out of the scores.
var (
	germanStop       = setStop("der die das und ist nicht ein eine einer einen dem den des von zu mit sich auf für im in an als auch es er sie wir ihr sind war wurde werden hat haben bei nach aus wie noch nur oder aber so dass um über vor am zum zur bis durch mehr schon sein seine ihre kann man wenn")
	italianStop      = setStop("il lo la i gli le un una uno di da del della dei delle in con su per tra fra e è non che chi si sono era ha hanno al alla allo ai agli nel nella come anche più ma o se ci questo questa quello essere stato dopo")
	portStop         = setStop("o a os as um uma uns umas de do da dos das em no na nos nas por para com e é não que se ao aos à às pelo pela mais mas foi ser são está como também seu sua já entre quando muito")
	dutchStop        = setStop("de het een en van in is dat op te zijn met voor niet aan er om ook als bij of door over maar nog tot uit naar dan wel werd worden heeft hebben deze die dit was ze hij zij wij")
	extraEnglishStop = setStop("said says would could also one two new year years last first told mr mrs ms according many much may might like get got made make well back still even since")
)

var languages = []*language{
	{code: "en", stem: snowball(sbenglish.Stem), stop: func(w string) bool { return english.IsStopWord(w) || extraEnglishStop(w) }},
	{code: "es", stem: snowball(sbspanish.Stem), stop: spanish.IsStopWord},
	// French words keep their elided article or pronoun when split
	// ("l'homme", "qu'il"): stemmed and looked up without it.
	{code: "fr", stem: func(env *snowballstem.Env, w string) string { return frenchStem(env, frenchElision(w)) },
		stop: func(w string) bool { return french.IsStopWord(frenchElision(w)) }},
	{code: "sv", stem: snowball(sbswedish.Stem), stop: swedish.IsStopWord},
	{code: "no", stem: snowball(sbnorwegian.Stem), stop: norwegian.IsStopWord},
	{code: "hu", stem: snowball(sbhungarian.Stem), stop: hungarian.IsStopWord},
	{code: "ru", stem: snowball(sbrussian.Stem), stop: russian.IsStopWord},
	{code: "de", stem: snowball(sbgerman.Stem), stop: germanStop},
	{code: "it", stem: snowball(sbitalian.Stem), stop: italianStop},
	{code: "pt", stem: snowball(sbportuguese.Stem), stop: portStop},
	{code: "nl", stem: snowball(sbdutch.Stem), stop: dutchStop},
}

var frenchStem = snowball(sbfrench.Stem)

func init() {
	for i, l := range languages {
		l.index = i
	}
}

func languageByCode(code string) *language {
	code = strings.ToLower(code)
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i] // "en-GB"
	}
	if code == "nb" || code == "nn" {
		code = "no"
	}
	for _, l := range languages {
		if l.code == code {
			return l
		}
	}
	return nil
}

// englishShare is the percentage of English stop words above which a text
// is taken to be English without looking further. English news runs at
// 35-45%; French, Spanish or German text at under 10%.
const englishShare = 25

// detectWords is how many words detectLanguage looks at.
const detectWords = 200
