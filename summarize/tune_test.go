package summarize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"newsbot/summarize/rouge"
)

type devArticle struct {
	ID, Title, Text, Summary, Source string
}

func loadDev(t testing.TB) []devArticle {
	path := os.Getenv("NEWSBOT_DEV")
	if path == "" {
		path = "../../shared/eval/dev.jsonl"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no dev data: %v", err)
	}
	defer f.Close()
	var out []devArticle
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var a devArticle
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// evalParams returns per-source mean R1, R2 and words.
func evalParams(arts []devArticle, p *paramSet) map[string][3]float64 {
	type acc struct{ r1, r2, w, n float64 }
	res := make([]struct {
		src       string
		r1, r2, w float64
	}, len(arts))
	var wg sync.WaitGroup
	workers := 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			sc := rouge.NewScorer()
			for i := w; i < len(arts); i += workers {
				a := arts[i]
				s, _ := summarize(Document{Title: a.Title, Text: a.Text}, Options{}, p)
				c := strings.Join(s.Sentences, "\n")
				r := sc.Score(a.Summary, c)
				res[i].src, res[i].r1, res[i].r2, res[i].w = a.Source, r.R1.F, r.R2.F, float64(len(strings.Fields(c)))
			}
		}(w)
	}
	wg.Wait()
	accs := map[string]*acc{}
	for _, r := range res {
		a := accs[r.src]
		if a == nil {
			a = &acc{}
			accs[r.src] = a
		}
		a.r1 += r.r1
		a.r2 += r.r2
		a.w += r.w
		a.n++
	}
	out := map[string][3]float64{}
	for k, a := range accs {
		out[k] = [3]float64{100 * a.r1 / a.n, 100 * a.r2 / a.n, a.w / a.n}
	}
	return out
}

// TestTune is how the weights in score.go were chosen: it searches a grid
// for one kind of article at a time and prints the best settings. Run it
// by hand (NEWSBOT_TUNE=titled scores the BBC articles, which have titles;
// untitled the CNN/DailyMail ones, which have none):
//
//	NEWSBOT_TUNE=titled go test -run TestTune -v ./summarize/
func TestTune(t *testing.T) {
	which := os.Getenv("NEWSBOT_TUNE")
	if which == "" {
		t.Skip("set NEWSBOT_TUNE=titled or untitled")
	}
	all := loadDev(t)
	var arts []devArticle
	for _, a := range all {
		if (a.Title != "") == (which == "titled") {
			arts = append(arts, a)
		}
	}
	base := defaultParams.titled
	if which != "titled" {
		base = defaultParams.untitled
	}
	type row struct {
		name string
		r    [3]float64
	}
	var rows []row
	grid := func(name string, set func(p *params)) {
		p := base
		set(&p)
		ps := paramSet{titled: p, untitled: p}
		for _, r := range evalParams(arts, &ps) {
			rows = append(rows, row{name, r})
		}
	}
	grid("current", func(*params) {})
	// Each axis is a weight; its values come from an environment variable
	// (POS=0.5,1,2) or default to the current value.
	axes := []struct {
		env string
		get func(*params) float64
		set func(*params, float64)
	}{
		{"POS", func(p *params) float64 { return p.posWeight }, func(p *params, v float64) { p.posWeight = v }},
		{"POSS", func(p *params) float64 { return p.posScale }, func(p *params, v float64) { p.posScale = v }},
		{"CENT", func(p *params) float64 { return p.centWeight }, func(p *params, v float64) { p.centWeight = v }},
		{"LEAD", func(p *params) float64 { return p.leadWeight }, func(p *params, v float64) { p.leadWeight = v }},
		{"TITLE", func(p *params) float64 { return p.titleWeight }, func(p *params, v float64) { p.titleWeight = v }},
		{"SUM", func(p *params) float64 { return p.sumWeight }, func(p *params, v float64) { p.sumWeight = v }},
		{"DENS", func(p *params) float64 { return p.densWeight }, func(p *params, v float64) { p.densWeight = v }},
		{"LONGP", func(p *params) float64 { return p.longPenalty }, func(p *params, v float64) { p.longPenalty = v }},
		{"LONGW", func(p *params) float64 { return float64(p.longWords) }, func(p *params, v float64) { p.longWords = int(v) }},
		{"LEADN", func(p *params) float64 { return float64(p.leadSize) }, func(p *params, v float64) { p.leadSize = int(v) }},
		{"SHORT", func(p *params) float64 { return float64(p.shortWords) }, func(p *params, v float64) { p.shortWords = int(v) }},
		{"MMR", func(p *params) float64 { return p.mmrLambda }, func(p *params, v float64) { p.mmrLambda = v }},
	}
	var walk func(i int, p params, name string)
	walk = func(i int, p params, name string) {
		if i == len(axes) {
			grid(name, func(q *params) { *q = p })
			return
		}
		ax := axes[i]
		vals := []float64{ax.get(&p)}
		if v := os.Getenv(ax.env); v != "" {
			vals = vals[:0]
			for _, f := range strings.Split(v, ",") {
				var x float64
				fmt.Sscan(f, &x)
				vals = append(vals, x)
			}
		}
		for _, v := range vals {
			ax.set(&p, v)
			walk(i+1, p, fmt.Sprintf("%s %s=%g", name, strings.ToLower(ax.env), v))
		}
	}
	walk(0, base, "")
	maxWords := 78.0
	if which != "titled" {
		maxWords = 105
	}
	sort.SliceStable(rows, func(i, j int) bool {
		oi, oj := rows[i].r[2] <= maxWords, rows[j].r[2] <= maxWords
		if oi != oj {
			return oi
		}
		return rows[i].r[0]+rows[i].r[1] > rows[j].r[0]+rows[j].r[1]
	})
	for i, r := range rows {
		if i == 25 {
			break
		}
		fmt.Printf("%-120s %.2f/%.2f %.1fw\n", r.name, r.r[0], r.r[1], r.r[2])
	}
}
