package summarize

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/snowballstem"
)

// TestStemEnglish checks stemEnglish against the Snowball library it
// replaces: on every word of the evaluation sets (when they are there),
// on the algorithm's suffixes and exceptions after many stems, and on
// random words.
func TestStemEnglish(t *testing.T) {
	env := new(snowballstem.Env)
	n := 0
	check := func(w string) {
		got, ok := stemEnglish(w, nil)
		if !ok {
			return
		}
		n++
		if want := snowballEnglish(env, w); got != want {
			t.Fatalf("stemEnglish(%q) = %q, want %q", w, got, want)
		}
	}
	for _, name := range []string{"dev.jsonl", "fr-orangesum.jsonl"} {
		if arts, err := readEval(name); err == nil {
			ws := new(workspace)
			ws.reset()
			for _, a := range arts {
				ids, _ := ws.splitWords(a.Title+" "+a.Text, nil)
				for _, id := range ids {
					check(string(ws.word(id)))
				}
				ws.vocab.reset()
				ws.reset()
			}
		}
	}
	var suffixes []string
	for _, step := range []*englishStep{step1b, step2, step3, step4} {
		for _, s := range step.suffixes {
			suffixes = append(suffixes, s.suffix)
		}
	}
	suffixes = append(suffixes, "'s'", "'s", "'", "sses", "ied", "ies", "us", "ss", "s", "e", "l", "y", "at", "bl", "iz",
		"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", "cc", "ll", "ly", "ies", "ying", "eed", "ingly")
	// The exceptions, whole or as parts.
	suffixes = append(suffixes, "skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly",
		"sky", "news", "howe", "atlas", "cosmos", "bias", "andes",
		"inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed")
	stems := []string{"", "y", "a", "b", "'", "'y", "ab", "by", "ay", "yay", "gener", "commun", "arsen", "hop", "tap", "ow", "ex",
		"bay", "play", "cr", "sk", "wax", "tw", "happ", "gen", "x2", "19", "consol", "relat", "control", "l", "s", "t", "ion", "eer"}
	for _, a := range stems {
		for _, b := range suffixes {
			check(a + b)
			for _, c := range suffixes {
				check(a + b + c)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const letters = "aeiouyaeiouybcdfghlmnprstvwxzkjqy'0"
	for i := 0; i < 300000; i++ {
		var b strings.Builder
		for k := rng.IntN(9); k >= 0; k-- {
			b.WriteByte(letters[rng.IntN(len(letters))])
		}
		if rng.IntN(2) == 0 {
			b.WriteString(suffixes[rng.IntN(len(suffixes))])
		}
		check(b.String())
	}
	if n < 500000 {
		t.Errorf("only %d words checked", n)
	}
}

func BenchmarkStemEnglish(b *testing.B) {
	words := []string{"generously", "running", "happiness", "nationalization", "cats", "the", "relational", "agreed", "skies", "hopping"}
	for b.Loop() {
		for _, w := range words {
			stemEnglish(w, nil)
		}
	}
}

func BenchmarkStemEnglishSnowball(b *testing.B) {
	words := []string{"generously", "running", "happiness", "nationalization", "cats", "the", "relational", "agreed", "skies", "hopping"}
	env := new(snowballstem.Env)
	for b.Loop() {
		for _, w := range words {
			snowballEnglish(env, w)
		}
	}
}
