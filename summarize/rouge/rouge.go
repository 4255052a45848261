// Package rouge scores summaries against references with ROUGE-1, ROUGE-2,
// ROUGE-L and ROUGE-Lsum F1, computed exactly as Google's rouge-score
// package does with use_stemmer=True: lower-case, every character outside
// a-z and 0-9 becomes a space, split on spaces, words longer than three
// letters stemmed with NLTK's Porter stemmer.
package rouge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Score is one ROUGE measure.
type Score struct {
	Precision, Recall, F float64
}

// Scores holds the four measures of one summary.
type Scores struct {
	R1, R2, L, Lsum Score
}

// Scorer tokenizes and stems, caching stems across calls. It is not safe
// for concurrent use; use one per goroutine.
type Scorer struct {
	stems   map[string]string
	unicode bool // letters and digits of any script, no stemming
}

// NewScorer returns an English Scorer (rouge-score's tokenizer and Porter
// stemmer) with an empty stem cache.
func NewScorer() *Scorer { return &Scorer{stems: make(map[string]string)} }

// NewUnicodeScorer returns a Scorer for languages other than English:
// lower-case, every letter or digit of any script kept (with combining
// marks), everything else a space, no stemming. rouge-score's own
// tokenizer would cut "sécurité" into "s" and "curit".
func NewUnicodeScorer() *Scorer { return &Scorer{unicode: true} }

// ForLanguage returns the Scorer fit for an ISO 639-1 language code:
// English ("" or "en...") gets NewScorer, any other NewUnicodeScorer.
func ForLanguage(code string) *Scorer {
	code = strings.ToLower(code)
	if code == "" || code == "en" || strings.HasPrefix(code, "en-") || strings.HasPrefix(code, "en_") {
		return NewScorer()
	}
	return NewUnicodeScorer()
}

// Tokenize returns the tokens of text as rouge-score's tokenizer does with
// the stemmer on (or, for a Unicode Scorer, its words in lower case).
func (s *Scorer) Tokenize(text string) []string {
	if s.unicode {
		return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
		})
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	fields := strings.Fields(b.String())
	for i, f := range fields {
		if len(f) > 3 {
			st, ok := s.stems[f]
			if !ok {
				st = PorterStem(f)
				s.stems[f] = st
			}
			fields[i] = st
		}
	}
	return fields
}

// Score compares a candidate summary with a reference; both hold one
// sentence per line (the lines matter only for ROUGE-Lsum).
func (s *Scorer) Score(reference, candidate string) Scores {
	ref := s.Tokenize(reference)
	cand := s.Tokenize(candidate)
	var out Scores
	out.R1 = ngramScore(ref, cand, 1)
	out.R2 = ngramScore(ref, cand, 2)
	out.L = lcsScore(ref, cand)
	out.Lsum = s.lsum(reference, candidate)
	return out
}

func fmeasure(p, r float64) float64 {
	if p+r > 0 {
		return 2 * p * r / (p + r)
	}
	return 0
}

func ngrams(toks []string, n int) map[string]int {
	m := make(map[string]int)
	for i := 0; i+n <= len(toks); i++ {
		m[strings.Join(toks[i:i+n], " ")]++
	}
	return m
}

// ngramScore is rouge-score's _score_ngrams.
func ngramScore(ref, cand []string, n int) Score {
	rg, cg := ngrams(ref, n), ngrams(cand, n)
	rt, ct, overlap := 0, 0, 0
	for _, c := range rg {
		rt += c
	}
	for g, c := range cg {
		ct += c
		overlap += min(c, rg[g])
	}
	p := float64(overlap) / float64(max(ct, 1))
	r := float64(overlap) / float64(max(rt, 1))
	return Score{p, r, fmeasure(p, r)}
}

func lcsTable(ref, cand []string) [][]int {
	t := make([][]int, len(ref)+1)
	for i := range t {
		t[i] = make([]int, len(cand)+1)
	}
	for i := 1; i <= len(ref); i++ {
		for j := 1; j <= len(cand); j++ {
			if ref[i-1] == cand[j-1] {
				t[i][j] = t[i-1][j-1] + 1
			} else {
				t[i][j] = max(t[i-1][j], t[i][j-1])
			}
		}
	}
	return t
}

func lcsScore(ref, cand []string) Score {
	if len(ref) == 0 || len(cand) == 0 {
		return Score{}
	}
	l := lcsTable(ref, cand)[len(ref)][len(cand)]
	p := float64(l) / float64(len(cand))
	r := float64(l) / float64(len(ref))
	return Score{p, r, fmeasure(p, r)}
}

// lcsIndices returns the indices into ref of one LCS, backtracked as
// rouge-score's _backtrack_norec does.
func lcsIndices(ref, cand []string) []int {
	t := lcsTable(ref, cand)
	i, j := len(ref), len(cand)
	var out []int
	for i > 0 && j > 0 {
		switch {
		case ref[i-1] == cand[j-1]:
			out = append(out, i-1)
			i--
			j--
		case t[i][j-1] > t[i-1][j]:
			j--
		default:
			i--
		}
	}
	return out // order does not matter to the caller
}

func (s *Scorer) sentences(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		if line != "" {
			out = append(out, s.Tokenize(line))
		}
	}
	return out
}

// lsum is rouge-score's _summary_level_lcs over newline-separated sentences.
func (s *Scorer) lsum(reference, candidate string) Score {
	refs, cands := s.sentences(reference), s.sentences(candidate)
	if len(refs) == 0 || len(cands) == 0 {
		return Score{}
	}
	m, n := 0, 0
	rc, cc := map[string]int{}, map[string]int{}
	for _, r := range refs {
		m += len(r)
		for _, t := range r {
			rc[t]++
		}
	}
	for _, c := range cands {
		n += len(c)
		for _, t := range c {
			cc[t]++
		}
	}
	if m == 0 || n == 0 {
		return Score{}
	}
	hits := 0
	for _, r := range refs {
		union := make([]bool, len(r))
		for _, c := range cands {
			for _, i := range lcsIndices(r, c) {
				union[i] = true
			}
		}
		for i, in := range union {
			if !in {
				continue
			}
			t := r[i]
			if cc[t] > 0 && rc[t] > 0 {
				hits++
				cc[t]--
				rc[t]--
			}
		}
	}
	p := float64(hits) / float64(n)
	r := float64(hits) / float64(m)
	return Score{p, r, fmeasure(p, r)}
}
