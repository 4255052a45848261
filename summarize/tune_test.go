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
	vals := func(env string, def []float64) []float64 {
		if v := os.Getenv(env); v != "" {
			var out []float64
			for _, f := range strings.Split(v, ",") {
				var x float64
				fmt.Sscan(f, &x)
				out = append(out, x)
			}
			return out
		}
		return def
	}
	for _, pw := range vals("POS", []float64{base.posWeight}) {
		for _, cw := range vals("CENT", []float64{base.centWeight}) {
			for _, lw := range vals("LEAD", []float64{base.leadWeight}) {
				for _, tw := range vals("TITLE", []float64{base.titleWeight}) {
					for _, sw := range vals("SUM", []float64{base.sumWeight}) {
						for _, dw := range vals("DENS", []float64{base.densWeight}) {
							for _, lp := range vals("LONGP", []float64{base.longPenalty}) {
								for _, lwd := range vals("LONGW", []float64{float64(base.longWords)}) {
									for _, ps := range vals("POSS", []float64{base.posScale}) {
										for _, mm := range vals("MMR", []float64{base.mmrLambda}) {
											for _, sh := range vals("SHORT", []float64{float64(base.shortWords)}) {
												name := fmt.Sprintf("pos=%g/%g cent=%g lead=%g title=%g sum=%g dens=%g long=%g/%g mmr=%g short=%g", pw, ps, cw, lw, tw, sw, dw, lp, lwd, mm, sh)
												grid(name, func(p *params) {
													p.posWeight, p.posScale, p.centWeight, p.leadWeight, p.titleWeight = pw, ps, cw, lw, tw
													p.sumWeight, p.densWeight, p.longPenalty, p.longWords, p.mmrLambda = sw, dw, lp, int(lwd), mm
													p.shortWords = int(sh)
												})
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
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
		fmt.Printf("%-95s %.2f/%.2f %.1fw\n", r.name, r.r[0], r.r[1], r.r[2])
	}
}
