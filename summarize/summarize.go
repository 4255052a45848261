// Package summarize picks the sentences that tell a news article best.
//
// It is extractive and explainable: the text is split into sentences
// (surviving abbreviations, initials, decimals, quotes and URLs in English
// and French, guillemets, and paragraph breaks lost in a scrape), cleaned of
// datelines, credits and repeated sentences, and each sentence is scored by
// one function for every article and language (score.go): its position,
// its similarity to the whole article and to the article's lead, its
// overlap with the title (counting more in the lead; a missing title adds
// nothing), how much of the article's recurring vocabulary it holds,
// whether it is quoted speech, and its length. Sentences are then picked
// greedily with a redundancy penalty (similarity to the picked sentences,
// and the recurring words they already hold); the order of picking is the ranking (Summary.Ranked) that serves every
// summary length, and the summary is returned in article order.
//
// Words are stemmed with the snowball stemmer of the article's language
// (detected from its stop words unless given). What is learned about words
// is kept in a bounded vocabulary owned by each pooled workspace: no
// package-level cache, no locks, no unsafe. The cost is linear in the
// length of the text (BenchmarkSummarize5000 and 50000, TestLinearGrowth).
// Pure Go, deterministic, no network.
package summarize

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Document is an article to summarize.
type Document struct {
	Title    string
	Text     string
	HTML     bool   // Text is HTML
	Language string // ISO 639-1 code, or "" to detect it from the text
}

// Options says how long the summary should be.
type Options struct {
	Sentences int     // sentences to keep; 0 means 3
	Ratio     float64 // if > 0, keep this fraction of the sentences instead
	MaxChars  int     // 0 = no limit; sentences are never cut, only left out
	// SentencesOnly leaves Summary.Ranked and Summary.Keywords empty, for
	// callers that use neither (the batch command): the ranking then stops
	// at the sentences asked for, which are the same.
	SentencesOnly bool
}

// Stats compares the summary with the article.
type Stats struct {
	SentencesTotal, SentencesKept, WordsBefore, WordsAfter int
}

// Reduction is how much shorter the summary is, in percent of words (84
// means "84% shorter").
func (s Stats) Reduction() int {
	if s.WordsBefore <= 0 {
		return 0
	}
	r := 100 - int(math.Round(100*float64(s.WordsAfter)/float64(s.WordsBefore)))
	return max(r, 0)
}

// Summary is the result of Summarize.
type Summary struct {
	Sentences []string // in the article's order
	// Ranked holds up to MaxRanked sentences in the order they were picked,
	// best first: for any n from 1 to MaxRanked, Pick(Ranked, n) is exactly
	// the Sentences that Summarize returns with Options{Sentences: n} and
	// no MaxChars (the ranking ignores MaxChars and Ratio: a budget leaves
	// out sentences that do not fit, so apply it to what Pick returns).
	// Store it to serve every length a reader asks for without the text.
	Ranked   []Ranked
	Keywords []string // the article's most telling words, best first
	Language string   // ISO 639-1 code used
	Stats    Stats
}

// Ranked is one sentence of a summary's ranking.
type Ranked struct {
	Index int    // position among the article's sentences (Stats.SentencesTotal), for article order
	Text  string // the sentence, cleaned as in Sentences
}

// MaxRanked is how many sentences Summary.Ranked holds at most.
const MaxRanked = 10

// Pick returns the first n ranked sentences (all of them if there are
// fewer) in article order.
func Pick(r []Ranked, n int) []string {
	n = max(0, min(n, len(r)))
	top := slices.Clone(r[:n])
	slices.SortFunc(top, func(a, b Ranked) int { return a.Index - b.Index })
	out := make([]string, n)
	for i, s := range top {
		out[i] = s.Text
	}
	return out
}

// ErrNoText is returned for input that holds no prose: empty, white space,
// binary data or markup only.
var ErrNoText = errors.New("summarize: no text to summarize")

// DefaultSentences is the summary length when Options says nothing.
const DefaultSentences = 3

// maxInputBytes bounds the work on absurd inputs: only the first 8 MiB of
// a text are read (news articles are a few KiB).
const maxInputBytes = 8 << 20

