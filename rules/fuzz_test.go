package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTerms checks that no term list makes ParseTerms or Match panic, and
// that the canonical form parses back to a list that prints and matches
// the same.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{
		"earthquake, flood", `title:"a, b", /x{1,2}/y/`, `"/r/news"`, `title: title: say "hi"`,
		"category:asia, author : Jane", "/(?i)^live/, ,, 地震", `"a" b`, "/a(/", "\u00a0, ‚ Ω",
	} {
		f.Add(s, "Strong earthquake hits Japan's coast", "No tsunami. 地震")
	}
	f.Fuzz(func(t *testing.T, list, title, summary string) {
		terms, err := ParseTerms(list)
		if err != nil {
			return
		}
		canon := terms.String()
		again, err := ParseTerms(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canon, list, err)
		}
		if again.String() != canon {
			t.Fatalf("canonical %q of %q parses to %q", canon, list, again)
		}
		it := Item{Title: title, Summary: summary, Author: title, Categories: []string{summary}}
		ok1, term1 := terms.Match(it)
		ok2, term2 := again.Match(it)
		if ok1 != ok2 || term1 != term2 {
			t.Fatalf("%q matches %v %q, its canonical form %v %q", list, ok1, term1, ok2, term2)
		}
		Filter{Include: terms, Exclude: again}.Decide(it)
	})
}

// FuzzTruncate checks Truncate's promises on any text and limit.
func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"One. Two three four.", "日本で地震。津波", "👨‍👩‍👧 🇯🇵🇫🇷", `a\*b\\c`, "\xff\xfe"} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 4 * MaxContent
		got := Truncate(s, limit)
		if Width(got) > max(limit, 0) {
			t.Fatalf("Truncate(%q, %d) = %q is %d wide", s, limit, got, Width(got))
		}
		if Width(s) <= limit {
			if got != s {
				t.Fatalf("Truncate(%q, %d) = %q changed a text that fits", s, limit, got)
			}
			return
		}
		kept := strings.TrimSuffix(strings.TrimSuffix(got, ellipsis), " ")
		if !strings.HasPrefix(s, kept) {
			t.Fatalf("Truncate(%q, %d) = %q is not a prefix", s, limit, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q is not valid UTF-8", s, limit, got)
		}
	})
}

// FuzzRender checks that any template that parses renders within the limit.
func FuzzRender(f *testing.F) {
	f.Add("{mention} **{title}**\n{summary}\n<{link}>", "Title", "One. Two.", 30)
	f.Add("{{ {x} {title}", "😀😀", "", 3)
	f.Fuzz(func(t *testing.T, tmpl, title, summary string, limit int) {
		p, err := ParseTemplate(tmpl)
		if err != nil {
			return
		}
		limit %= 2 * MaxContent
		v := Values{Title: title, Summary: summary, Link: "https://example.com/" + title, Mention: "<@&1>", Published: summary}
		if got := p.Render(v, limit); Width(got) > max(limit, 0) {
			t.Fatalf("Render(%q) = %q is %d wide, over %d", tmpl, got, Width(got), limit)
		}
	})
}
