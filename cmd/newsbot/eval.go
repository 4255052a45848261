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

const evalUsage = `usage: newsbot eval [-data FILE[,FILE...]] [-n 3] [-j cores]

Summarizes every article as the bot does (title given, language detected)
and scores the n-sentence summaries against the reference summaries with
ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F1, per source, with the Lead-n
baseline (the first n sentences) from the same run beside ours, the average
length in words and the articles per second on one core.

Each article is tokenized for its language (the "language" field; none
means English): English as Google's rouge-score does with its Porter
stemmer; any other language keeps the lower-cased letters and digits of
every script, without stemming (rouge-score's tokenizer would cut
"sécurité" into "s" and "curit").

The default scores the English and the French files together:
  newsbot eval -data ../shared/eval/dev.jsonl,../shared/eval/fr-orangesum.jsonl`

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
	data := fs.String("data", "../shared/eval/dev.jsonl,../shared/eval/fr-orangesum.jsonl",
		"JSON lines with id, title, text, summary, source and language; several files separated by commas")
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
	var arts []evalArticle
	for _, path := range strings.Split(*data, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		list, err := readEvalData(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("eval: %s: %w", path, err)
		}
		if len(list) == 0 {
			return fmt.Errorf("eval: %s holds no articles with a text and a reference summary", path)
		}
		arts = append(arts, list...)
	}
	if len(arts) == 0 {
		return errors.New("eval: no data files given")
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
		if a.Text == "" || a.Summary == "" {
			continue // not a summary pair (the stories files, say)
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
			english, other := rouge.NewScorer(), rouge.NewUnicodeScorer()
			for i := range next {
				a := arts[i]
				sc := english
				if !isEnglish(a.Language) {
					sc = other
				}
				sents := summarize.Split(a.Text)
				sents = sents[:min(n, len(sents))]
				lead[i] = scoreSummary(sc, a.Summary, sents)
				// As the bot runs: the title given, the language detected.
				sum, _ := summarize.Summarize(summarize.Document{Title: a.Title, Text: a.Text},
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

// isEnglish reports whether an article's language field means English
// (none does).
func isEnglish(code string) bool {
	code = strings.ToLower(code)
	return code == "" || code == "en" || strings.HasPrefix(code, "en-") || strings.HasPrefix(code, "en_")
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
			summarize.Summarize(summarize.Document{Title: a.Title, Text: a.Text}, summarize.Options{Sentences: n})
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
	fmt.Fprintln(tw, "source\tarticles\ttokens\tsystem\tROUGE-1\tROUGE-2\tROUGE-L\tROUGE-Lsum\twords\tarticles/s\t")
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
			name, count, tok := src, fmt.Sprint(len(idx)), tokenizerName(arts, idx)
			if k > 0 {
				name, count, tok = "", "", ""
			}
			rate := fmt.Sprintf("%.0f", sp[src][k])
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t\n", name, count, tok, sys.name,
				100*r1/m, 100*r2/m, 100*rl/m, 100*rls/m, words/m, rate)
		}
	}
	tw.Flush()
}

// tokenizerName says how a source's articles were tokenized.
func tokenizerName(arts []evalArticle, idx []int) string {
	en, other := 0, 0
	for _, i := range idx {
		if isEnglish(arts[i].Language) {
			en++
		} else {
			other++
		}
	}
	switch {
	case other == 0:
		return "en+Porter"
	case en == 0:
		return "unicode"
	}
	return "mixed"
}
