package feeds

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Feed text arrives as HTML, as entity-escaped HTML, or as plain text. The
// bot posts plain text, so everything goes through these functions: markup
// is parsed (never pattern-matched), only text nodes survive, scripts,
// styles and other non-content elements are dropped whole, and block
// boundaries become line breaks. That is a stricter sanitizer than any
// HTML allow-list, as no markup at all reaches Discord.

// skipElements are dropped with their content.
var skipElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true,
	atom.Math: true, atom.Head: true, atom.Title: true, atom.Button: true,
	atom.Select: true, atom.Textarea: true, atom.Canvas: true, atom.Audio: true,
	atom.Video: true, atom.Map: true,
	// A picture's caption describes the picture, not the story; summaries
	// that quote it read oddly.
	atom.Figcaption: true,
}

// blockElements end a paragraph.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Main: true,
	atom.Nav: true, atom.Blockquote: true, atom.Pre: true, atom.Ul: true,
	atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Tr: true, atom.Figure: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Hr: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Form: true, atom.Fieldset: true, atom.Body: true,
	atom.Caption: true, atom.Center: true,
}

// looksLikeHTML reports whether s holds markup or entities worth parsing.
func looksLikeHTML(s string) bool {
	return strings.ContainsAny(s, "<&")
}

// htmlToText renders an HTML fragment (or plain text) as plain text:
// paragraphs separated by a blank line, <br> as a newline, entities decoded,
// runs of white space collapsed.
func htmlToText(s string) string {
	if !strings.Contains(s, "<") {
		return plainText(html.UnescapeString(s))
	}
	var w textWriter
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := atom.Atom(0) // the element being skipped
	depth := 0           // nesting of that element inside itself
	pre := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		if skip != 0 {
			switch {
			case tt == xhtml.StartTagToken && a == skip:
				depth++
			case tt == xhtml.EndTagToken && a == skip:
				if depth--; depth < 0 {
					skip, depth = 0, 0
				}
			}
			continue
		}
		switch tt {
		case xhtml.TextToken:
			if pre > 0 {
				w.pre(string(z.Text()))
			} else {
				w.text(string(z.Text()))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			switch {
			case skipElements[a] && tt == xhtml.StartTagToken:
				skip, depth = a, 0
			case a == atom.Br:
				w.newline()
			case a == atom.Td || a == atom.Th:
				w.space()
			case blockElements[a]:
				w.paragraph()
				if a == atom.Pre && tt == xhtml.StartTagToken {
					pre++
				}
			}
		case xhtml.EndTagToken:
			if blockElements[a] {
				w.paragraph()
				if a == atom.Pre && pre > 0 {
					pre--
				}
			} else if a == atom.Td || a == atom.Th {
				w.space()
			}
		}
	}
	return w.String()
}

// plainText tidies text that is already plain: lines are trimmed and their
// inner white space collapsed, blank lines mark paragraphs.
func plainText(s string) string {
	var w textWriter
	for para := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		first := true
		for line := range strings.SplitSeq(para, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if !first {
				w.newline()
			}
			first = false
			w.text(line)
		}
		w.paragraph()
	}
	return w.String()
}

// textWriter accumulates words, collapsing white space and holding breaks
// back until the next word so none lead or trail.
type textWriter struct {
	b       strings.Builder
	pending string // separator owed before the next word
}

func (w *textWriter) owe(sep string) {
	if w.b.Len() == 0 {
		return
	}
	// A paragraph break beats a line break, which beats a space.
	if len(sep) > len(w.pending) || (sep == "\n" && w.pending == " ") {
		w.pending = sep
	}
}

func (w *textWriter) space()     { w.owe(" ") }
func (w *textWriter) newline()   { w.owe("\n") }
func (w *textWriter) paragraph() { w.owe("\n\n") }

func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	// White space at either end separates this text node from its
	// neighbours; none means the words touch ("<b>x</b>y").
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		w.space()
	}
	for i, word := range strings.Fields(s) {
		if i > 0 {
			w.space()
		}
		w.word(word)
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		w.space()
	}
}

func (w *textWriter) pre(s string) {
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			w.newline()
		}
		if line = strings.TrimRightFunc(line, unicode.IsSpace); line != "" {
			w.word(line)
		}
	}
}

func (w *textWriter) word(s string) {
	if w.pending != "" {
		w.b.WriteString(w.pending)
		w.pending = ""
	}
	w.b.WriteString(s)
}

func (w *textWriter) String() string { return w.b.String() }

// cleanTitle makes a one-line title: markup stripped, entities decoded
// (twice-escaped ones too), white space collapsed. Tags that are not HTML
// elements stay as written, so "Generics: <T> in Go" survives.
func cleanTitle(s string) string {
	if !looksLikeHTML(s) {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		switch tt {
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) == 0 {
				b.Write(z.Raw())
			} else if a := atom.Lookup(name); a == atom.Br || blockElements[a] {
				b.WriteByte(' ')
			}
		}
	}
	out := b.String()
	// A title escaped twice ("AT&amp;amp;T") still holds entities.
	if strings.Contains(out, "&") {
		out = html.UnescapeString(out)
	}
	return strings.Join(strings.Fields(out), " ")
}

// firstImage returns the src of the first <img> in an HTML fragment.
func firstImage(s string) string {
	if !strings.Contains(s, "<img") && !strings.Contains(s, "<IMG") {
		return ""
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return ""
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if atom.Lookup(name) != atom.Img || !hasAttr {
			continue
		}
		for {
			key, val, more := z.TagAttr()
			if string(key) == "src" && len(val) > 0 && !strings.HasPrefix(string(val), "data:") {
				return strings.TrimSpace(string(val))
			}
			if !more {
				break
			}
		}
	}
}

// WordCount counts the words of plain text. Han, Hiragana and Katakana
// characters, written without spaces, count one word each.
func WordCount(s string) int {
	n := 0
	inWord := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !inWord {
				n++
				inWord = true
			}
		case unicode.IsSpace(r):
			inWord = false
		}
	}
	return n
}