// maxKeywords is how many keywords a Summary lists.
const maxKeywords = 10

// Split cuts plain text into sentences, one paragraph per line, exactly as
// Summarize does before cleaning. The evaluation's Lead-3 uses it.
func Split(text string) []string {
	var out []string
	for _, p := range splitParagraphs(text, nil) {
		out = splitSentences(p, out)
	}
	return out
}

// sent is one sentence of the article.
type sent struct {
	text       string
	para       int // paragraph number
	words      int
	terms      []int32 // term ids in order, stop words left out
	set        []int32 // sorted distinct term ids
	sig        uint64  // signature(set)
	score      float64
	norm       float64 // length of the tf-idf vector
	index      int     // position among candidates
	pos        int     // position among all the article's sentences
	firstInPar bool
}

// workspace holds the per-call maps and buffers, reused (see idle) so a
// summary costs few allocations, and the vocab that outlives an article.
type workspace struct {
	vocab      vocab    // every word seen, bounded (see vocab)
	localVocab []int32  // word id in this article → vocab id
	termOfWord []int32  // word id → term id, -1 for stop words
	surface    []int32  // term id → first word id seen with it
	localGen   []uint32 // stem id → gen when localID was set
	localID    []int32  // stem id → term id in this article
	gen        uint32
	tf         []float64 // term id → count in the article
	recur      []float64 // term id → (tf-1)^sumPow, for score
	sf         []int32   // term id → sentences containing it
	idf        []float64
	dense      []float64 // scratch vector indexed by term id
	buf        []byte
	terms      []int32
	covered    []bool  // term id → in a picked sentence, for selectSentences
	sumNorm    float64 // 1 / the richest sentence's frequency sum, from score

	// Per-article scratch, kept for the next article (cleared of strings
	// when the article is done, so no text outlives its call).
	paras, raw []string
	rawUsed    int // how much of raw holds strings
	sents      []sent
	cands      []*sent
	ends       []int
	sets       []int32
	floats     []float64 // score's four per-candidate vectors
	order      []*sent   // selectSentences
	heap       mmrHeap
	redund     []float64
	picks      []float64 // selectSentences: the picked sentences' vectors, zero between calls
}

// idle holds the workspaces not in use, at most 2·GOMAXPROCS of them, most
// recently used last. Unlike a sync.Pool it keeps them across garbage
// collections and whichever goroutine or processor returned them, so their
// vocabularies stay warm; its size bounds the memory they hold.
var idle struct {
	sync.Mutex
	list []*workspace
}

func getWorkspace() *workspace {
	idle.Lock()
	defer idle.Unlock()
	n := len(idle.list)
	if n == 0 {
		return new(workspace)
	}
	ws := idle.list[n-1]
	idle.list[n-1] = nil
	idle.list = idle.list[:n-1]
	return ws
}

func putWorkspace(ws *workspace) {
	idle.Lock()
	defer idle.Unlock()
	if len(idle.list) < 2*runtime.GOMAXPROCS(0) {
		idle.list = append(idle.list, ws)
	}
}

// release forgets the article: the scratch buffers keep no string of it
// (only what this article wrote is cleared, so the cost stays linear in its
// length), and buffers a very long article grew are dropped.
func (ws *workspace) release() {
	clear(ws.paras)
	clear(ws.raw[:ws.rawUsed])
	clear(ws.sents)
	ws.rawUsed = 0
	if cap(ws.sents) > maxKeptSents {
		ws.paras, ws.raw, ws.sents, ws.cands, ws.ends, ws.sets = nil, nil, nil, nil, nil, nil
		ws.floats, ws.order, ws.heap, ws.redund = nil, nil, nil, nil
	}
	if cap(ws.picks) > maxKeptPicks {
		ws.picks = nil
	}
}

// maxKeptSents and maxKeptPicks bound the scratch a workspace keeps
// between articles.
const (
	maxKeptSents = 4096
	maxKeptPicks = 1 << 18
)

