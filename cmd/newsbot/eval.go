package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"newsbot/summarize"
	"newsbot/summarize/rouge"
)

func init() {
	subcommands["eval"] = runEval
}

const evalUsage = `usage: newsbot eval [-data ../shared/eval/dev.jsonl] [-n 3] [-j cores]

Scores n-sentence summaries against the reference summaries with ROUGE-1,
ROUGE-2, ROUGE-L and ROUGE-Lsum F1 (as Google's rouge-score computes them
with its Porter stemmer), per source, with the Lead-n baseline (the first n
sentences) from the same run beside ours, the average length in words and
the articles per second on one core.`

// evalArticle is one line of the evaluation data.
type evalArticle struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Summary  string `json:"summary"`
	Source   string `json:"source"`
	Language string `json:"language"`
}

// evalResult is the score of one system on one article.
type evalResult struct {
	r1, r2, rl, rlsum float64
	words             int
}

func runEval(ctx context.Context, args []string, sio stdio) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() {
		fmt.Fprintln(sio.err, evalUsage)
		fmt.Fprintln(sio.err, "\nflags:")
		fs.PrintDefaults()
	}
	data := fs.String("data", "../shared/eval/dev.jsonl", "JSON lines with id, title, text, summary and source")
	n := fs.Int("n", 3, "sentences per summary")
	workers := fs.Int("j", runtime.GOMAXPROCS(0), "parallel workers")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval: unexpected argument %q", fs.Arg(0))
	}
	f, err := os.Open(*data)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	arts, err := readEvalData(f)
	if err != nil {
		return fmt.Errorf("eval: %s: %w", *data, err)
	}
	if len(arts) == 0 {
		return fmt.Errorf("eval: %s holds no articles", *data)
	}
	start := time.Now()
	lead, ours, err := evaluate(ctx, arts, *n, max(*workers, 1))
	if err != nil {
		return err
	}
	took := time.Since(start)
	printEval(sio.out, arts, lead, ours, *n, measureSpeed(arts, *n))
	fmt.Fprintf(sio.out, "\n%d articles scored in %.2fs on %d workers. articles/s: one core, a second pass over the\nsame articles after the scoring pass (warm caches), splitting or summarizing only.\n",
		len(arts), took.Seconds(), max(*workers, 1))
	return nil
}

func readEvalData(r io.Reader) ([]evalArticle, error) {
	var arts []evalArticle
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), maxArticleBytes)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var a evalArticle
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if a.Source == "" {
			a.Source = "(no source)"
		}
		arts = append(arts, a)
	}
	return arts, sc.Err()
}

// evaluate scores Lead-n and our summaries of every article.
func evaluate(ctx context.Context, arts []evalArticle, n, workers int) (lead, ours []evalResult, err error) {
	lead = make([]evalResult, len(arts))
	ours = make([]evalResult, len(arts))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := rouge.NewScorer()
			for i := range next {
				a := arts[i]
				sents := summarize.Split(a.Text)
				sents = sents[:min(n, len(sents))]
				lead[i] = scoreSummary(sc, a.Summary, sents)
				sum, _ := summarize.Summarize(summarize.Document{Title: a.Title, Text: a.Text, Language: a.Language},
					summarize.Options{Sentences: n})
				ours[i] = scoreSummary(sc, a.Summary, sum.Sentences)
			}
		}()
	}
	for i := range arts {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	return lead, ours, err
}

func scoreSummary(sc *rouge.Scorer, ref string, sents []string) evalResult {
	cand := strings.Join(sents, "\n")
	s := sc.Score(ref, cand)
	return evalResult{r1: s.R1.F, r2: s.R2.F, rl: s.L.F, rlsum: s.Lsum.F, words: len(strings.Fields(cand))}
}

// speed is the articles per second of Lead-n and of ours, per source.
type speed map[string][2]float64

// measureSpeed times Lead-n and Summarize on one goroutine, source by
// source, apart from the scoring so that ROUGE's work and allocations do
// not count.
func measureSpeed(arts []evalArticle, n int) speed {
	bySource := map[string][]evalArticle{}
	for _, a := range arts {
		bySource[a.Source] = append(bySource[a.Source], a)
	}
	out := speed{}
	for src, list := range bySource {
		runtime.GC()
		t0 := time.Now()
		for _, a := range list {
			s := summarize.Split(a.Text)
			_ = s[:min(n, len(s))]
		}
		lead := time.Since(t0)
		runtime.GC()
		t0 = time.Now()
		for _, a := range list {
			summarize.Summarize(summarize.Document{Title: a.Title, Text: a.Text, Language: a.Language}, summarize.Options{Sentences: n})
		}
		ours := time.Since(t0)
		out[src] = [2]float64{float64(len(list)) / lead.Seconds(), float64(len(list)) / ours.Seconds()}
	}
	return out
}

func printEval(w io.Writer, arts []evalArticle, lead, ours []evalResult, n int, sp speed) {
	bySource := map[string][]int{}
	for i, a := range arts {
		bySource[a.Source] = append(bySource[a.Source], i)
	}
	sources := make([]string, 0, len(bySource))
	for s := range bySource {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "source\tarticles\tsystem\tROUGE-1\tROUGE-2\tROUGE-L\tROUGE-Lsum\twords\tarticles/s\t")
	for _, src := range sources {
		idx := bySource[src]
		for k, sys := range []struct {
			name string
			res  []evalResult
		}{{fmt.Sprintf("Lead-%d", n), lead}, {"newsbot", ours}} {
			var r1, r2, rl, rls, words float64
			for _, i := range idx {
				r := sys.res[i]
				r1 += r.r1
				r2 += r.r2
				rl += r.rl
				rls += r.rlsum
				words += float64(r.words)
			}
			m := float64(len(idx))
			name, count := src, fmt.Sprint(len(idx))
			if k > 0 {
				name, count = "", ""
			}
			rate := fmt.Sprintf("%.0f", sp[src][k])
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t\n", name, count, sys.name,
				100*r1/m, 100*r2/m, 100*rl/m, 100*rls/m, words/m, rate)
		}
	}
	tw.Flush()
}
