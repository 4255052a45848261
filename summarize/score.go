package summarize

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The weights below are one scoring function for every article, whatever
// its language, source or length, and whether it has a title or not: a
// missing title contributes nothing, and no feature picks other weights.
// They were tuned on ../shared/eval (BBC News and CNN/DailyMail in English,
// OrangeSum in French) together, on a coarse grid of round values
// (BenchmarkTune in tune_test.go documents the command). Where the sources
// pull apart, CNN/DailyMail and OrangeSum (human-written summaries, the
// kind the bot posts) come first: the weights put both at or above Lead-3
// with the widest margin, then BBC (whose references copy ~45% of the
// article, from anywhere in it) as high as that allows
// (NEWSBOT_TUNE_OBJ=priority). Two rules make that possible where
// re-weighting the other features found only a plateau below Lead-3: the
// headline counts more in the lead (leadTitleWeight: news states the gist
// first, in the headline's words), and recurring words already held by a
// picked sentence count less for the next pick (coverWeight). Each costs
// BBC (its references favour the frequent words wherever they stand) what
// it gives the other two. The values kept are in the middle of a plateau:
// every point of the grid leadTitleWeight 1.25 to 1.75 by leadTitleWords 5
// to 6, and of coverWeight 0.75 to 1 by mmrLambda 2 to 3, keeps both
// human-written sources above Lead-3 on both scores (by 0.3 to 0.9 ROUGE-1
// and 0.2 to 0.5 ROUGE-2) with BBC at 51.0 to 51.8 ROUGE-1. An earlier form
// of the lead rule (the headline's share, not a count) was as good on those
// two at its best and 0.5 to 0.9 worse on BBC; of 200 random points around
// that one (a third of the weights, each scaled by 0.6 to 1.6) none was
// better. Features that were tried and did not help are left out: the
// share of recurring terms, numbers, capitalized names, a bonus for the
// first sentence or the first of a paragraph, a bonus for the whole lead,
// a penalty for questions or for sentences that open on a pronoun or "but"
// (context-dependent), the share of the sentence that is headline words,
// headline bigrams, similarity to the sentences after or before, adjacency
// to a picked sentence, a length limit relative to the article's own
// sentences.
//
// Measured with `newsbot eval` (3 sentences, titles given, ROUGE-1/2 F1,
// words), Lead-3 from the same run in brackets: BBC 51.5/45.5 at 65 words
// (44.1/35.7 at 60); CNN/DailyMail 41.9/19.2 at 81 (41.1/18.8 at 80);
// OrangeSum (French) 28.2/10.5 at 75 (27.8/10.2 at 78). The issues' BBC
// target (55/50) is not met by these features; TestNotBelowLead3 guards
// the other two.
const (
	// posWeight scales the position prior 1/(1+i/posScale): news puts the
	// essentials first.
	posWeight = 1.5
	posScale  = 2.0
	// centWeight scales the cosine similarity (tf-idf) with the whole
	// article.
	centWeight = 0.5
	// leadWeight scales the cosine similarity to the lead (the first
	// leadSize sentences; for those, to the rest of the lead): a later
	// sentence that restates the lead is a summary sentence.
	leadWeight = 0.5
	leadSize   = 3
	// titleWeight scales the idf-weighted share of the headline's terms in
	// the sentence.
	titleWeight = 0.75
	// leadTitleWeight is added for a lead sentence (one of the first
	// leadSize) that shares leadTitleWords of the headline's terms, in
	// proportion below that: a lead sentence that tells the headline is the
	// story's gist, and a later sentence displaces it only when clearly
	// more central. Counted in terms, not as a share: with a short
	// headline, one shared word is little evidence.
	leadTitleWeight = 1.5
	leadTitleWords  = 5
	// sumWeight scales the frequency sum (how often the sentence's terms
	// recur in the article, relative to the richest sentence); densWeight
	// the same divided by √length (the density).
	sumWeight  = 2.0
	densWeight = 1.0
	// sumPow is the exponent of each term's recurrence (its count in the
	// article less one) in the frequency sum: under 1, a name repeated
	// throughout counts for less against the other recurring words.
	sumPow = 0.6
	// quoteWeight is added for quoted speech (a sentence that opens with a
	// quotation mark or introduces one after a colon): quotes colour a
	// story but rarely summarize it.
	quoteWeight = -1.0
	// Sentences shorter than shortWords are scaled down linearly; longer
	// than longWords, divided by 1 + longPenalty·(excess/longWords).
	shortWords  = 8
	longWords   = 30
	longPenalty = 2.0
	// mmrLambda weighs the redundancy penalty when picking: a sentence's
	// score minus mmrLambda times its highest cosine with one already
	// picked, minus coverWeight times the part of its frequency sum
	// (relative to the richest sentence, as in the score) that picked
	// sentences already hold: recurring words count once.
	mmrLambda   = 2.5
	coverWeight = 0.75

	// mmrMax: above this many sentences to pick, redundancy is no longer
	// recomputed (it would cost k·n), only near-duplicates are skipped.
	mmrMax = 32
)

