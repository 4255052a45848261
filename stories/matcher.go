// Package stories decides whether a news article tells a story already seen
// in a window of recent articles, so that the bot posts a story once however
// many outlets report it.
//
// An article becomes a weighted bag of terms: words of the headline count
// more than words of the lead, which count more than later text; names
// (capitalized words inside a sentence, acronyms) and numbers count more than
// other words; pairs of neighbouring words ("price war") are terms too, since
// two stories about one person share the name but seldom the phrases around
// it. Words of any script are terms; scripts written without spaces (Chinese,
// Japanese, Thai) give character bigrams; words are stemmed with snowball
// where it has a stemmer for the language, detected by counting stop words,
// and truncated elsewhere. Each term is weighted by its rarity (idf) among
// the stories in the window: counting stories rather than articles keeps a
// big story's own words rare however many outlets repeat them.
//
// Two articles are compared by the cosine of their weighted terms, lowered
// when it rests on few shared terms (one shared name is not a story) and as
// they lie further apart in time; between two texts it counts only when each
// contains much of what the other's headline says (a text without a headline
// stands for it with its first words), since two stories about one person or
// from one press office share names and boilerplate, not headlines. An
// article from another feed joins the story whose articles together are the
// most like it (a noisy-or of their similarities, so that several outlets'
// articles each somewhat like it count more than one) when that reaches a
// threshold, lower for headlines than for texts. An article of the feed that already has an article in the story
// never joins it as another outlet: it is an Update when it republishes that
// article (same link, or a near-identical headline and text), otherwise a
// story of its own. Precision comes first: merging two stories hides one of
// them, while a missed merge only costs a duplicate post.
//
// Candidates come from an inverted index walked rarest term first within a
// budget, so the cost of one assignment does not grow with the size of the
// window. Memory is bounded by the window: articles published more than
// Options.Window before the newest publication time seen are forgotten with
// their contribution to the idf table.
//
// The package does no I/O and holds no package-level state: a Matcher owns its
// window, its idf table and its caches, and is safe for concurrent use.
package stories

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"sync"
	"time"
)

// Article is what the matcher needs to know of an article.
type Article struct {
	ID        string    // the caller's id, unique among articles in the window
	Feed      string    // feed identity; articles of the same feed are never merged as another outlet; "": a feed of its own
	Link      string    // the article's address; the same feed and link is the same article
	Title     string    // headline
	Text      string    // summary or lead text; may be empty (headline-only feeds)
	Published time.Time // zero: the newest publication time seen so far
}

// Kind says how an article relates to the stories in the window.
type Kind int

const (
	// New: the article starts a story of its own.
	New Kind = iota
	// Joined: another outlet's article joins an existing story.
	Joined
	// Update: the same feed republished an article of the story (the same
	// link, or a near-identical headline and text).
	Update
)

func (k Kind) String() string {
	switch k {
	case New:
		return "new"
	case Joined:
		return "joined"
	case Update:
		return "update"
	}
	return "unknown"
}

// Match is the matcher's decision about one article.
type Match struct {
	Story string // the ID of the story's first article
	Kind  Kind   // New, Joined or Update
	// Score is the evidence for the decision, 0 to 1: for Joined (and for
	// New, the best story below the bar) the story's combined similarity, or
	// for New the closest article's when no story had any weight; for
	// Update the cosine with the republished article, 1 for its link.
	Score float64
	// Article is the ID of the story's article most like this one (Joined,
	// Update), or of the closest below the bar (New); "" when none came near.
	Article string
}