func (ws *workspace) reset() {
	if ws.vocab.full() || len(ws.vocab.slots) == 0 {
		ws.vocab.reset()
		ws.localGen, ws.localID = ws.localGen[:0], ws.localID[:0]
	}
	ws.gen++
	if ws.gen == 0 { // wrapped: forget every stamp
		for i := range ws.vocab.slots {
			ws.vocab.slots[i].gen = 0
		}
		clear(ws.localGen)
		ws.gen = 1
	}
	ws.localVocab = ws.localVocab[:0]
	ws.surface = ws.surface[:0]
	ws.tf = ws.tf[:0]
	ws.sf = ws.sf[:0]
	ws.idf = ws.idf[:0]
	ws.terms = ws.terms[:0]
}

// Summarize picks the sentences that best summarize doc.
func Summarize(doc Document, opts Options) (Summary, error) {
	return summarize(doc, opts, &defaultParams)
}

// A Summarizer summarizes one article at a time with a workspace of its
// own, as Summarize does with one from a shared pool: for a goroutine
// that summarizes many articles in a row (the batch command's workers), so
// that its vocabulary stays warm in the cache of the processor it runs on
// instead of passing from one worker to another. It is not safe for
// concurrent use. The zero value is ready to use.
type Summarizer struct {
	ws *workspace
}

// Summarize is Summarize with the Summarizer's workspace.
func (s *Summarizer) Summarize(doc Document, opts Options) (Summary, error) {
	if s.ws == nil {
		s.ws = new(workspace)
	}
	return summarizeWith(s.ws, doc, opts, &defaultParams)
}

func summarize(doc Document, opts Options, p *params) (Summary, error) {
	ws := getWorkspace()
	defer putWorkspace(ws)
	return summarizeWith(ws, doc, opts, p)
}

