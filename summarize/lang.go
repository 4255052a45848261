package summarize

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// language knows how to stem and which words carry no content.
type language struct {
	code string
	stem func(word string, stemStopWords bool) string // nil: no stemmer
	stop func(word string) bool
}

func setStop(words string) func(string) bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return func(w string) bool { return m[w] }
}

// Stop words for languages the snowball library has no stemmer for; enough
// to recognize the language and to keep function words out of the scores.
var (
	germanStop       = setStop("der die das und ist nicht ein eine einer einen dem den des von zu mit sich auf für im in an als auch es er sie wir ihr sind war wurde werden hat haben bei nach aus wie noch nur oder aber so dass um über vor am zum zur bis durch mehr schon sein seine ihre kann man wenn")
	italianStop      = setStop("il lo la i gli le un una uno di da del della dei delle in con su per tra fra e è non che chi si sono era ha hanno al alla allo ai agli nel nella come anche più ma o se ci questo questa quello essere stato dopo")
	portStop         = setStop("o a os as um uma uns umas de do da dos das em no na nos nas por para com e é não que se ao aos à às pelo pela mais mas foi ser são está como também seu sua já entre quando muito")
	dutchStop        = setStop("de het een en van in is dat op te zijn met voor niet aan er om ook als bij of door over maar nog tot uit naar dan wel werd worden heeft hebben deze die dit was ze hij zij wij")
	extraEnglishStop = setStop("said says would could also one two new year years last first told mr mrs ms according many much may might like get got made make well back still even since")
)

var languages = []*language{
	{code: "en", stem: english.Stem, stop: func(w string) bool { return english.IsStopWord(w) || extraEnglishStop(w) }},
	{code: "es", stem: spanish.Stem, stop: spanish.IsStopWord},
	{code: "fr", stem: french.Stem, stop: french.IsStopWord},
	{code: "sv", stem: swedish.Stem, stop: swedish.IsStopWord},
	{code: "no", stem: norwegian.Stem, stop: norwegian.IsStopWord},
	{code: "hu", stem: hungarian.Stem, stop: hungarian.IsStopWord},
	{code: "ru", stem: russian.Stem, stop: russian.IsStopWord},
	{code: "de", stop: germanStop},
	{code: "it", stop: italianStop},
	{code: "pt", stop: portStop},
	{code: "nl", stop: dutchStop},
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

// detectLanguage picks the language whose stop words are most frequent
// among the first words of the text; English when nothing stands out.
func detectLanguage(text string) *language {
	counts := make([]int, len(languages))
	n := 0
	forEachWord(text, func(w string) bool {
		for i, l := range languages {
			if l.stop(w) {
				counts[i]++
			}
		}
		n++
		return n < 400
	})
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return languages[best]
}

// forEachWord calls f with each lower-cased word of text until f returns
// false. Used only on small samples.
func forEachWord(text string, f func(string) bool) {
	var buf []byte
	flush := func() bool {
		if len(buf) == 0 {
			return true
		}
		w := strings.ToLower(string(buf))
		buf = buf[:0]
		return f(w)
	}
	for _, r := range text {
		if isWordRune(r) {
			buf = append(buf, string(r)...)
			continue
		}
		if !flush() {
			return
		}
	}
	flush()
}

// stemCache remembers stems across calls: the same few thousand words make
// up most news. It stops growing at stemCacheMax entries, so junk input
// cannot make it grow without bound.
type stemCache struct {
	m sync.Map // string → string
	n atomic.Int64
}

const stemCacheMax = 1 << 18

var stemCaches sync.Map // language code → *stemCache

func (l *language) stemWord(w string) string {
	if l.stem == nil {
		return w
	}
	c, ok := stemCaches.Load(l.code)
	if !ok {
		c, _ = stemCaches.LoadOrStore(l.code, new(stemCache))
	}
	cache := c.(*stemCache)
	if s, ok := cache.m.Load(w); ok {
		return s.(string)
	}
	s := l.stem(w, true)
	if cache.n.Load() < stemCacheMax {
		if _, loaded := cache.m.LoadOrStore(w, s); !loaded {
			cache.n.Add(1)
		}
	}
	return s
}