// Options tune the matcher. The zero value of a field means its default.
type Options struct {
	// Window is how long an article can be joined after it was published,
	// measured from the newest publication time seen. Default 36h.
	Window time.Duration
	// Join is the similarity from which another feed's article joins a
	// story. Default DefaultJoin.
	Join float64
	// JoinShort is Join for headlines: the bar falls from Join to
	// JoinShort as the shorter of two articles falls from fullLength
	// terms to none. Default DefaultJoinShort.
	JoinShort float64
	// Update is the similarity from which an article of the same feed is
	// the same article republished. Default 0.8.
	Update float64
	// TimeDecay lowers similarity linearly with the distance in time between
	// two articles: by TimeDecay at a whole Window apart. Default 0.3.
	TimeDecay float64
	// MaxStoryAge is how long after its first article a story can be
	// joined; later articles start a story of their own, as the bot stops
	// editing a story's post after 48 hours. Default 48h.
	MaxStoryAge time.Duration
	// MaxArticles bounds the window by count as well as by time, for feeds
	// whose articles have no publication time. Default 100,000.
	MaxArticles int
	// Breadth discounts a similarity that rests on few shared terms:
	// similarity is scaled by n/(n+Breadth), n being the effective number of
	// shared terms (the participation ratio of their contributions). Two
	// reports of one story share many rare words; two stories about the
	// same person or place share one or two. Default 2.
	Breadth float64
	// Candidates is how many articles, the best by the share of their
	// weight that the article's rarest terms match, are weighed as evidence
	// for their stories. Default 48.
	Candidates int
}

// DefaultJoin is the default of Options.Join.
const DefaultJoin = 0.23

// DefaultJoinShort is the default of Options.JoinShort.
const DefaultJoinShort = 0.19

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = 36 * time.Hour
	}
	if o.Join <= 0 {
		o.Join = DefaultJoin
	}
	if o.JoinShort <= 0 {
		o.JoinShort = min(DefaultJoinShort, o.Join)
	}
	if o.Update <= 0 {
		o.Update = 0.8
	}
	if o.TimeDecay <= 0 {
		o.TimeDecay = 0.3
	}
	if o.MaxStoryAge <= 0 {
		o.MaxStoryAge = 48 * time.Hour
	}
	if o.MaxArticles <= 0 {
		o.MaxArticles = 100_000
	}
	if o.Breadth <= 0 {
		o.Breadth = 2
	}
	if o.Candidates <= 0 {
		o.Candidates = 48
	}
	return o
}

// term is one entry of the idf table with its postings.
type term struct {
	key  string
	df   int32     // articles with the term
	sdf  int32     // stories with the term: what idf counts
	post []posting // may hold removed articles, at most about half

	// idf as of a window of idfN stories, idfDF of them with t: a
	// logarithm per term per candidate would cost more than the rest of
	// the scoring, and idf barely moves while the window's size does.
	idfN  float64
	idfDF int32
	idf   float64
}

// idfAt returns t's idf in a window of n stories, recomputed when t's story
// frequency changed or n moved by more than idfSlack of itself.
func (t *term) idfAt(n float64) float64 {
	if t.idfDF != t.sdf || math.Abs(n-t.idfN) > idfSlack*n {
		t.idfN, t.idfDF, t.idf = n, t.sdf, idf(n, t.sdf)
	}
	return t.idf
}

// idfSlack is the relative change of the window's size that idfAt ignores:
// half a percent of n moves idf by less than a thousandth of a term's weight.
const idfSlack = 0.005

// posting is an article of a term's list, by its slot: postings hold no
// pointers, so the collector need not scan them, and the walk of postings
// reads the slots' dense table rather than articles spread over the heap.
type posting struct {
	slot int32
	w    float32
	head bool // a word of the article's headline
}

// slot is an article's entry in Matcher.slots. A slot is reused only once
// no posting refers to it any more, so a posting's slot is always its own
// article's, live or removed.
type slot struct {
	d    *doc  // nil once the article was removed
	refs int32 // postings that refer to the slot

	// Scratch of the assignment in progress, valid when epoch is current:
	// the dot product with the article being assigned over the terms
	// walked, the sum of the squares of its terms, and the idf of the
	// words of the article's headline found in d (hq) and of d's headline
	// found in the article (hd).
	epoch   uint32
	dot, sq float32
	hq, hd  float32
	norm    float32 // d's norm, with the idf of a window of d.normN stories at assignment d.normEpoch
}

type docTerm struct {
	t    *term
	w    float32
	head bool
}

