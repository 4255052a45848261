package htmltext

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FuzzText feeds random HTML through the converter and checks that no text
// is lost: every word of the input's text nodes, outside the elements whose
// contents are never text (script, style, template, noscript, title) and
// the fallback contents of embeds, appears in the output, in order.
// Run it with: go test ./htmltext -run '^$' -fuzz FuzzText -fuzztime 2m
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"<p>a</p><p>b</p>", "<script><script></script>x", "<pre>\n a</pre>", "&amp;&lt;", "<svg><svg>",
		`<p>Watch <iframe src="x"></iframe> the full interview.</p>`, "a<embed>b", "a<object>b", "x<video>y</video>z",
		"a<iframe/>b", "<title>t", "<template>x", "a<br/>b<wbr>c", "<b><b><b>deep</b></b></b>", "<table>x<tr>y",
		"\u202Eabc", "<textarea>a<b>c</textarea>d", "<xmp><p></xmp>", "<plaintext><p>", "<noembed>x</noembed>y",
	} {
		f.Add(s)
	}
	f.Add(nested("b", 200) + "tail")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if strings.TrimSpace(out) != out && !strings.Contains(strings.ToLower(s), "<pre") {
			t.Fatalf("untrimmed %q from %q", out, s)
		}
		pos := 0
		for _, w := range textWords(s) {
			i := strings.Index(out[pos:], w)
			if i < 0 {
				t.Fatalf("word %q lost (or out of order)\n in: %q\nout: %q", w, s, out)
			}
			pos += i + len(w)
		}
		_ = Title(s)
	})
}

// textWords is the fuzz target's reference: the words of s's text nodes
// that must reach the output, read with a plain element stack (unlike the
// converter's counters) so the two implementations check each other.
func textWords(s string) []string {
	if !strings.Contains(s, "<") {
		return strings.Fields(Clean(htmlUnescape(s)))
	}
	var words []string
	var stack []atom.Atom
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return words
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		if tt == xhtml.SelfClosingTagToken || kinds[a] == fallback {
			z.NextIsNotRawText()
		}
		switch tt {
		case xhtml.TextToken:
			if !inside(stack) {
				words = append(words, strings.Fields(Clean(string(z.Text())))...)
			}
		case xhtml.StartTagToken:
			if k := kinds[a]; k == dropped || k == fallback {
				stack = append(stack, a)
			}
		case xhtml.EndTagToken:
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == a {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

// inside reports whether the text is inside a dropped element, or a
// fallback one (whose text may or may not be shown: optional either way).
func inside(stack []atom.Atom) bool { return len(stack) > 0 }

func nested(tag string, n int) string {
	return strings.Repeat("<"+tag+">", n)
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
