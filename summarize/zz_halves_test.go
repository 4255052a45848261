package summarize

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"newsbot/summarize/rouge"
)

func TestZZHalves(t *testing.T) {
	if os.Getenv("HALVES") == "" {
		t.Skip()
	}
	arts := loadDev(t)
	sc := rouge.NewScorer()
	for _, src := range []string{"BBC News Summary", "CNN/DailyMail"} {
		var d1, d2 [4]float64
		var n [4]float64
		for i, a := range arts {
			if a.Source != src {
				continue
			}
			lead := Split(a.Text)
			lead = lead[:min(3, len(lead))]
			s, _ := Summarize(Document{Title: a.Title, Text: a.Text}, Options{})
			rl := sc.Score(a.Summary, strings.Join(lead, "\n"))
			ro := sc.Score(a.Summary, strings.Join(s.Sentences, "\n"))
			q := i % 4
			d1[q] += ro.R1.F - rl.R1.F
			d2[q] += ro.R2.F - rl.R2.F
			n[q]++
		}
		for q := 0; q < 4; q++ {
			fmt.Printf("%s quarter %d: dR1 %+.2f dR2 %+.2f (n=%v)\n", src, q, 100*d1[q]/n[q], 100*d2[q]/n[q], n[q])
		}
	}
}