// doc is an article in the window.
type doc struct {
	id, feed, link, story string
	st                    *story
	at                    time.Time // publication time, or the newest seen when it had none
	terms                 []docTerm
	nHead                 int  // the headline's words are among terms[:nHead]
	text                  bool // d has text beyond its headline
	slot                  int32
	normN                 float64 // see slot.norm
	normEpoch             uint32
	dead                  bool
}

type story struct {
	n     int
	feeds map[string]int
	// terms counts how many of the story's articles have each term, so
	// that a term's story frequency changes when its first article joins
	// or its last leaves. Nil while the story has had one article, whose
	// terms then are the story's: most stories never get a second.
	terms map[*term]int32
	first *doc
	start time.Time // when the first article the window saw was published
}

// count adds k (1 or -1) to the story's count of t and keeps t.sdf in step.
func (s *story) count(t *term, k int32) {
	c := s.terms[t] + k
	switch {
	case c <= 0:
		delete(s.terms, t)
		t.sdf--
	case c == 1 && k > 0:
		s.terms[t] = c
		t.sdf++
	default:
		s.terms[t] = c
	}
}

// Matcher assigns articles to stories. It is safe for concurrent use: its
// methods hold a mutex, since the bot's pollers may assign from several
// goroutines and one assignment takes well under a millisecond.
type Matcher struct {
	mu      sync.Mutex
	o       Options
	langs   []*language
	words   map[string]*wordInfo // cleared when full
	terms   map[string]*term
	docs    map[string]*doc
	links   map[string]*doc // feed + "\x00" + link
	stories map[string]*story
	byTime  docHeap
	newest  time.Time
	epoch   uint32
	slots   []slot  // the window's articles, and removed ones that postings still refer to
	free    []int32 // slots no posting refers to

	toks    []token        // scratch
	touched []int32        // scratch: slots
	feats   []feature      // scratch of features: its result
	index   map[string]int // scratch of features: key → index
	wordBuf []*wordInfo    // scratch of features
	q       []qterm        // scratch of best
	ranks   []float32      // scratch of topCandidates
	boost   []float32      // scratch of features
	keyBuf  []byte         // scratch of phrase
}

// NewMatcher returns a matcher with an empty window.
func NewMatcher(o Options) *Matcher {
	return &Matcher{
		o:       o.withDefaults(),
		langs:   newLanguages(),
		words:   make(map[string]*wordInfo),
		index:   make(map[string]int),
		terms:   make(map[string]*term),
		docs:    make(map[string]*doc),
		links:   make(map[string]*doc),
		stories: make(map[string]*story),
	}
}

// Len is the number of articles in the window.
func (m *Matcher) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.docs)
}

// Terms is the number of distinct terms in the idf table.
func (m *Matcher) Terms() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.terms)
}

// Add puts an article already assigned to story into the window, as when the
// bot restarts and reloads the recent articles from its store. Articles should
// be added in the order they were assigned.
func (m *Matcher) Add(a Article, story string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a.Feed = feedOf(a)
	at := m.advance(a.Published)
	m.insert(a, at, story, m.features(a))
}

// feedOf is a's feed, or one of its own when it has none, so that articles
// without a feed are never taken for one outlet's.
func feedOf(a Article) string {
	if a.Feed == "" {
		return "\x00" + a.ID
	}
	return a.Feed
}

// Remove forgets an article, as when it is deleted from the store.
func (m *Matcher) Remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.docs[id]; ok {
		m.remove(d)
	}
}