// summarizeWith summarizes doc in ws, which it leaves released.
func summarizeWith(ws *workspace, doc Document, opts Options, p *params) (Summary, error) {
	defer ws.release()
	text := doc.Text
	if len(text) > maxInputBytes {
		text = text[:maxInputBytes]
	}
	if !utf8.ValidString(text) {
		// Invalid bytes become U+FFFD, which scanText counts as junk.
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if doc.HTML {
		text = htmlToText(text)
	}
	title := strings.TrimSpace(doc.Title)
	if doc.HTML {
		title = strings.TrimSpace(htmlToText(title))
	}
	ok, wordsBefore := scanText(text)
	if !ok {
		return Summary{}, ErrNoText
	}

	ws.reset()

	// Split and clean.
	sents := ws.sents[:0]
	stats := Stats{WordsBefore: wordsBefore}
	raw := ws.raw[:0]
	ws.paras = splitParagraphs(text, ws.paras[:0])
	for pi, p := range ws.paras {
		if pi == 0 && title != "" && len(p) <= 2*len(title)+8 && sameWords(p, title) {
			// The text opens with its own headline: the title, not a sentence.
			_, w := scanText(p)
			stats.WordsBefore -= w
			continue
		}
		raw = splitSentences(p, raw[:0])
		ws.rawUsed = max(ws.rawUsed, len(raw))
		for si, s := range raw {
			stats.SentencesTotal++
			c := stripTrailingCredit(stripDateline(s))
			if isBoilerplate(c) {
				continue
			}
			sents = append(sents, sent{text: c, para: pi, firstInPar: si == 0, pos: stats.SentencesTotal - 1})
		}
	}
	ws.sents, ws.raw = sents, raw

	// Words, then the language, then terms: each distinct word is looked up
	// once per article. Sentences without a word go.
	ws.terms, _ = ws.splitWords(title, ws.terms)
	titleEnd := len(ws.terms)
	ends := ws.ends[:0]
	kept := sents[:0]
	for _, s := range sents {
		start := len(ws.terms)
		ws.terms, s.words = ws.splitWords(s.text, ws.terms)
		if s.words == 0 {
			ws.terms = ws.terms[:start]
			continue
		}
		kept = append(kept, s)
		ends = append(ends, len(ws.terms))
	}
	sents, ws.ends = kept, ends
	if len(sents) == 0 {
		return Summary{}, ErrNoText
	}
	var lang *language
	if doc.Language != "" {
		lang = languageByCode(doc.Language)
	}
	if lang == nil {
		lang = ws.detectLanguage(ws.terms[titleEnd:])
	}
	ws.resolveTerms(lang)
	titleSet := sortedSet(ws.toTerms(ws.terms[:titleEnd]))
	start := titleEnd
	for i := range sents {
		sents[i].terms = ws.toTerms(ws.terms[start:ends[i]])
		start = ends[i]
	}
	// The sets share one backing array: one allocation per article.
	setBuf := slices.Grow(ws.sets[:0], len(ws.terms)-titleEnd)
	for i := range sents {
		start := len(setBuf)
		setBuf = append(setBuf, sents[i].terms...)
		set := sortSet(setBuf[start:])
		setBuf = setBuf[:start+len(set)]
		sents[i].set = set[:len(set):len(set)]
		sents[i].sig = signature(sents[i].set)
	}
	ws.sets = setBuf

	// Candidates: long enough, and not a near copy of an earlier sentence.
	// When that leaves fewer than asked for, short ones are let in too.
	k := opts.Sentences
	if k <= 0 {
		k = DefaultSentences
	}
	// The rule does not depend on k up to MaxRanked, so that the ranking
	// serves every length up to it.
	cands := candidates(sents, minWords, ws.cands[:0])
	if opts.Ratio <= 0 && len(cands) < max(k, MaxRanked) {
		cands = candidates(sents, 1, cands[:0])
	}
	ws.cands = cands
	if opts.Ratio > 0 {
		k = max(1, int(math.Round(opts.Ratio*float64(len(cands)))))
	}

	ws.weigh(cands)
	score(ws, cands, titleSet, p)

	var ranked, chosen []*sent
	if !opts.SentencesOnly {
		ranked = selectSentences(ws, cands, MaxRanked, 0, p.mmrLambda, p.coverWeight)
	}
	switch {
	case k <= MaxRanked && opts.MaxChars <= 0 && ranked != nil:
		chosen = slices.Clone(ranked[:min(k, len(ranked))])
	default:
		// The first k picks of any longer ranking (see Summary.Ranked).
		chosen = selectSentences(ws, cands, k, opts.MaxChars, p.mmrLambda, p.coverWeight)
	}
	slices.SortFunc(chosen, func(a, b *sent) int { return a.index - b.index })

	out := Summary{Language: lang.code}
	if !opts.SentencesOnly {
		out.Keywords = ws.keywords()
		out.Ranked = make([]Ranked, len(ranked))
		for i, s := range ranked {
			out.Ranked[i] = Ranked{Index: s.pos, Text: s.text}
		}
	}
	for _, s := range chosen {
		out.Sentences = append(out.Sentences, s.text)
		stats.WordsAfter += s.words
	}
	stats.SentencesKept = len(chosen)
	out.Stats = stats
	return out, nil
}

// sameWords reports whether a and b have the same words, ignoring case,
// punctuation and spacing.
func sameWords(a, b string) bool {
	f := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	wa, wb := strings.FieldsFunc(a, f), strings.FieldsFunc(b, f)
	if len(wa) != len(wb) || len(wa) == 0 {
		return false
	}
	for i := range wa {
		if !strings.EqualFold(wa[i], wb[i]) {
			return false
		}
	}
	return true
}

// textClass sorts bytes for scanText.
var textClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = tcBad
	}
	t[0x7f] = tcBad
	for c := 0x20; c < 0x7f; c++ {
		t[c] = tcOther
	}
	for _, c := range " \t\n\r\v\f" {
		t[c] = tcSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = tcLetter, tcLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = tcDigit
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = tcMulti
	}
	return t
}()

const (
	tcOther = iota
	tcSpace
	tcLetter
	tcDigit
	tcBad
	tcMulti
)

