package stories

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// generator makes synthetic news deterministically from an article's
// number: words drawn from a Zipf distribution over a made-up vocabulary
// (so that idf has common and rare words to tell apart), and every eight
// consecutive articles about one event, whose rare words they share.
type generator struct {
	seed  uint64
	vocab []string
	// function words make the text English to the language detector, as
	// most of the bot's feeds are, so the benchmark pays for the English
	// stemmer.
	function []string
}

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, 0))
	syll := []string{"ka", "lo", "mi", "ten", "ro", "sa", "vel", "di", "nor", "pa", "que", "tri", "bu", "zen", "fa", "gor", "hi", "ju", "mar", "ost"}
	seen := make(map[string]bool)
	g := &generator{seed: seed, function: strings.Fields("the of to in and a for on is with after by at from")}
	for len(g.vocab) < 40_000 {
		var b strings.Builder
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	return g
}

func (g *generator) words(r *rand.Rand, z *rand.Zipf, n int, b *strings.Builder) {
	for ; n > 0; n-- {
		b.WriteByte(' ')
		if r.IntN(3) == 0 {
			b.WriteString(g.function[r.IntN(len(g.function))])
			continue
		}
		b.WriteString(g.vocab[z.Uint64()])
	}
}

func (g *generator) article(i int, at time.Time) Article {
	event := i / 8
	er := rand.New(rand.NewPCG(g.seed, uint64(event)<<1|1))
	var names []string
	for k := 0; k < 5; k++ {
		// Rare words, from the tail of the vocabulary.
		names = append(names, g.vocab[len(g.vocab)/2+er.IntN(len(g.vocab)/2)])
	}
	r := rand.New(rand.NewPCG(g.seed, uint64(i)<<1))
	z := rand.NewZipf(r, 1.07, 2, uint64(len(g.vocab)-1))
	var title, text strings.Builder
	title.WriteString(strings.ToUpper(names[0][:1]) + names[0][1:])
	title.WriteString(" " + names[1+r.IntN(4)])
	g.words(r, z, 6, &title)
	text.WriteString(names[2+r.IntN(3)])
	g.words(r, z, 20, &text)
	text.WriteString(". " + names[0] + " " + fmt.Sprint(1000+event%5000))
	g.words(r, z, 20, &text)
	return Article{
		ID:        fmt.Sprintf("g%d", i),
		Feed:      fmt.Sprintf("feed%d", r.IntN(200)),
		Link:      fmt.Sprintf("https://example.com/%d", i),
		Title:     title.String(),
		Text:      text.String(),
		Published: at,
	}
}