// Assign decides which story a belongs to and adds a to the window.
func (m *Matcher) Assign(a Article) Match {
	m.mu.Lock()
	defer m.mu.Unlock()
	a.Feed = feedOf(a)
	at := m.advance(a.Published)
	feats := m.features(a)
	if a.Link != "" {
		if d, ok := m.links[a.Feed+"\x00"+a.Link]; ok {
			st := d.story
			m.remove(d) // superseded by the new version
			m.insert(a, at, st, feats)
			return Match{Story: st, Kind: Update, Score: 1, Article: d.id}
		}
	}
	best, near, update := m.best(a, at, feats)
	switch {
	case update.d != nil:
		st := update.d.story
		m.remove(update.d)
		m.insert(a, at, st, feats)
		return Match{Story: st, Kind: Update, Score: update.score, Article: update.d.id}
	case best.d != nil && best.score >= m.join(len(feats), best.d):
		m.insert(a, at, best.d.story, feats)
		return Match{Story: best.d.story, Kind: Joined, Score: best.score, Article: best.d.id}
	}
	m.insert(a, at, a.ID, feats)
	r := Match{Story: a.ID, Kind: New}
	if best.d == nil {
		best = near
	}
	if best.d != nil {
		r.Score, r.Article = best.score, best.d.id
	}
	return r
}

// qterm is a term of the article being assigned, with its idf.
type qterm struct {
	t    *term
	sdf  int32 // t.sdf, which the sort compares without visiting t
	w    float32
	idf2 float32
	idf  float32
	head bool
}

type scored struct {
	d     *doc
	score float64
}

// evidenceFloor is the similarity below which an article adds nothing to
// its story's evidence: weak likenesses are everywhere and would add up.
const evidenceFloor = 0.16

// maxWalk bounds the postings one assignment walks, and terms in more than
// commonShare of the window's stories (or minCommonDF, in a small window)
// are not walked at all. The rarest terms come first, so the terms left out
// are common ones, whose idf makes their share of a similarity small, and a
// story is never told in common words only. Rarity is counted in stories,
// as idf is: a big story's own words are rare however many outlets use them.
const (
	maxWalk     = 4096
	commonShare = 0.01
	minCommonDF = 64
)

// best returns the most similar article of another feed whose story a may
// join, and the most similar article of the same feed if a republishes it.
func (m *Matcher) best(a Article, at time.Time, feats []feature) (best, near, update scored) {
	m.epoch++
	ep := m.epoch
	n := float64(len(m.stories))
	maxSDF := int32(max(minCommonDF, commonShare*n))
	var qnorm, qhead float64 // qhead: the idf of the headline's words
	qheadOnly := true        // a headline without text
	q := m.q[:0]
	for _, f := range feats {
		t := f.t
		idf := idf(n, 0)
		if t != nil {
			idf = t.idfAt(n)
		}
		qnorm += float64(f.w) * float64(f.w) * idf * idf
		if f.text {
			qheadOnly = false
		}
		if f.head && (t == nil || t.sdf <= maxSDF) {
			qhead += idf // the common words are not walked
		}
		if t == nil {
			continue
		}
		q = append(q, qterm{t, t.sdf, f.w, float32(idf * idf), float32(idf), f.head})
	}
	m.q = q[:0]
	if qnorm == 0 {
		return
	}
	qnorm = math.Sqrt(qnorm)
	type evidence struct {
		d    *doc
		best float64
		miss float64
	}
	byStory := make(map[string]evidence)
	// Walk the postings of the rarest terms first, within a budget: a story
	// is told in rare words, and the budget keeps one assignment's cost
	// independent of the window's size.
	slices.SortFunc(q, func(x, y qterm) int { return cmp.Compare(x.sdf, y.sdf) })
	touched := m.touched[:0]
	slots := m.slots
	walked := 0
	for _, qt := range q {
		if walked >= maxWalk || qt.sdf > maxSDF {
			break
		}
		walked += len(qt.t.post)
		for _, p := range qt.t.post {
			sl := &slots[p.slot]
			if sl.d == nil {
				continue // removed
			}
			if sl.epoch != ep {
				sl.epoch, sl.dot, sl.sq, sl.hq, sl.hd = ep, 0, 0, 0, 0
				touched = append(touched, p.slot)
			}
			c := qt.w * p.w * qt.idf2
			sl.dot += c
			sl.sq += c * c
			if qt.head {
				sl.hq += qt.idf
			}
			if p.head {
				sl.hd += qt.idf
			}
		}
	}
	m.touched = touched[:0]
	if cap(m.ranks) < m.o.Candidates {
		m.ranks = make([]float32, 0, m.o.Candidates)
	}
	for _, i := range topCandidates(slots, touched, m.o.Candidates, m.ranks) {
		d := slots[i].d
		dt := at.Sub(d.at)
		if dt < 0 {
			dt = -dt
		}
		if dt > m.o.Window {
			continue
		}
		cos, sim := m.similarity(d, ep, n, qnorm)
		if d.feed == a.Feed {
			// A republished article is judged on the plain cosine: a
			// retitled headline shares few terms, all of them.
			if cos >= m.o.Update && cos > update.score {
				update = scored{d, cos}
			}
			continue
		}
		s := sim * (1 - m.o.TimeDecay*float64(dt)/float64(m.o.Window))
		if s > near.score {
			near = scored{d, s}
		}
		if s < evidenceFloor {
			continue
		}
		if at.Sub(d.st.start) > m.o.MaxStoryAge {
			continue // too old to be added to
		}
		if !qheadOnly && d.text && m.headCover(d, n, maxSDF, qhead) < minHeadCover {
			// Two texts about the same person or place, or two
			// releases of one press office, share names and
			// boilerplate; two reports of one story also share what
			// their headlines say.
			continue
		}
		if d.st.feeds[a.Feed] > 0 {
			// The feed already has an article in this story that is not
			// this one: a second article of the same outlet is never
			// merged as another outlet.
			continue
		}
		// Noisy-or over the story's articles: several outlets' articles
		// each somewhat like a are more evidence than any one of them.
		st := byStory[d.story]
		if st.d == nil || s > st.best {
			st.d, st.best = d, s
		}
		if st.miss == 0 {
			st.miss = 1
		}
		st.miss *= 1 - s
		byStory[d.story] = st
	}
	for _, st := range byStory {
		s := 1 - st.miss
		// Ties go to the older story, so that the result does not depend
		// on the order of a map.
		if s > best.score || (s == best.score && best.d != nil && st.d.story < best.d.story) {
			best = scored{st.d, s}
		}
	}
	return best, near, update
}