// candidates returns the sentences of at least minWords words that do not
// repeat an earlier candidate, numbered in order (with minWords > 1, only
// those with a content word). A sentence is compared
// with the dupWindow candidates before it and with the first dupLead, which
// bounds the work on long texts.
func candidates(sents []sent, minWords int, cands []*sent) []*sent {
	for i := range sents {
		s := &sents[i]
		if s.words < minWords || (len(s.set) == 0 && minWords > 1) {
			continue
		}
		dup := false
		for j := len(cands) - 1; j >= 0 && j >= len(cands)-dupWindow; j-- {
			if nearDuplicate(s.set, cands[j].set, s.sig, cands[j].sig) {
				dup = true
				break
			}
		}
		for j := 0; !dup && j < min(dupLead, len(cands)-dupWindow); j++ {
			if nearDuplicate(s.set, cands[j].set, s.sig, cands[j].sig) {
				dup = true
			}
		}
		if dup {
			continue
		}
		s.index = len(cands)
		cands = append(cands, s)
	}
	if len(cands) == 0 {
		// Only fragments or stop words: every non-empty sentence.
		for i := range sents {
			sents[i].index = len(cands)
			cands = append(cands, &sents[i])
		}
	}
	return cands
}

// scanText rejects binary junk: text must be mostly letters, with hardly
// any control characters or invalid bytes. It also counts the words
// (white-space separated, with a letter or a digit), in the same pass.
//
// ASCII takes a branch-free path: scanLanes adds one to the byte's class
// in a 16-bit lane of acc (flushed before it can overflow), and the word
// count needs one bit of state, inWord (the current white-space separated
// token has a letter or digit): a white-space byte ends such a word and
// clears it, a letter or digit sets it (scanFlags says which the byte is).
func scanText(text string) (ok bool, words int) {
	var n [tcMulti + 1]int
	var acc uint64
	inWord := uint8(0)
	flush := func() {
		n[tcLetter] += int(acc & 0xffff)
		n[tcDigit] += int(acc >> 16 & 0xffff)
		n[tcOther] += int(acc >> 32 & 0xffff)
		n[tcBad] += int(acc >> 48)
		acc = 0
	}
	for i := 0; i < len(text); {
		end := min(len(text), i+0xffff)
		for i < end {
			c := text[i]
			if c < utf8.RuneSelf {
				acc += scanLanes[c]
				f := scanFlags[c]
				space := f >> 1
				words += int(inWord & space)
				inWord = (inWord | f&1) &^ space
				i++
				continue
			}
			r, sz := utf8.DecodeRuneInString(text[i:])
			i += sz
			var c2 int
			switch {
			case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
				c2 = tcLetter
			case unicode.IsDigit(r):
				c2 = tcDigit
			case unicode.IsSpace(r):
				c2 = tcSpace
			case r == utf8.RuneError || unicode.IsControl(r):
				c2 = tcBad
			default:
				c2 = tcOther
			}
			n[c2]++
			switch c2 {
			case tcSpace:
				words += int(inWord)
				inWord = 0
			case tcLetter, tcDigit:
				inWord = 1
			}
		}
		flush()
	}
	words += int(inWord)
	letters, bad := n[tcLetter], n[tcBad]
	total := letters + bad + n[tcOther] + n[tcDigit]
	return letters > 0 && letters*2 >= total && bad*20 <= total, words
}

// scanLanes and scanFlags drive scanText's ASCII path.
var (
	scanLanes = func() (t [utf8.RuneSelf]uint64) {
		for c := range t {
			switch textClass[c] {
			case tcLetter:
				t[c] = 1
			case tcDigit:
				t[c] = 1 << 16
			case tcOther:
				t[c] = 1 << 32
			case tcBad:
				t[c] = 1 << 48
			}
		}
		return t
	}()
	// Bit 0: a letter or digit; bit 1: white space.
	scanFlags = func() (t [utf8.RuneSelf]uint8) {
		for c := range t {
			switch textClass[c] {
			case tcSpace:
				t[c] = 2
			case tcLetter, tcDigit:
				t[c] = 1
			}
		}
		return t
	}()
)

// byteClass sorts ASCII bytes for splitWords.
var byteClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = classLower
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = classLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
	}
	t['\''] = classApostrophe
	for _, c := range " \t\n\r\v\f" {
		t[c] = classSpace
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = classMulti
	}
	return t
}()

