package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTermsCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
		n              int
	}{
		{"empty", "", "", 0},
		{"only commas and spaces", " , ,, ", "", 0},
		{"one word", "earthquake", "earthquake", 1},
		{"trimmed and rejoined", "  earthquake ,flood,,  fire ", "earthquake, flood, fire", 3},
		{"phrase whitespace collapsed", "breaking \t  news", "breaking news", 1},
		{"case kept as typed", "Breaking News", "Breaking News", 1},
		{"prefix lower-cased", "TITLE:Quake, Author : Jane Doe", "title:Quake, author:Jane Doe", 2},
		{"every prefix", "title:a, summary:b, author:c, category:d", "title:a, summary:b, author:c, category:d", 4},
		{"unknown prefix is words", "Breaking: quake", "Breaking: quake", 1},
		{"url-like is words", "https://example.com", "https://example.com", 1},
		{"quoted comma kept", `"rock, paper", scissors`, `"rock, paper", scissors`, 2},
		{"quotes dropped when not needed", `"rock paper"`, "rock paper", 1},
		{"quoted prefix stays words", `"title: x"`, `"title: x"`, 1},
		{"quoted slash stays words", `"/r/news"`, `"/r/news"`, 1},
		{"prefix and quotes", `title: "a, b"`, `title:"a, b"`, 1},
		{"quote inside a word term", `say "hi"`, `say "hi"`, 1},
		{"quote inside a term that needs quotes", `title: title: say "hi"`, `title:"title: say hi"`, 1},
		{"regex", `/^Live:/`, `/^Live:/`, 1},
		{"regex with comma and slash", `/a{1,3}/b/, c`, `/a{1,3}/b/, c`, 2},
		{"regex keeps inner spaces", `/ a /`, `/ a /`, 1},
		{"regex with prefix", `title : /(?i)^live/`, `title:/(?i)^live/`, 1},
		{"regex then space then comma", `/x/  , y`, `/x/, y`, 2},
		{"non-breaking spaces trimmed", "\u00a0quake\u00a0", "quake", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTerms(tt.in)
			if err != nil {
				t.Fatalf("ParseTerms(%q): %v", tt.in, err)
			}
			if got.String() != tt.want || got.Len() != tt.n || got.Empty() != (tt.n == 0) {
				t.Errorf("ParseTerms(%q) = %q with %d terms, want %q with %d", tt.in, got, got.Len(), tt.want, tt.n)
			}
			again, err := ParseTerms(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("canonical %q does not round-trip: %q, %v", got, again, err)
			}
		})
	}
}

func TestParseTermsErrors(t *testing.T) {
	long := strings.Repeat("a", MaxTermLength+1)
	tests := []struct {
		name, in, want string
		index          int
	}{
		{"invalid regex", `a, b, /a(/`, `term 3 "/a(/": invalid regex: missing closing )`, 3},
		{"invalid escape", `/\q/`, `term 1 "/\q/": invalid regex: invalid escape sequence: \q`, 1},
		{"bad repetition", `/*a/`, `term 1 "/*a/": invalid regex: missing argument to repetition operator: *`, 1},
		{"backreference", `/(a)\1/`, `term 1 "/(a)\1/": invalid regex: invalid escape sequence: \1`, 1},
		{"lookahead", `/a(?=b)/`, `term 1 "/a(?=b)/": invalid regex: invalid or unsupported Perl syntax: (?=`, 1},
		{"regex too long", "/" + long + "/", "a regex is at most 200 characters; this one has 201", 1},
		{"word too long", long, "a term is at most 200 characters; this one has 201", 1},
		{"regex not closed", `x, /r/news`, `term 2 "/r/news": a /regex/ must end with "/"; to match the words instead, put the term in quotes`, 2},
		{"empty regex", `//`, `term 1 "//": the regex is empty`, 1},
		{"nothing after prefix", `a,, title:`, `term 2 "title:": there is nothing to match`, 2},
		{"empty quotes", `""`, `term 1 «""»: there is nothing to match`, 1},
		{"symbols only", `a, !!!`, `term 2 "!!!": it has no letters or digits to match; use a /regex/ to match symbols`, 2},
		{"quote not closed", `a, "b, c`, `term 2 «"b, c»: the quote is never closed`, 2},
		{"text after quote", `"a" b, c`, `term 1 «"a" b»: only a comma may follow a closing quote`, 1},
		{"long term shortened in message", long + "!", `term 1 "` + strings.Repeat("a", 59) + `…": a term is at most`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTerms(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseTerms(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
			var te *TermError
			if !errors.As(err, &te) || te.Index != tt.index {
				t.Errorf("error %#v, want a *TermError for term %d", err, tt.index)
			}
		})
	}
}

func TestParseTermsLimits(t *testing.T) {
	terms := make([]string, MaxTerms)
	for i := range terms {
		terms[i] = "w"
	}
	if _, err := ParseTerms(strings.Join(terms, ",")); err != nil {
		t.Fatalf("%d terms: %v", MaxTerms, err)
	}
	_, err := ParseTerms(strings.Join(append(terms, "one more"), ","))
	if err == nil || err.Error() != "too many terms: at most 50 in one list" {
		t.Errorf("%d terms: error %v", MaxTerms+1, err)
	}

	word := strings.Repeat("x", 45)
	for i := range terms {
		terms[i] = word // 50 × 45 + 49 × 2 separators > 2000
	}
	_, err = ParseTerms(strings.Join(terms, ","))
	if err == nil || err.Error() != "the list is too long: 2348 characters, at most 2000" {
		t.Errorf("long list: error %v", err)
	}
}