// topCandidates moves the k articles of ds (slots) with the highest share
// of their weight matched by rare terms to its front and returns them. A
// bounded selection, since the articles touched can run into the thousands
// and only k are wanted. The ranks of ds[:k] are kept side by side in rank
// (scratch), for the search of the lowest after each replacement.
func topCandidates(slots []slot, ds []int32, k int, rank []float32) []int32 {
	if len(ds) <= k {
		return ds
	}
	rank = rank[:0]
	for _, i := range ds[:k] {
		rank = append(rank, slots[i].dot/slots[i].norm)
	}
	lo := 0 // index of the lowest ranked among ds[:k]
	for i := 1; i < k; i++ {
		if rank[i] < rank[lo] {
			lo = i
		}
	}
	for i := k; i < len(ds); i++ {
		r := slots[ds[i]].dot / slots[ds[i]].norm
		if r <= rank[lo] {
			continue
		}
		ds[lo], ds[i], rank[lo] = ds[i], ds[lo], r
		for j := 0; j < k; j++ {
			if rank[j] < rank[lo] {
				lo = j
			}
		}
	}
	return ds[:k]
}

// minHeadCover is how much of the headline of each of two texts the other
// must contain, by the idf of its words, for their likeness to count as
// evidence: two reports of one story agree on what happened, which their
// headlines say, while two stories about one person or from one press
// office share names and boilerplate further down. Headlines without text
// are spared: their likeness is all headline already.
const minHeadCover = 0.3

// headCover is the smaller of the shares of the idf of the words of the
// headline of d found in the article being assigned, and of the article's
// headline found in d, counting the words walked (qhead is the article's
// total). A text without a headline stands for it with its first words.
func (m *Matcher) headCover(d *doc, n float64, maxSDF int32, qhead float64) float64 {
	var dhead float64
	for _, dt := range d.terms[:d.nHead] {
		if dt.head && dt.t.sdf <= maxSDF {
			dhead += dt.t.idfAt(n)
		}
	}
	if qhead == 0 || dhead == 0 {
		return 0
	}
	sl := &m.slots[d.slot]
	return min(float64(sl.hq)/qhead, float64(sl.hd)/dhead)
}

