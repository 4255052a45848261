package main

import (
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"newsbot/summarize"
	"newsbot/summarize/rouge"
)

// BenchmarkOracle measures the ceiling of any three-sentence extractive
// summary on the dev file: for each article the best three of its first
// oracleSentences sentences by ROUGE-1 + ROUGE-2 against the reference,
// searched exhaustively, no longer than 1.25 times the article's Lead-3
// (the length bar, here per article rather than on average). It is
// not a test: it tells how far a target is from what any sentence scorer
// could reach. It takes a few minutes:
//
//	go test -run '^$' -bench Oracle -benchtime 1x ./cmd/newsbot/
func BenchmarkOracle(b *testing.B) {
	path := os.Getenv("NEWSBOT_EVAL_DATA")
	if path == "" {
		path = "../../../shared/eval/dev.jsonl"
	}
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("no evaluation data (set NEWSBOT_EVAL_DATA): %v", err)
	}
	arts, err := readEvalData(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		best := make([]evalResult, len(arts))
		var wg sync.WaitGroup
		next := make(chan int)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				sc := rouge.NewScorer()
				for i := range next {
					best[i] = oracle(sc, arts[i])
				}
			})
		}
		for i := range arts {
			next <- i
		}
		close(next)
		wg.Wait()
		reportOracle(b, arts, best)
	}
}

// oracleSentences bounds the search: the best three of 22 sentences are
// 1,540 candidates an article.
const oracleSentences = 22

// oracle returns the scores of the best three sentences of a within the
// length bar; the zero result if none fits.
func oracle(sc *rouge.Scorer, a evalArticle) evalResult {
	s := summarize.Split(a.Text)
	s = s[:min(oracleSentences, len(s))]
	if len(s) <= 3 {
		return scoreSummary(sc, a.Summary, s)
	}
	words := make([]int, len(s))
	lead := 0
	for i, x := range s {
		words[i] = len(strings.Fields(x))
		if i < 3 {
			lead += words[i]
		}
	}
	limit := lead + lead/4
	var best evalResult
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			for k := j + 1; k < len(s); k++ {
				if words[i]+words[j]+words[k] > limit {
					continue
				}
				r := scoreSummary(sc, a.Summary, []string{s[i], s[j], s[k]})
				if r.r1+r.r2 > best.r1+best.r2 {
					best = r
				}
			}
		}
	}
	return best
}

func reportOracle(b *testing.B, arts []evalArticle, best []evalResult) {
	type sum struct{ r1, r2, words, n float64 }
	bySource := make(map[string]*sum)
	for i, a := range arts {
		if a.Language != "" && !isEnglish(a.Language) {
			continue // scored by the English tokenizer only
		}
		s := bySource[a.Source]
		if s == nil {
			s = &sum{}
			bySource[a.Source] = s
		}
		s.r1 += best[i].r1
		s.r2 += best[i].r2
		s.words += float64(best[i].words)
		s.n++
	}
	sources := make([]string, 0, len(bySource))
	for k := range bySource {
		sources = append(sources, k)
	}
	sort.Strings(sources)
	for _, k := range sources {
		s := bySource[k]
		b.Logf("%s (%d): oracle ROUGE-1 %.2f ROUGE-2 %.2f at %.1f words",
			k, int(s.n), 100*s.r1/s.n, 100*s.r2/s.n, s.words/s.n)
	}
}