// params gathers the weights so the tuning benchmark can vary them.
type params struct {
	posWeight, posScale, centWeight, leadWeight, titleWeight float64
	leadSize, shortWords, longWords                          int
	sumWeight, densWeight, quoteWeight                       float64
	longPenalty, mmrLambda                                   float64
	sumPow                                                   float64
	leadTitleWeight, coverWeight                             float64
}

// defaultParams is what Summarize uses, built from the constants above.
var defaultParams = params{
	posWeight: posWeight, posScale: posScale, leadWeight: leadWeight, leadSize: leadSize,
	shortWords: shortWords, longWords: longWords, longPenalty: longPenalty, mmrLambda: mmrLambda,
	centWeight: centWeight, titleWeight: titleWeight,
	sumWeight: sumWeight, sumPow: sumPow, densWeight: densWeight, quoteWeight: quoteWeight,
	leadTitleWeight: leadTitleWeight, coverWeight: coverWeight,
}

// Cleaning thresholds.
const (
	minWords       = 4   // shorter sentences are never picked (unless nothing else is left)
	dupJaccard     = 0.7 // two sentences sharing this share of their terms are one
	dupContainment = 0.9 // a sentence whose terms are nearly all in another is a copy
	dupWindow      = 40  // a sentence is compared with this many before it...
	dupLead        = 8   // ...and with the first few of the article
)

// score sets each candidate's score from its position, centrality, lead
// similarity, title overlap and length.
func score(ws *workspace, cands []*sent, titleSet []int32, p *params) {
	// The article vector, and the lead's.
	doc := ws.dense
	for _, s := range cands {
		for _, t := range s.terms {
			doc[t] += ws.idf[t]
		}
	}
	docNorm := 0.0
	for _, t := range doc {
		docNorm += t * t
	}
	docNorm = math.Sqrt(docNorm)
	// Four vectors over the candidates, in one reused buffer.
	n := len(cands)
	ws.floats = slices.Grow(ws.floats[:0], 4*n)[:4*n]
	clear(ws.floats)
	cent, lead, sums, dens := ws.floats[:n], ws.floats[n:2*n], ws.floats[2*n:3*n], ws.floats[3*n:]
	for i, s := range cands {
		cent[i] = cosDense(ws, s, doc, docNorm)
	}
	clear(doc)
	nl := min(p.leadSize, len(cands))
	for _, s := range cands[:nl] {
		for _, t := range s.terms {
			doc[t] += ws.idf[t]
		}
	}
	leadNorm := -1.0
	for i, s := range cands {
		if i < nl {
			// Against the rest of the lead.
			for _, t := range s.terms {
				doc[t] -= ws.idf[t]
			}
			lead[i] = cosDense(ws, s, doc, denseNorm(doc, cands[:nl]))
			for _, t := range s.terms {
				doc[t] += ws.idf[t]
			}
			continue
		}
		if leadNorm < 0 {
			leadNorm = denseNorm(doc, cands[:nl])
		}
		lead[i] = cosDense(ws, s, doc, leadNorm)
	}
	clear(doc)

	var titleTotal float64
	for _, t := range titleSet {
		if int(t) < len(ws.idf) {
			titleTotal += ws.idf[t] + 1
		}
	}
	// The frequency sum: how much of the article's recurring vocabulary the
	// sentence holds, relative to the richest sentence.
	// The density divides the sum by the square root of the sentence's
	// length in terms.
	ws.recur = slices.Grow(ws.recur[:0], len(ws.tf))[:len(ws.tf)]
	for t, f := range ws.tf {
		r := f - 1
		switch {
		case p.sumPow == sumPow && r >= 0 && r < float64(len(recurPow)):
			r = recurPow[int(r)]
		case p.sumPow != 1 && r > 0:
			r = math.Pow(r, p.sumPow)
		}
		ws.recur[t] = r
	}
	maxSum, maxDens := 0.0, 0.0
	for i, s := range cands {
		for _, t := range s.terms {
			sums[i] += ws.recur[t]
		}
		if len(s.terms) > 0 {
			dens[i] = sums[i] / math.Sqrt(float64(len(s.terms)))
		}
		maxSum = max(maxSum, sums[i])
		maxDens = max(maxDens, dens[i])
	}
	ws.sumNorm = 0
	if maxSum > 0 {
		ws.sumNorm = 1 / maxSum
	}
	for i, s := range cands {
		var title float64
		if titleTotal > 0 {
			title = overlap(ws, s.set, titleSet) / titleTotal
		}
		pos := 1 / (1 + float64(i)/p.posScale)
		sc := p.posWeight*pos + p.centWeight*cent[i] + p.leadWeight*lead[i] + p.titleWeight*title
		if i < nl && len(titleSet) > 0 {
			shared := float64(intersect(s.set, titleSet))
			sc += p.leadTitleWeight * min(1, shared/leadTitleWords)
		}
		if maxSum > 0 {
			sc += p.sumWeight * sums[i] / maxSum
		}
		if maxDens > 0 {
			sc += p.densWeight * dens[i] / maxDens
		}
		if p.quoteWeight != 0 && hasQuote(s.text) {
			sc += p.quoteWeight
		}
		if s.words < p.shortWords {
			sc *= float64(s.words) / float64(p.shortWords)
		}
		if s.words > p.longWords {
			sc /= 1 + p.longPenalty*float64(s.words-p.longWords)/float64(p.longWords)
		}
		s.score = sc
	}
}