// join is the similarity from which a story with closest article d is
// joined by an article of qlen terms. Short articles (headlines) get a lower
// bar than texts: a headline is all signal, so a modest cosine between two
// headlines, or a headline and a text, says more than the same cosine
// between two texts, whose background words dilute it.
func (m *Matcher) join(qlen int, d *doc) float64 {
	l := float64(min(qlen, len(d.terms)))
	return m.o.JoinShort + (m.o.Join-m.o.JoinShort)*min(1, l/fullLength)
}

// fullLength is the number of terms (a headline and a sentence or two) from
// which an article is held to Options.Join.
const fullLength = 40

// similarity is the tf-idf cosine of d and the query marked with epoch ep
// over the terms walked, and the same discounted when it rests on few terms.
// d's norm is recomputed only when it may have gone stale (the window's size
// moved, or it is old), since that means visiting the idf of every term of d.
func (m *Matcher) similarity(d *doc, ep uint32, n, qnorm float64) (cos, sim float64) {
	sl := &m.slots[d.slot]
	if math.Abs(n-d.normN) > normSlack*n || ep-d.normEpoch > normAge {
		var norm float64
		for _, dt := range d.terms {
			w := float64(dt.w) * dt.t.idfAt(n)
			norm += w * w
		}
		sl.norm, d.normN, d.normEpoch = float32(math.Sqrt(norm)), n, ep
		if sl.norm == 0 {
			sl.norm = 1
		}
	}
	if sl.dot == 0 {
		return 0, 0
	}
	dot := float64(sl.dot)
	cos = min(1, dot/(qnorm*float64(sl.norm)))
	shared := dot * dot / float64(sl.sq)
	return cos, cos * shared / (shared + m.o.Breadth)
}

// normSlack and normAge bound how stale a cached norm may be: by a relative
// change of the window's size, and by assignments since it was computed (the
// idf of its terms moves as other stories come and go).
const (
	normSlack = 0.02
	normAge   = 16384
)

// idf is smoothed so that it stays positive and finite in a window of one
// article, where every term is as rare as any other.
func idf(n float64, df int32) float64 {
	return math.Log(1 + (n+1)/(float64(df)+1))
}

// advance moves the window's clock to t and forgets what fell out of the
// window. It returns the time to file an article published at t under.
func (m *Matcher) advance(t time.Time) time.Time {
	if t.IsZero() {
		t = m.newest
	}
	if t.After(m.newest) {
		m.newest = t
	}
	cutoff := m.newest.Add(-m.o.Window)
	for len(m.byTime) > 0 {
		d := m.byTime[0]
		// Removed articles wait in the heap until they reach its top;
		// the bound on the heap's length keeps them from piling up when
		// articles come without publication times.
		if !d.dead && !d.at.Before(cutoff) && len(m.docs) < m.o.MaxArticles && len(m.byTime) <= 2*m.o.MaxArticles {
			break
		}
		heap.Pop(&m.byTime)
		if !d.dead {
			m.remove(d)
		}
	}
	return t
}

