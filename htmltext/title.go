package htmltext

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Title renders a title, an author's name or any other one-line text: markup
// removed (script, style, template, noscript and title contents with it),
// entities decoded, twice-escaped ones too ("AT&amp;amp;T"), spoofing
// characters removed (see Clean), white space collapsed to single spaces.
// Tags that are not HTML elements stay as written, so "Generics: <T> in Go"
// survives.
func Title(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = titleText(s)
		// A title escaped twice still holds entities.
		if strings.Contains(s, "&") {
			s = html.UnescapeString(s)
		}
	}
	return strings.Join(strings.Fields(Clean(s)), " ")
}

// titleText is the text of a title's markup, tags that are not HTML kept.
func titleText(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var skip atom.Atom
	depth := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return b.String()
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		if tt == xhtml.SelfClosingTagToken || kinds[a] == fallback {
			z.NextIsNotRawText() // see converter.start
		}
		switch {
		case skip != 0:
			depth = skipDepth(skip, a, tt, depth)
			if depth < 0 {
				skip, depth = 0, 0
			}
		case tt == xhtml.TextToken:
			b.Write(z.Text())
		case tt == xhtml.StartTagToken && kinds[a] == dropped:
			skip = a
		case tt == xhtml.CommentToken || tt == xhtml.DoctypeToken:
		case a == 0:
			b.Write(z.Raw())
		case a == atom.Br || kinds[a] == block || kinds[a] == cell || kinds[a] == replaced:
			b.WriteByte(' ')
		}
	}
}

// skipDepth follows the nesting of a dropped element: -1 when it closes.
func skipDepth(skip, a atom.Atom, tt xhtml.TokenType, depth int) int {
	switch {
	case a != skip:
	case tt == xhtml.StartTagToken:
		depth++
	case tt == xhtml.EndTagToken:
		depth--
	}
	return depth
}