const (
	classSep = iota
	classLower
	classUpper
	classApostrophe
	classMulti
	classSpace
)

// splitWords appends the word ids of s to dst: letters and digits,
// lower-cased, an apostrophe inside a word kept ("don't") and a final "'s"
// dropped. Word ids number the article's distinct words. It also returns
// how many words s has as scanText counts them (white-space separated,
// with a letter or a digit), in the same pass.
func (ws *workspace) splitWords(s string, dst []int32) ([]int32, int) {
	if cap(ws.buf) < 64 {
		ws.buf = make([]byte, 0, 64) // vocab.wordSlot reads eight bytes
	}
	buf := ws.buf[:0]
	count := 0
	tok, alnum := false, false // in a white-space token; the token has a letter or digit
	// h is hashWord(buf) when len(buf) == hashed: a run of ASCII letters
	// and digits that starts a word is hashed as it is read.
	var h uint32
	hashed := -1
	for i := 0; i <= len(s); {
		if i < len(s) {
			c := s[i]
			switch byteClass[c] {
			case classLower, classUpper:
				// The common case: a run of ASCII letters and digits, read
				// eight bytes at a time, lower-cased into buf and hashed (as
				// hashWord does) in the same pass.
				start := len(buf)
				hw := uint64(hashSeed)
				for {
					var v uint64 // the eight bytes from i, little-endian
					if i+8 <= len(s) {
						v = load64(s[i : i+8])
					} else {
						v = loadTail(s, i)
					}
					low, n := asciiWord(v)
					buf = binary.LittleEndian.AppendUint64(buf, low)[:len(buf)+n]
					i += n
					if n < 8 {
						if n > 0 {
							hw = (hw ^ low) * hashMul
						}
						break
					}
					hw = (hw ^ low) * hashMul
				}
				if start == 0 {
					h, hashed = uint32(hw>>32), len(buf)
				}
				tok, alnum = true, true
				continue
			case classApostrophe:
				tok = true
				if len(buf) > 0 && i+1 < len(s) && isASCIILetter(s[i+1]) {
					if (s[i+1] == 's' || s[i+1] == 'S') && (i+2 == len(s) || !isASCIILetter(s[i+2])) {
						i += 2 // possessive: end the word here
						break
					}
					buf = append(buf, c)
					i++
					continue
				}
				i++
			case classMulti:
				r, sz := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) {
					if tok && alnum {
						count++
					}
					tok, alnum = false, false
					i += sz
					break
				}
				tok = true
				if r == '\u2019' && len(buf) > 0 && i+sz < len(s) && isASCIILetter(s[i+sz]) {
					if (s[i+sz] == 's' || s[i+sz] == 'S') && (i+sz+1 == len(s) || !isASCIILetter(s[i+sz+1])) {
						i += sz + 1
						break
					}
					buf = append(buf, '\'')
					i += sz
					continue
				}
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					alnum = true
					buf = utf8.AppendRune(buf, unicode.ToLower(r))
					i += sz
					continue
				}
				if unicode.Is(unicode.Mn, r) {
					buf = utf8.AppendRune(buf, r)
					i += sz
					continue
				}
				i += sz
			case classSpace:
				if tok && alnum {
					count++
				}
				tok, alnum = false, false
				i++
			default:
				tok = true
				i++
			}
		} else {
			if tok && alnum {
				count++
			}
			i++
		}
		// A separator: the word in buf, if any, ends.
		if len(buf) == 0 {
			continue
		}
		if hashed != len(buf) {
			h = hashWord(buf)
		}
		dst = append(dst, ws.localWord(ws.vocab.wordSlot(buf, h)))
		buf, hashed = buf[:0], -1
	}
	ws.buf = buf
	return dst, count
}

