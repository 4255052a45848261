package main

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// isURL reports whether a summarize argument is a web address, as preview
// decides it: the scheme in any case, surrounding white space ignored.
func isURL(arg string) bool {
	lower := strings.ToLower(strings.TrimSpace(arg))
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// splitTextArticle takes a Markdown or plain-text article apart: front
// matter ("---" ... "---" or "+++" ... "+++") and "Key: value" metadata
// lines before the body are dropped (a "title:" among them is the title),
// and a leading "# Headline" line, or a first line without final
// punctuation followed by a blank line, is the title. It returns the title
// found ("" if none) and the body.
func splitTextArticle(text string) (title, body string) {
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	// Front matter.
	if i < len(lines) {
		if fence := strings.TrimSpace(lines[i]); fence == "---" || fence == "+++" {
			for j := i + 1; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) == fence {
					for _, l := range lines[i+1 : j] {
						if k, v, ok := metadataLine(l); ok && strings.EqualFold(k, "title") && title == "" {
							title = strings.Trim(v, `"'`)
						}
					}
					i = j + 1
					break
				}
			}
		}
	}
	// Metadata lines, then blank lines.
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		k, v, ok := metadataLine(l)
		if !ok {
			break
		}
		if strings.EqualFold(k, "title") && title == "" {
			title = v
		}
	}
	// The headline.
	if i < len(lines) {
		first := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(first, "# "):
			if title == "" {
				title = strings.TrimSpace(strings.TrimLeft(first, "#"))
			}
			i++
		case i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "" && !endsSentence(first) && i+2 < len(lines):
			if title == "" {
				title = first
			}
			i++
		case i+1 < len(lines) && isUnderline(lines[i+1], '='):
			// Setext: "Headline" over "========".
			if title == "" {
				title = first
			}
			i += 2
		}
	}
	return title, strings.Join(lines[i:], "\n")
}

// metadataLine recognizes "Key: value" with a key of one to three words
// and a value that is not a sentence ("WASHINGTON: The Senate voted." is a
// dateline, not metadata).
func metadataLine(l string) (key, value string, ok bool) {
	key, value, found := strings.Cut(strings.TrimSpace(l), ":")
	if !found || key == "" || len(key) > 30 || strings.Count(key, " ") > 2 {
		return "", "", false
	}
	for _, r := range key {
		if !(unicode.IsLetter(r) || r == ' ' || r == '-' || r == '_') {
			return "", "", false
		}
	}
	if first, _ := utf8.DecodeRuneInString(key); unicode.IsUpper(first) && strings.ToUpper(key) == key && len(key) > 2 {
		return "", "", false // "WASHINGTON:" is a dateline
	}
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, "//") { // a URL split at its scheme
		return "", "", false
	}
	if endsSentence(value) && strings.Count(value, " ") >= 4 {
		return "", "", false
	}
	return key, value, true
}

// endsSentence reports whether a line ends like a sentence.
func endsSentence(l string) bool {
	l = strings.TrimRight(l, " \t\"'\u201d\u2019\u00bb)")
	r, _ := utf8.DecodeLastRuneInString(l)
	return r == '.' || r == '!' || r == '?' || r == '\u2026' || r == ':' || r == ';' || r == ','
}

func isUnderline(l string, c byte) bool {
	l = strings.TrimSpace(l)
	return len(l) >= 3 && strings.Trim(l, string(c)) == ""
}

// splitHTMLTitle finds a page's first <h1> and returns its text and the
// page without it, so that the headline is the title and is never glued to
// the first sentence. It returns "" and the page unchanged when there is
// no <h1>.
func splitHTMLTitle(page string) (title, rest string) {
	z := html.NewTokenizer(strings.NewReader(page))
	offset, start := 0, -1
	var b strings.Builder
	for {
		tt := z.Next()
		raw := len(z.Raw())
		switch tt {
		case html.ErrorToken:
			return "", page
		case html.StartTagToken:
			if name, _ := z.TagName(); start < 0 && atom.Lookup(name) == atom.H1 {
				start = offset
			}
		case html.TextToken:
			if start >= 0 {
				b.Write(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); start >= 0 && atom.Lookup(name) == atom.H1 {
				title = strings.Join(strings.Fields(b.String()), " ")
				end := offset + raw
				if title == "" {
					return "", page
				}
				// A line break keeps the text on either side apart.
				return title, page[:start] + "<br>" + page[end:]
			}
		}
		offset += raw
	}
}

// dropTitleLine removes a first line that repeats the title (readability
// often starts the text with the headline).
func dropTitleLine(text, title string) string {
	first, rest, _ := strings.Cut(strings.TrimLeft(text, " \t\r\n"), "\n")
	if title != "" && strings.Join(strings.Fields(first), " ") == strings.Join(strings.Fields(title), " ") {
		return rest
	}
	return text
}
