package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsbot/htmltext"
)

// Feed text arrives as HTML, as entity-escaped HTML, or as plain text. The
// bot posts plain text, so everything goes through htmltext, the one
// converter the summarizer uses too: markup is tokenized (never
// pattern-matched), only text survives, script, style and template contents
// are dropped, embeds never swallow what follows them, spoofing characters
// are removed, and block boundaries become line breaks. That is a stricter
// sanitizer than any HTML allow-list, as no markup at all reaches Discord.

// htmlToText renders an HTML fragment (or plain text) as plain text:
// paragraphs separated by a blank line, <br> as a newline, entities decoded,
// runs of white space collapsed. Figure captions are left out: summaries
// that quote a caption read oddly without the picture.
func htmlToText(s string) string {
	if !utf8.ValidString(s) {
		// Decoded base64 content can be anything.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return htmltext.Convert(s, htmltext.Options{ParagraphBreak: "\n\n", DropCaptions: true})
}

// maxTitleRunes bounds a title or a name. Discord shows 256 characters of
// a title; a feed's 10 MB title would only cost memory and time downstream.
const maxTitleRunes = 1000

// cleanTitle makes a one-line title or name (see htmltext.Title), at most
// maxTitleRunes long.
func cleanTitle(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return clip(htmltext.Title(s), maxTitleRunes)
}

// clip cuts s to at most n runes, at a space when there is one in the last
// fifth, and marks the cut with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if cut == n-1 {
			cut = i
			break
		}
		cut++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)*4/5 {
		head = head[:sp]
	}
	return head + "…"
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
