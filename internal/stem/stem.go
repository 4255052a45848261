// Package stem reduces words to their stems with the Snowball stemmers
// (the official algorithms, as generated for Go by the Snowball compiler),
// by language code. Both the summarizer and the story matcher use it, so a
// word has one stem everywhere.
package stem

import (
	"slices"
	"strings"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/blevesearch/snowballstem/turkish"
)

// Func stems one lower-case word.
type Func func(word string) string

var algorithms = map[string]func(*snowballstem.Env) bool{
	"ar": arabic.Stem,
	"da": danish.Stem,
	"de": german.Stem,
	"en": english.Stem,
	"es": spanish.Stem,
	"fi": finnish.Stem,
	"fr": french.Stem,
	"hu": hungarian.Stem,
	"it": italian.Stem,
	"nl": dutch.Stem,
	"no": norwegian.Stem,
	"pt": portuguese.Stem,
	"ro": romanian.Stem,
	"ru": russian.Stem,
	"sv": swedish.Stem,
	"tr": turkish.Stem,
}

// For returns the stemmer of the language with the ISO 639-1 code (a
// region or script after "-" or "_" is ignored; "nb" and "nn" are
// Norwegian), or nil when Snowball has none for it.
func For(code string) Func {
	code = strings.ToLower(code)
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	if code == "nb" || code == "nn" {
		code = "no"
	}
	alg := algorithms[code]
	if alg == nil {
		return nil
	}
	return func(word string) string {
		env := snowballstem.NewEnv(word)
		alg(env)
		return env.Current()
	}
}

// Languages lists the codes For has a stemmer for.
func Languages() []string {
	codes := make([]string, 0, len(algorithms))
	for c := range algorithms {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