// recurPow[r] is r to the power sumPow, for the usual small counts.
var recurPow = func() (t [64]float64) {
	for r := range t {
		t[r] = math.Pow(float64(r), sumPow)
	}
	return t
}()

// denseNorm is the length of a dense vector whose non-zero entries are all
// terms of the given sentences. The entries are tf-idf weights, never
// negative, so an entry is marked as counted by flipping its sign, and each
// term counts once however many of the sentences hold it.
func denseNorm(v []float64, from []*sent) float64 {
	var sum float64
	for _, s := range from {
		for _, t := range s.set {
			if v[t] > 0 {
				sum += v[t] * v[t]
				v[t] = -v[t]
			}
		}
	}
	for _, s := range from {
		for _, t := range s.set {
			if v[t] < 0 {
				v[t] = -v[t]
			}
		}
	}
	return math.Sqrt(sum)
}

// cosDense is the cosine between a sentence's tf-idf vector and v.
func cosDense(ws *workspace, s *sent, v []float64, vnorm float64) float64 {
	if s.norm == 0 || vnorm == 0 {
		return 0
	}
	var dot float64
	for _, t := range s.terms {
		dot += ws.idf[t] * v[t]
	}
	return dot / (s.norm * vnorm)
}

// overlap sums idf+1 over the terms two sorted sets share.
func overlap(ws *workspace, a, b []int32) float64 {
	var sum float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			sum += ws.idf[a[i]] + 1
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return sum
}

// selectSentences picks up to k sentences greedily by score minus a
// redundancy penalty (lambda times the highest cosine with a picked
// sentence, cover times the share of the frequency sum picked sentences
// already hold), skipping near-duplicates of picked ones and those that do
// not fit in maxChars, and returns them in the order picked (best first).
// Each pick depends only on the picks before it, so the first n of k picks
// are the picks for n: the ranking Summary.Ranked records. score must have
// run: it leaves the recurrences and their scale in ws.
func selectSentences(ws *workspace, cands []*sent, k, maxChars int, lambda, cover float64) []*sent {
	ws.order = append(ws.order[:0], cands...)
	order := ws.order
	slices.SortStableFunc(order, func(a, b *sent) int { return cmp.Compare(b.score, a.score) })
	if k > len(cands) {
		k = len(cands)
	}
	picked := make([]*sent, 0, k)
	chars := 0
	// The picked sentences' tf-idf vectors, one dense row each, built once
	// per pick for the redundancy cosines below mmrMax.
	nt := len(ws.idf)
	var picks []float64
	if k <= mmrMax {
		ws.picks = slices.Grow(ws.picks[:0], k*nt)[:k*nt]
		picks = ws.picks
		defer func() {
			for j, p := range picked { // leave the rows zero
				row := picks[j*nt : (j+1)*nt]
				for _, t := range p.terms {
					row[t] = 0
				}
			}
		}()
	}
	// covered marks the terms of the picked sentences.
	ws.covered = slices.Grow(ws.covered[:0], len(ws.recur))[:len(ws.recur)]
	clear(ws.covered)
	// keep appends s to picked unless it repeats a picked sentence or does
	// not fit in maxChars.
	keep := func(s *sent) bool {
		for _, p := range picked {
			if nearDuplicate(s.set, p.set, s.sig, p.sig) {
				return false
			}
		}
		if maxChars > 0 {
			n := utf8.RuneCountInString(s.text)
			if len(picked) > 0 {
				n++ // the separator
			}
			if chars+n > maxChars {
				return false
			}
			chars += n
		}
		if picks != nil {
			row := picks[len(picked)*nt : (len(picked)+1)*nt]
			for _, t := range s.terms {
				row[t] += ws.idf[t]
			}
		}
		picked = append(picked, s)
		for _, t := range s.terms {
			ws.covered[t] = true
		}
		return true
	}
	if k > mmrMax {
		// Too many to weigh redundancy: by score, near-duplicates skipped.
		for _, s := range order {
			if len(picked) == k {
				break
			}
			keep(s)
		}
		return picked
	}

	// Greedy by score minus lambda times the highest cosine with a picked
	// sentence and cover times the covered share of its frequency sum,
	// evaluated lazily: a candidate's value can only fall as
	// more are picked, so a stale value is an upper bound, and the top of
	// the heap is the best once its value is brought up to date. This
	// picks exactly what recomputing every value after every pick would
	// (ties go to the earlier in score order), for far fewer cosines.
	ws.heap = slices.Grow(ws.heap[:0], len(order))[:len(order)]
	h := ws.heap
	for i, s := range order {
		h[i] = mmrEntry{val: s.score, pos: int32(i), s: s}
	}
	// In score order, h is already a heap.
	ws.redund = slices.Grow(ws.redund[:0], len(cands))[:len(cands)]
	redund := ws.redund // highest cosine with a picked sentence
	clear(redund)
	for len(picked) < k && len(h) > 0 {
		e := &h[0]
		if int(e.upto) < len(picked) {
			for j := int(e.upto); j < len(picked); j++ {
				row := picks[j*nt : (j+1)*nt]
				if c := cosDense(ws, e.s, row, picked[j].norm); c > redund[e.s.index] {
					redund[e.s.index] = c
				}
			}
			var held float64
			for _, t := range e.s.terms {
				if ws.covered[t] {
					held += ws.recur[t]
				}
			}
			e.val = e.s.score - lambda*redund[e.s.index] - cover*held*ws.sumNorm
			e.upto = int32(len(picked))
			h.down(0)
			continue
		}
		s := h[0].s
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		h.down(0)
		keep(s)
	}
	return picked
}

