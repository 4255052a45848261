package rouge

import (
	"bufio"
	"math"
	"os"
	"strings"
	"testing"
)

// testdata/porter_nltk.tsv holds words of the dev articles and the stems
// NLTK 3.8's PorterStemmer() gives them (every tenth of 23,283 words; the
// port matched all of them).
func TestPorterMatchesNLTK(t *testing.T) {
	f, err := os.Open("testdata/porter_nltk.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		word, want, _ := strings.Cut(sc.Text(), "\t")
		if got := PorterStem(word); got != want {
			t.Errorf("PorterStem(%q) = %q, want %q", word, got, want)
		}
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d words in testdata", n)
	}
}

func TestPorterClassicCases(t *testing.T) {
	for word, want := range map[string]string{
		"caresses": "caress", "ponies": "poni", "ties": "tie", "cats": "cat",
		"feed": "feed", "agreed": "agre", "plastered": "plaster", "motoring": "motor",
		"hopping": "hop", "falling": "fall", "filing": "file", "happy": "happi",
		"relational": "relat", "generalization": "gener", "dying": "die",
		"news": "news", "running": "run", "controll": "control", "skies": "sky",
	} {
		if got := PorterStem(word); got != want {
			t.Errorf("PorterStem(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	s := NewScorer()
	got := strings.Join(s.Tokenize("The U.S. economy's GROWTH, 3.5% -- running (café)!"), " ")
	// "the" and "s" are short and not stemmed; "caf" stays, "é" is a separator.
	want := "the u s economi s growth 3 5 run caf"
	if got != want {
		t.Errorf("Tokenize = %q, want %q", got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScoreHandComputed(t *testing.T) {
	s := NewScorer()
	// reference: the cat was found under the bed (7 tokens)
	// candidate: the cat was under the bed        (6 tokens)
	// unigrams: all 6 candidate tokens are in the reference (the x2 both).
	// R1: P = 6/6, R = 6/7, F = 2*1*(6/7)/(1+6/7) = 12/13.
	// bigrams ref: the-cat cat-was was-found found-under under-the the-bed (6)
	// cand: the-cat cat-was was-under under-the the-bed (5); overlap 4.
	// R2: P = 4/5, R = 4/6, F = 2*.8*.6667/(1.4667) = 8/11.
	// LCS = 6 ("the cat was under the bed"): same as R1.
	got := s.Score("the cat was found under the bed", "the cat was under the bed")
	if !near(got.R1.F, 12.0/13) || !near(got.R1.Precision, 1) || !near(got.R1.Recall, 6.0/7) {
		t.Errorf("R1 = %+v", got.R1)
	}
	if !near(got.R2.F, 8.0/11) {
		t.Errorf("R2 = %+v, want F 8/11", got.R2)
	}
	if !near(got.L.F, 12.0/13) {
		t.Errorf("L = %+v", got.L)
	}

	// Order matters for L but not for R1: "b a" vs "a b": R1 1, L 1/2.
	got = s.Score("alfa beta", "beta alfa")
	if !near(got.R1.F, 1) || !near(got.L.F, 0.5) || !near(got.R2.F, 0) {
		t.Errorf("swap = %+v", got)
	}

	// Stemming: "running dogs" vs "runs dog": run, dog on both sides.
	got = s.Score("running dogs", "runs dog")
	if !near(got.R1.F, 1) || !near(got.R2.F, 1) {
		t.Errorf("stems = %+v", got)
	}

	// Empty candidate scores zero, not NaN.
	got = s.Score("some reference", "")
	if got.R1.F != 0 || got.L.F != 0 || got.Lsum.F != 0 {
		t.Errorf("empty = %+v", got)
	}
}

func TestLsumHandComputed(t *testing.T) {
	s := NewScorer()
	// The example of Lin (2004), section 3.2, as rouge-score computes it:
	// reference r = w1 w2 w3 w4 w5; candidates c1 = w1 w2 w6 w7 w8,
	// c2 = w1 w3 w8 w9 w5. Union LCS of r with {c1, c2} = w1 w2 w3 w5 (4 hits).
	// P = 4/10, R = 4/5, F = 2*.4*.8/1.2 = 8/15.
	ref := "w1 w2 w3 w4 w5"
	cand := "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5"
	got := s.Score(ref, cand).Lsum
	if !near(got.Precision, 0.4) || !near(got.Recall, 0.8) || !near(got.F, 8.0/15) {
		t.Errorf("Lsum = %+v, want P .4 R .8 F 8/15", got)
	}
	// Hits are capped by token counts: a reference word matched by two
	// candidate sentences counts once per occurrence.
	got = s.Score("aa bb", "aa\naa").Lsum
	// m=2, n=2, hits=1: P=.5, R=.5.
	if !near(got.F, 0.5) {
		t.Errorf("capped Lsum = %+v", got)
	}
}

func TestUnicodeTokenizer(t *testing.T) {
	got := strings.Join(NewUnicodeScorer().Tokenize("La Sécurité routière : 15,6% de MORTS en moins « à Noël »."), "|")
	if want := "la|sécurité|routière|15|6|de|morts|en|moins|à|noël"; got != want {
		t.Errorf("Tokenize = %q, want %q", got, want)
	}
	if en := strings.Join(ForLanguage("en").Tokenize("Sécurité"), "|"); en != "s|curit" {
		t.Errorf("English tokenizer = %q, want rouge-score's s|curit", en)
	}
	if !ForLanguage("fr").unicode || ForLanguage("").unicode || ForLanguage("en-GB").unicode {
		t.Error("ForLanguage picks the wrong tokenizer")
	}
	s := ForLanguage("fr").Score("la sécurité routière", "la sécurité")
	if math.Abs(s.R1.Recall-2.0/3) > 1e-9 || s.R1.Precision != 1 {
		t.Errorf("French ROUGE-1 = %+v", s.R1)
	}
}