func (m *Matcher) insert(a Article, at time.Time, st string, feats []feature) {
	if old, ok := m.docs[a.ID]; ok {
		m.remove(old)
	}
	d := &doc{id: a.ID, feed: a.Feed, link: a.Link, story: st, at: at, terms: make([]docTerm, 0, len(feats))}
	d.slot = m.newSlot(d, len(feats))
	s := m.stories[st]
	if s == nil {
		s = &story{feeds: make(map[string]int), first: d, start: at}
		m.stories[st] = s
	} else if s.terms == nil {
		s.terms = make(map[*term]int32, 2*len(s.first.terms))
		for _, dt := range s.first.terms {
			s.terms[dt.t] = 1
		}
	}
	s.n++
	s.feeds[a.Feed]++
	d.st = s
	n := float64(len(m.stories))
	var norm float64
	for _, f := range feats {
		t := f.t
		if t == nil || t.df <= 0 {
			// New, or dropped from the table since features ran (the
			// article this one updates was its last user).
			t = m.terms[f.key]
			if t == nil {
				t = &term{key: f.key}
				m.terms[f.key] = t
			}
		}
		t.df++
		if s.terms == nil {
			t.sdf++
		} else {
			s.count(t, 1)
		}
		if len(t.post) >= 2*int(t.df)+8 {
			m.compact(t)
		}
		t.post = append(t.post, posting{d.slot, f.w, f.head})
		d.terms = append(d.terms, docTerm{t, f.w, f.head})
		if f.head {
			d.nHead = len(d.terms)
		}
		d.text = d.text || f.text
		w := float64(f.w) * idf(n, t.sdf)
		norm += w * w
	}
	sl := &m.slots[d.slot]
	sl.norm, d.normN, d.normEpoch = float32(math.Sqrt(norm)), n, m.epoch
	if sl.norm == 0 {
		sl.norm = 1
	}
	m.docs[a.ID] = d
	if a.Link != "" {
		m.links[a.Feed+"\x00"+a.Link] = d
	}
	heap.Push(&m.byTime, d)
}

// remove takes d out of the window. Its postings are dropped lazily, when
// they make up half of a term's list, which keeps removal cheap and the
// lists at most twice their live length.
func (m *Matcher) remove(d *doc) {
	if d.dead {
		return
	}
	d.dead = true
	m.slots[d.slot].d = nil
	if m.slots[d.slot].refs == 0 {
		m.free = append(m.free, d.slot) // an article without terms
	}
	s := d.st
	for _, dt := range d.terms {
		t := dt.t
		t.df--
		switch {
		case s == nil:
		case s.terms == nil:
			t.sdf--
		default:
			s.count(t, -1)
		}
		if t.df <= 0 {
			delete(m.terms, t.key)
			for _, p := range t.post {
				m.release(p.slot)
			}
			t.post = nil
			continue
		}
		if len(t.post) >= 2*int(t.df)+8 {
			m.compact(t)
		}
	}
	if m.docs[d.id] == d {
		delete(m.docs, d.id)
	}
	if d.link != "" && m.links[d.feed+"\x00"+d.link] == d {
		delete(m.links, d.feed+"\x00"+d.link)
	}
	if s != nil {
		s.n--
		if s.feeds[d.feed]--; s.feeds[d.feed] <= 0 {
			delete(s.feeds, d.feed)
		}
		if s.first == d {
			s.first = nil // only read to build terms, which exists by now or never will
		}
		if s.n <= 0 {
			delete(m.stories, d.story)
		}
	}
	// d stays in byTime until it reaches the top: popping it there is
	// cheaper than fixing the heap now, and it holds no terms any more.
	d.terms = nil
}

// compact drops the postings of removed articles from t's list.
func (m *Matcher) compact(t *term) {
	live := t.post[:0]
	for _, p := range t.post {
		if m.slots[p.slot].d != nil {
			live = append(live, p)
		} else {
			m.release(p.slot)
		}
	}
	t.post = live
}

// newSlot returns a slot for d, referred to by the refs postings about to
// be made.
func (m *Matcher) newSlot(d *doc, refs int) int32 {
	var i int32
	if n := len(m.free); n > 0 {
		i, m.free = m.free[n-1], m.free[:n-1]
	} else {
		i = int32(len(m.slots))
		m.slots = append(m.slots, slot{})
	}
	m.slots[i] = slot{d: d, refs: int32(refs)}
	return i
}

// release drops a posting's reference to slot i, which is free for
// another article once no posting refers to it.
func (m *Matcher) release(i int32) {
	if m.slots[i].refs--; m.slots[i].refs == 0 {
		m.free = append(m.free, i)
	}
}

// docHeap orders the window's articles by publication time, oldest first.
type docHeap []*doc

func (h docHeap) Len() int           { return len(h) }
func (h docHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h docHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *docHeap) Push(x any)        { *h = append(*h, x.(*doc)) }
func (h *docHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return d
}