// load64 returns the eight bytes of b as a little-endian number, as
// binary.LittleEndian.Uint64 does for a byte slice.
func load64(b string) uint64 {
	_ = b[7] // one bounds check
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// loadTail returns the bytes of s from i (fewer than eight) as a
// little-endian number.
func loadTail(s string, i int) uint64 {
	var v uint64
	for k := len(s) - 1; k >= i; k-- {
		v = v<<8 | uint64(s[k])
	}
	return v
}

// asciiWord looks at eight bytes of text (little-endian) at once: n
// is how many of them, from the first, are ASCII letters or digits, and low
// is those n bytes lower-cased (the others zero). Each byte x < 0x80 is
// compared with a bound b by adding 0x80-b (or 0x7f-b), which sets its top
// bit when x >= b (x > b) and never carries into the next byte.
func asciiWord(v uint64) (low uint64, n int) {
	const (
		ones = 0x0101010101010101
		top  = 0x8080808080808080
	)
	x := v &^ top
	upper := (x + ones*(0x80-'A')) &^ (x + ones*(0x7f-'Z'))
	x |= (upper & top) >> 2 // 'A'-'Z' to 'a'-'z': add 0x20
	letter := (x + ones*(0x80-'a')) &^ (x + ones*(0x7f-'z'))
	digit := (x + ones*(0x80-'0')) &^ (x + ones*(0x7f-'9'))
	word := (letter | digit) & top &^ v
	n = bits.TrailingZeros64(^word&top) >> 3
	return x & (1<<(8*n) - 1), n
}

func (ws *workspace) localWord(sl *wordSlot) int32 {
	if sl.gen != ws.gen {
		sl.gen = ws.gen
		sl.local = int32(len(ws.localVocab))
		ws.localVocab = append(ws.localVocab, sl.id())
	}
	return sl.local
}

// detectLanguage picks the language of the article from its first words
// (word ids): the language whose stop words are most of them.
func (ws *workspace) detectLanguage(wids []int32) *language {
	sample := wids[:min(len(wids), detectWords)]
	en := 0
	for _, w := range sample[:min(len(sample), 100)] {
		if ws.vocab.stopEnglish(ws.localVocab[w]) { // languages[0] is English
			en++
		}
	}
	n := min(len(sample), 100)
	if n >= 20 && en*100 >= n*englishShare {
		return languages[0]
	}
	var counts [16]int
	for _, w := range sample {
		m := ws.vocab.stopMask(ws.localVocab[w])
		for i := range languages {
			if m&(1<<i) != 0 {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range languages {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return languages[best]
}

// resolveTerms gives every word of the article its term id (-1 for stop
// words): words with the same stem share one.
func (ws *workspace) resolveTerms(lang *language) {
	n := len(ws.localVocab)
	ws.termOfWord = slices.Grow(ws.termOfWord[:0], n)[:n]
	for w, v := range ws.localVocab {
		id := int32(-1)
		if g := int(ws.vocab.term(v, lang)); g >= 0 {
			if g >= len(ws.localGen) {
				n := max(g+1, 2*len(ws.localGen), 1024)
				ws.localGen = append(ws.localGen, make([]uint32, n-len(ws.localGen))...)
				ws.localID = append(ws.localID, make([]int32, n-len(ws.localID))...)
			}
			if ws.localGen[g] == ws.gen {
				id = ws.localID[g]
			} else {
				id = ws.newTerm(int32(w))
				ws.localGen[g], ws.localID[g] = ws.gen, id
			}
		}
		ws.termOfWord[w] = id
	}
}

// word returns the text of the article's word id.
func (ws *workspace) word(w int32) []byte { return ws.vocab.bytes(ws.localVocab[w]) }

func (ws *workspace) newTerm(word int32) int32 {
	id := int32(len(ws.surface))
	ws.surface = append(ws.surface, word)
	ws.tf = append(ws.tf, 0)
	ws.sf = append(ws.sf, 0)
	return id
}

// toTerms turns word ids into term ids in place, dropping stop words.
func (ws *workspace) toTerms(wids []int32) []int32 {
	// Without a branch on the stop words, which come and go at random:
	// every term id is written, and the next one overwrites a -1.
	n := 0
	for _, w := range wids {
		t := ws.termOfWord[w]
		wids[n] = t
		n += int(1 + t>>31) // 0 for -1
	}
	return wids[:n:n]
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func sortedSet(terms []int32) []int32 {
	if len(terms) == 0 {
		return nil
	}
	return sortSet(slices.Clone(terms))
}

// sortSet sorts set and drops its repeats, in place, as slices.Sort and
// slices.Compact do: a sentence's terms are few, and an insertion sort that
// leaves out a repeat where it would insert it does both in one pass.
func sortSet(set []int32) []int32 {
	if len(set) > 32 {
		slices.Sort(set)
		return slices.Compact(set)
	}
	n := 0
	for i := range set {
		t := set[i] // before the copy below may overwrite it
		j := n
		for j > 0 && set[j-1] > t {
			j--
		}
		if j > 0 && set[j-1] == t {
			continue
		}
		copy(set[j+1:n+1], set[j:n])
		set[j] = t
		n++
	}
	return set[:n]
}

// weigh computes term frequencies, sentence frequencies and idf over the
// candidate sentences, and each sentence's vector length.
func (ws *workspace) weigh(cands []*sent) {
	nt := len(ws.surface)
	for _, s := range cands {
		for _, t := range s.terms {
			ws.tf[t]++
		}
		for _, t := range s.set {
			ws.sf[t]++
		}
	}
	ws.idf = slices.Grow(ws.idf[:0], nt)[:nt]
	n := float64(len(cands))
	// Most terms are in one, two or three sentences: the logarithm is
	// computed once per sentence frequency (the same expression, so the
	// same bits), not once per term.
	var logs [16]float64
	for t := 0; t < nt; t++ {
		sf := ws.sf[t]
		switch {
		case sf == 0:
			ws.idf[t] = 0
		case int(sf) < len(logs):
			if logs[sf] == 0 {
				logs[sf] = math.Log((n + 1) / float64(sf))
			}
			ws.idf[t] = logs[sf]
		default:
			ws.idf[t] = math.Log((n + 1) / float64(sf))
		}
	}
	if cap(ws.dense) < nt {
		ws.dense = make([]float64, nt)
	}
	ws.dense = ws.dense[:nt]
	clear(ws.dense)
	for _, s := range cands {
		s.norm = ws.sentNorm(s)
	}
}

// sentNorm is the length of the sentence's tf-idf vector.
func (ws *workspace) sentNorm(s *sent) float64 {
	var sum float64
	forCounts(s.terms, s.set, func(t int32, c float64) {
		w := c * ws.idf[t]
		sum += w * w
	})
	return math.Sqrt(sum)
}

// forCounts calls f with each distinct term of a sentence and its count.
// terms is short, so counting by scanning is cheaper than a map.
func forCounts(terms, set []int32, f func(t int32, c float64)) {
	if len(terms) == len(set) {
		for _, t := range set {
			f(t, 1)
		}
		return
	}
	for _, t := range set {
		c := 0
		for _, u := range terms {
			if u == t {
				c++
			}
		}
		f(t, float64(c))
	}
}

// keywords are the terms with the highest tf·idf that occur at least
// twice, named by the first form seen in the text, best first.
func (ws *workspace) keywords() []string {
	type kw struct {
		t int32
		w float64
	}
	better := func(a, b kw) bool { return a.w > b.w || a.w == b.w && a.t < b.t }
	var top [maxKeywords]kw // the best so far, in order: a selection, not a sort
	n := 0
	for t := range ws.surface {
		if ws.tf[t] < 2 || ws.sf[t] == 0 {
			continue
		}
		k := kw{int32(t), ws.tf[t] * (ws.idf[t] + 1)}
		if n == maxKeywords && !better(k, top[n-1]) {
			continue
		}
		// Last, as it reads the word from the vocab: most terms are out by now.
		if utf8.RuneCount(ws.word(ws.surface[t])) < 3 {
			continue
		}
		i := min(n, maxKeywords-1)
		for i > 0 && better(k, top[i-1]) {
			top[i] = top[i-1]
			i--
		}
		top[i] = k
		n = min(n+1, maxKeywords)
	}
	out := make([]string, n)
	for i, k := range top[:n] {
		out[i] = string(ws.word(ws.surface[k.t]))
	}
	return out
}