// mmrEntry is a candidate in selectSentences' heap: its value as of the
// first upto picks, and its position in score order for ties.
type mmrEntry struct {
	val  float64
	pos  int32
	upto int32
	s    *sent
}

type mmrHeap []mmrEntry

func (h mmrHeap) less(i, j int) bool {
	return h[i].val > h[j].val || h[i].val == h[j].val && h[i].pos < h[j].pos
}

// down restores the heap order below i.
func (h mmrHeap) down(i int) {
	for {
		best := i
		if l := 2*i + 1; l < len(h) && h.less(l, best) {
			best = l
		}
		if r := 2*i + 2; r < len(h) && h.less(r, best) {
			best = r
		}
		if best == i {
			return
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
}

// hasQuote reports whether a sentence is quoted speech: it opens with a
// quotation mark of any language, a colon introduces a quotation, or it
// closes a quotation an earlier sentence opened.
func hasQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	if isQuoteMark(r) || closesQuote(s) {
		return true
	}
	for i := strings.IndexByte(s, ':'); i >= 0; {
		rest := strings.TrimLeft(s[i+1:], " \u00a0")
		if r, _ := utf8.DecodeRuneInString(rest); isQuoteMark(r) {
			return true
		}
		j := strings.IndexByte(s[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isQuoteMark(r rune) bool {
	switch r {
	case '"', '\'', '\u201c', '\u201d', '\u2018', '\u2019', '\u00ab', '\u00bb', '\u2039', '\u203a', '\u201e':
		return true
	}
	return false
}

// closesQuote reports whether s holds one end of a quotation that spans
// sentences: a closing curly quote or guillemet before any opening one
// ("... our country » a-t-il dit."), or an odd number of straight double
// quotes. The three kinds are counted apart, each with a fast search for
// its bytes (a valid string holds them only as those characters).
func closesQuote(s string) bool {
	if strings.Count(s, "\"")%2 == 1 {
		return true
	}
	return unbalanced(s, "\u201c", "\u201d") || unbalanced(s, "\u00ab", "\u00bb")
}

// unbalanced reports whether close, in s, comes before its open: open and
// close are two characters of the same length that differ in their last
// byte only.
func unbalanced(s, open, close string) bool {
	prefix := open[:len(open)-1]
	depth := 0
	for {
		i := strings.Index(s, prefix)
		if i < 0 || i+len(open) > len(s) {
			return false
		}
		switch s[i+len(prefix)] {
		case open[len(open)-1]:
			depth++
		case close[len(close)-1]:
			if depth--; depth < 0 {
				return true
			}
		}
		s = s[i+len(prefix):]
	}
}
